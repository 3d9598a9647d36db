/**
 * Paper 000 sec. 2.3, geometry-aware temporal modelling, through the kernels' fused `warpAttend`
 * (plain eq. 1: q = k = v = the features, d = C, residual = the query's own features):
 *
 *   v^_ji = H_ji (x) v^_j          support j warped into query i's view (H at feature resolution)
 *   z_i[x,y] = v^_i[x,y] + Softmax(v^_i[x,y] v^[x,y]^T / sqrt(d)) v^[x,y]                    (eq. 1)
 *
 * Homographies: `toQuery[q][j]` is H_{j -> i_q} as 9 row-major numbers at FEATURE resolution (use
 * scaleHomography from geometry/homography.ts to go from 224x224 frame pixels to the 14x14 grid).
 * `geometry: false` replaces them with identities (the "w/o geometry" ablation): eq. 1 then
 * attends over unaligned frames.
 */
import * as tf from '@tensorflow/tfjs';
import { InvalidConfigError } from '../../errors';
import { MAX_FRAMES, warpAttend, type KernelImpl, type Mat3 } from '../../kernels';
import { buildWarpPlan, inverseHomographies } from '../../kernels/common/warp_plan';

export interface TemporalConfig {
  /** Frames per training window (public code: 5) and per test window (public code: 9). */
  trainFrames: number;
  testFrames: number;
  /** Frames between window entries at the source frame rate (public code: 2). */
  frameStep: number;
  /** Leave supports sampled outside their frame out of the softmax (paper: false). */
  maskInvalid: boolean;
  impl: KernelImpl;
}

export const DEFAULT_TEMPORAL_CONFIG: TemporalConfig = { trainFrames: 5, testFrames: 9, frameStep: 2, maskInvalid: false, impl: 'auto' };

export function validateTemporalConfig(c: Partial<TemporalConfig> = {}): TemporalConfig {
  const out = { ...DEFAULT_TEMPORAL_CONFIG, ...c };
  const int = (k: keyof TemporalConfig, lo: number, hi: number) => {
    const v = out[k] as unknown;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < lo || v > hi) throw new InvalidConfigError(`temporal.${k}`, `must be an integer in [${lo}, ${hi}], got ${String(v)}`);
  };
  int('trainFrames', 1, MAX_FRAMES);
  int('testFrames', 1, MAX_FRAMES);
  int('frameStep', 1, 64);
  if (typeof out.maskInvalid !== 'boolean') throw new InvalidConfigError('temporal.maskInvalid', `must be true or false, got ${String(out.maskInvalid)}`);
  if (!['auto', 'kernel', 'stock'].includes(out.impl)) throw new InvalidConfigError('temporal.impl', `must be 'auto', 'kernel' or 'stock', got ${String(out.impl)}`);
  return out;
}

const ID: Mat3 = [1, 0, 0, 0, 1, 0, 0, 0, 1];

/** Identity rows for T frames: T rows for 'all', one row for a chosen query. */
export function identityRows(t: number, queries: 'all' | number): Mat3[][] {
  const rows = queries === 'all' ? t : 1;
  return Array.from({ length: rows }, () => Array.from({ length: t }, () => [...ID]));
}

/** Checks toQuery's shape against T frames and the queries option; returns Mat3 rows. */
export function checkRows(toQuery: number[][][], t: number, queries: 'all' | number): Mat3[][] {
  const rows = queries === 'all' ? t : 1;
  if (toQuery.length !== rows || toQuery.some((r) => r.length !== t || r.some((h) => h.length !== 9 || !h.every(Number.isFinite)))) {
    throw new InvalidConfigError('toQuery', `needs ${rows} row(s) of ${t} homographies of 9 finite numbers (query x support), got ${toQuery.length} row(s)`);
  }
  return toQuery as Mat3[][];
}

/**
 * z for one window: v^ [T, h, w, d] -> [Tq, h, w, d] (Tq = T for 'all', 1 for a chosen query).
 * Inputs are not disposed.
 */
export function temporalAggregate(vhat: tf.Tensor4D, toQuery: Mat3[][], queries: 'all' | number, config: TemporalConfig, geometry = true): tf.Tensor4D {
  const t = vhat.shape[0];
  const rows = geometry ? checkRows(toQuery, t, queries) : identityRows(t, queries);
  return warpAttend(vhat, rows, undefined, { form: 'plain', queries, maskInvalid: config.maskInvalid, impl: config.impl });
}

/**
 * The same eq. 1 (plain form, every frame a query, maskInvalid off) written for training on the
 * CPU backends: each warp H_ji is a dense [hw, hw] bilinear sampling matrix built once on the CPU
 * from the kernels' own warp plan (same taps, same float32 inverse, zero outside), so the T x T
 * warps are one batched matMul and autodiff needs no gather/scatter. On 14x14 maps that is
 * ~25 small matMuls per window instead of the stock plan's gathers (measured: 0.86 s forward +
 * backward per window through `warpAttend`'s stock path). Equal to `temporalAggregate` within
 * float error (ego000.test.ts); inference keeps `temporalAggregate` (the WGSL kernel on WebGPU).
 */
export function denseWarpMatrices(toQuery: Mat3[][], t: number, h: number, w: number): Float32Array {
  const hw = h * w;
  const hs = toQuery.flat();
  if (hs.length !== t * t) throw new InvalidConfigError('toQuery', `needs ${t} rows of ${t} homographies for the dense path, got ${hs.length}`);
  const plan = buildWarpPlan(inverseHomographies(hs), hs.map((_, o) => o % t), t, h, w);
  const out = new Float32Array(t * t * hw * hw);
  for (let r = 0; r < plan.rows; r++) {
    const o = Math.floor(r / hw), p = r % hw;
    for (let k = 0; k < 4; k++) {
      const wt = plan.w[k][r];
      if (wt === 0) continue;
      const srcPix = plan.idx[k][r] % hw;
      out[(o * hw + p) * hw + srcPix] += wt;
    }
  }
  return out;
}

export function temporalAggregateDense(vhat: tf.Tensor4D, toQuery: Mat3[][], geometry = true): tf.Tensor4D {
  const [t, h, w, d] = vhat.shape;
  const hw = h * w;
  const rows = geometry ? checkRows(toQuery, t, 'all') : identityRows(t, 'all');
  const W = denseWarpMatrices(rows, t, h, w);
  return tf.tidy(() => {
    const v = tf.reshape(vhat, [1, t, hw, d]);
    const M = tf.tensor4d(W, [t, t, hw, hw]);
    // warped[i, j] = M[i, j] @ v[j]: [t, t, hw, d]
    const warped = tf.matMul(tf.reshape(M, [t * t, hw, hw]), tf.reshape(tf.tile(v, [t, 1, 1, 1]), [t * t, hw, d]));
    const wr = tf.reshape(warped, [t, t, hw, d]);
    const q = tf.reshape(vhat, [t, 1, hw, d]);
    const scores = tf.div(tf.sum(tf.mul(q, wr), -1), Math.sqrt(d)); // [t, t(j), hw]
    const alpha = tf.softmax(tf.transpose(scores, [0, 2, 1]), -1); // [t, hw, t(j)]
    const mix = tf.sum(tf.mul(tf.expandDims(tf.transpose(alpha, [0, 2, 1]), -1), wr), 1); // [t, hw, d]
    return tf.reshape(tf.add(tf.reshape(vhat, [t, hw, d]), mix), [t, h, w, d]) as tf.Tensor4D;
  });
}
