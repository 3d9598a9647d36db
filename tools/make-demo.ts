/**
 * `npm run demo` — makes the app's demo clip(s) in public/demo/ with the synthetic data
 * generator (tools/data/): one clearly sounding object, a moving head camera, a WebM (VP9 +
 * Opus) the browser plays, the ground truth beside it, and the licence of every asset used.
 *
 *   npm run demo [-- --seed S]
 *
 * Candidates are generated from consecutive indices until one passes the "clear demo" checks
 * (sounding object visible in every frame and sounding in most 1-s segments, a nature photo
 * behind it, no off-screen source, size limit); the same seed always picks the same clip.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildCatalog } from './data/assets.ts';
import { writeClip } from './data/clip.ts';
import { licencesMarkdown, usedAssets } from './data/manifest.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const OUT = join(ROOT, 'public', 'demo');
const args = process.argv.slice(2);
const seedArg = args.indexOf('--seed');
const seed = seedArg >= 0 ? args[seedArg + 1] : 'demo-1';

const cat = buildCatalog((s) => console.log(s));
const tmp = mkdtempSync(join(tmpdir(), 'egosound-demo-'));
try {
  let chosen: ReturnType<typeof writeClip> | null = null;
  for (let i = 0; i < 40 && !chosen; i++) {
    const r = writeClip(cat, tmp, 'train', seed, i, {
      width: 320, height: 240, seconds: 5, fps: 8, motion: 0.9, blur: 0.3, sounding: 1, distractors: 2,
      offscreenProb: 0, leaveProb: 0, distance: 'far', video: ['webm'], frames: true, stems: false, crf: 34,
    });
    const m = r.meta as any;
    const snd = m.objects.find((o: any) => o.sounding);
    const active = m.sources[0].activeSegments.filter(Boolean).length;
    const visible = m.knobs.soundingVisibleFrac;
    const size = statSync(join(r.dir, 'video.webm')).size;
    console.log(`candidate ${i}: ${snd.classLabel} on ${m.background.assetId}, visible ${visible}, active ${active}/5, area ${m.knobs.soundingMaskAreaMean}, ${size} B`);
    // a nature photo behind (no face to confuse an audio-visual model), a clearly visible object
    if (visible === 1 && active >= 4 && m.knobs.soundingMaskAreaMean >= 0.05 && m.background.assetId.startsWith('mate:') && !m.knobs.hardNegative && size < 1_500_000) chosen = r;
  }
  if (!chosen) throw new Error('no candidate clip passed the demo checks; try another --seed');
  mkdirSync(OUT, { recursive: true });
  copyFileSync(join(chosen.dir, 'video.webm'), join(OUT, 'demo.webm'));
  const meta = JSON.parse(readFileSync(join(chosen.dir, 'meta.json'), 'utf8'));
  // the demo ships the video and its ground truth; frames, masks and wavs stay out (size)
  meta.video = { webm: 'demo.webm', mp4: null };
  meta.audio = { ...meta.audio, binaural16k: null, mono11k: null };
  for (const f of meta.frames) { f.image = null; f.mask = null; }
  writeFileSync(join(OUT, 'demo.meta.json'), JSON.stringify(meta, null, 1) + '\n');
  const used = usedAssets(cat, [meta]);
  writeFileSync(join(OUT, 'manifest.json'), JSON.stringify({
    generator: 'tools/make-demo.ts (tools/data synthetic egocentric AV generator)',
    command: `npm run demo -- --seed ${seed}`,
    files: { 'demo.webm': 'VP9 + Opus, 320x240, 8 fps, 5 s, binaural stereo', 'demo.meta.json': 'ground truth (egosound-synth/1)' },
    licence: 'GPL-2.0-or-later (contains GPL-2+ Tux Paint stamps and sounds); parts listed below',
    assets: used,
  }, null, 1) + '\n');
  writeFileSync(join(OUT, 'LICENSES.md'), licencesMarkdown('public/demo', used));
  console.log(`demo: ${chosen.clipId} -> public/demo/demo.webm (${statSync(join(OUT, 'demo.webm')).size} bytes)`);
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
