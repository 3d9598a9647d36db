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
