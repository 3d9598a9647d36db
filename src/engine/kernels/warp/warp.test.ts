// Checks of the warp kernel against its CPU reference, on cpu and (Dawn) webgpu: testing/cases.ts.
import { defineKernelSuite } from '../testing/vitest_suite';

defineKernelSuite('warp');
