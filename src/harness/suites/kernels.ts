/**
 * Custom WGSL kernels (issue 3) in the browser: every check of src/engine/kernels/testing/cases.ts
 * on webgpu (the WGSL kernels; SwiftShader without a GPU) and on webgl, wasm and cpu (the stock
 * composition of the same ops, which must give the same results).
 */
import { KERNEL_CHECKS } from '../../engine/kernels/testing/cases';
import type { HarnessSuite } from '../types';

const suite: HarnessSuite = {
  name: 'kernels',
  checks: KERNEL_CHECKS.flatMap(({ op, checks }) =>
    checks.map((c) => ({
      name: `${op}: ${c.name}`,
      backends: ['webgpu', 'webgl', 'wasm', 'cpu'],
      run: c.run,
    })),
  ),
};
export default suite;
