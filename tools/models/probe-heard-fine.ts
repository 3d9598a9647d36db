/**
 * Probe: the heard map on a finer grid. The direction head gives P on the 14x14 grid; the
 * detector's heat (128x128) and boxes (exact corners) can be read on any grid. Here the detector's
 * terms are taken on a G x G grid (cellMax of the heat, boxCells of the detections), P (the window
 * mean on 14x14) is resized bilinearly to G x G, and the window (T = 9 frames 2 apart, cut at the
 * clip's ends, the generator's exact homographies) is averaged as in heard.ts windowMean. G = 14 is
 * what ships. The detector runs afresh on every grid frame (about 0.2 s a frame on one core).
 *
 *   npx tsx tools/models/probe-heard-fine.ts --data .cache/synth --split val [--grids 14,28,56]
 */
import * as tf from '@tensorflow/tfjs';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { deserializeHeard, directionProbs, heardInputWidth, windowMean } from '../../src/engine/models/heard.ts';
import { boxCells, cellMax, detect, loadObjectness } from '../../src/engine/models/objectness.ts';
import { boxesToMask, scoreFrame, summarize, type FrameScore } from '../../src/engine/eval/metrics.ts';
import { MODELS_BASE_URL, listClips, modelsFetcher, readFrameRgb, readManifest, soundingBoxes, truthHomography, useWasm } from './data.ts';
import { directionAt, gridFrames } from './train-heard.ts';
import { flagReaders, parseFlags } from './flags.ts';

const { str } = flagReaders(parseFlags(process.argv.slice(2)));
const data = str('data', '.cache/synth');
const split = str('split', 'val');
const grids = str('grids', '14,28,56').split(',').map(Number);
const modelDir = str('model', 'models/heard-synth');
const R = Number(str('radius', '4'));

await useWasm();
const { params, config } = deserializeHeard(readFileSync(join(modelDir, 'model.json'), 'utf8'), new Uint8Array(readFileSync(join(modelDir, 'weights.bin'))));
const { model } = await loadObjectness(readManifest(), MODELS_BASE_URL, { fetcher: modelsFetcher });
const gp = params['heard/gp'].dataSync()[0], gq = params['heard/gq'].dataSync()[0];

/** A 14x14 map resized bilinearly to G x G (cell centres aligned, clamped at the edges). */
function resize(m: ArrayLike<number>, G: number): Float32Array {
  const out = new Float32Array(G * G);
  const at = (v: number) => Math.min(13, Math.max(0, ((v + 0.5) * 14) / G - 0.5));
  for (let y = 0; y < G; y++) for (let x = 0; x < G; x++) {
    const gx = at(x), gy = at(y), x0 = Math.floor(gx), y0 = Math.floor(gy), x1 = Math.min(13, x0 + 1), y1 = Math.min(13, y0 + 1), fx = gx - x0, fy = gy - y0;
    out[y * G + x] = (1 - fy) * ((1 - fx) * m[y0 * 14 + x0] + fx * m[y0 * 14 + x1]) + fy * ((1 - fx) * m[y1 * 14 + x0] + fx * m[y1 * 14 + x1]);
  }
  return out;
}

const scores = new Map<string, FrameScore[]>(grids.flatMap((G) => [[`G${G} frame`, []], [`G${G} window`, []]]));
const clips = listClips(data, split);
const t0 = Date.now();
for (const [ci, c] of clips.entries()) {
  const grid = gridFrames(c);
  const scored = grid.filter((fi) => soundingBoxes(c, fi).boxes.length > 0);
  if (!scored.length) continue;
  const need = [...new Set(scored.flatMap((q) => Array.from({ length: 2 * R + 1 }, (_, k) => q + 2 * (k - R)).filter((f) => f >= 0 && f < c.meta.frames.length)))].sort((a, b) => a - b);
  const det = new Map<number, Awaited<ReturnType<typeof detect>>>();
  for (const f of need) det.set(f, await detect(model, readFrameRgb(c, f), 512)); // the whole input, as when this probe was run
  const probs = tf.tidy(() => directionProbs(params, tf.tensor2d(Float32Array.from(need.flatMap((f) => Array.from(directionAt(c, c.meta.frames[f].time, config)))), [need.length, heardInputWidth(config)]), config).dataSync());
  const P = (f: number) => probs.subarray(need.indexOf(f) * 196, (need.indexOf(f) + 1) * 196);
  const { width: w, height: h } = c.meta.config;
  for (const G of grids) {
    const heat = new Map(need.map((f) => [f, cellMax(det.get(f)!.heat, 128, G)]));
    const boxes = new Map(need.map((f) => [f, boxCells(det.get(f)!.detections, G)]));
    for (const q of scored) {
      const gt = boxesToMask(soundingBoxes(c, q).boxes, w, h);
      const win = need.filter((f) => Math.abs(f - q) <= 2 * R);
      const toQ = win.map((f) => (f === q ? null : truthHomography(c, q, f)));
      const mapOf = (hm: ArrayLike<number>, bm: ArrayLike<number>, pm: ArrayLike<number>) => Float32Array.from(hm, (v, k) => gp * Math.log(v + config.floor) + gq * Math.log(bm[k] + config.floor) + Math.log(Math.max(pm[k], 1e-30)));
      scores.get(`G${G} frame`)!.push(scoreFrame(mapOf(heat.get(q)!, boxes.get(q)!, resize(P(q), G)), G, G, gt));
      const mh = windowMean(win.map((f) => heat.get(f)!), toQ, w, h, G), mb = windowMean(win.map((f) => boxes.get(f)!), toQ, w, h, G);
      const mp = resize(windowMean(win.map(P), toQ, w, h, 14), G);
      scores.get(`G${G} window`)!.push(scoreFrame(mapOf(mh, mb, mp), G, G, gt));
    }
  }
  if (ci % 10 === 9) console.error(`  ${ci + 1} clips, ${((Date.now() - t0) / 1000).toFixed(0)} s`);
}
console.log(`${split}: ${clips.length} clips, ${scores.get(`G${grids[0]} frame`)!.length} frames, window T = ${2 * R + 1}, exact homographies, model ${modelDir}`);
console.log('variant | pointing | pixel AP | cIoU@0.5 | AUC');
for (const [v, s] of scores) { const m = summarize(s); console.log(`${v} | ${m.pointing.toFixed(3)} | ${m.pixelAP.toFixed(3)} | ${m.ciou50.toFixed(3)} | ${m.auc.toFixed(3)}`); }
