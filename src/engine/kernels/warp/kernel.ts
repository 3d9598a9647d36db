/**
 * Warp op (issue 3, kernel 1): bilinear warp of feature maps [N, H, W, C] by N homographies
 * (src -> dst, OpenCV convention, already scaled to feature resolution), zero outside, plus a
 * validity mask [N, H, W].
 *
 * On webgpu the WGSL kernel (program.ts) runs through the registered tfjs kernel `EgoWarp`;
 * elsewhere the stock-tfjs composition (four gathers, weighted sum) gives the same result. The
 * gradient w.r.t. the features is the warp's transpose (scatterND of the weighted taps), the same
 * on every backend; homographies get no gradient (they come from RANSAC).
 */
import * as tf from '@tensorflow/tfjs';
import type { KernelConfig, TensorInfo } from '@tensorflow/tfjs';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import type { Mat3 } from '../common/data';
import { customOp, useKernel } from '../common/dispatch';
import { applyPlan, applyPlanT, buildWarpPlan, inverseHomographies } from '../common/warp_plan';
import { validateWarpConfig, type WarpConfig } from './config';
import { WarpMaskProgram, WarpProgram } from './program';

export const EGO_WARP = 'EgoWarp';
export const EGO_WARP_MASK = 'EgoWarpMask';

export const warpKernelConfigs: KernelConfig[] = [
  {
    kernelName: EGO_WARP,
    backendName: 'webgpu',
    kernelFunc: ({ inputs, backend }) => {
      const { x, hs } = inputs as { x: TensorInfo; hs: TensorInfo };
      return (backend as unknown as WebGPUBackend).runWebGPUProgram(new WarpProgram(x.shape), [x, hs], 'float32');
    },
  },
  {
    kernelName: EGO_WARP_MASK,
    backendName: 'webgpu',
    kernelFunc: ({ inputs, backend, attrs }) => {
      const { hs } = inputs as { hs: TensorInfo };
      const shape = (attrs as { shape: number[] }).shape;
      return (backend as unknown as WebGPUBackend).runWebGPUProgram(new WarpMaskProgram(shape), [hs], 'float32');
    },
  },
];

function as4d(x: tf.Tensor): tf.Tensor4D {
  if (x.rank === 4) return x as tf.Tensor4D;
  if (x.rank === 3) return x.expandDims(0) as tf.Tensor4D;
  throw new Error(`warp: features must be [H, W, C] or [N, H, W, C], got [${x.shape}]`);
}

/**
 * Warps x [N, H, W, C] (or [H, W, C] with one homography) by hs[n] (src -> dst).
 * Returns a new tensor of x's shape; x is not disposed.
 */
export function warpFeatures<T extends tf.Tensor3D | tf.Tensor4D>(x: T, hs: Mat3[], config: Partial<WarpConfig> = {}): T {
  const cfg = validateWarpConfig(config);
  const x4 = as4d(x);
  const [n, h, w, c] = x4.shape;
  if (hs.length !== n) throw new Error(`warp: ${n} feature maps need ${n} homographies, got ${hs.length}`);
  const hinv = inverseHomographies(hs);
  const kernel = useKernel(cfg.impl, 'warp');
  const src = Array.from({ length: n }, (_, i) => i);
  let plan: ReturnType<typeof buildWarpPlan> | null = null;
  const getPlan = () => (plan ??= buildWarpPlan(hinv, src, n, h, w));
  const op = customOp(([xi]) => {
    const value = tf.tidy(() => {
      const xx = xi as tf.Tensor4D;
      if (kernel) {
        const hsT = tf.tensor2d(hinv, [n, 9]);
        return tf.engine().runKernel(EGO_WARP, { x: xx, hs: hsT }, {}) as tf.Tensor;
      }
      return applyPlan(getPlan(), tf.reshape(xx, [n * h * w, c]) as tf.Tensor2D).reshape([n, h, w, c]);
    });
    return {
      value,
      gradFunc: (dy: tf.Tensor) => tf.tidy(() => applyPlanT(getPlan(), tf.reshape(dy, [n * h * w, c]) as tf.Tensor2D).reshape([n, h, w, c])),
    };
  });
  return tf.tidy(() => {
    const out = op(x4) as tf.Tensor4D;
    return (x.rank === 3 ? out.squeeze([0]) : out) as T;
  });
}

/** Validity mask [N, H, W] (1 where the source point is inside the source map, else 0). */
export function warpMask(shape: [number, number, number], hs: Mat3[], config: Partial<WarpConfig> = {}): tf.Tensor3D {
  const cfg = validateWarpConfig(config);
  const [n, h, w] = shape;
  if (hs.length !== n) throw new Error(`warpMask: ${n} frames need ${n} homographies, got ${hs.length}`);
  const hinv = inverseHomographies(hs);
  if (useKernel(cfg.impl, 'warpMask')) {
    return tf.tidy(() => {
      const hsT = tf.tensor2d(hinv, [n, 9]);
      return tf.engine().runKernel(EGO_WARP_MASK, { hs: hsT }, { shape: [n, h, w] }) as tf.Tensor3D;
    });
  }
  const plan = buildWarpPlan(hinv, Array.from({ length: n }, (_, i) => i), n, h, w);
  return tf.tensor3d(Float32Array.from(plan.valid), [n, h, w]);
}

/** Both: warped features and validity mask. */
export function warp<T extends tf.Tensor3D | tf.Tensor4D>(x: T, hs: Mat3[], config: Partial<WarpConfig> = {}): { warped: T; mask: tf.Tensor3D } {
  const warped = warpFeatures(x, hs, config);
  const s = x.shape;
  const shape: [number, number, number] = x.rank === 3 ? [1, s[0], s[1]] : [s[0], s[1], s[2]];
  return { warped, mask: warpMask(shape, hs, config) };
}

/** The stock warp differentiated by tfjs autodiff (gather's gradient), for tests. */
export function warpAutodiff(x: tf.Tensor4D, hs: Mat3[]): tf.Tensor4D {
  const [n, h, w, c] = x.shape;
  const plan = buildWarpPlan(inverseHomographies(hs), Array.from({ length: n }, (_, i) => i), n, h, w);
  return applyPlan(plan, tf.reshape(x, [n * h * w, c]) as tf.Tensor2D).reshape([n, h, w, c]) as tf.Tensor4D;
}
