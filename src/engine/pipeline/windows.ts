/**
 * Paper 000's frame windows and the homographies they need, shared by training (tools/models),
 * evaluation (tools/eval.ts) and inference (localizer.ts: the app's engine worker and the localize
 * CLI), so all three cut windows and estimate pairs the same way.
 *
 * A window is T frames `step` apart around a query frame q (the public code: T = 5 for training,
 * 9 for testing, frames 2 apart at 8 fps, query = middle). Near the ends of the frames available
 * it is shifted to stay inside, and the query is then not the middle frame.
 *
 * Homographies: every unordered pair {a, b} (a < b) is estimated once as H_{b->a}, b matched
 * directly to a (the paper's h(I_j, I_i)); the other direction is its inverse. Features are
 * extracted once per frame and shared by every pair that frame is in; a FeatureStore keeps them
 * across calls (live mode's overlapping windows: a frame's features depend on its pixels only).
 */
import type { CV } from '../geometry/opencv';
import type { HomographyConfig } from '../geometry/config';
import type { GrayImage } from '../geometry/png';
import { withCvScope } from '../geometry/scope';
import { estimateFromFeatures, extractFeaturesFromMat, grayToMat, type FrameFeatures } from '../geometry/estimate';
import { identity, invert, normalize, type Mat3 } from '../geometry/homography';

export interface Window {
  /** Frame indices of the window, in time order. */
  frames: number[];
  /** Position of the query frame in `frames`. */
  query: number;
}

/** T frames `step` apart around q; shifted inside [0, n) near the ends (same parity as q). */
export function windowAround(q: number, n: number, T: number, step: number): Window {
  if (!Number.isInteger(q) || q < 0 || q >= n) throw new RangeError(`query frame ${q} outside [0, ${n - 1}]`);
  if (!Number.isInteger(T) || T < 1 || !Number.isInteger(step) || step < 1) throw new RangeError(`window of ${T} frames ${step} apart`);
  const span = step * (T - 1);
  let start = q - step * Math.floor((T - 1) / 2);
  const lo = q % step;
  if (start < lo) start = lo;
  while (start + span > n - 1 && start - step >= lo) start -= step;
  const frames: number[] = [];
  for (let k = 0; k < T; k++) if (start + k * step <= n - 1) frames.push(start + k * step);
  return { frames, query: frames.indexOf(q) };
}

/**
 * Live mode's window when the engine may describe at most `budget` new frames per map (each new
 * frame of the heard-object methods is a detector run: on a slow CPU most of a map's time).
 * `candidates` are the window's grid frames newest first, the query first (capture indices);
 * `cached` the frames of the call before, whose per-frame work the engine kept. Walking back from
 * the query, every cached frame is taken and a new one only while fewer than `budget` new ones have
 * been (the query always: it is new, or cached when mapped again). Returns the frames taken, newest
 * first. So a map's new work is bounded, and the frames left out are the older ones that arrived
 * while the map before was being made: the window thins instead of the maps slowing down.
 */
export function boundedWindow(candidates: readonly number[], cached: ReadonlySet<number>, budget: number): number[] {
  if (!(budget >= 1)) throw new RangeError(`a live window's new-frame budget must be at least 1 (got ${budget})`);
  const out: number[] = [];
  let fresh = 0;
  for (const [k, f] of candidates.entries()) {
    if (cached.has(f)) out.push(f);
    else if (k === 0 || fresh < budget) { out.push(f); fresh++; }
  }
  return out;
}

/** Unordered pairs {query, support} (as [a, b], a < b) a set of windows needs, sorted. */
export function pairsOf(windows: Window[]): [number, number][] {
  const set = new Set<string>();
  for (const w of windows) {
    const q = w.frames[w.query];
    for (const f of w.frames) if (f !== q) set.add(f < q ? `${f},${q}` : `${q},${f}`);
  }
  return [...set].map((s) => s.split(',').map(Number) as [number, number]).sort((x, y) => x[0] - y[0] || x[1] - y[1]);
}

/** One estimated pair: H_{b->a} in frame pixels for the key "a,b" (a < b). */
export interface PairEstimate {
  H: Mat3;
  fallback: boolean;
  reason: string | null;
}

export type PairTable = Record<string, PairEstimate>;

/**
 * Features of frames extracted before (same pixels, same config), by frame index of this call:
 * `get` answers those it has, `put` is given every frame's features this call extracted.
 */
export interface FeatureStore {
  get(frame: number): FrameFeatures | undefined;
  put(frame: number, features: FrameFeatures): void;
}

/** Where estimatePairs' time went (ms): grey images and their opencv.js Mats, describing the frames not in the store, and matching, fitting (and refining) the pairs. */
export interface PairTimes { prepare: number; describe: number; fit: number }

/**
 * Estimates H_{b->a} for every [a, b] in `pairs` (a < b) with opencv.js; `gray(f)` gives frame f.
 * A pair whose estimate falls back (too few matches, degenerate, ...) gets the identity, flagged.
 * With a `store`, a frame whose features it has is not described again (the pairs come out the
 * same: matching, the robust fit and the ECC refinement still run for every pair). `times`, when
 * given, is filled with where the time went.
 */
export function estimatePairs(cv: CV, gray: (frame: number) => GrayImage, pairs: [number, number][], cfg: HomographyConfig, store?: FeatureStore, times?: PairTimes): PairTable {
  const out: PairTable = {};
  if (!pairs.length) return out;
  let t = performance.now();
  const lap = (k: keyof PairTimes) => { const now = performance.now(); if (times) times[k] += now - t; t = now; };
  const need = [...new Set(pairs.flat())].sort((x, y) => x - y);
  const grays = new Map(need.map((f) => [f, gray(f)]));
  withCvScope((scope) => {
    const mats = new Map(need.map((f) => [f, grayToMat(cv, scope, grays.get(f)!)]));
    lap('prepare');
    const feats = new Map(need.map((f) => {
      let x = store?.get(f);
      if (!x) {
        x = extractFeaturesFromMat(cv, mats.get(f)!, grays.get(f)!, cfg);
        store?.put(f, x);
      }
      return [f, x];
    }));
    lap('describe');
    for (const [a, b] of pairs) {
      if (!(a < b)) throw new RangeError(`pair [${a}, ${b}]: the first frame must come first`);
      const p = estimateFromFeatures(cv, scope, b, a, feats.get(b)!, feats.get(a)!, mats.get(b)!, mats.get(a)!, cfg);
      out[`${a},${b}`] = { H: p.H, fallback: p.fallback, reason: p.reason };
    }
    lap('fit');
  });
  return out;
}

/** H_{j->i} in frame pixels from a pair table (identity when j == i). */
export function pairHomography(table: PairTable, j: number, i: number): Mat3 {
  if (j === i) return identity();
  const [a, b] = j < i ? [j, i] : [i, j];
  const p = table[`${a},${b}`];
  if (!p) throw new Error(`homography ${j}->${i} was not estimated`);
  return j === b ? p.H : normalize(invert(p.H));
}
