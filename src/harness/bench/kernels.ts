/**
 * `npm run bench -- kernels [--json] [--quick]`: the custom WGSL kernels against the stock-tfjs
 * composition of the same ops, in Chromium's WebGPU (SwiftShader without a GPU).
 * Records: {suite, name, shape, ms, baselineMs, ratio, maxAbsErr}; see
 * src/engine/kernels/testing/bench.ts.
 */
import { runKernelBench } from '../../engine/kernels/testing/bench';
import type { BenchSuite } from '../types';

const bench: BenchSuite = {
  name: 'kernels',
  run: ({ quick }) => runKernelBench({ quick }),
};
export default bench;
