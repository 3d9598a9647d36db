/**
 * Defines the vitest suites of one op's checks (testing/cases.ts): on tfjs's cpu backend (stock
 * composition) and on webgpu through the `webgpu` npm package (Dawn; SwiftShader without a GPU),
 * skipped with the reason when no adapter exists. Each check asserts numTensors returns to where
 * it was.
 */
import * as tf from '@tensorflow/tfjs';
import { describe, it, beforeAll, expect } from 'vitest';
import { KERNEL_CHECKS } from './cases';
import { startNodeWebGPU } from './node_webgpu';

export function defineKernelSuite(op: string): void {
  const checks = KERNEL_CHECKS.find((k) => k.op === op)?.checks;
  if (!checks) throw new Error(`no kernel checks for ${op}`);

  describe(`${op} on cpu (stock composition)`, () => {
    beforeAll(async () => {
      await tf.setBackend('cpu');
    });
    for (const c of checks) {
      it(c.name, async () => {
        await tf.setBackend('cpu');
        const before = tf.memory().numTensors;
        await c.run();
        expect(tf.memory().numTensors, 'tensor leak').toBe(before);
      });
    }
  });

  describe(`${op} on webgpu (WGSL kernels, Dawn)`, async () => {
    const gpu = await startNodeWebGPU();
    if (!gpu.ok) {
      it.skip(`skipped: ${gpu.reason}`, () => {});
      return;
    }
    for (const c of checks) {
      it(c.name, async () => {
        await tf.setBackend('webgpu');
        const before = tf.memory().numTensors;
        await c.run();
        expect(tf.memory().numTensors, 'tensor leak').toBe(before);
      });
    }
  });
}
