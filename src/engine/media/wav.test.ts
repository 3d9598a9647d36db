import { describe, it, expect } from 'vitest';
import { encodeWav } from './wav';
import { decodeWav } from '../../../tools/data/wav';

describe('encodeWav', () => {
  it('writes 16-bit PCM that a WAV reader gives back (clipped, interleaved)', () => {
    const l = Float32Array.from([0, 0.5, -0.5, 1.5, -2]);
    const r = Float32Array.from([0.25, -0.25, 1, -1, 0]);
    const bytes = encodeWav([l, r], 11025);
    expect(bytes.length).toBe(44 + 5 * 2 * 2);
    const w = decodeWav(Buffer.from(bytes));
    expect(w.sampleRate).toBe(11025);
    expect(w.channels.length).toBe(2);
    const want = [[0, 0.5, -0.5, 1, -1], [0.25, -0.25, 1, -1, 0]];
    w.channels.forEach((c, k) => c.forEach((v, i) => expect(Math.abs(v - want[k][i])).toBeLessThan(1 / 16384)));
    expect(() => encodeWav([l, r.subarray(1)], 11025)).toThrow(/length/);
    expect(() => encodeWav([], 11025)).toThrow(/no channels/);
  });
});
