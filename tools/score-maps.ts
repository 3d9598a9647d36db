/**
 * `npx tsx tools/score-maps.ts maps.json meta.json [--json]`
 *
 * Scores the maps of one run (the localize CLI's or the app's export format) against the ground
 * truth of a synthetic clip (its meta.json, e.g. public/demo/demo.meta.json) with the evaluation's
 * rules (src/engine/eval/metrics.ts): each map frame is matched to the clip frame at the same time
 * (within half a frame interval); frames with no active, visible sounding object are not scored.
 * The maps must cover the whole picture (the CLI's and the app's default aspect, 'squash').
 * Prints pointing, pixel AP, cIoU@0.5 and AUC, and the centre prior on the same frames.
 */
import { readFileSync } from 'node:fs';
import { baselines, boxesToMask, EVAL_SIZE, scoreFrame, summarize, type FrameScore } from '../src/engine/eval/metrics.ts';
import { soundingBoxes, type ClipMeta } from '../src/engine/eval/truth.ts';

export interface MapsFile {
  params?: { method?: string; aspect?: string | null };
  frames: { index: number; time: number; width: number; height: number; map: number[] }[];
}

export function scoreMaps(maps: MapsFile, meta: ClipMeta): { method: ReturnType<typeof summarize>; centre: ReturnType<typeof summarize>; hits: (boolean | null)[] } {
  if (maps.params?.aspect && maps.params.aspect !== 'squash') throw new Error(`maps made with aspect ${maps.params.aspect}: only whole-picture maps (squash) can be scored against the clip's boxes`);
  const dt = 1 / meta.config.fps;
  const scores: FrameScore[] = [];
  const centre: FrameScore[] = [];
  const hits: (boolean | null)[] = [];
  const c = baselines.centre();
  for (const f of maps.frames) {
    const k = Math.round(f.time / dt);
    if (k < 0 || k >= meta.frames.length || Math.abs(meta.frames[k].time - f.time) > dt / 2) { hits.push(null); continue; }
    const { boxes } = soundingBoxes(meta, k);
    if (!boxes.length) { hits.push(null); continue; }
    const G = boxesToMask(boxes, meta.config.width, meta.config.height);
    const s = scoreFrame(f.map, f.height, f.width, G);
    scores.push(s);
    hits.push(s.pointing);
    centre.push(scoreFrame(c, EVAL_SIZE, EVAL_SIZE, G));
  }
  return { method: summarize(scores), centre: summarize(centre), hits };
}

if (process.argv[1]?.endsWith('score-maps.ts')) {
  const [mapsPath, metaPath] = process.argv.slice(2).filter((a) => !a.startsWith('--'));
  if (!mapsPath || !metaPath) {
    console.error('usage: npx tsx tools/score-maps.ts maps.json meta.json [--json]');
    process.exit(2);
  }
  const maps = JSON.parse(readFileSync(mapsPath, 'utf8')) as MapsFile;
  const meta = JSON.parse(readFileSync(metaPath, 'utf8')) as ClipMeta;
  const r = scoreMaps(maps, meta);
  if (process.argv.includes('--json')) console.log(JSON.stringify({ name: maps.params?.method ?? null, ...r }, null, 1));
  else {
    const fmt = (s: ReturnType<typeof summarize>) => `pointing ${s.pointing.toFixed(3)}  pixelAP ${s.pixelAP.toFixed(3)}  cIoU@0.5 ${s.ciou50.toFixed(3)}  AUC ${s.auc.toFixed(3)}  (${s.n} frames)`;
    console.log(`${maps.params?.method ?? 'maps'}: ${fmt(r.method)}`);
    console.log(`centre prior: ${fmt(r.centre)}`);
    console.log(`hits per frame: ${r.hits.map((h) => (h === null ? '.' : h ? '1' : '0')).join('')}`);
  }
}
