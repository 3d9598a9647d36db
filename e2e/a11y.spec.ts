import { test, expect, type Page } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { openApp, waitReady } from './helpers';

/** Issue 7, "UX around it": no accessibility violations under axe; keyboard access. */

async function axe(page: Page, label: string): Promise<void> {
  const r = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  const list = r.violations.map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')}`);
  expect(list, `${label}:\n${list.join('\n')}`).toEqual([]);
}

test.describe('accessibility', () => {
  test('no axe violations: empty page, a clip with its heat map and separated sound, camera motion, share panel', async ({ page }) => {
    await openApp(page, '?method=full'); // paper 000's full model, with its separation panel
    await axe(page, 'empty page');
    await page.getByTestId('open-demo').click();
    await waitReady(page);
    await expect(page.getByTestId('localize-status')).toHaveAttribute('data-value', 'ready');
    await expect(page.getByTestId('separated-audio')).toBeVisible();
    await page.getByTestId('overlay-mode').selectOption('threshold');
    await page.getByTestId('share-link').click();
    await axe(page, 'clip open');
    await page.getByTestId('motion-run').click();
    await expect(page.getByTestId('motion-summary')).toBeVisible({ timeout: 60_000 });
    await axe(page, 'camera motion');
  });

  test('everything is reachable from the keyboard: open the demo, change the method, copy a link', async ({ page }) => {
    await openApp(page, '?method=centre');
    const tabTo = async (testId: string) => {
      for (let i = 0; i < 60; i++) {
        await page.keyboard.press('Tab');
        if (await page.getByTestId(testId).evaluate((el) => el === document.activeElement).catch(() => false)) return;
      }
      throw new Error(`${testId} is not reachable with Tab`);
    };
    await tabTo('open-demo');
    await page.keyboard.press('Enter');
    await waitReady(page);
    await tabTo('colormap-select');
    await page.keyboard.press('ArrowDown');
    await expect(page.getByTestId('colormap-select')).not.toHaveValue('inferno');
    await tabTo('share-link');
    await page.keyboard.press('Enter');
    await expect(page.getByTestId('share-link-text')).toHaveValue(/#v=1/);
  });
});
