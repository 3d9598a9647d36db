/**
 * `npm run data -- ...`: the synthetic egocentric audio-visual benchmark generator.
 *
 *   npm run data -- --out DIR --clips N --seed S --split train|val|test [options]
 *   npm run data -- --stats DIR
 *   npm run data -- --assets          fetch the Debian packages, build the catalog, print a summary
 *
 * Options: --size 224|320x240 (224)  --seconds S (4)  --fps F (8)  --motion M (random 0.2-1.5)
 *          --blur B (random)  --video webm,mp4|webm|mp4|none (webm,mp4)  --no-frames  --no-stems
 *          --start K (first clip index, 0)  --distractors D  --sounding 1|2  --jobs J (processes, 1)
 *          --vocabulary K (only the split's first K sounding objects by asset id: many clips per sound)
 * Output: DIR/<split>-NNNNNN/{frames,masks,stems,meta.json,...}, DIR/<split>.json (index + hash),
 * DIR/assets-<split>.json and DIR/LICENSES-<split>.md (every asset used, with its licence).
 * Same seed, options and assets -> same bytes; the hash printed at the end covers every file.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { hashFiles } from './hash.ts';
import { join, resolve } from 'node:path';
import { type Split, SPLITS, buildCatalog } from './assets.ts';
import { type ClipOptions, writeClip } from './clip.ts';
import { licencesMarkdown, usedAssets } from './manifest.ts';
import { datasetStats } from './stats.ts';

function usage(msg?: string): never {
  if (msg) console.error(`error: ${msg}`);
  console.error('usage: npm run data -- --out DIR --clips N --seed S --split train|val|test [--size 224|320x240] [--seconds 4] [--fps 8]\n' +
    '         [--motion M] [--blur B] [--video webm,mp4|none] [--no-frames] [--no-stems] [--start K] [--distractors D] [--sounding 1|2] [--vocabulary K] [--jobs J]\n' +
    '       npm run data -- --stats DIR\n       npm run data -- --assets');
  process.exit(2);
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const flags = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) usage(`unexpected argument ${a}`);
    const next = argv[i + 1];
    if (next !== undefined && !next.startsWith('--')) { flags.set(a.slice(2), next); i++; }
    else flags.set(a.slice(2), true);
  }
  const str = (k: string) => { const v = flags.get(k); return typeof v === 'string' ? v : undefined; };
  const num = (k: string) => { const v = str(k); if (v === undefined) return undefined; const n = Number(v); if (!Number.isFinite(n)) usage(`--${k} needs a number`); return n; };

  if (flags.has('stats')) {
    const dir = str('stats') ?? usage('--stats needs a directory');
    console.log(datasetStats(resolve(dir)));
    return;
  }
  if (flags.has('assets')) {
    const cat = buildCatalog((s) => console.log(s));
    const by: Record<string, number> = {};
    for (const a of cat.assets) by[`${a.kind}/${a.split ?? 'any'}`] = (by[`${a.kind}/${a.split ?? 'any'}`] ?? 0) + 1;
    console.log(JSON.stringify({ packages: cat.packages, counts: by }, null, 1));
    return;
  }
  const out = str('out') ?? usage('--out is required');
  const clips = num('clips') ?? usage('--clips is required');
  const seed = str('seed') ?? usage('--seed is required');
  const split = (str('split') ?? usage('--split is required')) as Split;
  if (!SPLITS.includes(split)) usage('--split must be train, val or test');
  const size = str('size') ?? '224';
  const [width, height] = size === '224' || size === '224x224' ? [224, 224] : size === '320x240' ? [320, 240] : usage('--size must be 224 or 320x240');
  const videoArg = str('video') ?? 'webm,mp4';
  const video = videoArg === 'none' ? [] : videoArg.split(',').map((v) => { if (v !== 'webm' && v !== 'mp4') usage('--video: webm, mp4 or none'); return v; }) as ClipOptions['video'];
  const opts: Partial<ClipOptions> = {
    width, height, video,
    seconds: num('seconds'), fps: num('fps'), motion: num('motion') ?? null, blur: num('blur') ?? null,
    frames: !flags.has('no-frames'), stems: !flags.has('no-stems'),
    distractors: num('distractors') ?? null, sounding: num('sounding') ?? null, vocabulary: num('vocabulary') ?? null,
  };
  for (const k of Object.keys(opts) as (keyof ClipOptions)[]) if (opts[k] === undefined) delete opts[k];
  const start = num('start') ?? 0;
  const jobs = Math.max(1, Math.min(16, num('jobs') ?? 1));
  const worker = str('worker');
  const dir = resolve(out);
  mkdirSync(dir, { recursive: true });
  const cat = buildCatalog((s) => console.log(s));
  const t0 = Date.now();
  const mine = (i: number) => {
    if (!worker) return true;
    const [j, J] = worker.split('/').map(Number);
    return (i - start) % J === j;
  };
  if (worker || jobs === 1) {
    for (let i = start; i < start + clips; i++) {
      if (!mine(i)) continue;
      const r = writeClip(cat, dir, split, seed, i, opts);
      const k = (r.meta as { knobs: Record<string, unknown> }).knobs;
      console.log(`${r.clipId}  motion ${k.motionPxPerFrame} px/f  snr ${k.snrDb ?? '-'} dB  distractors ${k.distractors}  area ${k.soundingMaskAreaMean}  (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
    }
    if (worker) return;
  } else {
    // J worker processes, clip i to worker (i - start) mod J; output is identical to jobs = 1
    const args = process.argv.slice(2).filter((_, i, a) => a[i] !== '--jobs' && a[i - 1] !== '--jobs');
    const codes = await Promise.all(Array.from({ length: jobs }, (_, j) => new Promise<number>((res) => {
      const child = spawn(process.execPath, [...process.execArgv, process.argv[1], ...args, '--worker', `${j}/${jobs}`], { stdio: ['ignore', 'inherit', 'inherit'] });
      child.on('exit', (code) => res(code ?? 1));
    })));
    if (codes.some((c) => c !== 0)) throw new Error(`a generator worker failed (exit codes ${codes.join(', ')})`);
  }
  const elapsed = (Date.now() - t0) / 1000;
  const index: { clipId: string; hash: string; files: number }[] = [];
  const metas: Parameters<typeof usedAssets>[1] = [];
  const allFiles: string[] = [];
  for (let i = start; i < start + clips; i++) {
    const clipId = `${split}-${String(i).padStart(6, '0')}`;
    const rels = listFiles(join(dir, clipId)).map((f) => `${clipId}/${f}`);
    allFiles.push(...rels);
    index.push({ clipId, hash: hashFiles(dir, rels), files: rels.length });
    metas.push(JSON.parse(readFileSync(join(dir, clipId, 'meta.json'), 'utf8')));
  }
  const used = usedAssets(cat, metas);
  writeFileSync(join(dir, `assets-${split}.json`), JSON.stringify(used, null, 1) + '\n');
  writeFileSync(join(dir, `LICENSES-${split}.md`), licencesMarkdown(`${split} split`, used));
  const hash = hashFiles(dir, allFiles);
  writeFileSync(join(dir, `${split}.json`), JSON.stringify({
    format: 'egosound-synth/1', split, seed, start, options: opts, packages: cat.packages, clips: index, hash, elapsedSeconds: elapsed, jobs,
  }, null, 1) + '\n');
  console.log(`${clips} clips in ${elapsed.toFixed(1)} s (${((clips / elapsed) * 60).toFixed(1)} clips/min, ${jobs} job${jobs > 1 ? 's' : ''})`);
  console.log(`hash ${hash}`);
}

function listFiles(root: string, sub = ''): string[] {
  const out: string[] = [];
  for (const name of readdirSync(join(root, sub)).sort()) {
    const rel = sub ? `${sub}/${name}` : name;
    if (statSync(join(root, rel)).isDirectory()) out.push(...listFiles(root, rel));
    else out.push(rel);
  }
  return out;
}

main().catch((e) => {
  console.error(e instanceof Error ? `${e.name}: ${e.message}` : e);
  process.exit(1);
});
