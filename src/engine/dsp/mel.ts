/**
 * Paper 002's audio input: Kaldi-compliant log-mel fbank per binaural channel (16 kHz, 25 ms /
 * 10 ms, 128 mels; values and steps in config.ts). GPU path: frames gathered in one op, DC
 * removal and pre-emphasis as elementwise ops, windowed DFT as one matMul (zero padding to 512
 * is implicit: basis rows only for the 400 real samples), power, mel matMul, log.
 * Input [L] -> output [frames, nMels]; multi-channel: logMelChannels [C, L] -> [C, frames, nMels].
 */
import * as tf from '@tensorflow/tfjs';
import { validateMel, type MelConfig } from './config';
import { melFilterbank } from './reference';
import { dftBasis, frameIndices } from './stft';

let fbCache: { key: string; data: Float32Array } | null = null;

export function logMel(signal: tf.Tensor1D, config: Partial<MelConfig> = {}): tf.Tensor2D {
  const c = validateMel(config);
  const L = c.frameLength;
  const K = c.nFft / 2 + 1;
  const len = signal.shape[0];
  if (len < L) throw new RangeError(`signal of ${len} samples is shorter than one ${L}-sample frame`);
  const { idx, frames } = frameIndices(len, L, c.frameShift, false);
  const key = JSON.stringify(c);
  if (!fbCache || fbCache.key !== key) fbCache = { key, data: Float32Array.from(melFilterbank(c)) };
  const fb = fbCache.data;
  const basis = dftBasis(c.nFft, c.window, L, L);
  return tf.tidy(() => {
    let x = tf.gather(signal, tf.tensor2d(idx, [frames, L], "int32")) as unknown as tf.Tensor2D; // [F, L]
    if (c.removeDc) x = tf.sub(x, tf.mean(x, 1, true));
    if (c.preemphasis > 0) {
      const prev = tf.concat([tf.slice(x, [0, 0], [frames, 1]), tf.slice(x, [0, 0], [frames, L - 1])], 1);
      x = tf.sub(x, tf.mul(prev, c.preemphasis));
    }
    const spec = tf.matMul(x, tf.tensor2d(basis, [L, 2 * K])); // [F, 2K] (window folded in)
    const [re, im] = tf.split(spec, [K, K], 1);
    const power = tf.add(tf.square(re), tf.square(im)); // [F, K]
    const mel = tf.matMul(power, tf.tensor2d(fb, [K, c.nMels])); // [F, nMels]
    return tf.log(tf.maximum(mel, c.floor)) as tf.Tensor2D;
  });
}

/** [C, L] -> [C, frames, nMels], each channel independently (binaural: C = 2). */
export function logMelChannels(x: tf.Tensor2D, config: Partial<MelConfig> = {}): tf.Tensor3D {
  return tf.tidy(() => tf.stack(tf.unstack(x).map((ch) => logMel(ch as tf.Tensor1D, config))) as tf.Tensor3D);
}
