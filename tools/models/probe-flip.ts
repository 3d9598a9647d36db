/**
 * Probe: the detector on the mirrored frame as well (test-time flip), its boxes flipped back and
 * merged with the frame's own, then read per object as the setting of the time read them (power 0.5,
 * density 1, mix 0.03, the rows not sharpened: docs/results.md, the paragraph before "Height heard,
 * sharpened").
 *
 *   npx tsx tools/models/probe-flip.ts --dump FILE[,FILE] --data DIR --shard i/n --out FLIPFILE   # run the detector
 *   npx tsx tools/models/probe-flip.ts --dump FILE[,FILE] --flips F1[,F2] --score yes           # score merges
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { boxIoU, objectShares, withObjectExtent } from '../../src/engine/models/heard.ts';
import { detect, loadObjectness, type Detection } from '../../src/engine/models/objectness.ts';
import { boxesToMask, scoreFrame, summarize, type FrameScore } from '../../src/engine/eval/metrics.ts';
import { MODELS_BASE_URL, modelsFetcher, readFrameRgb, readManifest, useWasm, type Clip } from './data.ts';
import { flagReaders, parseFlags, shardFlag } from './flags.ts';
import type { DumpedFrame } from './probe-extent-offline.ts';

const { str } = flagReaders(parseFlags(process.argv.slice(2)));
const frames = str('dump', '').split(',').flatMap((p) => JSON.parse(readFileSync(p, 'utf8')) as DumpedFrame[]);
const key = (f: DumpedFrame) => `${f.clip}/${f.q}`;

if (str('score', 'no') !== 'yes') {
  const shard = shardFlag(str);
  const data = str('data', '.cache/synthval');
  await useWasm();
  const { model } = await loadObjectness(readManifest(), MODELS_BASE_URL, { fetcher: modelsFetcher });
  const out: Record<string, number[][]> = {};
  const mine = frames.filter((_, i) => shard.mine(i));
  const t0 = Date.now();
  for (const [k, f] of mine.entries()) {
    const clip: Clip = { dir: join(data, f.clip), meta: JSON.parse(readFileSync(join(data, f.clip, 'meta.json'), 'utf8')) };
    const rgb = readFrameRgb(clip, f.q), flip = new Float32Array(rgb.length);
    for (let y = 0; y < 224; y++) for (let x = 0; x < 224; x++) for (let c = 0; c < 3; c++) flip[(y * 224 + x) * 3 + c] = rgb[(y * 224 + 223 - x) * 3 + c];
    const { detections } = await detect(model, flip, 512); // the whole input, as when this probe was run
    const r = (v: number) => Math.round(v * 1e5) / 1e5;
    out[key(f)] = detections.filter((d) => d.score >= 0.01).map((d) => [r(224 - d.box[2]), r(d.box[1]), r(224 - d.box[0]), r(d.box[3]), r(d.score), d.cls]);
    if ((k + 1) % 200 === 0) console.log(`${k + 1} / ${mine.length} (${((Date.now() - t0) / 1000).toFixed(0)} s)`);
  }
  writeFileSync(str('out', ''), JSON.stringify(out));
} else {
  const flips: Record<string, number[][]> = Object.assign({}, ...str('flips', '').split(',').map((p) => JSON.parse(readFileSync(p, 'utf8'))));
  const G = 14;
  const asDets = (rows: number[][]): Detection[] => rows.map(([x0, y0, x1, y1, score, cls]) => ({ box: [x0, y0, x1, y1], score, cls }));
  /** Greedy match by IoU >= 0.5 (highest scores first); matched pairs: box averaged, score by `how`; unmatched keep score x lone. */
  function merge(a: Detection[], b: Detection[], how: 'mean' | 'max', lone: number): Detection[] {
    const used = new Array<boolean>(b.length).fill(false), out: Detection[] = [];
    for (const d of [...a].sort((x, y) => y.score - x.score)) {
      let j = -1, best = 0.5;
      b.forEach((e, k) => { if (!used[k]) { const v = boxIoU(d.box, e.box); if (v >= best) { best = v; j = k; } } });
      if (j < 0) { out.push({ ...d, score: d.score * lone }); continue; }
      used[j] = true;
      const e = b[j];
      out.push({ box: d.box.map((v, k) => (v + e.box[k]) / 2) as Detection['box'], score: how === 'mean' ? (d.score + e.score) / 2 : Math.max(d.score, e.score), cls: d.cls });
    }
    b.forEach((e, k) => { if (!used[k]) out.push({ ...e, score: e.score * lone }); });
    return out;
  }
  const kept = frames.filter((f) => flips[key(f)]);
  console.log(`${kept.length} frames with flipped detections of ${frames.length}`);
  const masks = kept.map((f) => boxesToMask(f.boxes.map(([x0, y0, x1, y1]) => ({ x0, y0, x1, y1 })), f.w, f.h));
  const areas = masks.map((m) => m.reduce((a, v) => a + (v > 0 ? 1 : 0), 0) / m.length);
  const variants: [string, (f: DumpedFrame) => Detection[]][] = [
    ['frame only', (f) => asDets(f.dets)],
    ['flip only', (f) => asDets(flips[key(f)])],
    ['mean, lone x0.5', (f) => merge(asDets(f.dets), asDets(flips[key(f)]), 'mean', 0.5)],
    ['max, lone x1', (f) => merge(asDets(f.dets), asDets(flips[key(f)]), 'max', 1)],
    ['mean, lone x1', (f) => merge(asDets(f.dets), asDets(flips[key(f)]), 'mean', 1)],
    ['union', (f) => [...asDets(f.dets), ...asDets(flips[key(f)])]],
  ];
  console.log('variant | pointing | pixel AP | cIoU@0.5 | AUC | sum | near: pointing / pixel AP / cIoU@0.5 (n) | small pointing (n)');
  for (const [name, detsOf] of variants) {
    const s: FrameScore[] = kept.map((f, i) => scoreFrame(withObjectExtent(f.S, objectShares(f.D, detsOf(f), { minScore: 0, power: 0.5, density: 1 }, G, f.w), 0.03), G, G, masks[i]));
    const m = summarize(s), n = summarize(s.filter((_, i) => areas[i] >= 0.25)), sm = summarize(s.filter((_, i) => areas[i] < 0.05));
    console.log(`${name} | ${m.pointing.toFixed(3)} | ${m.pixelAP.toFixed(3)} | ${m.ciou50.toFixed(3)} | ${m.auc.toFixed(3)} | ${(m.pointing + m.pixelAP + m.ciou50 + m.auc).toFixed(3)} | ${n.pointing.toFixed(3)} / ${n.pixelAP.toFixed(3)} / ${n.ciou50.toFixed(3)} (${n.n}) | ${sm.pointing.toFixed(3)} (${sm.n})`);
  }
}
