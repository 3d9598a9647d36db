import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { FrameRing, PcmRing } from '../../engine/media/ring';
import { LIVE_NEW_FRAMES, LiveLocalizer, type LiveSource } from './liveLocalize';
import type { EngineClient } from '../../workers/client';
import { stereoWindowAt, type MethodName, type StereoSpan } from '../../engine/pipeline/localizer';

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
 * that every frame's pixels are those of the frame its time says. `failAt`: the request (0-based) that
 * fails once (the error is returned in `errors`, not thrown).
 */
async function requests(method: MethodName, arrive: number, maps: number, refine?: 'ecc' | 'none', refines: unknown[] = [], newFrames?: number, failAt = -1, errors: unknown[] = []): Promise<number[][]> {
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
      if (sent.length - 1 === failAt) throw new Error('the engine lost its GPU');
      return { summary: {}, method, width: 14, height: 14, maps: new Float32Array(196), ms: 1, cacheHits: 0 };
    },
  } as unknown as EngineClient;
  let done = 0;
  const loc = new LiveLocalizer(client, src, method, () => { done++; }, (e) => errors.push(e), refine, newFrames);
  loc.start();
  while (done < maps && errors.length <= (failAt >= 0 ? 1 : 0)) await new Promise((r) => setTimeout(r, 1));
  await loc.stop();
  expect(errors).toHaveLength(failAt >= 0 ? 1 : 0);
  return sent;
}

describe('LiveLocalizer: which frames go to the engine', () => {
  beforeAll(() => {
    // the browser's ImageData, as far as LiveLocalizer uses it (Node has none)
    globalThis.ImageData ??= class { constructor(readonly data: Uint8ClampedArray, readonly width: number, readonly height: number) {} } as unknown as typeof ImageData;
  });

  for (const method of ['full', 'heard'] as const) {
    it(`${method}: windows on the capture's grid share frames even when an odd number arrive per map`, async () => {
      // heard without its bound on new frames (the next test), so every window is the full 9
      const sent = await requests(method, 3, 8, undefined, [], method === 'heard' ? Infinity : undefined);
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

  for (const budget of [1, 2]) {
    it(`heard, ${budget} new frame(s) a map: the rest of the window is what the engine kept; it thins when frames arrive faster`, async () => {
      for (const arrive of [3, 8]) {
        // 3 frames a map: the grid moves 1-2 frames on; 8 frames: 4 grid frames a map
        const sent = await requests('heard', arrive, 12, undefined, [], budget);
        // the first request: nothing kept yet, so the newest grid frame and budget - 1 before it
        expect(sent[0]).toEqual([20, 22].slice(2 - budget));
        for (const [m, w] of sent.entries()) {
          const q = w[w.length - 1];
          const newest = 24 + arrive * m - 1;
          expect(q, `map ${m}`).toBe(newest - (newest % 2));
          // grid frames of the 2 s before the query, oldest first
          w.forEach((i, k) => { expect(i % 2).toBe(0); expect(q - i).toBeLessThanOrEqual(16); if (k) expect(i).toBeGreaterThan(w[k - 1]); });
          if (!m) continue;
          const kept = sent[m - 1].filter((i) => q - i <= 16);
          // every frame the last request sent that is still in the span goes again
          expect(kept.every((i) => w.includes(i)), `map ${m}`).toBe(true);
          // the new ones: the query and the newest budget - 1 grid frames of the span the last request
          // did not send (frames that arrived during the last map, or further back, filling a gap)
          const missing = [14, 12, 10, 8, 6, 4, 2].map((d) => q - d).filter((i) => i >= 0 && !kept.includes(i));
          expect(w.filter((i) => !kept.includes(i)), `map ${m}`).toEqual([...missing.slice(missing.length - (budget - 1)), q]);
        }
        const late = sent.slice(8).map((w) => w.length);
        // 3 frames a map: 2 new fill the window to 9, 1 keeps the frames mapped (every 2-4 frames);
        // 8 frames a map: the maps' frames are 8 apart (q, q - 8, q - 16), with 2 new each one more
        if (arrive === 3) expect(late, `window sizes ${late}`).toEqual(late.map(() => (budget === 2 ? 9 : late[0])));
        if (arrive === 3 && budget === 1) expect(late[0]).toBeGreaterThanOrEqual(5);
        if (arrive === 8) expect(late, `window sizes ${late}`).toEqual(late.map(() => (budget === 2 ? 5 : 3)));
      }
    });
  }

  it(`heard: the app's bound is ${LIVE_NEW_FRAMES} new frame(s) a map; without one every grid frame goes`, async () => {
    expect(await requests('heard', 8, 6)).toEqual(await requests('heard', 8, 6, undefined, [], LIVE_NEW_FRAMES));
    // no bound: 4 grid frames a map all go, 9 frames each once the ring holds 2 s
    const all = await requests('heard', 8, 6, undefined, [], Infinity);
    expect(all.map((w) => w.length)).toEqual(all.map(() => 9));
  });

  it('heard: after a failed request every frame counts as new (the engine may have kept none)', async () => {
    const errors: unknown[] = [];
    const sent = await requests('heard', 3, 6, undefined, [], 2, 4, errors);
    expect(String(errors[0])).toContain('lost its GPU');
    expect(sent[3].length).toBeGreaterThan(2);
    // the request after the failure: two frames again, as at the start
    expect(sent[5]).toHaveLength(2);
    await expect(requests('heard', 3, 1, undefined, [], 0)).rejects.toThrow(/at least 1/);
  });

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

/** One window frame as a request sent it: its capture time, the first and last sample of its second, and the newest sample there was. */
interface Cut { t: number; first: number; last: number; end: number; clock: number }

/**
 * Runs a heard-object LiveLocalizer for `maps` maps against a mic whose every sample holds its own
 * index, heard lagAt(ms) samples behind the page's clock (mocked) and delivered in blocks of 128
 * (an AudioWorklet's), with frames at 8 fps as a timer takes them; each map takes 310 ms. Returns
 * every request's window frames as the engine would cut them (stereoWindowAt).
 */
async function micCuts(lagAt: (ms: number) => number, maps: number): Promise<Cut[][]> {
  const src = new FakeSource();
  let clockMs = 0;
  vi.spyOn(performance, 'now').mockImplementation(() => clockMs);
  const advance = (ms: number) => {
    const until = clockMs + ms;
    for (; clockMs < until; clockMs += 1) {
      const t = clockMs / 1000;
      while (timeOf(src.frames.totalWritten) <= t) src.frames.push(new Uint8ClampedArray(W * H * 4).fill(src.frames.totalWritten % 256), timeOf(src.frames.totalWritten));
      const due = Math.floor((t * 16000 - lagAt(clockMs)) / 128) * 128;
      if (due > src.audio.totalWritten) {
        const block = Float32Array.from({ length: due - src.audio.totalWritten }, (_, j) => src.audio.totalWritten + j);
        src.audio.push([block, Float32Array.from(block, (v) => -v)]);
      }
    }
  };
  advance(3000);
  const calls: Cut[][] = [];
  const client = {
    async call(_type: string, p: { window: { times: number[] }; stereo: StereoSpan }) {
      expect(p.stereo.clampToEnd).toBe(true);
      calls.push(p.window.times.map((t) => {
        const [l, r] = stereoWindowAt(p.stereo, t);
        expect(r[100] + l[100]).toBe(0);
        return { t, first: l[0], last: l[15999], end: src.audio.totalWritten, clock: clockMs };
      }));
      advance(310); // a map's time: 2-3 frames arrive meanwhile
      await new Promise((res) => setTimeout(res, 0)); // the answer is a message from the worker
      return { summary: {}, method: 'heard', width: 14, height: 14, maps: new Float32Array(196), ms: 310, cacheHits: 0 };
    },
  } as unknown as EngineClient;
  const errors: unknown[] = [];
  let done = 0;
  const loc = new LiveLocalizer(client, src, 'heard', () => { done++; }, (e) => errors.push(e));
  loc.start();
  while (done < maps && !errors.length) await new Promise((res) => setTimeout(res, 0));
  await loc.stop();
  expect(errors).toEqual([]);
  return calls;
}

/** The offset of a cut that is a whole second centred on its frame (its first sample + 8000 - 16000 t), or null for the last second heard. */
const centredOffset = (c: Cut) => (c.last === c.end - 1 ? null : c.first + 8000 - Math.round(c.t * 16000));

describe('LiveLocalizer: which second of sound each frame is heard with', () => {
  beforeAll(() => {
    globalThis.ImageData ??= class { constructor(readonly data: Uint8ClampedArray, readonly width: number, readonly height: number) {} } as unknown as typeof ImageData;
  });
  afterEach(() => vi.restoreAllMocks());

  it('heard: the second centred on the frame once the mic has all of it, the same samples on every map; before that the last second heard', async () => {
    const LAG = 300;
    const calls = await micCuts(() => LAG, 12);
    // the mic's index minus 16000 x the clock as the first request found it: within one block of the lag
    const off = calls[0][0].end - Math.round(calls[0][0].clock * 16);
    expect(off).toBeLessThanOrEqual(-LAG);
    expect(off).toBeGreaterThan(-LAG - 128);
    let centred = 0, again = 0, sent = 0;
    const before = new Map<number, number>(); // frame index -> the first sample of its second on the map before
    for (const call of calls) {
      for (const c of call) {
        const at = Math.round(c.t * 16000) + off; // the sample heard at the frame's capture
        const i = Math.round(c.t / DT);
        sent++;
        if (at + 8000 <= c.end) {
          expect([c.first, c.last], `frame ${i} at ${c.t} s`).toEqual([at - 8000, at + 7999]);
          centred++;
          if (before.get(i) === c.first) again++;
        } else {
          expect([c.first, c.last], `frame ${i} at ${c.t} s`).toEqual([c.end - 16000, c.end - 1]);
        }
        before.set(i, c.first);
      }
    }
    // most windows' frames were heard with their centred second, and most of those with the same
    // samples the map before (what lets the engine reuse their direction features)
    console.log(`live cuts: ${centred} of ${sent} window frames centred, ${again} the same samples as the map before`);
    expect(centred / sent).toBeGreaterThan(0.6);
    expect(again / centred).toBeGreaterThan(0.6);
  });

  it('heard: after the mic stalls and falls 0.4 s behind the clock, frames are cut on its new offset within 2.4 s, never past what it has', async () => {
    const LAG = 300, STALL = 6400, at = 4500; // from 4.5 s on, 0.4 s of the mic is never heard
    const calls = await micCuts((ms) => LAG + (ms >= at ? STALL : 0), 20);
    const offsets = (call: Cut[]) => new Set(call.map(centredOffset).filter((o) => o !== null));
    for (const call of calls) {
      // one offset per request, and no cut past the newest sample
      expect(offsets(call).size).toBeLessThanOrEqual(1);
      for (const c of call) expect(c.last).toBeLessThan(c.end);
    }
    // the offset moves once the requests from before the stall are 2 s old
    const early = calls.filter((c) => c[0].clock < at), late = calls.filter((c) => c[0].clock > at + 2400);
    expect(early.length).toBeGreaterThanOrEqual(3);
    expect(late.length).toBeGreaterThanOrEqual(3);
    for (const call of early) for (const o of offsets(call)) expect(o).toBeGreaterThan(-LAG - 128), expect(o).toBeLessThanOrEqual(-LAG);
    for (const call of late) for (const o of offsets(call)) expect(o).toBeGreaterThan(-LAG - STALL - 128), expect(o).toBeLessThanOrEqual(-LAG - STALL);
    expect(late.some((call) => offsets(call).size === 1)).toBe(true);
  });
});
