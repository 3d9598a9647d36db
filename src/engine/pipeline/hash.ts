/**
 * The result hash: one short string that says "these are the same maps", equal across tfjs
 * backends (WebGPU, WebGL, WASM, CPU) although their float results differ in the last digits.
 *
 * Rule (version 1), per frame of a map S (cosine values, row-major):
 *   1. Quantise with step s = 1/16 on a grid shifted by an offset o_k = k * s / 16, k in 0..15:
 *      q = round((S - o_k) / s).
 *   2. Pick, per frame, the smallest k for which every value lies at least the guard g = 1e-4
 *      away from a rounding boundary ((S - o_k) / s + 0.5 not within g / s of an integer). Then
 *      any other backend whose values differ by less than g rounds every value the same way on
 *      that grid. (With 196 values per 14x14 map about 0.6 values per grid fall in a guard band,
 *      so some k almost always works; if none does, the k with the fewest is taken.)
 *   3. hash = sha256 over "egosound-maps/1", then per frame its width and height (uint16 LE),
 *      k (uint8) and the q values (int8).
 * The offsets travel with the hash (`offsets`, one hex digit per frame) so that a reproduction
 * quantises on the creator's grids: `verifyResultHash` recomputes the hash of new maps on those
 * grids. Equal hashes mean every value agrees within s/2 + g, i.e. the same map at display
 * precision; a different model, clip, method or parameter changes it.
 */
import { sha256Hex } from '../weights/verify';

export const HASH_STEP = 1 / 16;
export const HASH_GUARD = 1e-4;
const OFFSETS = 16;
const MAGIC = 'egosound-maps/1';

export interface HashableMap { width: number; height: number; map: ArrayLike<number> }
export interface ResultHash { version: 1; hash: string; offsets: string }

function violations(map: ArrayLike<number>, k: number): number {
  const o = (k * HASH_STEP) / OFFSETS;
  const g = HASH_GUARD / HASH_STEP;
  let bad = 0;
  for (let i = 0; i < map.length; i++) {
    const u = (map[i] - o) / HASH_STEP + 0.5;
    const frac = u - Math.floor(u);
    if (frac < g || frac > 1 - g) bad++;
  }
  return bad;
}

/** Smallest grid offset index whose boundaries stay clear of every value (or the least bad). */
export function chooseOffset(map: ArrayLike<number>): number {
  let best = 0, bestBad = Infinity;
  for (let k = 0; k < OFFSETS; k++) {
    const bad = violations(map, k);
    if (bad === 0) return k;
    if (bad < bestBad) { best = k; bestBad = bad; }
  }
  return best;
}

function quantise(map: ArrayLike<number>, k: number): Int8Array {
  const o = (k * HASH_STEP) / OFFSETS;
  const q = new Int8Array(map.length);
  for (let i = 0; i < map.length; i++) {
    const v = Math.round((map[i] - o) / HASH_STEP);
    q[i] = Number.isFinite(v) ? Math.max(-128, Math.min(127, v)) : -128;
  }
  return q;
}

async function digest(frames: HashableMap[], ks: number[]): Promise<string> {
  const magic = new TextEncoder().encode(MAGIC);
  const total = magic.length + frames.reduce((a, f) => a + 5 + f.map.length, 0);
  const buf = new Uint8Array(total);
  buf.set(magic, 0);
  let p = magic.length;
  frames.forEach((f, t) => {
    if (f.map.length !== f.width * f.height) throw new RangeError(`frame ${t}: map has ${f.map.length} values, expected ${f.width}x${f.height}`);
    buf[p++] = f.width & 255; buf[p++] = f.width >> 8;
    buf[p++] = f.height & 255; buf[p++] = f.height >> 8;
    buf[p++] = ks[t];
    const q = quantise(f.map, ks[t]);
    buf.set(new Uint8Array(q.buffer), p);
    p += q.length;
  });
  return sha256Hex(buf);
}

/** The result hash of a run's maps, with the per-frame grid offsets it chose. */
export async function resultHash(frames: HashableMap[]): Promise<ResultHash> {
  const ks = frames.map((f) => chooseOffset(f.map));
  return { version: 1, hash: await digest(frames, ks), offsets: ks.map((k) => k.toString(16)).join('') };
}

/** Hash of `frames` on the grids named by `offsets` (from the run being reproduced). */
export async function hashOnGrids(frames: HashableMap[], offsets: string): Promise<string> {
  if (offsets.length !== frames.length || !/^[0-9a-f]*$/.test(offsets)) throw new RangeError(`offsets must be one hex digit per frame (${frames.length}), got ${offsets.length} characters`);
  return digest(frames, [...offsets].map((c) => parseInt(c, 16)));
}

/** Do `frames` reproduce `expected`? */
export async function verifyResultHash(frames: HashableMap[], expected: Pick<ResultHash, 'hash' | 'offsets'>): Promise<boolean> {
  if (expected.offsets.length !== frames.length) return false;
  return (await hashOnGrids(frames, expected.offsets)) === expected.hash;
}
