import { expect, type Page } from '@playwright/test';
import { resolve } from 'node:path';
import { readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { MEDIA } from './helpers';
import { boxesToMask, scoreFrame, baselines, EVAL_SIZE } from '../src/engine/eval/metrics';
import { soundingBoxes, type ClipMeta } from '../src/engine/eval/truth';

/**
 * Scoring live maps of the demo clip played by Chromium's fake camera (e2e/live-demo.spec.ts,
 * e2e/live-heard.spec.ts): each refreshed map is matched to the clip frame it was computed on (the
 * nearest of the clip's frames, by pixels), and its peak is scored against that frame's ground truth.
 */

/** Small gray thumbnails (56x56, 4x4 block means) of 224x224 RGBA frames, for matching. */
export const THUMB = 56;
export function thumb(rgba: ArrayLike<number>): Float32Array {
  const o = new Float32Array(THUMB * THUMB);
  for (let y = 0; y < 224; y++) for (let x = 0; x < 224; x++) {
    const i = 4 * (y * 224 + x);
    o[(y >> 2) * THUMB + (x >> 2)] += (0.299 * rgba[i] + 0.587 * rgba[i + 1] + 0.114 * rgba[i + 2]) / 16;
  }
  return o;
}

export interface DemoRefs { meta: ClipMeta; refs: Float32Array[] }

/** The demo's meta and its frames' thumbnails as the live ring holds them: 224x224, the whole picture squashed. */
export function demoRefs(): DemoRefs {
  const meta = JSON.parse(readFileSync('public/demo/demo.meta.json', 'utf8')) as ClipMeta;
  const raw = spawnSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-i', resolve(MEDIA, 'demo-camera.y4m'), '-vf', 'scale=224:224:flags=bilinear', '-f', 'rawvideo', '-pix_fmt', 'rgba', '-'], { maxBuffer: 1 << 28 });
  expect(raw.status).toBe(0);
  const nRef = raw.stdout.length / (224 * 224 * 4);
  expect(nRef).toBe(meta.frames.length);
  return { meta, refs: Array.from({ length: nRef }, (_, k) => thumb(raw.stdout.subarray(k * 224 * 224 * 4, (k + 1) * 224 * 224 * 4))) };
}

export interface RecordedLiveMap { thumb: number[]; map: number[]; width: number; height: number; time: number; frameSize: number[] }

/** From now on the page keeps every live map drawn (window.__liveMaps), with its frame's thumbnail. */
export async function recordLiveMaps(page: Page): Promise<void> {
  await page.evaluate((T) => {
    const w = window as any;
    w.__liveMaps = [];
    w.egosound.controller.onLiveMap((m: { frame: ImageData; map: Float32Array; width: number; height: number; time: number }) => {
      // 4x4 block means of the frame's gray, as thumb() in the test
      const d = m.frame.data, t = new Array(T * T).fill(0);
      for (let y = 0; y < 224; y++) for (let x = 0; x < 224; x++) {
        const i = 4 * (y * 224 + x);
        t[(y >> 2) * T + (x >> 2)] += (0.299 * d[i] + 0.587 * d[i + 1] + 0.114 * d[i + 2]) / 16;
      }
      w.__liveMaps.push({ thumb: t, map: Array.from(m.map), width: m.width, height: m.height, time: m.time, frameSize: [m.frame.width, m.frame.height] });
    });
  }, THUMB);
}

export const liveMapCount = (page: Page) => page.evaluate(() => (window as any).__liveMaps.length as number);
export const liveMaps = (page: Page) => page.evaluate(() => (window as any).__liveMaps) as Promise<RecordedLiveMap[]>;

/**
 * Peaks inside the sounding box, over the maps from `fromSec` of capture on (before it the window and
 * the sound are still filling) whose frame has a sounding object; the centre prior on the same
 * frames; `line`: per map 1 / 0 (scored), '.' (no sounding object), '_' (too early).
 */
export function scoreLiveMaps(maps: RecordedLiveMap[], { meta, refs }: DemoRefs, fromSec = 2.0): { scored: number; hits: number; centreHits: number; line: string } {
  let scored = 0, hits = 0, centreHits = 0;
  const line: string[] = [];
  for (const m of maps) {
    if (m.time < fromSec) { line.push('_'); continue; }
    const diffs = refs.map((r) => r.reduce((s, v, i) => s + Math.abs(v - m.thumb[i]), 0) / r.length);
    const k = diffs.indexOf(Math.min(...diffs));
    expect(diffs[k], `live frame at ${m.time.toFixed(2)} s matches no clip frame`).toBeLessThan(12);
    const { boxes } = soundingBoxes(meta, k);
    if (!boxes.length) { line.push('.'); continue; }
    const G = boxesToMask(boxes, meta.config.width, meta.config.height);
    const hit = scoreFrame(m.map, m.height, m.width, G).pointing;
    scored++;
    if (hit) hits++;
    if (scoreFrame(baselines.centre(), EVAL_SIZE, EVAL_SIZE, G).pointing) centreHits++;
    line.push(hit ? '1' : '0');
  }
  return { scored, hits, centreHits, line: line.join('') };
}
