/**
 * One typed config for homography estimation (DESIGN.md convention 5): DEFAULT_HOMOGRAPHY_CONFIG
 * + validateHomographyConfig(), which copies, fills defaults and throws InvalidConfigError naming
 * the allowed range.
 *
 * Paper 000 (sec. 2.3 and its public code): SIFT + ratio 0.7, fewer than 10 good matches ->
 * identity, RANSAC 5 px. opencv.js has no SIFT; the defaults below were chosen by measurement
 * (docs/geometry.md), not copied from the paper.
 */
import { InvalidConfigError } from '../errors';

export type Detector = 'orb' | 'akaze';
export type RobustMethod = 'ransac' | 'magsac';
export type Refinement = 'none' | 'ecc';

/** Whether a value (a flag, a link field, a request) names a refinement. */
export function isRefinement(x: unknown): x is Refinement {
  return x === 'none' || x === 'ecc';
}

export interface HomographyConfig {
  /** Keypoint detector + binary descriptor. */
  detector: Detector;
  /** Keypoints kept per frame after spatial spreading (ORB). Paper: SIFT default (~unbounded). */
  maxFeatures: number;
  /** ORB FAST threshold; lower finds corners in low-contrast frames. OpenCV default 20. */
  fastThreshold: number;
  /** AKAZE detector response threshold. OpenCV default 0.001. */
  akazeThreshold: number;
  /** Grid (cols x rows) used to spread keypoints over the frame; 1 = keep the strongest only. */
  gridCols: number;
  gridRows: number;
  /** Lowe ratio test on Hamming kNN (k = 2). Paper: 0.7 (SIFT). */
  ratio: number;
  /**
   * Hamming matcher: 'js' (hamming.ts: a WebAssembly kernel, its TypeScript loop where WebAssembly
   * cannot run; the loop alone measured 3.5x faster than cv.BFMatcher, the kernel 4-6x faster than
   * the loop) or 'cv' (cv.BFMatcher). Same accepted matches either way.
   */
  matcher: 'js' | 'cv';
  /** Keep only mutual nearest neighbours. */
  crossCheck: boolean;
  /** Fewer good matches than this -> identity (paper: 10). */
  minMatches: number;
  /** Fewer robust-fit inliers than this -> identity. */
  minInliers: number;
  /** Robust estimator: RANSAC or USAC_MAGSAC (OpenCV >= 4.5). */
  method: RobustMethod;
  /** Reprojection threshold (px) of the robust fit. Paper: 5 (RANSAC). */
  reprojThreshold: number;
  /** Robust-fit iterations and confidence. */
  maxIters: number;
  confidence: number;
  /** Sub-pixel refinement after the robust fit. */
  refine: Refinement;
  /** ECC: iterations per level, coarsest level (1 = half resolution) and finest level run. */
  eccIterations: number;
  eccLevels: number;
  eccFinestLevel: number;
  /** A refinement that moves the corners more than this (px) is discarded as diverged. */
  maxRefineShiftPx: number;
  /** ECC results whose final correlation coefficient is below this are discarded. */
  minEccCorrelation: number;
  /** Frame standard deviation (grey levels) below which a frame counts as textureless. */
  minTextureStd: number;
  /** Degeneracy: linear scale (sqrt of area ratio of the warped frame) outside [1/s, s]. */
  maxScale: number;
  /** Degeneracy: |det| of the normalised H below this counts as near-singular. */
  minDet: number;
}

export const DEFAULT_HOMOGRAPHY_CONFIG: Readonly<HomographyConfig> = Object.freeze({
  detector: 'orb',
  maxFeatures: 800,
  fastThreshold: 12,
  akazeThreshold: 0.0005,
  gridCols: 8,
  gridRows: 6,
  ratio: 0.8,
  matcher: 'js',
  crossCheck: true,
  minMatches: 10,
  minInliers: 8,
  method: 'magsac',
  reprojThreshold: 2.5,
  maxIters: 5000,
  confidence: 0.999,
  refine: 'ecc',
  eccIterations: 30,
  eccLevels: 1,
  eccFinestLevel: 1,
  maxRefineShiftPx: 12,
  minEccCorrelation: 0.4,
  minTextureStd: 4,
  maxScale: 2,
  minDet: 1e-3,
});

type Range = { min: number; max: number; int?: boolean };
const RANGES: Partial<Record<keyof HomographyConfig, Range>> = {
  maxFeatures: { min: 50, max: 20000, int: true },
  fastThreshold: { min: 1, max: 100, int: true },
  akazeThreshold: { min: 1e-6, max: 0.1 },
  gridCols: { min: 1, max: 32, int: true },
  gridRows: { min: 1, max: 32, int: true },
  ratio: { min: 0.3, max: 1 },
  minMatches: { min: 4, max: 1000, int: true },
  minInliers: { min: 4, max: 1000, int: true },
  reprojThreshold: { min: 0.1, max: 50 },
  maxIters: { min: 10, max: 100000, int: true },
  confidence: { min: 0.5, max: 0.999999 },
  eccIterations: { min: 1, max: 500, int: true },
  eccLevels: { min: 0, max: 4, int: true },
  eccFinestLevel: { min: 0, max: 4, int: true },
  maxRefineShiftPx: { min: 0.1, max: 100 },
  minEccCorrelation: { min: -1, max: 1 },
  minTextureStd: { min: 0, max: 64 },
  maxScale: { min: 1.01, max: 100 },
  minDet: { min: 0, max: 1 },
};

/** Copies `partial` over the defaults and checks every field; throws InvalidConfigError. */
export function validateHomographyConfig(partial: Partial<HomographyConfig> = {}): HomographyConfig {
  const c: HomographyConfig = { ...DEFAULT_HOMOGRAPHY_CONFIG, ...partial };
  if (c.detector !== 'orb' && c.detector !== 'akaze') throw new InvalidConfigError('detector', `must be 'orb' or 'akaze', got ${String(c.detector)}`);
  if (c.method !== 'ransac' && c.method !== 'magsac') throw new InvalidConfigError('method', `must be 'ransac' or 'magsac', got ${String(c.method)}`);
  if (!isRefinement(c.refine)) throw new InvalidConfigError('refine', `must be 'none' or 'ecc', got ${String(c.refine)}`);
  if (c.matcher !== 'js' && c.matcher !== 'cv') throw new InvalidConfigError('matcher', `must be 'js' or 'cv', got ${String(c.matcher)}`);
  if (typeof c.crossCheck !== 'boolean') throw new InvalidConfigError('crossCheck', 'must be true or false');
  for (const [key, r] of Object.entries(RANGES) as [keyof HomographyConfig, Range][]) {
    const v = c[key] as unknown;
    if (typeof v !== 'number' || !Number.isFinite(v) || v < r.min || v > r.max || (r.int && !Number.isInteger(v))) {
      throw new InvalidConfigError(key, `must be ${r.int ? 'an integer' : 'a number'} in [${r.min}, ${r.max}], got ${String(v)}`);
    }
  }
  if (c.eccFinestLevel > c.eccLevels) throw new InvalidConfigError('eccFinestLevel', `must not exceed eccLevels (${c.eccLevels}), got ${c.eccFinestLevel}`);
  if (c.minInliers > c.minMatches) throw new InvalidConfigError('minInliers', `must not exceed minMatches (${c.minMatches}), got ${c.minInliers}`);
  return c;
}
