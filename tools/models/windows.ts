/**
 * Per-clip inputs of paper 000's windowed localizer (ego000), computed once and cached on disk
 * like features.ts caches single frames, in .cache/ego000/<key of the trunk's weights and the
 * homography config>/<clip folder>-<digest of the clip's meta.json and first frame>/:
 *
 *   - f14 of every frame of the clip's frame grid (every `step`-th frame; frozen trunk, uint8 as in
 *     features.ts: the layer is a ReLU6, so 6/255 steps);
 *   - homographies between frames of the grid, ESTIMATED with src/engine/geometry (opencv.js, the
 *     default config, with or without ECC by --refine (below), 'direct' pairs as in the paper's h(I_j, I_i)) at frame
 *     resolution (224x224). Each unordered pair {a, b} is estimated once, as H_{b->a} with a < b
 *     matched directly; the other direction is its inverse. Ground-truth homographies in meta.json
 *     are never read here (inference must see what training saw).
 *
 * Windows: T frames `step` apart around a query frame q (paper 000's public code: T = 5 for
 * training, 9 for testing, frames 2 apart, query = middle). Near the clip's ends a test window is
 * shifted to stay inside the clip, and the query is then not the middle frame.
 *
 *   npx tsx tools/models/windows.ts --data DIR --split train [--frames 5] [--shard i/n] [--refine none|ecc]   (fills the cache)
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { loadVisualTrunk, visualFeatures } from '../../src/engine/models/visual.ts';
import { loadOpenCV, type CV } from '../../src/engine/geometry/opencv.ts';
import { isRefinement, validateHomographyConfig, type HomographyConfig } from '../../src/engine/geometry/config.ts';
import { estimatePairs, pairHomography, pairsOf, windowAround as windowAroundIn, type PairTable, type Window } from '../../src/engine/pipeline/windows.ts';
import { identity, invert, mul, normalize, scaleHomography, type Mat3 } from '../../src/engine/geometry/homography.ts';
import type { GrayImage } from '../../src/engine/geometry/png.ts';
import { decodePng } from '../data/png.ts';
import { type Clip, MODELS_BASE_URL, listClips, modelsFetcher, readFrameRgb, readManifest, useWasm } from './data.ts';
import { shardFlag } from './flags.ts';
import { F14, F14_SCALE } from './features.ts';

/**
 * --refine none|ecc (default: the geometry config's, ECC): the homographies' sub-pixel refinement.
 * Training caches keep ECC, what the shipped ego000-synth was trained on (its manifest's command
 * reproduces it); the pipeline and the evaluation run without it (WINDOW_REFINE in
 * src/engine/pipeline/localizer.ts; tools/eval.ts opens its cache with that), docs/localize.md.
 */
export function refineFlag(arg: (k: string, d: string) => string): Partial<HomographyConfig> {
  const r = arg('refine', '');
  if (r === '') return {};
  if (!isRefinement(r)) throw new Error(`--refine must be none or ecc, got ${r}`);
  return { refine: r };
}

/** Frame grid spacing (paper 000's public code: frames 2 apart). */
export const FRAME_STEP = 2;
export const TRAIN_FRAMES = 5;
export const TEST_FRAMES = 9;
export const FEATURE_SIZE = 14;
export const FRAME_SIZE = 224;

export type { Window };

/** T frames `step` apart around q (src/engine/pipeline/windows.ts), FRAME_STEP by default. */
export function windowAround(q: number, n: number, T: number, step = FRAME_STEP): Window {
  return windowAroundIn(q, n, T, step);
}

/** Training windows: fully inside the clip with the query in the middle, one per grid frame. */
export function centredWindows(n: number, T: number, step = FRAME_STEP): Window[] {
  const half = step * Math.floor((T - 1) / 2);
  const out: Window[] = [];
  for (let q = half; q + half <= n - 1; q += step) out.push(windowAround(q, n, T, step));
  return out;
}

export interface ClipCache {
  /** Grid frames, in order; f14 rows follow this order. */
  frames: number[];
  /** uint8 f14 [frames.length, 14, 14, 576]. */
  f14: Uint8Array;
  /** H_{b->a} for "a,b" with a < b (frame pixels); the reverse direction is the inverse. */
  pairs: PairTable;
}

/** H_{j->i} at frame resolution from the cache (identity when j == i). */
export function frameHomography(cc: ClipCache, j: number, i: number): Mat3 {
  return pairHomography(cc.pairs, j, i);
}

/** Row-major rows H_{j->t} (feature resolution) for the queries of a window: 'all' (composed through the middle) or the query. */
export function windowHomographies(cc: ClipCache, w: Window, queries: 'all' | 'query', geometry = true): number[][][] {
  const T = w.frames.length;
  const toQ = w.frames.map((f) => (geometry ? frameHomography(cc, f, w.frames[w.query]) : identity()));
  const feat = (h: Mat3) => scaleHomography(h, { width: FRAME_SIZE, height: FRAME_SIZE }, { width: FEATURE_SIZE, height: FEATURE_SIZE });
  if (queries === 'query') return [toQ.map(feat)];
  // H_{j->t} = H_{q->t} H_{j->q} = inv(H_{t->q}) H_{j->q}: only pairs with the query are estimated.
  return Array.from({ length: T }, (_, t) => toQ.map((hj, j) => feat(j === t ? identity() : normalize(mul(invert(toQ[t]), hj)))));
}

export { pairsOf };

function grayOf(c: Clip, index: number): GrayImage {
  const img = decodePng(readFileSync(join(c.dir, c.meta.frames[index].image)));
  const data = new Uint8Array(img.width * img.height);
  for (let p = 0; p < data.length; p++) {
    const o = p * img.channels;
    data[p] = Math.round(0.299 * img.data[o] + 0.587 * img.data[o + 1] + 0.114 * img.data[o + 2]);
  }
  return { width: img.width, height: img.height, data };
}

export interface WindowCacheContext {
  root: string;
  cv: CV;
  hcfg: HomographyConfig;
  trunk: tf.LayersModel | null;
  loadTrunk: () => Promise<tf.LayersModel>;
}

/** The cache's root (keyed by the trunk's weights and the homography config; clips: clipCacheDir). */
export function windowCacheRoot(cacheDir: string, hcfg: HomographyConfig, step = FRAME_STEP): string {
  const trunkEntry = readManifest().models.find((m) => m.id === 'visual-mobilenetv2')!;
  const key = createHash('sha256').update(JSON.stringify(['ego000-windows-v1', step, trunkEntry.files.map((f) => f.sha256), hcfg])).digest('hex').slice(0, 16);
  return join(cacheDir, key);
}

export async function openWindowCache(cacheDir = join('.cache', 'ego000'), homography: Partial<HomographyConfig> = {}): Promise<WindowCacheContext> {
  // another homography config gets its own cache folder (the root is keyed by the whole config)
  const hcfg = validateHomographyConfig(homography);
  const { cv } = await loadOpenCV();
  const ctx: WindowCacheContext = {
    root: windowCacheRoot(cacheDir, hcfg),
    cv,
    hcfg,
    trunk: null,
    loadTrunk: async () => (ctx.trunk ??= await loadVisualTrunk(readManifest(), MODELS_BASE_URL, { fetcher: modelsFetcher })),
  };
  return ctx;
}

/**
 * A clip's directory in the cache: its folder name plus a digest of what it is (meta.json, which
 * holds the generator's seed, split, index and every drawn value, and its first frame). Folder
 * names alone repeat across datasets (every set's first training clip is train-000000), and a
 * cache keyed by them hands one set's features and homographies to another's clips.
 */
export function clipCacheDir(root: string, c: Clip): string {
  const name = c.dir.split(/[\\/]/).pop()!;
  const h = createHash('sha256').update(readFileSync(join(c.dir, 'meta.json')));
  if (c.meta.frames.length) h.update(readFileSync(join(c.dir, c.meta.frames[0].image)));
  return join(root, `${name}-${h.digest('hex').slice(0, 12)}`);
}

/** Loads a clip's cache, computing the grid's f14 and any missing homography pairs. */
export async function clipCache(ctx: WindowCacheContext, c: Clip, pairs: [number, number][], step = FRAME_STEP): Promise<ClipCache> {
  const dir = clipCacheDir(ctx.root, c);
  mkdirSync(dir, { recursive: true });
  const n = c.meta.frames.length;
  const frames = Array.from({ length: Math.ceil(n / step) }, (_, k) => k * step).filter((f) => f < n);
  let f14: Uint8Array;
  const fPath = join(dir, 'f14.u8');
  if (existsSync(fPath)) {
    f14 = new Uint8Array(readFileSync(fPath));
    if (f14.length !== frames.length * F14) throw new Error(`${fPath}: ${f14.length} bytes, expected ${frames.length * F14}`);
  } else {
    const trunk = await ctx.loadTrunk();
    f14 = new Uint8Array(frames.length * F14);
    for (let s = 0; s < frames.length; s += 8) {
      const part = frames.slice(s, s + 8);
      const rgb = new Float32Array(part.length * 224 * 224 * 3);
      part.forEach((fi, i) => rgb.set(readFrameRgb(c, fi), i * 224 * 224 * 3));
      const feats = tf.tidy(() => {
        const { f14: a, f28 } = visualFeatures(trunk, tf.tensor4d(rgb, [part.length, 224, 224, 3]));
        f28.dispose();
        return a;
      });
      const v = feats.dataSync();
      feats.dispose();
      for (let i = 0; i < v.length; i++) f14[s * F14 + i] = Math.max(0, Math.min(255, Math.round(v[i] / F14_SCALE)));
    }
    writeFileSync(fPath + '.tmp', f14);
    renameSync(fPath + '.tmp', fPath);
  }
  const hPath = join(dir, 'pairs.json');
  const stored: ClipCache['pairs'] = existsSync(hPath) ? JSON.parse(readFileSync(hPath, 'utf8')) : {};
  const missing = pairs.filter(([a, b]) => !stored[`${a},${b}`]);
  if (missing.length) {
    Object.assign(stored, estimatePairs(ctx.cv, (f) => grayOf(c, f), missing, ctx.hcfg));
    writeFileSync(hPath + '.tmp', JSON.stringify(stored));
    renameSync(hPath + '.tmp', hPath);
  }
  return { frames, f14, pairs: stored };
}

/** Dequantised f14 rows of the given grid frames: [frames.length, 14, 14, 576] as a flat array. */
export function f14Rows(cc: ClipCache, frames: number[]): Float32Array {
  const out = new Float32Array(frames.length * F14);
  frames.forEach((f, i) => {
    const r = cc.frames.indexOf(f);
    if (r < 0) throw new Error(`frame ${f} is not on the cached grid`);
    const src = cc.f14.subarray(r * F14, (r + 1) * F14);
    for (let k = 0; k < F14; k++) out[i * F14 + k] = src[k] * F14_SCALE;
  });
  return out;
}

// ---- CLI: fill the cache for a split ---------------------------------------------------------
if (process.argv[1] && process.argv[1].endsWith('windows.ts')) {
  const arg = (k: string, d: string) => { const i = process.argv.indexOf(`--${k}`); return i >= 0 ? process.argv[i + 1] : d; };
  const data = arg('data', '');
  const split = arg('split', 'train');
  const T = Number(arg('frames', split === 'test' ? String(TEST_FRAMES) : String(TRAIN_FRAMES)));
  await useWasm();
  const ctx = await openWindowCache(undefined, refineFlag(arg));
  // --shard i/n: every n-th clip from the i-th (one process per core; each clip has its own folder)
  const shard = shardFlag(arg);
  const clips = listClips(data, split).filter((_, k) => shard.mine(k));
  const t0 = Date.now();
  let fb = 0;
  let np = 0;
  for (const [k, c] of clips.entries()) {
    const n = c.meta.frames.length;
    const windows = split === 'test' || T === TEST_FRAMES
      ? Array.from({ length: Math.ceil(n / FRAME_STEP) }, (_, i) => windowAround(i * FRAME_STEP, n, T))
      : centredWindows(n, T);
    const cc = await clipCache(ctx, c, pairsOf(windows));
    for (const p of Object.values(cc.pairs)) { np++; if (p.fallback) fb++; }
    if (k % 10 === 0 || k === clips.length - 1) console.log(`${split} ${k + 1}/${clips.length} clips, ${np} pairs (${fb} fell back to identity), ${((Date.now() - t0) / 1000).toFixed(0)} s -> ${ctx.root}`);
  }
  ctx.trunk?.dispose();
}
