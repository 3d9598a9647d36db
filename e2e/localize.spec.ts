import { test, expect, type Page } from '@playwright/test';
import { openApp, waitReady, watchConsole, seekPlayer as seek } from './helpers';
import { readFileSync } from 'node:fs';
import { decodePng } from '../tools/data/png';
import { scoreMaps, type MapsFile } from '../tools/score-maps';
import { soundingBoxes, type ClipMeta } from '../src/engine/eval/truth';

/** Issue 6, "The app": drop a video -> weights with byte progress -> heat map over playback. */

const overlayInfo = (page: Page) => page.getByTestId('overlay').evaluate((c: HTMLCanvasElement) => {
  const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
  let alpha = 0;
  for (let k = 3; k < d.length; k += 4) alpha += d[k];
  return { frame: c.dataset.frame ?? '', time: Number(c.dataset.time), peak: c.dataset.peak ?? '', alpha, w: c.width, h: c.height };
});

test.describe('localization in the app', () => {
  test('the demo clip gets a map per frame, drawn for the frame under the playhead, with a result hash', async ({ page }) => {
    const errors = watchConsole(page);
    await openApp(page);
    const progressUnits = new Set<string>();
    const poll = setInterval(() => { void page.getByTestId('progress').innerText().then((t) => { const m = /(bytes|frames)/.exec(t); if (m) progressUnits.add(m[1]); }).catch(() => undefined); }, 50);
    await page.getByTestId('open-demo').click();
    await waitReady(page);
    clearInterval(poll);
    await expect(page.getByTestId('localize-status')).toHaveAttribute('data-value', 'ready');
    const frames = Number(await page.getByTestId('frames-decoded').getAttribute('data-value'));
    await expect(page.getByTestId('localize-frames')).toHaveAttribute('data-value', String(frames));
    const hash = await page.getByTestId('result-hash').getAttribute('data-value');
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    // no method chosen: the demo's two channels differ, so the heard-object localizer ran, and the panel says why
    await expect(page.getByTestId('method-select')).toHaveValue('heard');
    await expect(page.getByTestId('shown-method')).toContainText('Heard object');
    await expect(page.getByTestId('method-auto')).toHaveAttribute('data-value', 'two-channels');
    console.log(`demo: ${frames} frames, ${await page.getByTestId('localize-status').innerText()}, hash ${hash}, progress units seen: ${[...progressUnits].join(', ')}`);
    expect(progressUnits.has('frames')).toBe(true);

    // The layer shows the map of the frame on screen: within one frame period (1/8 s) of the playhead.
    await seek(page, 1.0);
    await expect.poll(async () => Math.abs((await overlayInfo(page)).time - 1.0)).toBeLessThanOrEqual(0.126);
    const a = await overlayInfo(page);
    expect([a.w, a.h]).toEqual([224, 224]); // the 14x14 map drawn smoothly at the frame's size
    expect(a.alpha).toBeGreaterThan(0);
    await seek(page, 3.5);
    await expect.poll(async () => Math.abs((await overlayInfo(page)).time - 3.5)).toBeLessThanOrEqual(0.126);
    expect(Number((await overlayInfo(page)).frame)).toBeGreaterThan(Number(a.frame) + 15);

    // what a person sees: the picture changes where the heat map is drawn (a screenshot, not the
    // canvas contents: a canvas can hold pixels the compositor never shows)
    const shotOn = decodePng(await page.locator('.stage').screenshot());
    // hiding the heat map clears the layer; showing it draws it again
    await page.getByTestId('overlay-toggle').uncheck();
    await expect.poll(async () => (await overlayInfo(page)).alpha).toBe(0);
    const shotOff = decodePng(await page.locator('.stage').screenshot());
    let diff = 0;
    for (let i = 0; i < shotOn.data.length; i++) diff += Math.abs(shotOn.data[i] - shotOff.data[i]);
    expect(diff / shotOn.data.length, 'mean pixel change the heat map makes on screen').toBeGreaterThan(3);
    await page.getByTestId('overlay-toggle').check();
    await expect.poll(async () => (await overlayInfo(page)).alpha).toBeGreaterThan(0);

    // another method: new maps, another hash; the centre prior peaks in the middle of the grid
    await page.getByTestId('method-select').selectOption('centre');
    await expect(page.getByTestId('localize-status')).toHaveAttribute('data-value', 'ready', { timeout: 120_000 });
    await expect(page.getByTestId('shown-method')).toContainText('Centre');
    await expect(page.getByTestId('method-auto')).toHaveCount(0); // the person chose
    const hash2 = await page.getByTestId('result-hash').getAttribute('data-value');
    expect(hash2).not.toBe(hash);
    await expect.poll(async () => (await overlayInfo(page)).peak).toMatch(/^(6|7),(6|7)$/);

    // and back: the same maps as the first run (same hash)
    await page.getByTestId('method-select').selectOption('heard');
    await expect(page.getByTestId('localize-status')).toHaveAttribute('data-value', 'ready', { timeout: 120_000 });
    await expect(page.getByTestId('result-hash')).toHaveAttribute('data-value', hash!);
    expect(errors).toEqual([]);
  });

  test('tampered weights are refused with a message, and the clip still plays', async ({ page }) => {
    await page.route('**/models/ego000-synth/weights.bin', async (route) => {
      const resp = await route.fetch();
      const body = Buffer.from(await resp.body());
      body[10] ^= 1;
      await route.fulfill({ response: resp, body });
    });
    await openApp(page, '?method=full');
    await page.getByTestId('open-demo').click();
    await waitReady(page);
    await expect(page.locator('[data-testid=notice][data-code=WEIGHTS_INTEGRITY]')).toContainText(/ego000-synth\/weights\.bin/);
    await expect(page.getByTestId('localize-status')).toHaveAttribute('data-value', 'failed');
    await expect(page.getByTestId('clip-name')).toHaveText('demo.webm');
    await expect(page.getByTestId('frames-decoded')).toHaveText(await page.getByTestId('frames-expected').innerText());
  });
});

test("the demo clip: paper 000's map peaks on the sounding object in most frames, on screen and in the exported maps", async ({ page }) => {
  test.setTimeout(240_000);
  const meta = JSON.parse(readFileSync('public/demo/demo.meta.json', 'utf8')) as ClipMeta;
  await openApp(page, '?method=full');
  await expect(page.getByTestId('method-select')).toHaveValue('full');
  await page.getByTestId('open-demo').click();
  await waitReady(page, 180_000);
  await expect(page.getByTestId('localize-status')).toHaveAttribute('data-value', 'ready');
  const [dl] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-maps').click()]);
  const maps = JSON.parse(readFileSync((await dl.path())!, 'utf8')) as MapsFile;
  expect(maps.params?.method).toBe('full');
  const { method, centre, hits } = scoreMaps(maps, meta);
  console.log(`demo, full model in the app: pointing ${method.pointing.toFixed(3)} over ${method.n} frames with a sounding object (centre prior ${centre.pointing.toFixed(3)}); hits ${hits.map((h) => (h === null ? '.' : h ? '1' : '0')).join('')}`);
  expect(method.n).toBeGreaterThanOrEqual(20);
  expect(method.pointing).toBeGreaterThan(0.5);
  expect(method.pointing).toBeGreaterThan(centre.pointing);

  // paper 000's separation: every second of the clip, playable, the three spectrogram images drawn
  await expect(page.getByTestId('separation-stats')).toContainText(`${Math.ceil(meta.config.seconds)} s separated`);
  const wav = await page.getByTestId('separated-audio').evaluate(async (a: HTMLAudioElement) => {
    const b = new Uint8Array(await (await fetch(a.src)).arrayBuffer());
    if (a.readyState < 1) await new Promise((r) => a.addEventListener('loadedmetadata', r, { once: true }));
    return { head: String.fromCharCode(...b.subarray(0, 4), ...b.subarray(8, 12)), bytes: b.length, duration: a.duration };
  });
  expect(wav.head).toBe('RIFFWAVE');
  expect((wav.bytes - 44) % 2).toBe(0); // 16-bit mono
  expect(wav.duration).toBeCloseTo(meta.config.seconds, 1); // the whole clip
  expect(wav.bytes).toBe(44 + 2 * Math.round(wav.duration * 11025));
  await seek(page, 2.5);
  await expect(page.getByTestId('separation-second')).toHaveAttribute('data-value', '2');
  for (const id of ['separation-mixture', 'separation-mask', 'separation-enhanced']) {
    const spread = await page.getByTestId(id).evaluate((c: HTMLCanvasElement) => {
      const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
      let lo = 255, hi = 0;
      for (let k = 0; k < d.length; k += 4) { lo = Math.min(lo, d[k]); hi = Math.max(hi, d[k]); }
      return hi - lo;
    });
    expect(spread, `${id} shows an image`).toBeGreaterThan(20);
  }
  console.log(`separation: ${await page.getByTestId('separation-stats').innerText()}`);

  // what is drawn: the overlay's peak cell, at frames the exported maps call hits, lies in the box
  const dt = 1 / meta.config.fps;
  const hitFrames = hits.map((h, i) => (h ? i : -1)).filter((i) => i >= 0);
  for (const i of [hitFrames[2], hitFrames[Math.floor(hitFrames.length / 2)], hitFrames[hitFrames.length - 2]]) {
    const t = maps.frames[i].time;
    await seek(page, t + dt / 4);
    await expect.poll(async () => Math.abs((await overlayInfo(page)).time - t)).toBeLessThan(dt / 2);
    const [row, col] = (await overlayInfo(page)).peak.split(',').map(Number);
    const k = Math.round(t / dt);
    const { boxes } = soundingBoxes(meta, k);
    // the cell's centre in the clip's pixels (the map covers the whole picture, squashed)
    const x = ((col + 0.5) / 14) * meta.config.width, y = ((row + 0.5) / 14) * meta.config.height;
    const cellW = meta.config.width / 14, cellH = meta.config.height / 14;
    expect(boxes.some((b) => x >= b.x0 - cellW && x <= b.x1 + cellW && y >= b.y0 - cellH && y <= b.y1 + cellH), `peak cell ${row},${col} at t=${t} near a box ${JSON.stringify(boxes)}`).toBe(true);
  }
});

test('the result hash of the demo clip is the same on WebGPU, WebGL and WASM', async ({ page }) => {
  test.setTimeout(300_000);
  const hashes: Record<string, string> = {};
  for (const backend of ['wasm', 'webgl', 'webgpu']) {
    await openApp(page, `?backend=${backend}&fps=2&method=lvs`);
    await expect(page.getByTestId('backend')).toHaveText(backend);
    await page.getByTestId('open-demo').click();
    await waitReady(page, 240_000);
    await expect(page.getByTestId('localize-status')).toHaveAttribute('data-value', 'ready');
    hashes[backend] = (await page.getByTestId('result-hash').getAttribute('data-value'))!;
    console.log(`${backend}: ${await page.getByTestId('localize-status').innerText()} hash ${hashes[backend]}`);
  }
  expect(hashes.webgl).toBe(hashes.wasm);
  expect(hashes.webgpu).toBe(hashes.wasm);
});
