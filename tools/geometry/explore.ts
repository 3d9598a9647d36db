/**
 * Tries homography configurations on the accuracy protocol and prints one line each.
 *   npx tsx tools/geometry/explore.ts [pairsPerPhoto] [WxH] '<json config overrides>' ...
 */
import { readFile } from 'node:fs/promises';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadOpenCV } from '../../src/engine/geometry/opencv';
import { decodePngGray } from '../../src/engine/geometry/png';
import { validateHomographyConfig } from '../../src/engine/geometry/config';
import { runAccuracy, summarize } from '../../src/engine/geometry/evaluate';
import { PHOTO_MANIFEST } from './assets/manifest';

async function main(): Promise<void> {
  const [pairsArg = '10', shape = '320x240', ...cfgs] = process.argv.slice(2);
  const [w, h] = shape.split('x').map(Number);
  const { cv } = await loadOpenCV();
  const dir = join(dirname(fileURLToPath(import.meta.url)), 'assets');
  const photos = await Promise.all(PHOTO_MANIFEST.map(async (e) => decodePngGray(new Uint8Array(await readFile(join(dir, e.file))))));
  for (const c of cfgs.length ? cfgs : ['{}']) {
    const cfg = validateHomographyConfig(JSON.parse(c));
    const outs = runAccuracy(cv, photos, cfg, { width: w, height: h, pairsPerPhoto: Number(pairsArg), seed: 1 });
    const s = summarize(outs);
    const perPhoto = PHOTO_MANIFEST.map((e, p) => { const o = outs.filter((x) => x.photo === p); return `${e.file.slice(0, 5)}:${o.filter((x) => !x.result.fallback && x.errPx < 3).length}/${o.length}`; }).join(' ');
    console.log(`${c} | succ ${(100 * s.successRate).toFixed(1)}% fb ${(100 * s.fallbackRate).toFixed(1)}% meanOk ${s.meanCornerErrPx.toFixed(3)} med ${s.medianCornerErrPx.toFixed(3)} meanAll ${s.meanCornerErrAllPx.toFixed(2)} ecc ${(100 * s.eccRate).toFixed(0)}% ${s.ms.toFixed(1)} ms | ${perPhoto}`);
    if (process.env.SHOW_FAIL) for (const o of outs) if (o.result.fallback || o.errPx >= 3) console.log('   fail', o.photo, o.seed, o.errPx.toFixed(2), o.result.reason, o.result.matches, o.result.inliers, o.result.refined);
  }
}
main().then(() => process.exit(0), (e) => { console.error(e instanceof Error ? e.stack : e); process.exit(1); });
