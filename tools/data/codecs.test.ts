import { describe, expect, it } from 'vitest';
import { decodePng, encodePng } from './png.ts';
import { decodeWav, encodeWav } from './wav.ts';
import { Rng } from './rng.ts';
import { apply, inv, mul } from './mat3.ts';

describe('codecs and helpers', () => {
  it('PNG round-trips gray, RGB and RGBA of odd sizes', () => {
    const rng = new Rng('png');
    for (const channels of [1, 3, 4] as const) {
      const width = 37, height = 13;
      const data = Uint8Array.from({ length: width * height * channels }, (_, i) => (i % 7 === 0 ? rng.int(0, 255) : (i * 31) & 255));
      const back = decodePng(encodePng({ width, height, channels, data }));
      expect([back.width, back.height, back.channels]).toEqual([width, height, channels]);
      expect(Buffer.from(back.data).equals(Buffer.from(data))).toBe(true);
    }
  });

  it('WAV round-trips 16-bit PCM within half an LSB and clips out-of-range samples', () => {
    const x = Float32Array.from({ length: 1001 }, (_, i) => Math.sin(i * 0.1) * 0.9);
    const y = Float32Array.from({ length: 1001 }, (_, i) => (i === 5 ? 1.7 : -0.25));
    const back = decodeWav(encodeWav({ sampleRate: 16000, channels: [x, y] }));
    expect(back.sampleRate).toBe(16000);
    for (let i = 0; i < x.length; i++) expect(Math.abs(back.channels[0][i] - x[i])).toBeLessThanOrEqual(0.5 / 32767 + 1e-7);
    expect(back.channels[1][5]).toBe(1);
  });

  it('Rng streams are reproducible and independent of draw order elsewhere', () => {
    const a = Rng.derive('s', 1, 'train', 3, 'camera');
    const b = Rng.derive('s', 1, 'train', 3, 'camera');
    const xs = Array.from({ length: 5 }, () => a.next());
    expect(Array.from({ length: 5 }, () => b.next())).toEqual(xs);
    expect(Rng.derive('s', 1, 'train', 4, 'camera').next()).not.toBe(xs[0]);
    for (const v of xs) expect(v >= 0 && v < 1).toBe(true);
  });

  it('mat3 inverse and product agree', () => {
    const H = [1.1, 0.02, 3, -0.01, 0.97, -2, 1e-4, -2e-4, 1];
    const I = mul(H, inv(H));
    for (let i = 0; i < 9; i++) expect(I[i]).toBeCloseTo(i % 4 === 0 ? 1 : 0, 12);
    const [u, v] = apply(H, 10, 20);
    const [x, y] = apply(inv(H), u, v);
    expect(x).toBeCloseTo(10, 10);
    expect(y).toBeCloseTo(20, 10);
  });
});
