import { test, expect } from '@playwright/test';
import { BASE_ARGS } from '../playwright.config';
import { openApp, pick, waitReady, canvasHasInk } from './helpers';

// A browser without WebGPU: the engine falls back to WebGL and the page says why.
test.use({ launchOptions: { executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: [...BASE_ARGS.filter((a) => a !== '--enable-unsafe-webgpu'), '--disable-features=WebGPU,Vulkan', '--disable-webgpu'] } });

test('without WebGPU the app runs on WebGL and explains the fallback', async ({ page }) => {
  await openApp(page, '?method=lvs');
  await expect(page.getByTestId('backend')).toHaveText('webgl');
  await page.getByText(/why not webgpu/).click();
  await expect(page.getByTestId('backend-skipped')).toContainText('webgpu');
  await expect(page.locator('[data-testid=notice][data-code=WEBGPU_UNAVAILABLE]')).toContainText(/running on webgl/);
  await pick(page, 'clip.webm');
  await waitReady(page);
  await expect.poll(() => canvasHasInk(page, 'spectrogram'), { timeout: 30_000 }).toBe(true);
});
