import { describe, it, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { dspChecks } from './dsp.checks';
import { validateStft, validateMel } from './config';
import { expect } from 'vitest';

describe('dsp (tfjs cpu backend vs CPU reference and analytic signals)', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });
  for (const c of dspChecks) {
    it(c.name, async () => {
      const before = tf.memory().numTensors;
      await c.run();
      expect(tf.memory().numTensors).toBe(before);
    });
  }
  it('configs reject out-of-range values, naming the range', () => {
    expect(() => validateStft({ nFft: 255 })).toThrow(/even integer 4\.\.8192/);
    expect(() => validateStft({ hop: 0 })).toThrow(/hop/);
    expect(() => validateMel({ nFft: 256 })).toThrow(/>= frameLength 400/);
    expect(validateStft({}).nFft).toBe(254);
  });
});

import { makeWindow, frameCount, reflectPad } from './window';
describe('windows and framing', () => {
  it('periodic vs symmetric Hann, frame counts, reflect padding', () => {
    const p = makeWindow('hann', 8);
    expect(p[0]).toBe(0);
    expect(p[4]).toBeCloseTo(1, 12);
    const s = makeWindow('hann-symmetric', 9);
    expect(s[0]).toBeCloseTo(0, 12);
    expect(s[8]).toBeCloseTo(0, 12);
    expect(s[4]).toBeCloseTo(1, 12);
    expect(frameCount(11025, 254, 64, true)).toBe(173);
    expect(frameCount(16000, 400, 160, false)).toBe(98);
    expect(Array.from(reflectPad(Float32Array.of(1, 2, 3, 4), 2))).toEqual([3, 2, 1, 2, 3, 4, 3, 2]);
  });
});
