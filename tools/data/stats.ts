/**
 * `npm run data -- --stats DIR`: what a generated dataset contains (classes, recordings per
 * split and any leak between splits, histograms of the difficulty knobs) and how fast it was
 * generated.
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

interface Meta {
  clipId: string;
  split: string;
  knobs: { motion: number; motionPxPerFrame: number; blur: number; snrDb: number | null; distractors: number; hardNegative: boolean;
    sounding: number; soundingDistance: string[]; soundingMaskAreaMean: number; soundingVisibleFrac: number; leavesView: boolean; offscreen: boolean };
  objects: { classLabel: string; sounding: boolean; recordingId: string | null }[];
  sources: { recordingId: string | null; onScreen: boolean; kind: string; classLabel: string }[];
  segments: { labels: string[] }[];
}

function hist(values: number[], edges: number[], fmt = (x: number) => String(x)): string {
  const counts = new Array(edges.length + 1).fill(0);
  for (const v of values) {
    let k = 0;
    while (k < edges.length && v >= edges[k]) k++;
    counts[k]++;
  }
  const labels = counts.map((_, k) => (k === 0 ? `<${fmt(edges[0])}` : k === edges.length ? `>=${fmt(edges[k - 1])}` : `${fmt(edges[k - 1])}-${fmt(edges[k])}`));
  const mx = Math.max(1, ...counts);
  return counts.map((c, k) => `    ${labels[k].padEnd(10)} ${String(c).padStart(6)} ${'#'.repeat(Math.round((c / mx) * 40))}`).join('\n');
}

export function loadMetas(dir: string): Meta[] {
  const metas: Meta[] = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name, 'meta.json');
    if (statSync(join(dir, name)).isDirectory() && existsSync(p)) metas.push(JSON.parse(readFileSync(p, 'utf8')));
  }
  return metas;
}

export function datasetStats(dir: string): string {
  const metas = loadMetas(dir);
  if (metas.length === 0) return `no clips (no */meta.json) under ${dir}`;
  const out: string[] = [];
  const splits = [...new Set(metas.map((m) => m.split))].sort();
  out.push(`dataset ${dir}: ${metas.length} clips (${splits.map((s) => `${s} ${metas.filter((m) => m.split === s).length}`).join(', ')})`);
  for (const s of splits) {
    const idx = join(dir, `${s}.json`);
    if (existsSync(idx)) {
      const j = JSON.parse(readFileSync(idx, 'utf8'));
      if (j.elapsedSeconds > 0) out.push(`  ${s}: generated ${j.clips.length} clips in ${j.elapsedSeconds.toFixed(1)} s = ${((j.clips.length / j.elapsedSeconds) * 60).toFixed(1)} clips/min; hash ${j.hash}`);
    }
  }
  // recordings per split and leakage
  const recSplits = new Map<string, Set<string>>();
  for (const m of metas) for (const src of m.sources) if (src.recordingId) {
    const set = recSplits.get(src.recordingId) ?? new Set<string>();
    set.add(m.split);
    recSplits.set(src.recordingId, set);
  }
  out.push('recordings (distinct, heard):');
  for (const s of splits) {
    const onScr = new Set<string>(), off = new Set<string>();
    for (const m of metas.filter((x) => x.split === s)) for (const src of m.sources) if (src.recordingId) (src.onScreen ? onScr : off).add(src.recordingId);
    out.push(`  ${s.padEnd(6)} on-screen ${onScr.size}, off-screen ${off.size}`);
  }
  const leaks = [...recSplits.entries()].filter(([, v]) => v.size > 1);
  out.push(`  recordings heard in more than one split: ${leaks.length}${leaks.length ? ' (LEAK: ' + leaks.slice(0, 5).map(([k, v]) => `${k}:${[...v].join('+')}`).join(', ') + ')' : ''}`);
  // classes
  const cls = new Map<string, number>();
  for (const m of metas) for (const o of m.objects) if (o.sounding) cls.set(o.classLabel, (cls.get(o.classLabel) ?? 0) + 1);
  const top = [...cls.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  out.push(`sounding classes: ${cls.size} distinct; ${top.slice(0, 25).map(([k, v]) => `${k} ${v}`).join(', ')}${top.length > 25 ? ', ...' : ''}`);
  const segs = metas.flatMap((m) => m.segments);
  out.push(`1-s segments: ${segs.length}, with an on-screen or off-screen event ${segs.filter((g) => g.labels.length > 0).length}, silent ${segs.filter((g) => g.labels.length === 0).length}`);
  const k = metas.map((m) => m.knobs);
  const frac = (f: (x: Meta['knobs']) => boolean) => `${((100 * k.filter(f).length) / k.length).toFixed(0)}%`;
  out.push(`clips with 2 sounding objects ${frac((x) => x.sounding === 2)}, hard negative ${frac((x) => x.hardNegative)}, off-screen source ${frac((x) => x.offscreen)}, sounding object leaves view ${frac((x) => x.leavesView)}, motion blur ${frac((x) => x.blur > 0)}, near sounding object ${frac((x) => x.soundingDistance.includes('near'))}`);
  out.push('camera motion (mean corner displacement per frame, px):');
  out.push(hist(k.map((x) => x.motionPxPerFrame), [1, 2, 4, 8, 16]));
  out.push('off-screen SNR (dB, binaural):');
  out.push(hist(k.filter((x) => x.snrDb !== null).map((x) => x.snrDb as number), [0, 5, 10, 15]));
  out.push('silent distractors per clip:');
  out.push(hist(k.map((x) => x.distractors), [1, 2, 3]));
  out.push('sounding-object mask area (mean fraction of frame):');
  out.push(hist(k.map((x) => x.soundingMaskAreaMean), [0.02, 0.05, 0.1, 0.2, 0.4], (x) => x.toFixed(2)));
  out.push('fraction of frames with the sounding object visible:');
  out.push(hist(k.map((x) => x.soundingVisibleFrac), [0.25, 0.5, 0.75, 1], (x) => x.toFixed(2)));
  return out.join('\n');
}
