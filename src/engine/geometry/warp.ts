/**
 * Perspective warp of an RGBA frame in plain TypeScript, for previews on the main thread (no
 * opencv there): out(x) = bilinear sample of src at H^-1 x, transparent outside src. Same
 * convention as cv.warpPerspective(src, out, H) (pixel centres at integer coordinates); the unit
 * test compares the two. The engine's feature-map warp lives in kernels/, not here.
 */
import { invert, type Mat3 } from './homography';

export interface RgbaFrame {
  width: number;
  height: number;
  /** RGBA bytes, row-major. [H, W, 4] */
  data: Uint8ClampedArray | Uint8Array;
}

export function warpRgba(src: RgbaFrame, H: Mat3, width = src.width, height = src.height): { width: number; height: number; data: Uint8ClampedArray } {
  const M = invert(H);
  const out = new Uint8ClampedArray(width * height * 4);
  const sw = src.width, sh = src.height, s = src.data;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const w = M[6] * x + M[7] * y + M[8];
      if (w <= 1e-9) continue;
      const u = (M[0] * x + M[1] * y + M[2]) / w;
      const v = (M[3] * x + M[4] * y + M[5]) / w;
      if (u < 0 || v < 0 || u > sw - 1 || v > sh - 1) continue;
      const x0 = Math.min(Math.floor(u), sw - 2 < 0 ? 0 : sw - 2), y0 = Math.min(Math.floor(v), sh - 2 < 0 ? 0 : sh - 2);
      const fx = u - x0, fy = v - y0;
      const x1 = Math.min(x0 + 1, sw - 1), y1 = Math.min(y0 + 1, sh - 1);
      const a = 4 * (y0 * sw + x0), b = 4 * (y0 * sw + x1), c = 4 * (y1 * sw + x0), d = 4 * (y1 * sw + x1);
      const o = 4 * (y * width + x);
      for (let ch = 0; ch < 4; ch++) {
        const top = s[a + ch] + (s[b + ch] - s[a + ch]) * fx;
        const bot = s[c + ch] + (s[d + ch] - s[c + ch]) * fx;
        out[o + ch] = top + (bot - top) * fy;
      }
    }
  }
  return { width, height, data: out };
}

/** RGBA (or gray) frame -> luminance, ITU-R BT.601 weights, rounded (same as png.ts). */
export function rgbaToGray(frame: RgbaFrame): { width: number; height: number; data: Uint8Array } {
  const n = frame.width * frame.height;
  const out = new Uint8Array(n);
  const d = frame.data;
  if (d.length === n) {
    out.set(d);
  } else {
    for (let i = 0; i < n; i++) out[i] = Math.round(0.299 * d[4 * i] + 0.587 * d[4 * i + 1] + 0.114 * d[4 * i + 2]);
  }
  return { width: frame.width, height: frame.height, data: out };
}

export interface AlignmentScore {
  /** Correlation of frame j with the query frame over the compared blocks, before warping. */
  before: number;
  /** The same after warping frame j by H into the query's view (1 = perfectly aligned). */
  after: number;
  /** Share of the query's pixels that the warped frame covers. */
  coverage: number;
}

function correlation(a: Float64Array, b: Float64Array, use: Uint8Array): number {
  let n = 0, sa = 0, sb = 0;
  for (let k = 0; k < a.length; k++) if (use[k]) { n++; sa += a[k]; sb += b[k]; }
  if (n < 2) return NaN;
  const ma = sa / n, mb = sb / n;
  let cab = 0, caa = 0, cbb = 0;
  for (let k = 0; k < a.length; k++) {
    if (!use[k]) continue;
    const da = a[k] - ma, db = b[k] - mb;
    cab += da * db; caa += da * da; cbb += db * db;
  }
  return caa > 0 && cbb > 0 ? cab / Math.sqrt(caa * cbb) : NaN;
}

/**
 * How well a support frame lines up with the query frame, before and after warping it by H:
 * the correlation coefficient of block means (`block` x `block` pixels of luma, only blocks the
 * warped frame covers fully). Correlation ignores the brightness and contrast changes between
 * frames, block means damp sensor noise and blur, so what is left is misplaced structure: a
 * homography that removes the camera motion lifts `after` towards 1 above `before`; identity
 * gives after == before. Shown beside each preview frame and checked by the e2e test.
 */
export function alignmentScore(frameJ: RgbaFrame, query: RgbaFrame, H: Mat3, block = 8): AlignmentScore {
  const W = query.width, Hh = query.height;
  const warped = warpRgba(frameJ, H, W, Hh);
  const gj = rgbaToGray(frameJ).data, gq = rgbaToGray(query).data;
  const sameSize = frameJ.width === W && frameJ.height === Hh;
  const bw = Math.floor(W / block), bh = Math.floor(Hh / block);
  const sumW = new Float64Array(bw * bh), sumQ = new Float64Array(bw * bh), sumJ = new Float64Array(bw * bh);
  const full = new Uint8Array(bw * bh).fill(1);
  let covered = 0;
  for (let y = 0; y < Hh; y++) {
    for (let x = 0; x < W; x++) {
      const p = y * W + x;
      const inside = warped.data[4 * p + 3] === 255;
      if (inside) covered++;
      const bx = Math.floor(x / block), by = Math.floor(y / block);
      if (bx >= bw || by >= bh) continue;
      const b = by * bw + bx;
      if (!inside) { full[b] = 0; continue; }
      sumW[b] += 0.299 * warped.data[4 * p] + 0.587 * warped.data[4 * p + 1] + 0.114 * warped.data[4 * p + 2];
      sumQ[b] += gq[p];
      if (sameSize) sumJ[b] += gj[p];
    }
  }
  return { before: sameSize ? correlation(sumJ, sumQ, full) : NaN, after: correlation(sumW, sumQ, full), coverage: covered / (W * Hh) };
}
