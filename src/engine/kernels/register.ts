/**
 * Registers every custom WGSL kernel of src/engine/kernels with tfjs's webgpu backend, in one
 * loop (DESIGN.md #1). Idempotent; ops call it lazily the first time they take the kernel path.
 */
import * as tf from '@tensorflow/tfjs';
import type { KernelConfig } from '@tensorflow/tfjs';
import { setRegistrar } from './common/dispatch';
import { warpKernelConfigs } from './warp/kernel';
import { attentionKernelConfigs } from './attention/kernel';
import { softlocKernelConfigs } from './softloc/kernel';

export const KERNEL_CONFIGS: KernelConfig[] = [...warpKernelConfigs, ...attentionKernelConfigs, ...softlocKernelConfigs];

export function registerEgoKernels(): void {
  for (const k of KERNEL_CONFIGS) {
    if (!tf.getKernel(k.kernelName, k.backendName)) tf.registerKernel(k);
  }
}

setRegistrar(registerEgoKernels);
