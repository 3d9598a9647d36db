/**
 * Rebuilds the committed test photos in tools/geometry/assets/ from Debian's python3-skimage data
 * images (the manifest there lists each source file and its licence).
 *
 *   mkdir -p .cache/skimage && cd .cache/skimage && apt-get download python3-skimage \
 *     && dpkg-deb -x python3-skimage_*.deb x && cd -
 *   npx tsx tools/geometry/make-assets.ts .cache/skimage/x/usr/lib/python3/dist-packages/skimage/data
 *
 * Each photo is converted to luminance, centre-cropped to 4:3 and resized (INTER_AREA) to
 * 400x300: test frames (320x240 and 224x224) are windows inside it, so a simulated head motion
 * brings real picture content in at the borders.
 */
import { readFile, writeFile, mkdir } from 'node:fs/promises';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadOpenCV } from '../../src/engine/geometry/opencv';
import { decodePngGray, encodePngGray } from '../../src/engine/geometry/png';
import { withCvScope } from '../../src/engine/geometry/scope';
import { PHOTO_MANIFEST, SOURCE_WIDTH, SOURCE_HEIGHT } from './assets/manifest';

async function main(): Promise<void> {
  const dataDir = process.argv[2];
  if (!dataDir) throw new Error('usage: tsx tools/geometry/make-assets.ts <skimage data dir>');
  const { cv } = await loadOpenCV();
  const outDir = join(dirname(fileURLToPath(import.meta.url)), 'assets');
  await mkdir(outDir, { recursive: true });
  for (const entry of PHOTO_MANIFEST) {
    const img = await decodePngGray(new Uint8Array(await readFile(join(dataDir, entry.sourceFile))));
    const out = withCvScope((scope) => {
      const src = scope.track(new cv.Mat(img.height, img.width, cv.CV_8UC1));
      src.data.set(img.data);
      // centre crop to 4:3
      let cw = img.width, ch = Math.round((img.width * 3) / 4);
      if (ch > img.height) { ch = img.height; cw = Math.round((img.height * 4) / 3); }
      const roi = scope.track(src.roi(new cv.Rect(Math.floor((img.width - cw) / 2), Math.floor((img.height - ch) / 2), cw, ch)));
      const dst = scope.track(new cv.Mat());
      cv.resize(roi, dst, new cv.Size(SOURCE_WIDTH, SOURCE_HEIGHT), 0, 0, cv.INTER_AREA);
      return new Uint8Array(dst.data as Uint8Array);
    });
    const png = await encodePngGray({ width: SOURCE_WIDTH, height: SOURCE_HEIGHT, data: out });
    await writeFile(join(outDir, entry.file), png);
    console.log(`${entry.file}: ${png.length} bytes (from ${entry.sourceFile} ${img.width}x${img.height})`);
  }
}

main().then(() => process.exit(0), (e) => { console.error(e instanceof Error ? e.message : e); process.exit(1); });
