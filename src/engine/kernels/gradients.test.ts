// Gradient checks of every kernel (autodiff of the stock composition + finite differences of the
// CPU reference), on cpu and (Dawn) webgpu: testing/cases.ts.
import { defineKernelSuite } from './testing/vitest_suite';

defineKernelSuite('grad');
