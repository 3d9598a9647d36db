/**
 * The test photographs of tools/geometry/assets (manifest there), bundled into the harness page
 * and decoded to grey once; shared by the geometry checks and the homography bench.
 */
import { decodePngGray, type GrayImage } from '../../engine/geometry/png';
import { PHOTO_MANIFEST } from '../../../tools/geometry/assets/manifest';

const photoUrls = import.meta.glob<string>('../../../tools/geometry/assets/*.png', { query: '?url', import: 'default', eager: true });

let photos: Promise<GrayImage[]> | null = null;

export function loadTestPhotos(): Promise<GrayImage[]> {
  photos ??= Promise.all(PHOTO_MANIFEST.map(async (e) => {
    const key = Object.keys(photoUrls).find((k) => k.endsWith(`/${e.file}`));
    if (!key) throw new Error(`test photo ${e.file} not bundled`);
    const res = await fetch(photoUrls[key]);
    return decodePngGray(new Uint8Array(await res.arrayBuffer()));
  }));
  return photos;
}
