/**
 * Direct (j -> i) vs chained (consecutive pairs, composed) vs hybrid homographies over T-frame
 * windows of simulated head motion on the test photos; prints the table in docs/geometry.md.
 *
 *   npx tsx tools/geometry/direct-vs-chained.ts [--seqs 3] [--T 9] [--steps 0.2,0.4] [--shape 320x240]
 *
 * Each window is a random walk of per-step homographies drawn from `step` x the head
 * motion range (rotation 15 deg, scale 0.85-1.15, translation 15%, slight perspective); the
 * query is the middle frame. Success = no fallback and mean corner error < 3 px.
 */
import { readFile } from 'node:fs/promises';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadOpenCV } from '../../src/engine/geometry/opencv';
import { decodePngGray } from '../../src/engine/geometry/png';
import { validateHomographyConfig } from '../../src/engine/geometry/config';
import { estimateWindow, type WindowMode } from '../../src/engine/geometry/window';
import { synthSequence, scaleMotion, HEAD_MOTION } from '../../src/engine/geometry/synth';
import { invert, meanCornerError, mul } from '../../src/engine/geometry/homography';
import { PHOTO_MANIFEST } from './assets/manifest';

function arg(name: string, dflt: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : dflt;
}

async function main(): Promise<void> {
  const seqs = Number(arg('seqs', '3'));
  const T = Number(arg('T', '9'));
  const steps = arg('steps', '0.2,0.4').split(',').map(Number);
  const [w, h] = arg('shape', '320x240').split('x').map(Number);
  const { cv } = await loadOpenCV();
  const dir = join(dirname(fileURLToPath(import.meta.url)), 'assets');
  const photos = await Promise.all(PHOTO_MANIFEST.map(async (e) => decodePngGray(new Uint8Array(await readFile(join(dir, e.file))))));
  const cfg = validateHomographyConfig();
  const query = Math.floor(T / 2);
  console.log(`| step (x head range) | mode | ms / window | success all | success by distance 1..${query} | mean err (ok) by distance |`);
  console.log('|---|---|---|---|---|---|');
  for (const step of steps) {
    const range = scaleMotion(HEAD_MOTION, step);
    const windows = photos.flatMap((p, pi) => Array.from({ length: seqs }, (_, s) => synthSequence(cv, p, w, h, T, 7000 + 100 * pi + s, range)));
    // warm-up (wasm tier-up) so the first mode is not charged for it
    estimateWindow(cv, windows[0].frames, query, cfg, 'direct');
    for (const mode of ['direct', 'chained', 'hybrid'] as WindowMode[]) {
      const okBy = new Array(query + 1).fill(0), nBy = new Array(query + 1).fill(0), errBy = new Array(query + 1).fill(0);
      let ms = 0;
      for (const win of windows) {
        const t0 = performance.now();
        const r = estimateWindow(cv, win.frames, query, cfg, mode);
        ms += performance.now() - t0;
        const Pi = invert(win.poses[query]);
        for (let j = 0; j < T; j++) {
          if (j === query) continue;
          const truth = mul(Pi, win.poses[j]);
          const e = meanCornerError(r.pairs[j].H, truth, w, h);
          const d = Math.abs(j - query);
          nBy[d]++;
          if (!r.pairs[j].fallback && e < 3) { okBy[d]++; errBy[d] += e; }
        }
      }
      const nAll = nBy.reduce((a, b) => a + b, 0), okAll = okBy.reduce((a, b) => a + b, 0);
      const pct = (a: number, b: number) => `${((100 * a) / b).toFixed(0)}%`;
      console.log(`| ${step} | ${mode} | ${(ms / windows.length).toFixed(0)} | ${pct(okAll, nAll)} | ${okBy.slice(1).map((o, k) => pct(o, nBy[k + 1])).join(' / ')} | ${errBy.slice(1).map((e, k) => (okBy[k + 1] ? e / okBy[k + 1] : NaN).toFixed(2)).join(' / ')} |`);
    }
  }
}

main().then(() => process.exit(0), (e) => { console.error(e instanceof Error ? e.stack : e); process.exit(1); });
