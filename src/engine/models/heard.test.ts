/** The heard-object localizer (heard.ts): its map, its eq. 2 loss against a plain reference, learning on a toy, the weights format and the shipped weights. */
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { carryCells, combineHeads, deserializeHeard, headParams, directionLogits, directionProbs, fuseDetections, heardInputWidth, heardLoss, heardMaps, heardMapsFromMeans, heardMapsPerObject, initHeardParams, loadHeard, mirrorHeardInput, objectnessLogits, objectShares, serializeHeard, sharpenRows, validateHeardConfig, windowMean, withObjectExtent, EXTENT_FLOOR } from './heard';
import type { Detection } from './objectness';
import { SEGMENT_FEATURES, binauralSegments } from '../dsp/binaural';
import { rng } from '../testing/compare';
import { readShippedManifest, shippedModelsFetcher } from '../testing/shipped-models';
import { InvalidConfigError, WeightsIntegrityError } from '../errors';

const P = SEGMENT_FEATURES;
const uniform = (n: number, seed: number, lo = 0, hi = 1) => { const r = rng(seed); return Float32Array.from({ length: n }, () => lo + (hi - lo) * r()); };
const logSoftmax = (x: number[]) => { const m = Math.max(...x); const z = Math.log(x.reduce((a, v) => a + Math.exp(v - m), 0)) + m; return x.map((v) => v - z); };

describe('heard-object model', () => {
  beforeAll(async () => { await tf.setBackend('cpu'); });
  const config = validateHeardConfig({ hidden: 16, segments: 3 });
  const F = heardInputWidth(config);
  const fresh = (seed = 1) => initHeardParams(config, seed, uniform(F, 7, -1, 1), uniform(F, 8, 0.5, 2));

  it('validates its config', () => {
    expect(() => validateHeardConfig({ grid: 7 })).toThrow(InvalidConfigError);
    expect(() => validateHeardConfig({ floor: 0 })).toThrow(InvalidConfigError);
    expect(() => validateHeardConfig({ hidden: 1.5 })).toThrow(InvalidConfigError);
    expect(() => validateHeardConfig({ segments: 0 })).toThrow(InvalidConfigError);
    expect(F).toBe(4 * P);
  });

  it('maps = gp log(eps + heat) + gq log(eps + boxes) + log of the mixture over parts of softmax(columns) softmax(rows)', () => {
    const p = fresh();
    p['heard/gp'].assign(tf.scalar(0.7));
    p['heard/gq'].assign(tf.scalar(1.3));
    // a spread of part weights, so the mixture is not a plain average
    p['heard/b2'].assign(tf.tensor1d(Float32Array.from({ length: 29 }, (_, j) => (j === 28 ? 0.5 : 0))));
    const n = 3, K = config.segments + 1;
    const dir = uniform(n * F, 3, -2, 2), heat = uniform(n * 196, 4), boxes = uniform(n * 196, 5);
    const got = tf.tidy(() => heardMaps(p, tf.tensor2d(dir, [n, F]), tf.tensor2d(heat, [n, 196]), tf.tensor2d(boxes, [n, 196]), config).arraySync());
    // reference in plain JS
    const W1 = p['heard/w1'].arraySync() as number[][], b1 = p['heard/b1'].arraySync() as number[], W2 = p['heard/w2'].arraySync() as number[][], b2 = p['heard/b2'].arraySync() as number[];
    const mu = p['heard/dirMean'].arraySync() as number[], sd = p['heard/dirSd'].arraySync() as number[];
    for (let i = 0; i < n; i++) {
      const parts = Array.from({ length: K }, (_, k) => {
        const x = Array.from({ length: P }, (_, f) => (dir[i * F + k * P + f] - mu[k * P + f]) / sd[k * P + f]);
        const h = b1.map((b, j) => Math.max(0, b + x.reduce((a, v, f) => a + v * W1[f][j], 0)));
        return b2.map((b, j) => b + h.reduce((a, v, f) => a + v * W2[f][j], 0));
      });
      const w = logSoftmax(parts.map((o) => o[28]));
      expect(Math.max(...w) - Math.min(...w)).toBeGreaterThan(0.01);
      let total = 0;
      for (let y = 0; y < 14; y++) for (let xx = 0; xx < 14; xx++) {
        const c = y * 14 + xx;
        const P_ = parts.reduce((a, o, k) => a + Math.exp(w[k] + logSoftmax(o.slice(0, 14))[xx] + logSoftmax(o.slice(14, 28))[y]), 0);
        const want = 0.7 * Math.log(0.01 + heat[i * 196 + c]) + 1.3 * Math.log(0.01 + boxes[i * 196 + c]) + Math.log(P_);
        expect(got[i][c]).toBeCloseTo(want, 4);
      }
      const d = tf.tidy(() => directionLogits(p, tf.tensor2d(dir.subarray(i * F, (i + 1) * F), [1, F]), config).dataSync());
      for (const v of d) total += Math.exp(v);
      expect(total).toBeCloseTo(1, 5); // a distribution over the cells
    }
    tf.dispose(Object.values(p));
  });

  it('carries a frame\'s cells onto the query\'s grid through H_{q->j} and averages the window per cell', () => {
    const m = Float32Array.from({ length: 196 }, (_, k) => k);
    expect(Array.from(carryCells(m, null, 224, 224, 14))).toEqual(Array.from(m));
    // H_{q->j}: one cell (16 px) to the right and 12 px (3/4 of a cell) down in frame j
    const shift = [1, 0, 16, 0, 1, 12, 0, 0, 1];
    const c = carryCells(m, shift, 224, 224, 14);
    for (let y = 0; y < 14; y++) for (let x = 0; x < 14; x++) {
      const v = c[y * 14 + x];
      // the last column's centres land 8 px right of frame j, the last row's 4 px below: nothing there
      if (x === 13 || y === 13) { expect(v).toBeNaN(); continue; }
      // frame j's row y + 0.75, column x + 1: rows y and y + 1 weighted 1/4 and 3/4
      expect(v).toBeCloseTo(0.25 * (y * 14 + x + 1) + 0.75 * ((y + 1) * 14 + x + 1), 4);
    }
    // frames of other sizes: the homography is in their pixels
    const c2 = carryCells(m, [1, 0, 32, 0, 1, 0, 0, 0, 1], 448, 112, 14);
    expect(c2[3 * 14 + 4]).toBeCloseTo(3 * 14 + 5, 4);
    // the window mean: the query's own map (null) everywhere, the shifted one where it reaches
    const q = uniform(196, 9), j = uniform(196, 10);
    const mean = windowMean([q, j], [null, shift], 224, 224, 14);
    const cj = carryCells(j, shift, 224, 224, 14);
    for (let k = 0; k < 196; k++) expect(mean[k]).toBeCloseTo(Number.isNaN(cj[k]) ? q[k] : (q[k] + cj[k]) / 2, 5);
    // w/o geometry: the plain mean
    const plain = windowMean([q, j], [null, null], 224, 224, 14);
    for (let k = 0; k < 196; k++) expect(plain[k]).toBeCloseTo((q[k] + j[k]) / 2, 6);
    expect(() => windowMean([q], [null, null], 224, 224, 14)).toThrow(InvalidConfigError);
  });

  it('one frame\'s window means give the single-frame maps', () => {
    const p = fresh(3);
    const n = 2, dir = uniform(n * F, 11, -2, 2), heat = uniform(n * 196, 12), boxes = uniform(n * 196, 13);
    const [a, b] = tf.tidy(() => {
      const d = tf.tensor2d(dir, [n, F]), h = tf.tensor2d(heat, [n, 196]), bx = tf.tensor2d(boxes, [n, 196]);
      const probs = directionProbs(p, d, config).dataSync();
      const means = (x: ArrayLike<number>) => tf.tensor2d(Array.from({ length: n }, (_, i) => Array.from(windowMean([Array.from(x).slice(i * 196, (i + 1) * 196)], [null], 224, 224, 14))).flat(), [n, 196]);
      return [heardMaps(p, d, h, bx, config).dataSync(), heardMapsFromMeans(p, means(probs), means(heat), means(boxes), config).dataSync()];
    });
    for (let k = 0; k < a.length; k++) expect(b[k]).toBeCloseTo(a[k], 3);
    tf.dispose(Object.values(p));
  });

  it('a uniform share mixed into the direction: objects order the cells far from it, the peak stays', () => {
    const p = fresh(5);
    // a sharp direction at cell 30, two objects elsewhere: one strong (cell 150), one weak (cell 180)
    const P = new Float32Array(196).fill(1e-9); P[30] = 1 - 195e-9;
    const heat = new Float32Array(196).fill(0.02); heat[150] = 0.9; heat[180] = 0.3; heat[30] = 0.5;
    const [plain, mixed] = [0, 0.2].map((u) => tf.tidy(() => heardMapsFromMeans(p, tf.tensor2d(P, [1, 196]), tf.tensor2d(heat, [1, 196]), tf.tensor2d(heat, [1, 196]), config, u).dataSync()));
    const gp = p['heard/gp'].dataSync()[0], gq = p['heard/gq'].dataSync()[0];
    for (const k of [30, 150, 180, 0]) expect(mixed[k]).toBeCloseTo((gp + gq) * Math.log(config.floor + heat[k]) + Math.log(0.8 * P[k] + 0.2 / 196), 3);
    const argmax = (m: ArrayLike<number>) => Array.from(m).indexOf(Math.max(...Array.from(m)));
    expect(argmax(plain)).toBe(30);
    expect(argmax(mixed)).toBe(30);
    // the gap between the direction's cell and the strong object shrinks from ~20 (log of P's floor) to a few units
    expect(plain[30] - plain[150]).toBeGreaterThan(15);
    expect(mixed[30] - mixed[150]).toBeLessThan(6);
    const t = tf.tensor2d(P, [1, 196]);
    expect(() => heardMapsFromMeans(p, t, t, t, config, 1)).toThrow(InvalidConfigError);
    tf.dispose([t, ...Object.values(p)]);
  });

  it('reads the direction per detected object: each box filled with its score^power times its mean probability', () => {
    // the direction: all its mass in the 2x2 cells at columns 2-3, rows 5-6 (cells of 16 px on 224)
    const P = new Float32Array(196);
    for (const [x, y] of [[2, 5], [3, 5], [2, 6], [3, 6]]) P[y * 14 + x] = 0.25;
    const near: Detection = { box: [32, 80, 64, 112], score: 0.5, cls: 0 }; // exactly those four cells
    const big: Detection = { box: [0, 0, 224, 224], score: 0.9, cls: 0 }; // the whole frame
    const off: Detection = { box: [160, 160, 192, 176], score: 0.8, cls: 0 }; // two cells the sound misses
    const half: Detection = { box: [40, 80, 56, 96], score: 0.5, cls: 0 }; // half of cell (2,5), half of (3,5)
    const E = objectShares(P, [big, near, off], { minScore: 0, power: 0.5, density: 1 }, 14);
    // near: mass 1 over a share 4/196 of the frame -> sqrt(0.5) * 49; big: mass 1 over all of it -> sqrt(0.9)
    expect(E[5 * 14 + 2]).toBeCloseTo(Math.sqrt(0.5) * 49, 4);
    expect(E[6 * 14 + 3]).toBeCloseTo(Math.sqrt(0.5) * 49, 4);
    expect(E[0]).toBeCloseTo(Math.sqrt(0.9), 5); // only the big box covers it
    expect(E[10 * 14 + 10]).toBeCloseTo(Math.sqrt(0.9), 5); // 'off' takes none of the sound: big wins
    // density 0: the sum, not the mean -> the big box ties with the near one at its cells but its score is higher
    const E0 = objectShares(P, [big, near], { minScore: 0, power: 1, density: 0 }, 14);
    expect(E0[5 * 14 + 2]).toBeCloseTo(0.9, 5);
    // a box covering half of two cells counts half of each cell, as coverCells does
    const Eh = objectShares(P, [half], { minScore: 0, power: 1, density: 1 }, 14);
    // cover 0.5 x score 0.5 x mass (0.5 x 0.25 + 0.5 x 0.25) / share (2 x 0.5 / 196)
    expect(Eh[5 * 14 + 2]).toBeCloseTo((0.5 * 0.5 * (0.5 * 0.25 + 0.5 * 0.25)) / (1 / 196), 4);
    expect(Eh[6 * 14 + 2]).toBe(0);
    // minScore drops detections; no kept detection leaves every cell at 0
    expect(Array.from(objectShares(P, [near, off], { minScore: 0.9, power: 1 }, 14)).every((e) => e === 0)).toBe(true);
    expect(() => objectShares(new Float32Array(10), [near], { minScore: 0, power: 1 }, 14)).toThrow(InvalidConfigError);
  });

  it('objectShares cut and nest: boxes under cut x the top weight are left out, unless they hold a kept box', () => {
    const P = new Float32Array(196);
    for (const [x, y] of [[2, 5], [3, 5], [2, 6], [3, 6]]) P[y * 14 + x] = 0.25;
    const near: Detection = { box: [32, 80, 64, 112], score: 0.5, cls: 0 }; // weight sqrt(0.5) * 49
    const around: Detection = { box: [16, 64, 80, 128], score: 0.5, cls: 0 }; // 4x4 cells holding near: sqrt(0.5) * 196 / 16
    const big: Detection = { box: [0, 0, 224, 224], score: 0.9, cls: 0 }; // sqrt(0.9)
    const opts = { minScore: 0, power: 0.5, density: 1 };
    const all = objectShares(P, [big, around, near], opts, 14);
    expect(all[4 * 14 + 1]).toBeCloseTo(Math.sqrt(0.5) * 12.25, 4); // around's own cell
    expect(all[0]).toBeCloseTo(Math.sqrt(0.9), 5);
    // cut 0.5: around (12.25 / 49 of the top) and big are out; near keeps its cells
    const cut = objectShares(P, [big, around, near], { ...opts, cut: 0.5 }, 14);
    expect(cut[5 * 14 + 2]).toBeCloseTo(Math.sqrt(0.5) * 49, 4);
    expect(cut[4 * 14 + 1]).toBe(0);
    expect(cut[0]).toBe(0);
    // cut 0.2 keeps around (0.25 of the top), not big
    expect(objectShares(P, [big, around, near], { ...opts, cut: 0.2 }, 14)[4 * 14 + 1]).toBeCloseTo(Math.sqrt(0.5) * 12.25, 4);
    // nest 0.8: every box holding near comes back at its own weight (around and the frame-sized one)
    const nested = objectShares(P, [big, around, near], { ...opts, cut: 0.5, nest: 0.8 }, 14);
    expect(nested[4 * 14 + 1]).toBeCloseTo(Math.sqrt(0.5) * 12.25, 4);
    expect(nested[0]).toBeCloseTo(Math.sqrt(0.9), 5);
    expect(nested[5 * 14 + 2]).toBeCloseTo(Math.sqrt(0.5) * 49, 4);
    // a box that holds only part of near does not come back
    const partial: Detection = { box: [48, 80, 112, 144], score: 0.5, cls: 0 };
    expect(objectShares(P, [partial, near], { ...opts, cut: 0.9, nest: 0.8 }, 14)[8 * 14 + 6]).toBe(0);
    expect(() => objectShares(P, [near], { ...opts, cut: 2 }, 14)).toThrow(InvalidConfigError);
    expect(() => objectShares(P, [near], { ...opts, nest: -1 }, 14)).toThrow(InvalidConfigError);
  });

  it('fuseDetections pools one object found as several classes; objectShares fuse uses it', () => {
    const a: Detection = { box: [32, 80, 64, 112], score: 0.2, cls: 56 };
    const b: Detection = { box: [33, 80, 64, 112], score: 0.1, cls: 57 }; // IoU 31/32 with a
    const c: Detection = { box: [48, 80, 80, 112], score: 0.4, cls: 56 }; // IoU 1/3 with a and b
    const fused = fuseDetections([a, b, c], 0.7);
    expect(fused).toHaveLength(2);
    // the highest score leads its own group; a and b pool: 1 - 0.8 x 0.9, a's box and class kept
    expect(fused[0]).toEqual(c);
    expect(fused[1].box).toEqual(a.box);
    expect(fused[1].cls).toBe(56);
    expect(fused[1].score).toBeCloseTo(0.28, 6);
    // a lower IoU pools all three; a higher one none
    expect(fuseDetections([a, b, c], 0.3)[0].score).toBeCloseTo(1 - 0.6 * 0.8 * 0.9, 6);
    fuseDetections([a, b, c], 0.99).forEach((d, i) => expect(d.score).toBeCloseTo([0.4, 0.2, 0.1][i], 9));
    // in objectShares: a's cells weigh the pooled score, not a's own
    const P = new Float32Array(196).fill(1 / 196);
    const opts = { minScore: 0, power: 1, density: 1 };
    const plain = objectShares(P, [a, b], opts, 14), pooled = objectShares(P, [a, b], { ...opts, fuse: 0.7 }, 14);
    expect(plain[5 * 14 + 2]).toBeCloseTo(0.2, 5);
    expect(pooled[5 * 14 + 2]).toBeCloseTo(0.28, 5);
    expect(() => fuseDetections([a], 0)).toThrow(InvalidConfigError);
    expect(() => objectShares(P, [a], { ...opts, fuse: 1.5 }, 14)).toThrow(InvalidConfigError);
  });

  it('sharpenRows: the row marginal to a power multiplies P, the columns within a row keep their ratios; objectShares rows uses it', () => {
    const P = [0.1, 0.3, 0.4, 0.2]; // 2 x 2: rows sum to 0.4 and 0.6
    const s1 = sharpenRows(P, 2, 1);
    [0.04, 0.12, 0.24, 0.12].forEach((v, k) => expect(s1[k]).toBeCloseTo(v / 0.52, 6));
    expect(s1[1] / s1[0]).toBeCloseTo(3, 5);
    expect(Array.from(sharpenRows(P, 2, 0))).toEqual(Array.from(Float32Array.from(P)));
    expect(sharpenRows(P, 2, 2).reduce((a, v) => a + v, 0)).toBeCloseTo(1, 6);
    expect(() => sharpenRows(P, 2, -1)).toThrow(InvalidConfigError);
    expect(() => sharpenRows(P, 3, 1)).toThrow(InvalidConfigError);
    // two like boxes in rows heard 0.6 and 0.4: weights 3 : 2 as heard, 9 : 4 with the rows squared
    const Q = new Float32Array(196);
    for (let c = 0; c < 14; c++) { Q[2 * 14 + c] = 0.6 / 14; Q[10 * 14 + c] = 0.4 / 14; }
    const high: Detection = { box: [0, 32, 32, 48], score: 0.5, cls: 1 }, low: Detection = { box: [0, 160, 32, 176], score: 0.5, cls: 2 };
    const opts = { minScore: 0, power: 1, density: 1 };
    const plain = objectShares(Q, [high, low], opts, 14), sharp = objectShares(Q, [high, low], { ...opts, rows: 1 }, 14);
    expect(plain[2 * 14] / plain[10 * 14]).toBeCloseTo(1.5, 5);
    expect(sharp[2 * 14] / sharp[10 * 14]).toBeCloseTo(2.25, 5);
  });

  it('withObjectExtent tie: the cells no kept object covers share one value under all the others', () => {
    const S = Float32Array.from({ length: 196 }, (_, k) => -k / 100);
    const E = new Float32Array(196); E[3] = 2; E[4] = 2; E[50] = 1e-3;
    const m = withObjectExtent(S, E, 0.03, true);
    // the covered cells as without tie
    for (const k of [3, 4, 50]) expect(m[k]).toBeCloseTo(Math.log(EXTENT_FLOOR + E[k]) + 0.03 * S[k], 6);
    const rest = Array.from(m).filter((_, k) => ![3, 4, 50].includes(k));
    expect(new Set(rest).size).toBe(1);
    expect(rest[0]).toBeLessThan(Math.min(m[3], m[4], m[50]));
    // without tie S orders them
    expect(new Set(Array.from(withObjectExtent(S, E, 0.03)).filter((_, k) => ![3, 4, 50].includes(k))).size).toBe(193);
    // nothing covered: nothing to tie under, the map is as without
    expect(Array.from(withObjectExtent(S, new Float32Array(196), 0.03, true))).toEqual(Array.from(withObjectExtent(S, new Float32Array(196), 0.03)));
  });

  it('withObjectExtent: log(floor + E) + mix S; cells no object covers tie unless S separates them', () => {
    const S = Float32Array.from({ length: 196 }, (_, k) => -k / 100);
    const E = new Float32Array(196); E[3] = 2; E[4] = 2;
    const m = withObjectExtent(S, E, 0.03);
    for (const k of [0, 3, 4, 100]) expect(m[k]).toBeCloseTo(Math.log(EXTENT_FLOOR + E[k]) + 0.03 * S[k], 6);
    // within the object S decides (cell 3 over 4); the object is above every uncovered cell
    expect(m[3]).toBeGreaterThan(m[4]);
    expect(Math.min(m[3], m[4])).toBeGreaterThan(Math.max(...Array.from(m).filter((_, k) => k !== 3 && k !== 4)));
    const flat = withObjectExtent(S, E, 0);
    expect(flat[0]).toBe(flat[195]);
    expect(() => withObjectExtent(S, E.subarray(0, 10), 0.1)).toThrow(InvalidConfigError);
    expect(() => withObjectExtent(S, E, -1)).toThrow(InvalidConfigError);
  });

  it('heardMapsPerObject: each query row is heardMapsFromMeans read per object over its own detections; sizes are checked', async () => {
    const p = fresh(4);
    const Q = 2, hw = 196;
    const means = { probs: uniform(Q * hw, 21, 0, 0.01), heat: uniform(Q * hw, 22, 0, 1), boxes: uniform(Q * hw, 23, 0, 1) };
    const dets: Detection[][] = [[{ box: [10, 10, 90, 120], score: 0.8, cls: 1 }], [{ box: [120, 40, 220, 200], score: 0.6, cls: 2 }, { box: [0, 0, 50, 50], score: 0.3, cls: 3 }]];
    const extent = { minScore: 0, power: 0.5, density: 1, rows: 1, mix: 0.03 };
    const out = await heardMapsPerObject(p, config, means, dets, extent, 0.2);
    const S = tf.tidy(() => heardMapsFromMeans(p, tf.tensor2d(means.probs, [Q, hw]), tf.tensor2d(means.heat, [Q, hw]), tf.tensor2d(means.boxes, [Q, hw]), config, 0.2).dataSync());
    for (let k = 0; k < Q; k++) {
      const want = withObjectExtent(S.subarray(k * hw, (k + 1) * hw), objectShares(means.probs.subarray(k * hw, (k + 1) * hw), dets[k], extent, 14, 224), 0.03);
      expect(Array.from(out.subarray(k * hw, (k + 1) * hw))).toEqual(Array.from(want));
    }
    // the two rows' objects differ, so their maps peak in different places
    expect(out.subarray(0, hw).indexOf(Math.max(...out.subarray(0, hw)))).not.toBe(out.subarray(hw).indexOf(Math.max(...out.subarray(hw))));
    await expect(heardMapsPerObject(p, config, { ...means, heat: means.heat.subarray(0, hw) }, dets, extent, 0.2)).rejects.toThrow(InvalidConfigError);
    await expect(heardMapsPerObject(p, config, means, dets.slice(0, 1), extent, 0.2)).rejects.toThrow(/probs: 392 values for 1 queries of 196 cells/);
  });

  it('swaps the ears on the input itself: the same features as the channels swapped', () => {
    // a noise burst reaching the right ear 5 samples late and 6 dB weaker, then a tone from the other side
    const n = 16000, l = new Float32Array(n), r = new Float32Array(n), rand = rng(3);
    for (let i = 0; i < n / 2; i++) { const v = rand() - 0.5; l[i] += v; if (i + 5 < n) r[i + 5] += 0.5 * v; }
    for (let i = n / 2; i < n; i++) { const v = Math.sin(i * 0.3); r[i] += v; l[i] += 0.3 * Math.sin((i - 3) * 0.3); }
    const c = validateHeardConfig({ segments: 4 });
    const dir = binauralSegments(l, r, 16000, 4), swapped = binauralSegments(r, l, 16000, 4);
    const mirrored = mirrorHeardInput(c, dir);
    let worst = 0;
    for (let k = 0; k < dir.length; k++) worst = Math.max(worst, Math.abs(mirrored[k] - swapped[k]));
    expect(worst).toBeLessThan(1e-4);
    // and it is not the input itself: the ILD of the first part changes sign
    expect(Math.sign(dir[P + 3])).toBe(-Math.sign(mirrored[P + 3]));
    expect(Math.abs(dir[P + 3])).toBeGreaterThan(3);
    expect(mirrorHeardInput(c, mirrored)).toEqual(dir.map((v) => v || 0));
  });

  it('mirror: the mean of the direction heard as it is and heard with the ears swapped, flipped back', () => {
    const p = fresh(4), n = 3, d = uniform(n * F, 11, -8, 8);
    const flip = (m: number[]) => m.map((_, k) => m[k - (k % 14) + 13 - (k % 14)]);
    const [plain, swapped, both, bothSwapped] = [[d, false], [mirrorHeardInput(config, d), false], [d, true], [mirrorHeardInput(config, d), true]].map(([x, m]) => directionProbs(p, tf.tensor2d(x as Float32Array, [n, F]), config, m as boolean).arraySync());
    for (let i = 0; i < n; i++) {
      const want = plain[i].map((v, k) => (v + flip(swapped[i])[k]) / 2);
      expect(Math.max(...both[i].map((v, k) => Math.abs(v - want[k])))).toBeLessThan(1e-6);
      // heard with both ears swapped, the mirrored distribution is the mirror image of the first
      expect(Math.max(...bothSwapped[i].map((v, k) => Math.abs(v - flip(both[i])[k])))).toBeLessThan(1e-6);
      expect(both[i].reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
      // a fresh head is not symmetric by itself: the plain distribution is not its own mirror
      expect(Math.max(...plain[i].map((v, k) => Math.abs(v - flip(swapped[i])[k])))).toBeGreaterThan(1e-3);
    }
    tf.dispose(Object.values(p));
  });

  it('eq. 2: cross-entropy of each sound over the frames and each frame over the sounds, same-sound pairs masked', () => {
    const p = fresh(2);
    const n = 4;
    const dir = uniform(n * F, 11, -2, 2), heat = uniform(n * 196, 12), boxes = uniform(n * 196, 13);
    const same = new Float32Array(n * n);
    same[0 * n + 2] = 1; same[2 * n + 0] = 1;
    const got = tf.tidy(() => heardLoss(p, tf.tensor2d(dir, [n, F]), tf.tensor2d(heat, [n, 196]), tf.tensor2d(boxes, [n, 196]), same, config).dataSync()[0]);
    const obj = tf.tidy(() => objectnessLogits(p, tf.tensor2d(heat, [n, 196]), tf.tensor2d(boxes, [n, 196]), config).arraySync());
    const where = tf.tidy(() => directionLogits(p, tf.tensor2d(dir, [n, F]), config).arraySync());
    // score[i][j]: sound i on frame j = log mean over cells of exp(obj_j + where_i)
    const score = where.map((w) => obj.map((o) => Math.log(o.reduce((a, v, c) => a + Math.exp(v + w[c]), 0) / 196)));
    const ce = (row: number[], i: number, skip: (j: number) => boolean) => -(row[i] - Math.log(row.reduce((a, v, j) => a + (skip(j) ? 0 : Math.exp(v)), 0)));
    let l1 = 0, l2 = 0;
    for (let i = 0; i < n; i++) {
      l1 += ce(score[i], i, (j) => same[i * n + j] === 1) / n;
      l2 += ce(score.map((r) => r[i]), i, (j) => same[j * n + i] === 1) / n;
    }
    expect(got).toBeCloseTo((l1 + l2) / 2, 4);
    tf.dispose(Object.values(p));
  });

  it('learns from eq. 2 alone to pick, of two objects, the one in the column the sound comes from, said in one part of the window', () => {
    // each frame: two objects in different columns; the sound's features say the sounding one's column (+ noise)
    const r = rng(21);
    const make = (n: number) => Array.from({ length: n }, () => {
      const a = Math.floor(r() * 14);
      let b = Math.floor(r() * 14);
      while (b === a) b = Math.floor(r() * 14);
      const ya = Math.floor(r() * 14), yb = Math.floor(r() * 14);
      const heat = new Float32Array(196), boxes = new Float32Array(196);
      heat[ya * 14 + a] = 0.9; heat[yb * 14 + b] = 0.9;
      boxes.set(heat);
      // the column is said in one part of the window, a random one, marked by its level; the others hold noise
      const dir = Float32Array.from({ length: F }, () => (r() - 0.5) * 0.2);
      const k = 1 + Math.floor(r() * config.segments);
      dir[k * P + a] += 1;
      dir[k * P + P - 1] += 1;
      return { heat, boxes, dir, cell: ya * 14 + a };
    });
    const p = initHeardParams(config, 3, new Float32Array(F), new Float32Array(F).fill(1));
    const train = make(512), test = make(200);
    const t2 = (xs: Float32Array[], w: number) => tf.tensor2d(Float32Array.from(xs.flatMap((x) => Array.from(x))), [xs.length, w]);
    const hits = () => {
      const m = tf.tidy(() => heardMaps(p, t2(test.map((s) => s.dir), F), t2(test.map((s) => s.heat), 196), t2(test.map((s) => s.boxes), 196), config).arraySync());
      return m.filter((row, i) => row.indexOf(Math.max(...row)) === test[i].cell).length / test.length;
    };
    const before = hits();
    const opt = tf.train.adam(1e-2);
    const trainable = Object.values(p).filter((v) => v.trainable);
    for (let step = 0; step < 150; step++) {
      const b = Array.from({ length: 16 }, (_, k) => train[(step * 16 + k) % train.length]);
      opt.minimize(() => heardLoss(p, t2(b.map((s) => s.dir), F), t2(b.map((s) => s.heat), 196), t2(b.map((s) => s.boxes), 196), new Float32Array(256), config), true, trainable)?.dispose();
    }
    const after = hits();
    expect(before).toBeLessThan(0.7); // two objects: chance is about a half
    expect(after).toBeGreaterThan(0.9);
    opt.dispose();
    tf.dispose(Object.values(p));
  });

  it('round-trips through model.json + weights.bin and refuses a foreign format or missing tensors', async () => {
    const p = fresh(4);
    const { modelJson, weights } = await serializeHeard('heard-test', p, config);
    const back = deserializeHeard(modelJson, weights);
    expect(back.config).toEqual(config);
    expect(back.modelId).toBe('heard-test');
    for (const [k, v] of Object.entries(p)) expect(Array.from(back.params[k].dataSync())).toEqual(Array.from(v.dataSync()));
    expect(() => deserializeHeard(modelJson.replace('egosound-heard/2', 'egosound-params/1'), weights)).toThrow(/unknown weights format/);
    const partial = await serializeHeard('heard-test', Object.fromEntries(Object.entries(p).filter(([k]) => k !== 'heard/gq')), config);
    expect(() => deserializeHeard(partial.modelJson, partial.weights)).toThrow(/lack heard\/gq/);
    tf.dispose([...Object.values(p), ...Object.values(back.params)]);
  });

  it('a model of several heads hears with the mean of its heads\' distributions, both ways too, and keeps it through the weights format', async () => {
    const a = fresh(1), b = fresh(2), c = fresh(3);
    a['heard/gp'].assign(tf.scalar(0.6)); b['heard/gp'].assign(tf.scalar(1.2)); c['heard/gp'].assign(tf.scalar(0.9));
    const { params, config: c3 } = combineHeads([a, b, c].map((q) => ({ params: q, config })));
    expect(c3.heads).toBe(3);
    expect(params['heard/gp'].dataSync()[0]).toBeCloseTo(0.9, 6);
    expect(params['heard/gq'].dataSync()[0]).toBeCloseTo(1, 6);
    for (const k of [1, 2]) expect(Array.from(headParams(params, k)['heard/w2'].dataSync())).toEqual(Array.from([b, c][k - 1]['heard/w2'].dataSync()));
    const n = 4, dir = tf.tensor2d(uniform(n * F, 11, -2, 2), [n, F]);
    for (const mirror of [false, true]) {
      const got = tf.tidy(() => directionProbs(params, dir, c3, mirror).dataSync());
      const each = [a, b, c].map((q) => tf.tidy(() => directionProbs(q, dir, config, mirror).dataSync()));
      // the heads differ, so the mean is none of them
      expect(Math.max(...Array.from(each[0], (v, i) => Math.abs(v - each[1][i])))).toBeGreaterThan(1e-3);
      for (let i = 0; i < got.length; i++) expect(got[i]).toBeCloseTo((each[0][i] + each[1][i] + each[2][i]) / 3, 6);
      for (let r = 0; r < n; r++) expect(Array.from(got.subarray(r * 196, (r + 1) * 196)).reduce((x, v) => x + v, 0)).toBeCloseTo(1, 5);
    }
    // the map: objectness with the mean exponents plus the log of the mean distribution
    const heat = tf.tensor2d(uniform(n * 196, 12), [n, 196]), boxes = tf.tensor2d(uniform(n * 196, 13), [n, 196]);
    const maps = tf.tidy(() => heardMaps(params, dir, heat, boxes, c3).dataSync());
    const want = tf.tidy(() => tf.add(objectnessLogits(params, heat, boxes, c3), tf.log(directionProbs(params, dir, c3))).dataSync());
    for (let i = 0; i < maps.length; i++) expect(maps[i]).toBeCloseTo(want[i], 4);
    expect(() => heardLoss(params, dir, heat, boxes, new Float32Array(n * n), c3)).toThrow(InvalidConfigError);
    // the weights format keeps every head; a missing one is refused
    const { modelJson, weights } = await serializeHeard('heard-test', params, c3);
    const back = deserializeHeard(modelJson, weights);
    expect(back.config).toEqual(c3);
    const again = tf.tidy(() => directionProbs(back.params, dir, back.config, true).dataSync());
    const before = tf.tidy(() => directionProbs(params, dir, c3, true).dataSync());
    expect(Array.from(again)).toEqual(Array.from(before));
    const partial = await serializeHeard('heard-test', Object.fromEntries(Object.entries(params).filter(([k]) => k !== 'heard/h2/b1')), c3);
    expect(() => deserializeHeard(partial.modelJson, partial.weights)).toThrow(/lack heard\/h2\/b1/);
    // heads combine only when trained on the same data (the same standardisation) with the same shape, one head each
    const other = initHeardParams(config, 4, uniform(F, 9, -1, 1), uniform(F, 8, 0.5, 2));
    expect(() => combineHeads([a, other].map((q) => ({ params: q, config })))).toThrow(/dirMean differs/);
    expect(() => combineHeads([{ params: a, config }, { params: b, config: validateHeardConfig({ hidden: 16, segments: 4 }) }])).toThrow(InvalidConfigError);
    expect(() => combineHeads([{ params: a, config }, { params, config: c3 }])).toThrow(/3 heads/);
    expect(() => combineHeads([{ params: a, config }])).toThrow(InvalidConfigError);
    expect(() => validateHeardConfig({ heads: 0 })).toThrow(InvalidConfigError);
    tf.dispose([a, b, c, other, params, back.params].flatMap((q) => Object.values(q)));
    tf.dispose([dir, heat, boxes]);
  });
});

describe('shipped heard-object weights (models/heard-synth)', () => {
  beforeAll(async () => { await tf.setBackend('cpu'); });
  const manifest = readShippedManifest();

  it('loads through the sha256 check; its maps move with the direction of the sound', async () => {
    const entry = manifest.models.find((m) => m.id === 'heard-synth');
    expect(entry, 'models/manifest.json lists heard-synth').toBeDefined();
    expect(entry!.trainCommand).toMatch(/^npm run train -- --model heard /);
    const m = await loadHeard(manifest, 'heard-synth', 'http://app/models/', { fetcher: shippedModelsFetcher(false) });
    expect(m.config).toEqual(validateHeardConfig(entry!.config));
    // the same flat objectness, two different sounds: the maps' peaks differ
    const flat = tf.fill([2, 196], 0.5) as tf.Tensor2D;
    const F = heardInputWidth(m.config), P = m.config.features;
    const dir = tf.tensor2d(Float32Array.from({ length: 2 * F }, (_, k) => (k < F ? 1 : -1) * (k % P < 32 ? 6 : 0)), [2, F]);
    const maps = heardMaps(m.params, dir, flat, flat, m.config).arraySync();
    expect(maps[0].indexOf(Math.max(...maps[0]))).not.toBe(maps[1].indexOf(Math.max(...maps[1])));
    tf.dispose([flat, dir, ...Object.values(m.params)]);
    await expect(loadHeard(manifest, 'heard-synth', 'http://app/models/', { fetcher: shippedModelsFetcher(true) })).rejects.toBeInstanceOf(WeightsIntegrityError);
  });
});
