import { describe, it, expect, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { audioEncode, conv2dTrainable, initAudioParams, validateAudioConfig, DEFAULT_AUDIO_CONFIG } from './audio';
import { assertClose, rng } from '../testing/compare';
import { InvalidConfigError } from '../errors';

const rand = (shape: number[], seed: number) => tf.tidy(() => tf.tensor(Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, rng(seed)), shape).sub(0.5));

/** Gradients of sum(conv(x, w) * r) by tf's own Conv2D gradient and by conv2dTrainable. */
function grads(x: tf.Tensor4D, w: tf.Tensor4D, r: tf.Tensor, stride: number, mine: boolean): tf.Tensor[] {
  const f = (xi: tf.Tensor, wi: tf.Tensor) => tf.sum(tf.mul(mine ? conv2dTrainable(xi as tf.Tensor4D, wi as tf.Tensor4D, stride) : tf.conv2d(xi as tf.Tensor4D, wi as tf.Tensor4D, stride, 'valid'), r));
  return tf.grads(f)([x, w]);
}

describe('audio encoder (paper 003 eq. 2 on paper 000 spectrograms)', () => {
  beforeAll(async () => { await tf.setBackend('cpu'); });

  it('conv2dTrainable: both gradients equal tf.conv2d native ones on odd shapes, strides 1 and 2', () => {
    for (const [n, h, w, ci, co, k, s] of [[2, 9, 11, 3, 5, 3, 2], [3, 7, 6, 2, 4, 3, 1], [1, 10, 10, 4, 3, 3, 2]]) {
      const x = rand([n, h, w, ci], n * 7 + h) as tf.Tensor4D;
      const wt = rand([k, k, ci, co], 99 + co) as tf.Tensor4D;
      const out = tf.conv2d(x, wt, s, 'valid');
      const r = rand(out.shape, 5);
      const ref = grads(x, wt, r, s, false);
      const got = grads(x, wt, r, s, true);
      assertClose(conv2dTrainable(x, wt, s).dataSync(), out.dataSync(), { atol: 1e-5, label: 'forward' });
      assertClose(got[0].dataSync(), ref[0].dataSync(), { atol: 1e-4, rtol: 1e-4, label: `dx ${[n, h, w, ci, co, s]}` });
      assertClose(got[1].dataSync(), ref[1].dataSync(), { atol: 1e-4, rtol: 1e-4, label: `dW ${[n, h, w, ci, co, s]}` });
      tf.dispose([x, wt, out, r, ...ref, ...got]);
    }
  });

  it('trains on the wasm backend, which lacks Conv2DBackpropFilter, with the same gradients', async () => {
    const x = rand([2, 9, 9, 3], 3) as tf.Tensor4D;
    const wt = rand([3, 3, 3, 4], 4) as tf.Tensor4D;
    const r = rand([2, 4, 4, 4], 6);
    const ref = grads(x, wt, r, 2, false).map((t) => t.dataSync().slice());
    await tf.setBackend('wasm');
    try {
      const xw = tf.tensor(x.dataSync(), x.shape) as tf.Tensor4D;
      const ww = tf.tensor(wt.dataSync(), wt.shape) as tf.Tensor4D;
      const rw = tf.tensor(r.dataSync(), r.shape);
      // tf's own gradient cannot run here; ours does.
      expect(() => grads(xw, ww, rw, 2, false)).toThrow();
      const got = grads(xw, ww, rw, 2, true);
      assertClose(got[0].dataSync(), ref[0], { atol: 1e-4, rtol: 1e-4, label: 'dx wasm' });
      assertClose(got[1].dataSync(), ref[1], { atol: 1e-4, rtol: 1e-4, label: 'dW wasm' });
      tf.dispose([xw, ww, rw, ...got]);
    } finally {
      await tf.setBackend('cpu');
    }
    tf.dispose([x, wt, r]);
  });

  it('maps [N, 128, 128] spectrograms to [N, d] and leaks no tensors', () => {
    const cfg = validateAudioConfig({ channels: [4, 8, 8, 16], embedDim: 12 });
    const p = initAudioParams(cfg, 1);
    const before = tf.memory().numTensors;
    const spec = tf.tidy(() => tf.abs(rand([3, 128, 128], 2))) as tf.Tensor3D;
    const e = audioEncode(p, spec, cfg);
    expect(e.shape).toEqual([3, 12]);
    const v = e.dataSync();
    expect(v.every(Number.isFinite)).toBe(true);
    // different inputs give different vectors
    expect(Math.abs(v[0] - v[12]) + Math.abs(v[1] - v[13])).toBeGreaterThan(1e-6);
    tf.dispose([spec, e]);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose(Object.values(p));
  });

  it('rejects configs out of range, naming the setting', () => {
    expect(validateAudioConfig()).toEqual(DEFAULT_AUDIO_CONFIG);
    expect(() => validateAudioConfig({ embedDim: 0 })).toThrow(InvalidConfigError);
    expect(() => validateAudioConfig({ channels: [] })).toThrow(/channels/);
    expect(() => validateAudioConfig({ channels: [4, 4, 4, 4, 4], inputFreq: 8 })).toThrow(/stride-2 stages/);
    expect(() => validateAudioConfig({ inputTime: 12.5 })).toThrow(/inputTime/);
  });
});
