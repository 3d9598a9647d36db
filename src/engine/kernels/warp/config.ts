/** Settings shared by the custom kernels (DESIGN.md #5): which implementation runs. */
import { InvalidConfigError } from '../../errors';

/**
 * 'auto': the WGSL kernel on the webgpu backend, the stock-tfjs composition elsewhere.
 * 'kernel': the WGSL kernel (throws on other backends). 'stock': the composition everywhere
 * (the benchmark's baseline).
 */
export type KernelImpl = 'auto' | 'kernel' | 'stock';

export interface WarpConfig {
  impl: KernelImpl;
}

export const DEFAULT_WARP_CONFIG: WarpConfig = { impl: 'auto' };

export function validateImpl(impl: unknown, key = 'impl'): KernelImpl {
  if (impl !== 'auto' && impl !== 'kernel' && impl !== 'stock') throw new InvalidConfigError(key, `must be 'auto', 'kernel' or 'stock', got ${String(impl)}`);
  return impl;
}

export function validateWarpConfig(c: Partial<WarpConfig> = {}): WarpConfig {
  const out = { ...DEFAULT_WARP_CONFIG, ...c };
  out.impl = validateImpl(out.impl);
  return out;
}
