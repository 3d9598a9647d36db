/**
 * Fused warp + temporal attention op (issue 3, kernel 3): the same result as warping every support
 * j into query frame i by H_ji (warp op) and then running temporal attention with query i, without
 * materialising the warped copies. Runs the registered `EgoTemporalAttend` kernel with `warp` on
 * (program: ./program.ts); elsewhere the stock composition (gathers of warped copies + batched
 * matmuls, attention/core.ts). Gradients w.r.t. the features (and projection weights), not the
 * homographies: attention/core.ts.
 */
import * as tf from '@tensorflow/tfjs';
import type { Mat3 } from '../common/data';
import { useKernel } from '../common/dispatch';
import { inverseHomographies } from '../common/warp_plan';
import { validateAttentionConfig, type TemporalAttentionConfig } from '../attention/config';
import { attendCore, attendStockAutodiff } from '../attention/core';
import { attentionOperands, type AttentionWeights } from '../attention/kernel';

/**
 * v: unaligned features [T, H, W, C]. toQuery[q][j] = H_{j -> i_q} (support j's pixels to query
 * frame i_q's pixels, feature resolution), one row per query: T rows for queries 'all', one row
 * for a chosen query. Returns z [Tq, H, W, C]. Inputs are not disposed.
 */
export function warpAttend(v: tf.Tensor4D, toQuery: Mat3[][], weights?: AttentionWeights, config: Partial<TemporalAttentionConfig> = {}): tf.Tensor4D {
  if (v.rank !== 4) throw new Error(`warpAttend: features must be [T, H, W, C], got [${v.shape}]`);
  const t = v.shape[0];
  const cfg = validateAttentionConfig(config, t);
  const tq = cfg.queries === 'all' ? t : 1;
  if (toQuery.length !== tq || toQuery.some((row) => row.length !== t)) {
    throw new Error(`warpAttend: need ${tq} x ${t} homographies (query x support), got ${toQuery.length} x ${toQuery[0]?.length ?? 0}`);
  }
  const hinv = inverseHomographies(toQuery.flat());
  const kernel = useKernel(cfg.impl, 'warpAttend');
  return tf.tidy(() => {
    const o = attentionOperands(v, cfg, weights);
    return attendCore(o.q, o.k, o.u, o.r, o.kb, o.vb, { scale: o.scale, hinv, maskInvalid: cfg.maskInvalid, kernel });
  });
}

/** warpAttend's stock composition differentiated by tfjs autodiff (tests; call inside tf.tidy). */
export function warpAttendAutodiff(v: tf.Tensor4D, toQuery: Mat3[][], weights?: AttentionWeights, config: Partial<TemporalAttentionConfig> = {}): tf.Tensor4D {
  const cfg = validateAttentionConfig(config, v.shape[0]);
  const o = attentionOperands(v, cfg, weights);
  const hinv = inverseHomographies(toQuery.flat());
  return attendStockAutodiff(o.q, o.k, o.u, o.r, o.kb, o.vb, { scale: o.scale, hinv, maskInvalid: cfg.maskInvalid, kernel: false });
}
