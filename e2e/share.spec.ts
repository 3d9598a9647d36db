import { test, expect, type BrowserContext, type Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { openApp, pick, waitReady, watchConsole, seekPlayer as seek } from './helpers';

/** Issue 7, share links and export: a link reproduces a view exactly; bad links are refused. */

test.describe('share links', () => {
  test('a link made from a view reproduces it: settings, clip, time, and the same result hash', async ({ page, context }) => {
    const errors = watchConsole(page);
    await openApp(page, '?fps=4');
    await page.getByTestId('open-demo').click();
    await waitReady(page);
    await expect(page.getByTestId('localize-status')).toHaveAttribute('data-value', 'ready');
    const hash = await page.getByTestId('result-hash').getAttribute('data-value');
    await page.getByTestId('colormap-select').selectOption('jet');
    await page.getByTestId('overlay-mode').selectOption('threshold');
    await page.getByTestId('eps').fill('0.4');
    await seek(page, 2.5);
    await page.getByTestId('share-link').click();
    const link = await page.getByTestId('share-link-text').inputValue();
    console.log(`share link: ${link}`);
    expect(link).toContain('#v=1');
    expect(link).toContain('clip=demo%3Ademo');
    expect(link).toContain(`hash=${hash}`);
    expect(link).toContain('method=heard'); // the method chosen for the clip travels as a choice
    expect(link).toMatch(/&refine=none&det=392$/); // the windows' homographies and the detector's frame side as the engine uses them now

    const other = await context.newPage();
    const errors2 = watchConsole(other);
    await other.goto(link.replace(/^https?:\/\/[^/]+/, ''));
    await expect(other.getByTestId('clip-name')).toHaveText('demo.webm', { timeout: 60_000 });
    await expect(other.getByTestId('share-verdict')).toHaveAttribute('data-value', 'same', { timeout: 120_000 });
    await expect(other.getByTestId('result-hash')).toHaveAttribute('data-value', hash!);
    await expect(other.getByTestId('colormap-select')).toHaveValue('jet');
    await expect(other.getByTestId('overlay-mode')).toHaveValue('threshold');
    await expect(other.getByTestId('eps')).toHaveValue('0.4');
    await expect(other.getByTestId('fps-select')).toHaveValue('4');
    await expect(other.getByTestId('method-select')).toHaveValue('heard');
    // the link holds the time of the frame on screen (within one frame of the 2.5 s asked for),
    // and the new page goes there
    const t = Number(new URLSearchParams(link.split('#')[1]).get('t'));
    expect(Math.abs(t - 2.5)).toBeLessThanOrEqual(0.13);
    await expect.poll(() => other.getByTestId('player').evaluate((v: HTMLVideoElement) => v.currentTime)).toBeCloseTo(t, 2);
    expect(errors).toEqual([]);
    expect(errors2).toEqual([]);
  });

  /**
   * A link written the old way (without `absent`) runs as runs were made then, so its maps differ
   * from the link's hash; a link made from that run ends in `written`, and without `legacy` it
   * reproduces its own hash.
   */
  async function oldLinkReproduces(page: Page, context: BrowserContext, o: { now: string; absent: string; legacy: string; written: RegExp; method?: string }): Promise<void> {
    const errors = watchConsole(page);
    await openApp(page, '?fps=4');
    await page.getByTestId('open-demo').click();
    await waitReady(page);
    await expect(page.getByTestId('localize-status')).toHaveAttribute('data-value', 'ready');
    if (o.method) await expect(page.getByTestId('method-select')).toHaveValue(o.method);
    const hashNow = await page.getByTestId('result-hash').getAttribute('data-value');
    await page.getByTestId('share-link').click();
    const link = (await page.getByTestId('share-link-text').inputValue()).replace(/^https?:\/\/[^/]+/, '');
    const old = link.replace(o.now, '');
    expect(old).not.toContain(o.absent);
    const p2 = await context.newPage();
    await p2.goto(old);
    await expect(p2.getByTestId('share-verdict')).toHaveAttribute('data-value', 'different', { timeout: 120_000 });
    const hashOld = await p2.getByTestId('result-hash').getAttribute('data-value');
    expect(hashOld).not.toBe(hashNow);
    await p2.getByTestId('share-link').click();
    const oldLink = (await p2.getByTestId('share-link-text').inputValue()).replace(/^https?:\/\/[^/]+/, '');
    expect(oldLink).toContain(`hash=${hashOld}`);
    expect(oldLink).toMatch(o.written);
    const p3 = await context.newPage();
    await p3.goto(oldLink.replace(o.legacy, ''));
    await expect(p3.getByTestId('share-verdict')).toHaveAttribute('data-value', 'same', { timeout: 120_000 });
    await expect(p3.getByTestId('result-hash')).toHaveAttribute('data-value', hashOld!);
    expect(errors).toEqual([]);
  }

  test('a link made before the homographies dropped ECC (no refine) runs with ECC and still reproduces', async ({ page, context }) => {
    test.setTimeout(300_000);
    await oldLinkReproduces(page, context, { now: '&refine=none', absent: 'refine', legacy: '&refine=ecc', written: /&refine=ecc&det=392$/ });
  });

  test('a heard link made before the detector saw the frame smaller (no det) runs with the frame filling its input and still reproduces', async ({ page, context }) => {
    test.setTimeout(300_000);
    await oldLinkReproduces(page, context, { now: '&det=392', absent: 'det=', legacy: '&det=512', written: /&det=512$/, method: 'heard' });
  });

  test('a link whose result hash differs says so', async ({ page }) => {
    await openApp(page, '?method=lvs');
    await page.goto(`/#v=1&method=centre&clip=demo:demo&hash=${'0'.repeat(64)}&grids=${'0'.repeat(41)}`);
    await expect(page.getByTestId('share-verdict')).toHaveAttribute('data-value', 'different', { timeout: 120_000 });
    await expect(page.getByTestId('share-verdict')).toContainText(/differ/);
  });

  test('malformed and hostile links: a clear message, the default view, nothing executed or fetched', async ({ page }) => {
    const dialogs: string[] = [];
    page.on('dialog', (d) => { dialogs.push(d.message()); void d.dismiss(); });
    const requests: string[] = [];
    page.on('request', (r) => { if (!r.url().startsWith('http://127.0.0.1')) requests.push(r.url()); });
    const cases: [string, RegExp][] = [
      ['#v=1&clip=javascript:alert(1)', /"clip" must be demo:<id> or an https/],
      ['#v=1&model=<img src=x onerror=alert(1)>', /"model" must be a model id/],
      ['#v=1&eps=2&cmap=viridis', /"eps" must be a number in \[0, 1\]/],
      ['#v=1&__proto__=1', /unknown parameter "__proto__"/],
      ['#v=1&method=magic&clip=demo:demo', /method "magic"/],
      ['#v=1&clip=demo:nope', /no bundled demo clip "nope"/],
      ['#' + 'a=1&'.repeat(600), /at most 2048/],
    ];
    for (const [frag, why] of cases) {
      await page.goto(`/${frag}`);
      await expect(page.locator('[data-testid=notice][data-code=INVALID_LINK]')).toContainText(why);
      await expect(page.locator('[data-testid=notice][data-code=INVALID_LINK]')).toContainText(/default view/);
      await expect(page.getByTestId('clip-name')).toHaveCount(0);
      await expect(page.getByTestId('colormap-select')).toHaveValue('inferno');
    }
    expect(dialogs).toEqual([]);
    expect(requests).toEqual([]);
    expect(await page.evaluate(() => (window as unknown as { polluted?: unknown }).polluted ?? ({} as { polluted?: unknown }).polluted)).toBeUndefined();
  });

  test('an https clip loads only after the person agrees', async ({ page }) => {
    const demo = readFileSync('public/demo/demo.webm');
    let fetched = 0;
    await page.route('https://clips.example.org/**', async (route) => {
      fetched++;
      await route.fulfill({ status: 200, body: demo, headers: { 'content-type': 'video/webm', 'access-control-allow-origin': '*', 'cross-origin-resource-policy': 'cross-origin' } });
    });
    await openApp(page, '?method=lvs');
    await page.goto('/#v=1&method=centre&clip=https%3A%2F%2Fclips.example.org%2Fa%2Fdemo.webm');
    await expect(page.getByTestId('consent')).toContainText('clips.example.org');
    await page.getByTestId('consent-decline').click();
    await expect(page.getByTestId('consent')).toHaveCount(0);
    expect(fetched).toBe(0);
    await page.goto('/#v=1&method=centre&clip=https%3A%2F%2Fclips.example.org%2Fa%2Fdemo.webm&t=1');
    await page.getByTestId('consent-accept').click();
    await expect(page.getByTestId('clip-name')).toHaveText('demo.webm', { timeout: 60_000 });
    expect(fetched).toBe(1);
    await waitReady(page);
    // that clip can travel again: its link names the same URL
    await page.getByTestId('share-link').click();
    await expect(page.getByTestId('share-link-text')).toHaveValue(/clip=https%3A%2F%2Fclips\.example\.org%2Fa%2Fdemo\.webm/);
  });

  test('an https clip that cannot be fetched gets a message, and nothing is lost', async ({ page }) => {
    await page.route('https://gone.example.org/**', (route) => route.fulfill({ status: 404, body: 'no' }));
    await openApp(page, '?method=lvs');
    await page.getByTestId('open-demo').click();
    await waitReady(page);
    await page.goto('/#v=1&clip=https%3A%2F%2Fgone.example.org%2Fx.webm');
    await page.getByTestId('consent-accept').click();
    await expect(page.locator('[data-testid=notice][data-code=REMOTE_CLIP_FAILED]')).toContainText(/HTTP 404/);
  });
});

test.describe('export', () => {
  test("a person's own file cannot travel in a link: the page says so and exports the maps and a run bundle", async ({ page }) => {
    await openApp(page, '?method=centre');
    await pick(page, 'clip.webm');
    await waitReady(page);
    await expect(page.getByTestId('localize-status')).toHaveAttribute('data-value', 'ready');
    await page.getByTestId('share-link').click();
    await expect(page.getByTestId('share-reason')).toContainText(/cannot travel in a link.*Export/);
    await expect(page.getByTestId('share-link-text')).toHaveCount(0);
    const [dl] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-maps').click()]);
    const maps = JSON.parse(readFileSync((await dl.path())!, 'utf8'));
    const frames = Number(await page.getByTestId('frames-decoded').getAttribute('data-value'));
    expect(maps.frames).toHaveLength(frames);
    expect(maps.frames[0]).toMatchObject({ index: 0, width: 14, height: 14 });
    expect(maps.frames[0].map).toHaveLength(196);
    expect(maps.resultHash).toBe(await page.getByTestId('result-hash').getAttribute('data-value'));
    expect(maps.input.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(maps.params.method).toBe('centre');
    const [db] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-bundle').click()]);
    const bundle = JSON.parse(readFileSync((await db.path())!, 'utf8'));
    expect(bundle).toMatchObject({ format: 'egosound-run/1', app: { name: 'egosound' }, params: { method: 'centre' }, result: { frames } });
    expect(bundle.clip.sha256).toBe(maps.input.sha256);
    expect(bundle.link).toBeNull();
    // the clip with its heat map burnt in, as WebM
    const [dv] = await Promise.all([page.waitForEvent('download', { timeout: 60_000 }), page.getByTestId('export-video').click()]);
    const webm = readFileSync((await dv.path())!);
    expect(dv.suggestedFilename()).toMatch(/\.heatmap\.webm$/);
    expect(webm.subarray(0, 4).toString('hex')).toBe('1a45dfa3'); // EBML header
    expect(webm.length).toBeGreaterThan(10_000);
  });
});
