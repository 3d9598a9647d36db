/**
 * `npm run train -- --model ego000 --data DIR [options]`: trains paper 000's localizer
 * (src/engine/models/ego000) in Node on the CPU (tfjs-backend-wasm).
 *
 *   --id ego000-synth      weights go to models/<id>/, entry in models/manifest.json
 *   --split train  --ckpt DIR (default .cache/train/<id>)  --resume
 *   --init-from ID         continue training a shipped model (models/<ID>) when its checkpoint is
 *                          gone: its weights, and its loss/val curves up to its shipped step; the
 *                          step count goes on from there (batches as the original run would have
 *                          drawn them, same validation clips with the same --seed); Adam's moments
 *                          start from zero (own bias-correction count); no re-centring; with
 *                          --resume, only when there is no checkpoint yet
 *   --warmup N             the learning rate rises linearly over the first N Adam steps (default 0)
 *   --clips N              use the first N clips of the split (default: all)
 *   --steps 2000  --batch 16  --lr 1e-3  --seed 1  --val-frac 0.1  --clip-norm 5
 *   --val-every 50         validate (and checkpoint) every this many steps
 *   --patience 6           stop after this many validations without a better validation loss
 *   --max-minutes M        stop at the next validation after M minutes
 *   --embed-dim 128  --visual-hidden 0  --negatives trimap|mean  --hard-negative  --lambda 1
 *                          (trimap, without the hard negative, is the default: the mean form's
 *                          easy negatives lose to any spatial contrast and the hard negative
 *                          holds the loss at a plateau; docs/results.md)
 *   --no-enhancement       train without the cascaded enhancement (ablation)
 *   --no-geometry          train with identity homographies (ablation)
 *   --ground-on input|clean  what eq. 2 hears in training: the mix-and-separate mixture (input,
 *                          the default, as paper 000 feeds f the mixed spectrogram) or the window's
 *                          own audio (clean; the mask decoder still separates the mixture). The
 *                          validation and the app hear the own audio either way
 *   --no-centre            skip the data-dependent init (centreProjections) at step 0
 *   --audio-norm batch|none  normalization in the audio encoder (default batch)
 *   --audio mono|binaural  what the audio encoder reads: the mono mix's spectrogram (paper 000, the
 *                          default) or both ears of the binaural mix (audio_binaural_16k.wav at
 *                          11025 Hz, a [128, 128, 2] input; ours, measured in docs/results.md)
 *   --position             a learned vector per cell added to the projected visual features (ours),
 *                          so a cosine map can place a direction heard with --audio binaural
 *   --distinct-sounds      no two clips of a batch share a sounding object's recording (and a
 *                          window's mix partner plays none of its recordings): with a closed
 *                          vocabulary (data made with --vocabulary K) same-sound clips would be
 *                          false negatives of eq. 2 in most batches
 *   --no-ship
 *
 * Samples: windows of T = 5 grid frames 2 apart (8 fps clips: 0.25 s apart), query = middle, one
 * per grid frame where the window fits; audio = the 1-s mono 11025 Hz mix centred on the query
 * frame (as the app's pipeline cuts it); windows whose audio is silent (RMS < 1e-4, a rule on the
 * audio alone) are dropped. Homographies: estimated (tools/models/windows.ts), never the ground
 * truth. A batch holds one window per clip (no same-clip negatives); each window's audio is mixed
 * with the audio of a random window of a clip outside the batch (mix-and-separate). Validation
 * (held-out training clips, every 3rd window, unmixed audio) reports the loss, used for early
 * stopping (the best validation loss is shipped), and pointing / pixel AP of the query map
 * against the ground-truth boxes (reported only), also with another validation clip's sound
 * (otherPointing / otherPixelAP in val.csv: a model that localizes by sound loses its maps then; the
 * other window's clip plays none of the own clip's sounding recordings). Everything random follows --seed.
 */
import { appendFileSync, copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import {
  calibrateEgo000Norm, centreProjections, ego000Loss, ego000Maps, isNormStatistic, initEgo000Params, mixWaveforms, serializeEgo000, spectrogramShape, validateEgo000Config, type Ego000Config, type Ego000ConfigInput, type Spectrogram,
} from '../../src/engine/models/ego000/index.ts';
import { makeVariable, type Params } from '../../src/engine/models/audio.ts';
import type { Mat3 } from '../../src/engine/kernels/index.ts';
import { sha256Hex, type Manifest, type ModelEntry } from '../../src/engine/weights/verify.ts';
import { boxesToMask, scoreFrame, summarize, type FrameScore } from '../../src/engine/eval/metrics.ts';
import { MODELS_DIR, type Clip, datasetHash, listClips, mulberry, readManifest, recordingsOf, distinctSoundBatch, sharesSound, readBinaural, readMono, rms, soundingBoxes, spectrogram, useWasm } from './data.ts';
import { resample } from '../../src/engine/dsp/resample.ts';
import { type ClipCache, type Window, centredWindows, clipCache, f14Rows, openWindowCache, pairsOf, windowHomographies } from './windows.ts';
import { F14 } from './features.ts';
import { plotPng } from './plot.ts';
import { loadMoments, loadParamSet, loadShippedParams, saveParamSet } from './checkpoint.ts';
import { flagReaders, type Flags } from './flags.ts';
import { audioWindowAt, MONO_RATE } from '../../src/engine/pipeline/localizer.ts';


/** The 1-s mono window centred on time t (zero outside the clip): the app pipeline's own cut. */
export function centredAudio(c: Clip, t: number): Float32Array {
  return audioWindowAt({ samples: readMono(c), startSec: 0, sampleRate: MONO_RATE }, t);
}

const binauralKept = new Map<string, Float32Array[]>();
/**
 * The clip's binaural mix [left, right] at the localizer's 11025 Hz (the 16 kHz file, band-limited
 * resampling). The last few clips are kept: the evaluation alternates between a clip and its
 * otherAudio clip.
 */
function binauralAtMonoRate(c: Clip): Float32Array[] {
  let x = binauralKept.get(c.dir);
  if (!x) {
    x = readBinaural(c).map((ch) => resample(ch, 16000, MONO_RATE));
    if (binauralKept.size >= 4) binauralKept.delete(binauralKept.keys().next().value!);
    binauralKept.set(c.dir, x);
  }
  return x;
}

/** Spectrograms of n windows as the model reads them: [n, 128, 128] for one channel, [n, 128, 128, C] (channels interleaved, as channelSpectrogram) for more. */
export function spectrogramTensor(values: Float32Array, config: Ego000Config, n: number): Spectrogram {
  return tf.tensor(values, spectrogramShape(config.audioEnhancement, n)) as tf.Tensor as Spectrogram;
}

/**
 * The 1-s windows centred on time t that a model with `channels` input channels hears: [the mono
 * mix] for 1 (paper 000), [left, right] of the binaural mix at 11025 Hz for 2.
 */
export function centredChannels(c: Clip, t: number, channels: number): Float32Array[] {
  if (channels === 1) return [centredAudio(c, t)];
  if (channels !== 2) throw new Error(`centredChannels: 1 or 2 channels, got ${channels}`);
  return binauralAtMonoRate(c).map((x) => audioWindowAt({ samples: x, startSec: 0, sampleRate: MONO_RATE }, t));
}

/** Log-frequency magnitudes of each 1-s window, interleaved per cell: [128, 128, C] (C = 1: the plain [128, 128]). */
export function channelSpectrogram(chs: Float32Array[]): Float32Array {
  if (chs.length === 1) return spectrogram(chs[0]);
  const per = chs.map(spectrogram);
  const out = new Float32Array(per[0].length * chs.length);
  for (let i = 0; i < per[0].length; i++) for (let k = 0; k < chs.length; k++) out[i * chs.length + k] = per[k][i];
  return out;
}

interface Sample { clip: number; window: Window; audio: Float32Array[]; clean: Float32Array }
/** otherPointing / otherPixelAP: the same maps made with another validation clip's sound (eval's otherAudio control); absent in runs before it. */
interface ValRow { step: number; loss: number; pointing: number; pixelAP: number; ciou50: number; otherPointing?: number; otherPixelAP?: number }
interface State { step: number; adamStep?: number; initFrom?: string; initCommand?: string; initStep?: number; runs?: { fromStep: number; command: string }[]; history: { step: number; loss: number; ground: number; enh: number }[]; val: ValRow[]; best: { step: number; loss: number } | null; sinceBest: number; elapsedS: number }

/**
 * The training state of a shipped model, for --init-from: the step it was shipped at, its loss and
 * validation rows up to that step (models/<id>/loss.csv, val.csv), its training time. The config
 * must be the one it was trained with.
 */
function initialState(from: string, config: Ego000Config): State {
  const entry = readManifest().models.find((m) => m.id === from);
  if (!entry?.metrics) throw new Error(`--init-from ${from}: not in models/manifest.json`);
  if (JSON.stringify(validateEgo000Config(entry.config as Ego000ConfigInput)) !== JSON.stringify(config)) throw new Error(`--init-from ${from}: its config differs from this run's (${JSON.stringify(entry.config)})`);
  const at = Number(entry.metrics.bestStep);
  const rows = (f: string) => readFileSync(join(MODELS_DIR, from, f), 'utf8').trim().split('\n').slice(1).map((l) => l.split(',').map((x) => (x === '' ? NaN : Number(x))));
  const history = rows('loss.csv').filter((r) => r[0] <= at).map(([step, loss, ground, enh]) => ({ step, loss, ground, enh }));
  const val = rows('val.csv').filter((r) => r[0] <= at).map(([step, loss, pointing, pixelAP, ciou50, op, oa]) => ({ step, loss, pointing, pixelAP, ciou50, ...(Number.isFinite(op) && Number.isFinite(oa) ? { otherPointing: op, otherPixelAP: oa } : {}) }));
  const best = val.find((r) => r.step === at);
  if (!best) throw new Error(`--init-from ${from}: val.csv has no row for its shipped step ${at}`);
  return { step: at, adamStep: 0, initFrom: from, initCommand: entry.trainCommand, initStep: at, history, val, best: { step: at, loss: best.loss }, sinceBest: 0, elapsedS: Number(entry.metrics.trainSeconds ?? 0) };
}

const otherSound = (r: Omit<ValRow, 'step'>) => r.otherPointing === undefined ? '' : ` (another clip's sound: pointing ${r.otherPointing.toFixed(3)} pixelAP ${r.otherPixelAP!.toFixed(3)})`;

/** The commands that trained a run, in order, each with a note on where it started when there are several. */
function commandsOf(st: State): { command: string; note: string }[] {
  const runs = st.runs ?? [];
  const out = st.initFrom ? [{ command: st.initCommand ?? '(unknown)', note: `shipped at step ${st.initStep}` }] : [];
  for (const r of runs) out.push({ command: r.command, note: out.length || runs.length > 1 ? `from step ${r.fromStep}` : '' });
  return out.length ? out : [{ command: '(unknown)', note: '' }];
}
/** One line for the manifest (safe to paste: no shell comments) or one line per command for the card. */
const commandsLine = (st: State) => commandsOf(st).map((c) => c.note ? `${c.command} (${c.note})` : c.command).join('; then ');
const commandsBlock = (st: State) => commandsOf(st).map((c) => c.note ? `${c.command}  # ${c.note}` : c.command).join('\n    ');

export async function trainEgo000(flags: Flags): Promise<void> {
  const { str, num } = flagReaders(flags);
  const id = str('id', 'ego000-synth');
  if (!/^ego000-[a-z0-9-]+$/.test(id)) throw new Error('--id must look like ego000-<name> (lowercase, digits, dashes)');
  const dataDir = str('data', '');
  const split = str('split', 'train');
  const ckptDir = str('ckpt', join('.cache', 'train', id));
  const steps = num('steps', 2000);
  const K = num('batch', 16);
  const lr = num('lr', 1e-3);
  const seed = num('seed', 1);
  const valFrac = num('val-frac', 0.1);
  const clipNorm = num('clip-norm', 5);
  const valEvery = num('val-every', 50);
  const patience = num('patience', 6);
  const maxMinutes = num('max-minutes', Infinity);
  const warmup = num('warmup', 0);
  const geometry = !flags.has('no-geometry');
  const groundOn = str('ground-on', 'input');
  const audioFlag = str('audio', 'mono');
  if (audioFlag !== 'mono' && audioFlag !== 'binaural') throw new Error(`--audio must be mono or binaural, got ${audioFlag}`);
  if (groundOn !== 'input' && groundOn !== 'clean') throw new Error(`--ground-on must be input or clean, got ${groundOn}`);
  const config: Ego000Config = validateEgo000Config({
    embedDim: num('embed-dim', 128),
    visualHidden: num('visual-hidden', 0),
    enhancement: !flags.has('no-enhancement'),
    audioEnhancement: { norm: str('audio-norm', 'batch') as 'batch' | 'none', inputChannels: audioFlag === 'binaural' ? 2 : 1 },
    positionGrid: flags.has('position') ? 14 : 0,
    objective: { negatives: str('negatives', 'trimap') as 'mean' | 'trimap', hardNegative: flags.has('hard-negative'), lambda: num('lambda', 1) },
  });
  const T = config.temporal.trainFrames;
  const C = config.audioEnhancement.inputChannels;
  const S = 128 * 128 * C;
  const specTensor = (x: Float32Array, n: number) => spectrogramTensor(x, config, n);
  const command = `npm run train -- ${process.argv.slice(2).join(' ')}`;
  mkdirSync(ckptDir, { recursive: true });
  const log = (s: string) => { console.log(s); appendFileSync(join(ckptDir, 'train.log'), s + '\n'); };
  await useWasm();
  log(`${command}\nbackend ${tf.getBackend()}, geometry ${geometry}, eq. 2 on the ${groundOn === 'clean' ? 'own audio' : 'mixture'}, config ${JSON.stringify(config)}`);

  // ---- data
  let clips = listClips(dataDir, split);
  if (flags.has('clips')) clips = clips.slice(0, num('clips', clips.length));
  if (clips.length < K + 2) throw new Error(`${dataDir}: ${clips.length} ${split} clips; need more than the batch (${K}) + 1`);
  const ctx = await openWindowCache();
  const caches: ClipCache[] = [];
  const samples: Sample[] = [];
  let silent = 0;
  const t0 = Date.now();
  for (const [ci, c] of clips.entries()) {
    const windows = centredWindows(c.meta.frames.length, T, config.temporal.frameStep);
    caches.push(await clipCache(ctx, c, pairsOf(windows), config.temporal.frameStep));
    for (const w of windows) {
      const t = c.meta.frames[w.frames[w.query]].time;
      // the silence rule reads the mono mix whatever the model hears, so both kinds of run train on the same windows
      const mono = centredAudio(c, t);
      if (rms(mono) < 1e-4) { silent++; continue; }
      const audio = C === 1 ? [mono] : centredChannels(c, t, C);
      samples.push({ clip: ci, window: w, audio, clean: channelSpectrogram(audio) });
    }
    if (ci % 25 === 0) log(`data: ${ci + 1}/${clips.length} clips (${((Date.now() - t0) / 1000).toFixed(0)} s)`);
  }
  ctx.trunk?.dispose();
  const hash = datasetHash(clips, (c) => caches[clips.indexOf(c)].frames);
  log(`data: ${clips.length} clips, ${samples.length} windows (${silent} silent skipped), dataset sha256 ${hash}, window cache ${ctx.root}`);

  // which clips play which recordings: a batch (--distinct-sounds) and the wrong-sound control avoid shared ones
  const objectRecs = clips.map((c) => recordingsOf(c, 'objects'));
  const wrongSoundFor = (a: number, b: number) => a !== b && !sharesSound(clips[a], clips[b]);
  const distinctSounds = flags.has('distinct-sounds');

  const r = mulberry(seed);
  const order = clips.map((_, i) => i);
  for (let i = order.length - 1; i > 0; i--) { const j = Math.floor(r() * (i + 1)); [order[i], order[j]] = [order[j], order[i]]; }
  const nVal = Math.max(1, Math.round(clips.length * valFrac));
  const valClips = new Set(order.slice(0, nVal));
  const byClip = new Map<number, number[]>();
  samples.forEach((s, i) => { if (!byClip.has(s.clip)) byClip.set(s.clip, []); byClip.get(s.clip)!.push(i); });
  const trainClips = [...byClip.keys()].filter((c) => !valClips.has(c));
  const valIdx = samples.map((_, i) => i).filter((i) => valClips.has(samples[i].clip) && byClip.get(samples[i].clip)!.indexOf(i) % 3 === 1);
  log(`split: ${trainClips.length} train clips (${samples.filter((s) => !valClips.has(s.clip)).length} windows), ${nVal} validation clips (${valIdx.length} windows)`);

  // ---- model + Adam (written out so its state checkpoints by parameter name)
  let params: Params = initEgo000Params(config, seed);
  // Adam trains every parameter but the audio normalization's stored statistics (calibrateEgo000Norm sets them)
  const names = Object.keys(params).filter((n) => !isNormStatistic(n)).sort();
  let m: Params = Object.fromEntries(names.map((n) => [n, makeVariable(tf.zerosLike(params[n]))]));
  let v: Params = Object.fromEntries(names.map((n) => [n, makeVariable(tf.zerosLike(params[n]))]));
  let st: State = { step: 0, history: [], val: [], best: null, sinceBest: 0, elapsedS: 0 };
  const ckPath = join(ckptDir, 'checkpoint');
  const loadSet = (name: string) => loadParamSet(ckPath, name);
  const resumed = flags.has('resume') && existsSync(join(ckPath, 'state.json'));
  if (resumed) {
    tf.dispose([...Object.values(params), ...Object.values(m), ...Object.values(v)]);
    params = loadSet('params');
    m = loadMoments(ckPath, 'adam-m', names, params);
    v = loadMoments(ckPath, 'adam-v', names, params);
    st = JSON.parse(readFileSync(join(ckPath, 'state.json'), 'utf8')) as State;
    log(`resumed at step ${st.step}`);
  } else if (flags.has('resume')) log(`no checkpoint to resume from; starting ${flags.has('init-from') ? 'from --init-from' : 'fresh'}`);
  // --init-from starts a run (with --resume too, once that run has a checkpoint, it is resumed instead)
  let initialised = false;
  if (!resumed && flags.has('init-from')) {
    initialised = true;
    const from = str('init-from', '');
    st = initialState(from, config);
    tf.dispose(Object.values(params));
    params = (await loadShippedParams(from, true)).params;
    log(`initialised from models/${from} at its step ${st.step} (validation loss ${st.best!.loss.toFixed(4)}); Adam moments start from zero`);
  }

  const batchOf = (idx: number[], mixWith: number[] | null) => {
    const f = new Float32Array(idx.length * T * F14);
    const spec = new Float32Array(idx.length * S);
    const clean = new Float32Array(idx.length * S);
    const toQuery: Mat3[][][] = [];
    idx.forEach((k, i) => {
      const s = samples[k];
      f.set(f14Rows(caches[s.clip], s.window.frames), i * T * F14);
      clean.set(s.clean, i * S);
      spec.set(mixWith ? channelSpectrogram(s.audio.map((x, ch) => mixWaveforms(x, samples[mixWith[i]].audio[ch], config.audioEnhancement.mixGain))) : s.clean, i * S);
      toQuery.push(windowHomographies(caches[s.clip], s.window, 'all', geometry) as Mat3[][]);
    });
    return {
      f14: tf.tensor4d(f, [idx.length * T, 14, 14, 576]),
      spec: specTensor(spec, idx.length),
      clean: mixWith ? specTensor(clean, idx.length) : undefined,
      toQuery,
    };
  };

  const b1 = 0.9, b2 = 0.999, eps = 1e-7;
  const vars = names.map((n) => params[n]);
  const trainStep = (idx: number[], mixWith: number[]): { loss: number; ground: number; enh: number } => {
    const batch = batchOf(idx, mixWith);
    try {
      let ground = 0, enh = 0;
      const { value, grads } = tf.variableGrads(() => {
        const p = ego000Loss(params, config, batch, { geometry, groundOn });
        ground = p.ground.dataSync()[0];
        enh = p.enhancement.dataSync()[0];
        tf.dispose([p.ground, p.enhancement, p.logits, p.pooled]);
        return p.loss;
      }, vars);
      const loss = value.dataSync()[0];
      st.step++;
      st.adamStep = (st.adamStep ?? st.step - 1) + 1;
      const t = st.adamStep;
      const rate = warmup > 0 ? lr * Math.min(1, t / warmup) : lr;
      tf.tidy(() => {
        const gs = names.map((n) => grads[params[n].name]);
        const gnorm = tf.sqrt(tf.addN(gs.map((g) => tf.sum(tf.square(g)))));
        const scale = tf.minimum(1, tf.div(clipNorm, tf.add(gnorm, 1e-12)));
        const c1 = 1 - b1 ** t, c2 = 1 - b2 ** t;
        names.forEach((n, i) => {
          const g = tf.mul(gs[i], scale);
          m[n].assign(tf.add(tf.mul(m[n], b1), tf.mul(g, 1 - b1)));
          v[n].assign(tf.add(tf.mul(v[n], b2), tf.mul(tf.square(g), 1 - b2)));
          params[n].assign(tf.sub(params[n], tf.mul(rate / c1, tf.div(m[n], tf.add(tf.sqrt(tf.div(v[n], c2)), eps)))));
        });
      });
      tf.dispose([value, ...Object.values(grads)]);
      return { loss, ground, enh };
    } finally {
      tf.dispose([batch.f14, batch.spec, ...(batch.clean ? [batch.clean] : [])]);
    }
  };

  const validate = (): Omit<ValRow, 'step'> => {
    let lossSum = 0, nb = 0;
    const scores: FrameScore[] = [];
    // loss: batches of windows from distinct clips (no mixing)
    const perClip = new Map<number, number[]>();
    for (const i of valIdx) { const c = samples[i].clip; if (!perClip.has(c)) perClip.set(c, []); perClip.get(c)!.push(i); }
    const lists = [...perClip.values()];
    const rounds = Math.max(...lists.map((l) => l.length));
    for (let rr = 0; rr < rounds; rr++) {
      const idx = lists.map((l) => l[rr]).filter((x) => x !== undefined).slice(0, K);
      if (idx.length < 2) continue;
      const batch = batchOf(idx, null);
      const p = ego000Loss(params, config, batch, { geometry });
      lossSum += p.ground.dataSync()[0];
      nb++;
      tf.dispose([p.loss, p.ground, p.enhancement, p.logits, p.pooled, batch.f14, batch.spec]);
    }
    // maps of the query frames, with the own sound and (a control: a model that localizes by sound
    // must lose its maps) with the sound of the next validation window from another clip
    const other: FrameScore[] = [];
    valIdx.forEach((k, pos) => {
      const s = samples[k];
      const c = clips[s.clip];
      const qf = s.window.frames[s.window.query];
      const gt = soundingBoxes(c, qf);
      if (!gt.boxes.length) return;
      let o = (pos + 1) % valIdx.length;
      while (o !== pos && !wrongSoundFor(s.clip, samples[valIdx[o]].clip)) o = (o + 1) % valIdx.length;
      const G = boxesToMask(gt.boxes, c.meta.config.width, c.meta.config.height);
      const f = tf.tensor4d(f14Rows(caches[s.clip], s.window.frames), [T, 14, 14, 576]);
      const rows = windowHomographies(caches[s.clip], s.window, 'query', geometry);
      const mapWith = (spec: Float32Array) => tf.tidy(() => ego000Maps({ params, config }, f, specTensor(spec, 1), rows, { queries: s.window.query }).dataSync());
      scores.push(scoreFrame(mapWith(s.clean), 14, 14, G));
      if (o !== pos) other.push(scoreFrame(mapWith(samples[valIdx[o]].clean), 14, 14, G));
      f.dispose();
    });
    const sm = summarize(scores);
    const so = other.length ? summarize(other) : null;
    return { loss: nb ? lossSum / nb : NaN, pointing: sm.pointing, pixelAP: sm.pixelAP, ciou50: sm.ciou50, ...(so ? { otherPointing: so.pointing, otherPixelAP: so.pixelAP } : {}) };
  };

  const saveSet = (dir: string, name: string, p: Params) => saveParamSet(dir, name, id, p, config);
  const save = async (isBest: boolean) => {
    mkdirSync(ckPath, { recursive: true });
    await saveSet(ckPath, 'params', params);
    await saveSet(ckPath, 'adam-m', m);
    await saveSet(ckPath, 'adam-v', v);
    if (isBest) await saveSet(ckPath, 'best', params);
    writeFileSync(join(ckPath, 'state.json'), JSON.stringify(st) + '\n');
    writeFileSync(join(ckptDir, 'loss.csv'), 'step,loss,ground,enhancement\n' + st.history.map((h) => `${h.step},${h.loss},${h.ground},${h.enh}`).join('\n') + '\n');
    writeFileSync(join(ckptDir, 'val.csv'), 'step,loss,pointing,pixelAP,ciou50,otherPointing,otherPixelAP\n' + st.val.map((h) => `${h.step},${h.loss},${h.pointing},${h.pixelAP},${h.ciou50},${h.otherPointing ?? ''},${h.otherPixelAP ?? ''}`).join('\n') + '\n');
    const smooth: [number, number][] = [];
    const w = Math.max(1, Math.round(st.history.length / 100));
    for (let i = 0; i + w <= st.history.length; i += w) smooth.push([st.history[i + w - 1].step, st.history.slice(i, i + w).reduce((a, h) => a + h.ground, 0) / w]);
    writeFileSync(join(ckptDir, 'loss.png'), plotPng([
      { points: smooth, rgb: [31, 119, 180] },
      { points: st.val.map((h) => [h.step, h.loss] as [number, number]), rgb: [214, 39, 40] },
    ]));
  };

  const record = (vr: Omit<ValRow, 'step'>) => {
    st.val.push({ step: st.step, ...vr });
    const better = !st.best || (Number.isFinite(vr.loss) && !(vr.loss >= st.best.loss));
    if (better) { st.best = { step: st.step, loss: vr.loss }; st.sinceBest = 0; } else st.sinceBest++;
    return better;
  };
  // The audio encoder's normalization statistics for inference (validation, shipped weights): the
  // own, unmixed audio (and frames) of the middle window of up to 64 training clips, recomputed before each validation.
  const calibIdx = trainClips.slice(0, 64).map((c) => { const l = byClip.get(c)!; return l[Math.floor(l.length / 2)]; });
  const calib = batchOf(calibIdx, null);
  const calibrate = () => calibrateEgo000Norm(params, config, calib.f14, calib.spec);
  if (st.step === 0 && st.val.length === 0) {
    calibrate();
    if (!flags.has('no-centre')) {
      // data-dependent init (centreProjections): zero-mean v and g_a over the calibration windows
      const r = centreProjections(params, config, calib.f14, calib.spec);
      log(`centred the projections on ${calibIdx.length} windows: audio vectors' mean pairwise cosine ${r.before.toFixed(3)} -> ${r.after.toFixed(3)}`);
    }
    const v0 = validate();
    record(v0);
    log(`step 0 (init): val loss ${v0.loss.toFixed(4)} pointing ${v0.pointing.toFixed(3)} pixelAP ${v0.pixelAP.toFixed(3)} ciou50 ${v0.ciou50.toFixed(3)}${otherSound(v0)}`);
    await save(true);
  }
  if (initialised) {
    // the loaded weights must score what they scored when shipped (same clips, same calibration)
    calibrate();
    const v0 = validate();
    log(`step ${st.step} (${st.initFrom} as loaded): val loss ${v0.loss.toFixed(4)} pointing ${v0.pointing.toFixed(3)} pixelAP ${v0.pixelAP.toFixed(3)}${otherSound(v0)} (shipped: ${st.best!.loss.toFixed(4)})`);
    await save(true);
  }
  // every invocation that trained this run (a --resume may change e.g. --lr): the manifest and card list them
  st.runs = [...(st.runs ?? []), { fromStep: st.step, command }];
  const tStart = Date.now() - st.elapsedS * 1000;
  const runStart = Date.now();
  let sum = { loss: 0, ground: 0, enh: 0, n: 0 };
  let te = Date.now();
  while (st.step < steps) {
    // one window per clip: K distinct training clips, a random window of each; mix partners from other clips
    const sr = mulberry(seed * 100003 + st.step);
    const pick = [...trainClips];
    for (let i = 0; i < K; i++) { const j = i + Math.floor(sr() * (pick.length - i)); [pick[i], pick[j]] = [pick[j], pick[i]]; }
    let inBatch = pick.slice(0, K);
    let rest = pick.slice(K);
    if (distinctSounds) ({ inBatch, rest } = distinctSoundBatch(pick, K, objectRecs, sr));
    const win = (c: number) => { const l = byClip.get(c)!; return l[Math.floor(sr() * l.length)]; };
    const idx = inBatch.map(win);
    const partner = (c: number) => {
      if (!distinctSounds) return rest[Math.floor(sr() * rest.length)];
      const ok = rest.filter((x) => wrongSoundFor(c, x));
      return (ok.length ? ok : rest)[Math.floor(sr() * (ok.length || rest.length))];
    };
    const mixWith = inBatch.map((c) => win(partner(c)));
    const out = trainStep(idx, mixWith);
    if (!Number.isFinite(out.loss)) throw new Error(`loss is ${out.loss} at step ${st.step}`);
    st.history.push({ step: st.step, ...out });
    sum = { loss: sum.loss + out.loss, ground: sum.ground + out.ground, enh: sum.enh + out.enh, n: sum.n + 1 };
    if (st.step % valEvery === 0 || st.step === steps) {
      st.elapsedS = (Date.now() - tStart) / 1000;
      calibrate();
      const vr = validate();
      const better = record(vr);
      log(`step ${st.step}: train loss ${(sum.loss / sum.n).toFixed(4)} (ground ${(sum.ground / sum.n).toFixed(4)}, enhancement ${(sum.enh / sum.n).toFixed(4)}; ${((Date.now() - te) / sum.n).toFixed(0)} ms/step)  val loss ${vr.loss.toFixed(4)} pointing ${vr.pointing.toFixed(3)} pixelAP ${vr.pixelAP.toFixed(3)} ciou50 ${vr.ciou50.toFixed(3)}${otherSound(vr)}${better ? ' (best)' : ''}  [${st.elapsedS.toFixed(0)} s]`);
      await save(better);
      sum = { loss: 0, ground: 0, enh: 0, n: 0 };
      te = Date.now();
      if (st.sinceBest >= patience) { log(`early stop: no better validation loss in ${patience} validations (best at step ${st.best!.step})`); break; }
      if ((Date.now() - runStart) / 60000 > maxMinutes) { log(`stopping after ${maxMinutes} min (--max-minutes)`); break; }
    }
  }
  if (flags.has('no-ship')) return;
  const best = loadSet('best');
  try {
    await ship(id, best, config, hash, clips, samples.length, st, command, split, nVal, geometry);
  } finally {
    tf.dispose(Object.values(best));
  }
}

async function ship(id: string, params: Params, config: Ego000Config, hash: string, clips: Clip[], nSamples: number, st: State, command: string, split: string, nVal: number, geometry: boolean): Promise<void> {
  const dir = join(MODELS_DIR, id);
  mkdirSync(dir, { recursive: true });
  const { modelJson, weights } = await serializeEgo000(id, params, config);
  writeFileSync(join(dir, 'model.json'), modelJson);
  writeFileSync(join(dir, 'weights.bin'), weights);
  const files = [];
  for (const f of ['model.json', 'weights.bin']) {
    const bytes = new Uint8Array(readFileSync(join(dir, f)));
    files.push({ path: `${id}/${f}`, sha256: await sha256Hex(bytes), bytes: bytes.length });
  }
  const best = st.val.find((r) => r.step === st.best!.step)!;
  const nParams = Object.values(params).reduce((a, p) => a + p.size, 0);
  const o = config.objective;
  const entry: ModelEntry = {
    id,
    description: `Ego-AV-Loc (paper 000): frozen visual-mobilenetv2 f14 -> 1x1 projection to d=${config.embedDim}; audio CNN on the 128x128 log-frequency spectrogram${config.audioEnhancement.inputChannels === 2 ? ' of both ears of the binaural mix (ours, not the paper\'s)' : ''}${config.positionGrid ? ' + a learned per-cell position vector on v (ours)' : ''}${config.enhancement ? ' + visually conditioned enhancement f (2-layer MLP, mix-and-separate U-Net mask decoder) + audio-guided soft localization' : ' (no enhancement block)'}; geometry-aware temporal attention (eq. 1, plain) over homography-aligned frames; map = cos(z, g_a) [14,14]. Trained with softmax MIL over T=${config.temporal.trainFrames}, threshold eps ${o.epsilon} tau ${o.tau}, contrastive eq. 2 (${o.negatives} negatives${o.hardNegative ? ' + trimap hard negative' : ''}, logits / ${o.temperature}) + ${o.lambda} x L_enhancement.`,
    files,
    config: config as unknown as Record<string, unknown>,
    dataset: { hash, description: `${clips.length} clips of the synthetic benchmark, split '${split}' (docs/dataset.md; commands in docs/results.md); ${nSamples} windows of ${config.temporal.trainFrames} frames ${config.temporal.frameStep} apart; ${nVal} held-out clips for validation` },
    trainCommand: commandsLine(st),
    metrics: { steps: st.step, bestStep: st.best!.step, trainSeconds: Math.round(st.elapsedS), params: nParams, valLoss: best.loss, valPointing: best.pointing, valPixelAP: best.pixelAP, valCiou50: best.ciou50 },
    card: `${id}/MODEL_CARD.md`,
  };
  const manifest: Manifest = readManifest();
  // test figures of earlier weights are not carried over: `npm run eval -- ... --record` writes them for these
  manifest.models = [...manifest.models.filter((x) => x.id !== id), entry];
  writeFileSync(join(MODELS_DIR, 'manifest.json'), JSON.stringify(manifest, null, 1) + '\n');
  const ck = join('.cache', 'train', id);
  for (const f of ['loss.csv', 'val.csv', 'loss.png']) if (existsSync(join(ck, f))) copyFileSync(join(ck, f), join(dir, f));
  writeFileSync(join(dir, 'MODEL_CARD.md'), `# ${id}: Ego-AV-Loc localizer (paper 000)

**What it is.** Paper 000's egocentric audio-visual localizer ("Audio-Visual Object Localization
in Egocentric Videos", CVPR 2023), built from the blocks in \`src/engine/models/ego000/\`
(enhancement.ts, softloc.ts, temporal.ts, mil.ts; model.ts composes them, index.ts loads and runs).

- Visual: frozen \`visual-mobilenetv2\` f14 [14,14,576] per frame -> learned 1x1 projection to d = ${config.embedDim}.
- Audio: 1 s of the mono mix at 11025 Hz centred on the query frame -> 128x128 log-frequency
  magnitude -> ${config.audioEnhancement.channels.length} stride-2 conv stages (${config.audioEnhancement.channels.join(', ')} ch)${config.audioEnhancement.norm === 'batch' ? `, each with batch
  normalization; the pooled features are normalized per channel before the projection (batch statistics in
  training; at inference, statistics calibrated on 64 training windows: docs/results.md on why)` : ''}.
- ${config.enhancement ? `Enhancement: a^ = a + MLP([a; g_v]) (g_v = spatial mean, temporal max of the window's visual features), trained by mix-and-separate (mixture 0.5 (s1 + s2), target clean > 0.5 mix, U-Net decoder ${config.audioEnhancement.decoderChannels.join(', ')} ch, L2, lambda ${o.lambda}); g_a = linear(max over cells of a^); soft localization v^ = hw softmax(cos(v, g_a)) v.` : 'No enhancement block (ablation): g_a = linear(max over cells of a).'}
- Temporal: eq. 1 (plain, d = ${config.embedDim}) over ${config.temporal.trainFrames} frames (train) / ${config.temporal.testFrames} (test), ${config.temporal.frameStep} apart, supports warped by homographies estimated with opencv.js (ORB + MAGSAC + ECC, src/engine/geometry) and scaled to the 14x14 grid${geometry ? '' : ' — trained with identities (ablation)'}.
- Loss: softmax MIL over T (learned weights), m = sigmoid((S - ${o.epsilon}) / ${o.tau}), eq. 2 with ${o.negatives} negatives${o.hardNegative ? ' and the trimap hard negative' : ''}, logits / ${o.temperature}. ${nParams} parameters (${(files[1].bytes / 1024).toFixed(0)} KiB).

**Trained on.** ${entry.dataset!.description}. Dataset sha256 \`${hash}\`. Self-supervised: no boxes or
labels are used for training (boxes only score validation). Command${commandsOf(st).length > 1 ? 's, in order' : ''}:

    ${commandsBlock(st)}

${st.step} Adam steps (${Math.round(st.elapsedS / 60)} min on one CPU core, tfjs wasm${st.initFrom ? `; steps 1-${st.initStep} are the run of models/${st.initFrom} (its first command above), continued from its shipped weights with fresh Adam moments` : ''}); shipped: the step with the best
validation loss (${st.best!.step}). \`loss.csv\` (per step: loss, L_ground, L_enhancement), \`val.csv\` (per validation) and
\`loss.png\` (blue: training L_ground, red: validation L_ground) beside this card. Best validation: loss ${best.loss.toFixed(3)},
pointing ${best.pointing.toFixed(3)}, pixel AP ${best.pixelAP.toFixed(3)}, cIoU@0.5 ${best.ciou50.toFixed(3)} (held-out training clips, T = ${config.temporal.trainFrames}).

**How it scores.** docs/results.md (test split, beside the ablations, LVS, the centre prior,
whole image, random and oracle maps).

**Limits.** Trained and tested only on the synthetic benchmark (flat photo cut-outs, anechoic
audio); test sounds are unseen recordings, mostly of unseen classes. Frozen visual trunk, small d.
`);
  console.log(`shipped ${id}: ${files.map((f) => `${f.path} ${f.sha256.slice(0, 12)} (${f.bytes} B)`).join(', ')}`);
}
