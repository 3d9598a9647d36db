/**
 * Can a small head on the fixed inputs learn to ground a sound in the picture? The question under
 * paper 000's model after probe-inputs.ts showed both modalities name the class: the full model's
 * maps hardly depend on the sound; does the association fail to be learnable from this data and
 * objective, or does the full model fail to learn it?
 *
 * The head: audio a = unit(MLP(s)), s the 1-s centred mono window's log(1 + |X|) spectrum averaged
 * over time (128 values, centred by the training mean); visual v_xy = unit(W f14_xy + b) per cell of
 * the frozen trunk's 14x14 map; the map S_xy = a . v_xy / tau. Trained with paper 000's grounding
 * objective (eq. 2): a frame's score for a sound is the log-mean-exp of its map over the cells (a
 * soft max), and each sound must pick its own frame out of the batch (and each frame its own sound);
 * pairs of clips that share a sounding recording are left out of each other's denominators.
 * Frames: the window cache's grid (every 2nd frame) of --train's clips; the last --val clips held out.
 *
 * Scored like tools/eval.ts on --test (every 2nd frame with an active on-screen sounding object):
 * the map with the frame's own sound, with another clip's (the first clip that plays none of its
 * sounding recordings: the eval's otherAudio control), and the centre prior, by the LVS protocol.
 *
 *   npx tsx tools/models/probe-ground.ts --train .cache/synth-v16 --test .cache/synth-v16-seen [--split train] [--test-split S]
 *     [--steps 1500] [--batch 32] [--d 64] [--lr 1e-3] [--tau 0.1] [--seed 1] [--val 40] [--mix]
 * --mix: train on what paper 000's trainer grounds (tools/models/train-ego000.ts): each frame's sound mixed,
 * 0.5 (s1 + s2), with the 1-s window of a random training clip that shares no sounding recording with it
 * (mix-and-separate's input); validation and test hear the own sound unmixed, as in the evaluation.
 * --audio mono|binaural|both (default mono): what the head hears.
 *   mono: the above (what the sound is).
 *   binaural: where it comes from, not what it is: the direction features of the 1-s centred window of
 *     the 16 kHz binaural mix (src/engine/dsp/binaural.ts: ILD per band, GCC-PHAT) through an MLP to a logit
 *     per column and per row of the 14x14 map, added to a linear objectness of each cell's trunk
 *     feature: S_xy = (tanh(o . f14_xy) + tanh(col_x + row_y)) / tau (tanh: in [-1, 1] like a cosine).
 *   both: S_xy = (a . v_xy + tanh(col_x + row_y)) / tau, the two added.
 * --position (with --audio binaural): a learned bias per cell inside the objectness, tanh(o . f14_xy + p_xy).
 * --objectness norm (with --audio binaural): no learned objectness; the cell's trunk feature norm,
 *   standardised within the frame and through tanh, tanh((|f14_xy| - mean) / sd): a fixed saliency the
 *   direction picks from. The test output then also scores that norm map alone (no sound).
 * --objectness centernet (with --audio binaural): a COCO detector's class-agnostic centre heat per cell
 *   (centernet.ts), h_xy in [0, 1], as tanh(ga h_xy + gb) with two learned scalars; centernet+learned adds
 *   the learned linear objectness inside the tanh, tanh(ga h_xy + gb + o . f14_xy). centernet-boxes: h_xy from
 *   the detector's boxes instead of its centre heat (each box painted with its score; centernet.ts boxCells).
 *   centernet-heat+boxes (with --combine product): both, multiplied, each with its own learned exponent.
 * --combine product (with --audio binaural and --objectness centernet|oracle): instead of the sum of the
 *   two tanh terms over tau, a product of probabilities: S_xy = gp log(0.01 + h_xy) + log softmax(col)_x
 *   + log softmax(row)_y (gp learned, from 1; no tau), so the score of eq. 2, the log-mean-exp of S over
 *   the cells, is the log of the objectness the sound's direction distribution lands on, and within a
 *   cell row of one column the map keeps the objectness's order. --fixed-exponent keeps gp = 1.
 * --objectness oracle (with --audio binaural): a ceiling, not a method: h_xy = the share of the cell
 *   covered by the ground-truth box of some visible object, sounding or silent (every object found,
 *   none told apart); what the direction alone can pick out given perfect objectness.
 * The other clip's sound of the control is its binaural window too where the head hears one.
 */
import * as tf from '@tensorflow/tfjs';
import { clipCache, openWindowCache, FRAME_STEP } from './windows.ts';
import { F14, F14_SCALE } from './features.ts';
import { binauralWindow, datasetHash, objectCover, listClips, mulberry, otherSoundClip, sharesSound, soundingBoxes, spectrogram, useWasm, type Clip } from './data.ts';
import { centredAudio } from './train-ego000.ts';
import { mixWaveforms } from '../../src/engine/models/ego000/enhancement.ts';
import { flagReaders, parseFlags } from './flags.ts';
import { binauralFeatures, BINAURAL_FEATURES } from '../../src/engine/dsp/binaural.ts';
import { clipObjectness } from './centernet.ts';
import { baselines, boxesToMask, scoreFrame, summarize, EVAL_SIZE, type FrameScore } from '../../src/engine/eval/metrics.ts';

const flags = parseFlags(process.argv.slice(2));
const { str, num } = flagReaders(flags);
const trainDir = str('train', '');
const testDir = str('test', '');
const split = str('split', 'train');
const testSplit = str('test-split', split);
const steps = num('steps', 1500);
const B = num('batch', 32);
const D = num('d', 64);
const lr = num('lr', 1e-3);
const tau = num('tau', 0.1);
const seed = num('seed', 1);
const nVal = num('val', 40);
const mix = flags.has('mix');
const hear = str('audio', 'mono');
if (!trainDir || !testDir || !['mono', 'binaural', 'both'].includes(hear)) {
  console.error('usage: npx tsx tools/models/probe-ground.ts --train DIR --test DIR [--split train] [--test-split S] [--steps N] [--batch B] [--d D] [--lr LR] [--tau T] [--seed S] [--val N] [--mix] [--audio mono|binaural|both] [--position] [--objectness learned|norm|centernet|centernet-boxes|centernet-heat+boxes|centernet+learned|oracle] [--combine sum|product [--fixed-exponent]]');
  process.exit(2);
}
const useWhat = hear !== 'binaural';
const position = flags.has('position');
const objectnessKind = str('objectness', 'learned');
if (!['learned', 'norm', 'centernet', 'centernet-boxes', 'centernet-heat+boxes', 'centernet+learned', 'oracle'].includes(objectnessKind)) { console.error('--objectness learned|norm|centernet|centernet-boxes|centernet-heat+boxes|centernet+learned|oracle'); process.exit(2); }
const heatAndBoxes = objectnessKind === 'centernet-heat+boxes';
const useCenterNet = objectnessKind.startsWith('centernet');
const givenObjectness = useCenterNet || objectnessKind === 'oracle';
const combine = str('combine', 'sum');
if (!['sum', 'product'].includes(combine) || (combine === 'product' && (hear !== 'binaural' || !givenObjectness || objectnessKind === 'centernet+learned')) || (heatAndBoxes && combine !== 'product')) {
  console.error('--combine sum|product (product: with --audio binaural and --objectness centernet|centernet-boxes|oracle; centernet-heat+boxes needs it)');
  process.exit(2);
}
const product = combine === 'product';
const useWhere = hear !== 'mono';
await useWasm();
const ctx = await openWindowCache();
const A = 128;

const wave = (c: Clip, t: number) => centredAudio(c, Math.min(t, c.meta.config.seconds - 0.5));
/** Time-averaged log(1 + |X|) of the 1-s window centred on t (or of a given waveform). */
function spectrum(c: Clip, t: number, w?: Float32Array): Float32Array {
  const spec = spectrogram(w ?? wave(c, t));
  const v = new Float32Array(A);
  for (let f = 0; f < A; f++) for (let k = 0; k < 128; k++) v[f] += Math.log1p(spec[f * 128 + k]) / 128;
  return v;
}

const direction = (w: Float32Array[]) => binauralFeatures(w[0], w[1], 16000);
const noDir = new Float32Array(0);

interface Item { clip: number; frame: number; f14: Uint8Array; audio: Float32Array; dir: Float32Array; obj: Float32Array }
const noObj = new Float32Array(0);
async function items(clips: Clip[], keep: (c: Clip, fi: number) => boolean): Promise<Item[]> {
  const out: Item[] = [];
  for (const [ci, c] of clips.entries()) {
    const cc = await clipCache(ctx, c, [], FRAME_STEP);
    const cn = useCenterNet ? await clipObjectness(c, cc.frames, objectnessKind === 'centernet-boxes' ? 'boxes' : 'heat') : null;
    const cb = heatAndBoxes ? await clipObjectness(c, cc.frames, 'boxes') : null;
    cc.frames.forEach((fi, r) => {
      if (!keep(c, fi)) return;
      const t = c.meta.frames[fi].time;
      let obj = cn ? cn.subarray(r * 196, (r + 1) * 196) : objectnessKind === 'oracle' ? objectCover(c, fi) : noObj;
      if (cb) { const both = new Float32Array(392); both.set(obj); both.set(cb.subarray(r * 196, (r + 1) * 196), 196); obj = both; }
      out.push({ clip: ci, frame: fi, f14: cc.f14.subarray(r * F14, (r + 1) * F14), audio: useWhat ? spectrum(c, t) : new Float32Array(A), dir: useWhere ? direction(binauralWindow(c, t)) : noDir, obj });
    });
  }
  return out;
}

const trainClipsAll = listClips(trainDir, split);
const testClips = listClips(testDir, testSplit);
const trainClips = trainClipsAll.slice(0, Math.max(1, trainClipsAll.length - nVal));
const valClips = trainClipsAll.slice(trainClips.length);
const t0 = Date.now();
const scored = (c: Clip, fi: number) => soundingBoxes(c, fi).boxes.length > 0;
const trainItems = await items(trainClips, () => true);
const valItems = await items(valClips, scored);
const testItems = await items(testClips, scored);
console.log(`probe-ground: ${trainItems.length} training frames (${trainClips.length} clips), ${valItems.length} validation frames (${valClips.length} held-out clips), ${testItems.length} test frames (${testClips.length} clips); inputs in ${((Date.now() - t0) / 1000).toFixed(0)} s`);

const mean = new Float32Array(A);
for (const it of trainItems) for (let f = 0; f < A; f++) mean[f] += it.audio[f] / trainItems.length;
let sd = 0;
for (const it of trainItems) for (let f = 0; f < A; f++) sd += (it.audio[f] - mean[f]) ** 2;
sd = Math.sqrt(sd / (trainItems.length * A)) || 1;
const audioIn = (v: Float32Array) => v.map((x, f) => (x - mean[f]) / sd);
const NB = BINAURAL_FEATURES;
const dMean = new Float32Array(NB), dSd = new Float32Array(NB).fill(1);
if (useWhere) {
  for (const it of trainItems) for (let k = 0; k < NB; k++) dMean[k] += it.dir[k] / trainItems.length;
  dSd.fill(0);
  for (const it of trainItems) for (let k = 0; k < NB; k++) dSd[k] += (it.dir[k] - dMean[k]) ** 2 / trainItems.length;
  for (let k = 0; k < NB; k++) dSd[k] = Math.sqrt(dSd[k]) || 1;
}
const dirBatch = (vs: Float32Array[]) => tf.tensor2d(vs.flatMap((v) => Array.from(v, (x, k) => (x - dMean[k]) / dSd[k])), [vs.length, NB]);

const rand = mulberry(seed);
const glorot = (r: number, c: number) => tf.variable(tf.randomNormal([r, c], 0, Math.sqrt(2 / (r + c)), 'float32', seed + r + c));
const P = {
  a1: glorot(A, 256), b1: tf.variable(tf.zeros([256])),
  a2: glorot(256, D), b2: tf.variable(tf.zeros([D])),
  v1: glorot(576, D), c1: tf.variable(tf.zeros([D])),
  d1: glorot(NB, 128), e1: tf.variable(tf.zeros([128])),
  d2: glorot(128, 28), e2: tf.variable(tf.zeros([28])),
  o1: glorot(576, 1),
  pos: tf.variable(tf.zeros([196])),
  // --objectness centernet|oracle: tanh(ga * h + gb) of the given map h in [0, 1]
  ga: tf.variable(tf.scalar(4)), gb: tf.variable(tf.scalar(-1)),
  // --combine product: the exponent of the given map, (0.01 + h)^gp
  gp: tf.variable(tf.scalar(1), !flags.has('fixed-exponent')),
  // --objectness centernet-heat+boxes: the boxes' exponent beside the heat's, (0.01 + heat)^gp (0.01 + boxes)^gq
  gq: tf.variable(tf.scalar(1), !flags.has('fixed-exponent')),
};
const l2 = (x: tf.Tensor, axis: number) => tf.div(x, tf.add(tf.norm(x, 'euclidean', axis, true), 1e-6));
const audioVec = (s: tf.Tensor2D) => l2(tf.add(tf.matMul(tf.relu(tf.add(tf.matMul(s, P.a1), P.b1)), P.a2), P.b2), 1) as tf.Tensor2D;
const visualVec = (f: tf.Tensor2D) => l2(tf.add(tf.matMul(f, P.v1), P.c1), 1) as tf.Tensor2D; // [n*196, D]

function f14Batch(its: Item[]): tf.Tensor2D {
  const x = new Float32Array(its.length * F14);
  its.forEach((it, i) => { for (let k = 0; k < F14; k++) x[i * F14 + k] = it.f14[k] * F14_SCALE; });
  return tf.tensor2d(x, [its.length * 196, 576]);
}
const audioBatch = (vs: Float32Array[]) => tf.tensor2d(vs.flatMap((v) => Array.from(audioIn(v))), [vs.length, A]);

/** Where a sound comes from as a logit per cell [n, 196]: its column's plus its row's. */
function whereLogits(dirs: Float32Array[]): tf.Tensor2D {
  const h = tf.add(tf.matMul(tf.relu(tf.add(tf.matMul(dirBatch(dirs), P.d1), P.e1)), P.d2), P.e2); // [n, 28]
  let col: tf.Tensor = h.slice([0, 0], [-1, 14]), row: tf.Tensor = h.slice([0, 14], [-1, 14]);
  // --combine product: log P(column) + log P(row), each a softmax over the 14
  if (product) { col = tf.logSoftmax(col); row = tf.logSoftmax(row); }
  const S = tf.add(col.reshape([dirs.length, 1, 14]), row.reshape([dirs.length, 14, 1])).reshape([dirs.length, 196]);
  return (product ? S : tf.tanh(S)) as tf.Tensor2D;
}
/** A cell's objectness (the binaural-only head's visual term) [n*196]; reads the trunk features only where it uses them. */
const objectness = (its: Item[]) => {
  if (givenObjectness) {
    const h = tf.tensor1d(Float32Array.from(its.flatMap((it) => Array.from(it.obj))));
    if (heatAndBoxes) {
      const hb = tf.log(tf.add(h.reshape([-1, 2, 196]), 0.01));
      return tf.add(tf.mul(hb.slice([0, 0, 0], [-1, 1, 196]), P.gp), tf.mul(hb.slice([0, 1, 0], [-1, 1, 196]), P.gq)).reshape([-1]);
    }
    if (product) return tf.mul(tf.log(tf.add(h, 0.01)), P.gp);
    const given = tf.add(tf.mul(h, P.ga), P.gb);
    return tf.tanh(objectnessKind === 'centernet+learned' ? tf.add(given, tf.matMul(f14Batch(its), P.o1).reshape([-1])) : given);
  }
  const f = f14Batch(its);
  if (objectnessKind === 'norm') {
    const nrm = tf.norm(f, 'euclidean', 1).reshape([-1, 196]);
    const { mean: m, variance: v } = tf.moments(nrm, 1, true);
    return tf.tanh(tf.div(tf.sub(nrm, m), tf.add(tf.sqrt(v), 1e-6))).reshape([-1]);
  }
  const o = tf.matMul(f, P.o1).reshape([-1, 196]);
  return tf.tanh(position ? tf.add(o, P.pos) : o).reshape([-1]);
};

interface Heard { audio: Float32Array; dir: Float32Array }
/** Maps [n, 196] of frames its with sounds heard (one each). */
function maps(its: Item[], heard: Heard[]): tf.Tensor2D {
  return tf.tidy(() => {
    const n = its.length;
    let S: tf.Tensor2D = useWhat
      ? tf.matMul(visualVec(f14Batch(its)).reshape([n, 196, D]), audioVec(audioBatch(heard.map((h) => h.audio))).reshape([n, D, 1])).reshape([n, 196])
      : objectness(its).reshape([n, 196]);
    if (useWhere) S = tf.add(S, whereLogits(heard.map((h) => h.dir)));
    return (product ? S : S.div(tau)) as tf.Tensor2D;
  });
}

/** Eq. 2 over a batch: score[i][j] = log-mean-exp over cells of sound i on frame j; CE both ways; same-sound pairs masked. */
function loss(its: Item[], clips: Clip[]): tf.Scalar {
  const n = its.length;
  const mask = new Float32Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) if (i !== j && (its[i].clip === its[j].clip || sharesSound(clips[its[i].clip], clips[its[j].clip]) || sharesSound(clips[its[j].clip], clips[its[i].clip]))) mask[i * n + j] = -1e4;
  return tf.tidy(() => {
    // S[i, j, xy] = (a_i . v_j,xy  or  o . f_j,xy) (+ where_i,xy) / tau
    let S: tf.Tensor3D = useWhat
      ? tf.matMul(visualVec(f14Batch(its)), audioVec(audioBatch(its.map((it) => it.audio))), false, true).reshape([n, 196, n]).transpose([2, 0, 1])
      : tf.tile(objectness(its).reshape([1, n, 196]), [n, 1, 1]);
    if (useWhere) S = tf.add(S, whereLogits(its.map((it) => it.dir)).reshape([n, 1, 196]));
    if (!product) S = S.div(tau);
    const score = tf.sub(tf.logSumExp(S, 2), Math.log(196)).add(tf.tensor2d(mask, [n, n])) as tf.Tensor2D;
    const eye = tf.oneHot(tf.range(0, n, 1, 'int32'), n);
    const l1 = tf.losses.softmaxCrossEntropy(eye, score);
    const l2v = tf.losses.softmaxCrossEntropy(eye, score.transpose());
    return tf.mul(tf.add(l1, l2v), 0.5) as tf.Scalar;
  });
}

function evaluate(its: Item[], clips: Clip[]): { own: ReturnType<typeof summarize>; other: ReturnType<typeof summarize>; centre: ReturnType<typeof summarize>; silent: ReturnType<typeof summarize> } {
  const own: FrameScore[] = [], other: FrameScore[] = [], centre: FrameScore[] = [], silent: FrameScore[] = [];
  const cmap = baselines.centre();
  const otherOf = clips.map((_, i) => otherSoundClip(clips, i));
  const otherAudio = new Map<string, Heard>();
  for (let s = 0; s < its.length; s += 64) {
    const part = its.slice(s, s + 64);
    const wrong = part.map((it) => {
      const c = clips[it.clip];
      const j = otherOf[it.clip] ?? (it.clip + 1) % clips.length;
      const key = `${j}:${it.frame}`;
      const t = c.meta.frames[it.frame].time;
      if (!otherAudio.has(key)) otherAudio.set(key, { audio: useWhat ? spectrum(clips[j], t) : new Float32Array(A), dir: useWhere ? direction(binauralWindow(clips[j], t)) : noDir });
      return otherAudio.get(key)!;
    });
    const m1 = maps(part, part);
    const m2 = maps(part, wrong);
    const m3 = tf.tidy(() => objectness(part).reshape([part.length, 196]));
    const d1 = m1.dataSync(), d2 = m2.dataSync(), d3 = m3.dataSync();
    tf.dispose([m1, m2, m3]);
    part.forEach((it, i) => {
      const c = clips[it.clip];
      const G = boxesToMask(soundingBoxes(c, it.frame).boxes, c.meta.config.width, c.meta.config.height);
      own.push(scoreFrame(d1.subarray(i * 196, (i + 1) * 196), 14, 14, G));
      other.push(scoreFrame(d2.subarray(i * 196, (i + 1) * 196), 14, 14, G));
      centre.push(scoreFrame(cmap, EVAL_SIZE, EVAL_SIZE, G));
      silent.push(scoreFrame(d3.subarray(i * 196, (i + 1) * 196), 14, 14, G));
    });
  }
  return { own: summarize(own), other: summarize(other), centre: summarize(centre), silent: summarize(silent) };
}

const fmt = (s: ReturnType<typeof summarize>) => `${s.pointing.toFixed(3)} / ${s.pixelAP.toFixed(3)} / ${s.ciou50.toFixed(3)} / ${s.auc.toFixed(3)}`;
const opt = tf.train.adam(lr);
const t1 = Date.now();
let run = 0;
console.log(`hears: ${hear}; ${mix ? 'training on mixtures (mix-and-separate input); ' : ''}step  train-loss (chance ln ${B} = ${Math.log(B).toFixed(3)})  val: own sound / other clip's sound (pointing / pixel AP / cIoU@0.5 / AUC)`);
for (let step = 1; step <= steps; step++) {
  const batch: Item[] = [];
  const used = new Set<number>();
  while (batch.length < B) {
    const it = trainItems[Math.floor(rand() * trainItems.length)];
    if (used.has(it.clip)) continue;
    used.add(it.clip);
    batch.push(it);
  }
  const input = mix ? batch.map((it) => {
    const c = trainClips[it.clip];
    let j = it.clip;
    while (j === it.clip || sharesSound(c, trainClips[j]) || sharesSound(trainClips[j], c)) j = Math.floor(rand() * trainClips.length);
    const o = trainClips[j];
    const t = c.meta.frames[it.frame].time, to = rand() * o.meta.config.seconds;
    const audio = useWhat ? spectrum(c, 0, mixWaveforms(wave(c, t), wave(o, to))) : it.audio;
    const ow = useWhere ? binauralWindow(o, to) : [];
    const dir = useWhere ? direction(binauralWindow(c, t).map((ch, k) => mixWaveforms(ch, ow[k]))) : it.dir;
    return { ...it, audio, dir };
  }) : batch;
  const l = opt.minimize(() => loss(input, trainClips), true) as tf.Scalar;
  run += (l.dataSync()[0] - run) * (step === 1 ? 1 : 0.05);
  l.dispose();
  if (step % Math.max(1, Math.floor(steps / 6)) === 0 || step === steps) {
    const v = evaluate(valItems, valClips);
    console.log(`${String(step).padStart(5)}  ${run.toFixed(3)}  val ${fmt(v.own)}  |  ${fmt(v.other)}  (${((Date.now() - t1) / 1000).toFixed(0)} s)`);
  }
}
const r = evaluate(testItems, testClips);
const testHash = datasetHash(testClips, (c) => testItems.filter((it) => testClips[it.clip] === c).map((it) => it.frame));
console.log(`test (${r.own.n} frames of ${testClips.length} clips, data sha256 ${testHash.slice(0, 16)}: the eval's at --stride ${FRAME_STEP}), pointing / pixel AP / cIoU@0.5 / AUC:`);
console.log(`  own sound          ${fmt(r.own)}`);
console.log(`  other clip's sound ${fmt(r.other)}`);
console.log(`  centre prior       ${fmt(r.centre)}`);
if (product) console.log(`  objectness exponent gp ${P.gp.dataSync()[0].toFixed(3)}${heatAndBoxes ? `, boxes gq ${P.gq.dataSync()[0].toFixed(3)}` : ''}${flags.has('fixed-exponent') ? ' (fixed)' : ''}`);
if (!useWhat) console.log(`  objectness alone   ${fmt(r.silent)}  (the head's visual term without the sound: ${objectnessKind})`);
ctx.trunk?.dispose();
