/**
 * Reading the synthetic benchmark (docs/dataset.md) for training and evaluating localizers:
 * clips, frames, 1-s audio windows, ground-truth sounding boxes per frame, a dataset hash, and
 * the shipped models loaded from models/ through their sha256 check.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { decodePng } from '../data/png.ts';
import { readWav } from '../data/wav.ts';
import { logFreqSpectrogram } from '../../src/engine/dsp/logfreq.ts';
import type { Fetcher, Manifest } from '../../src/engine/weights/verify.ts';
import type { Box } from '../../src/engine/eval/metrics.ts';
import { soundingBoxes as frameTruth, type ClipMeta, type ClipObjectFrame } from '../../src/engine/eval/truth.ts';
import { mulberry32 } from '../../src/engine/rng.ts';
import { coverCells } from '../../src/engine/models/objectness.ts';
import { invert, mul, normalize, type Mat3 } from '../../src/engine/geometry/homography.ts';
export { coverCells };

export const MODELS_DIR = resolve('models');
export const MODELS_BASE_URL = 'http://models.local/models/';

/** Serves models/ to fetchVerified, as the app's fetch would. */
export const modelsFetcher: Fetcher = async (url) => {
  const rel = new URL(url).pathname.replace(/^\/models\//, '');
  return new Response(new Uint8Array(readFileSync(join(MODELS_DIR, rel))));
};

export function readManifest(): Manifest {
  return JSON.parse(readFileSync(join(MODELS_DIR, 'manifest.json'), 'utf8')) as Manifest;
}

export async function useWasm(): Promise<void> {
  if (!(await tf.setBackend('wasm'))) throw new Error('the tfjs wasm backend did not start');
  await tf.ready();
}

export type { ClipMeta, ClipObjectFrame };

export interface Clip { dir: string; meta: ClipMeta }

/** Every complete clip (meta.json present) of a split under dir, sorted by id. */
export function listClips(dir: string, split: string): Clip[] {
  const root = resolve(dir);
  return readdirSync(root)
    .filter((n) => n.startsWith(`${split}-`) && existsSync(join(root, n, 'meta.json')))
    .sort()
    .map((n) => ({ dir: join(root, n), meta: JSON.parse(readFileSync(join(root, n, 'meta.json'), 'utf8')) as ClipMeta }));
}

/**
 * sha256 over the files the localizers read, clip by clip: meta.json, the mono mix, and the
 * frames. Names a training set in the manifest (the generator's own split hash covers stems and
 * videos too, which these runs do not write).
 */
export function datasetHash(clips: Clip[], frames: (c: Clip) => number[]): string {
  const h = createHash('sha256');
  for (const c of clips) {
    const name = c.dir.split(/[\\/]/).pop()!;
    h.update(name);
    for (const rel of ['meta.json', 'audio_mono_11k.wav', ...frames(c).map((i) => c.meta.frames[i].image)]) {
      h.update(rel);
      h.update(createHash('sha256').update(readFileSync(join(c.dir, rel))).digest());
    }
  }
  return h.digest('hex');
}

/** RGB in [0, 1], [224, 224, 3] row-major. */
export function readFrameRgb(c: Clip, index: number): Float32Array {
  const img = decodePng(readFileSync(join(c.dir, c.meta.frames[index].image)));
  if (img.width !== 224 || img.height !== 224) throw new Error(`${c.dir}: frames must be 224x224 (got ${img.width}x${img.height}); generate with --size 224`);
  const out = new Float32Array(224 * 224 * 3);
  for (let p = 0; p < 224 * 224; p++) for (let k = 0; k < 3; k++) out[p * 3 + k] = img.data[p * img.channels + k] / 255;
  return out;
}

const wavCache = new Map<string, Float32Array>();
export function readMono(c: Clip): Float32Array {
  let x = wavCache.get(c.dir);
  if (!x) {
    const a = readWav(join(c.dir, 'audio_mono_11k.wav'));
    if (a.sampleRate !== 11025) throw new Error(`${c.dir}: mono mix must be 11025 Hz, got ${a.sampleRate}`);
    x = a.channels[0];
    wavCache.clear();
    wavCache.set(c.dir, x);
  }
  return x;
}

const binauralCache = new Map<string, Float32Array[]>();
/** The 16 kHz binaural mix [left, right] (a few clips cached: callers alternate between a clip and its control's). */
export function readBinaural(c: Clip): Float32Array[] {
  let x = binauralCache.get(c.dir);
  if (!x) {
    const a = readWav(join(c.dir, 'audio_binaural_16k.wav'));
    if (a.sampleRate !== 16000 || a.channels.length !== 2) throw new Error(`${c.dir}: the binaural mix must be 16 kHz stereo`);
    x = a.channels;
    if (binauralCache.size > 64) binauralCache.clear();
    binauralCache.set(c.dir, x);
  }
  return x;
}

/** The 1-s binaural window centred on t, clamped to end by the clip's end like the mono one (zero past the ends). */
export function binauralWindow(c: Clip, t: number): Float32Array[] {
  return binauralWindowOf(readBinaural(c), t, c.meta.config.seconds);
}

/** binauralWindow's cut of any 16 kHz channels of a clip `seconds` long (e.g. the binaural mix coded and decoded again). */
export function binauralWindowOf(channels: Float32Array[], t: number, seconds: number): Float32Array[] {
  const s0 = Math.round((Math.min(t, seconds - 0.5) - 0.5) * 16000);
  return channels.map((ch) => Float32Array.from({ length: 16000 }, (_, i) => (s0 + i >= 0 && s0 + i < ch.length ? ch[s0 + i] : 0)));
}

/** The 1-s window [t0, t0 + 1) of the mono mix at 11025 Hz (zero-padded past the end). */
export function audioWindow(c: Clip, t0: number): Float32Array {
  const x = readMono(c);
  const out = new Float32Array(11025);
  const s = Math.round(t0 * 11025);
  for (let i = 0; i < 11025; i++) { const j = s + i; out[i] = j >= 0 && j < x.length ? x[j] : 0; }
  return out;
}

/** Log-frequency magnitude [128, 128] of a 1-s window (paper 000's input; log1p is the encoder's). */
export function spectrogram(win: Float32Array): Float32Array {
  return tf.tidy(() => logFreqSpectrogram(tf.tensor1d(win)).dataSync() as Float32Array).slice();
}

export function rms(x: Float32Array): number {
  let s = 0;
  for (const v of x) s += v * v;
  return Math.sqrt(s / x.length);
}

/** The frame in the middle of each 1-s segment k: round((k + 0.5) * fps), and its segment. */
export function segmentMiddleFrames(c: Clip): { frame: number; segment: number }[] {
  const { fps, seconds, frames } = c.meta.config;
  const out: { frame: number; segment: number }[] = [];
  for (let k = 0; k < Math.floor(seconds); k++) out.push({ frame: Math.min(frames - 1, Math.round((k + 0.5) * fps)), segment: k });
  return out;
}

/**
 * Ground truth of one frame: the boxes of visible on-screen sounding objects whose source is
 * active in the frame's 1-s segment. Empty when nothing on screen sounds then (such frames are
 * not scored). Boxes are inclusive in meta.json; metrics take end-exclusive boxes.
 */
export function soundingBoxes(c: Clip, index: number): { boxes: Box[]; area: number } {
  return frameTruth(c.meta, index);
}


/**
 * Per cell of a cells x cells grid over the frame, the largest share of it covered by the box of one
 * visible object, sounding or silent (ground truth: probe-ground's oracle objectness). Boxes are
 * inclusive pixel boxes in meta.json.
 */
export function objectCover(c: Clip, fi: number, cells = 14): Float32Array {
  const boxes = c.meta.frames[fi].objects.filter((o) => o.visible).map((o) => ({ box: [o.box[0], o.box[1], o.box[2] + 1, o.box[3] + 1] as [number, number, number, number], weight: 1 }));
  return coverCells(boxes, c.meta.config.width, c.meta.config.height, cells);
}

/** The recordings a clip plays: those of its sounding objects (`objects`: the ones in the scene), or every source's. */
export function recordingsOf(c: Clip, which: 'objects' | 'all'): string[] {
  return c.meta.sources.filter((s) => which === 'all' || s.instanceId !== null).map((s) => s.recordingId ?? `${c.meta.clipId}/${s.sourceId}`);
}

/** Whether clip b's mix holds a recording of one of clip a's sounding objects (b's sound is then no wrong sound for a). */
export function sharesSound(a: Clip, b: Clip): boolean {
  const own = new Set(recordingsOf(a, 'objects'));
  return recordingsOf(b, 'all').some((r) => own.has(r));
}

/**
 * For the wrong-sound control: the first clip after `i` (in list order, wrapping) whose mix
 * contains none of clip i's sounding objects' recordings; null when every other clip does.
 */
export function otherSoundClip(clips: Clip[], i: number): number | null {
  for (let k = 1; k < clips.length; k++) {
    const j = (i + k) % clips.length;
    if (!sharesSound(clips[i], clips[j])) return j;
  }
  return null;
}

/**
 * A batch of k clips none of which shares a sounding recording with another (`recs[c]`: clip c's
 * sounding objects' recordings): `pick`'s first k are taken in order, then the rest of `pick`,
 * shuffled with `rand`, skipping clips whose recordings are already in the batch; if too few
 * remain the batch is topped up in order. Returns the batch and the clips left out (mix partners).
 */
export function distinctSoundBatch(pick: number[], k: number, recs: string[][], rand: () => number): { inBatch: number[]; rest: number[] } {
  const order = pick.slice();
  for (let i = order.length - 1; i > k; i--) { const j = k + Math.floor(rand() * (i - k + 1)); [order[i], order[j]] = [order[j], order[i]]; }
  const used = new Set<string>();
  const inBatch: number[] = [];
  for (const c of order) {
    if (inBatch.length === k) break;
    if (recs[c].some((x) => used.has(x))) continue;
    inBatch.push(c);
    recs[c].forEach((x) => used.add(x));
  }
  for (const c of order) if (inBatch.length < k && !inBatch.includes(c)) inBatch.push(c);
  return { inBatch, rest: order.filter((c) => !inBatch.includes(c)) };
}

/** Seeded PRNG (mulberry32, shared with the rest of the engine). */
export const mulberry = mulberry32;

/** H_{a->b} in frame pixels from the generator's exact H_to_first (frame -> frame 0) of clip c (the probes' reference; the app estimates its own). */
export function truthHomography(c: Clip, a: number, b: number): Mat3 {
  const toFirst = (i: number) => (c.meta.frames[i] as unknown as { H_to_first: Mat3 }).H_to_first;
  return normalize(mul(invert(toFirst(b)), toFirst(a)));
}
