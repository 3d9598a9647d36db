/**
 * opencv.js (wasm, in Node) vs native OpenCV (Debian's python3-opencv) on the same pairs and the
 * same pipeline, side by side in one run:
 *
 *   apt-get install python3-opencv      # only for this comparison; not a dependency
 *   npx tsx tools/geometry/native-compare.ts [--pairs 6] [--python /usr/bin/python3]
 *
 * Writes the accuracy-protocol pairs (evaluate.ts: 8 photos x `pairs` seeds, 224x224 and 320x240)
 * as PGM files to a temporary folder, times estimatePairHomography on them here, then runs
 * native-opencv.py (ORB with the same grid spreading, Hamming kNN + ratio + cross-check, MAGSAC,
 * ECC) on the same files, and prints a markdown table for docs/geometry.md.
 */
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execFileSync } from 'node:child_process';
import { loadOpenCV } from '../../src/engine/geometry/opencv';
import { decodePngGray, type GrayImage } from '../../src/engine/geometry/png';
import { validateHomographyConfig } from '../../src/engine/geometry/config';
import { estimatePairHomography } from '../../src/engine/geometry/estimate';
import { meanCornerError } from '../../src/engine/geometry/homography';
import { synthPair } from '../../src/engine/geometry/synth';
import { SUCCESS_PX } from '../../src/engine/geometry/evaluate';
import { PHOTO_MANIFEST } from './assets/manifest';

function arg(name: string, dflt: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : dflt;
}

function writePgm(path: string, img: GrayImage): void {
  const head = Buffer.from(`P5\n${img.width} ${img.height}\n255\n`, 'ascii');
  writeFileSync(path, Buffer.concat([head, Buffer.from(img.data)]));
}

interface Row { impl: string; shape: string; pairs: number; ms: number; successRate: number; fallbackRate: number; meanCornerErrPx: number }

function summarizeRows(impl: string, shape: string, errs: number[], fallbacks: boolean[], ms: number[]): Row {
  const ok = errs.filter((e, k) => !fallbacks[k] && e < SUCCESS_PX);
  return {
    impl, shape, pairs: errs.length, ms: ms.reduce((a, b) => a + b, 0) / ms.length,
    successRate: ok.length / errs.length, fallbackRate: fallbacks.filter(Boolean).length / errs.length,
    meanCornerErrPx: ok.reduce((a, b) => a + b, 0) / Math.max(1, ok.length),
  };
}

async function main(): Promise<void> {
  const pairsPerPhoto = Number(arg('pairs', '6'));
  const python = arg('python', '/usr/bin/python3');
  const here = dirname(fileURLToPath(import.meta.url));
  const { cv } = await loadOpenCV();
  const photos = await Promise.all(PHOTO_MANIFEST.map(async (e) => decodePngGray(new Uint8Array(await readFile(join(here, 'assets', e.file))))));
  const cfg = validateHomographyConfig();
  const dir = mkdtempSync(join(tmpdir(), 'egosound-native-'));
  const rows: Row[] = [];
  try {
    for (const [w, h] of [[224, 224], [320, 240]]) {
      const shape = `${w}x${h}`;
      const list: { j: string; i: string; H: number[] }[] = [];
      const pairs = photos.flatMap((p, pi) => Array.from({ length: pairsPerPhoto }, (_, k) => synthPair(cv, p, w, h, (424242 + 1000 * pi + k) >>> 0)));
      pairs.forEach((p, n) => {
        const j = join(dir, `${shape}-${n}-j.pgm`), i = join(dir, `${shape}-${n}-i.pgm`);
        writePgm(j, p.frameJ); writePgm(i, p.frameI);
        list.push({ j, i, H: p.H });
      });
      writeFileSync(join(dir, `${shape}.json`), JSON.stringify({ cfg, pairs: list }));
      for (let k = 0; k < 3; k++) estimatePairHomography(cv, pairs[k].frameJ, pairs[k].frameI, cfg); // warm-up
      const errs: number[] = [], fbs: boolean[] = [], ms: number[] = [];
      for (const p of pairs) {
        const t0 = performance.now();
        const r = estimatePairHomography(cv, p.frameJ, p.frameI, cfg);
        ms.push(performance.now() - t0);
        errs.push(meanCornerError(r.H, p.H, w, h));
        fbs.push(r.fallback);
      }
      rows.push(summarizeRows('opencv.js 4.12 (wasm, Node)', shape, errs, fbs, ms));
      const out = execFileSync(python, [join(here, 'native-opencv.py'), join(dir, `${shape}.json`)], { encoding: 'utf8' });
      const nat = JSON.parse(out) as { version: string; results: { H: number[] | null; ms: number }[] };
      const nErrs = nat.results.map((r, k) => (r.H ? meanCornerError(r.H, list[k].H, w, h) : meanCornerError([1, 0, 0, 0, 1, 0, 0, 0, 1], list[k].H, w, h)));
      rows.push(summarizeRows(`native OpenCV ${nat.version} (python3-opencv)`, shape, nErrs, nat.results.map((r) => !r.H), nat.results.map((r) => r.ms)));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  console.log('| implementation | shape | pairs | ms / pair | success | fallback | mean corner err (ok) px |');
  console.log('|---|---|---|---|---|---|---|');
  for (const r of rows) console.log(`| ${r.impl} | ${r.shape} | ${r.pairs} | ${r.ms.toFixed(1)} | ${(100 * r.successRate).toFixed(1)}% | ${(100 * r.fallbackRate).toFixed(1)}% | ${r.meanCornerErrPx.toFixed(3)} |`);
  for (const shape of ['224x224', '320x240']) {
    const [js, nat] = rows.filter((r) => r.shape === shape);
    console.log(`${shape}: opencv.js / native time ratio ${(js.ms / nat.ms).toFixed(2)}x`);
  }
}

main().then(() => process.exit(0), (e) => { console.error(e instanceof Error ? e.stack : e); process.exit(1); });
