/**
 * Paper 000 sec. 2.4, the training objective:
 *
 *   S_t = cos(z_t, g_a^)                          localization map per frame [h, w] (kernels' avCosineMap)
 *   S~  = sum_t W_t S_t,  W = softmax(theta)      softmax MIL pooling with learned weights over T
 *   m~  = sigmoid((S~ - eps) / tau)               differentiable threshold, eps 0.5, tau 0.03
 *   P_k = <m~, S~> / <m~, 1>                      positive: the confident region of the own pair
 *   N_kj = <1, S~_neg(k, j)> / hw                 negative: clip k's frames with clip j's audio
 *   L_ground = -1/K sum_k log softmax([P_k, N_k1 .. N_kK (j != k)] / 0.2)_0                   (eq. 2)
 *   L = L_ground + lambda L_enhancement                                                     (eq. 3)
 *
 * Eq. 2 prints one N_k in a two-way softmax; with K - 1 other clips in a batch we use them all as
 * negatives of one softmax (the multi-way form the LVS public code trains, logits / 0.2 as the
 * Ego-AV-Loc public code). Options (config `negatives`, `hardNegative`): the LVS (paper 003) trimap
 * forms — easy negatives as the positive-region average of S~_neg (`'trimap'`; lvs.ts found the
 * mean form loses to any spatial contrast on a toy), and the same-image hard negative
 * H_k = <1 - n~, S~> / <1 - n~, 1>, n~ = sigmoid((S~ - eps_n) / tau).
 */
import * as tf from '@tensorflow/tfjs';
import { InvalidConfigError } from '../../errors';
import { avCosineMap, differentiableThreshold } from '../../kernels';

export interface ObjectiveConfig {
  /** Threshold eps of m = sigmoid((S - eps) / tau) (public code: 0.5). */
  epsilon: number;
  /** Temperature tau (public code: 0.03). */
  tau: number;
  /** Logits are divided by this (public code: 0.2). */
  temperature: number;
  /** Weight lambda of L_enhancement in eq. 3. */
  lambda: number;
  /** Easy negatives: 'mean' (paper 000's N = <1, S_neg>/hw) or 'trimap' (paper 003 public code). */
  negatives: 'mean' | 'trimap';
  /** Add paper 003's same-image hard negative H_k. */
  hardNegative: boolean;
  /** eps_n of the hard negative (paper 003: 0.4); must be below epsilon. */
  epsN: number;
}

export const DEFAULT_OBJECTIVE_CONFIG: ObjectiveConfig = { epsilon: 0.5, tau: 0.03, temperature: 0.2, lambda: 1, negatives: 'mean', hardNegative: false, epsN: 0.4 };

export function validateObjectiveConfig(c: Partial<ObjectiveConfig> = {}): ObjectiveConfig {
  const out = { ...DEFAULT_OBJECTIVE_CONFIG, ...c };
  const num = (k: keyof ObjectiveConfig, lo: number, hi: number, openLo: boolean) => {
    const v = out[k] as unknown;
    if (typeof v !== 'number' || !Number.isFinite(v) || (openLo ? v <= lo : v < lo) || v > hi) {
      throw new InvalidConfigError(`objective.${k}`, `must be a number in ${openLo ? '(' : '['}${lo}, ${hi}], got ${String(v)}`);
    }
  };
  num('epsilon', -1, 1, false);
  num('tau', 0, 10, true);
  num('temperature', 0, 10, true);
  num('lambda', 0, 1000, false);
  num('epsN', -1, 1, false);
  if (out.negatives !== 'mean' && out.negatives !== 'trimap') throw new InvalidConfigError('objective.negatives', `must be 'mean' or 'trimap', got ${String(out.negatives)}`);
  if (typeof out.hardNegative !== 'boolean') throw new InvalidConfigError('objective.hardNegative', `must be true or false, got ${String(out.hardNegative)}`);
  if (out.hardNegative && !(out.epsN < out.epsilon)) throw new InvalidConfigError('objective.epsN', `must be below epsilon (${out.epsilon}), got ${out.epsN}`);
  return out;
}

/** S = cos(z, g): z [Tq, h, w, d], g [d] -> [Tq, h, w]. */
export function localizationMap(z: tf.Tensor4D, g: tf.Tensor1D): tf.Tensor3D {
  return avCosineMap(z, g, { impl: 'auto' });
}

/** Unit vectors along the last axis. */
export function l2normalize(x: tf.Tensor, eps = 1e-6): tf.Tensor {
  return tf.tidy(() => tf.div(x, tf.maximum(tf.norm(x, 'euclidean', -1, true), eps)));
}

/** Softmax MIL pooling over time: S [..., T, hw] with logits theta [T] -> [..., hw]. */
export function milPool(s: tf.Tensor, theta: tf.Tensor1D): tf.Tensor {
  return tf.tidy(() => {
    const t = theta.shape[0];
    if (s.shape[s.rank - 2] !== t) throw new Error(`milPool: maps have ${s.shape[s.rank - 2]} frames, weights ${t}`);
    const w = tf.reshape(tf.softmax(theta), [t, 1]);
    return tf.sum(tf.mul(s, w), s.rank - 2);
  });
}

const safe = (t: tf.Tensor) => tf.maximum(t, 1e-30);

export interface GroundParts {
  loss: tf.Scalar;
  /** [K, 1 + K (+1)]: P_k, N_kj (own pair masked), H_k; divided by the temperature. */
  logits: tf.Tensor2D;
}

/**
 * L_ground from pooled maps S~[k, j, :] of clip k's frames with clip j's audio: [K, K, hw]; the
 * diagonal holds the positive pairs.
 */
export function groundLoss(sAll: tf.Tensor3D, config: ObjectiveConfig): GroundParts {
  const c = config;
  return tf.tidy(() => {
    const [k, k2, hw] = sAll.shape;
    if (k !== k2) throw new Error(`groundLoss: maps must be [K, K, hw], got [${sAll.shape}]`);
    const eye = tf.eye(k);
    const pos = tf.sum(tf.mul(sAll, tf.expandDims(eye, -1)), 1); // [K, hw]
    const m = differentiableThreshold(pos, { epsilon: c.epsilon, tau: c.tau });
    const P = tf.div(tf.sum(tf.mul(m, pos), -1), safe(tf.sum(m, -1))); // [K]
    let N: tf.Tensor;
    if (c.negatives === 'mean') N = tf.mean(sAll, -1);
    else {
      const mAll = differentiableThreshold(sAll, { epsilon: c.epsilon, tau: c.tau });
      N = tf.div(tf.sum(tf.mul(mAll, sAll), -1), safe(tf.sum(mAll, -1)));
    }
    N = tf.sub(N, tf.mul(eye, 1e4)); // the own pair is the positive, not a negative
    const parts: tf.Tensor[] = [tf.expandDims(P, 1), N];
    if (c.hardNegative) {
      const n = tf.sub(1, differentiableThreshold(pos, { epsilon: c.epsN, tau: c.tau }));
      parts.push(tf.expandDims(tf.div(tf.sum(tf.mul(n, pos), -1), safe(tf.sum(n, -1))), 1));
    }
    const logits = tf.div(tf.concat(parts, 1), c.temperature) as tf.Tensor2D;
    void hw;
    const loss = tf.mean(tf.sub(tf.logSumExp(logits, 1), tf.squeeze(tf.slice(logits, [0, 0], [k, 1]), [1]))) as tf.Scalar;
    return { loss, logits };
  });
}
