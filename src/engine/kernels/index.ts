/**
 * Custom WGSL kernels for tfjs's webgpu backend (issue 3) and their stock-tfjs compositions.
 * Importing this module registers the kernels (lazily, on the first webgpu call).
 */
import './register';

export { registerEgoKernels, KERNEL_CONFIGS } from './register';
export { warp, warpFeatures, warpMask } from './warp/kernel';
export { DEFAULT_WARP_CONFIG, validateWarpConfig, type WarpConfig, type KernelImpl } from './warp/config';
export { temporalAttention, type AttentionWeights, type AttentionInputs } from './attention/kernel';
export { DEFAULT_ATTENTION_CONFIG, validateAttentionConfig, MAX_FRAMES, type TemporalAttentionConfig } from './attention/config';
export { warpAttend } from './fused/kernel';
export { avCosineMap, locationSoftmax, attendByMap, softLocalize, differentiableThreshold } from './softloc/kernel';
export { DEFAULT_SOFTLOC_CONFIG, validateSoftLocConfig, type SoftLocConfig } from './softloc/config';
export { inverseHomographies } from './common/warp_plan';
export type { Mat3 } from './common/data';
