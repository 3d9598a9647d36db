import { test, expect } from '@playwright/test';
import { canvasHasInk, drop, expected, openApp, pick, waitReady, watchConsole } from './helpers';

test.describe('the app with a file', () => {
  test('on WebGPU (forced: the adapter here is software) opens a dropped clip: frame count, duration, waveform, spectrogram', async ({ page }) => {
    const errors = watchConsole(page);
    await openApp(page, '?backend=webgpu&method=centre');
    await expect(page.getByTestId('backend')).toHaveText('webgpu');
    await drop(page, 'clip.webm');
    await waitReady(page);
    const e = expected()['clip.webm'];
    const duration = Number(await page.getByTestId('clip-duration').getAttribute('data-value'));
    expect(duration).toBeGreaterThan(e.duration - 0.1);
    expect(duration).toBeLessThan(e.duration + 0.1);
    // 8 fps over the clip's duration: ceil(duration * 8) frames.
    await expect(page.getByTestId('frames-decoded')).toHaveAttribute('data-value', String(Math.ceil(duration * 8 - 1e-9)));
    await expect(page.getByTestId('clip-size')).toContainText('320×240');
    await expect(page.getByTestId('clip-audio')).toContainText('2 channels');
    await expect.poll(() => canvasHasInk(page, 'waveform'), { timeout: 30_000 }).toBe(true);
    await expect.poll(() => canvasHasInk(page, 'spectrogram'), { timeout: 30_000 }).toBe(true);
    expect(errors).toEqual([]);
  });

  test('one click opens the bundled demo clip with waveform and spectrogram', async ({ page }) => {
    const errors = watchConsole(page);
    await openApp(page);
    await page.getByTestId('open-demo').click();
    await waitReady(page);
    await expect(page.getByTestId('clip-name')).toHaveText('demo.webm');
    await expect(page.getByTestId('clip-audio')).toContainText('2 channels');
    await expect.poll(() => canvasHasInk(page, 'waveform'), { timeout: 30_000 }).toBe(true);
    await expect.poll(() => canvasHasInk(page, 'spectrogram'), { timeout: 30_000 }).toBe(true);
    // The licence note it links to is served with the clip.
    const licence = await page.request.get('/demo/LICENSES.md');
    expect(licence.ok()).toBe(true);
    expect(await licence.text()).toMatch(/licen[cs]e/i);
    expect(errors).toEqual([]);
  });

  for (const [file, check] of [
    ['clip.mp4', { size: '320×240', audio: '2 channels' }],
    ['clip.mov', { size: '320×240', audio: '2 channels' }],
    ['portrait.mp4', { size: '240×320', audio: '2 channels' }],
    ['vfr.mp4', { size: '320×240', audio: '2 channels' }],
    ['surround.mp4', { size: '320×240', audio: '6 channels' }],
    ['mono.webm', { size: '176×144', audio: '1 channel' }],
  ] as const) {
    test(`opens ${file}: ${check.size}, ${check.audio}`, async ({ page }) => {
      const errors = watchConsole(page);
      await openApp(page, '?method=lvs');
      await pick(page, file);
      await waitReady(page);
      await expect(page.getByTestId('clip-size')).toContainText(check.size);
      await expect(page.getByTestId('clip-audio')).toContainText(check.audio);
      const duration = Number(await page.getByTestId('clip-duration').getAttribute('data-value'));
      await expect(page.getByTestId('frames-decoded')).toHaveAttribute('data-value', String(Math.ceil(duration * 8 - 1e-9)));
      await expect.poll(() => canvasHasInk(page, 'waveform'), { timeout: 30_000 }).toBe(true);
      expect(errors).toEqual([]);
    });
  }

  test('the VFR clip is sampled at even times: frames differ where the source changes rate', async ({ page }) => {
    await openApp(page, '?method=lvs');
    await pick(page, 'vfr.mp4');
    await waitReady(page);
    // testsrc2 moves every frame; sampled at 8 fps, consecutive samples must all differ (no stuck frames).
    const motion = await page.evaluate(() => (window as any).egosound.store.getState().media.motion as number[]);
    expect(motion.length).toBe(24);
    expect(motion.slice(1).filter((m) => m < 1e-4)).toEqual([]);
  });

  test('a 10-minute file is processed in windows, never holding more than one window of frames', async ({ page }) => {
    test.setTimeout(300_000);
    await openApp(page, '?method=centre');
    await page.getByTestId('fps-select').selectOption('1');
    await pick(page, 'long.webm');
    await waitReady(page, 280_000);
    const duration = Number(await page.getByTestId('clip-duration').getAttribute('data-value'));
    expect(duration).toBeGreaterThan(599);
    const frames = Math.ceil(duration - 1e-9);
    await expect(page.getByTestId('frames-decoded')).toHaveAttribute('data-value', String(frames));
    // windows of 4 s at 1 fps: 4 frames each.
    await expect(page.getByTestId('windows-done')).toHaveText(String(Math.ceil(frames / 4)));
    const resident = Number(await page.getByTestId('frames-resident').getAttribute('data-value'));
    expect(resident).toBeLessThanOrEqual(4);
  });
});

test.describe('bad input: a named message, and nothing lost', () => {
  const cases: [string, string, RegExp][] = [
    ['empty.mp4', 'EMPTY_FILE', /empty \(0 bytes\)/],
    ['notes.txt', 'NOT_A_VIDEO', /text file/],
    ['picture.png', 'NOT_A_VIDEO', /PNG image/],
    ['truncated.mp4', 'TRUNCATED_MEDIA', /ends early/],
    ['truncated-faststart.mp4', 'TRUNCATED_MEDIA', /ends early/],
    ['corrupt.mp4', 'CORRUPT_MEDIA', /could not be read/],
    ['prores.mov', 'UNSUPPORTED_CODEC', /ProRes/],
  ];
  test('each bad file shows its message with what to do, and the clip already open stays', async ({ page }) => {
    test.setTimeout(300_000);
    const errors = watchConsole(page);
    await openApp(page, '?method=lvs');
    await pick(page, 'clip.webm');
    await waitReady(page);
    for (const [file, code, text] of cases) {
      await pick(page, file);
      const notice = page.locator(`[data-testid=notice][data-code=${code}]`);
      await expect(notice, file).toBeVisible();
      await expect(notice).toContainText(text);
      await expect(notice.locator('.notice-hint')).not.toBeEmpty();
      // What the person had is still there.
      await expect(page.getByTestId('clip-name')).toHaveText('clip.webm');
      await expect(page.getByTestId('media-phase')).toHaveAttribute('data-value', 'ready');
      await notice.getByRole('button', { name: 'Dismiss message' }).click();
    }
    expect(errors).toEqual([]);
  });

  test('a video with no audio track is still viewable and says sound modes need audio', async ({ page }) => {
    const errors = watchConsole(page);
    await openApp(page);
    await pick(page, 'noaudio.webm');
    await waitReady(page);
    await expect(page.locator('[data-testid=notice][data-code=NO_AUDIO_TRACK]')).toContainText(/no audio track/);
    await expect(page.getByTestId('no-audio')).toBeVisible();
    await expect(page.getByTestId('frames-decoded')).toHaveAttribute('data-value', '16');
    expect(errors).toEqual([]);
  });
});

test.describe('backends', () => {
  test('with a software WebGPU adapter the default is WASM, and the page says why', async ({ page }) => {
    await openApp(page);
    await expect(page.getByTestId('backend')).toHaveText('wasm');
    await expect(page.locator('[data-testid=notice][data-code=WEBGPU_UNAVAILABLE]')).toContainText(/software renderer/);
  });

  test('a lost GPU device is reported and the engine re-initialises', async ({ page }) => {
    await openApp(page, '?backend=webgpu&method=centre');
    await expect(page.getByTestId('backend')).toHaveText('webgpu');
    const r = await page.evaluate(() => (window as any).egosound.controller.client.call('simulateDeviceLoss', {}));
    expect(r.simulated).toBe(true);
    await expect(page.locator('[data-testid=notice][data-code=GPU_DEVICE_LOST]')).toContainText(/restarted on webgpu/);
    await expect(page.getByTestId('engine-message')).toContainText('GPU restarted');
    await expect(page.getByTestId('backend')).toHaveText('webgpu');
    // And it still computes.
    await pick(page, 'clip.webm');
    await waitReady(page);
    await expect.poll(() => canvasHasInk(page, 'spectrogram'), { timeout: 30_000 }).toBe(true);
  });

  test('?backend=wasm runs the WASM backend end to end', async ({ page }) => {
    await openApp(page, '?backend=wasm');
    await expect(page.getByTestId('backend')).toHaveText('wasm');
    await pick(page, 'clip.webm');
    await waitReady(page);
    await expect.poll(() => canvasHasInk(page, 'spectrogram'), { timeout: 30_000 }).toBe(true);
  });
});
