/**
 * Probe: does the heard-object localizer gain from its neighbours in time, and does the camera's
 * motion have to be undone for it (paper 000's eq. 1 question, asked of the heard map)?
 *
 * For each scored frame q (every 2nd frame with an active on-screen sounding object) and a window
 * of grid frames q + 2j, |j| <= R, inside the clip: the direction distribution D_j (the shipped
 * head on frame j's 1-s binaural window) is carried into frame q's grid, either through the
 * homography H_{q->j} (each of q's cells reads D_j bilinearly where its centre lands in frame j;
 * outside frame j reads nothing) or as it is (identity), and averaged; the map is q's objectness
 * term plus log of that average. R = 0 is the shipped method.
 *
 *   npx tsx tools/models/probe-heard-time.ts --data .cache/synth --split val [--radius 1,2,3,4] [--homographies truth|estimated] [--windows cut|shifted] [--alpha 1,2] [--uniform 0,0.2] [--mirror-test yes]
 *
 * --windows shifted cuts windows as the pipeline and the eval do (windowAround: shifted inwards near
 * the clip's ends) instead of cutting them there. --mirror-test yes: each direction distribution is the mean of
 * the head's on the input and on the input with the ears swapped (mirrorHeardInput), flipped back left to right. --alpha: powers of the averaged direction probabilities tried in the last variant (1: as the model combines them);
 * --uniform: weights u of a uniform distribution mixed into them there, (1 - u) P + u / 196.
 *
 * --shard i/n runs every n-th clip from the i-th (n processes side by side; each prints its shard's table);
 * --dump FILE writes, for the largest radius, each scored frame's cell map, carried direction,
 * detections and ground-truth boxes, which probe-extent-offline.ts scores under other settings.
 *
 * 'truth' composes the generator's exact H_to_first; 'estimated' reads opencv.js's homographies from
 * the window cache (tools/models/windows.ts; computed where missing).
 */
import * as tf from '@tensorflow/tfjs';
import { carryCells, deserializeHeard, objectShares, withObjectExtent, directionLogits, heardInputWidth, mirrorHeardInput, objectnessLogits } from '../../src/engine/models/heard.ts';
import { boxesToMask, scoreFrame, summarize, type FrameScore } from '../../src/engine/eval/metrics.ts';
import { listClips, soundingBoxes, truthHomography, useWasm } from './data.ts';
import { clipObjectness, detectionsAt } from './centernet.ts';
import { directionAt, gridFrames } from './train-heard.ts';
import { clipCache, frameHomography, openWindowCache, windowAround } from './windows.ts';
import { flagReaders, parseFlags, shardFlag } from './flags.ts';
import type { DumpedFrame } from './probe-extent-offline.ts';
import { readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';

const { str } = flagReaders(parseFlags(process.argv.slice(2)));
const data = str('data', '.cache/synth');
const split = str('split', 'val');
const radii = str('radius', '1,2,3,4').split(',').map(Number);
const source = str('homographies', 'truth');
const modelDir = str('model', 'models/heard-synth');
const alphas = str('alpha', '1').split(',').map(Number);
const shifted = str('windows', 'cut') === 'shifted';
const mirrorTest = str('mirror-test', 'no') === 'yes';
const uniforms = str('uniform', '0').split(',').map(Number);
// --extent minScore:power[:density[:cut[:nest]]],...: variants whose map is read per detected object (heard.ts objectShares), alone and added to the last variant's map with weights --extent-mix;
// with a cut, the cells of the boxes left out tie below the rest (withObjectExtent's tie)
const extents = str('extent', '').split(',').filter(Boolean).map((v) => v.split(':').map(Number) as [number, number, number?, number?, number?]);
const extentName = ([s, pw, de, cu, ne]: [number, number, number?, number?, number?]) => `${s}:${pw}:${de ?? 0}${cu ? `:${cu}:${ne ?? 0}` : ''}`;
const mixes = str('extent-mix', '0,0.1,1').split(','); // 'm0.1': added only where E > 0, so cells with no kept detection stay tied at the floor
// --dump FILE: for the largest radius, per scored frame, what the per-object reading starts from (the cell map S, the carried
// direction D, the frame's detections with score >= 0.01, the ground-truth boxes), for probe-extent-offline.ts
const dumpPath = str('dump', '');
const dump: DumpedFrame[] = [];
const dumpRadius = Math.max(...radii);
const G = 14;

await useWasm();
const { params, config } = deserializeHeard(readFileSync(join(modelDir, 'model.json'), 'utf8'), new Uint8Array(readFileSync(join(modelDir, 'weights.bin'))));
const wctx = source === 'estimated' ? await openWindowCache() : null;

const variants = ['R0', ...radii.flatMap((r) => [`R${r}-geometry`, `R${r}-identity`, ...alphas.flatMap((a) => uniforms.map((u) => `R${r}-geometry+objects${a === 1 ? '' : ` alpha ${a}`}${u ? ` uniform ${u}` : ''}`)), ...extents.flatMap((e) => mixes.map((x) => `R${r} extent ${extentName(e)} mix ${x}`))])];
const gp = params['heard/gp'].dataSync()[0], gq = params['heard/gq'].dataSync()[0];
const scores = new Map<string, FrameScore[]>(variants.map((v) => [v, []]));
const areas: number[] = []; // the scored frames' sounding area (share of the frame), for the slices printed at the end
// --shard i/n: every n-th clip from the i-th (with --dump, n processes fill one split side by side; the table covers the shard only)
const shard = shardFlag(str);
const clips = listClips(data, split).filter((_, k) => shard.mine(k));
for (const c of clips) {
  const grid = gridFrames(c);
  const heat = await clipObjectness(c, grid, 'heat'), boxes = await clipObjectness(c, grid, 'boxes');
  const dets = extents.length ? await clipObjectness(c, grid, 'detections') : null;
  const { obj, dir } = tf.tidy(() => {
    const raw = Float32Array.from(grid.flatMap((fi) => Array.from(directionAt(c, c.meta.frames[fi].time, config))));
    const probs = (x: Float32Array) => tf.exp(directionLogits(params, tf.tensor2d(x, [grid.length, heardInputWidth(config)]), config));
    // --mirror-test yes: the mean of the direction heard as it is and heard with the ears swapped (flipped back left to right)
    const P = mirrorTest ? tf.mul(tf.add(probs(raw), tf.reverse(probs(mirrorHeardInput(config, raw)).reshape([grid.length, G, G]), 2).reshape([grid.length, G * G])), 0.5) : probs(raw);
    return { obj: objectnessLogits(params, tf.tensor2d(heat, [grid.length, G * G]), tf.tensor2d(boxes, [grid.length, G * G]), config).dataSync().slice() as Float32Array, dir: P.dataSync().slice() as Float32Array };
  });
  const scored = grid.filter((fi) => soundingBoxes(c, fi).boxes.length > 0);
    const n = c.meta.frames.length;
  // the window of q with radius r: cut at the clip's ends, or shifted inwards as the pipeline's (windowAround)
  const framesOf = (q: number, r: number) => (shifted ? windowAround(q, n, 2 * r + 1, 2).frames : Array.from({ length: 2 * r + 1 }, (_, k) => q + 2 * (k - r)).filter((f) => f >= 0 && f < n));
  const pairs: [number, number][] = [];
  for (const q of scored) for (const r of radii) for (const f of framesOf(q, r)) if (f !== q) pairs.push(f < q ? [f, q] : [q, f]);
  const cc = wctx ? await clipCache(wctx, c, pairs) : null;
  const H = (a: number, b: number) => (cc ? frameHomography(cc, a, b) : truthHomography(c, a, b));
  const { width: w, height: h } = c.meta.config;
  for (const q of scored) {
    const gt = boxesToMask(soundingBoxes(c, q).boxes, w, h);
    areas.push(gt.reduce((a, v) => a + (v > 0 ? 1 : 0), 0) / gt.length);
    const row = (f: number) => grid.indexOf(f);
    const O = obj.subarray(row(q) * 196, (row(q) + 1) * 196);
    const mapOf = (D: Float32Array) => O.map((o, k) => o + Math.log(D[k] + 1e-6));
    scores.get('R0')!.push(scoreFrame(mapOf(dir.subarray(row(q) * 196, (row(q) + 1) * 196)), G, G, gt));
    for (const r of radii) for (const geo of [true, false]) {
      const sum = new Float32Array(196), cnt = new Float32Array(196);
      for (const f of framesOf(q, r)) {
        const D = carryCells(dir.subarray(row(f) * 196, (row(f) + 1) * 196), f !== q && geo ? H(q, f) : null, w, h, G);
        for (let k = 0; k < 196; k++) if (!Number.isNaN(D[k])) { sum[k] += D[k]; cnt[k] += 1; }
      }
      const Dm = sum.map((s, k) => (cnt[k] ? s / cnt[k] : 0));
      scores.get(`R${r}-${geo ? 'geometry' : 'identity'}`)!.push(scoreFrame(mapOf(Dm), G, G, gt));
      if (!geo) continue;
      // the objectness maps carried and averaged the same way
      const hs = new Float32Array(196), bs = new Float32Array(196), n = new Float32Array(196);
      for (const f of framesOf(q, r)) {
        const Hf = f !== q ? H(q, f) : null;
        const hc = carryCells(heat.subarray(row(f) * 196, (row(f) + 1) * 196), Hf, w, h, G), bc = carryCells(boxes.subarray(row(f) * 196, (row(f) + 1) * 196), Hf, w, h, G);
        for (let k = 0; k < 196; k++) if (!Number.isNaN(hc[k])) { hs[k] += hc[k]; bs[k] += bc[k]; n[k] += 1; }
      }
      for (const a of alphas) for (const u of uniforms) {
        const map = Dm.map((d, k) => gp * Math.log(hs[k] / n[k] + config.floor) + gq * Math.log(bs[k] / n[k] + config.floor) + a * Math.log((1 - u) * d + u / (G * G) + 1e-6));
        scores.get(`R${r}-geometry+objects${a === 1 ? '' : ` alpha ${a}`}${u ? ` uniform ${u}` : ''}`)!.push(scoreFrame(map, G, G, gt));
        if (a !== alphas[alphas.length - 1] || u !== uniforms[uniforms.length - 1]) continue;
        if (dumpPath && r === dumpRadius && dets) {
          const round = (v: number) => Math.round(v * 1e5) / 1e5;
          dump.push({ clip: basename(c.dir), q, w, h, boxes: soundingBoxes(c, q).boxes.map((b) => [b.x0, b.y0, b.x1, b.y1]), S: Array.from(map, round), D: Array.from(Dm, round),
            dets: detectionsAt(dets, row(q)).filter((d) => d.score >= 0.01).map((d) => [...d.box.map(round), round(d.score), d.cls]) });
        }
        for (const e of extents) {
          const [s, pw, de, cu, ne] = e;
          const E = objectShares(Dm, detectionsAt(dets!, row(q)), { minScore: s, power: pw, density: de ?? 0, cut: cu ?? 0, nest: ne ?? 0 }, G, w);
          for (const x of mixes) {
            const masked = x.startsWith('m'), wx = Number(masked ? x.slice(1) : x);
            const m = cu ? withObjectExtent(map, E, wx, true) : E.map((e, k) => Math.log(e + 1e-4) + (masked && !(e > 0) ? 0 : wx * map[k]));
            scores.get(`R${r} extent ${extentName(e)} mix ${x}`)!.push(scoreFrame(m, G, G, gt));
          }
        }
      }
    }
  }
}
if (dumpPath) writeFileSync(dumpPath, JSON.stringify(dump));
console.log(`${split}: ${clips.length} clips, ${scores.get('R0')!.length} frames, homographies ${source}, model ${modelDir}${mirrorTest ? ', mirror test' : ''}`);
console.log('variant | pointing | pixel AP | cIoU@0.5 | AUC | sum | near (area >= 25%): pointing / pixel AP / cIoU@0.5 | small (< 5%): pointing');
const near = (s: FrameScore[]) => summarize(s.filter((_, i) => areas[i] >= 0.25)), small = (s: FrameScore[]) => summarize(s.filter((_, i) => areas[i] < 0.05));
for (const [v, s] of scores) {
  const m = summarize(s), n = near(s), sm = small(s);
  console.log(`${v} | ${m.pointing.toFixed(3)} | ${m.pixelAP.toFixed(3)} | ${m.ciou50.toFixed(3)} | ${m.auc.toFixed(3)} | ${(m.pointing + m.pixelAP + m.ciou50 + m.auc).toFixed(3)} | ${n.pointing.toFixed(3)} / ${n.pixelAP.toFixed(3)} / ${n.ciou50.toFixed(3)} (${n.n}) | ${sm.pointing.toFixed(3)} (${sm.n})`);
}
