/**
 * The in-browser harness: suites of checks and benchmarks that need a real browser (WebGPU,
 * WebGL, media elements). Playwright calls `window.egosoundHarness` through page.evaluate.
 *
 * A check throws on failure with a message that names the first mismatches; a bench returns
 * records of figures. Files under suites/ and bench/ are picked up by import.meta.glob.
 */
export interface HarnessCheck {
  name: string;
  /** Backends this check runs on; default: ['webgpu']. */
  backends?: string[];
  run: () => Promise<void> | void;
}

export interface HarnessSuite {
  name: string;
  checks: HarnessCheck[];
}

export interface BenchRecord {
  suite: string;
  name: string;
  shape: string;
  ms: number;
  [figure: string]: string | number | boolean | null;
}

export interface BenchSuite {
  name: string;
  run: (opts: { quick: boolean }) => Promise<BenchRecord[]>;
}

export interface CheckResult {
  suite: string;
  name: string;
  backend: string;
  ok: boolean;
  ms: number;
  error?: string;
}
