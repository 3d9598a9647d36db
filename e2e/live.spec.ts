import { test, expect, chromium } from '@playwright/test';
import { resolve } from 'node:path';
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
