import { describe, it, expect } from 'vitest';
import { resultHash, hashOnGrids, verifyResultHash, chooseOffset, HASH_GUARD, HASH_STEP } from './hash';
import { rng } from '../testing/compare';

function maps(n: number, seed: number, size = 14): { width: number; height: number; map: Float32Array }[] {
  const r = rng(seed);
  return Array.from({ length: n }, () => ({ width: size, height: size, map: Float32Array.from({ length: size * size }, () => 2 * r() - 1) }));
}

function perturb(fr: ReturnType<typeof maps>, amp: number, seed: number) {
  const r = rng(seed);
  return fr.map((f) => ({ ...f, map: f.map.map((v) => v + amp * (2 * r() - 1)) }));
}

describe('result hash', () => {
  it('is stable under float noise below the guard on every frame (what separates backends)', async () => {
    for (let s = 0; s < 20; s++) {
      const fr = maps(40, 100 + s);
      const h = await resultHash(fr);
      expect(h.offsets).toHaveLength(40);
      expect(await verifyResultHash(perturb(fr, 0.9 * HASH_GUARD, s), h)).toBe(true);
    }
  });

  it('the chosen grid keeps every value clear of its rounding boundaries', () => {
    let fallbacks = 0;
    for (const f of maps(500, 7)) {
      const k = chooseOffset(f.map);
      const o = (k * HASH_STEP) / 16;
      const clear = Array.from(f.map).every((v) => { const u = (v - o) / HASH_STEP + 0.5; const fr = u - Math.floor(u); return fr >= HASH_GUARD / HASH_STEP && fr <= 1 - HASH_GUARD / HASH_STEP; });
      if (!clear) fallbacks++;
    }
    expect(fallbacks).toBe(0);
  });

  it('without the creator grids the same noise would break a plain rounding hash (why grids exist)', async () => {
    const fr = maps(40, 3);
    const noisy = perturb(fr, 0.9 * HASH_GUARD, 9);
    const zeros = '0'.repeat(40);
    // plain rounding on grid 0 for both: some value straddles a boundary among 7840
    let differ = 0;
    for (let s = 0; s < 5; s++) if ((await hashOnGrids(maps(40, 50 + s), zeros)) !== (await hashOnGrids(perturb(maps(40, 50 + s), 0.9 * HASH_GUARD, s), zeros))) differ++;
    expect(differ).toBeGreaterThan(0);
    expect(await verifyResultHash(noisy, await resultHash(fr))).toBe(true);
  });

  it('changes with a real change: one value by a step, a frame dropped, another size', async () => {
    const fr = maps(10, 11);
    const h = await resultHash(fr);
    const one = fr.map((f, t) => (t === 4 ? { ...f, map: f.map.map((v, i) => (i === 77 ? v + HASH_STEP : v)) } : f));
    expect(await verifyResultHash(one, h)).toBe(false);
    expect(await verifyResultHash(fr.slice(1), h)).toBe(false);
    expect((await resultHash(maps(10, 12))).hash).not.toBe(h.hash);
    const reshaped = fr.map((f) => ({ width: 7, height: 28, map: f.map }));
    expect(await verifyResultHash(reshaped, h)).toBe(false);
  });

  it('rejects malformed offsets and maps that do not match their size', async () => {
    await expect(hashOnGrids(maps(2, 1), 'zz')).rejects.toThrow(RangeError);
    await expect(hashOnGrids(maps(2, 1), '0')).rejects.toThrow(RangeError);
    await expect(resultHash([{ width: 3, height: 3, map: new Float32Array(8) }])).rejects.toThrow(RangeError);
  });
});
