import { test, expect, chromium } from '@playwright/test';
import { resolve } from 'node:path';
import { readFileSync } from 'node:fs';
import { BASE_ARGS, BASE_URL, CHROMIUM } from '../playwright.config';
import { MEDIA, openApp, watchConsole } from './helpers';

const fakeDevices = [
  '--use-fake-device-for-media-stream',
  '--use-fake-ui-for-media-stream',
  `--use-file-for-fake-video-capture=${resolve(MEDIA, 'camera.y4m')}`,
  `--use-file-for-fake-audio-capture=${resolve(MEDIA, 'mic.wav')}`,
];

test.use({ launchOptions: { executablePath: CHROMIUM, args: [...BASE_ARGS, ...fakeDevices] } });

test.describe('live capture with Chromium fake camera and mic', () => {
  test('start fills the frame and audio ring buffers; stop keeps them; start again works', async ({ page }) => {
    const errors = watchConsole(page);
    await openApp(page);
    await page.getByTestId('live-start').click();
    await expect(page.getByTestId('live-status')).toHaveAttribute('data-value', 'running');
    // 4-second ring at 8 fps holds 32 frames; audio at 16 kHz fills towards 4 s.
    await expect.poll(async () => Number(await page.getByTestId('ring-frames').getAttribute('data-value')), { timeout: 30_000 }).toBe(32);
    await expect.poll(async () => Number(await page.getByTestId('ring-audio').getAttribute('data-value')), { timeout: 30_000 }).toBeGreaterThan(3.5);
    // The ring holds the fake mic's 880 Hz tone at 16 kHz: count zero crossings of the newest second.
    const hz = await page.evaluate(() => {
      const live = (window as any).egosound.controller.live;
      const [l] = live.audio.latest(16000) as Float32Array[];
      let z = 0;
      for (let i = 1; i < l.length; i++) if ((l[i - 1] < 0) !== (l[i] < 0)) z++;
      return z / 2;
    });
    expect(hz).toBeGreaterThan(840);
    expect(hz).toBeLessThan(920);
    // Frames are real pictures, not blank.
    const lit = await page.evaluate(() => {
      const f = (window as any).egosound.controller.live.frames.peek(0).data as Uint8ClampedArray;
      let s = 0;
      for (let i = 0; i < f.length; i += 4) s += f[i] + f[i + 1] + f[i + 2];
      return s / (f.length / 4) / 3;
    });
    expect(lit).toBeGreaterThan(20);
    await page.getByTestId('live-stop').click();
    await expect(page.getByTestId('live-status')).toHaveAttribute('data-value', 'off');
    await expect(page.getByTestId('ring-frames')).toHaveAttribute('data-value', '32');
    await page.getByTestId('live-start').click();
    await expect(page.getByTestId('live-status')).toHaveAttribute('data-value', 'running');
    await page.getByTestId('live-stop').click();
    expect(errors).toEqual([]);
  });

  test('live heat map: maps refresh over the frames they were computed on, with latency, rate and drops; pause, hidden tab, snapshot; flat engine memory', async ({ page }) => {
    test.setTimeout(180_000);
    const errors = watchConsole(page);
    // the mechanics with the fastest learned method; paper 000's live maps: live-demo.spec.ts
    await openApp(page, '?method=lvs');
    await page.getByTestId('live-start').click();
    await expect(page.getByTestId('live-status')).toHaveAttribute('data-value', 'running');
    await page.getByTestId('live-localize').click();
    await expect.poll(async () => Number(await page.getByTestId('live-maps').getAttribute('data-value')), { timeout: 60_000 }).toBeGreaterThan(5);
    const latency = Number(await page.getByTestId('live-latency').getAttribute('data-value'));
    const fps = Number(await page.getByTestId('live-fps').getAttribute('data-value'));
    console.log(`live: ${await page.getByTestId('live-stats').innerText()}`);
    expect(latency).toBeGreaterThan(0);
    expect(fps).toBeGreaterThan(0);
    // one frame a map: no window to report
    await expect(page.getByTestId('live-window')).toHaveCount(0);
    // the canvas shows a picture (testsrc2 colours) with a map on it
    const ink = await page.getByTestId('live-view').evaluate((c: HTMLCanvasElement) => {
      const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
      let s = 0;
      for (let k = 0; k < d.length; k += 4) s += d[k] + d[k + 1] + d[k + 2];
      return s / (d.length / 4) / 3;
    });
    expect(ink).toBeGreaterThan(20);
    await expect(page.getByTestId('live-view')).toHaveAttribute('data-peak', /^\d+,\d+$/);
    // engine memory stays flat while maps keep coming
    const mem = () => page.evaluate(() => (window as any).egosound.controller.client.call('memory', {}).then((m: { numTensors: number }) => m.numTensors));
    const n0 = await mem();
    const m0 = Number(await page.getByTestId('live-maps').getAttribute('data-value'));
    await expect.poll(async () => Number(await page.getByTestId('live-maps').getAttribute('data-value')), { timeout: 60_000 }).toBeGreaterThan(m0 + 20);
    expect(await mem()).toBe(n0);
    // pause: no new maps; resume: they come again
    await page.getByTestId('live-pause').click();
    await expect(page.getByTestId('live-stats')).toHaveAttribute('data-state', 'paused');
    const paused = Number(await page.getByTestId('live-maps').getAttribute('data-value'));
    await page.waitForTimeout(1500);
    expect(Number(await page.getByTestId('live-maps').getAttribute('data-value'))).toBe(paused);
    await page.getByTestId('live-resume').click();
    await expect.poll(async () => Number(await page.getByTestId('live-maps').getAttribute('data-value')), { timeout: 30_000 }).toBeGreaterThan(paused + 2);
    // a hidden tab pauses, showing it again resumes
    const setHidden = (hidden: boolean) => page.evaluate((h) => {
      Object.defineProperty(document, 'visibilityState', { value: h ? 'hidden' : 'visible', configurable: true });
      document.dispatchEvent(new Event('visibilitychange'));
    }, hidden);
    await setHidden(true);
    await expect(page.getByTestId('live-stats')).toHaveAttribute('data-state', 'paused');
    await setHidden(false);
    await expect(page.getByTestId('live-stats')).toHaveAttribute('data-state', 'running');
    // snapshot: a PNG of the picture with its map
    const [dl] = await Promise.all([page.waitForEvent('download'), page.getByTestId('live-snapshot').click()]);
    const png = readFileSync((await dl.path())!);
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    await page.getByTestId('live-stop').click();
    await expect(page.getByTestId('live-status')).toHaveAttribute('data-value', 'off');
    expect(errors).toEqual([]);
  });

  test('no method chosen and a mono mic: the heard-object localizer cannot hear a direction, so paper 000\'s model takes over, said once', async ({ page }) => {
    test.setTimeout(180_000);
    const errors = watchConsole(page);
    await openApp(page);
    await page.getByTestId('live-start').click();
    await expect(page.getByTestId('live-status')).toHaveAttribute('data-value', 'running');
    await page.getByTestId('live-localize').click();
    // the fake mic is one 880 Hz channel, given to the page as the same signal twice
    await expect(page.locator('[data-testid=notice][data-code=MONO_AUDIO]')).toContainText(/microphone gives one signal.*Paper 000, full model/, { timeout: 90_000 });
    await expect(page.locator('[data-testid=notice][data-code=MONO_AUDIO]')).toHaveClass(/notice-info/);
    await expect(page.getByTestId('method-select')).toHaveValue('full');
    await expect(page.getByTestId('method-auto')).toHaveAttribute('data-value', 'one-channel');
    await expect.poll(async () => Number(await page.getByTestId('live-maps').getAttribute('data-value')), { timeout: 120_000 }).toBeGreaterThan(0);
    await expect(page.locator('[data-testid=notice][data-code=MONO_AUDIO]')).toHaveCount(1);
    await page.getByTestId('live-stop').click();
    expect(errors).toEqual([]);
  });

  test('an unplugged camera stops capture with a message and keeps what was captured', async ({ page }) => {
    await openApp(page);
    await page.getByTestId('live-start').click();
    await expect.poll(async () => Number(await page.getByTestId('ring-frames').getAttribute('data-value')), { timeout: 30_000 }).toBeGreaterThan(4);
    // A real unplug ends the track; Chromium lets a page fire the same 'ended' event.
    await page.evaluate(() => {
      const s = (window as any).egosound.controller.live.mediaStream as MediaStream;
      s.getVideoTracks()[0].dispatchEvent(new Event('ended'));
    });
    await expect(page.locator('[data-testid=notice][data-code=CAPTURE_DEVICE_LOST]')).toContainText(/camera stopped/);
    await expect(page.getByTestId('live-status')).toHaveAttribute('data-value', 'error');
    expect(Number(await page.getByTestId('ring-frames').getAttribute('data-value'))).toBeGreaterThan(4);
    // The rest of the app keeps working: the camera can be started again.
    await page.getByTestId('live-start').click();
    await expect(page.getByTestId('live-status')).toHaveAttribute('data-value', 'running');
  });
});

test('a denied camera permission gets a clear message and the app keeps working', async () => {
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: [...BASE_ARGS, '--use-fake-device-for-media-stream', '--deny-permission-prompts'] });
  try {
    const page = await browser.newPage({ baseURL: BASE_URL });
    await openApp(page);
    await page.getByTestId('live-start').click();
    await expect(page.locator('[data-testid=notice][data-code=CAMERA_PERMISSION_DENIED]')).toContainText(/denied/);
    await expect(page.locator('[data-testid=notice][data-code=CAMERA_PERMISSION_DENIED]')).toContainText(/Allow camera/);
    await expect(page.getByTestId('live-start')).toBeEnabled();
    await expect(page.getByTestId('backend')).not.toHaveText(/starting|failed/);
  } finally {
    await browser.close();
  }
});

test('no camera at all: a clear message', async () => {
  // Fake UI grants permission, but there is no fake device and no real one on a CI machine.
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: [...BASE_ARGS, '--use-fake-ui-for-media-stream'] });
  try {
    const page = await browser.newPage({ baseURL: BASE_URL });
    await openApp(page);
    const hasCamera = await page.evaluate(async () => (await navigator.mediaDevices.enumerateDevices()).some((d) => d.kind === 'videoinput'));
    test.skip(hasCamera, 'this machine has a real camera, so "no device" cannot be shown here');
    await page.getByTestId('live-start').click();
    await expect(page.locator('[data-testid=notice][data-code=NO_CAPTURE_DEVICE]')).toContainText(/No camera or microphone/);
  } finally {
    await browser.close();
  }
});
