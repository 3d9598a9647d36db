import { describe, expect, it } from 'vitest';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { decodePngGray, decodePngRgba, encodePngGray } from './png';
import { ASSET_DIR } from './testPhotosNode';
import { PHOTO_MANIFEST, SOURCE_WIDTH, SOURCE_HEIGHT } from '../../../tools/geometry/assets/manifest';

describe('png codec', () => {
  it('round-trips a gray image exactly (every filter type gets used)', async () => {
    const w = 37, h = 23;
    const data = new Uint8Array(w * h);
    for (let k = 0; k < data.length; k++) data[k] = (k * 97 + ((k / w) | 0) * 13 + (k % 5 === 0 ? 200 : 0)) & 255;
    const rgba = await decodePngRgba(await encodePngGray({ width: w, height: h, data }));
    expect(rgba.data[4 * 5]).toBe(data[5]);
    expect(rgba.data[4 * 5 + 3]).toBe(255);
    const decoded = await decodePngGray(await encodePngGray({ width: w, height: h, data }));
    expect(decoded.width).toBe(w);
    expect(decoded.height).toBe(h);
    expect(Array.from(decoded.data)).toEqual(Array.from(data));
  });

  it('decodes every committed test photo at the manifest size', async () => {
    for (const e of PHOTO_MANIFEST) {
      const img = await decodePngGray(new Uint8Array(await readFile(join(ASSET_DIR, e.file))));
      expect([img.width, img.height], e.file).toEqual([SOURCE_WIDTH, SOURCE_HEIGHT]);
      let s = 0;
      for (const v of img.data) s += v;
      expect(s / img.data.length, e.file).toBeGreaterThan(20);
    }
  });

  it('rejects what is not a PNG', async () => {
    await expect(decodePngGray(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9]))).rejects.toThrow(/not a PNG/);
  });
});
