/**
 * Probe, offline: the heard map read per detected object (heard.ts objectShares + withObjectExtent),
 * scored from a dump of probe-heard-time.ts (--dump FILE) so settings can be compared without
 * recomputing the direction, the homographies or the detections.
 *
 *   npx tsx tools/models/probe-extent-offline.ts --dump FILE [--extent 0:0.5:1,0:0.5:0.5] [--mix 0.03] [--why 0:0.5:1]
 *
 * --dump takes several files, comma-separated (probe-heard-time's shards).
 * --extent minScore:power:density[:cut[:nest[:fuse[:rows]]]] as probe-heard-time (fuse: objectShares' fuse IoU, 0 off; rows: the
 * power of P's row marginal, sharpenRows, 0 off); --elevation yes: how often the row where P's row marginal peaks lies
 * within a sounding box's rows, beside the row where the mean marginal over all frames peaks; --why V: for variant V, the near
 * frames (sounding area >= 25%) whose peak misses, sorted by what the detector offered.
 * --bootstrap N [--bootstrap-clips K]: for each variant, N draws of K clips (default: as many as the
 * dump holds) with replacement, seeded; prints the 5th-95th percentile of pointing, pixel AP and
 * near-object cIoU@0.5 over the draws: how far a split of K such clips can move the figures.
 * --fit yes: a chooser fitted instead of set by hand: for each frame, a softmax over its detections of
 * theta . x, x = (log score, log direction mass in the box, log box area, the largest S over the
 * cells the box half covers), trained (gradient ascent, 300 steps) to put its weight on the boxes
 * with IoU >= 0.5 with a sounding box; two folds by clip (fit on one half, score the other) and once
 * on every clip; printed: how often the top box's centre lies in a sounding box, and its IoU >= 0.5,
 * beside the hand rules' (score^power x mass / area^density with power and density from --extent).
 */
import { readFileSync } from 'node:fs';
import { boxIoU, objectShares, withObjectExtent } from '../../src/engine/models/heard.ts';
import type { Detection } from '../../src/engine/models/objectness.ts';
import { coverCells } from '../../src/engine/models/objectness.ts';
import { boxesToMask, scoreFrame, summarize, type FrameScore } from '../../src/engine/eval/metrics.ts';
import { flagReaders, parseFlags } from './flags.ts';

/** One scored frame of probe-heard-time's --dump: truth boxes inclusive [x0, y0, x1, y1]; dets [x0, y0, x1, y1, score, cls]. */
export interface DumpedFrame { clip: string; q: number; w: number; h: number; boxes: number[][]; S: number[]; D: number[]; dets: number[][] }
const { str } = flagReaders(parseFlags(process.argv.slice(2)));
const dumps = str('dump', '');
if (!dumps) throw new Error('--dump FILE[,FILE...] is required (probe-heard-time.ts --dump)');
const frames = dumps.split(',').flatMap((p) => JSON.parse(readFileSync(p, 'utf8')) as DumpedFrame[]);
const extents = str('extent', '0:0.5:1').split(',');
const mixes = str('mix', '0.03').split(',').map(Number);
const why = str('why', '');
const G = 14;

const masks = frames.map((f) => boxesToMask(f.boxes.map(([x0, y0, x1, y1]) => ({ x0, y0, x1, y1 })), f.w, f.h));
// the truth boxes as exclusive corners, as the detections' are
const truth = frames.map((f) => f.boxes.map(([x0, y0, x1, y1]) => [x0, y0, x1 + 1, y1 + 1]));
const bestIoU = (i: number, d: Detection) => Math.max(...truth[i].map((b) => boxIoU(d.box, b)));
const areas = masks.map((m) => m.reduce((a, v) => a + (v > 0 ? 1 : 0), 0) / m.length);
const detsOf = (f: DumpedFrame): Detection[] => f.dets.map(([x0, y0, x1, y1, score, cls]) => ({ box: [x0, y0, x1, y1], score, cls }));

function mapOf(f: DumpedFrame, v: string, mix: number): Float32Array {
  const [s, pw, de, cu, ne, fu, ro] = v.split(':').map(Number);
  const E = objectShares(f.D, detsOf(f), { minScore: s, power: pw, density: de ?? 0, cut: cu ?? 0, nest: ne ?? 0, fuse: fu ?? 0, rows: ro ?? 0 }, G, f.w);
  return withObjectExtent(f.S, E, mix, Boolean(cu));
}

const clipIds = [...new Set(frames.map((f) => f.clip))];
const framesOfClip = clipIds.map((id) => frames.flatMap((f, i) => (f.clip === id ? [i] : [])));
const draws = Number(str('bootstrap', '0')), drawClips = Number(str('bootstrap-clips', String(clipIds.length)));
function spread(s: FrameScore[]): string {
  let seed = 12345;
  const rand = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
  const pick: { p: number[]; ap: number[]; nc: number[] } = { p: [], ap: [], nc: [] };
  for (let b = 0; b < draws; b++) {
    const idx = Array.from({ length: drawClips }, () => framesOfClip[Math.floor(rand() * clipIds.length)]).flat();
    const m = summarize(idx.map((i) => s[i])), n = summarize(idx.filter((i) => areas[i] >= 0.25).map((i) => s[i]));
    pick.p.push(m.pointing); pick.ap.push(m.pixelAP); pick.nc.push(n.ciou50);
  }
  const q = (v: number[]) => { const o = [...v].filter((x) => !Number.isNaN(x)).sort((a, b) => a - b); return `${o[Math.floor(0.05 * (o.length - 1))].toFixed(3)}-${o[Math.ceil(0.95 * (o.length - 1))].toFixed(3)}`; };
  return `   ${draws} draws of ${drawClips} clips, 5th-95th percentile: pointing ${q(pick.p)}, pixel AP ${q(pick.ap)}, near cIoU@0.5 ${q(pick.nc)}`;
}
const line = (name: string, s: FrameScore[]) => {
  const m = summarize(s), n = summarize(s.filter((_, i) => areas[i] >= 0.25)), sm = summarize(s.filter((_, i) => areas[i] < 0.05));
  console.log(`${name} | ${m.pointing.toFixed(3)} | ${m.pixelAP.toFixed(3)} | ${m.ciou50.toFixed(3)} | ${m.auc.toFixed(3)} | ${(m.pointing + m.pixelAP + m.ciou50 + m.auc).toFixed(3)} | ${n.pointing.toFixed(3)} / ${n.pixelAP.toFixed(3)} / ${n.ciou50.toFixed(3)} (${n.n}) | ${sm.pointing.toFixed(3)} (${sm.n})`);
  if (draws > 0) console.log(spread(s));
};
console.log(`${frames.length} frames from ${new Set(frames.map((f) => f.clip)).size} clips`);
console.log('variant | pointing | pixel AP | cIoU@0.5 | AUC | sum | near (area >= 25%): pointing / pixel AP / cIoU@0.5 | small (< 5%): pointing');
line('per cell', frames.map((f, i) => scoreFrame(f.S, G, G, masks[i])));
for (const v of extents) for (const x of mixes) line(`${v} mix ${x}`, frames.map((f, i) => scoreFrame(mapOf(f, v, x), G, G, masks[i])));

if (str('elevation', 'no') === 'yes') {
  // is the height heard, or a prior? P's row marginal per frame against the mean one's peak
  const rowsOf = (f: DumpedFrame) => Array.from({ length: G }, (_, r) => f.D.slice(r * G, (r + 1) * G).reduce((a, v) => a + v, 0));
  const marg = frames.map(rowsOf);
  const mean = Array.from({ length: G }, (_, r) => marg.reduce((a, m) => a + m[r], 0) / frames.length);
  const within = (f: DumpedFrame, r: number) => f.boxes.some(([, y0, , y1]) => { const y = ((r + 0.5) * f.h) / G; return y >= y0 && y <= y1; });
  const peak = (m: number[]) => m.indexOf(Math.max(...m));
  const own = frames.filter((f, i) => within(f, peak(marg[i]))).length, prior = frames.filter((f) => within(f, peak(mean))).length;
  const entropy = marg.reduce((a, m) => a - m.reduce((e, v) => e + (v > 0 ? v * Math.log(v) : 0), 0), 0) / frames.length;
  console.log(`elevation: the mean row marginal ${mean.map((v) => v.toFixed(3)).join(' ')}`);
  console.log(`elevation: each frame's own peak row within a sounding box's rows ${(own / frames.length).toFixed(3)}; the mean marginal's peak row (${peak(mean)}) ${(prior / frames.length).toFixed(3)}; mean entropy ${entropy.toFixed(2)} nats (uniform ${Math.log(G).toFixed(2)})`);
}

if (why) {
  // for each near frame the variant misses: the best-matching detection (IoU with a sounding box) and the winner
  const [s, pw, de] = why.split(':').map(Number);
  const kinds = new Map<string, number>();
  for (let i = 0; i < frames.length; i++) {
    if (areas[i] < 0.25) continue;
    const f = frames[i];
    if (scoreFrame(mapOf(f, why, mixes[0]), G, G, masks[i]).pointing) continue;
    const ds = detsOf(f).filter((d) => d.score >= s);
    const ious = ds.map((d) => bestIoU(i, d)), best = ious.reduce((a, v) => Math.max(a, v), 0);
    const weights = ds.map((d) => objectShares(f.D, [d], { minScore: s, power: pw, density: de }, G, f.w).reduce((a, v) => Math.max(a, v), 0));
    const top = weights.indexOf(Math.max(...weights));
    const bestIdx = ious.indexOf(best);
    const k = best < 0.3 ? 'no detection with IoU >= 0.3' : `matched (IoU ${best >= 0.5 ? '>= 0.5' : '0.3-0.5'}), outweighed`;
    kinds.set(k, (kinds.get(k) ?? 0) + 1);
    const area = (b: number[]) => ((b[2] - b[0]) * (b[3] - b[1])) / (f.w * f.h);
    console.log(`${f.clip} q${f.q} area ${areas[i].toFixed(2)} | best IoU ${best.toFixed(2)} score ${bestIdx >= 0 ? ds[bestIdx].score.toFixed(2) : '-'} w ${bestIdx >= 0 ? weights[bestIdx].toFixed(3) : '-'} area ${bestIdx >= 0 ? area(ds[bestIdx].box).toFixed(2) : '-'} | winner score ${ds[top]?.score.toFixed(2)} w ${weights[top]?.toFixed(3)} area ${ds[top] ? area(ds[top].box).toFixed(2) : '-'} cls ${ds[top]?.cls}`);
  }
  console.log([...kinds].map(([k, n]) => `${k}: ${n}`).join('; '));
}

if (str('fit', 'no') === 'yes') {
  // per frame: each detection's features, its best IoU with a sounding box, and whether its centre lies in one
  const rows = frames.map((f, i) => {
    const X: number[][] = [], ious: number[] = [], inside: boolean[] = [];
    for (const d of detsOf(f)) {
      const cover = coverCells([{ box: d.box, weight: 1 }], f.w, f.w, G);
      let m = 0, a = 0, top = -Infinity, sw = 0;
      for (let c = 0; c < cover.length; c++) { m += cover[c] * f.D[c]; a += cover[c]; sw += cover[c] * f.S[c]; if (cover[c] >= 0.5) top = Math.max(top, f.S[c]); }
      if (!(a > 0)) continue;
      X.push([Math.log(d.score), Math.log(m + 1e-6), Math.log(a / cover.length), top > -Infinity ? top : sw / a]);
      ious.push(bestIoU(i, d));
      const cx = (d.box[0] + d.box[2]) / 2, cy = (d.box[1] + d.box[3]) / 2;
      inside.push(truth[i].some((b) => b[0] <= cx && cx < b[2] && b[1] <= cy && cy < b[3]));
    }
    return { clip: f.clip, X, iou: ious, inside, area: areas[i] };
  }).filter((r) => r.X.length > 0);
  const K = 4;
  const fitTheta = (idx: number[]) => {
    const th = new Array(K).fill(0);
    for (let step = 0; step < 300; step++) {
      const g = new Array(K).fill(0);
      for (const i of idx) {
        const r = rows[i];
        if (!r.iou.some((v) => v >= 0.5)) continue;
        const z = r.X.map((x) => x.reduce((s, v, k) => s + v * th[k], 0)), zmax = Math.max(...z);
        const p = z.map((v) => Math.exp(v - zmax)), ps = p.reduce((a, b) => a + b, 0);
        const qs = p.reduce((a, v, j) => a + (r.iou[j] >= 0.5 ? v : 0), 0);
        r.X.forEach((x, j) => { const d = (r.iou[j] >= 0.5 ? p[j] / qs : 0) - p[j] / ps; for (let k = 0; k < K; k++) g[k] += d * x[k]; });
      }
      for (let k = 0; k < K; k++) th[k] += (0.5 * g[k]) / idx.length - 1e-3 * th[k];
    }
    return th;
  };
  const rate = (idx: number[], th: number[]) => {
    const pick = idx.map((i) => { const r = rows[i], z = r.X.map((x) => x.reduce((s, v, k) => s + v * th[k], 0)); return { r, j: z.indexOf(Math.max(...z)) }; });
    const part = (keep: (a: number) => boolean) => {
      const sel = pick.filter(({ r }) => keep(r.area));
      return `${(sel.filter(({ r, j }) => r.inside[j]).length / sel.length).toFixed(3)} / ${(sel.filter(({ r, j }) => r.iou[j] >= 0.5).length / sel.length).toFixed(3)}`;
    };
    return `all ${part(() => true)} | near ${part((a) => a >= 0.25)} | small ${part((a) => a < 0.05)}`;
  };
  const ids = [...new Set(rows.map((r) => r.clip))];
  const fold = (k: number) => rows.flatMap((r, i) => (ids.indexOf(r.clip) % 2 === k ? [i] : []));
  const every = rows.map((_, i) => i);
  console.log('top box: centre in a sounding box / IoU >= 0.5 with one');
  for (const v of extents) { const [, pw, de] = v.split(':').map(Number); console.log(`hand ${v}: ${rate(every, [pw, 1, -(de ?? 0), 0])}`); }
  for (const k of [0, 1]) { const th = fitTheta(fold(1 - k)); console.log(`fitted on fold ${1 - k}, scored on fold ${k}: ${rate(fold(k), th)} (theta ${th.map((v) => v.toFixed(2)).join(', ')})`); }
  const th = fitTheta(every);
  console.log(`fitted on every clip, scored on them: ${rate(every, th)} (theta ${th.map((v) => v.toFixed(2)).join(', ')})`);
}
