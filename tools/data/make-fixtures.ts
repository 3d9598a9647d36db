/**
 * `npx tsx tools/data/make-fixtures.ts` — the tiny committed fixture set in e2e/fixtures/clips/
 * (a few 2-second clips with their ground truth, well under 5 MB, with licence notes), made by
 * the same generator as the benchmark. Tests that must run without the Debian assets use them.
 */
import { mkdirSync, rmSync, writeFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildCatalog } from './assets.ts';
import { type ClipOptions, writeClip } from './clip.ts';
import { licencesMarkdown, usedAssets } from './manifest.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const OUT = join(ROOT, 'e2e', 'fixtures', 'clips');

interface Spec { split: 'train' | 'val' | 'test'; seed: string; opts: Partial<ClipOptions>; want: (m: any) => boolean; note: string }

const SPECS: Spec[] = [
  { split: 'test', seed: 'fixture-a', note: '224x224, lossless frames + masks + stems, hard negative, off-screen source, no blur',
    opts: { seconds: 2, video: ['webm'], frames: true, stems: true, blur: 0, motion: 1.0, distractors: 2, sounding: 1, distance: 'far', leaveProb: 0, offscreenProb: 1 },
    want: (m) => m.knobs.hardNegative && m.knobs.offscreen && m.knobs.soundingVisibleFrac === 1 && m.knobs.soundingMaskAreaMean > 0.03 },
  { split: 'train', seed: 'fixture-b', note: '320x240, WebM + MP4, masks, no frames, near sounding object, motion blur',
    opts: { width: 320, height: 240, seconds: 2, video: ['webm', 'mp4'], frames: false, stems: false, blur: 0.5, motion: 1.2, distractors: 1, sounding: 1, distance: 'near' },
    want: (m) => m.knobs.soundingVisibleFrac === 1 },
  { split: 'val', seed: 'fixture-c', note: '224x224, two sounding objects, masks + stems, no frames',
    opts: { seconds: 2, video: ['webm'], frames: false, stems: true, sounding: 2, distractors: 1, motion: 0.6 },
    want: (m) => m.knobs.sounding === 2 },
];

const cat = buildCatalog((s) => console.log(s));
rmSync(OUT, { recursive: true, force: true });
mkdirSync(OUT, { recursive: true });
const metas: any[] = [];
const readme = ['# Fixture clips', '', 'Made by `npx tsx tools/data/make-fixtures.ts` (the synthetic generator in tools/data/). Each folder is one clip in the', 'generator\'s output format (see docs/dataset.md); sources and licences of every asset are in LICENSES.md and manifest.json.', ''];
for (const s of SPECS) {
  let done = false;
  for (let i = 0; i < 30 && !done; i++) {
    const r = writeClip(cat, OUT, s.split, s.seed, i, s.opts);
    if (s.want(r.meta)) {
      done = true;
      metas.push(r.meta);
      readme.push(`- \`${r.clipId}/\` (seed ${s.seed}, index ${i}): ${s.note}`);
      console.log(`${r.clipId}: ${s.note}`);
    } else rmSync(r.dir, { recursive: true, force: true });
  }
  if (!done) throw new Error(`no clip for fixture ${s.seed}`);
}
const used = usedAssets(cat, metas);
writeFileSync(join(OUT, 'manifest.json'), JSON.stringify({ generator: 'tools/data/make-fixtures.ts', clips: metas.map((m) => m.clipId), assets: used }, null, 1) + '\n');
writeFileSync(join(OUT, 'LICENSES.md'), licencesMarkdown('e2e/fixtures/clips', used));
writeFileSync(join(OUT, 'README.md'), readme.join('\n') + '\n');
const size = (p: string): number => statSync(p).isDirectory() ? readdirSync(p).reduce((a, n) => a + size(join(p, n)), 0) : statSync(p).size;
console.log(`fixtures: ${(size(OUT) / 1e6).toFixed(2)} MB in ${OUT}`);
