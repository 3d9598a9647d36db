import { beforeAll, describe, expect, it } from 'vitest';
import { loadOpenCV, wasmHeapBytes, type CV } from './opencv';
import { loadTestPhotos } from './testPhotosNode';
import { validateHomographyConfig } from './config';
import { estimatePairHomography } from './estimate';
import { estimateWindow } from './window';
import { synthPair } from './synth';
import type { GrayImage } from './png';

/**
 * Every cv.Mat (and vector, detector, matcher) made by the geometry code is deleted.
 *
 * The wasm heap never shrinks, and a leak smaller than its free space does not grow it, so the
 * test also watches the allocator: after warm-up, a 1 MiB malloc/free probe lands at the same
 * address as long as every pair frees what it allocated (dlmalloc is deterministic); a leaked
 * block pins memory and pushes the probe up. The negative control shows the probe catches a leak.
 */
let cv: CV;
let pairs: { j: GrayImage; i: GrayImage }[];

function probe(): number {
  const p = cv._malloc(1 << 20);
  cv._free(p);
  return p;
}

beforeAll(async () => {
  ({ cv } = await loadOpenCV());
  const photos = await loadTestPhotos();
  pairs = photos.slice(0, 4).flatMap((ph, k) => [0, 1].map((s) => synthPair(cv, ph, 160, 120, 50 + 10 * k + s))).map((p) => ({ j: p.frameJ, i: p.frameI }));
  const flat: GrayImage = { width: 160, height: 120, data: new Uint8Array(160 * 120).fill(77) };
  pairs.push({ j: flat, i: pairs[0].i }); // textureless fallback path
  pairs.push({ j: pairs[1].j, i: pairs[3].i }); // unrelated frames
});

describe('opencv memory', () => {
  it('1000 pairs (all code paths: ECC, fallbacks) leave the wasm heap as they found it', () => {
    const cfg = validateHomographyConfig({ maxFeatures: 300 });
    const run = (k: number) => {
      const p = pairs[k % pairs.length];
      return estimatePairHomography(cv, p.j, p.i, cfg);
    };
    for (let k = 0; k < 2 * pairs.length; k++) run(k); // warm-up: first-use allocations
    estimateWindow(cv, pairs.slice(0, 3).map((p) => p.i), 1, cfg, 'hybrid');
    const heap0 = wasmHeapBytes(cv);
    const probe0 = probe();
    let fallbacks = 0, refined = 0;
    for (let k = 0; k < 1000; k++) {
      const r = run(k);
      if (r.fallback) fallbacks++;
      if (r.refined === 'ecc') refined++;
    }
    for (let k = 0; k < 5; k++) estimateWindow(cv, pairs.slice(k, k + 3).map((p) => p.i), 1, cfg, k % 2 ? 'chained' : 'hybrid');
    expect(fallbacks).toBeGreaterThan(0);
    expect(refined).toBeGreaterThan(500);
    expect(wasmHeapBytes(cv)).toBe(heap0);
    expect(probe()).toBe(probe0);
  });

  it('negative control: leaking one small Mat per pair moves the probe', () => {
    const cfg = validateHomographyConfig({ maxFeatures: 300 });
    const before = probe();
    const leaked: { delete(): void }[] = [];
    for (let k = 0; k < 100; k++) {
      const p = pairs[k % pairs.length];
      estimatePairHomography(cv, p.j, p.i, cfg);
      leaked.push(new cv.Mat(120, 160, cv.CV_8UC1));
    }
    const after = probe();
    for (const m of leaked) m.delete();
    expect(after).not.toBe(before);
  });
});
