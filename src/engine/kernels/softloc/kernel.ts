/**
 * AV cosine map + soft localization (issue 3, kernel 4; paper 000 sec. 2.2) and the
 * differentiable threshold (sec. 2.4). Each piece is its own op with a gradient (stock ops,
 * formulas below) so that training can use any of them; softLocalize chains the three of sec. 2.2.
 *
 *   cosine:    S = v.g / (nv ng), nv = max(|v|, e), ng = max(|g|, e)
 *              dS/dv = g / (nv ng) - [|v| > e] S v / nv^2,  dS/dg = v / (nv ng) - [|g| > e] S g / ng^2
 *   softmax:   A = softmax(S / temp) over locations;  dS = A (dA - sum A dA) / temp
 *   weighting: v^ = A v;  dv = A dv^,  dA = sum_c dv^ v
 *   threshold: m = sigmoid((S - eps) / tau);  dS = dm m (1 - m) / tau
 */
import * as tf from '@tensorflow/tfjs';
import type { KernelConfig, TensorInfo } from '@tensorflow/tfjs';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import { customOp, useKernel } from '../common/dispatch';
import { validateSoftLocConfig, type SoftLocConfig } from './config';
import { AttendByMapProgram, CosineMapProgram, LocationSoftmaxProgram, ThresholdProgram } from './program';

export const EGO_COSINE = 'EgoAvCosineMap';
export const EGO_LOC_SOFTMAX = 'EgoLocationSoftmax';
export const EGO_ATTEND_BY_MAP = 'EgoAttendByMap';
export const EGO_THRESHOLD = 'EgoSoftThreshold';

const be = (b: unknown) => b as WebGPUBackend;
type Attrs = Record<string, number>;

export const softlocKernelConfigs: KernelConfig[] = [
  {
    kernelName: EGO_COSINE,
    backendName: 'webgpu',
    kernelFunc: ({ inputs, backend, attrs }) => {
      const { v, g } = inputs as Record<string, TensorInfo>;
      return be(backend).runWebGPUProgram(new CosineMapProgram(v.shape), [v, g], 'float32', [{ type: 'float32', data: [(attrs as Attrs).normEps] }]);
    },
  },
  {
    kernelName: EGO_LOC_SOFTMAX,
    backendName: 'webgpu',
    kernelFunc: ({ inputs, backend, attrs }) => {
      const { s } = inputs as Record<string, TensorInfo>;
      return be(backend).runWebGPUProgram(new LocationSoftmaxProgram(s.shape), [s], 'float32', [{ type: 'float32', data: [1 / (attrs as Attrs).temperature] }]);
    },
  },
  {
    kernelName: EGO_ATTEND_BY_MAP,
    backendName: 'webgpu',
    kernelFunc: ({ inputs, backend }) => {
      const { v, a } = inputs as Record<string, TensorInfo>;
      return be(backend).runWebGPUProgram(new AttendByMapProgram(v.shape), [v, a], 'float32');
    },
  },
  {
    kernelName: EGO_THRESHOLD,
    backendName: 'webgpu',
    kernelFunc: ({ inputs, backend, attrs }) => {
      const { s } = inputs as Record<string, TensorInfo>;
      const a = attrs as Attrs;
      return be(backend).runWebGPUProgram(new ThresholdProgram(s.shape), [s], 'float32', [{ type: 'float32', data: [a.epsilon] }, { type: 'float32', data: [1 / a.tau] }]);
    },
  },
];

function checkV(v: tf.Tensor, op: string): asserts v is tf.Tensor4D {
  if (v.rank !== 4) throw new Error(`${op}: visual features must be [T, H, W, C], got [${v.shape}]`);
}

/** S [T, H, W]: cosine between every v[t, y, x] and the audio vector g [C]. */
export function avCosineMap(v: tf.Tensor4D, g: tf.Tensor1D, config: Partial<SoftLocConfig> = {}): tf.Tensor3D {
  checkV(v, 'avCosineMap');
  if (g.rank !== 1 || g.shape[0] !== v.shape[3]) throw new Error(`avCosineMap: audio vector must be [${v.shape[3]}], got [${g.shape}]`);
  const cfg = validateSoftLocConfig(config);
  const kernel = useKernel(cfg.impl, 'avCosineMap');
  const e = cfg.normEps;
  const f = customOp(([vi, gi], save) => {
    save([vi, gi]);
    const value = tf.tidy(() => {
      if (kernel) return tf.engine().runKernel(EGO_COSINE, { v: vi, g: gi }, { normEps: e }) as tf.Tensor;
      return tf.div(tf.sum(tf.mul(vi, gi), -1), tf.mul(tf.maximum(tf.norm(vi, 'euclidean', -1), e), tf.maximum(tf.norm(gi), e)));
    });
    return {
      value,
      gradFunc: (dy: tf.Tensor, [vi, gi]: tf.Tensor[]) =>
        tf.tidy(() => {
          const nvRaw = tf.norm(vi, 'euclidean', -1, true); // [T, H, W, 1]
          const nv = tf.maximum(nvRaw, e);
          const ngRaw = tf.norm(gi);
          const ng = tf.maximum(ngRaw, e);
          const s = tf.div(tf.sum(tf.mul(vi, gi), -1, true), tf.mul(nv, ng));
          const d = tf.expandDims(dy, -1);
          const vTerm = tf.mul(tf.cast(tf.greater(nvRaw, e), 'float32'), tf.div(tf.mul(s, vi), tf.square(nv)));
          const dv = tf.mul(d, tf.sub(tf.div(gi, tf.mul(nv, ng)), vTerm));
          const gTerm = tf.mul(tf.cast(tf.greater(ngRaw, e), 'float32'), tf.div(tf.mul(s, gi), tf.square(ng)));
          const dg = tf.sum(tf.reshape(tf.mul(d, tf.sub(tf.div(vi, tf.mul(nv, ng)), gTerm)), [-1, gi.shape[0]]), 0);
          return [dv, dg];
        }),
    };
  });
  return f(v, g) as tf.Tensor3D;
}

/** A [T, H, W]: softmax of S / temperature over the H*W locations of each frame. */
export function locationSoftmax(s: tf.Tensor3D, config: Partial<SoftLocConfig> = {}): tf.Tensor3D {
  const cfg = validateSoftLocConfig(config);
  const kernel = useKernel(cfg.impl, 'locationSoftmax');
  const [t, h, w] = s.shape;
  const temp = cfg.temperature;
  const f = customOp(([si], save) => {
    const value = tf.tidy(() => {
      const s2 = tf.reshape(si, [t, h * w]);
      const a = kernel ? (tf.engine().runKernel(EGO_LOC_SOFTMAX, { s: s2 }, { temperature: temp }) as tf.Tensor) : tf.softmax(tf.div(s2, temp));
      return tf.reshape(a, [t, h, w]);
    });
    save([value]);
    return {
      value,
      gradFunc: (dy: tf.Tensor, [value]: tf.Tensor[]) =>
        tf.tidy(() => {
          const a = tf.reshape(value, [t, h * w]);
          const da = tf.reshape(dy, [t, h * w]);
          return tf.reshape(tf.div(tf.mul(a, tf.sub(da, tf.sum(tf.mul(a, da), -1, true))), temp), [t, h, w]);
        }),
    };
  });
  return f(s) as tf.Tensor3D;
}

/** v^ [T, H, W, C] = A[t, y, x] v[t, y, x, :]. */
export function attendByMap(v: tf.Tensor4D, a: tf.Tensor3D, config: Partial<SoftLocConfig> = {}): tf.Tensor4D {
  checkV(v, 'attendByMap');
  const cfg = validateSoftLocConfig(config);
  const kernel = useKernel(cfg.impl, 'attendByMap');
  const f = customOp(([vi, ai], save) => {
    save([vi, ai]);
    const value = tf.tidy(() => (kernel ? (tf.engine().runKernel(EGO_ATTEND_BY_MAP, { v: vi, a: ai }, {}) as tf.Tensor) : tf.mul(vi, tf.expandDims(ai, -1))));
    return {
      value,
      gradFunc: (dy: tf.Tensor, [vi, ai]: tf.Tensor[]) => tf.tidy(() => [tf.mul(dy, tf.expandDims(ai, -1)), tf.sum(tf.mul(dy, vi), -1)]),
    };
  });
  return f(v, a) as tf.Tensor4D;
}

/** m = sigmoid((S - epsilon) / tau), any shape. */
export function differentiableThreshold<T extends tf.Tensor>(s: T, config: Partial<SoftLocConfig> = {}): T {
  const cfg = validateSoftLocConfig(config);
  const kernel = useKernel(cfg.impl, 'differentiableThreshold');
  const f = customOp(([si], save) => {
    const value = tf.tidy(() =>
      kernel
        ? (tf.engine().runKernel(EGO_THRESHOLD, { s: si }, { epsilon: cfg.epsilon, tau: cfg.tau }) as tf.Tensor)
        : tf.sigmoid(tf.div(tf.sub(si, cfg.epsilon), cfg.tau)),
    );
    save([value]);
    return {
      value,
      gradFunc: (dy: tf.Tensor, [value]: tf.Tensor[]) => tf.tidy(() => tf.div(tf.mul(dy, tf.mul(value, tf.sub(1, value))), cfg.tau)),
    };
  });
  return f(s) as T;
}

/**
 * Soft localization (sec. 2.2): S = cos(v, g), A = softmax over locations, v^ = A v.
 * v [T, H, W, C], g [C]. Returns three new tensors; inputs are not disposed.
 */
export function softLocalize(v: tf.Tensor4D, g: tf.Tensor1D, config: Partial<SoftLocConfig> = {}): { s: tf.Tensor3D; a: tf.Tensor3D; vhat: tf.Tensor4D } {
  const s = avCosineMap(v, g, config);
  const a = locationSoftmax(s, config);
  const vhat = attendByMap(v, a, config);
  return { s, a, vhat };
}
