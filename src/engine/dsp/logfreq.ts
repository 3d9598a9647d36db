/**
 * Paper 000's audio input: |STFT| of 1 s at 11025 Hz (nFft 254, hop 64 -> [173 frames, 128 bins])
 * warped to a 128x128 log-frequency image (see warpMatrix in reference.ts for the mapping).
 * The bilinear warp is separable, so on the GPU it is two matMuls with constant interpolation
 * matrices: out = Ay [outF, K] . mag^T [K, F] . Ax^T [F, outT]. Output [outFreq, outTime].
 */
import * as tf from '@tensorflow/tfjs';
import { validateLogFreq, type LogFreqConfig } from './config';
import { unwarpMatrix, warpMatrix } from './reference';
import { stft, istft, magnitude } from './stft';

const mats = new Map<string, Float32Array>();
function mat(nOut: number, nIn: number, log: boolean, inverse = false): Float32Array {
  const key = `${nOut}:${nIn}:${log}:${inverse}`;
  let m = mats.get(key);
  if (!m) {
    m = Float32Array.from(inverse ? unwarpMatrix(nIn, nOut, log) : warpMatrix(nOut, nIn, log));
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

/**
 * The other way: a map on the log-frequency grid [outFreq, outTime] (a separation mask) resampled
 * to the STFT's [F frames, K bins] (unwarpMatrix: each linear bin reads the log row that sampled
 * it; time linear).
 */
export function logFreqUnwarp(m: tf.Tensor2D, frames: number, bins: number): tf.Tensor2D {
  const [outF, outT] = m.shape;
  return tf.tidy(() => {
    const Uy = tf.tensor2d(mat(outF, bins, true, true), [bins, outF]);
    const Ux = tf.tensor2d(mat(outT, frames, false, true), [frames, outT]);
    return tf.matMul(tf.matMul(Ux, m, false, true), Uy, false, true) as tf.Tensor2D; // [F, outT] x [outT, outF] x [outF, K]
  });
}

/**
 * Applies a log-frequency mask [outFreq, outTime] to a signal of the spectrogram's length: the
 * mask is unwarped to the STFT grid, multiplies the complex STFT (the mixture's phase is kept),
 * and the inverse STFT gives the masked signal, same length.
 */
export function applyLogFreqMask(signal: tf.Tensor1D, mask: tf.Tensor2D, config: Partial<LogFreqConfig> = {}): tf.Tensor1D {
  const c = validateLogFreq(config);
  return tf.tidy(() => {
    const st = stft(signal, c.stft);
    const M = logFreqUnwarp(mask, st.re.shape[0], st.re.shape[1]);
    return istft({ re: tf.mul(st.re, M) as tf.Tensor2D, im: tf.mul(st.im, M) as tf.Tensor2D }, c.stft, signal.shape[0]);
  });
}
