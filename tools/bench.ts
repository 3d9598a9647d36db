/**
 * `npm run bench -- <suite> [--json] [--quick] [--node]`
 *
 * Prints benchmark figures. A suite runs in Chromium (WebGPU; SwiftShader without a GPU) from the
 * in-browser harness (src/harness/bench/<suite>.ts), or in Node when tools/bench/<suite>.ts
 * exists (e.g. through the `webgpu` npm package's Dawn on a GPU machine). Ratios inside a record
 * are measured side by side in the same run. Benchmarks never assert times.
 */
import { existsSync } from 'node:fs';
import { spawn, execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createServer } from 'node:net';

interface Rec { suite: string; name: string; shape: string; ms: number; [k: string]: unknown }

const args = process.argv.slice(2);
const suite = args.find((a) => !a.startsWith('--'));
const json = args.includes('--json');
const quick = args.includes('--quick');
const forceNode = args.includes('--node');

if (!suite) {
  console.error('usage: npm run bench -- <suite> [--json] [--quick] [--node]\n  suites: dsp, kernels, homography, ...');
  process.exit(2);
}

async function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      const port = typeof a === 'object' && a ? a.port : 0;
      s.close(() => res(port));
    });
    s.on('error', rej);
  });
}

async function runInBrowser(name: string): Promise<Rec[]> {
  if (!existsSync('dist/harness.html') || process.env.BENCH_REBUILD) {
    execFileSync('npx', ['vite', 'build', '--logLevel', 'error'], { stdio: ['ignore', 'ignore', 'inherit'] });
  }
  const port = await freePort();
  const server = spawn('npx', ['vite', 'preview', '--host', '127.0.0.1', '--port', String(port), '--strictPort'], { stdio: 'ignore', detached: true });
  try {
    const { chromium } = await import('@playwright/test');
    const { BASE_ARGS, CHROMIUM } = await import('../playwright.config.ts');
    // EGOSOUND_LIVE_SECONDS: run length of the live bench per backend (e.g. 600 for a 10-minute memory figure)
    const q = new URLSearchParams();
    if (process.env.EGOSOUND_LIVE_SECONDS) q.set('liveSeconds', String(Number(process.env.EGOSOUND_LIVE_SECONDS)));
    if (process.env.EGOSOUND_LIVE_BACKENDS) q.set('liveBackends', process.env.EGOSOUND_LIVE_BACKENDS);
    if (process.env.EGOSOUND_LIVE_METHODS) q.set('liveMethods', process.env.EGOSOUND_LIVE_METHODS);
    // EGOSOUND_LIVE_REFINE=none,ecc: the windowed methods' homography refinement, each a run of its own (default: the app's, none)
    if (process.env.EGOSOUND_LIVE_REFINE) q.set('liveRefine', process.env.EGOSOUND_LIVE_REFINE);
    // EGOSOUND_LIVE_NEW=2,all: the heard-object methods' bound on new frames per map, each a run of its own (default: the app's, LIVE_NEW_FRAMES)
    if (process.env.EGOSOUND_LIVE_NEW) q.set('liveNew', process.env.EGOSOUND_LIVE_NEW);
    if (process.env.EGOSOUND_BENCH_BACKENDS) q.set('backends', process.env.EGOSOUND_BENCH_BACKENDS);
    // EGOSOUND_BENCH_REFINE=none,ecc: the pipeline bench's windowed methods with each homography refinement (default: the engine's, none)
    if (process.env.EGOSOUND_BENCH_REFINE) q.set('refine', process.env.EGOSOUND_BENCH_REFINE);
    const url = `http://127.0.0.1:${port}/harness.html${q.size ? `?${q}` : ''}`;
    for (let i = 0; i < 100; i++) {
      try { if ((await fetch(url)).ok) break; } catch { /* not up yet */ }
      await new Promise((r) => setTimeout(r, 200));
    }
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: BASE_ARGS });
    try {
      const page = await browser.newPage();
      page.on('console', (m) => { if (m.type() === 'error') console.error('[page]', m.text()); });
      await page.goto(url);
      await page.waitForSelector('body[data-ready="true"]');
      const info = await page.evaluate(() => window.egosoundHarness.backendInfo());
      if (!json) console.log(`# backend ${info.backend} (${info.adapter ?? 'no adapter'}) in Chromium`);
      return (await page.evaluate(([n, q]) => window.egosoundHarness.runBench(n as string, q as boolean), [name, quick])) as Rec[];
    } finally {
      await browser.close();
    }
  } finally {
    try { process.kill(-server.pid!); } catch { /* already gone */ }
  }
}

async function main(): Promise<void> {
  const nodeFile = resolve('tools/bench', `${suite}.ts`);
  let records: Rec[];
  if (existsSync(nodeFile) && (forceNode || !existsSync(resolve('src/harness/bench', `${suite}.ts`)))) {
    const mod = (await import(pathToFileURL(nodeFile).href)) as { run: (o: { quick: boolean; json: boolean }) => Promise<Rec[]> };
    records = await mod.run({ quick, json });
  } else {
    records = await runInBrowser(suite!);
  }
  if (json) {
    console.log(JSON.stringify(records, null, 1));
  } else {
    for (const r of records) {
      const extra = Object.entries(r).filter(([k]) => !['suite', 'name', 'shape', 'ms'].includes(k)).map(([k, v]) => `${k}=${typeof v === 'number' ? +v.toPrecision(4) : v}`).join(' ');
      console.log(`${r.suite.padEnd(10)} ${r.name.padEnd(34)} ${r.shape.padEnd(22)} ${r.ms.toFixed(3).padStart(10)} ms  ${extra}`);
    }
  }
}

main().then(() => process.exit(0), (e) => { console.error(e); process.exit(1); });
