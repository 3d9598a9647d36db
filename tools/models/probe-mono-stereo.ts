/**
 * `npx tsx tools/models/probe-mono-stereo.ts --data DIR [--split val]`
 *
 * What the heard-object localizer makes of a mono recording stored as two channels. Such a file's
 * channels are one signal, but a lossy codec that codes them apart leaves them slightly different
 * (ffmpeg's AAC at 64 kb/s: the difference 33-48 dB under the sum), and `autoMethod` gives any
 * clip whose channels differ anywhere the heard-object localizer. Each clip of the split is heard
 * four ways: its binaural mix (what the method is for); that mix's mono sum in both channels,
 * exactly (what `sameChannels` refuses); and that mono sum in both channels through ffmpeg's AAC
 * at 64 kb/s and Opus at 64 kb/s at 48 kHz, decoded back to 16 kHz (what a phone's or an editor's
 * mono-as-stereo file gives). Maps as the evaluation makes `heard` (tools/eval.ts: T = 9 windows
 * of grid frames, the detector maps and direction probabilities carried by the window cache's
 * homographies, read per object), scored on the grid frames with an active on-screen sounding
 * object (the eval at --stride 2), beside the centre prior. Prints per way: the difference of the
 * channels against their sum (dB, the mean over clips), and pointing / pixel AP / cIoU@0.5 / AUC.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { baselines, boxesToMask, scoreFrame, summarize, EVAL_SIZE, type FrameScore } from '../../src/engine/eval/metrics.ts';
import { loadHeard, heardInput, heardInputWidth, directionProbs, heardMapsPerObject } from '../../src/engine/models/heard.ts';
import { HEARD_EXTENT, HEARD_FRAMES, HEARD_MIRROR, HEARD_UNIFORM, WINDOW_REFINE } from '../../src/engine/pipeline/localizer.ts';
import type { Mat3 } from '../../src/engine/geometry/homography.ts';
import { clipCache, frameHomography, openWindowCache, pairsOf, windowAround, FRAME_STEP } from './windows.ts';
import { clipObjectness, detectionsAt } from './centernet.ts';
import { gridFrames, stackedWindowMeans } from './train-heard.ts';
import { MODELS_BASE_URL, binauralWindowOf, listClips, modelsFetcher, readManifest, soundingBoxes, useWasm, type Clip } from './data.ts';

const argv = process.argv.slice(2);
const opt = (k: string, d: string) => { const i = argv.indexOf(`--${k}`); return i >= 0 && argv[i + 1] !== undefined && !argv[i + 1].startsWith('--') ? argv[i + 1] : d; };
const dataDir = opt('data', '');
if (!dataDir) { console.error('usage: npx tsx tools/models/probe-mono-stereo.ts --data DIR [--split val]'); process.exit(2); }
const split = opt('split', 'val');

const WAYS = ['binaural', 'mono, exact', 'mono, AAC 64k', 'mono, Opus 64k'] as const;
type Way = typeof WAYS[number];

/** Both channels at 16 kHz of the clip's binaural mix heard one way (see the header), through ffmpeg. */
function channels(c: Clip, way: Way): [Float32Array, Float32Array] {
  const src = join(c.dir, 'audio_binaural_16k.wav');
  const mono = ['-af', 'pan=stereo|c0=0.5*c0+0.5*c1|c1=0.5*c0+0.5*c1'];
  const decode = (args: string[], input: Buffer | null) => {
    const r = spawnSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', ...args, '-ac', '2', '-ar', '16000', '-f', 'f32le', '-'], { input: input ?? undefined, maxBuffer: 1 << 28 });
    if (r.status !== 0) throw new Error(`ffmpeg: ${r.stderr}`);
    return r.stdout;
  };
  let raw: Buffer;
  if (way === 'binaural') raw = decode(['-i', src], null);
  else if (way === 'mono, exact') raw = decode(['-i', src, ...mono], null);
  else {
    const [codec, fmt] = way === 'mono, AAC 64k' ? ['aac', 'adts'] : ['libopus', 'ogg'];
    const enc = spawnSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-i', src, ...mono, '-ar', '48000', '-c:a', codec, '-b:a', '64k', '-f', fmt, '-'], { maxBuffer: 1 << 28 });
    if (enc.status !== 0) throw new Error(`ffmpeg: ${enc.stderr}`);
    raw = decode(['-i', '-'], enc.stdout);
  }
  const x = new Float32Array(raw.buffer, raw.byteOffset, raw.length / 4);
  const l = new Float32Array(x.length / 2), r = new Float32Array(x.length / 2);
  for (let i = 0; i < l.length; i++) { l[i] = x[2 * i]; r[i] = x[2 * i + 1]; }
  return [l, r];
}

/** 10 log10 of the channels' difference energy over their sum's (-Infinity: one signal). */
function sideToMidDb(l: Float32Array, r: Float32Array): number {
  let s = 0, m = 0;
  for (let i = 0; i < l.length; i++) { s += (l[i] - r[i]) ** 2; m += (l[i] + r[i]) ** 2; }
  return 10 * Math.log10(s / m);
}

async function main(): Promise<void> {
  await useWasm();
  const heard = await loadHeard(readManifest(), 'heard-synth', MODELS_BASE_URL, { fetcher: modelsFetcher });
  const wctx = await openWindowCache(undefined, { refine: WINDOW_REFINE });
  const clips = listClips(dataDir, split);
  if (!clips.length) throw new Error(`${dataDir}: no ${split} clips`);
  const scores = new Map<Way | 'centre', FrameScore[]>([...WAYS, 'centre' as const].map((w) => [w, []]));
  const db = new Map<Way, number[]>(WAYS.map((w) => [w, []]));
  const centre = baselines.centre();
  for (const c of clips) {
    const grid = gridFrames(c);
    const frames = grid.filter((fi) => soundingBoxes(c, fi).boxes.length > 0);
    if (!frames.length) continue;
    const n = c.meta.frames.length;
    const wins = frames.map((fi) => windowAround(fi, n, HEARD_FRAMES, FRAME_STEP));
    const cc = await clipCache(wctx, c, pairsOf(wins), FRAME_STEP);
    const heat = await clipObjectness(c, grid, 'heat'), boxes = await clipObjectness(c, grid, 'boxes'), dets = await clipObjectness(c, grid, 'detections');
    const cell = (x: Float32Array) => (fi: number) => x.subarray((fi / FRAME_STEP) * 196, (fi / FRAME_STEP + 1) * 196);
    const { width: W, height: H } = c.meta.config;
    for (const way of WAYS) {
      const [l, r] = channels(c, way);
      db.get(way)!.push(sideToMidDb(l, r));
      // the direction input of each grid frame: the 1-s window centred on it, cut as binauralWindow cuts the clip's
      const dir = new Float32Array(grid.length * heardInputWidth(heard.config));
      grid.forEach((fi, k) => {
        const [wl, wr] = binauralWindowOf([l, r], c.meta.frames[fi].time, c.meta.config.seconds);
        dir.set(heardInput(heard.config, wl, wr), k * heardInputWidth(heard.config));
      });
      const probs = tf.tidy(() => directionProbs(heard.params, tf.tensor2d(dir, [grid.length, heardInputWidth(heard.config)]), heard.config, HEARD_MIRROR).dataSync().slice() as Float32Array);
      const carried = frames.map((fi, k) => ({ frames: wins[k].frames, toQ: wins[k].frames.map((f): Mat3 | null => (f !== fi ? frameHomography(cc, fi, f) : null)) }));
      const maps = await heardMapsPerObject(heard.params, heard.config, { heat: stackedWindowMeans(carried, cell(heat), W, H), boxes: stackedWindowMeans(carried, cell(boxes), W, H), probs: stackedWindowMeans(carried, cell(probs), W, H) }, frames.map((fi) => detectionsAt(dets, fi / FRAME_STEP)), HEARD_EXTENT, HEARD_UNIFORM, W);
      frames.forEach((fi, k) => scores.get(way)!.push(scoreFrame(maps.subarray(k * 196, (k + 1) * 196), 14, 14, boxesToMask(soundingBoxes(c, fi).boxes, W, H))));
    }
    for (const fi of frames) scores.get('centre')!.push(scoreFrame(centre, EVAL_SIZE, EVAL_SIZE, boxesToMask(soundingBoxes(c, fi).boxes, W, H)));
    console.error(`  ${c.meta.clipId}: ${frames.length} frames`);
  }
  const f3 = (x: number) => x.toFixed(3);
  console.log(`\n${clips.length} ${split} clips, ${scores.get('centre')!.length} frames (grid frames with an active on-screen sounding object); heard as the eval makes it`);
  console.log('| heard from | channels\' difference against their sum, dB (mean over clips; min, max) | pointing | pixel AP | cIoU@0.5 | AUC |');
  console.log('|---|---|---|---|---|---|');
  for (const way of [...WAYS, 'centre' as const]) {
    const s = summarize(scores.get(way)!);
    const d = way === 'centre' ? null : db.get(way)!.filter(Number.isFinite);
    const dbText = way === 'centre' ? '' : d!.length ? `${(d!.reduce((a, b) => a + b, 0) / d!.length).toFixed(1)} (${Math.min(...d!).toFixed(1)}, ${Math.max(...d!).toFixed(1)})` : 'one signal';
    console.log(`| ${way === 'centre' ? 'centre prior (reference)' : way} | ${dbText} | ${f3(s.pointing)} | ${f3(s.pixelAP)} | ${f3(s.ciou50)} | ${f3(s.auc)} |`);
  }
  tf.dispose(Object.values(heard.params));
}

main().catch((e) => { console.error(e instanceof Error ? e.stack : e); process.exit(1); });
