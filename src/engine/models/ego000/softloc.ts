/**
 * Paper 000 sec. 2.1-2.2, the visual side before temporal modelling:
 *
 *   v_i = P(f14_i)                    frozen MobileNetV2 f14 [T, 14, 14, 576] -> learned 1x1 projection
 *                                     -> [T, 14, 14, d] (the paper's v_i from a dilated ResNet; ours is
 *                                     the project's frozen trunk, as LVS uses it)
 *   g_v = max_t mean_{x,y} v_t        spatial average + temporal max -> [d] (conditions f, enhancement.ts)
 *   S0_i = cos(v_i, g_a^)             [T, h, w]  (kernels' avCosineMap)
 *   v^_i = Softmax(S0_i) . v_i        soft localization (kernels' softLocalize, softmax over h*w)
 *
 * One choice of ours: v^ is multiplied by h*w (`rescale`), so the weights average 1 instead of
 * 1/(h*w). The direction of each v^_i[x, y] (hence every cosine after it) is unchanged; without it
 * eq. 1's q.k / sqrt(d) on features 196x smaller gives a flat temporal softmax.
 */
import * as tf from '@tensorflow/tfjs';
import { InvalidConfigError } from '../../errors';
import { softLocalize, type KernelImpl } from '../../kernels';
import { makeVariable, type Params } from '../audio';

export interface SoftLocalizationConfig {
  /** Softmax temperature over locations (paper: 1). */
  temperature: number;
  /** Multiply v^ by h*w (see header). */
  rescale: boolean;
  normEps: number;
  impl: KernelImpl;
}

export const DEFAULT_SOFTLOC_MODEL_CONFIG: SoftLocalizationConfig = { temperature: 1, rescale: true, normEps: 1e-6, impl: 'auto' };

export function validateSoftLocalizationConfig(c: Partial<SoftLocalizationConfig> = {}): SoftLocalizationConfig {
  const out = { ...DEFAULT_SOFTLOC_MODEL_CONFIG, ...c };
  if (typeof out.temperature !== 'number' || !Number.isFinite(out.temperature) || out.temperature <= 0 || out.temperature > 100) {
    throw new InvalidConfigError('softLocalization.temperature', `must be a number in (0, 100], got ${String(out.temperature)}`);
  }
  if (typeof out.rescale !== 'boolean') throw new InvalidConfigError('softLocalization.rescale', `must be true or false, got ${String(out.rescale)}`);
  if (typeof out.normEps !== 'number' || !(out.normEps > 0 && out.normEps <= 1)) throw new InvalidConfigError('softLocalization.normEps', `must be a number in (0, 1], got ${String(out.normEps)}`);
  if (!['auto', 'kernel', 'stock'].includes(out.impl)) throw new InvalidConfigError('softLocalization.impl', `must be 'auto', 'kernel' or 'stock', got ${String(out.impl)}`);
  return out;
}

/** visual/proj/{w,b} (and visual/hidden/{w,b} when hidden > 0). */
export function initVisualParams(channels: number, hidden: number, d: number, seed: number): Params {
  const p: Params = {};
  if (hidden > 0) {
    p['visual/hidden/w'] = makeVariable(tf.randomNormal([channels, hidden], 0, Math.sqrt(2 / channels), 'float32', seed + 1001));
    p['visual/hidden/b'] = makeVariable(tf.zeros([hidden]));
    p['visual/proj/w'] = makeVariable(tf.randomNormal([hidden, d], 0, Math.sqrt(1 / hidden), 'float32', seed + 1002));
  } else {
    p['visual/proj/w'] = makeVariable(tf.randomNormal([channels, d], 0, Math.sqrt(1 / channels), 'float32', seed + 1002));
  }
  p['visual/proj/b'] = makeVariable(tf.zeros([d]));
  return p;
}

/** Trunk features [N, h, w, Cin] -> v [N, h, w, d] (+ the learned per-cell vector visual/pos [h, w, d] when the model has one). */
export function projectVisual(params: Params, f: tf.Tensor4D): tf.Tensor4D {
  const [n, h, w, ch] = f.shape;
  return tf.tidy(() => {
    let x: tf.Tensor2D = tf.reshape(f, [n * h * w, ch]);
    if (params['visual/hidden/w']) x = tf.relu(tf.add(tf.matMul(x, params['visual/hidden/w']), params['visual/hidden/b']));
    const y = tf.add(tf.matMul(x, params['visual/proj/w']), params['visual/proj/b']);
    const v = tf.reshape(y, [n, h, w, y.shape[1] as number]) as tf.Tensor4D;
    const pos = params['visual/pos'];
    if (!pos) return v;
    if (pos.shape[0] !== h || pos.shape[1] !== w) throw new Error(`projectVisual: the position embedding is for a ${pos.shape[0]}x${pos.shape[1]} grid, features are ${h}x${w}`);
    return tf.add(v, pos) as tf.Tensor4D;
  });
}

/** g_v: spatial average then temporal max. v [B, T, h, w, d] -> [B, d]. */
export function visualVector(v: tf.Tensor5D): tf.Tensor2D {
  return tf.tidy(() => tf.max(tf.mean(v, [2, 3]), 1) as tf.Tensor2D);
}

/** v^ for one window: v [T, h, w, d], g [d] -> v^ [T, h, w, d] (and S0 [T, h, w]). */
export function softLocalizeWindow(v: tf.Tensor4D, g: tf.Tensor1D, config: SoftLocalizationConfig): { s0: tf.Tensor3D; vhat: tf.Tensor4D } {
  return tf.tidy(() => {
    const { s, vhat } = softLocalize(v, g, { temperature: config.temperature, normEps: config.normEps, impl: config.impl });
    const [, h, w] = v.shape;
    return { s0: s, vhat: config.rescale ? (tf.mul(vhat, h * w) as tf.Tensor4D) : vhat };
  });
}
