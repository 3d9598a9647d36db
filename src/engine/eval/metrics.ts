/**
 * Localization metrics, exactly as the field reports them (paper 003, LVS "the hard way", and
 * its public evaluation code, which Ego-AV-Loc and most later work reuse):
 *
 *   1. the predicted map (any size) is resized to 224x224 with bilinear interpolation, pixel
 *      centres aligned as OpenCV's INTER_LINEAR does (half-pixel offsets, edges clamped);
 *   2. min-max normalised to [0, 1];
 *   3. binarised at its median: P = map > sorted(map)[floor(N/2)] (strictly greater);
 *   4. cIoU = sum(P*G) / (sum(G) + sum(P * (G == 0))) with G the ground truth: the union of the
 *      sounding boxes (1 inside), or a soft map (0.5 where one of two annotators marked, 1 where
 *      both did);
 *   5. reported: ciou50 = share of samples with cIoU >= 0.5; AUC = trapezoid area under
 *      (share with cIoU >= t) for t = 0, 0.05, ..., 1.
 *
 * A constant map (max == min) has no ranking: it is scored as "every pixel positive", the
 * whole-image prediction the literature uses as its baseline.
 *
 * Size-fair metrics (the median threshold caps cIoU at 2g for a ground truth covering g < 0.5 of
 * the frame, so small objects can never reach 0.5):
 *   - pointing: hit when the argmax of the resized map (first in row-major order on ties) lies
 *     inside a sounding box;
 *   - pixelAP: average precision of the resized map's values as per-pixel scores for the binary
 *     sounding mask (sum over score levels, descending, of (R_k - R_{k-1}) * P_k, ties grouped),
 *     per frame; averaged over frames.
 */
export const EVAL_SIZE = 224;

export interface Box { x0: number; y0: number; x1: number; y1: number }

/** Bilinear resize [h, w] -> [H, W], half-pixel centres (OpenCV INTER_LINEAR), clamped edges. */
export function resizeBilinear(src: ArrayLike<number>, h: number, w: number, H = EVAL_SIZE, W = EVAL_SIZE): Float64Array {
  if (src.length !== h * w) throw new RangeError(`map has ${src.length} values, expected ${h}x${w}`);
  const out = new Float64Array(H * W);
  const sy = h / H;
  const sx = w / W;
  for (let Y = 0; Y < H; Y++) {
    let fy = (Y + 0.5) * sy - 0.5;
    fy = Math.max(0, Math.min(h - 1, fy));
    const y0 = Math.floor(fy);
    const y1 = Math.min(h - 1, y0 + 1);
    const ty = fy - y0;
    for (let X = 0; X < W; X++) {
      let fx = (X + 0.5) * sx - 0.5;
      fx = Math.max(0, Math.min(w - 1, fx));
      const x0 = Math.floor(fx);
      const x1 = Math.min(w - 1, x0 + 1);
      const tx = fx - x0;
      const a = src[y0 * w + x0] * (1 - tx) + src[y0 * w + x1] * tx;
      const b = src[y1 * w + x0] * (1 - tx) + src[y1 * w + x1] * tx;
      out[Y * W + X] = a * (1 - ty) + b * ty;
    }
  }
  return out;
}

export function minMax(m: Float64Array): Float64Array {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of m) { if (v < lo) lo = v; if (v > hi) hi = v; }
  const out = new Float64Array(m.length);
  if (!(hi > lo)) return out.fill(1); // constant map: whole image
  for (let i = 0; i < m.length; i++) out[i] = (m[i] - lo) / (hi - lo);
  return out;
}

/** Binary prediction at the median threshold (strictly greater), or all ones for a constant map. */
export function medianBinarize(norm: Float64Array): Uint8Array {
  const sorted = Float64Array.from(norm).sort();
  const P = new Uint8Array(norm.length);
  if (sorted[0] === sorted[sorted.length - 1]) return P.fill(1);
  const thr = sorted[Math.floor(norm.length / 2)];
  for (let i = 0; i < norm.length; i++) P[i] = norm[i] > thr ? 1 : 0;
  return P;
}

/** Union of boxes as a 224x224 mask; boxes in pixels of a frame of size (frameW, frameH), end exclusive. */
export function boxesToMask(boxes: Box[], frameW: number, frameH: number, H = EVAL_SIZE, W = EVAL_SIZE): Float64Array {
  const G = new Float64Array(H * W);
  for (const b of boxes) {
    const x0 = Math.max(0, Math.floor((b.x0 / frameW) * W));
    const x1 = Math.min(W, Math.ceil((b.x1 / frameW) * W));
    const y0 = Math.max(0, Math.floor((b.y0 / frameH) * H));
    const y1 = Math.min(H, Math.ceil((b.y1 / frameH) * H));
    for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) G[y * W + x] = 1;
  }
  return G;
}

export function ciou(P: Uint8Array, G: ArrayLike<number>): number {
  let inter = 0;
  let gsum = 0;
  let extra = 0;
  for (let i = 0; i < P.length; i++) {
    inter += P[i] * G[i];
    gsum += G[i];
    if (G[i] === 0) extra += P[i];
  }
  const den = gsum + extra;
  return den > 0 ? inter / den : 0;
}

export function pointingHit(map224: Float64Array, G: ArrayLike<number>): boolean {
  let best = 0;
  for (let i = 1; i < map224.length; i++) if (map224[i] > map224[best]) best = i;
  return G[best] > 0;
}

/** Average precision of scores for binary labels (ties grouped, as sklearn does). NaN when no positives. */
export function averagePrecision(scores: ArrayLike<number>, labels: ArrayLike<number>): number {
  const n = scores.length;
  const idx = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[b] - scores[a]);
  let pos = 0;
  for (let i = 0; i < n; i++) if (labels[i] > 0) pos++;
  if (pos === 0) return NaN;
  let tp = 0;
  let seen = 0;
  let ap = 0;
  let prevRecall = 0;
  for (let i = 0; i < n;) {
    const s = scores[idx[i]];
    while (i < n && scores[idx[i]] === s) {
      if (labels[idx[i]] > 0) tp++;
      seen++;
      i++;
    }
    const recall = tp / pos;
    ap += (recall - prevRecall) * (tp / seen);
    prevRecall = recall;
  }
  return ap;
}

export interface FrameScore { ciou: number; pointing: boolean; pixelAP: number }

/** Scores one predicted map [h, w] against a ground truth given at 224x224 (box union or soft map). */
export function scoreFrame(map: ArrayLike<number>, h: number, w: number, G224: ArrayLike<number>): FrameScore {
  const r = resizeBilinear(map, h, w);
  const P = medianBinarize(minMax(r));
  const bin = new Uint8Array(G224.length);
  for (let i = 0; i < bin.length; i++) bin[i] = G224[i] > 0 ? 1 : 0;
  return { ciou: ciou(P, G224), pointing: pointingHit(r, bin), pixelAP: averagePrecision(r, bin) };
}

export interface Summary { ciou50: number; auc: number; pointing: number; pixelAP: number; n: number }

/** LVS summary: ciou50, AUC over t = 0..1 step 0.05 (trapezoid), plus pointing and mean pixel AP. */
export function summarize(scores: FrameScore[]): Summary {
  const n = scores.length;
  if (n === 0) return { ciou50: NaN, auc: NaN, pointing: NaN, pixelAP: NaN, n: 0 };
  const frac = (t: number) => scores.filter((s) => s.ciou >= t).length / n;
  let auc = 0;
  for (let i = 0; i < 20; i++) auc += 0.05 * (frac(0.05 * i) + frac(0.05 * (i + 1))) / 2;
  const aps = scores.map((s) => s.pixelAP).filter((v) => Number.isFinite(v));
  return {
    ciou50: frac(0.5),
    auc,
    pointing: scores.filter((s) => s.pointing).length / n,
    pixelAP: aps.length ? aps.reduce((a, b) => a + b, 0) / aps.length : NaN,
    n,
  };
}

/** Reference maps every table reports beside a method. */
export const baselines = {
  /** The ground truth itself (upper bound under the median threshold). */
  oracle: (G224: ArrayLike<number>): Float64Array => Float64Array.from(G224),
  /**
   * What a localizer that knows which kind of object sounds, but not which instance, can draw:
   * every box of `objects` (the sounding objects and the visible objects that look like them)
   * filled with 1 plus a small random amount per object, so the map's maximum falls in one of
   * them at random. The ceiling of a model that tells objects apart by their look and the sound
   * by its kind (a mono mix gives no cue to which of two copies sounds).
   */
  identityOracle: (objects: Box[], frameW: number, frameH: number, rand: () => number): Float64Array => {
    const m = new Float64Array(EVAL_SIZE * EVAL_SIZE);
    for (const b of objects) {
      const G = boxesToMask([b], frameW, frameH);
      const v = 1 + 1e-3 * rand();
      for (let i = 0; i < G.length; i++) if (G[i] > 0 && v > m[i]) m[i] = v;
    }
    return m;
  },
  /** Every pixel sounding. */
  wholeImage: (): Float64Array => new Float64Array(EVAL_SIZE * EVAL_SIZE).fill(1),
  /** An isotropic Gaussian at the centre, sigma = 1/4 of the side. */
  centre: (): Float64Array => {
    const m = new Float64Array(EVAL_SIZE * EVAL_SIZE);
    const c = (EVAL_SIZE - 1) / 2;
    const s = EVAL_SIZE / 4;
    for (let y = 0; y < EVAL_SIZE; y++) for (let x = 0; x < EVAL_SIZE; x++) m[y * EVAL_SIZE + x] = Math.exp(-((x - c) ** 2 + (y - c) ** 2) / (2 * s * s));
    return m;
  },
  /** Uniform noise on a 14x14 grid (resized like a model's map). */
  random: (next: () => number): { map: Float64Array; h: number; w: number } => ({ map: Float64Array.from({ length: 196 }, next), h: 14, w: 14 }),
};
