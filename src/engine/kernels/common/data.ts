/**
 * Deterministic test data for the kernels: seeded random feature maps and homographies.
 *
 * Homographies follow OpenCV's warpPerspective convention: H maps a pixel of the *source*
 * (support frame j) to the *destination* (query frame i); pixel centres sit at integer
 * coordinates, x = column, y = row. Sampling uses the inverse (destination -> source).
 */
import { mulberry32 } from '../../rng';

/** Seeded PRNG (mulberry32, shared with the rest of the engine). */
export const rng = mulberry32;

/** Uniform values in [-scale, scale). */
export function randomArray(n: number, seed: number, scale = 1): Float32Array {
  const r = rng(seed);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = (r() * 2 - 1) * scale;
  return out;
}

export type Mat3 = number[]; // 9 numbers, row-major

export const IDENTITY: Mat3 = [1, 0, 0, 0, 1, 0, 0, 0, 1];

export function matMul3(a: Mat3, b: Mat3): Mat3 {
  const c = new Array<number>(9).fill(0);
  for (let r = 0; r < 3; r++) for (let k = 0; k < 3; k++) for (let q = 0; q < 3; q++) c[r * 3 + q] += a[r * 3 + k] * b[k * 3 + q];
  return c;
}

/** Inverse by cofactors, in float64; throws on a singular matrix. */
export function invert3(m: Mat3): Mat3 {
  const [a, b, c, d, e, f, g, h, i] = m;
  const A = e * i - f * h;
  const B = -(d * i - f * g);
  const C = d * h - e * g;
  const det = a * A + b * B + c * C;
  if (!Number.isFinite(det) || Math.abs(det) < 1e-12) throw new Error(`homography is singular (det ${det})`);
  const inv = [A, -(b * i - c * h), b * f - c * e, B, a * i - c * g, -(a * f - c * d), C, -(a * h - b * g), a * e - b * d];
  return inv.map((v) => v / det);
}

/**
 * A homography about the map centre: rotation `rot` (rad), scale `s`, shift (tx, ty) in pixels,
 * and perspective terms (px, py) per pixel. Strong settings put many samples outside the source.
 */
export function makeHomography(w: number, h: number, p: { rot?: number; s?: number; tx?: number; ty?: number; px?: number; py?: number }): Mat3 {
  const { rot = 0, s = 1, tx = 0, ty = 0, px = 0, py = 0 } = p;
  const cx = (w - 1) / 2;
  const cy = (h - 1) / 2;
  const toC: Mat3 = [1, 0, -cx, 0, 1, -cy, 0, 0, 1];
  const fromC: Mat3 = [1, 0, cx + tx, 0, 1, cy + ty, 0, 0, 1];
  const cs = Math.cos(rot) * s;
  const sn = Math.sin(rot) * s;
  const core: Mat3 = [cs, -sn, 0, sn, cs, 0, px, py, 1];
  return matMul3(fromC, matMul3(core, toC));
}

/** A random head-motion-like homography; `strength` 0 = identity, 1 = strong (many samples outside). */
export function randomHomography(w: number, h: number, seed: number, strength = 1): Mat3 {
  const r = rng(seed);
  const u = () => r() * 2 - 1;
  return makeHomography(w, h, {
    rot: 0.35 * strength * u(),
    s: 1 + 0.3 * strength * u(),
    tx: 0.35 * w * strength * u(),
    ty: 0.35 * h * strength * u(),
    px: (0.15 * strength * u()) / Math.max(w, 1),
    py: (0.15 * strength * u()) / Math.max(h, 1),
  });
}

/**
 * Homographies for temporal attention: `toQuery[q][j]` maps support frame j into query frame
 * queries[q]'s view; the query's own entry is the identity. Built by chaining per-frame motions so
 * the set is consistent (H_ji = M_i^-1 M_j).
 */
export function randomClipHomographies(t: number, w: number, h: number, queries: number[], seed: number, strength = 1): Mat3[][] {
  const motions: Mat3[] = [];
  for (let j = 0; j < t; j++) motions.push(randomHomography(w, h, seed * 101 + j, strength));
  return queries.map((i) => {
    const inv = invert3(motions[i]);
    return motions.map((mj, j) => (j === i ? IDENTITY.slice() : matMul3(inv, mj)));
  });
}
