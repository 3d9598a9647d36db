/**
 * Fills a synthetic split with `npm run data` while stepping over clip indices the generator
 * cannot make ("could not place sounding object ...": the generator exits, and with --jobs the
 * whole run stops). Deterministic: a clip is a pure function of (seed, split, index), so the same
 * indices fail every time; they are listed in DIR/<split>-skipped.json.
 *
 *   npx tsx tools/models/gen-data.ts --out DIR --split train --clips N --seed S [--jobs 2] [--vocabulary K]
 *
 * Clips are written with `--video none --no-stems` (the localizers read frames, masks, the mono
 * mix and meta.json). Existing complete clips (meta.json present) are kept.
 */
import { spawn } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

function arg(name: string, def?: string): string {
  const i = process.argv.indexOf(`--${name}`);
  if (i >= 0 && process.argv[i + 1] !== undefined) return process.argv[i + 1];
  if (def === undefined) { console.error(`--${name} is required`); process.exit(2); }
  return def;
}

const out = arg('out');
const split = arg('split');
const clips = Number(arg('clips'));
const seed = arg('seed');
const jobs = Math.max(1, Number(arg('jobs', '2')));
const vocabulary = arg('vocabulary', '');
const clipDir = (i: number) => join(out, `${split}-${String(i).padStart(6, '0')}`);
const done = (i: number) => existsSync(join(clipDir(i), 'meta.json'));

function run(start: number, count: number): Promise<number> {
  return new Promise((res) => {
    const child = spawn(process.execPath, [...process.execArgv, 'tools/data/cli.ts', '--out', out, '--split', split, '--seed', seed,
      '--start', String(start), '--clips', String(count), '--worker', '0/1', '--video', 'none', '--no-stems',
      ...(vocabulary ? ['--vocabulary', vocabulary] : [])], { stdio: ['ignore', 'inherit', 'inherit'] });
    child.on('exit', (code) => res(code ?? 1));
  });
}

/** One lane: indices lane, lane + jobs, ... are not interleaved; each lane owns a contiguous range. */
async function lane(lo: number, hi: number, skipped: number[]): Promise<void> {
  let i = lo;
  while (i < hi) {
    while (i < hi && done(i)) i++;
    if (i >= hi) break;
    let j = i;
    while (j < hi && !done(j)) j++;
    const code = await run(i, j - i);
    if (code === 0) { i = j; continue; }
    let k = i;
    while (k < j && done(k)) k++;
    if (k < j) { skipped.push(k); console.log(`skipping ${split} clip ${k} (the generator failed on it)`); }
    i = k + 1;
  }
}

const skipped: number[] = [];
const per = Math.ceil(clips / jobs);
await Promise.all(Array.from({ length: jobs }, (_, l) => lane(l * per, Math.min(clips, (l + 1) * per), skipped)));
skipped.sort((a, b) => a - b);
writeFileSync(join(out, `${split}-skipped.json`), JSON.stringify({ split, seed, clips, skipped }, null, 1) + '\n');
console.log(`${split}: ${clips - skipped.length} clips, skipped ${skipped.length}: ${skipped.join(', ')}`);
