import { describe, it, expect, beforeAll } from 'vitest';
import { loadOpenCV, type CV } from '../geometry/opencv';
import { loadTestPhotos } from '../geometry/testPhotosNode';
import { synthSequence, scaleMotion, HEAD_MOTION } from '../geometry/synth';
import { validateHomographyConfig } from '../geometry/config';
import { identity, invert, meanCornerError, mul } from '../geometry/homography';
import type { GrayImage } from '../geometry/png';
import { boundedWindow, estimatePairs, pairHomography, pairsOf, windowAround } from './windows';
import type { FrameFeatures } from '../geometry/estimate';
import { gridStep } from './localizer';

describe('paper 000 windows', () => {
  it('centres the window on the query and shifts it inside the frames near the ends', () => {
    expect(windowAround(10, 32, 9, 2)).toEqual({ frames: [2, 4, 6, 8, 10, 12, 14, 16, 18], query: 4 });
    // near the start: the same parity as the query, shifted right
    expect(windowAround(1, 32, 9, 2)).toEqual({ frames: [1, 3, 5, 7, 9, 11, 13, 15, 17], query: 0 });
    expect(windowAround(2, 32, 9, 2)).toEqual({ frames: [0, 2, 4, 6, 8, 10, 12, 14, 16], query: 1 });
    // near the end: shifted left, the query last
    expect(windowAround(31, 32, 9, 2)).toEqual({ frames: [15, 17, 19, 21, 23, 25, 27, 29, 31], query: 8 });
    // fewer frames than a window: every frame of the query's parity
    expect(windowAround(4, 7, 9, 2)).toEqual({ frames: [0, 2, 4, 6], query: 2 });
    expect(windowAround(0, 1, 9, 2)).toEqual({ frames: [0], query: 0 });
    expect(windowAround(5, 12, 1, 2)).toEqual({ frames: [5], query: 0 });
    expect(() => windowAround(12, 12, 9, 2)).toThrow(RangeError);
    expect(() => windowAround(0, 12, 9, 0)).toThrow(RangeError);
  });

  it("bounds a live window's new frames: cached frames always, new ones newest first, the query always", () => {
    const cand = [30, 28, 26, 24, 22, 20, 18, 16, 14];
    // nothing kept: the query and budget - 1 more, the newest
    expect(boundedWindow(cand, new Set(), 2)).toEqual([30, 28]);
    expect(boundedWindow(cand, new Set(), 1)).toEqual([30]);
    // the last call's frames all go again; of the new ones only the budget's newest
    expect(boundedWindow(cand, new Set([24, 22, 20, 18, 16, 14, 12]), 2)).toEqual([30, 28, 24, 22, 20, 18, 16, 14]);
    // a gap further back is filled when the budget allows
    expect(boundedWindow(cand, new Set([28, 26, 24, 20, 18, 16, 14]), 2)).toEqual([30, 28, 26, 24, 22, 20, 18, 16, 14]);
    // the query is never dropped; cached (mapped again), it is not new, so the budget goes further back
    expect(boundedWindow(cand, new Set([30]), 1)).toEqual([30, 28]);
    expect(boundedWindow(cand, new Set([30]), 2)).toEqual([30, 28, 26]);
    // no bound: every candidate
    expect(boundedWindow(cand, new Set(), Infinity)).toEqual(cand);
    expect(() => boundedWindow(cand, new Set(), 0)).toThrow(RangeError);
    expect(() => boundedWindow(cand, new Set(), NaN)).toThrow(RangeError);
  });

  it('lists each pair with a query once, first frame first', () => {
    const w = [windowAround(4, 10, 3, 2), windowAround(6, 10, 3, 2)];
    expect(w.map((x) => x.frames)).toEqual([[2, 4, 6], [4, 6, 8]]);
    expect(pairsOf(w)).toEqual([[2, 4], [4, 6], [6, 8]]);
    expect(pairsOf([windowAround(3, 10, 1, 2)])).toEqual([]);
  });

  it('grid step: frames 0.25 s apart at the clip frame rate', () => {
    expect(gridStep(Array.from({ length: 10 }, (_, i) => i / 8))).toBe(2);
    expect(gridStep(Array.from({ length: 10 }, (_, i) => i / 4))).toBe(1);
    expect(gridStep(Array.from({ length: 10 }, (_, i) => i / 30))).toBe(8);
    expect(gridStep(Array.from({ length: 10 }, (_, i) => i))).toBe(1);
    expect(gridStep([3])).toBe(1);
    expect(() => gridStep([1, 1, 1])).toThrow(/increase/);
  });
});

describe('pair homographies', () => {
  let cv: CV;
  let photos: GrayImage[];
  beforeAll(async () => {
    ({ cv } = await loadOpenCV());
    photos = await loadTestPhotos();
  });

  it('estimates each pair once and gives H_{j->i} in both directions (the true motion within a pixel)', () => {
    const T = 7;
    const { frames, poses } = synthSequence(cv, photos[1], 224, 224, T, 21, scaleMotion(HEAD_MOTION, 0.3));
    const asked: number[] = [];
    const table = estimatePairs(cv, (f) => { asked.push(f); return frames[f]; }, [[0, 3], [3, 6], [1, 3]], validateHomographyConfig());
    expect(Object.keys(table).sort()).toEqual(['0,3', '1,3', '3,6']);
    expect(asked.sort()).toEqual([0, 1, 3, 6]); // each frame read once
    const truth = (j: number, i: number) => mul(invert(poses[i]), poses[j]);
    for (const [j, i] of [[0, 3], [3, 0], [6, 3], [3, 6], [1, 3], [3, 1]]) {
      expect(table[`${Math.min(i, j)},${Math.max(i, j)}`].fallback).toBe(false);
      const err = meanCornerError(pairHomography(table, j, i), truth(j, i), 224, 224);
      expect(err, `H_${j}->${i}`).toBeLessThan(1);
      // the other direction is far from it: the motion is large enough to tell them apart
      expect(meanCornerError(pairHomography(table, i, j), truth(j, i), 224, 224)).toBeGreaterThan(3 * Math.max(err, 0.5));
    }
    expect(pairHomography(table, 4, 4)).toEqual(identity());
    expect(() => pairHomography(table, 2, 5)).toThrow(/not estimated/);
    expect(() => estimatePairs(cv, (f) => frames[f], [[3, 1]], validateHomographyConfig())).toThrow(RangeError);
  }, 60_000);

  it('a feature store: frames it has are not described again, and the pairs come out the same', () => {
    const { frames } = synthSequence(cv, photos[2], 224, 224, 6, 5, scaleMotion(HEAD_MOTION, 0.3));
    const cfg = validateHomographyConfig();
    const kept = new Map<number, FrameFeatures>();
    const put: number[] = [];
    const store = { get: (f: number) => kept.get(f), put: (f: number, x: FrameFeatures) => { put.push(f); kept.set(f, x); } };
    const first = estimatePairs(cv, (f) => frames[f], [[0, 2], [2, 4]], cfg, store);
    expect(put).toEqual([0, 2, 4]);
    put.length = 0;
    // live-style: the next window shares frames 2 and 4; only 5 is new
    const second = estimatePairs(cv, (f) => frames[f], [[2, 5], [4, 5]], cfg, store);
    expect(put).toEqual([5]);
    expect(second).toEqual(estimatePairs(cv, (f) => frames[f], [[2, 5], [4, 5]], cfg));
    expect(first).toEqual(estimatePairs(cv, (f) => frames[f], [[0, 2], [2, 4]], cfg));
    expect(Object.values(second).every((p) => !p.fallback)).toBe(true);
    // a store answering with another frame's features changes the estimate: it is used, not re-derived
    const wrong = estimatePairs(cv, (f) => frames[f], [[2, 5]], cfg, { get: (f) => (f === 5 ? kept.get(0) : kept.get(f)), put: () => {} });
    expect(wrong['2,5']).not.toEqual(second['2,5']);
  }, 60_000);
});
