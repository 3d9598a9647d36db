/**
 * Probe: the detector on the frame zoomed out as well (test-time scales), its boxes mapped back and
 * merged with the frame's own, then read per object as the pipeline reads them (HEARD_EXTENT: power
 * 0.5, density 1, mix 0.03, rows 1). The near-object misses are large sounding objects the detector
 * finds but scores low (docs/results.md, "Density, a fitted chooser"); a detector sees an object
 * that fills the input less often than one of its training sizes, and a zoomed-out copy (the frame
 * shrunk to a share z of the input, the rest grey) shows it at such a size.
 *
 *   npx tsx tools/models/probe-zoom.ts --dump FILE[,FILE] --data DIR --zoom 0.5,0.7 --shard i/n --out ZOOMFILE   # run the detector
 *   npx tsx tools/models/probe-zoom.ts --dump FILE[,FILE] --zooms Z1[,Z2] --score yes [--alone yes]            # score merges [each zoom alone]
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { boxIoU, objectShares, withObjectExtent } from '../../src/engine/models/heard.ts';
import { loadObjectness, type Detection } from '../../src/engine/models/objectness.ts';
import { HEARD_EXTENT } from '../../src/engine/pipeline/localizer.ts';
import { boxesToMask, scoreFrame, summarize, type FrameScore } from '../../src/engine/eval/metrics.ts';
import { MODELS_BASE_URL, modelsFetcher, readFrameRgb, readManifest, useWasm, type Clip } from './data.ts';
import { flagReaders, parseFlags, shardFlag } from './flags.ts';
import type { DumpedFrame } from './probe-extent-offline.ts';

const { str } = flagReaders(parseFlags(process.argv.slice(2)));
const frames = str('dump', '').split(',').flatMap((p) => JSON.parse(readFileSync(p, 'utf8')) as DumpedFrame[]);
const key = (f: DumpedFrame) => `${f.clip}/${f.q}`;
const INPUT = 512, GREY = 0.5;

/** The detector's 100 detections on the 224x224 frame shrunk to z of its 512x512 input and centred on grey, in the frame's 224-pixel coordinates. */
async function detectZoomed(model: tf.GraphModel, rgb: Float32Array, z: number): Promise<Detection[]> {
  const side = Math.round(INPUT * z), off = Math.floor((INPUT - side) / 2);
  const det = tf.tidy(() => {
    const small = tf.image.resizeBilinear(tf.tensor4d(rgb, [1, 224, 224, 3]), [side, side]);
    const x = tf.mul(tf.pad(tf.sub(small, GREY), [[0, 0], [off, INPUT - side - off], [off, INPUT - side - off], [0, 0]]).add(GREY), 255);
    return model.execute(x, 'tower_0/detections') as tf.Tensor;
  });
  const rows = await det.data() as Float32Array;
  det.dispose();
  const k = 224 / side, back = (v: number) => Math.min(224, Math.max(0, (v - off) * k));
  const out: Detection[] = [];
  for (let i = 0; i + 6 <= rows.length; i += 6) out.push({ box: [back(rows[i]), back(rows[i + 1]), back(rows[i + 2]), back(rows[i + 3])], score: rows[i + 4], cls: rows[i + 5] });
  return out;
}

if (str('score', 'no') !== 'yes') {
  const shard = shardFlag(str);
  const data = str('data', '.cache/synthval');
  const zooms = str('zoom', '0.5').split(',').map(Number);
  await useWasm();
  const { model } = await loadObjectness(readManifest(), MODELS_BASE_URL, { fetcher: modelsFetcher });
  const out: Record<string, Record<string, number[][]>> = Object.fromEntries(zooms.map((z) => [String(z), {}]));
  const mine = frames.filter((_, i) => shard.mine(i));
  const t0 = Date.now();
  const r = (v: number) => Math.round(v * 1e5) / 1e5;
  for (const [k, f] of mine.entries()) {
    const clip: Clip = { dir: join(data, f.clip), meta: JSON.parse(readFileSync(join(data, f.clip, 'meta.json'), 'utf8')) };
    const rgb = readFrameRgb(clip, f.q);
    for (const z of zooms) {
      const dets = await detectZoomed(model, rgb, z);
      out[String(z)][key(f)] = dets.filter((d) => d.score >= 0.01 && d.box[2] > d.box[0] && d.box[3] > d.box[1]).map((d) => [...d.box.map(r), r(d.score), d.cls]);
    }
    if ((k + 1) % 200 === 0) console.log(`${k + 1} / ${mine.length} (${((Date.now() - t0) / 1000).toFixed(0)} s)`);
  }
  writeFileSync(str('out', ''), JSON.stringify(out));
} else {
  const zoomFiles = str('zooms', '').split(',').map((p) => JSON.parse(readFileSync(p, 'utf8')) as Record<string, Record<string, number[][]>>);
  const zoomed: Record<string, Record<string, number[][]>> = {};
  for (const file of zoomFiles) for (const [z, byFrame] of Object.entries(file)) Object.assign((zoomed[z] ??= {}), byFrame);
  const G = 14;
  const asDets = (rows: number[][]): Detection[] => rows.map(([x0, y0, x1, y1, score, cls]) => ({ box: [x0, y0, x1, y1], score, cls }));
  /** Greedy match by IoU >= 0.5 (highest scores first): a matched pair keeps the frame's box at the higher score; unmatched boxes of either pass stay as they are. */
  function mergeMax(a: Detection[], b: Detection[]): Detection[] {
    const used = new Array<boolean>(b.length).fill(false), out: Detection[] = [];
    for (const d of [...a].sort((x, y) => y.score - x.score)) {
      let j = -1, best = 0.5;
      b.forEach((e, k) => { if (!used[k]) { const v = boxIoU(d.box, e.box); if (v >= best) { best = v; j = k; } } });
      if (j >= 0) used[j] = true;
      out.push(j < 0 ? d : { ...d, score: Math.max(d.score, b[j].score) });
    }
    b.forEach((e, k) => { if (!used[k]) out.push(e); });
    return out;
  }
  const zs = Object.keys(zoomed);
  const kept = frames.filter((f) => zs.every((z) => zoomed[z][key(f)]));
  console.log(`${kept.length} frames with zoomed detections of ${frames.length}; zooms ${zs.join(', ')}`);
  const masks = kept.map((f) => boxesToMask(f.boxes.map(([x0, y0, x1, y1]) => ({ x0, y0, x1, y1 })), f.w, f.h));
  const truth = kept.map((f) => f.boxes.map(([x0, y0, x1, y1]) => [x0, y0, x1 + 1, y1 + 1]));
  const areas = masks.map((m) => m.reduce((a, v) => a + (v > 0 ? 1 : 0), 0) / m.length);
  // diagnostic: on near frames, the best score among boxes matching a truth box (IoU >= 0.5), per pass
  const matchScore = (i: number, dets: Detection[]) => Math.max(0, ...dets.filter((d) => truth[i].some((b) => boxIoU(d.box, b as Detection['box']) >= 0.5)).map((d) => d.score));
  const median = (v: number[]) => { const s = [...v].sort((a, b) => a - b); return s[Math.floor(s.length / 2)] ?? NaN; };
  const near = kept.flatMap((_, i) => (areas[i] >= 0.25 ? [i] : []));
  console.log(`near frames: ${near.length}; median score of the best box on the sounding object: frame ${median(near.map((i) => matchScore(i, asDets(kept[i].dets)))).toFixed(3)}` +
    zs.map((z) => `, zoom ${z} ${median(near.map((i) => matchScore(i, asDets(zoomed[z][key(kept[i])])))).toFixed(3)}`).join(''));
  const variants: [string, (f: DumpedFrame) => Detection[]][] = [['frame only (ships)', (f) => asDets(f.dets)]];
  const alone = str('alone', 'no') === 'yes'; // --alone yes: each zoom's own detections only
  for (const z of zs) {
    variants.push([`zoom ${z} only`, (f) => asDets(zoomed[z][key(f)])]);
    if (alone) continue;
    variants.push([`frame + zoom ${z}, matched at the higher score`, (f) => mergeMax(asDets(f.dets), asDets(zoomed[z][key(f)]))]);
    variants.push([`frame + zoom ${z}, unmerged`, (f) => [...asDets(f.dets), ...asDets(zoomed[z][key(f)])]]);
  }
  if (zs.length > 1 && !alone) variants.push([`frame + every zoom, matched at the higher score`, (f) => zs.reduce((acc, z) => mergeMax(acc, asDets(zoomed[z][key(f)])), asDets(f.dets))]);
  console.log('variant | pointing | pixel AP | cIoU@0.5 | AUC | sum | near: pointing / pixel AP / cIoU@0.5 (n) | small pointing (n)');
  for (const [name, detsOf] of variants) {
    const s: FrameScore[] = kept.map((f, i) => scoreFrame(withObjectExtent(f.S, objectShares(f.D, detsOf(f), HEARD_EXTENT, G, f.w), HEARD_EXTENT.mix), G, G, masks[i]));
    const m = summarize(s), n = summarize(s.filter((_, i) => areas[i] >= 0.25)), sm = summarize(s.filter((_, i) => areas[i] < 0.05));
    console.log(`${name} | ${m.pointing.toFixed(3)} | ${m.pixelAP.toFixed(3)} | ${m.ciou50.toFixed(3)} | ${m.auc.toFixed(3)} | ${(m.pointing + m.pixelAP + m.ciou50 + m.auc).toFixed(3)} | ${n.pointing.toFixed(3)} / ${n.pixelAP.toFixed(3)} / ${n.ciou50.toFixed(3)} (${n.n}) | ${sm.pointing.toFixed(3)} (${sm.n})`);
  }
}
