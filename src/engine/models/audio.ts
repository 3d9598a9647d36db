/**
 * Audio encoder g(a; theta_2) of paper 003 (LVS, eq. 2): a small CNN over paper 000's input, the
 * [128 freq, 128 time] log-frequency magnitude of 1 s at 11025 Hz (src/engine/dsp/logfreq.ts),
 * compressed as log(1 + |X|). Like LVS's audio ResNet18, the last feature map is max-pooled over
 * time and frequency to one vector; a linear layer then maps it to the joint space of size d
 * (LVS: 512, no projection; here d is smaller and the projection lets the vector be signed, which
 * the frozen visual side needs to be matched by a cosine).
 *
 *   a [N, 128, 128]  -> log1p -> [N, 128, 128, 1]
 *   stage k: conv 3x3 stride 2 pad 1 + bias + ReLU  (channels[k])   128 -> 64 -> 32 -> 16 -> 8
 *   global max over (freq, time) -> [N, C_last] -> linear -> [N, d]
 *
 * Training runs on tfjs-backend-wasm, which has no Conv2DBackpropFilter: `conv2dTrainable` below
 * is a conv whose both gradients are themselves forward ops that wasm has (Conv2DBackpropInput for
 * dx, a dilated forward Conv2D for dW). On the cpu/webgpu backends it gives the same numbers as
 * tf.conv2d's own gradient (audio.test.ts checks both gradients against it).
 */
import * as tf from '@tensorflow/tfjs';
import { InvalidConfigError } from '../errors';

export interface AudioEncoderConfig {
  /** Input height (frequency bins) and width (time frames): paper 000's 128 x 128. */
  inputFreq: number;
  inputTime: number;
  /** Output channels of each strided 3x3 stage (LVS: ResNet18, 64..512; here small for 2 CPU cores). */
  channels: number[];
  /** Joint embedding size d (LVS: 512). Must equal the visual projection's d. */
  embedDim: number;
}

export const DEFAULT_AUDIO_CONFIG: AudioEncoderConfig = { inputFreq: 128, inputTime: 128, channels: [16, 32, 64, 128], embedDim: 128 };

export function validateAudioConfig(c: Partial<AudioEncoderConfig> = {}): AudioEncoderConfig {
  const out: AudioEncoderConfig = { ...DEFAULT_AUDIO_CONFIG, ...c, channels: [...(c.channels ?? DEFAULT_AUDIO_CONFIG.channels)] };
  const int = (k: string, v: unknown, lo: number, hi: number) => {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < lo || v > hi) throw new InvalidConfigError(k, `must be an integer in [${lo}, ${hi}], got ${String(v)}`);
  };
  int('inputFreq', out.inputFreq, 8, 1024);
  int('inputTime', out.inputTime, 8, 1024);
  int('embedDim', out.embedDim, 2, 2048);
  if (out.channels.length < 1 || out.channels.length > 6) throw new InvalidConfigError('channels', `needs 1..6 stages, got ${out.channels.length}`);
  out.channels.forEach((ch, i) => int(`channels[${i}]`, ch, 1, 1024));
  // Each stage halves (rounding up); the last map must keep at least one cell.
  if (Math.min(out.inputFreq, out.inputTime) < 2 ** (out.channels.length - 1)) {
    throw new InvalidConfigError('channels', `${out.channels.length} stride-2 stages need an input of at least ${2 ** (out.channels.length - 1)} per side`);
  }
  return out;
}

/** Parameters by name; names are stable (they key the saved weights). */
export type Params = Record<string, tf.Variable>;

/** A trainable variable owning t's value (t is disposed; tfjs variables share data with their initial tensor). */
export function makeVariable(t: tf.Tensor, trainable = true): tf.Variable {
  const v = tf.variable(t, trainable);
  t.dispose();
  return v;
}

/** He-normal init from a seeded generator. Names: audio/conv{k}/w [3,3,Cin,Cout], audio/conv{k}/b, audio/proj/w [C,d], audio/proj/b. */
export function initAudioParams(config: AudioEncoderConfig, seed: number): Params {
  const c = validateAudioConfig(config);
  const p: Params = {};
  let cin = 1;
  c.channels.forEach((cout, k) => {
    p[`audio/conv${k}/w`] = makeVariable(tf.randomNormal([3, 3, cin, cout], 0, Math.sqrt(2 / (9 * cin)), 'float32', seed + 11 * k + 1));
    p[`audio/conv${k}/b`] = makeVariable(tf.zeros([cout]));
    cin = cout;
  });
  p['audio/proj/w'] = makeVariable(tf.randomNormal([cin, c.embedDim], 0, Math.sqrt(1 / cin), 'float32', seed + 97));
  p['audio/proj/b'] = makeVariable(tf.zeros([c.embedDim]));
  return p;
}

/**
 * conv2d, 'valid', NHWC, stride s, whose gradients use only forward-capable kernels:
 *   dx = conv2dTranspose(dy, w)                       (Conv2DBackpropInput)
 *   dW[kh, kw, ci, co] = sum_{n, y, x} x[n, s*y + kh, s*x + kw, ci] * dy[n, y, x, co]
 *      = conv2d(x^T [ci, H', W', n], dy^T [Ho, Wo, n, co], stride 1, dilation s) ^T
 * with H' = (Ho - 1) * s + k (rows past that are never read by the forward conv).
 */
export function conv2dTrainable(x: tf.Tensor4D, w: tf.Tensor4D, stride: number): tf.Tensor4D {
  const f = tf.customGrad(((xi: tf.Tensor, wi: tf.Tensor, save: tf.GradSaveFunc) => {
    const value = tf.conv2d(xi as tf.Tensor4D, wi as tf.Tensor4D, stride, 'valid');
    save([xi, wi]);
    return {
      value,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.tidy(() => {
        const [xs, ws] = saved as [tf.Tensor4D, tf.Tensor4D];
        const dy4 = dy as tf.Tensor4D;
        const [n, h, wd, ci] = xs.shape;
        const [kh, kw, , co] = ws.shape;
        const [, ho, wo] = dy4.shape;
        const dx = tf.conv2dTranspose(dy4, ws, [n, h, wd, ci], stride, 'valid');
        const hUsed = (ho - 1) * stride + kh;
        const wUsed = (wo - 1) * stride + kw;
        const xt = tf.transpose(tf.slice(xs, [0, 0, 0, 0], [n, hUsed, wUsed, ci]), [3, 1, 2, 0]); // [ci, H', W', n]
        const dyt = tf.transpose(dy4, [1, 2, 0, 3]); // [Ho, Wo, n, co]
        const dwT = tf.conv2d(xt as tf.Tensor4D, dyt as tf.Tensor4D, 1, 'valid', 'NHWC', stride); // [ci, kh, kw, co]
        const dw = tf.transpose(dwT, [1, 2, 0, 3]);
        return [dx, dw];
      }),
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  return f(x, w) as tf.Tensor4D;
}

/** Log-frequency magnitudes [N, F, T] (|X|, not yet compressed) -> embeddings [N, d]. */
export function audioEncode(params: Params, spec: tf.Tensor3D, config: AudioEncoderConfig): tf.Tensor2D {
  const c = validateAudioConfig(config);
  if (spec.rank !== 3 || spec.shape[1] !== c.inputFreq || spec.shape[2] !== c.inputTime) {
    throw new Error(`audioEncode: spectrogram must be [N, ${c.inputFreq}, ${c.inputTime}], got [${spec.shape}]`);
  }
  return tf.tidy(() => {
    let x = tf.expandDims(tf.log1p(spec), -1) as tf.Tensor4D; // [N, F, T, 1]
    c.channels.forEach((_, k) => {
      const padded = tf.pad(x, [[0, 0], [1, 1], [1, 1], [0, 0]]);
      x = tf.relu(tf.add(conv2dTrainable(padded, params[`audio/conv${k}/w`] as tf.Tensor4D, 2), params[`audio/conv${k}/b`])) as tf.Tensor4D;
    });
    const pooled = tf.max(x, [1, 2]) as tf.Tensor2D; // [N, C_last]: max over frequency and time (LVS)
    return tf.add(tf.matMul(pooled, params['audio/proj/w']), params['audio/proj/b']) as tf.Tensor2D; // [N, d]
  });
}
