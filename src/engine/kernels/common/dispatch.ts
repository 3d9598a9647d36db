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
  if (gpu && registrar) registrar();
  return gpu;
}
