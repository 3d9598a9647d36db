/**
 * Accuracy protocol shared by the unit tests, the in-browser suite and the bench, so all three
 * report the same figures for the same seeds:
 *
 *  for each photo and each of `pairsPerPhoto` seeds: synthPair (head-motion H, blur, noise,
 *  gain) -> estimatePairHomography -> mean corner error against the true H.
 *  success = not fallen back and corner error < 3 px.
 *  meanCornerErrPx = mean error over successful pairs (as the FIELD-NOTES peer figures);
 *  meanCornerErrAllPx = mean over all pairs with each error capped at 20 px (a fallback counts
 *  as its identity error, capped).
 */
import type { CV } from './opencv';
import type { GrayImage } from './png';
import type { HomographyConfig } from './config';
import { estimatePairHomography, type PairHomography } from './estimate';
import { meanCornerError } from './homography';
import { synthPair, HEAD_MOTION, type MotionRange } from './synth';

export const SUCCESS_PX = 3;
const CAP_PX = 20;

export interface PairOutcome {
  photo: number;
  seed: number;
  errPx: number;
  result: PairHomography;
  ms: number;
}

export interface AccuracySummary {
  pairs: number;
  successRate: number;
  fallbackRate: number;
  meanCornerErrPx: number;
  meanCornerErrAllPx: number;
  medianCornerErrPx: number;
  /** Mean estimation time per pair (features of both frames + match + fit + refine). */
  ms: number;
  eccRate: number;
}

export function summarize(outcomes: PairOutcome[]): AccuracySummary {
  const n = outcomes.length;
  const ok = outcomes.filter((o) => !o.result.fallback && o.errPx < SUCCESS_PX);
  const errs = outcomes.map((o) => Math.min(o.errPx, CAP_PX)).sort((a, b) => a - b);
  return {
    pairs: n,
    successRate: n ? ok.length / n : 0,
    fallbackRate: n ? outcomes.filter((o) => o.result.fallback).length / n : 0,
    meanCornerErrPx: ok.length ? ok.reduce((s, o) => s + o.errPx, 0) / ok.length : NaN,
    meanCornerErrAllPx: n ? errs.reduce((s, e) => s + e, 0) / n : NaN,
    medianCornerErrPx: n ? errs[Math.floor(n / 2)] : NaN,
    ms: n ? outcomes.reduce((s, o) => s + o.ms, 0) / n : NaN,
    eccRate: n ? outcomes.filter((o) => o.result.refined === 'ecc').length / n : 0,
  };
}

export interface AccuracyOptions {
  width: number;
  height: number;
  pairsPerPhoto: number;
  seed: number;
  range?: MotionRange;
  now?: () => number;
}

export function runAccuracy(cv: CV, photos: GrayImage[], cfg: HomographyConfig, opts: AccuracyOptions): PairOutcome[] {
  const now = opts.now ?? (() => performance.now());
  const out: PairOutcome[] = [];
  photos.forEach((photo, p) => {
    for (let k = 0; k < opts.pairsPerPhoto; k++) {
      const seed = (opts.seed + 1000 * p + k) >>> 0;
      const pair = synthPair(cv, photo, opts.width, opts.height, seed, opts.range ?? HEAD_MOTION);
      const t0 = now();
      const result = estimatePairHomography(cv, pair.frameJ, pair.frameI, cfg);
      const ms = now() - t0;
      out.push({ photo: p, seed, errPx: meanCornerError(result.H, pair.H, opts.width, opts.height), result, ms });
    }
  });
  return out;
}
