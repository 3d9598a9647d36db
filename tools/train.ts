/**
 * `npm run train -- --model lvs --data DIR [options]`: trains a localizer in Node on the CPU
 * (tfjs-backend-wasm; the audio convs use the forward-only gradient of models/audio.ts).
 *
 *   --model lvs            paper 003's LVS baseline
 *   --model ego000         paper 000's full localizer: options in tools/models/train-ego000.ts
 *   --model heard          the heard-object localizer (binaural direction x a detector's objects):
 *                          options in tools/models/train-heard.ts
 *   --data DIR             synthetic clips (docs/dataset.md); trains on <split>-* clips
 *   --split train          which clips to train on
 *   --id lvs-synth         model id: weights go to models/<id>/, entry in models/manifest.json
 *   --ckpt DIR             checkpoints, loss CSV + PNG (default .cache/train/<id>)
 *   --resume               continue from the checkpoint in --ckpt
 *   --epochs 20  --batch 32  --lr 1e-3  --seed 1  --val-frac 0.1  --clip-norm 5
 *   --max-minutes M        stop at the first epoch boundary after M minutes (and ship what is there)
 *   --embed-dim 128  --channels 16,32,64,128  --visual-hidden 0  --easy-negatives trimap|mean
 *   --no-hard-negatives    (ablation) drop the same-image hard negative
 *   --no-ship              train and checkpoint only; do not write models/
 *   --trunk frozen|tail    tail: fine-tune the visual trunk's last block (block_12 + block_13_expand,
 *                          tools/models/trunk-tail.ts) with the head; a measurement, never shipped
 *   --trunk-lr LR          learning rate of the trunk's tail (default lr / 10)
 *   --test-split NAME      after training, score the final weights on NAME's clips of --data the
 *                          same way as validation (middle frames), beside the centre prior, whole
 *                          image and random maps on the same frames (printed, and in test.json);
 *                          --epochs 0 scores the untrained model
 *
 * Samples: for every 1-s segment k of a clip, the frame in its middle (LVS trains on centre
 * frames) and the mono 11025 Hz mix over [k, k + 1) s. Segments whose mix is silent (RMS < 1e-4)
 * are skipped: a rule on the audio alone, so training stays self-supervised; ground-truth boxes
 * are read only to report validation pointing/pixelAP on held-out training clips.
 * Everything random (split, init, batch order) follows --seed.
 */
import { appendFileSync, copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { initLvsParams, lvsLocalize, lvsLoss, serializeParams, deserializeParams, validateLvsConfig, type LvsConfig } from '../src/engine/models/lvs.ts';
import { makeVariable, type Params } from '../src/engine/models/audio.ts';
import { sha256Hex, type Manifest, type ModelEntry } from '../src/engine/weights/verify.ts';
import { EVAL_SIZE, baselines, boxesToMask, scoreFrame, summarize, type FrameScore } from '../src/engine/eval/metrics.ts';
import { MODELS_BASE_URL, MODELS_DIR, modelsFetcher, type Clip, audioWindow, datasetHash, listClips, mulberry, rms, segmentMiddleFrames, soundingBoxes, useWasm, readManifest } from './models/data.ts';
import { batchTensors, computeFeatures, specBatch, type FeatureSet, type Sample } from './models/features.ts';
import { plotPng } from './models/plot.ts';
import { computeTailInputs, tailBatch, tailForward, tailParams } from './models/trunk-tail.ts';
import { loadVisualTrunk } from '../src/engine/models/visual.ts';
import { flagReaders, parseFlags } from './models/flags.ts';


const flags = parseFlags(process.argv.slice(2));
const { str, num } = flagReaders(flags);

const modelName = str('model', '');
if (!['lvs', 'ego000', 'heard'].includes(modelName)) { console.error('usage: npm run train -- --model lvs|ego000|heard --data DIR [--id lvs-synth] [--epochs N] ... (see tools/train.ts, tools/models/train-ego000.ts, tools/models/train-heard.ts)'); process.exit(2); }
if (!flags.has('data')) { console.error('--data DIR is required'); process.exit(2); }
if (modelName === 'ego000') {
  const { trainEgo000 } = await import('./models/train-ego000.ts');
  await trainEgo000(flags).catch((e) => { console.error(e instanceof Error ? e.stack : e); process.exit(1); });
  process.exit(0);
}
if (modelName === 'heard') {
  const { trainHeard } = await import('./models/train-heard.ts');
  await trainHeard(flags).catch((e) => { console.error(e instanceof Error ? e.stack : e); process.exit(1); });
  process.exit(0);
}

const id = str('id', 'lvs-synth');
if (!/^lvs-[a-z0-9-]+$/.test(id)) throw new Error('--id must look like lvs-<name> (lowercase, digits, dashes)');
const dataDir = str('data', '');
const split = str('split', 'train');
const ckptDir = str('ckpt', join('.cache', 'train', id));
const epochs = num('epochs', 20);
const batch = num('batch', 32);
const lr = num('lr', 1e-3);
const seed = num('seed', 1);
const valFrac = num('val-frac', 0.1);
const clipNorm = num('clip-norm', 5);
const maxMinutes = num('max-minutes', Infinity);
const trunkMode = str('trunk', 'frozen');
if (trunkMode !== 'frozen' && trunkMode !== 'tail') { console.error('--trunk must be frozen or tail'); process.exit(2); }
const trunkLr = num('trunk-lr', lr / 10);
const testSplit = flags.has('test-split') ? str('test-split', 'test') : null;
if (trunkMode === 'tail' && !flags.has('no-ship')) { console.error('--trunk tail is a measurement: the app runs the shipped frozen trunk, so add --no-ship'); process.exit(2); }
const config: LvsConfig = validateLvsConfig({
  embedDim: num('embed-dim', 128),
  visualHidden: num('visual-hidden', 0),
  easyNegatives: str('easy-negatives', 'trimap') as LvsConfig['easyNegatives'],
  hardNegatives: !flags.has('no-hard-negatives'),
  audio: { channels: str('channels', '16,32,64,128').split(',').map(Number) },
});
const command = `npm run train -- ${process.argv.slice(2).join(' ')}`;
const log = (s: string) => { console.log(s); appendFileSync(join(ckptDir, 'train.log'), s + '\n'); };

interface Checkpoint { epoch: number; step: number; history: { epoch: number; step: number; loss: number }[]; val: { epoch: number; loss: number; pointing: number; pixelAP: number; ciou50: number }[]; elapsedS: number }

async function main(): Promise<void> {
  mkdirSync(ckptDir, { recursive: true });
  await useWasm();
  log(`${command}\nbackend ${tf.getBackend()}, config ${JSON.stringify(config)}`);

  // ---- data
  const clips = listClips(dataDir, split);
  if (clips.length < 4) throw new Error(`${dataDir}: found ${clips.length} ${split} clips (need at least 4)`);
  const { samples, silent } = middleFrameSamples(clips);
  const hash = datasetHash(clips, (c) => segmentMiddleFrames(c).map((s) => s.frame));
  log(`data: ${clips.length} clips, ${samples.length} samples (${silent} silent segments skipped), dataset sha256 ${hash}`);
  const fs: FeatureSet = await computeFeatures(clips, samples, join('.cache', 'features'), ['lvs-middle-frame-v1', hash], log);
  const tailIn = trunkMode === 'tail' ? await computeTailInputs(clips, samples, join('.cache', 'features'), ['lvs-middle-frame-v1', hash], log) : null;

  // split by clip
  const r = mulberry(seed);
  const order = clips.map((_, i) => i);
  for (let i = order.length - 1; i > 0; i--) { const j = Math.floor(r() * (i + 1)); [order[i], order[j]] = [order[j], order[i]]; }
  const nVal = Math.max(1, Math.round(clips.length * valFrac));
  const valClips = new Set(order.slice(0, nVal));
  const trainIdx = samples.map((_, i) => i).filter((i) => !valClips.has(samples[i].clip));
  const valIdx = samples.map((_, i) => i).filter((i) => valClips.has(samples[i].clip));
  log(`split: ${clips.length - nVal} train clips (${trainIdx.length} samples), ${nVal} validation clips (${valIdx.length} samples)`);

  // ---- model + optimiser (Adam written out so its state checkpoints by parameter name)
  let params: Params = initLvsParams(config, seed);
  if (trunkMode === 'tail') {
    const trunk = await loadVisualTrunk(readManifest(), MODELS_BASE_URL, { fetcher: modelsFetcher });
    Object.assign(params, tailParams(trunk));
    trunk.dispose();
    log(`trunk: fine-tuning its tail (${Object.keys(params).filter((n) => n.startsWith('tail/')).map((n) => params[n].size).reduce((a, b) => a + b, 0)} parameters) at lr ${trunkLr}`);
  }
  const names = Object.keys(params).sort();
  let m: Params = Object.fromEntries(names.map((n) => [n, makeVariable(tf.zerosLike(params[n]))]));
  let v: Params = Object.fromEntries(names.map((n) => [n, makeVariable(tf.zerosLike(params[n]))]));
  let ck: Checkpoint = { epoch: 0, step: 0, history: [], val: [], elapsedS: 0 };
  const ckPath = join(ckptDir, 'checkpoint');
  if (flags.has('resume') && existsSync(join(ckPath, 'state.json'))) {
    const load = (name: string) => deserializeParams(readFileSync(join(ckPath, `${name}.json`), 'utf8'), new Uint8Array(readFileSync(join(ckPath, `${name}.bin`)))).params;
    tf.dispose([...Object.values(params), ...Object.values(m), ...Object.values(v)]);
    const asTrainable = (p: Params) => Object.fromEntries(Object.entries(p).map(([k, t]) => { const x = makeVariable(tf.clone(t)); t.dispose(); return [k, x]; }));
    params = asTrainable(load('params'));
    m = asTrainable(load('adam-m'));
    v = asTrainable(load('adam-v'));
    ck = JSON.parse(readFileSync(join(ckPath, 'state.json'), 'utf8')) as Checkpoint;
    log(`resumed at epoch ${ck.epoch}, step ${ck.step}`);
  } else if (flags.has('resume')) {
    log('no checkpoint to resume from; starting fresh');
  }

  const b1 = 0.9;
  const b2 = 0.999;
  const eps = 1e-7;
  const vars = names.map((n) => params[n]);
  /** A batch's spectrograms and visual input: the cached f14 (frozen), or the tail's cached input. */
  const inputs = (set: FeatureSet, tailSet: Float32Array | null, idx: number[]): { vis: tf.Tensor4D; spec: tf.Tensor3D } => {
    if (tailSet) return { vis: tailBatch(tailSet, idx), spec: specBatch(set, idx) };
    const { f14, spec } = batchTensors(set, idx);
    return { vis: f14, spec };
  };
  /** f14 of a batch's visual input: itself when frozen, the trainable tail's output otherwise. */
  const f14Of = (vis: tf.Tensor4D): tf.Tensor4D => (trunkMode === 'tail' ? tailForward(params, vis) : vis);
  const trainStep = (idx: number[]): number => {
    const { vis, spec } = inputs(fs, tailIn, idx);
    try {
      const { value, grads } = tf.variableGrads(() => {
        const parts = lvsLoss(params, f14Of(vis), spec, config);
        tf.dispose([parts.logits, parts.sii]);
        return parts.loss;
      }, vars);
      const loss = value.dataSync()[0];
      ck.step++;
      tf.tidy(() => {
        const gs = names.map((n) => grads[params[n].name]);
        const gnorm = tf.sqrt(tf.addN(gs.map((g) => tf.sum(tf.square(g)))));
        const scale = tf.minimum(1, tf.div(clipNorm, tf.add(gnorm, 1e-12)));
        const c1 = 1 - b1 ** ck.step;
        const c2 = 1 - b2 ** ck.step;
        names.forEach((n, i) => {
          const g = tf.mul(gs[i], scale);
          m[n].assign(tf.add(tf.mul(m[n], b1), tf.mul(g, 1 - b1)));
          v[n].assign(tf.add(tf.mul(v[n], b2), tf.mul(tf.square(g), 1 - b2)));
          params[n].assign(tf.sub(params[n], tf.mul((n.startsWith('tail/') ? trunkLr : lr) / c1, tf.div(m[n], tf.add(tf.sqrt(tf.div(v[n], c2)), eps)))));
        });
      });
      tf.dispose([value, ...Object.values(grads)]);
      return loss;
    } finally {
      tf.dispose([vis, spec]);
    }
  };

  const score = (set: FeatureSet, tailSet: Float32Array | null, setClips: Clip[], which: number[]): { loss: number; pointing: number; pixelAP: number; ciou50: number; auc: number; n: number } => {
    let lossSum = 0;
    let nb = 0;
    const scores: FrameScore[] = [];
    for (let s = 0; s < which.length; s += batch) {
      const idx = which.slice(s, s + batch);
      const { vis, spec } = inputs(set, tailSet, idx);
      const f14 = f14Of(vis);
      const parts = lvsLoss(params, f14, spec, config);
      if (idx.length > 1) { lossSum += parts.loss.dataSync()[0]; nb++; }
      const maps = lvsLocalize(params, f14, spec, config);
      const md = maps.dataSync();
      idx.forEach((k, i) => {
        const smp = set.samples[k];
        const gt = soundingBoxes(setClips[smp.clip], smp.frame);
        if (!gt.boxes.length) return;
        const c = setClips[smp.clip].meta.config;
        scores.push(scoreFrame(md.subarray(i * 196, (i + 1) * 196), 14, 14, boxesToMask(gt.boxes, c.width, c.height)));
      });
      tf.dispose([...(f14 === vis ? [] : [f14]), vis, spec, parts.loss, parts.logits, parts.sii, maps]);
    }
    const sm = summarize(scores);
    return { loss: nb ? lossSum / nb : NaN, pointing: sm.pointing, pixelAP: sm.pixelAP, ciou50: sm.ciou50, auc: sm.auc, n: sm.n };
  };
  const validate = (): { loss: number; pointing: number; pixelAP: number; ciou50: number } => {
    const { loss, pointing, pixelAP, ciou50 } = score(fs, tailIn, clips, valIdx);
    return { loss, pointing, pixelAP, ciou50 };
  };

  const save = async () => {
    mkdirSync(ckPath, { recursive: true });
    for (const [name, p] of [['params', params], ['adam-m', m], ['adam-v', v]] as const) {
      const { modelJson, weights } = await serializeParams(`${id}-${name}`, p, config);
      writeFileSync(join(ckPath, `${name}.json`), modelJson);
      writeFileSync(join(ckPath, `${name}.bin`), weights);
    }
    writeFileSync(join(ckPath, 'state.json'), JSON.stringify(ck) + '\n');
    writeFileSync(join(ckptDir, 'loss.csv'), 'epoch,step,loss\n' + ck.history.map((h) => `${h.epoch},${h.step},${h.loss}`).join('\n') + '\n');
    writeFileSync(join(ckptDir, 'val.csv'), 'epoch,loss,pointing,pixelAP,ciou50\n' + ck.val.map((h) => `${h.epoch},${h.loss},${h.pointing},${h.pixelAP},${h.ciou50}`).join('\n') + '\n');
    const smooth: [number, number][] = [];
    const w = Math.max(1, Math.round(ck.history.length / 100));
    for (let i = 0; i + w <= ck.history.length; i += w) smooth.push([ck.history[i + w - 1].step, ck.history.slice(i, i + w).reduce((a, h) => a + h.loss, 0) / w]);
    const stepsPerEpoch = Math.ceil(trainIdx.length / batch);
    writeFileSync(join(ckptDir, 'loss.png'), plotPng([
      { points: smooth, rgb: [31, 119, 180] },
      { points: ck.val.map((h) => [h.epoch * stepsPerEpoch, h.loss] as [number, number]), rgb: [214, 39, 40] },
    ]));
  };

  if (ck.epoch === 0 && ck.val.length === 0) {
    const v0 = validate();
    ck.val.push({ epoch: 0, ...v0 });
    log(`epoch 0 (init): val loss ${v0.loss.toFixed(4)} pointing ${v0.pointing.toFixed(3)} pixelAP ${v0.pixelAP.toFixed(3)} ciou50 ${v0.ciou50.toFixed(3)}`);
  }
  const tStart = Date.now() - ck.elapsedS * 1000;
  const runStart = Date.now();
  while (ck.epoch < epochs) {
    const e = ck.epoch + 1;
    const er = mulberry(seed * 1000 + e);
    const ord = [...trainIdx];
    for (let i = ord.length - 1; i > 0; i--) { const j = Math.floor(er() * (i + 1)); [ord[i], ord[j]] = [ord[j], ord[i]]; }
    let sum = 0;
    let n = 0;
    const te = Date.now();
    for (let s = 0; s + batch <= ord.length; s += batch) { // full batches only: every row has batch-1 easy negatives
      const loss = trainStep(ord.slice(s, s + batch));
      if (!Number.isFinite(loss)) throw new Error(`loss is ${loss} at step ${ck.step}`);
      ck.history.push({ epoch: e, step: ck.step, loss });
      sum += loss;
      n++;
    }
    ck.epoch = e;
    ck.elapsedS = (Date.now() - tStart) / 1000;
    const vr = validate();
    ck.val.push({ epoch: e, ...vr });
    log(`epoch ${e}: train loss ${(sum / n).toFixed(4)} (${n} steps, ${((Date.now() - te) / n).toFixed(0)} ms/step)  val loss ${vr.loss.toFixed(4)} pointing ${vr.pointing.toFixed(3)} pixelAP ${vr.pixelAP.toFixed(3)} ciou50 ${vr.ciou50.toFixed(3)}  [${ck.elapsedS.toFixed(0)} s]`);
    await save();
    if ((Date.now() - runStart) / 60000 > maxMinutes) { log(`stopping after ${maxMinutes} min (--max-minutes)`); break; }
  }

  if (testSplit) {
    const testClips = listClips(dataDir, testSplit);
    const t = middleFrameSamples(testClips);
    const testHash = datasetHash(testClips, (c) => segmentMiddleFrames(c).map((x) => x.frame));
    const tfs = await computeFeatures(testClips, t.samples, join('.cache', 'features'), ['lvs-middle-frame-v1', testHash], log);
    const ttail = trunkMode === 'tail' ? await computeTailInputs(testClips, t.samples, join('.cache', 'features'), ['lvs-middle-frame-v1', testHash], log) : null;
    const r = score(tfs, ttail, testClips, t.samples.map((_, i) => i));
    log(`test (${testSplit}, ${testClips.length} clips, ${r.n} scored middle frames, final weights): loss ${r.loss.toFixed(4)} pointing ${r.pointing.toFixed(3)} pixelAP ${r.pixelAP.toFixed(3)} ciou50 ${r.ciou50.toFixed(3)} auc ${r.auc.toFixed(3)}`);
    // the reference maps on the same frames (eval.ts's baselines; random seeded as there)
    const refs: Record<string, FrameScore[]> = { centre: [], wholeImage: [], random: [] };
    const centreMap = baselines.centre();
    const wholeMap = baselines.wholeImage();
    const rand = mulberry(12345);
    for (const smp of t.samples) {
      const gt = soundingBoxes(testClips[smp.clip], smp.frame);
      if (!gt.boxes.length) continue;
      const c = testClips[smp.clip].meta.config;
      const G = boxesToMask(gt.boxes, c.width, c.height);
      refs.centre.push(scoreFrame(centreMap, EVAL_SIZE, EVAL_SIZE, G));
      refs.wholeImage.push(scoreFrame(wholeMap, EVAL_SIZE, EVAL_SIZE, G));
      const rm = baselines.random(rand);
      refs.random.push(scoreFrame(rm.map, rm.h, rm.w, G));
    }
    const refSummary = Object.fromEntries(Object.entries(refs).map(([k, v]) => [k, summarize(v)]));
    for (const [k, v] of Object.entries(refSummary)) log(`  ${k} on the same frames: pointing ${v.pointing.toFixed(3)} pixelAP ${v.pixelAP.toFixed(3)} ciou50 ${v.ciou50.toFixed(3)} auc ${v.auc.toFixed(3)}`);
    writeFileSync(join(ckptDir, 'test.json'), JSON.stringify({ command, trunk: trunkMode, split: testSplit, datasetHash: testHash, epoch: ck.epoch, step: ck.step, ...r, baselines: refSummary }, null, 1) + '\n');
  }
  if (flags.has('no-ship')) return;
  await ship(params, hash, clips, samples.length, trainIdx.length, valIdx.length, ck);
}

/** For every 1-s segment of each clip, its middle frame and that second of the mix; silent seconds skipped. */
function middleFrameSamples(cs: Clip[]): { samples: Sample[]; silent: number } {
  const samples: Sample[] = [];
  let silent = 0;
  cs.forEach((c, ci) => {
    for (const { frame, segment } of segmentMiddleFrames(c)) {
      if (rms(audioWindow(c, segment)) < 1e-4) { silent++; continue; }
      samples.push({ clip: ci, frame, t0: segment });
    }
  });
  return { samples, silent };
}

async function ship(params: Params, hash: string, clips: Clip[], nSamples: number, nTrain: number, nVal: number, ck: Checkpoint): Promise<void> {
  const dir = join(MODELS_DIR, id);
  mkdirSync(dir, { recursive: true });
  const { modelJson, weights } = await serializeParams(id, params, config);
  writeFileSync(join(dir, 'model.json'), modelJson);
  writeFileSync(join(dir, 'weights.bin'), weights);
  const files = [];
  for (const f of ['model.json', 'weights.bin']) {
    const bytes = new Uint8Array(readFileSync(join(dir, f)));
    files.push({ path: `${id}/${f}`, sha256: await sha256Hex(bytes), bytes: bytes.length });
  }
  const last = ck.val[ck.val.length - 1];
  const nParams = Object.values(params).reduce((a, p) => a + p.size, 0);
  const entry: ModelEntry = {
    id,
    description: `LVS (paper 003, "Localizing Visual Sounds the Hard Way"): frozen visual-mobilenetv2 f14 -> 1x1 projection to d=${config.embedDim}; audio CNN on the 128x128 log-frequency spectrogram -> d; map = cosine S_ii [14,14]. Trained with the trimap hard-negative contrastive loss (eps_p ${config.epsP}, eps_n ${config.epsN}, tau ${config.tau}, logits / ${config.temperature}).`,
    files,
    config: config as unknown as Record<string, unknown>,
    dataset: { hash, description: `${clips.length} clips of the synthetic benchmark, split '${split}' (docs/dataset.md; generation commands in docs/results.md); ${nSamples} (middle frame, 1-s mono mix) samples: ${nTrain} trained on, ${nVal} of ${Math.max(1, Math.round(clips.length * valFrac))} held-out clips for validation` },
    trainCommand: command,
    metrics: { epochs: ck.epoch, steps: ck.step, trainSeconds: Math.round(ck.elapsedS), params: nParams, valLoss: last.loss, valPointing: last.pointing, valPixelAP: last.pixelAP, valCiou50: last.ciou50 },
    card: `${id}/MODEL_CARD.md`,
  };
  const manifest: Manifest = readManifest();
  // no test figures for new weights: `npm run eval -- --record` writes them (the previous weights' would be false)
  manifest.models = [...manifest.models.filter((x) => x.id !== id), entry];
  writeFileSync(join(MODELS_DIR, 'manifest.json'), JSON.stringify(manifest, null, 1) + '\n');
  writeFileSync(join(dir, 'MODEL_CARD.md'), modelCard(entry, ck, nParams));
  for (const f of ['loss.csv', 'val.csv', 'loss.png']) copyFileSync(join(ckptDir, f), join(dir, f)); // the record, not loaded by the app
  console.log(`shipped ${id}: ${files.map((f) => `${f.path} ${f.sha256.slice(0, 12)} (${f.bytes} B)`).join(', ')}`);
}

function modelCard(e: ModelEntry, ck: Checkpoint, nParams: number): string {
  const last = ck.val[ck.val.length - 1];
  return `# ${e.id}: LVS baseline localizer (paper 003)

**What it is.** The single-frame baseline of issue 6: paper 003's model ("Localizing Visual Sounds
the Hard Way", CVPR 2021). A sound is matched against every cell of a frame's 14x14 feature map by
cosine similarity; the map S_ii is the localization. Code: \`src/engine/models/lvs.ts\` (model,
loss, loading) and \`src/engine/models/audio.ts\` (audio encoder).

- Visual: the frozen trunk \`visual-mobilenetv2\` (MobileNetV2 from nsfwjs, MIT), f14 =
  block_13_expand_relu [14,14,576], then a learned 1x1 projection to d = ${config.embedDim}${config.visualHidden ? ` (hidden ${config.visualHidden})` : ''}.
- Audio: 1 s of the mono mix at 11025 Hz -> |STFT| (254/64) -> 128x128 log-frequency image (paper
  000's input) -> log(1 + x) -> ${config.audio.channels.length} conv 3x3 stride-2 + ReLU stages (${config.audio.channels.join(', ')} channels) ->
  max over time and frequency -> linear to d.
- Loss: the trimap contrastive loss with hard negatives from the same image and easy negatives
  from the other clips of the batch, eps_p ${config.epsP}, eps_n ${config.epsN}, tau ${config.tau}, logits / ${config.temperature}
  (paper + public code). Easy negatives: '${config.easyNegatives}'. ${nParams} trained parameters
  (${(e.files.find((f) => f.path.endsWith('weights.bin'))!.bytes / 1024).toFixed(0)} KiB).

**Trained on.** ${e.dataset!.description}. Dataset sha256 \`${e.dataset!.hash}\`.
Self-supervised: no boxes or labels are used for training (silent 1-s windows are dropped by an
RMS rule on the audio). Command:

    ${e.trainCommand}

${ck.epoch} epochs, ${ck.step} Adam steps, ${Math.round(ck.elapsedS / 60)} min on one CPU core (the tfjs wasm backend runs one thread in Node). Loss
curves beside this card: \`loss.csv\` (per step), \`val.csv\` (per epoch) and \`loss.png\` (blue: training
loss, red: validation loss; y grid every 0.5, from 0). The last validation figures (held-out training clips): loss ${last.loss.toFixed(3)}, pointing ${last.pointing.toFixed(3)}, pixelAP ${last.pixelAP.toFixed(3)}, cIoU@0.5 ${last.ciou50.toFixed(3)}.

**How it scores.** See docs/results.md (test split, LVS protocol + pointing and pixel AP, beside
the centre prior, whole image, random and oracle maps).

**Limits.** Trained and tested only on the synthetic benchmark (flat photo cut-outs, anechoic
audio; docs/dataset.md "Limits"), where test sounds and mostly classes are unseen in training. One
frame per second of audio, no temporal context or geometry (those are paper 000's model). The
visual trunk is frozen. Small: it is a baseline, not the project's localizer.
`;
}

main().catch((e) => { console.error(e instanceof Error ? e.stack : e); process.exit(1); });
