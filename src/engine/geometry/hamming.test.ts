import { beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { hammingKernel, hammingKnn, hammingKnnJs } from './hamming';
import { loadOpenCV, type CV } from './opencv';
import { loadTestPhotos } from './testPhotosNode';
import { validateHomographyConfig } from './config';
import { extractFeatures } from './estimate';
import { synthPair, makeRng } from './synth';
import { compileHammingWat, hammingWasmSource } from '../../../tools/geometry/build-hamming-wasm';

const HERE = dirname(fileURLToPath(import.meta.url));

function randomRows(n: number, bytes: number, seed: number): Uint8Array {
  const rng = makeRng(seed);
  return Uint8Array.from({ length: n * bytes }, () => Math.floor(rng() * 256));
}

const plain = (k: ReturnType<typeof hammingKnn>) => ({ best: Array.from(k.best), bestDist: Array.from(k.bestDist), secondDist: Array.from(k.secondDist), reverseBest: Array.from(k.reverseBest) });

describe('Hamming matcher: the WebAssembly kernel against its JS reference', () => {
  it('the shipped bytes are hamming.wat compiled', async () => {
    expect(readFileSync(join(HERE, 'hammingWasm.ts'), 'utf8')).toBe(hammingWasmSource(await compileHammingWat()));
  });

  it('same 2-NN, distances and reverse 1-NN on random rows, for ORB rows and other multiples of 8 bytes', () => {
    expect(hammingKernel()).not.toBeNull();
    for (const [nq, nt, bytes, seed] of [[300, 257, 32, 1], [1, 5, 32, 2], [64, 1, 32, 3], [40, 70, 16, 4], [33, 20, 64, 5], [0, 9, 32, 6], [7, 0, 32, 7]]) {
      const q = randomRows(nq, bytes, seed), t = randomRows(nt, bytes, seed + 100);
      const want = hammingKnnJs(q, nq, t, nt, bytes);
      expect(plain(hammingKnn(q, nq, t, nt, bytes, 'wasm')), `${nq}x${nt}x${bytes}`).toEqual(plain(want));
    }
  });

  it('ties keep the lowest index both ways, as the JS loop and OpenCV do', () => {
    // rows 0-3 of train equal, rows 0-2 of query equal: every distance among them ties
    const row = randomRows(1, 32, 9);
    const t = new Uint8Array(6 * 32), q = new Uint8Array(4 * 32);
    for (let r = 0; r < 4; r++) t.set(row, r * 32);
    t.set(randomRows(2, 32, 10), 4 * 32);
    for (let r = 0; r < 3; r++) q.set(row, r * 32);
    q.set(randomRows(1, 32, 11), 3 * 32);
    const k = hammingKnn(q, 4, t, 6, 32, 'wasm');
    expect(Array.from(k.best.subarray(0, 3))).toEqual([0, 0, 0]);
    expect(Array.from(k.bestDist.subarray(0, 3))).toEqual([0, 0, 0]);
    expect(Array.from(k.secondDist.subarray(0, 3))).toEqual([0, 0, 0]);
    expect(Array.from(k.reverseBest.subarray(0, 4))).toEqual([0, 0, 0, 0]);
    expect(plain(k)).toEqual(plain(hammingKnnJs(q, 4, t, 6, 32)));
  });

  it('rows that are not whole 64-bit words go to the JS loop; forcing the kernel on them says why', () => {
    const q = randomRows(10, 12, 12), t = randomRows(11, 12, 13);
    expect(plain(hammingKnn(q, 10, t, 11, 12))).toEqual(plain(hammingKnnJs(q, 10, t, 11, 12)));
    expect(() => hammingKnn(q, 10, t, 11, 12, 'wasm')).toThrow(/multiple of 8/);
  });

  describe('on ORB features of real frames', () => {
    let cv: CV;
    beforeAll(async () => { ({ cv } = await loadOpenCV()); });
    it('the same result as the JS loop for every pair, the kernel memory growing as needed', async () => {
      const photos = await loadTestPhotos();
      const cfg = validateHomographyConfig({ maxFeatures: 2000 });
      for (const [k, photo] of photos.slice(0, 3).entries()) {
        const p = synthPair(cv, photo, 320, 240, 51 + k);
        const fj = extractFeatures(cv, p.frameJ, cfg), fi = extractFeatures(cv, p.frameI, cfg);
        expect(fj.count).toBeGreaterThan(500);
        const got = hammingKnn(fj.descriptors, fj.count, fi.descriptors, fi.count, fj.descBytes);
        expect(plain(got)).toEqual(plain(hammingKnnJs(fj.descriptors, fj.count, fi.descriptors, fi.count, fj.descBytes)));
      }
      expect(hammingKernel()!.memory.buffer.byteLength).toBeGreaterThan(65536); // 2000-row frames do not fit the first page
    });
  });
});
