/**
 * CPU reference for the fused warp + attention kernel: literally kernel 1 then kernel 2 (plain
 * loops, float64): for each query i, warp every support j by H_ji (warp/reference.ts), then attend
 * (attention/reference.ts) with v_i as the query.
 */
import type { Mat3 } from '../common/data';
import { warpReference } from '../warp/reference';
import { attendOneQuery, type RefAttentionOptions } from '../attention/reference';

export interface FusedRefOut {
  z: Float64Array; // [Tq, H, W, C]
  /** Smallest distance of any support's sample point to the validity border, per output location [Tq, H, W]. */
  border: Float64Array;
}

/**
 * v: [T, H, W, C]; queryIdx[q] is the frame index of query q; toQuery[q][j] = H_{j -> queryIdx[q]}.
 */
export function fusedReference(v: ArrayLike<number>, shape: [number, number, number, number], queryIdx: number[], toQuery: Mat3[][], opts: RefAttentionOptions): FusedRefOut {
  const [t, h, w, c] = shape;
  const hw = h * w;
  const z = new Float64Array(queryIdx.length * hw * c);
  const border = new Float64Array(queryIdx.length * hw).fill(Infinity);
  queryIdx.forEach((i, q) => {
    const { out: aligned, mask, border: b } = warpReference(v, [t, h, w, c], toQuery[q]); // [T, H, W, C]
    z.set(attendOneQuery(v, i * hw * c, aligned, mask, t, h, w, c, opts), q * hw * c);
    for (let j = 0; j < t; j++) for (let p = 0; p < hw; p++) border[q * hw + p] = Math.min(border[q * hw + p], b[j * hw + p]);
  });
  return { z, border };
}
