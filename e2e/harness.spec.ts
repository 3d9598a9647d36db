import { test, expect } from '@playwright/test';

/**
 * Runs every in-browser harness suite (src/harness/suites) in Chromium. GPU kernels and DSP are
 * compared against their CPU references here, on WebGPU (SwiftShader without a GPU) and, where a
 * check names them, on WebGL and WASM.
 */
test.describe('in-browser suites', () => {
  test('harness loads and reports a WebGPU backend', async ({ page }) => {
    await page.goto('/harness.html');
    await page.waitForSelector('body[data-ready="true"]');
    const info = await page.evaluate(() => window.egosoundHarness.backendInfo());
    console.log('backend:', JSON.stringify(info));
    expect(info.backend).toBe('webgpu');
  });

  const suiteNames = (process.env.HARNESS_SUITES ?? '').split(',').filter(Boolean);
  test('every suite passes', async ({ page }) => {
    test.setTimeout(900_000);
    const errors: string[] = [];
    page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
    await page.goto('/harness.html');
    await page.waitForSelector('body[data-ready="true"]');
    const all = await page.evaluate(() => window.egosoundHarness.listSuites());
    const names = suiteNames.length ? suiteNames : all.map((s) => s.name);
    const failures: string[] = [];
    for (const name of names) {
      const results = await page.evaluate((n) => window.egosoundHarness.runSuite(n), name);
      for (const r of results) {
        console.log(`${r.ok ? 'ok  ' : 'FAIL'} ${r.suite} / ${r.name} [${r.backend}] ${r.ms.toFixed(0)} ms${r.error ? ' — ' + r.error : ''}`);
        if (!r.ok) failures.push(`${r.suite} / ${r.name} [${r.backend}]: ${r.error}`);
      }
      expect(results.length, `suite ${name} ran no check`).toBeGreaterThan(0);
    }
    expect(failures, failures.join('\n')).toEqual([]);
    expect(errors, errors.join('\n')).toEqual([]);
  });

  test('the homography bench (quick) returns the issue-4 record fields for both sizes and both detectors', async ({ page }) => {
    test.setTimeout(300_000);
    await page.goto('/harness.html');
    await page.waitForSelector('body[data-ready="true"]');
    const recs = (await page.evaluate(() => window.egosoundHarness.runBench('homography', true))) as Record<string, unknown>[];
    expect(new Set(recs.map((r) => r.shape))).toEqual(new Set(['224x224', '320x240']));
    expect(new Set(recs.map((r) => r.detector))).toEqual(new Set(['orb', 'akaze']));
    for (const r of recs) {
      for (const k of ['suite', 'name', 'shape', 'ms', 'meanCornerErrPx', 'successRate', 'fallbackRate']) expect(r, `${r.name} ${r.shape}`).toHaveProperty(k);
      expect(r.suite).toBe('homography');
      expect(r.ms as number).toBeGreaterThan(0);
    }
    const dflt = recs.filter((r) => r.name === 'orb + magsac + ecc (default)');
    expect(dflt).toHaveLength(2);
    for (const r of dflt) {
      expect(r.successRate as number).toBeGreaterThanOrEqual(0.95);
      expect(r.meanCornerErrPx as number).toBeLessThanOrEqual(1);
    }
  });
});
