/**
 * H_ji = h(I_j, I_i): the homography from support frame j to query frame i (paper 000, sec. 2.3).
 *
 * Pipeline per pair (each step measured in docs/geometry.md):
 *  1. features per frame, computed once and reused by every pair the frame is in:
 *     ORB on a grid (detect 3x the budget, keep the strongest per cell so matches cover the
 *     whole frame, which pins the corners) or AKAZE;
 *  2. brute-force Hamming kNN (k = 2), Lowe ratio test, mutual nearest neighbours;
 *  3. robust fit: USAC_MAGSAC (or RANSAC), then the paper's rule: too few matches -> identity;
 *  4. sub-pixel refinement by ECC (findTransformECC, MOTION_HOMOGRAPHY) started from the robust
 *     fit: ECC maximises the zero-mean normalised correlation, so a brightness gain/offset does
 *     not bias it, and it uses every textured pixel instead of a few hundred keypoints;
 *  5. degeneracy checks on the result (near-singular, flip, extreme scale/perspective): any hit
 *     -> identity with the reason.
 *
 * Memory: all opencv objects live in a CvScope and are deleted in `finally`; features leave the
 * wasm heap as plain typed arrays.
 */
import type { CV } from './opencv';
import { withCvScope, type CvScope } from './scope';
import type { GrayImage } from './png';
import type { HomographyConfig } from './config';
import { hammingKnn } from './hamming';
import { apply, det, frameCorners, identity, invert, isConvexQuad, meanCornerError, normalize, polygonArea, scaleHomography, type Mat3 } from './homography';

export type FallbackReason =
  | 'textureless'
  | 'too-few-matches'
  | 'too-few-inliers'
  | 'estimation-failed'
  | 'near-singular'
  | 'flip'
  | 'extreme-scale'
  | 'extreme-perspective';

export interface PairHomography {
  /** Support frame index j (source of H). */
  from: number;
  /** Query frame index i (target of H). */
  to: number;
  /** H_ji, row-major 3x3, H[8] = 1; identity when `fallback`. */
  H: Mat3;
  /** Good matches after ratio + mutual tests. */
  matches: number;
  /** Robust-fit inliers among them. */
  inliers: number;
  /** inliers / matches (0 when there are no matches). */
  inlierRatio: number;
  fallback: boolean;
  reason: FallbackReason | null;
  /** Human-readable detail for the fallback (counts, values). */
  detail?: string;
  /** Which refinement was applied: 'ecc' when it converged and was kept. */
  refined: 'none' | 'ecc';
  /** ECC's final correlation coefficient when ECC was kept. */
  eccRho?: number;
  /** How estimated: direct j->i or composed from consecutive pairs. */
  via: 'direct' | 'chained' | 'self';
}

export interface FrameFeatures {
  width: number;
  height: number;
  /** Grey-level standard deviation of the frame. */
  std: number;
  /** Keypoint positions, [x0, y0, x1, y1, ...]. */
  points: Float32Array;
  /** Descriptors, `count` rows of `descBytes` bytes. */
  descriptors: Uint8Array;
  descBytes: number;
  count: number;
}

export function cvErrorMessage(cv: CV, e: unknown): string {
  if (typeof e === 'number') {
    try {
      const ex = cv.exceptionFromPtr?.(e);
      if (ex?.msg) return String(ex.msg);
    } catch {
      /* fall through */
    }
    return `opencv exception (ptr ${e})`;
  }
  return e instanceof Error ? e.message : String(e);
}

/** A Mat that views a gray image (copied into the wasm heap). */
export function grayToMat(cv: CV, scope: CvScope, img: GrayImage): CV {
  const m = scope.track(new cv.Mat(img.height, img.width, cv.CV_8UC1));
  (m.data as Uint8Array).set(img.data);
  return m;
}

function stdOf(img: GrayImage): number {
  let s = 0, s2 = 0;
  const n = img.data.length;
  for (let i = 0; i < n; i++) { const v = img.data[i]; s += v; s2 += v * v; }
  const mean = s / n;
  return Math.sqrt(Math.max(0, s2 / n - mean * mean));
}

interface Kp { angle: number; class_id: number; octave: number; pt: { x: number; y: number }; response: number; size: number }

/** Keeps the strongest keypoints per grid cell, then fills up to `budget` by response. */
function spreadKeypoints(kps: Kp[], width: number, height: number, cols: number, rows: number, budget: number): Kp[] {
  if (kps.length <= budget) return kps;
  const order = kps.map((_, i) => i).sort((a, b) => kps[b].response - kps[a].response);
  const quota = Math.floor(budget / (cols * rows));
  const perCell = new Int32Array(cols * rows);
  const taken = new Uint8Array(kps.length);
  const out: Kp[] = [];
  if (quota > 0) {
    for (const i of order) {
      const k = kps[i];
      const cx = Math.min(cols - 1, Math.floor((k.pt.x / width) * cols));
      const cy = Math.min(rows - 1, Math.floor((k.pt.y / height) * rows));
      const c = cy * cols + cx;
      if (perCell[c] < quota) { perCell[c]++; taken[i] = 1; out.push(k); }
    }
  }
  for (const i of order) {
    if (out.length >= budget) break;
    if (!taken[i]) out.push(kps[i]);
  }
  return out;
}

/** Detects and describes keypoints of one frame. */
export function extractFeaturesFromMat(cv: CV, gray: CV, img: GrayImage, cfg: HomographyConfig): FrameFeatures {
  return withCvScope((scope) => {
    const kps = scope.track(new cv.KeyPointVector());
    const desc = scope.track(new cv.Mat());
    const noMask = scope.track(new cv.Mat());
    if (cfg.detector === 'orb') {
      const detectBudget = cfg.gridCols * cfg.gridRows > 1 ? cfg.maxFeatures * 3 : cfg.maxFeatures;
      // nfeatures, scaleFactor, nlevels, edgeThreshold, firstLevel, WTA_K, scoreType(HARRIS), patchSize, fastThreshold
      const orb = scope.track(new cv.ORB(detectBudget, 1.2, 8, 31, 0, 2, 0, 31, cfg.fastThreshold));
      const all = scope.track(new cv.KeyPointVector());
      orb.detect(gray, all, noMask);
      const list: Kp[] = [];
      const n = all.size();
      for (let i = 0; i < n; i++) list.push(all.get(i));
      const kept = spreadKeypoints(list, img.width, img.height, cfg.gridCols, cfg.gridRows, cfg.maxFeatures);
      for (const k of kept) kps.push_back(k);
      orb.compute(gray, kps, desc);
    } else {
      const akaze = scope.track(new cv.AKAZE());
      akaze.setThreshold(cfg.akazeThreshold);
      akaze.detectAndCompute(gray, noMask, kps, desc);
    }
    const count = desc.rows;
    const points = new Float32Array(2 * count);
    for (let i = 0; i < count; i++) {
      const k = kps.get(i) as Kp;
      points[2 * i] = k.pt.x;
      points[2 * i + 1] = k.pt.y;
    }
    const descBytes = count > 0 ? desc.cols : 0;
    return {
      width: img.width,
      height: img.height,
      std: stdOf(img),
      points,
      descriptors: new Uint8Array(desc.data as Uint8Array),
      descBytes,
      count,
    };
  });
}

export function extractFeatures(cv: CV, img: GrayImage, cfg: HomographyConfig): FrameFeatures {
  return withCvScope((scope) => extractFeaturesFromMat(cv, grayToMat(cv, scope, img), img, cfg));
}

/** Ratio + mutual test matches: pairs of indices [j, i]. */
export function matchFeatures(cv: CV, fj: FrameFeatures, fi: FrameFeatures, cfg: HomographyConfig): Int32Array {
  if (fj.count < 2 || fi.count < 2) return new Int32Array(0);
  if (cfg.matcher === 'js' && fj.descBytes % 4 === 0) {
    const k = hammingKnn(fj.descriptors, fj.count, fi.descriptors, fi.count, fj.descBytes);
    const out: number[] = [];
    for (let q = 0; q < fj.count; q++) {
      const t = k.best[q];
      if (t < 0 || k.bestDist[q] >= cfg.ratio * k.secondDist[q]) continue;
      if (cfg.crossCheck && k.reverseBest[t] !== q) continue;
      out.push(q, t);
    }
    return Int32Array.from(out);
  }
  return withCvScope((scope) => {
    const dj = scope.track(cv.matFromArray(fj.count, fj.descBytes, cv.CV_8U, fj.descriptors));
    const di = scope.track(cv.matFromArray(fi.count, fi.descBytes, cv.CV_8U, fi.descriptors));
    const bf = scope.track(new cv.BFMatcher(cv.NORM_HAMMING, false));
    const knn = scope.track(new cv.DMatchVectorVector());
    bf.knnMatch(dj, di, knn, 2);
    let back: Int32Array | null = null;
    if (cfg.crossCheck) {
      const rev = scope.track(new cv.DMatchVector());
      bf.match(di, dj, rev);
      back = new Int32Array(fi.count).fill(-1);
      const n = rev.size();
      for (let k = 0; k < n; k++) {
        const m = rev.get(k);
        back[m.queryIdx] = m.trainIdx;
      }
    }
    const out: number[] = [];
    const n = knn.size();
    for (let q = 0; q < n; q++) {
      const pair = knn.get(q);
      if (pair.size() < 2) {
        pair.delete();
        continue;
      }
      const best = pair.get(0);
      const second = pair.get(1);
      pair.delete();
      if (best.distance >= cfg.ratio * second.distance) continue;
      if (back && back[best.trainIdx] !== best.queryIdx) continue;
      out.push(best.queryIdx, best.trainIdx);
    }
    return Int32Array.from(out);
  });
}

/** Returns a reason when H is not a plausible camera motion between frames of this size. */
export function degeneracy(H: Mat3, width: number, height: number, cfg: Pick<HomographyConfig, 'maxScale' | 'minDet'>): { reason: FallbackReason; detail: string } | null {
  if (!H.every(Number.isFinite) || Math.abs(H[8]) < 1e-9) return { reason: 'near-singular', detail: 'non-finite entries or H[2][2] ~ 0' };
  const h = normalize(H);
  const d = det(h);
  if (Math.abs(d) < cfg.minDet) return { reason: 'near-singular', detail: `det ${d.toExponential(2)}` };
  const corners = frameCorners(width, height);
  for (const [x, y] of corners) {
    const w = h[6] * x + h[7] * y + h[8];
    if (w <= 0.1) return { reason: 'extreme-perspective', detail: `a frame corner maps through the horizon (w ${w.toFixed(3)})` };
  }
  const affineDet = h[0] * h[4] - h[1] * h[3];
  if (affineDet <= 0) return { reason: 'flip', detail: `affine part has det ${affineDet.toFixed(3)}` };
  const warped = corners.map(([x, y]) => apply(h, x, y));
  if (!isConvexQuad(warped)) return { reason: 'extreme-perspective', detail: 'warped frame is not convex' };
  // Orientation: same sign of the signed area as the original corners.
  let signed = 0;
  for (let k = 0; k < 4; k++) {
    const [x0, y0] = warped[k];
    const [x1, y1] = warped[(k + 1) % 4];
    signed += x0 * y1 - x1 * y0;
  }
  if (signed <= 0) return { reason: 'flip', detail: 'warped frame is mirrored' };
  const scale = Math.sqrt(polygonArea(warped) / polygonArea(corners));
  if (scale > cfg.maxScale || scale < 1 / cfg.maxScale) return { reason: 'extreme-scale', detail: `linear scale ${scale.toFixed(3)}` };
  return null;
}

function fallback(from: number, to: number, reason: FallbackReason, detail: string, matches = 0, inliers = 0): PairHomography {
  return { from, to, H: identity(), matches, inliers, inlierRatio: matches ? inliers / matches : 0, fallback: true, reason, detail, refined: 'none', via: 'direct' };
}

function matToMat3(cv: CV, m: CV): Mat3 {
  const out = new Array<number>(9);
  const f64 = m.type() === cv.CV_64F;
  for (let k = 0; k < 9; k++) out[k] = f64 ? m.data64F[k] : m.data32F[k];
  return out;
}

/**
 * ECC refinement of H_ji: findTransformECC aligns the input (frame j) to the template (frame i)
 * with a warp W that maps template coordinates to input coordinates, i.e. W = H_ij = H_ji^-1.
 * Optionally runs a coarse pass at half resolution first. Returns null when ECC throws.
 */
export function refineEcc(cv: CV, scope: CvScope, matJ: CV, matI: CV, H: Mat3, width: number, height: number, cfg: HomographyConfig): { H: Mat3; rho: number } | null {
  let Hij = invert(H);
  const crit = new cv.TermCriteria(cv.TermCriteria_COUNT + cv.TermCriteria_EPS, cfg.eccIterations, 1e-4);
  const noMask = scope.track(new cv.Mat());
  let rho = NaN;
  try {
    for (let level = cfg.eccLevels; level >= cfg.eccFinestLevel; level--) {
      const f = 1 / (1 << level);
      let tpl = matI, inp = matJ;
      let lw = width, lh = height;
      if (level > 0) {
        lw = Math.round(width * f);
        lh = Math.round(height * f);
        tpl = scope.track(new cv.Mat());
        inp = scope.track(new cv.Mat());
        cv.resize(matI, tpl, new cv.Size(lw, lh), 0, 0, cv.INTER_AREA);
        cv.resize(matJ, inp, new cv.Size(lw, lh), 0, 0, cv.INTER_AREA);
      }
      const Wl = level > 0 ? scaleHomography(Hij, { width, height }, { width: lw, height: lh }) : Hij;
      const warp = scope.track(cv.matFromArray(3, 3, cv.CV_32F, Wl));
      rho = cv.findTransformECC(tpl, inp, warp, cv.MOTION_HOMOGRAPHY, crit, noMask, 5);
      const got = matToMat3(cv, warp);
      Hij = level > 0 ? scaleHomography(got, { width: lw, height: lh }, { width, height }) : got;
    }
  } catch {
    return null;
  }
  return { H: normalize(invert(Hij)), rho };
}

/** Estimates H_ji from precomputed features (and the frames, for ECC). */
export function estimateFromFeatures(
  cv: CV,
  scope: CvScope,
  j: number,
  i: number,
  fj: FrameFeatures,
  fi: FrameFeatures,
  matJ: CV,
  matI: CV,
  cfg: HomographyConfig,
): PairHomography {
  if (fj.std < cfg.minTextureStd || fi.std < cfg.minTextureStd) {
    return fallback(j, i, 'textureless', `frame std ${Math.min(fj.std, fi.std).toFixed(2)} < ${cfg.minTextureStd}`);
  }
  if (fj.count < cfg.minMatches || fi.count < cfg.minMatches) {
    return fallback(j, i, 'textureless', `only ${Math.min(fj.count, fi.count)} keypoints`);
  }
  const pairs = matchFeatures(cv, fj, fi, cfg);
  const n = pairs.length / 2;
  if (n < cfg.minMatches) return fallback(j, i, 'too-few-matches', `${n} good matches < ${cfg.minMatches}`, n);
  const src = new Float32Array(2 * n);
  const dst = new Float32Array(2 * n);
  for (let k = 0; k < n; k++) {
    const a = pairs[2 * k], b = pairs[2 * k + 1];
    src[2 * k] = fj.points[2 * a]; src[2 * k + 1] = fj.points[2 * a + 1];
    dst[2 * k] = fi.points[2 * b]; dst[2 * k + 1] = fi.points[2 * b + 1];
  }
  const srcMat = scope.track(cv.matFromArray(n, 1, cv.CV_32FC2, src));
  const dstMat = scope.track(cv.matFromArray(n, 1, cv.CV_32FC2, dst));
  const mask = scope.track(new cv.Mat());
  const method = cfg.method === 'magsac' ? cv.USAC_MAGSAC : cv.RANSAC;
  let Hm: CV;
  try {
    Hm = scope.track(cv.findHomography(srcMat, dstMat, method, cfg.reprojThreshold, mask, cfg.maxIters, cfg.confidence));
  } catch (e) {
    return fallback(j, i, 'estimation-failed', cvErrorMessage(cv, e), n);
  }
  if (Hm.empty() || Hm.rows !== 3) return fallback(j, i, 'estimation-failed', 'robust fit found no model', n);
  let inliers = 0;
  const md = mask.data as Uint8Array;
  for (let k = 0; k < md.length; k++) if (md[k]) inliers++;
  if (inliers < cfg.minInliers) return fallback(j, i, 'too-few-inliers', `${inliers} inliers < ${cfg.minInliers}`, n, inliers);
  let H = normalize(matToMat3(cv, Hm));
  const bad = degeneracy(H, fj.width, fj.height, cfg);
  if (bad) return fallback(j, i, bad.reason, bad.detail, n, inliers);
  let refined: PairHomography['refined'] = 'none';
  let eccRho: number | undefined;
  if (cfg.refine === 'ecc') {
    const R = refineEcc(cv, scope, matJ, matI, H, fj.width, fj.height, cfg);
    if (R && R.rho >= cfg.minEccCorrelation && !degeneracy(R.H, fj.width, fj.height, cfg) && meanCornerError(R.H, H, fj.width, fj.height) <= cfg.maxRefineShiftPx) {
      H = R.H;
      refined = 'ecc';
      eccRho = R.rho;
    }
  }
  return { from: j, to: i, H, matches: n, inliers, inlierRatio: inliers / n, fallback: false, reason: null, refined, eccRho, via: 'direct' };
}

/** One pair, end to end: H_ji mapping frame j's pixels onto frame i's. */
export function estimatePairHomography(cv: CV, imgJ: GrayImage, imgI: GrayImage, cfg: HomographyConfig, j = 1, i = 0): PairHomography {
  if (imgJ.width !== imgI.width || imgJ.height !== imgI.height) throw new Error(`frames differ in size: ${imgJ.width}x${imgJ.height} vs ${imgI.width}x${imgI.height}`);
  return withCvScope((scope) => {
    const matJ = grayToMat(cv, scope, imgJ);
    const matI = grayToMat(cv, scope, imgI);
    const fj = extractFeaturesFromMat(cv, matJ, imgJ, cfg);
    const fi = extractFeaturesFromMat(cv, matI, imgI, cfg);
    return estimateFromFeatures(cv, scope, j, i, fj, fi, matJ, matI, cfg);
  });
}
