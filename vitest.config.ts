import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'tools/**/*.test.ts'],
    environment: 'node',
    testTimeout: 60_000,
    pool: 'forks',
    // Each test file runs single-threaded (tfjs CPU/WASM, opencv.js), so one fork per core:
    // vitest's default (cores - 1) runs the files one at a time on CI's 2 cores (324 s there
    // against 199 s with two forks, measured on such a machine).
    maxWorkers: Math.max(1, availableParallelism()),
  },
});
