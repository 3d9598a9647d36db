/**
 * Temporal attention op (issue 3, kernel 2; paper 000 eq. 1) over T features that are already
 * aligned to one view:
 *
 *   z_i[x,y] = v_i[x,y] + softmax( v_i[x,y] V[x,y]^T / sqrt(d) ) V[x,y]
 *
 * for every query frame i (config.queries 'all') or a chosen one. config.form 'projected' uses
 * learned single-head q/k/v projections instead (weights argument). On webgpu the WGSL program
 * (program.ts, `warp` off) runs as the registered tfjs kernel `EgoTemporalAttend`; elsewhere the
 * stock-tfjs composition in core.ts. Gradients: core.ts.
 */
import * as tf from '@tensorflow/tfjs';
import { useKernel } from '../common/dispatch';
import { validateAttentionConfig, type TemporalAttentionConfig } from './config';
import { attendCore, attendStockAutodiff, attentionKernelConfigs } from './core';

export { attentionKernelConfigs };

/** Learned single-head projections for config.form 'projected'. */
export interface AttentionWeights {
  wq: tf.Tensor2D; // [C, Dk]
  bq: tf.Tensor1D; // [Dk]
  wk: tf.Tensor2D; // [C, Dk]
  bk: tf.Tensor1D; // [Dk]
  wv: tf.Tensor2D; // [C, C]
  bv: tf.Tensor1D; // [C]
}

export interface AttentionInputs {
  /** Validity of each aligned support [T, H, W] (1 valid, 0 not); used with maskInvalid. */
  mask?: tf.Tensor3D;
  weights?: AttentionWeights;
}

/** Queries' features [Tq, H, W, C] (the whole clip, or a one-frame slice). */
export function queryFrames(v: tf.Tensor4D, queries: 'all' | number): tf.Tensor4D {
  return queries === 'all' ? v : (tf.slice(v, [queries, 0, 0, 0], [1, -1, -1, -1]) as tf.Tensor4D);
}

/** Q, K, U, R, biases and scale of the plain or projected form. */
export function attentionOperands(v: tf.Tensor4D, cfg: TemporalAttentionConfig, weights?: AttentionWeights) {
  const [t, h, w, c] = v.shape;
  const r = queryFrames(v, cfg.queries);
  if (cfg.form === 'plain') return { q: r, k: v, u: v, r, kb: null, vb: null, scale: 1 / Math.sqrt(c) };
  if (!weights) throw new Error("temporal attention: form 'projected' needs weights {wq, bq, wk, bk, wv, bv}");
  const dk = weights.wq.shape[1];
  const check = (name: string, s: number[], want: number[]) => {
    if (s.length !== want.length || s.some((d, i) => d !== want[i])) throw new Error(`temporal attention: ${name} must be [${want}], got [${s}]`);
  };
  check('wq', weights.wq.shape, [c, dk]);
  check('bq', weights.bq.shape, [dk]);
  check('wk', weights.wk.shape, [c, dk]);
  check('bk', weights.bk.shape, [dk]);
  check('wv', weights.wv.shape, [c, c]);
  check('bv', weights.bv.shape, [c]);
  const tq = r.shape[0];
  const q = tf.add(tf.matMul(tf.reshape(r, [tq * h * w, c]), weights.wq), weights.bq).reshape([tq, h, w, dk]) as tf.Tensor4D;
  const v2 = tf.reshape(v, [t * h * w, c]) as tf.Tensor2D;
  const k = tf.matMul(v2, weights.wk).reshape([t, h, w, dk]) as tf.Tensor4D; // bias added after alignment
  const u = tf.matMul(v2, weights.wv).reshape([t, h, w, c]) as tf.Tensor4D;
  return { q, k, u, r, kb: weights.bk, vb: weights.bv, scale: 1 / Math.sqrt(dk) };
}

/**
 * v: aligned features [T, H, W, C]. Returns z [Tq, H, W, C] (Tq = T for 'all', else 1).
 * Inputs are not disposed.
 */
export function temporalAttention(v: tf.Tensor4D, inputs: AttentionInputs = {}, config: Partial<TemporalAttentionConfig> = {}): tf.Tensor4D {
  if (v.rank !== 4) throw new Error(`temporal attention: features must be [T, H, W, C], got [${v.shape}]`);
  const cfg = validateAttentionConfig(config, v.shape[0]);
  if (cfg.maskInvalid && !inputs.mask) throw new Error('temporal attention: maskInvalid needs inputs.mask [T, H, W]');
  const kernel = useKernel(cfg.impl, 'temporalAttention');
  return tf.tidy(() => {
    const o = attentionOperands(v, cfg, inputs.weights);
    return attendCore(o.q, o.k, o.u, o.r, o.kb, o.vb, { scale: o.scale, hinv: null, maskInvalid: cfg.maskInvalid, m: inputs.mask, kernel });
  });
}

/** temporalAttention's stock composition differentiated by tfjs autodiff (tests; call inside tf.tidy). */
export function temporalAttentionAutodiff(v: tf.Tensor4D, inputs: AttentionInputs = {}, config: Partial<TemporalAttentionConfig> = {}): tf.Tensor4D {
  const cfg = validateAttentionConfig(config, v.shape[0]);
  const o = attentionOperands(v, cfg, inputs.weights);
  return attendStockAutodiff(o.q, o.k, o.u, o.r, o.kb, o.vb, { scale: o.scale, hinv: null, maskInvalid: cfg.maskInvalid, m: inputs.mask, kernel: false });
}
