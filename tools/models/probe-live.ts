/**
 * `npx tsx tools/models/probe-live.ts --data DIR [--split val] [--budgets 1,2,3] [--c 200] [--d 170] [--audio centred|request|capture|latest]`
 *
 * What bounding the detector runs of a live map costs the heard-object maps. Live mode
 * (src/app/media/liveLocalize.ts) maps the newest grid frame over the grid frames of the 2 s before
 * it (a causal window), and the engine runs the detector on every window frame the call before did
 * not have. On a slow CPU that makes a map's time T grow with the frames that arrived during the
 * last one. With a budget of k new frames per map (boundedWindow, src/engine/pipeline/windows.ts)
 * the map's cost is bounded and its window thins instead.
 *
 * This plays the live loop on a machine where a map costs c + d x (new frames) ms (c: what does not
 * grow with the new frames — direction features, homographies, reading and the loop's own time; d: the
 * detector on one frame; the defaults are from the live bench on this 2-core VM, 2026-12-07: 170 ms
 * per detector run, and ~130 ms of engine stages plus ~70 ms between maps), with a ±10% jitter on each
 * map's time (seeded). The rate: 10 minutes of an 8 fps capture's grid, played once per budget (the
 * steady state; a 4-s clip is too short for an unbounded loop to slow down fully). The maps: each
 * clip of the split played from its start, with --phases start offsets within a grid step. Every map whose frame is at least 2 s in (a full window's span behind it) and has an
 * active on-screen sounding object is scored with the eval's protocol, three ways on the same frame:
 * the window the budget gave, the full causal window (every grid frame of the 2 s: what an unbounded
 * loop sends), and the frame alone. Maps as the engine makes them (heardWindow): the window means of
 * the detector maps and the direction probabilities carried onto the frame by the homographies (ORB +
 * MAGSAC, the pipeline's refinement), then read per object over the frame's detections.
 *
 * Prints per budget (and for none, "all"): the steady state's ms per map, maps/s, frames per window
 * and new ones per map; the scored maps' frames per window and new ones; pointing / pixel AP /
 * cIoU@0.5 / AUC of the three windows.
 *
 * --audio says which second of sound each window frame's direction is read from: `centred` (the
 * default: the second centred on the frame, as a file is read), `request` (the second ending when
 * the map was requested, each older frame's shifted back by its age: what the live loop cut until
 * 2026-12-07, since the mic has no sound after "now"), or `capture` (the second ending when the
 * frame was captured: each frame's own second, the same on every map that sends it), or `latest`
 * (the second centred on the frame where the mic has it all, else the last second heard: what the
 * live loop cuts since 2026-12-07). Ground truth is read
 * only for the scores. Uses the eval's caches (.cache/ego000 pairs, .cache/centernet detections).
 */
import * as tf from '@tensorflow/tfjs';
import { boxesToMask, scoreFrame, summarize, type FrameScore } from '../../src/engine/eval/metrics.ts';
import { loadHeard, heardInputWidth, directionProbs, heardMapsPerObject } from '../../src/engine/models/heard.ts';
import { EGO000_GAP_SEC, HEARD_EXTENT, HEARD_FRAMES, HEARD_MIRROR, HEARD_UNIFORM, WINDOW_REFINE } from '../../src/engine/pipeline/localizer.ts';
import { boundedWindow } from '../../src/engine/pipeline/windows.ts';
import type { Mat3 } from '../../src/engine/geometry/homography.ts';
import { clipCache, frameHomography, openWindowCache, pairsOf, FRAME_STEP } from './windows.ts';
import { clipObjectness, detectionsAt } from './centernet.ts';
import { directionAt, gridFrames, stackedWindowMeans } from './train-heard.ts';
import { MODELS_BASE_URL, listClips, modelsFetcher, mulberry, readManifest, soundingBoxes, useWasm } from './data.ts';

const argv = process.argv.slice(2);
const opt = (k: string, d: string) => { const i = argv.indexOf(`--${k}`); return i >= 0 && argv[i + 1] !== undefined && !argv[i + 1].startsWith('--') ? argv[i + 1] : d; };
const dataDir = opt('data', '');
if (!dataDir) { console.error('usage: npx tsx tools/models/probe-live.ts --data DIR [--split val] [--budgets 1,2,3] [--c 200] [--d 170] [--phases 4] [--seed 1] [--audio centred|request|capture|latest]'); process.exit(2); }
const split = opt('split', 'val');
const budgets = [...opt('budgets', '1,2,3').split(',').map(Number), Infinity];
if (budgets.some((b) => !(b >= 1))) { console.error('--budgets: whole numbers of at least 1, comma-separated'); process.exit(2); }
const costC = Number(opt('c', '200')), costD = Number(opt('d', '170'));
const phases = Math.max(1, Number(opt('phases', '4')));
const seed = Number(opt('seed', '1'));
const SPAN = (HEARD_FRAMES - 1) * EGO000_GAP_SEC;
const audio = opt('audio', 'centred');
if (!['centred', 'request', 'capture', 'latest'].includes(audio)) { console.error('--audio: centred, request, capture or latest'); process.exit(2); }

/** One simulated map: its frame and the window the loop sent (grid frame indices, newest first). */
interface LiveMap { q: number; sent: number[]; fresh: number; ms: number; at: number }

/** The live loop over a clip's grid (times in s) with one budget: every map from the start (see the header). */
function playLive(times: number[], budget: number, phase: number, rand: () => number): LiveMap[] {
  const out: LiveMap[] = [];
  let now = times[0] + phase;
  let last = -1;
  let cached = new Set<number>();
  for (;;) {
    // the newest grid frame captured by now and not yet mapped; none: wait for the next one
    let g = -1;
    for (let k = times.length - 1; k > last; k--) if (times[k] <= now + 1e-9) { g = k; break; }
    if (g < 0) {
      if (last + 1 >= times.length) break;
      now = times[last + 1];
      continue;
    }
    const candidates: number[] = [];
    for (let k = g; k >= 0 && candidates.length < HEARD_FRAMES && times[k] >= times[g] - SPAN - 0.1; k--) candidates.push(k);
    const sent = boundedWindow(candidates, cached, budget);
    const fresh = sent.filter((k) => !cached.has(k)).length;
    const ms = (costC + costD * fresh) * (0.9 + 0.2 * rand());
    out.push({ q: g, sent, fresh, ms, at: now });
    cached = new Set(sent);
    last = g;
    now += ms / 1000;
  }
  return out;
}

async function main(): Promise<void> {
  await useWasm();
  const manifest = readManifest();
  const heard = await loadHeard(manifest, 'heard-synth', MODELS_BASE_URL, { fetcher: modelsFetcher });
  const wctx = await openWindowCache(undefined, { refine: WINDOW_REFINE });
  const clips = listClips(dataDir, split);
  if (!clips.length) throw new Error(`${dataDir}: no ${split} clips`);
  const label = (b: number) => (b === Infinity ? 'all' : String(b));
  const acc = new Map(budgets.map((b) => [b, { frames: 0, fresh: 0, bounded: [] as FrameScore[], dense: [] as FrameScore[], single: [] as FrameScore[] }]));
  const rand = mulberry(seed);
  // the steady state's rate, on a long uniform grid
  const rate = new Map(budgets.map((b) => {
    const maps = playLive(Array.from({ length: 2400 }, (_, k) => k * EGO000_GAP_SEC), b, 0, rand).filter((m) => m.q >= 480);
    const span = (maps[maps.length - 1].q - maps[0].q) * EGO000_GAP_SEC;
    return [b, { msPerMap: maps.reduce((x, m) => x + m.ms, 0) / maps.length, perSec: (maps.length - 1) / span, frames: maps.reduce((x, m) => x + m.sent.length, 0) / maps.length, fresh: maps.reduce((x, m) => x + m.fresh, 0) / maps.length }];
  }));
  const t0 = Date.now();
  for (const c of clips) {
    const grid = gridFrames(c);
    const times = grid.map((fi) => c.meta.frames[fi].time);
    const sims = budgets.flatMap((b) => Array.from({ length: phases }, (_, p) => ({ b, maps: playLive(times, b, (p / phases) * EGO000_GAP_SEC, rand) })));
    // the scored maps: a full span behind, an active on-screen sounding object
    const scored = sims.flatMap((s) => s.maps.filter((m) => times[m.q] >= times[0] + SPAN - 1e-6 && soundingBoxes(c, grid[m.q]).boxes.length > 0).map((m) => ({ b: s.b, m })));
    if (!scored.length) continue;
    const dense = (q: number) => { const w: number[] = []; for (let k = q; k >= 0 && w.length < HEARD_FRAMES && times[k] >= times[q] - SPAN - 0.1; k--) w.push(k); return w; };
    const wins = scored.flatMap(({ m }) => [m.sent, dense(m.q)]).map((w) => ({ frames: [...w].reverse().map((k) => grid[k]), query: w.length - 1 }));
    const cc = await clipCache(wctx, c, pairsOf(wins), FRAME_STEP);
    const heat = await clipObjectness(c, grid, 'heat'), boxes = await clipObjectness(c, grid, 'boxes'), dets = await clipObjectness(c, grid, 'detections');
    // the direction of each window frame, read from the second --audio says (centred on t: the
    // window binauralWindow cuts around t); rows shared where two windows read the same second
    const centreOf = (at: number, q: number, k: number) => (audio === 'centred' ? times[k] : audio === 'capture' ? times[k] - 0.5 : audio === 'latest' ? Math.min(times[k], at - 0.5) : at - (times[q] - times[k]) - 0.5);
    const rowOf = new Map<number, number>(), dirs: Float32Array[] = [];
    const rowAt = (t: number) => { const key = Math.round(t * 16000); let r = rowOf.get(key); if (r === undefined) { r = dirs.length; rowOf.set(key, r); dirs.push(directionAt(c, key / 16000, heard.config)); } return r; };
    const cell = (x: Float32Array) => (k: number) => x.subarray(k * 196, (k + 1) * 196);
    const { width: W, height: H } = c.meta.config;
    // three windows per scored map, each carried onto its frame: the budget's, the full causal one, the frame alone
    const windows = scored.flatMap(({ m }) => [m.sent, dense(m.q), [m.q]].map((w) => ({ q: m.q, frames: w, rows: w.map((k) => rowAt(centreOf(m.at, m.q, k))), toQ: w.map((k): Mat3 | null => (k !== m.q ? frameHomography(cc, grid[m.q], grid[k]) : null)) })));
    const W1 = heardInputWidth(heard.config), dirAll = new Float32Array(dirs.length * W1);
    dirs.forEach((d, r) => dirAll.set(d, r * W1));
    const probs = tf.tidy(() => directionProbs(heard.params, tf.tensor2d(dirAll, [dirs.length, W1]), heard.config, HEARD_MIRROR).dataSync().slice() as Float32Array);
    // stackedWindowMeans reads frame k's cells; the direction's rows are per window frame
    const probMeans = new Float32Array(windows.length * 196);
    windows.forEach((w, i) => probMeans.set(stackedWindowMeans([{ frames: w.rows, toQ: w.toQ }], cell(probs), W, H), i * 196));
    const maps = await heardMapsPerObject(heard.params, heard.config, { heat: stackedWindowMeans(windows, cell(heat), W, H), boxes: stackedWindowMeans(windows, cell(boxes), W, H), probs: probMeans }, windows.map(({ q }) => detectionsAt(dets, q)), HEARD_EXTENT, HEARD_UNIFORM, W);
    windows.forEach(({ q }, i) => {
      const G = boxesToMask(soundingBoxes(c, grid[q]).boxes, W, H);
      const a = acc.get(scored[Math.floor(i / 3)].b)!;
      [a.bounded, a.dense, a.single][i % 3].push(scoreFrame(maps.subarray(i * 196, (i + 1) * 196), 14, 14, G));
    });
    for (const { b, m } of scored) { const a = acc.get(b)!; a.frames += m.sent.length; a.fresh += m.fresh; }
    console.error(`  ${c.meta.clipId}: ${scored.length} scored maps (${((Date.now() - t0) / 1000).toFixed(0)} s)`);
  }
  const f3 = (x: number) => x.toFixed(3);
  const row = (s: ReturnType<typeof summarize>) => `${f3(s.pointing)} / ${f3(s.pixelAP)} / ${f3(s.ciou50)} / ${f3(s.auc)}`;
  console.log(`\nmap cost ${costC} + ${costD} ms per new frame (±10%), seed ${seed}, audio ${audio}. Steady state (10 min of grid): ms a map, maps/s, frames sent and new per map.`);
  console.log(`Maps of ${clips.length} ${split} clips (${phases} start phases; scored: a full span in, an active on-screen sounding object): frames sent and new per scored map, then pointing / pixel AP / cIoU@0.5 / AUC on the same frames.`);
  console.log('| new frames a map | ms a map | maps/s | frames sent | new a map | scored maps | frames sent | new a map | budget\'s window | full causal window | frame alone |');
  console.log('|---|---|---|---|---|---|---|---|---|---|---|');
  for (const b of budgets) {
    const a = acc.get(b)!, r = rate.get(b)!;
    const n = a.bounded.length;
    console.log(`| ${label(b)} | ${r.msPerMap.toFixed(0)} | ${r.perSec.toFixed(2)} | ${r.frames.toFixed(2)} | ${r.fresh.toFixed(2)} | ${n} | ${(a.frames / n).toFixed(2)} | ${(a.fresh / n).toFixed(2)} | ${row(summarize(a.bounded))} | ${row(summarize(a.dense))} | ${row(summarize(a.single))} |`);
  }
  tf.dispose(Object.values(heard.params));
}

main().catch((e) => { console.error(e instanceof Error ? e.stack : e); process.exit(1); });
