/**
 * Synthetic head-motion pairs from real photographs, for the accuracy tests and the bench.
 *
 * A source photo (400x300) is seen through a frame (320x240: a 1:1 window; 224x224: a square
 * window resized), A maps frame pixels to source pixels. The query frame is I_i(x) = S(A x);
 * the support frame is I_j(x) = S(A H x), so the true H_ji = H maps frame-j pixels to frame-i
 * pixels. H is drawn in the head-motion range of issue 4: rotation <= 15 deg, scale 0.85-1.15,
 * translation <= 15% of the frame, slight perspective (|w - 1| <= 0.03 at the frame edge).
 * Then the support frame is blurred, both get noise, the support frame a gain + offset.
 *
 * Everything is deterministic given the seed and uses only integer PRNG arithmetic, fdlibm-backed
 * Math functions and opencv.js itself, so Node and Chromium produce identical frames.
 */
import type { CV } from './opencv';
import { withCvScope } from './scope';
import type { GrayImage } from './png';
import { mul, type Mat3 } from './homography';
import { mulberry32 } from '../rng';

/** Seeded PRNG (mulberry32, shared with the rest of the engine). */
export const makeRng = mulberry32;

/** Approximately standard normal: Irwin-Hall sum of 12 uniforms minus 6 (no log/sqrt). */
export function gaussian(rng: () => number): number {
  let s = 0;
  for (let k = 0; k < 12; k++) s += rng();
  return s - 6;
}

export interface MotionRange {
  maxRotationDeg: number;
  minScale: number;
  maxScale: number;
  /** Max translation as a fraction of the frame size. */
  maxTranslation: number;
  /** Max |w - 1| at the frame edge (projective part). */
  maxPerspective: number;
}

export const HEAD_MOTION: MotionRange = { maxRotationDeg: 15, minScale: 0.85, maxScale: 1.15, maxTranslation: 0.15, maxPerspective: 0.03 };

/** Scales a motion range (e.g. 0.3 for one step of a smooth trajectory). */
export function scaleMotion(r: MotionRange, f: number): MotionRange {
  return {
    maxRotationDeg: r.maxRotationDeg * f,
    minScale: Math.exp(Math.log(r.minScale) * f),
    maxScale: Math.exp(Math.log(r.maxScale) * f),
    maxTranslation: r.maxTranslation * f,
    maxPerspective: r.maxPerspective * f,
  };
}

/** A random homography about the frame centre, in frame pixels. */
export function randomHomography(rng: () => number, width: number, height: number, range: MotionRange = HEAD_MOTION): Mat3 {
  const u = () => 2 * rng() - 1;
  const theta = (u() * range.maxRotationDeg * Math.PI) / 180;
  const s = Math.exp(Math.log(range.minScale) + rng() * (Math.log(range.maxScale) - Math.log(range.minScale)));
  const tx = u() * range.maxTranslation * width;
  const ty = u() * range.maxTranslation * height;
  const px = (u() * range.maxPerspective) / (width / 2);
  const py = (u() * range.maxPerspective) / (height / 2);
  const cx = (width - 1) / 2, cy = (height - 1) / 2;
  const c = Math.cos(theta) * s, sn = Math.sin(theta) * s;
  const toOrigin: Mat3 = [1, 0, -cx, 0, 1, -cy, 0, 0, 1];
  const rs: Mat3 = [c, -sn, 0, sn, c, 0, 0, 0, 1];
  const persp: Mat3 = [1, 0, 0, 0, 1, 0, px, py, 1];
  const back: Mat3 = [1, 0, cx + tx, 0, 1, cy + ty, 0, 0, 1];
  const h = mul(back, mul(persp, mul(rs, toOrigin)));
  return h.map((v) => v / h[8]);
}

/** Frame pixel -> source pixel for a window of the given size centred in the source. */
export function frameToSource(source: { width: number; height: number }, width: number, height: number): Mat3 {
  // Largest window of the frame's aspect that fits with a 20% margin on the limiting side.
  const k = Math.min((source.width * 0.8) / width, (source.height * 0.8) / height);
  const ox = (source.width - 1) / 2 - k * (width - 1) / 2;
  const oy = (source.height - 1) / 2 - k * (height - 1) / 2;
  return [k, 0, ox, 0, k, oy, 0, 0, 1];
}

export interface Degradation {
  blurSigma: number;
  noiseSigmaI: number;
  noiseSigmaJ: number;
  gain: number;
  offset: number;
}

export function randomDegradation(rng: () => number): Degradation {
  return {
    blurSigma: 0.3 + 1.2 * rng(),
    noiseSigmaI: 1 + 2 * rng(),
    noiseSigmaJ: 2 + 4 * rng(),
    gain: 0.75 + 0.5 * rng(),
    offset: -20 + 40 * rng(),
  };
}

export interface SynthPair {
  frameI: GrayImage;
  frameJ: GrayImage;
  /** True H_ji (frame j -> frame i). */
  H: Mat3;
  degradation: Degradation;
}

/** Renders a frame of `source` through the frame->source map M (bilinear, reflected border). */
export function renderView(cv: CV, source: GrayImage, M: Mat3, width: number, height: number): GrayImage {
  return withCvScope((scope) => {
    const src = scope.track(new cv.Mat(source.height, source.width, cv.CV_8UC1));
    src.data.set(source.data);
    const m = scope.track(cv.matFromArray(3, 3, cv.CV_64F, M));
    const dst = scope.track(new cv.Mat());
    cv.warpPerspective(src, dst, m, new cv.Size(width, height), cv.INTER_LINEAR | cv.WARP_INVERSE_MAP, cv.BORDER_REFLECT_101, new cv.Scalar());
    return { width, height, data: new Uint8Array(dst.data as Uint8Array) };
  });
}

/** Blur (optional), gain/offset, additive noise, rounding + clamping, in place on a copy. */
export function degrade(cv: CV, img: GrayImage, rng: () => number, blurSigma: number, noiseSigma: number, gain = 1, offset = 0): GrayImage {
  let data = img.data;
  if (blurSigma > 0) {
    data = withCvScope((scope) => {
      const m = scope.track(new cv.Mat(img.height, img.width, cv.CV_8UC1));
      m.data.set(img.data);
      const b = scope.track(new cv.Mat());
      cv.GaussianBlur(m, b, new cv.Size(0, 0), blurSigma, blurSigma, cv.BORDER_REFLECT_101);
      return new Uint8Array(b.data as Uint8Array);
    });
  }
  const out = new Uint8Array(data.length);
  for (let k = 0; k < data.length; k++) {
    const v = Math.round(data[k] * gain + offset + noiseSigma * gaussian(rng));
    out[k] = v < 0 ? 0 : v > 255 ? 255 : v;
  }
  return { width: img.width, height: img.height, data: out };
}

/** One head-motion pair from a photo, fully determined by `seed`. */
export function synthPair(cv: CV, source: GrayImage, width: number, height: number, seed: number, range: MotionRange = HEAD_MOTION): SynthPair {
  const rng = makeRng(seed);
  const H = randomHomography(rng, width, height, range);
  const d = randomDegradation(rng);
  const A = frameToSource(source, width, height);
  const cleanI = renderView(cv, source, A, width, height);
  const cleanJ = renderView(cv, source, mul(A, H), width, height);
  const frameI = degrade(cv, cleanI, rng, 0, d.noiseSigmaI);
  const frameJ = degrade(cv, cleanJ, rng, d.blurSigma, d.noiseSigmaJ, d.gain, d.offset);
  return { frameI, frameJ, H, degradation: d };
}

/**
 * A T-frame head-motion trajectory: frame t sees the source through A * P_t, where P_t is a
 * random walk of small homographies (each step `stepRange`). Returns frames and, for every
 * pair, the true H_ji = P_i^-1 P_j via `truth(j, i)`.
 */
export function synthSequence(cv: CV, source: GrayImage, width: number, height: number, T: number, seed: number, stepRange: MotionRange): { frames: GrayImage[]; poses: Mat3[] } {
  const rng = makeRng(seed);
  const A = frameToSource(source, width, height);
  const poses: Mat3[] = [[1, 0, 0, 0, 1, 0, 0, 0, 1]];
  for (let t = 1; t < T; t++) {
    const step = randomHomography(rng, width, height, stepRange);
    const p = mul(poses[t - 1], step);
    poses.push(p.map((v) => v / p[8]));
  }
  const frames = poses.map((P) => {
    const d = randomDegradation(rng);
    const clean = renderView(cv, source, mul(A, P), width, height);
    return degrade(cv, clean, rng, d.blurSigma * 0.6, d.noiseSigmaJ * 0.6, 1 + (d.gain - 1) * 0.4, d.offset * 0.4);
  });
  return { frames, poses };
}
