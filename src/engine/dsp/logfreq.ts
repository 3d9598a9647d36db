/**
 * Paper 000's audio input: |STFT| of 1 s at 11025 Hz (nFft 254, hop 64 -> [173 frames, 128 bins])
 * warped to a 128x128 log-frequency image (see warpMatrix in reference.ts for the mapping).
 * The bilinear warp is separable, so on the GPU it is two matMuls with constant interpolation
 * matrices: out = Ay [outF, K] . mag^T [K, F] . Ax^T [F, outT]. Output [outFreq, outTime].
 */
import * as tf from '@tensorflow/tfjs';
import { validateLogFreq, type LogFreqConfig } from './config';
import { warpMatrix } from './reference';
import { stft, magnitude } from './stft';

const mats = new Map<string, Float32Array>();
function mat(nOut: number, nIn: number, log: boolean): Float32Array {
  const key = `${nOut}:${nIn}:${log}`;
  let m = mats.get(key);
  if (!m) {
    m = Float32Array.from(warpMatrix(nOut, nIn, log));
    mats.set(key, m);
  }
  return m;
}

/** Warps a magnitude [F, K] to [outFreq, outTime]. */
export function logFreqWarp(mag: tf.Tensor2D, config: Partial<LogFreqConfig> = {}): tf.Tensor2D {
  const c = validateLogFreq(config);
  const [F, K] = mag.shape;
  return tf.tidy(() => {
    const Ay = tf.tensor2d(mat(c.outFreq, K, true), [c.outFreq, K]);
    const AxT = tf.transpose(tf.tensor2d(mat(c.outTime, F, false), [c.outTime, F]));
    return tf.matMul(tf.matMul(Ay, mag, false, true), AxT) as tf.Tensor2D; // [outF, F] x [F, outT]
  });
}

/** Signal of sampleRate*seconds samples -> log-frequency magnitude [outFreq, outTime]. */
export function logFreqSpectrogram(signal: tf.Tensor1D, config: Partial<LogFreqConfig> = {}): tf.Tensor2D {
  const c = validateLogFreq(config);
  return tf.tidy(() => {
    const s = stft(signal, c.stft);
    return logFreqWarp(magnitude(s), c);
  });
}
