/**
 * CPU reference for the warp kernel: plain loops in float64, same conventions as the WGSL
 * (common/webgpu.ts SAMPLE_WGSL) and the stock plan (common/warp_plan.ts).
 */
import { inverseHomographies } from '../common/warp_plan';
import type { Mat3 } from '../common/data';

export interface WarpRefOut {
  out: Float64Array; // [N, H, W, C]
  mask: Uint8Array; // [N, H, W]
  /** Distance of each pixel's source point to the validity border (tests skip near-ties). */
  border: Float64Array; // [N, H, W]
}

/** x: [N, H, W, C] flat; hs[n] maps source pixels of frame n to output pixels (src -> dst). */
export function warpReference(x: ArrayLike<number>, shape: [number, number, number, number], hs: Mat3[]): WarpRefOut {
  const [n, h, w, c] = shape;
  const hinv = inverseHomographies(hs); // float32-rounded, as uploaded to the GPU
  const out = new Float64Array(n * h * w * c);
  const mask = new Uint8Array(n * h * w);
  const border = new Float64Array(n * h * w);
  const at = (f: number, yy: number, xx: number, ch: number) =>
    xx >= 0 && xx < w && yy >= 0 && yy < h ? x[((f * h + yy) * w + xx) * c + ch] : 0; // zero padding
  for (let f = 0; f < n; f++) {
    const m = Array.from(hinv.subarray(f * 9, f * 9 + 9));
    for (let y = 0; y < h; y++) {
      for (let xx = 0; xx < w; xx++) {
        const p = (f * h + y) * w + xx;
        const wz = m[6] * xx + m[7] * y + m[8];
        if (!(wz > 1e-8)) {
          border[p] = Infinity;
          continue; // behind the camera: zero, invalid
        }
        const sx = (m[0] * xx + m[1] * y + m[2]) / wz;
        const sy = (m[3] * xx + m[4] * y + m[5]) / wz;
        mask[p] = sx >= 0 && sx <= w - 1 && sy >= 0 && sy <= h - 1 ? 1 : 0;
        border[p] = Math.min(Math.abs(sx), Math.abs(sx - (w - 1)), Math.abs(sy), Math.abs(sy - (h - 1)));
        if (!(sx > -1 && sx < w && sy > -1 && sy < h)) continue;
        const x0 = Math.floor(sx);
        const y0 = Math.floor(sy);
        const ax = sx - x0;
        const ay = sy - y0;
        for (let ch = 0; ch < c; ch++) {
          out[p * c + ch] =
            (1 - ax) * (1 - ay) * at(f, y0, x0, ch) +
            ax * (1 - ay) * at(f, y0, x0 + 1, ch) +
            (1 - ax) * ay * at(f, y0 + 1, x0, ch) +
            ax * ay * at(f, y0 + 1, x0 + 1, ch);
        }
      }
    }
  }
  return { out, mask, border };
}
