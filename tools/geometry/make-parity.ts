/**
 * Regenerates src/engine/geometry/fixtures/parity.json (the Node side of the Node/Chromium
 * parity check). Run after any change to the estimation pipeline or its defaults:
 *   npx tsx tools/geometry/make-parity.ts
 */
import { writeFile } from 'node:fs/promises';
import { loadOpenCV } from '../../src/engine/geometry/opencv';
import { loadTestPhotos } from '../../src/engine/geometry/testPhotosNode';
import { parityRecords } from '../../src/engine/geometry/parity';

async function main(): Promise<void> {
  const { cv } = await loadOpenCV();
  const recs = parityRecords(cv, await loadTestPhotos());
  await writeFile(new URL('../../src/engine/geometry/fixtures/parity.json', import.meta.url), JSON.stringify(recs) + '\n');
  console.log(`${recs.length} records written`);
}
main().then(() => process.exit(0), (e) => { console.error(e); process.exit(1); });
