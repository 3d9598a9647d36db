import { expect, type Page, type ConsoleMessage } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const MEDIA = '.cache/test-media';
export const expected = (): Record<string, { duration: number; width: number; height: number; channels?: number; hasAudio: boolean }> =>
  JSON.parse(readFileSync(join(MEDIA, 'expected.json'), 'utf8'));

/** Collects console errors and uncaught page errors; tests assert the list stays empty. */
export function watchConsole(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (m: ConsoleMessage) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  return errors;
}

export async function openApp(page: Page, query = ''): Promise<void> {
  await page.goto(`/${query}`);
  await expect(page.getByTestId('backend')).not.toHaveText(/starting/);
}

export async function pick(page: Page, file: string): Promise<void> {
  await page.getByTestId('file-input').setInputFiles(join(MEDIA, file));
}

/** Drops a file on the drop zone through a real DataTransfer, as a person dragging would. */
export async function drop(page: Page, file: string, name = file): Promise<void> {
  const b64 = readFileSync(join(MEDIA, file)).toString('base64');
  await page.evaluate(([data, fileName]) => {
    const bytes = Uint8Array.from(atob(data), (c) => c.charCodeAt(0));
    const dt = new DataTransfer();
    dt.items.add(new File([bytes], fileName));
    const zone = document.querySelector('[data-testid=dropzone]')!;
    zone.dispatchEvent(new DragEvent('dragover', { dataTransfer: dt, bubbles: true, cancelable: true }));
    zone.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
  }, [b64, name]);
}

export async function waitReady(page: Page, timeout = 120_000): Promise<void> {
  await expect(page.getByTestId('media-phase')).toHaveAttribute('data-value', 'ready', { timeout });
}

/** True when a canvas inside the locator has non-background pixels. */
export async function canvasHasInk(page: Page, testId: string): Promise<boolean> {
  return page.evaluate((id) => {
    const root = document.querySelector(`[data-testid=${id}]`);
    if (!root) return false;
    const canvases = [...root.querySelectorAll('canvas'), ...(root.shadowRoot ? [...root.shadowRoot.querySelectorAll('canvas')] : [])] as HTMLCanvasElement[];
    const walk = (el: Element): HTMLCanvasElement[] => {
      const out: HTMLCanvasElement[] = [];
      if (el instanceof HTMLCanvasElement) out.push(el);
      const kids = [...el.children, ...(el.shadowRoot ? [...el.shadowRoot.children] : [])];
      for (const k of kids) out.push(...walk(k));
      return out;
    };
    const all = new Set([...canvases, ...walk(root)]);
    for (const c of all) {
      if (!c.width || !c.height) continue;
      const g = c.getContext('2d');
      if (!g) continue;
      const d = g.getImageData(0, 0, c.width, c.height).data;
      let lit = 0;
      for (let i = 0; i < d.length; i += 4) if (d[i + 3] > 0 && d[i] + d[i + 1] + d[i + 2] > 60) lit++;
      if (lit > 50) return true;
    }
    return false;
  }, testId);
}

/** Seeks the app's player to t seconds and waits for 'seeked'. */
export async function seekPlayer(page: Page, t: number): Promise<void> {
  await page.getByTestId('player').evaluate((v: HTMLVideoElement, time) => new Promise<void>((resolve) => {
    v.addEventListener('seeked', () => resolve(), { once: true });
    v.currentTime = time;
  }), t);
}
