import { describe, expect, it } from 'vitest';
import { binauralFeatures, fft, BANDS, MAX_LAG } from './binaural';
import { mulberry32 as mulberry } from '../rng';

function noise(n: number, seed: number): Float32Array {
  const r = mulberry(seed);
  return Float32Array.from({ length: n }, () => r() * 2 - 1);
}

describe('binaural direction features', () => {
  it('fft matches a direct DFT and inverts', () => {
    const n = 64;
    const x = noise(n, 3);
    const re = Float64Array.from(x), im = new Float64Array(n);
    fft(re, im);
    for (const k of [0, 1, 7, 31, 32, 50]) {
      let dr = 0, di = 0;
      for (let t = 0; t < n; t++) { dr += x[t] * Math.cos((-2 * Math.PI * k * t) / n); di += x[t] * Math.sin((-2 * Math.PI * k * t) / n); }
      expect(re[k]).toBeCloseTo(dr, 9);
      expect(im[k]).toBeCloseTo(di, 9);
    }
    fft(re, im, true);
    for (let t = 0; t < n; t++) expect(re[t] / n).toBeCloseTo(x[t], 9);
  });

  it('a source heard later and quieter at the left ear: GCC peak at that lag, negative ILD in every band', () => {
    const sr = 16000, delay = 5;
    const src = noise(sr + delay, 7);
    const right = src.slice(delay, delay + sr);
    const left = Float32Array.from({ length: sr }, (_, i) => 0.5 * src[i]); // L(t) = 0.5 R(t - delay)
    const f = binauralFeatures(left, right, sr);
    const gcc = Array.from(f.subarray(BANDS));
    expect(gcc.indexOf(Math.max(...gcc)) - MAX_LAG).toBe(delay);
    for (let b = 0; b < BANDS; b++) expect(f[b]).toBeCloseTo(-6.02, 0);
    // mirrored (channels swapped): the right ear hears it later and quieter
    const g = binauralFeatures(right, left, sr);
    const gcc2 = Array.from(g.subarray(BANDS));
    expect(gcc2.indexOf(Math.max(...gcc2)) - MAX_LAG).toBe(-delay);
    for (let b = 0; b < BANDS; b++) expect(g[b]).toBeCloseTo(6.02, 0);
  });

  it('silence gives zeros; mismatched channels are refused', () => {
    const z = new Float32Array(16000);
    expect(Array.from(binauralFeatures(z, z, 16000)).every((v) => v === 0)).toBe(true);
    expect(() => binauralFeatures(z, z.subarray(1), 16000)).toThrow(/equal/);
  });
});
