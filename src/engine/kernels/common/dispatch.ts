/**
 * Picks the implementation of an op for the current backend, and registers our WebGPU kernels
 * with tfjs (once, from the list in ../register.ts) the first time a kernel path is taken.
 */
import * as tf from '@tensorflow/tfjs';
import type { KernelImpl } from '../warp/config';

let registrar: (() => void) | null = null;

/** register.ts hands its loop here (avoids an import cycle between ops and the registry). */
export function setRegistrar(fn: () => void): void {
  registrar = fn;
}

export function useKernel(impl: KernelImpl, op: string): boolean {
  const gpu = tf.getBackend() === 'webgpu';
  if (impl === 'stock') return false;
  if (impl === 'kernel' && !gpu) throw new Error(`${op}: impl 'kernel' needs the webgpu backend (current: ${tf.getBackend()})`);
  if (gpu) {
    if (!registrar) throw new Error(`${op}: kernels are not registered; import the ops from src/engine/kernels (index.ts)`);
    registrar();
  }
  return gpu;
}

/**
 * A forward with its gradient, as tf.customGrad wants it. `save` keeps tensors for the backward
 * pass (tfjs disposes a gradient scope's intermediates before backprop, so anything gradFunc reads
 * must be saved, inputs included); gradFunc receives them in the same order.
 */
export type CustomOp = (
  xs: tf.Tensor[],
  save: (ts: tf.Tensor[]) => void,
) => { value: tf.Tensor; gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.Tensor | tf.Tensor[] };

export function customOp(fn: CustomOp): (...xs: tf.Tensor[]) => tf.Tensor {
  const f = (...args: unknown[]) => fn(args.slice(0, -1) as tf.Tensor[], args[args.length - 1] as (ts: tf.Tensor[]) => void);
  return tf.customGrad(f as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as (...xs: tf.Tensor[]) => tf.Tensor;
}
