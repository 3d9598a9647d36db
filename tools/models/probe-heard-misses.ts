/**
 * Probe: where the heard map's misses are. For every scored frame of a split, the shipped heard map over
 * its T = 9 window (exact homographies, windows as the pipeline cuts them): a hit or a miss, and for a
 * miss, whether its peak lies on a silent object or on background, whether the averaged direction P
 * has its maximum inside the sounding box (and whether its column and its row marginals' maxima fall in
 * the box's columns and rows), and how the box ranks by objectness.
 *
 *   npx tsx tools/models/probe-heard-misses.ts test
 */
import * as tf from '@tensorflow/tfjs';
import { readFileSync } from 'node:fs';
import { deserializeHeard, directionProbs, heardInputWidth, windowMean } from '../../src/engine/models/heard.ts';
import { listClips, soundingBoxes, truthHomography, useWasm } from './data.ts';
import { clipObjectness } from './centernet.ts';
import { directionAt, gridFrames } from './train-heard.ts';
import { windowAround } from '../../src/engine/pipeline/windows.ts';
await useWasm();
const { params, config } = deserializeHeard(readFileSync('models/heard-synth/model.json', 'utf8'), new Uint8Array(readFileSync('models/heard-synth/weights.bin')));
const gp = params['heard/gp'].dataSync()[0], gq = params['heard/gq'].dataSync()[0];
const split = process.argv[2] ?? 'test';
const cnt: Record<string, number> = {};
const add = (k: string) => { cnt[k] = (cnt[k] ?? 0) + 1; };
for (const c of listClips('.cache/synth', split)) {
  const grid = gridFrames(c);
  const heat = await clipObjectness(c, grid, 'heat'), boxes = await clipObjectness(c, grid, 'boxes');
  const probs = tf.tidy(() => directionProbs(params, tf.tensor2d(Float32Array.from(grid.flatMap((f) => Array.from(directionAt(c, c.meta.frames[f].time, config)))), [grid.length, heardInputWidth(config)]), config).dataSync());
  const cell = (x: ArrayLike<number>, f: number) => Array.from(x).slice((f / 2) * 196, (f / 2 + 1) * 196);
  const { width: W, height: H } = c.meta.config;
  for (const q of grid) {
    const sb = soundingBoxes(c, q); if (!sb.boxes.length) continue;
    const w = windowAround(q, c.meta.frames.length, 9, 2);
    const toQ = w.frames.map((f) => (f === q ? null : truthHomography(c, q, f)));
    const mh = windowMean(w.frames.map((f) => cell(heat, f)), toQ, W, H, 14), mb = windowMean(w.frames.map((f) => cell(boxes, f)), toQ, W, H, 14), mp = windowMean(w.frames.map((f) => cell(probs, f)), toQ, W, H, 14);
    const S = Array.from(mh, (v, k) => gp * Math.log(v + config.floor) + gq * Math.log(mb[k] + config.floor) + Math.log(mp[k]));
    const O = Array.from(mh, (v, k) => gp * Math.log(v + config.floor) + gq * Math.log(mb[k] + config.floor));
    const am = (a: number[]) => a.indexOf(Math.max(...a));
    const inBox = (k: number, bs: { x0: number; y0: number; x1: number; y1: number }[]) => { const x = ((k % 14) + 0.5) * W / 14, y = (Math.floor(k / 14) + 0.5) * H / 14; return bs.some((b) => x >= b.x0 && x <= b.x1 && y >= b.y0 && y <= b.y1); };
    const hit = inBox(am(S), sb.boxes);
    const pHit = inBox(am(Array.from(mp)), sb.boxes);
    // the sounding box's best objectness vs the frame's best
    const cellsIn = S.map((_, k) => k).filter((k) => inBox(k, sb.boxes));
    const objIn = cellsIn.length ? Math.max(...cellsIn.map((k) => O[k])) : -99;
    const objRank = O.filter((v) => v > objIn).length;
    const others = c.meta.frames[q].objects.filter((o) => o.visible && !o.sounding).map((o) => ({ x0: o.box[0], y0: o.box[1], x1: o.box[2], y1: o.box[3] }));
    add(hit ? 'hit' : 'miss');
    if (!hit) {
      add(inBox(am(S), others) ? 'miss: peak on a silent object' : 'miss: peak on background');
      add(pHit ? 'miss: P argmax in the box' : 'miss: P argmax outside');
      // the direction's column and row marginals: which of the two misses the box
      const colP = Array.from({ length: 14 }, (_, x) => Array.from({ length: 14 }, (_, y) => mp[y * 14 + x]).reduce((a, b) => a + b, 0));
      const rowP = Array.from({ length: 14 }, (_, y) => Array.from({ length: 14 }, (_, x) => mp[y * 14 + x]).reduce((a, b) => a + b, 0));
      const cx = ((am(colP) + 0.5) * W) / 14, cy = ((am(rowP) + 0.5) * H) / 14;
      const colOk = sb.boxes.some((b) => cx >= b.x0 && cx <= b.x1), rowOk = sb.boxes.some((b) => cy >= b.y0 && cy <= b.y1);
      add(`miss: P's column ${colOk ? 'in' : 'outside'} the box's columns, row ${rowOk ? 'in' : 'outside'} its rows`);
      add(cellsIn.length === 0 ? 'miss: no cell centre in box' : objRank <= 3 ? 'miss: box among top-3 objectness cells' : objRank <= 20 ? 'miss: box objectness rank 4-20' : 'miss: box objectness rank > 20');
    } else add(pHit ? 'hit: P argmax in the box' : 'hit: P argmax outside');
  }
}
console.log(cnt);
