import { beforeAll, describe, expect, it } from 'vitest';
import { FrameRing, PcmRing } from '../../engine/media/ring';
import { LiveLocalizer, type LiveSource } from './liveLocalize';
import type { EngineClient } from '../../workers/client';
import type { MethodName } from '../../engine/pipeline/localizer';

const W = 8, H = 8, DT = 0.125;
/** Capture time of frame i at 8 fps, jittered by up to +-5 ms as a setInterval timer is. */
const timeOf = (i: number) => i * DT + (((i * 37) % 11) - 5) * 1e-3;

class FakeSource implements LiveSource {
  readonly frames = new FrameRing(32, W, H);
  readonly audio = new PcmRing(2, 4 * 16000, 16000);
  readonly running = true;
  readonly epochMs = 0;
  push(n: number): void {
    for (let k = 0; k < n; k++) {
      const i = this.frames.totalWritten;
      this.frames.push(new Uint8ClampedArray(W * H * 4).fill(i % 256), timeOf(i));
    }
    const l = new Float32Array(2000), r = new Float32Array(2000);
    for (let j = 0; j < l.length; j++) { l[j] = Math.sin(j / 5); r[j] = 0.5 * l[j]; }
    this.audio.push([l, r]);
  }
}

/**
 * Runs a LiveLocalizer against an engine that takes `arrive` frames' time per map (they are pushed
 * into the ring while it "works"); returns each request's frames as capture indices, with a check
 * that every frame's pixels are those of the frame its time says.
 */
async function requests(method: MethodName, arrive: number, maps: number, refine?: 'ecc' | 'none', refines: unknown[] = []): Promise<number[][]> {
  const src = new FakeSource();
  src.push(24);
  const sent: number[][] = [];
  const client = {
    async call(type: string, p: { window: { times: number[]; frames: Uint8ClampedArray[] }; refine?: unknown }) {
      expect(type).toBe('localizeWindow');
      refines.push(p.refine);
      const idx = p.window.times.map((t) => Math.round(t / DT));
      idx.forEach((i, k) => { expect(timeOf(i)).toBe(p.window.times[k]); expect(p.window.frames[k][0]).toBe(i % 256); });
      sent.push(idx);
      src.push(arrive);
      // the answer comes back as a message from the worker (a task, not a microtask)
      await new Promise((r) => setTimeout(r, 0));
      return { summary: {}, method, width: 14, height: 14, maps: new Float32Array(196), ms: 1, cacheHits: 0 };
    },
  } as unknown as EngineClient;
  let done = 0;
  const errors: unknown[] = [];
  const loc = new LiveLocalizer(client, src, method, () => { done++; }, (e) => errors.push(e), refine);
  loc.start();
  while (done < maps && errors.length === 0) await new Promise((r) => setTimeout(r, 1));
  await loc.stop();
  expect(errors).toEqual([]);
  return sent;
}

describe('LiveLocalizer: which frames go to the engine', () => {
  beforeAll(() => {
    // the browser's ImageData, as far as LiveLocalizer uses it (Node has none)
    globalThis.ImageData ??= class { constructor(readonly data: Uint8ClampedArray, readonly width: number, readonly height: number) {} } as unknown as typeof ImageData;
  });

  for (const method of ['full', 'heard'] as const) {
    it(`${method}: windows on the capture's grid share frames even when an odd number arrive per map`, async () => {
      const sent = await requests(method, 3, 8);
      expect(sent.length).toBeGreaterThanOrEqual(8);
      for (const [m, w] of sent.entries()) {
        // 9 frames 2 apart (0.25 s at 8 fps), all on the grid of even capture indices, oldest first,
        // ending at the newest even frame there was when the request was made
        expect(w).toHaveLength(9);
        w.forEach((i, k) => { expect(i % 2).toBe(0); if (k) expect(i - w[k - 1]).toBe(2); });
        const newest = 24 + 3 * m - 1;
        expect(w[8]).toBe(newest - (newest % 2));
        // 3 frames arrive per map: the newest grid frame moves 2 or 4 on, so 7 or 6 frames are shared
        if (m) expect(w.filter((i) => sent[m - 1].includes(i)).length).toBeGreaterThanOrEqual(6);
      }
    });
  }

  it("windowed methods ask for homographies without ECC unless told otherwise; single frames ask for none", async () => {
    for (const [method, refine, want] of [['full', undefined, 'none'], ['heard', undefined, 'none'], ['full', 'ecc', 'ecc'], ['lvs', undefined, undefined]] as const) {
      const refines: unknown[] = [];
      await requests(method, 3, 3, refine, refines);
      expect(refines.length, method).toBeGreaterThanOrEqual(3);
      expect(new Set(refines), `${method} ${refine}`).toEqual(new Set([want]));
    }
  });

  it('single-frame methods take the newest frame, whatever its index', async () => {
    const sent = await requests('lvs', 3, 5);
    expect(sent.slice(0, 5)).toEqual([[23], [26], [29], [32], [35]]);
  });
});
