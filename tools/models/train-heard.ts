/**
 * `npm run train -- --model heard --data DIR [options]`: trains the heard-object localizer's direction
 * head (src/engine/models/heard.ts) on the synthetic benchmark's binaural mixes, in Node on the CPU.
 *
 * Samples: every grid frame (every 2nd) of the training clips, with the direction features of the
 * 1-s 16 kHz binaural window centred on it and the shipped detector's objectness of the frame
 * (models/objectness-centernet, cached by tools/models/centernet.ts). Batches of --batch frames of
 * distinct clips; eq. 2 (heardLoss) without labels. The last --val clips of the split are held out:
 * every --val-every steps the maps of their frames with an active on-screen sounding object are scored
 * (pointing, pixel AP, cIoU@0.5, AUC, the eval's protocol) and the step with the best sum of the
 * four is what ships; training stops at --steps or after --patience steps
 * without a better one. Ground truth is read only for that choice.
 *
 *   --data DIR  --split train  --id heard-synth  --steps 500  --batch 32  --lr 1e-3  --seed 2
 *   --val 40  --val-every 25  --patience 200  --hidden 128  --segments 8
 *   --val-split NAME  validate on NAME's clips of --data instead (a split whose sounds and objects no
 *               training clip has, as the test split's; --val is then unused and every --split clip trains)
 *   --mirror    half the training frames heard in a mirror (ears swapped, objectness flipped left to right)
 *   --no-ship   train and report only; do not write models/ (the chosen weights stay in .cache/train/ID/)
 *   --combine ID,ID,...  train nothing: ship one model of the direction heads of earlier runs of this
 *               trainer (.cache/train/ID/, each --no-ship with its own --seed on the same --data;
 *               heard.ts combineHeads: P is the mean of the heads'), scored on the validation frames
 *               as a run is, each head alone and together; --id names the model, as for a run
 *   --test-split NAME  after training, score the chosen weights on NAME's clips of --data as the eval
 *               does (grid frames with an active on-screen sounding object): own sound, another
 *               clip's sound (the eval's control) and the detector alone (printed, and in test.json)
 * Everything random (init, batch order) follows --seed.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { combineHeads, deserializeHeard, heardInput, heardInputWidth, heardLoss, heardMaps, initHeardParams, objectnessLogits, serializeHeard, validateHeardConfig, windowMean, type HeardConfig } from '../../src/engine/models/heard.ts';
import type { Mat3 } from '../../src/engine/geometry/homography.ts';
import type { Params } from '../../src/engine/models/audio.ts';
import { sha256Hex, type ModelEntry } from '../../src/engine/weights/verify.ts';
import { boxesToMask, scoreFrame, summarize, type FrameScore, type Summary } from '../../src/engine/eval/metrics.ts';
import { MODELS_DIR, binauralWindow, datasetHash, listClips, mulberry, otherSoundClip, readManifest, sharesSound, soundingBoxes, useWasm, type Clip } from './data.ts';
import { clipObjectness } from './centernet.ts';
import { FRAME_STEP } from './windows.ts';
import { flagReaders, type Flags } from './flags.ts';
import { plotPng } from './plot.ts';

/** A grid frame of a clip with what the model reads of it. */
export interface HeardItem { clip: number; frame: number; dir: Float32Array; heat: Float32Array; boxes: Float32Array }

/** The grid frames of a clip (every FRAME_STEP-th, as the window cache and the detector cache use). */
export const gridFrames = (c: Clip) => Array.from({ length: Math.ceil(c.meta.frames.length / FRAME_STEP) }, (_, k) => k * FRAME_STEP).filter((f) => f < c.meta.frames.length);

/** The model's sound input from clip c's binaural mix around time t (the 1-s 16 kHz window centred on it). */
export const directionAt = (c: Clip, t: number, config: HeardConfig) => { const [l, r] = binauralWindow(c, t); return heardInput(config, l, r); };

/** A window of grid frames carried onto its query frame: toQ[j] = H from the query to frames[j] (null: the query itself, or no geometry). */
export interface CarriedWindow { frames: number[]; toQ: (Mat3 | null)[] }

/** Each window's windowMean of its frames' 14x14 maps cells(f), stacked [windows * 196] (heardMapsPerObject's input). */
export function stackedWindowMeans(wins: CarriedWindow[], cells: (f: number) => Float32Array, width: number, height: number): Float32Array {
  const out = new Float32Array(wins.length * 196);
  wins.forEach((w, k) => out.set(windowMean(w.frames.map(cells), w.toQ, width, height, 14), k * 196));
  return out;
}

/** The trainer's default side of the frame in the detector's input (--detector-frame): the whole input, as heard-synth's inputs were made. */
export const TRAIN_DETECTOR_FRAME = 512;

/** The items of clips' grid frames that pass keep, their objectness with the frame detectorFrame pixels wide in the detector's input. */
export async function heardItems(clips: Clip[], config: HeardConfig, keep: (c: Clip, fi: number) => boolean, detectorFrame = TRAIN_DETECTOR_FRAME): Promise<HeardItem[]> {
  const out: HeardItem[] = [];
  for (const [ci, c] of clips.entries()) {
    const frames = gridFrames(c);
    const heat = await clipObjectness(c, frames, 'heat', detectorFrame), boxes = await clipObjectness(c, frames, 'boxes', detectorFrame);
    frames.forEach((fi, r) => {
      if (keep(c, fi)) out.push({ clip: ci, frame: fi, dir: directionAt(c, c.meta.frames[fi].time, config), heat: heat.subarray(r * 196, (r + 1) * 196), boxes: boxes.subarray(r * 196, (r + 1) * 196) });
    });
  }
  return out;
}

/** An item heard in a mirror: the ears swapped and the objectness flipped left to right (the head model is near symmetric, so this is another plausible frame). */
export function mirrored(c: Clip, it: HeardItem, config: HeardConfig): HeardItem {
  const [l, r] = binauralWindow(c, c.meta.frames[it.frame].time);
  const flip = (m: Float32Array) => Float32Array.from(m, (_, i) => m[i - (i % 14) + 13 - (i % 14)]);
  return { ...it, dir: heardInput(config, r, l), heat: flip(it.heat), boxes: flip(it.boxes) };
}

const rows = (xs: Float32Array[], w: number) => { const a = new Float32Array(xs.length * w); xs.forEach((x, i) => a.set(x, i * w)); return tf.tensor2d(a, [xs.length, w]); };

/** Maps [n * 196] of items, each heard with the given direction features (its own by default; null: the objectness term alone, no sound). */
export function mapsOf(params: Params, config: HeardConfig, its: HeardItem[], dirs: Float32Array[] | null = its.map((it) => it.dir)): Float32Array {
  return tf.tidy(() => {
    const heat = rows(its.map((it) => it.heat), 196), boxes = rows(its.map((it) => it.boxes), 196);
    return (dirs ? heardMaps(params, rows(dirs, heardInputWidth(config)), heat, boxes, config) : objectnessLogits(params, heat, boxes, config)).dataSync() as Float32Array;
  }).slice();
}

/** Scores of items' maps against their sounding boxes (heard with dirs, as mapsOf). */
export function scoreItems(params: Params, config: HeardConfig, its: HeardItem[], clips: Clip[], dirs: Float32Array[] | null = its.map((it) => it.dir)): Summary {
  const scores: FrameScore[] = [];
  for (let s = 0; s < its.length; s += 64) {
    const part = its.slice(s, s + 64);
    const m = mapsOf(params, config, part, dirs && dirs.slice(s, s + 64));
    part.forEach((it, i) => {
      const c = clips[it.clip];
      scores.push(scoreFrame(m.subarray(i * 196, (i + 1) * 196), 14, 14, boxesToMask(soundingBoxes(c, it.frame).boxes, c.meta.config.width, c.meta.config.height)));
    });
  }
  return summarize(scores);
}

export async function trainHeard(flags: Flags): Promise<void> {
  const { str, num } = flagReaders(flags);
  const dataDir = str('data', ''), split = str('split', 'train'), id = str('id', 'heard-synth');
  if (!/^heard-[a-z0-9-]+$/.test(id)) throw new Error('--id must look like heard-<name> (lowercase, digits, dashes)');
  const steps = num('steps', 500), B = num('batch', 32), lr = num('lr', 1e-3), seed = num('seed', 2);
  const nVal = num('val', 40), valEvery = num('val-every', 25), patience = num('patience', 200);
  const ship = !flags.has('no-ship');
  const config = validateHeardConfig({ hidden: num('hidden', 128), segments: num('segments', 8) });
  const command = `npm run train -- ${process.argv.slice(2).join(' ')}`;
  const ckptDir = join('.cache', 'train', id);
  mkdirSync(ckptDir, { recursive: true });
  await useWasm();

  const all = listClips(dataDir, split);
  const valSplit = flags.has('val-split') ? str('val-split', 'val') : null;
  if (!valSplit && all.length <= nVal) throw new Error(`${dataDir}: ${all.length} ${split} clips, need more than --val ${nVal}`);
  const trainClips = valSplit ? all : all.slice(0, all.length - nVal), valClips = valSplit ? listClips(dataDir, valSplit) : all.slice(all.length - nVal);
  if (!valClips.length) throw new Error(`${dataDir}: no ${valSplit} clips to validate on`);
  const combine = str('combine', '').split(',').filter(Boolean);
  if (combine.length === 1) throw new Error('--combine takes two runs or more');
  for (const run of combine) if (!existsSync(join('.cache', 'train', run, 'run.json'))) throw new Error(`--combine ${run}: no .cache/train/${run}/run.json (a finished run of this trainer with --no-ship)`);
  if (combine.includes(id)) throw new Error(`--combine: --id ${id} must differ from the runs it combines (its own run directory is written)`);
  const t0 = Date.now();
  // the frame's side in the detector's input for every item: 512 unless --detector-frame says otherwise, the inputs every
  // recorded command trained on (heard-synth too), from before the pipeline showed the frame smaller (DETECTOR_FRAME)
  const detectorFrame = num('detector-frame', TRAIN_DETECTOR_FRAME);
  const train = combine.length ? [] : await heardItems(trainClips, config, () => true, detectorFrame);
  const trainFrames = trainClips.reduce((a, c) => a + gridFrames(c).length, 0);
  const val = await heardItems(valClips, config, (c, fi) => soundingBoxes(c, fi).boxes.length > 0, detectorFrame);
  const mirror = flags.has('mirror') ? train.map((it) => mirrored(trainClips[it.clip], it, config)) : null;
  const hash = datasetHash(all, gridFrames);
  console.log(`${command}\ntrain-heard: ${trainFrames} frames of ${trainClips.length} clips, validation ${val.length} frames of ${valClips.length} ${valSplit ? `clips of split '${valSplit}'` : 'held-out clips'} (data sha256 ${hash.slice(0, 12)}); inputs in ${((Date.now() - t0) / 1000).toFixed(0)} s`);

  if (combine.length) return shipCombined({ flags, id, combine, ckptDir, command, hash, dataDir, all, split, trainFrames, trainClips, val, valClips, valSplit, ship });
  const F = heardInputWidth(config);
  const mean = new Float32Array(F), sd = new Float32Array(F);
  for (const it of train) for (let k = 0; k < F; k++) mean[k] += it.dir[k] / train.length;
  for (const it of train) for (let k = 0; k < F; k++) sd[k] += (it.dir[k] - mean[k]) ** 2 / train.length;
  for (let k = 0; k < F; k++) sd[k] = Math.sqrt(sd[k]) || 1;
  const params = initHeardParams(config, seed, mean, sd);
  const trainable = Object.fromEntries(Object.entries(params).filter(([, v]) => v.trainable));
  const rand = mulberry(seed);
  const opt = tf.train.adam(lr);
  const snapshot = () => Object.fromEntries(Object.entries(params).map(([k, v]) => [k, v.dataSync().slice() as Float32Array]));
  const history: { step: number; loss: number }[] = [];
  const vals: ({ step: number } & Summary)[] = [];
  let best: { step: number; s: Summary; values: Record<string, Float32Array> } | null = null;
  // every metric the issue asks for counts: the sum of pointing, pixel AP, cIoU@0.5 and AUC
  const total = (s: Summary) => s.pointing + s.pixelAP + s.ciou50 + s.auc;
  const better = (s: Summary) => !best || total(s) > total(best.s);
  const validate = (step: number, loss = NaN) => {
    const s = scoreItems(params, config, val, valClips);
    vals.push({ step, ...s });
    const mark = better(s) ? ' *' : '';
    if (mark) best = { step, s, values: snapshot() };
    console.log(`${String(step).padStart(5)}  loss ${Number.isNaN(loss) ? '  -  ' : loss.toFixed(3)}  val pointing ${s.pointing.toFixed(3)} pixelAP ${s.pixelAP.toFixed(3)} cIoU@0.5 ${s.ciou50.toFixed(3)} AUC ${s.auc.toFixed(3)}${mark}  (${((Date.now() - t1) / 1000).toFixed(0)} s)`);
  };
  const t1 = Date.now();
  let run = 0;
  console.log(`step  (training loss, running mean; chance loss ln ${B} = ${Math.log(B).toFixed(3)}; * = best validation sum so far, what ships)`);
  validate(0);
  for (let step = 1; step <= steps; step++) {
    const batch: HeardItem[] = [];
    const used = new Set<number>();
    while (batch.length < B) {
      const k = Math.floor(rand() * train.length);
      const it = mirror && rand() < 0.5 ? mirror[k] : train[k];
      if (used.has(it.clip)) continue;
      used.add(it.clip);
      batch.push(it);
    }
    const n = batch.length, same = new Float32Array(n * n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
      const a = trainClips[batch[i].clip], b = trainClips[batch[j].clip];
      if (i !== j && (sharesSound(a, b) || sharesSound(b, a))) same[i * n + j] = 1;
    }
    const l = opt.minimize(() => heardLoss(params, rows(batch.map((it) => it.dir), F), rows(batch.map((it) => it.heat), 196), rows(batch.map((it) => it.boxes), 196), same, config), true, Object.values(trainable)) as tf.Scalar;
    const v = l.dataSync()[0];
    l.dispose();
    run += (v - run) * (step === 1 ? 1 : 0.05);
    history.push({ step, loss: v });
    if (step % valEvery === 0 || step === steps) {
      validate(step, run);
      if (step - best!.step >= patience) { console.log(`no better validation for ${patience} steps: stopping`); break; }
    }
  }
  const trainSeconds = (Date.now() - t1) / 1000;
  const b = best!;
  writeFileSync(join(ckptDir, 'loss.csv'), 'step,loss\n' + history.map((h) => `${h.step},${h.loss}`).join('\n') + '\n');
  writeFileSync(join(ckptDir, 'val.csv'), 'step,pointing,pixelAP,ciou50,auc\n' + vals.map((h) => `${h.step},${h.pointing},${h.pixelAP},${h.ciou50},${h.auc}`).join('\n') + '\n');
  writeFileSync(join(ckptDir, 'loss.png'), plotPng([
    { points: history.map((h) => [h.step, h.loss] as [number, number]), rgb: [31, 119, 180] },
    { points: vals.map((h) => [h.step, h.pointing * 4] as [number, number]), rgb: [214, 39, 40] },
  ]));
  console.log(`best validation at step ${b.step}: pointing ${b.s.pointing.toFixed(3)} pixelAP ${b.s.pixelAP.toFixed(3)} cIoU@0.5 ${b.s.ciou50.toFixed(3)} AUC ${b.s.auc.toFixed(3)}; ${trainSeconds.toFixed(0)} s`);
  for (const [k, v] of Object.entries(params)) v.assign(tf.tensor(b.values[k], v.shape));
  const runInfo: RunInfo = { command, seed, steps: history.length, bestStep: b.step, trainSeconds: Math.round(trainSeconds), val: b.s };
  // what a later --combine reads of this run
  writeFileSync(join(ckptDir, 'run.json'), JSON.stringify(runInfo, null, 1) + '\n');
  await finish({ flags, id, params, config, ckptDir, command, hash, dataDir, all, split, trainFrames, trainClips, val, valClips, valSplit, ship, chosen: b.s, runs: [runInfo], combined: false });
}

/** What a finished run of the trainer leaves in .cache/train/ID/run.json for --combine. */
interface RunInfo { command: string; seed: number; steps: number; bestStep: number; trainSeconds: number; val: Summary }

interface Shared {
  flags: Flags; id: string; ckptDir: string; command: string; hash: string; dataDir: string; all: Clip[]; split: string; trainFrames: number; trainClips: Clip[];
  val: HeardItem[]; valClips: Clip[]; valSplit: string | null; ship: boolean;
}

/** --combine: one model of earlier runs' heads, scored on the validation frames each alone and together, then shipped as a run is. */
async function shipCombined(o: Shared & { combine: string[] }): Promise<void> {
  const runs = o.combine.map((run) => {
    const dir = join('.cache', 'train', run);
    const info = JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8')) as RunInfo;
    const m = deserializeHeard(readFileSync(join(dir, 'model.json'), 'utf8'), new Uint8Array(readFileSync(join(dir, 'weights.bin'))));
    if (o.val.length && o.val[0].dir.length !== heardInputWidth(m.config)) throw new Error(`--combine ${run}: its heads read ${heardInputWidth(m.config)} values a frame, the validation frames have ${o.val[0].dir.length} (give the runs' --segments)`);
    return { run, dir, info, ...m };
  });
  const fmt = (x: Summary) => `pointing ${x.pointing.toFixed(3)} pixelAP ${x.pixelAP.toFixed(3)} cIoU@0.5 ${x.ciou50.toFixed(3)} AUC ${x.auc.toFixed(3)} (sum ${(x.pointing + x.pixelAP + x.ciou50 + x.auc).toFixed(3)})`;
  for (const r of runs) console.log(`head ${r.run} (seed ${r.info.seed}, step ${r.info.bestStep}): ${fmt(scoreItems(r.params, r.config, o.val, o.valClips))}`);
  const { params, config } = combineHeads(runs);
  const s = scoreItems(params, config, o.val, o.valClips);
  console.log(`${runs.length} heads together: ${fmt(s)}`);
  const cat = (f: string, head: string) => head + '\n' + runs.map((r, k) => readFileSync(join(r.dir, f), 'utf8').trim().split('\n').slice(1).map((l) => `${k},${l}`).join('\n')).join('\n') + '\n';
  writeFileSync(join(o.ckptDir, 'loss.csv'), cat('loss.csv', 'head,step,loss'));
  writeFileSync(join(o.ckptDir, 'val.csv'), cat('val.csv', 'head,step,pointing,pixelAP,ciou50,auc'));
  const series = (f: string, col: number, scale: number) => runs.map((r) => readFileSync(join(r.dir, f), 'utf8').trim().split('\n').slice(1).map((l) => { const v = l.split(',').map(Number); return [v[0], v[col] * scale] as [number, number]; }));
  writeFileSync(join(o.ckptDir, 'loss.png'), plotPng([
    ...series('loss.csv', 1, 1).map((points, k) => ({ points, rgb: [31 + 60 * k, 119, 180] as [number, number, number] })),
    ...series('val.csv', 1, 4).map((points, k) => ({ points, rgb: [214, 39 + 60 * k, 40] as [number, number, number] })),
  ]));
  for (const r of runs) tf.dispose(Object.values(r.params));
  await finish({ ...o, params, config, chosen: s, runs: runs.map((r) => r.info), combined: true });
}

/** Serialise, check the read-back, score the test split if asked, write the run directory and ship. */
async function finish(o: Shared & { params: Params; config: HeardConfig; chosen: Summary; runs: RunInfo[]; combined: boolean }): Promise<void> {
  const { flags, id, params, config, ckptDir, command, hash, dataDir, all, split, val, valClips, valSplit, ship, chosen } = o;
  const { str, num } = flagReaders(flags);
  const detectorFrame = num('detector-frame', TRAIN_DETECTOR_FRAME);
  // trained parameters: every head's MLP, gp and gq (not the standardisation, which is the data's)
  const nParams = Object.entries(params).filter(([k]) => k !== 'heard/dirMean' && k !== 'heard/dirSd').reduce((a, [, v]) => a + v.size, 0);
  const { modelJson, weights } = await serializeHeard(id, params, config);
  // what ships is read back the way the app reads it, and must give the same validation figures
  const back = deserializeHeard(modelJson, weights);
  const again = scoreItems(back.params, back.config, val, valClips);
  tf.dispose(Object.values(back.params));
  if (Math.abs(again.pointing - chosen.pointing) > 1e-9 || Math.abs(again.pixelAP - chosen.pixelAP) > 1e-6) throw new Error(`serialised weights score ${again.pointing} / ${again.pixelAP}, not ${chosen.pointing} / ${chosen.pixelAP}`);
  if (flags.has('test-split')) {
    const testSplit = str('test-split', 'test');
    const testClips = listClips(dataDir, testSplit);
    const scored = (c: Clip, fi: number) => soundingBoxes(c, fi).boxes.length > 0;
    const test = await heardItems(testClips, config, scored, detectorFrame);
    const testHash = datasetHash(testClips, (c) => gridFrames(c).filter((fi) => scored(c, fi)));
    const otherOf = testClips.map((_, i) => otherSoundClip(testClips, i));
    const wrong = test.map((it) => directionAt(testClips[otherOf[it.clip] ?? (it.clip + 1) % testClips.length], testClips[it.clip].meta.frames[it.frame].time, config));
    const r = { own: scoreItems(params, config, test, testClips), otherSound: scoreItems(params, config, test, testClips, wrong), detector: scoreItems(params, config, test, testClips, null) };
    const fmt = (x: Summary) => `${x.pointing.toFixed(3)} / ${x.pixelAP.toFixed(3)} / ${x.ciou50.toFixed(3)} / ${x.auc.toFixed(3)}`;
    console.log(`test (${testSplit}, ${r.own.n} frames, data sha256 ${testHash.slice(0, 16)}), pointing / pixel AP / cIoU@0.5 / AUC:\n  own sound     ${fmt(r.own)}\n  other sound   ${fmt(r.otherSound)}\n  detector only ${fmt(r.detector)}`);
    writeFileSync(join(ckptDir, 'test.json'), JSON.stringify({ command, split: testSplit, datasetHash: testHash, bestStep: o.combined ? null : o.runs[0].bestStep, ...r }, null, 1) + '\n');
  }
  writeFileSync(join(ckptDir, 'model.json'), modelJson);
  writeFileSync(join(ckptDir, 'weights.bin'), weights);
  if (!ship) { console.log(`--no-ship: models/ left as it was; the chosen weights are in ${ckptDir}/ (model.json, weights.bin)`); tf.dispose(Object.values(params)); return; }
  const dir = join(MODELS_DIR, id);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'model.json'), modelJson);
  writeFileSync(join(dir, 'weights.bin'), weights);
  for (const f of ['loss.csv', 'val.csv', 'loss.png']) writeFileSync(join(dir, f), readFileSync(join(ckptDir, f)));
  const files = [];
  for (const f of ['model.json', 'weights.bin']) {
    const bytes = new Uint8Array(readFileSync(join(dir, f)));
    files.push({ path: `${id}/${f}`, sha256: await sha256Hex(bytes), bytes: bytes.length });
  }
  const runs = o.runs;
  const entry: ModelEntry = {
    id,
    description: `Heard-object localizer: binaural direction features (ILD in 32 bands, GCC-PHAT at 41 lags, level) of the 1-s 16 kHz window and of its ${config.segments} parts -> per part an MLP (${config.hidden} hidden) -> a softmax over the 14 columns, one over the 14 rows and a part weight${config.heads > 1 ? ` (${config.heads} such heads, each trained alone with its own seed; P the mean of theirs)` : ''}; the log of the parts' mixture added to gp log(${config.floor} + heat) + gq log(${config.floor} + boxes) of objectness-centernet; map [14,14]. Trained with paper 000's eq. 2 (each sound picks its own frame from the batch and back), no labels.`,
    files,
    config: config as unknown as Record<string, unknown>,
    dataset: { hash, description: `${all.length} clips of the synthetic benchmark, split '${split}' (docs/dataset.md; commands in docs/results.md); ${o.trainFrames} grid frames (every ${FRAME_STEP}nd) of ${o.trainClips.length} clips trained on, ${val.length} frames with an active on-screen sounding object of ${valClips.length} ${valSplit ? `clips of split '${valSplit}'` : 'held-out clips'} for validation; the detector's maps with the frame ${detectorFrame} pixels wide in its 512x512 input` },
    trainCommand: o.combined ? [...runs.map((r) => r.command), command].join(' && ') : command,
    metrics: {
      steps: runs.reduce((a, r) => a + r.steps, 0), bestStep: o.combined ? -1 : runs[0].bestStep, trainSeconds: runs.reduce((a, r) => a + r.trainSeconds, 0), params: nParams,
      valPointing: chosen.pointing, valPixelAP: chosen.pixelAP, valCiou50: chosen.ciou50, valAuc: chosen.auc, gp: params['heard/gp'].dataSync()[0], gq: params['heard/gq'].dataSync()[0],
      ...(o.combined ? { heads: runs.length } : {}),
    },
    card: `${id}/MODEL_CARD.md`,
  };
  const manifest = readManifest();
  manifest.models = [...manifest.models.filter((x) => x.id !== id), entry];
  writeFileSync(join(MODELS_DIR, 'manifest.json'), JSON.stringify(manifest, null, 1) + '\n');
  writeFileSync(join(dir, 'MODEL_CARD.md'), card(entry, nParams, runs, command, o.combined));
  console.log(`shipped ${id}: ${files.map((f) => `${f.path} ${f.sha256.slice(0, 12)} (${f.bytes} B)`).join(', ')}`);
  tf.dispose(Object.values(params));
}

function card(e: ModelEntry, nParams: number, runs: RunInfo[], command: string, combined: boolean): string {
  const m = e.metrics!;
  const heads = runs.length;
  const val = (x: Summary) => `pointing ${x.pointing.toFixed(3)}, pixel AP ${x.pixelAP.toFixed(3)}, cIoU@0.5 ${x.ciou50.toFixed(3)}, AUC ${x.auc.toFixed(3)}`;
  const trained = !combined
    ? `Command:

    ${e.trainCommand}

${runs[0].steps} Adam steps, ${Math.round(runs[0].trainSeconds / 60)} min on one CPU core. Validation (the validation frames above, every
25 steps) chose the weights: step ${runs[0].bestStep}, ${val(runs[0].val)}; ground truth is read for that choice only. Curves beside this card: \`loss.csv\`,
\`val.csv\`, \`loss.png\` (blue: training loss; red: validation pointing x 4).`
    : `${heads} direction heads, each trained alone on these clips with its own seed; validation (the validation frames above, every 25 steps) chose each head's weights, and ground truth is read for those choices only:

${runs.map((r, k) => `- head ${k}: \`${r.command}\`: ${r.steps} Adam steps, ${Math.round(r.trainSeconds / 60)} min on one CPU core; step ${r.bestStep}, ${val(r.val)}.`).join('\n')}

Then \`${command}\` made them one model (heard.ts \`combineHeads\`: the heads' MLPs, the shared standardisation, gp and gq
the heads' means). Together, on the same validation frames: ${val({ pointing: m.valPointing, pixelAP: m.valPixelAP, ciou50: m.valCiou50, auc: m.valAuc, n: 0 })}.
Curves beside this card: \`loss.csv\` and \`val.csv\` (a column \`head\`), \`loss.png\` (blue: each head's training loss;
red: its validation pointing x 4).`;
  return `# ${e.id}: the heard-object localizer

**What it is.** A localizer that asks *where* a sound comes from rather than *what* it is: the
direction cues of a two-ear (binaural) recording pick among the objects a COCO detector finds in the
frame. Code: \`src/engine/models/heard.ts\` (model, loss, loading), \`src/engine/dsp/binaural.ts\`
(direction features), \`src/engine/models/objectness.ts\` (the detector's objectness).

- Sound: the 1-s window of the 16 kHz two-channel mix centred on the frame, whole and cut into
  ${e.config.segments} equal parts -> for each, interaural level difference in 32 log-spaced bands (100 Hz - 8 kHz),
  GCC-PHAT at lags -20..20 and the part's level against the window's (74 values, standardised by the
  training set's mean and deviation, stored with the weights) -> a ${e.config.hidden}-unit ReLU layer (shared)
  -> 14 column logits, 14 row logits and a weight. Where the sound comes from is the mixture of the
  parts' column-times-row distributions by the softmax of their weights: sounds take turns within a
  second (an object's events, an off-screen source), and the parts where one dominates carry its
  direction unmixed.${heads > 1 ? `
- Heads: ${heads} such MLPs (W1, b1, W2, b2), each trained alone with its own seed on the same clips; where the sound
  comes from is the mean of their ${heads} distributions (\`directionProbs\`), which evens out what one
  seed's head hears (docs/results.md, "1,500 training clips and heads of several seeds").` : ''}
- Picture: \`objectness-centernet\` (a COCO CenterNet, MobileNetV3; see its card), class-agnostic:
  its centre heat's maximum per cell of the 14x14 grid and its boxes painted with their scores.
- Map: S = gp log(${e.config.floor} + heat) + gq log(${e.config.floor} + boxes) + log P(cell); learned
  exponents gp = ${m.gp.toFixed(3)}, gq = ${m.gq.toFixed(3)}${heads > 1 ? ' (the heads\' means)' : ''}. ${nParams} trained parameters (${(e.files.find((f) => f.path.endsWith('weights.bin'))!.bytes / 1024).toFixed(0)} KiB); the
  detector is frozen.
- Over time (inference only, no parameter): the app's and the CLI's \`heard\` method and the
  evaluation's \`heard\` row average each frame's heat, boxes and P over paper 000's test window (9
  frames 0.25 s apart around it), each carried onto the frame through the homography opencv.js
  estimates between the two frames, then combine them as above (\`heardNoGeometry\`: the same
  without the homographies; \`heardSingleFrame\`: the frame alone, what training and validation
  score). The window was chosen on the validation split (docs/results.md, "Over a window").
- Both ways (inference only, no parameter): the app, the CLI and the evaluation hear each window
  as recorded and with the ears swapped (ILDs negated, GCC-PHAT lags reversed) and average the
  first direction distribution with the second flipped left to right (\`directionProbs\` with
  mirror; training saw mirrored frames, so both are estimates of the same direction), then mix a
  uniform share u = 0.2 into the window's mean P: log((1 - u) P + u / 196) in place of log P
  (\`HEARD_UNIFORM\`; the far cells are then ordered by the objects, not by their distance to the
  heard direction). Both chosen on the validation split (docs/results.md, "From more clips, heard
  both ways"); the validation figures below are of one way, single frames, no uniform share, as
  training scores them.
- Per object (inference only, no parameter): the map the app, the CLI and the evaluation show is
  then read per detected object of the frame (\`objectShares\`, \`withObjectExtent\`,
  \`HEARD_EXTENT\`). Each of the detector's 100 boxes b takes m_b, the window's mean P summed over
  the cells it covers, divided by the share of the frame it covers (the sound's probability per
  unit of area), times its score to the power 0.5; a cell gets the largest of these over the boxes
  covering it, times how much of the cell the box covers (E); the map is log(1e-4 + E) + 0.03 S.
  An object is then lit over its whole box, S orders the cells within it, and cells no box covers
  sit at the floor. Chosen on the validation split (docs/results.md, "Read per object"). Before
  that reading, P's row marginal (how high the sound is heard, which the average over parts,
  frames and both ways blurs most) is squared: P(r, c) R(r) / Z (\`sharpenRows\`, \`HEARD_EXTENT.rows\`
  = 1; chosen on the 200-clip validation split: docs/results.md, "Height heard, sharpened").
- Loss: paper 000's grounding objective (eq. 2): a frame's score for a sound is the log-mean-exp
  of S over the cells; each sound picks its own frame out of the batch and each frame its own
  sound (cross-entropy both ways); clips that share a recording are left out of each other's
  denominators. No boxes or labels are used for training.

**Trained on.** ${e.dataset!.description}. Dataset sha256 \`${e.dataset!.hash}\`. ${trained}

**How it scores.** docs/results.md (test split, beside the centre prior, the whole image, the
detector alone and the same model given another clip's sound).

**Limits.** It needs two channels recorded at the ears (or a stereo pair that behaves like them):
a mono file has no direction and gets no map from it. Trained and tested only on the synthetic
benchmark (flat photo cut-outs, anechoic binaural rendering with one head model; docs/dataset.md
"Limits"). Each part's direction is a column times a row, so two sounds at once in one part are
heard as the four cells their columns and rows cross at; objects the detector does not know (outside COCO's 80 classes) get a weak map.
The map's extent is the detector's boxes on a 14x14 grid: where a box is loose, shifted or
missing, so is the map; the median threshold of cIoU still marks half the frame wherever the
detector's 100 boxes cover most of it.
Live, the newest frames have no sound after them yet: each frame is heard with the second centred
on it once the microphone has all of it, else the last second heard; in the live loop simulated on
the validation split that scores pointing 0.910 and pixel AP 0.835, against 0.926 and 0.846 with
every frame's centred second, as a file has (docs/localize.md, "Each frame's own second of sound").
`;
}
