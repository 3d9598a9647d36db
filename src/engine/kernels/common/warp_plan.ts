/**
 * Bilinear homography warp as an explicit sparse linear map, built on the CPU: for every output
 * pixel, four source rows and four weights. It powers the stock-tfjs composition (gather of the
 * four taps, weighted sum) used on cpu/wasm/webgl, and the transpose (scatterND of the four
 * weighted taps) that gives every warp-based kernel its gradient.
 *
 * Conventions (shared with the WGSL in common/webgpu.ts and the CPU references): H maps source
 * pixels to destination pixels (OpenCV warpPerspective); sampling uses its inverse, given here
 * already inverted and rounded to float32 exactly as uploaded to the GPU. Taps outside the source
 * have weight 0 (zero padding); a pixel is valid when its source point lies in front of the camera
 * and inside [0, W-1] x [0, H-1].
 */
import * as tf from '@tensorflow/tfjs';
import { invert3, type Mat3 } from './data';

export interface WarpPlan {
  /** Output rows (frames * H * W). */
  rows: number;
  /** Source rows (source frames * H * W). */
  srcRows: number;
  /** Tap k of output row r: source row idx[k][r], weight w[k][r]. */
  idx: Int32Array[];
  w: Float32Array[];
  valid: Uint8Array;
  /** Distance of the source point to the validity border, in pixels (tests skip near-ties). */
  border: Float32Array;
}

/** Inverts each src->dst homography (float64) and rounds to float32, row-major [n, 9]. */
export function inverseHomographies(hs: Mat3[]): Float32Array {
  const out = new Float32Array(hs.length * 9);
  hs.forEach((h, n) => {
    if (!h || h.length !== 9) throw new Error(`homography ${n} must have 9 numbers, got ${h ? h.length : h}`);
    const hi = invert3(h);
    const s = Math.abs(hi[8]) > 1e-12 ? hi[8] : 1;
    for (let k = 0; k < 9; k++) out[n * 9 + k] = hi[k] / s;
  });
  return out;
}

/**
 * Plan for `frames` output frames of size h x w. Output frame o samples source frame `src[o]`
 * through inverse homography `hinv[o*9 .. o*9+9)`.
 */
export function buildWarpPlan(
  hinv: Float32Array,
  src: number[],
  srcFrames: number,
  h: number,
  w: number,
  /** Output row of (output frame o, pixel p); default o * H * W + p. */
  rowOf?: (o: number, p: number) => number,
): WarpPlan {
  const frames = src.length;
  const hw = h * w;
  const rows = frames * hw;
  const idx = [0, 1, 2, 3].map(() => new Int32Array(rows));
  const wt = [0, 1, 2, 3].map(() => new Float32Array(rows));
  const valid = new Uint8Array(rows);
  const border = new Float32Array(rows);
  for (let o = 0; o < frames; o++) {
    const m = hinv.subarray(o * 9, o * 9 + 9);
    const base = src[o] * hw;
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const r = rowOf ? rowOf(o, y * w + x) : o * hw + y * w + x;
        const wz = m[6] * x + m[7] * y + m[8];
        if (!(wz > 1e-8)) {
          border[r] = Infinity;
          continue;
        }
        const sx = (m[0] * x + m[1] * y + m[2]) / wz;
        const sy = (m[3] * x + m[4] * y + m[5]) / wz;
        valid[r] = sx >= 0 && sx <= w - 1 && sy >= 0 && sy <= h - 1 ? 1 : 0;
        border[r] = Math.min(Math.abs(sx), Math.abs(sx - (w - 1)), Math.abs(sy), Math.abs(sy - (h - 1)));
        if (!(sx > -1 && sx < w && sy > -1 && sy < h)) continue;
        const x0 = Math.floor(sx);
        const y0 = Math.floor(sy);
        const ax = sx - x0;
        const ay = sy - y0;
        const taps: [number, number, number][] = [
          [x0, y0, (1 - ax) * (1 - ay)],
          [x0 + 1, y0, ax * (1 - ay)],
          [x0, y0 + 1, (1 - ax) * ay],
          [x0 + 1, y0 + 1, ax * ay],
        ];
        taps.forEach(([tx, ty, tw], k) => {
          if (tx >= 0 && tx < w && ty >= 0 && ty < h) {
            idx[k][r] = base + ty * w + tx;
            wt[k][r] = tw;
          }
        });
      }
    }
  }
  return { rows, srcRows: srcFrames * hw, idx, w: wt, valid, border };
}

/** Stock-tfjs warp: x2d [srcRows, C] -> [rows, C]. Differentiable through gather. */
export function applyPlan(plan: WarpPlan, x2d: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => {
    let acc: tf.Tensor2D | null = null;
    for (let k = 0; k < 4; k++) {
      const ix = tf.tensor1d(plan.idx[k], 'int32');
      const wk = tf.tensor2d(plan.w[k], [plan.rows, 1]);
      const term = tf.mul(tf.gather(x2d, ix), wk) as tf.Tensor2D;
      acc = acc ? (tf.add(acc, term) as tf.Tensor2D) : term;
    }
    return acc!;
  });
}

/** Transpose of applyPlan: y2d [rows, C] -> [srcRows, C] (scatterND sums repeated rows). */
export function applyPlanT(plan: WarpPlan, y2d: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => {
    const c = y2d.shape[1];
    let acc: tf.Tensor2D | null = null;
    for (let k = 0; k < 4; k++) {
      const ix = tf.tensor2d(plan.idx[k], [plan.rows, 1], 'int32');
      const wk = tf.tensor2d(plan.w[k], [plan.rows, 1]);
      const term = tf.scatterND(ix, tf.mul(y2d, wk), [plan.srcRows, c]) as tf.Tensor2D;
      acc = acc ? (tf.add(acc, term) as tf.Tensor2D) : term;
    }
    return acc!;
  });
}
