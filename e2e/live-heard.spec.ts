import { test, expect } from '@playwright/test';
import { resolve } from 'node:path';
import { BASE_ARGS, CHROMIUM } from '../playwright.config';
import { MEDIA, openApp, watchConsole } from './helpers';
import { demoRefs, liveMaps, recordLiveMaps, scoreLiveMaps } from './live-score';

/**
 * The heard-object localizer live, in the app: Chromium's fake camera plays the demo clip and its
 * fake mic the clip's two channels (a stereo wav: the fake device keeps both), in a loop. Live mode
 * runs the detector on the mapped frame only and averages the frames mapped in the 2 s before
 * (LIVE_NEW_FRAMES, src/app/media/liveLocalize.ts); each refreshed map is scored against the clip
 * frame it was computed on, as e2e/live-demo.spec.ts does for paper 000's model.
 */
test.use({
  launchOptions: {
    executablePath: CHROMIUM,
    args: [...BASE_ARGS, '--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream',
      `--use-file-for-fake-video-capture=${resolve(MEDIA, 'demo-camera.y4m')}`, `--use-file-for-fake-audio-capture=${resolve(MEDIA, 'demo-mic-stereo.wav')}`],
  },
});

test("live heard-object maps from a fake camera and a two-channel mic playing the demo clip peak on the sounding object's known box", async ({ page }) => {
  test.setTimeout(240_000);
  const demo = demoRefs();
  const errors = watchConsole(page);
  await openApp(page, '?method=heard');
  await expect(page.getByTestId('method-select')).toHaveValue('heard');
  await recordLiveMaps(page);
  await page.getByTestId('live-start').click();
  await expect(page.getByTestId('live-status')).toHaveAttribute('data-value', 'running');
  await page.getByTestId('live-localize').click();
  // maps from 2 s of capture on are scored: wait for 16 of them past the start-up
  await expect.poll(async () => (await liveMaps(page)).filter((m) => m.time >= 2).length, { timeout: 180_000, intervals: [1000] }).toBeGreaterThanOrEqual(16);
  console.log(`live heard (demo clip as camera, two channels): ${await page.getByTestId('live-stats').innerText()}`);
  // the panel says how many frames the last map averaged: the 2 s window, thinned when maps are slow
  const win = Number(await page.getByTestId('live-window').getAttribute('data-value'));
  expect(win).toBeGreaterThanOrEqual(2);
  expect(win).toBeLessThanOrEqual(9);
  await page.getByTestId('live-stop').click();
  const maps = await liveMaps(page);
  const { scored, hits, centreHits, line } = scoreLiveMaps(maps, demo);
  console.log(`live heard maps on the demo clip: ${hits} of ${scored} peaks inside the sounding box (centre prior ${centreHits}); per map ${line}`);
  expect(scored).toBeGreaterThanOrEqual(8);
  // live maps average 2-9 frames: on this clip the frame alone puts the peak in the box in 0.66 of the
  // frames and the 9-frame window in 0.94 (CLI, docs/results.md "The demo clip"; 0.97 and 1.00 before the
  // detector saw the frame 392 px wide, when this bound was 0.7), so the live share lies between them
  expect(hits / scored).toBeGreaterThan(0.55);
  expect(hits).toBeGreaterThan(centreHits);
  // it stayed the heard-object localizer (a mono reading would have said so and stopped)
  await expect(page.getByTestId('method-select')).toHaveValue('heard');
  expect(errors).toEqual([]);
});
