/** Node-only helper for the unit tests and tools: the committed test photos, decoded. */
import { readFile } from 'node:fs/promises';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodePngGray, type GrayImage } from './png';
import { PHOTO_MANIFEST } from '../../../tools/geometry/assets/manifest';

export const ASSET_DIR = join(dirname(fileURLToPath(import.meta.url)), '../../../tools/geometry/assets');

export async function loadTestPhotos(): Promise<GrayImage[]> {
  return Promise.all(PHOTO_MANIFEST.map(async (e) => decodePngGray(new Uint8Array(await readFile(join(ASSET_DIR, e.file))))));
}
