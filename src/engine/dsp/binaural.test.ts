import { describe, expect, it } from 'vitest';
import { binauralFeatures, binauralSegments, fft, BANDS, MAX_LAG, SEGMENT_FEATURES } from './binaural';
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

  it('segments: the whole window, then each part with its own direction and level', () => {
    const sr = 16000, n = 16000, d = 4;
    // first half: a source the left ear hears d samples later; second half: a quieter one the right ear hears later
    const a = noise(n + d, 9), b = noise(n + d, 10);
    const left = new Float32Array(n), right = new Float32Array(n);
    for (let i = 0; i < n / 2; i++) { left[i] = a[i]; right[i] = a[i + d]; }
    for (let i = n / 2; i < n; i++) { left[i] = 0.1 * b[i + d]; right[i] = 0.1 * b[i]; }
    const s = binauralSegments(left, right, sr, 2);
    expect(s.length).toBe(3 * SEGMENT_FEATURES);
    expect(Array.from(s.subarray(0, SEGMENT_FEATURES - 1))).toEqual(Array.from(binauralFeatures(left, right, sr)));
    expect(s[SEGMENT_FEATURES - 1]).toBe(0);
    const peak = (k: number) => { const g = Array.from(s.subarray(k * SEGMENT_FEATURES + BANDS, k * SEGMENT_FEATURES + BANDS + 2 * MAX_LAG + 1)); return g.indexOf(Math.max(...g)) - MAX_LAG; };
    expect(peak(1)).toBe(d);
    expect(peak(2)).toBe(-d);
    // levels against the whole window's mean power: the loud half ~ +3 dB, the quiet one 20 dB below it
    const level = (k: number) => s[k * SEGMENT_FEATURES + SEGMENT_FEATURES - 1];
    expect(level(1)).toBeCloseTo(3, 0);
    expect(level(1) - level(2)).toBeCloseTo(20, 0);
    expect(() => binauralSegments(left, right, sr, 40)).toThrow(/parts/);
  });
});
