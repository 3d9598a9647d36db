import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../engine/backend';
import type { BenchSuite, CheckResult, HarnessSuite } from './types';

const suiteModules = import.meta.glob<{ default: HarnessSuite }>('./suites/*.ts', { eager: true });
const benchModules = import.meta.glob<{ default: BenchSuite }>('./bench/*.ts', { eager: true });

const suites = Object.values(suiteModules).map((m) => m.default);
const benches = Object.values(benchModules).map((m) => m.default);

const log = (line: string) => {
  const el = document.getElementById('log');
  if (el) el.textContent += line + '\n';
};

async function useBackend(name: string): Promise<string> {
  if (tf.getBackend() === name) return name;
  const r = await initBackend({ prefer: [name as 'webgpu' | 'webgl' | 'wasm' | 'cpu'] });
  return r.backend;
}

const api = {
  listSuites: () => suites.map((s) => ({ name: s.name, checks: s.checks.map((c) => c.name) })),
  listBenches: () => benches.map((b) => b.name),
  async backendInfo() {
    const r = await initBackend({ prefer: ['webgpu', 'webgl', 'wasm'] }); // the harness tests the GPU path, software adapter or not
    return r;
  },
  /** Runs every check of a suite on each backend it names; never throws. */
  async runSuite(name: string, backendFilter?: string[]): Promise<CheckResult[]> {
    const suite = suites.find((s) => s.name === name);
    if (!suite) throw new Error(`no harness suite named ${name}; have ${suites.map((s) => s.name).join(', ')}`);
    const results: CheckResult[] = [];
    for (const check of suite.checks) {
      for (const backend of check.backends ?? ['webgpu']) {
        if (backendFilter && !backendFilter.includes(backend)) continue;
        const t0 = performance.now();
        try {
          const got = await useBackend(backend);
          if (got !== backend) throw new Error(`backend ${backend} could not be initialised (got ${got})`);
          const before = tf.memory().numTensors;
          await check.run();
          const after = tf.memory().numTensors;
          if (after !== before) throw new Error(`tensor leak: numTensors ${before} -> ${after}`);
          results.push({ suite: name, name: check.name, backend, ok: true, ms: performance.now() - t0 });
          log(`ok   ${name} / ${check.name} [${backend}]`);
        } catch (e) {
          const msg = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
          results.push({ suite: name, name: check.name, backend, ok: false, ms: performance.now() - t0, error: msg });
          log(`FAIL ${name} / ${check.name} [${backend}]: ${msg}`);
        }
      }
    }
    return results;
  },
  async runBench(name: string, quick = false) {
    const bench = benches.find((b) => b.name === name);
    if (!bench) throw new Error(`no bench named ${name}; have ${benches.map((b) => b.name).join(', ')}`);
    await useBackend('webgpu');
    return bench.run({ quick });
  },
};

declare global {
  interface Window {
    egosoundHarness: typeof api;
  }
}
window.egosoundHarness = api;
document.body.dataset.ready = 'true';
