/**
 * `npm run bench -- kernels --node [--json] [--quick]`: the kernel benchmark in Node through the
 * `webgpu` npm package (Dawn): a real GPU where Vulkan finds one, SwiftShader otherwise (ICD from
 * Debian's chromium package). Same records as the browser run (src/engine/kernels/testing/bench.ts).
 */
import { startNodeWebGPU } from '../../src/engine/kernels/testing/node_webgpu';
import { runKernelBench, type KernelBenchRecord } from '../../src/engine/kernels/testing/bench';

export async function run(opts: { quick: boolean; json: boolean }): Promise<KernelBenchRecord[]> {
  const gpu = await startNodeWebGPU();
  if (!gpu.ok) throw new Error(`kernels bench needs WebGPU in Node: ${gpu.reason}`);
  if (!opts.json) console.log(`# backend webgpu (${gpu.adapter}) in Node/Dawn`);
  return runKernelBench({ quick: opts.quick, log: opts.json ? undefined : (s) => console.error(s) });
}
