import { test, expect } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { openApp, pick, waitReady, watchConsole } from './helpers';
import { scoreMaps, type MapsFile } from '../tools/score-maps';
import type { ClipMeta } from '../src/engine/eval/truth';

/** Issue 6: the heard-object method in the app (two channels pick among a COCO detector's objects). */

test('the heard-object method maps the demo clip from its two channels, above the centre prior; a mono clip is told why it gets no map and keeps playing', async ({ page }) => {
  test.setTimeout(420_000);
  const errors = watchConsole(page);
  const meta = JSON.parse(readFileSync('public/demo/demo.meta.json', 'utf8')) as ClipMeta;
  await openApp(page, '?method=heard&fps=4');
  await expect(page.getByTestId('method-select')).toHaveValue('heard');
  await page.getByTestId('open-demo').click();
  await waitReady(page, 360_000);
  await expect(page.getByTestId('localize-status')).toHaveAttribute('data-value', 'ready');
  await expect(page.getByTestId('shown-method')).toContainText('Heard object');
  const [dl] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-maps').click()]);
  const maps = JSON.parse(readFileSync((await dl.path())!, 'utf8')) as MapsFile;
  expect(maps.params?.method).toBe('heard');
  expect((maps as MapsFile & { models?: { id: string }[] }).models?.map((m) => m.id)).toEqual(['objectness-centernet', 'heard-synth']);
  const { method, centre, hits } = scoreMaps(maps, meta);
  console.log(`demo, heard object in the app: pointing ${method.pointing.toFixed(3)}, pixel AP ${method.pixelAP.toFixed(3)} over ${method.n} frames with a sounding object (centre prior ${centre.pointing.toFixed(3)} / ${centre.pixelAP.toFixed(3)}); hits ${hits.map((h) => (h === null ? '.' : h ? '1' : '0')).join('')}`);
  expect(method.n).toBeGreaterThanOrEqual(10);
  expect(method.pointing).toBeGreaterThan(centre.pointing);
  expect(method.pixelAP).toBeGreaterThan(centre.pixelAP);

  // a one-channel clip: no direction to hear; the method says so, the clip stays and plays
  await pick(page, 'mono.webm');
  await waitReady(page);
  const notice = page.locator('[data-testid=notice][data-code=MONO_AUDIO]');
  await expect(notice).toBeVisible();
  await expect(notice).toContainText(/two channels/);
  await expect(notice.locator('.notice-hint')).toContainText(/Choose another method/);
  await expect(page.getByTestId('clip-name')).toHaveText('mono.webm');
  await expect(page.getByTestId('localize-status')).toHaveAttribute('data-value', 'failed');
  await expect(page.getByTestId('frames-decoded')).toHaveText(await page.getByTestId('frames-expected').innerText());
  // another method works on the same clip
  await page.getByTestId('method-select').selectOption('centre');
  await expect(page.getByTestId('localize-status')).toHaveAttribute('data-value', 'ready', { timeout: 120_000 });
  expect(errors).toEqual([]);
});

test('the heard-object maps of the demo clip have the same result hash on WebGPU (the detector\'s graph on WGSL kernels) as on WASM', async ({ page }) => {
  // The demo's first 2.5 s (demo-head.webm, its packets copied): 3 frames at 1 fps, a window with
  // homographies, at ~16 s a frame of the detector on SwiftShader's WebGPU.
  test.setTimeout(300_000);
  const hashes: Record<string, string> = {};
  for (const backend of ['wasm', 'webgpu']) {
    await openApp(page, `?backend=${backend}&fps=1&method=heard`);
    await expect(page.getByTestId('backend')).toHaveText(backend);
    await pick(page, 'demo-head.webm');
    await waitReady(page, 240_000);
    await expect(page.getByTestId('localize-status')).toHaveAttribute('data-value', 'ready');
    const status = await page.getByTestId('localize-status').innerText();
    expect(status).toMatch(/\b3 \/ 3 frames\b/);
    hashes[backend] = (await page.getByTestId('result-hash').getAttribute('data-value'))!;
    console.log(`heard on ${backend}: ${status}, hash ${hashes[backend]}`);
  }
  expect(hashes.wasm).toMatch(/^[0-9a-f]{64}$/);
  expect(hashes.webgpu).toBe(hashes.wasm);
});
