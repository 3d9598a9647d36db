/**
 * Paper 000 (Ego-AV-Loc) sec. 2.2, audio feature enhancement, trained by mix-and-separate:
 *
 *   X = |STFT((s1 + s2) / 2)| on the 128x128 log-frequency grid    (mixture as in the public code)
 *   a = E_a(X)                     audio CNN, feature map [N, h_a, w_a, C] (+ skips per stage)
 *   a^ = f(a, g_v)                 disentanglement: a two-layer MLP over [a ; tile(g_v)] per cell
 *   M_pred = D_a(a^, skips)        U-Net style decoder with skip connections -> sigmoid mask [N, F, T]
 *   M_gt = |X1| > 0.5 |X|          the public code's rule (`clean > 0.5 * mix`, X the model's input)
 *   L_enhancement = mean (M_pred - M_gt)^2                                    (per-pixel L2)
 *
 * Shapes (defaults): spec [N, 128, 128] -> log1p -> [N, 128, 128, 1]; stage k: conv 3x3 stride 2
 * + batch norm (`norm`) + ReLU (16, 32, 64, 128 channels): 64, 32, 16, 8 -> a [N, 8, 8, 128]. Decoder stage k: nearest
 * 2x up, concat the encoder map of that size (the last stage concatenates log1p(X) itself), conv
 * 3x3 + ReLU (64, 32, 16, 8 channels); then 1x1 conv + sigmoid -> [N, 128, 128].
 *
 * Choices of ours, all switchable: f is residual, a^ = a + MLP([a ; g_v]) (`residual`), so
 * that the block can be left out at inference for the "w/o enhancement" ablation on the same
 * weights; the audio vector g_a^ = max over cells of a^, then a linear map to the joint space
 * d (`audio/proj`, as the LVS encoder), because the visual side is a projection of a frozen trunk;
 * and (`norm: 'batch'`) the max-pooled features are normalized per channel before that map.
 *
 * All convs go through audio.ts's conv2dTrainable (wasm has no Conv2DBackpropFilter); upsampling
 * is a broadcast + reshape (its gradient is a sum, which every backend has).
 */
import * as tf from '@tensorflow/tfjs';
import { InvalidConfigError } from '../../errors';
import { conv2dTrainable, makeVariable, type Params } from '../audio';

export interface EnhancementConfig {
  /** Spectrogram height (frequency bins) and width (time frames): paper 000's 128 x 128. */
  inputFreq: number;
  inputTime: number;
  /** Encoder E_a: output channels of each stride-2 3x3 stage (paper: 512 at the end; small for CPUs). */
  channels: number[];
  /** Decoder D_a: output channels of each up stage (one per encoder stage, coarse to fine). */
  decoderChannels: number[];
  /** Hidden width of the two-layer MLP f. */
  mlpHidden: number;
  /** Size of the visual vector g_v (the joint space d). */
  visualDim: number;
  /** Joint space size d of the audio vector g_a^. */
  embedDim: number;
  /** a^ = a + MLP (true) or a^ = MLP (false, the paper's plain form). */
  residual: boolean;
  /** Mixture waveform = mixGain * (s1 + s2) (public code: 0.5). */
  mixGain: number;
  /** Target: clean > maskThreshold * mix (public code: 0.5). */
  maskThreshold: number;
  /**
   * 'batch': batch normalization after each encoder conv (as the public code's ResNet-18) and a
   * per-channel normalization of the max-pooled features before `audio/proj`; batch statistics
   * in training, stored (calibrated) ones at inference. 'none': neither. The pooled one is what
   * keeps the audio vectors of different clips from collapsing to one direction in training; the
   * conv ones alone did not (docs/results.md).
   */
  norm: 'batch' | 'none';
  /**
   * Channels of the spectrogram E_a reads: 1, paper 000's (the mono mix's magnitude, spec
   * [N, F, T]), or 2 (a choice of ours, measured in docs/results.md: the left and right ears'
   * magnitudes of the binaural mix, spec [N, F, T, 2], so the encoder can read the level
   * difference between the ears). The mask decoder then reads log1p of both in its last skip and
   * still predicts one mask, on the mean of the two magnitudes (maskTarget).
   */
  inputChannels: number;
}

/** A batch of spectrograms: [N, F, T] (one channel) or [N, F, T, C]. */
export type Spectrogram = tf.Tensor3D | tf.Tensor4D;

export const DEFAULT_ENHANCEMENT_CONFIG: EnhancementConfig = {
  inputFreq: 128, inputTime: 128, channels: [16, 32, 64, 128], decoderChannels: [64, 32, 16, 8],
  mlpHidden: 128, visualDim: 128, embedDim: 128, residual: true, mixGain: 0.5, maskThreshold: 0.5, norm: 'batch', inputChannels: 1,
};

export function validateEnhancementConfig(c: Partial<EnhancementConfig> = {}): EnhancementConfig {
  const out: EnhancementConfig = {
    ...DEFAULT_ENHANCEMENT_CONFIG, ...c,
    channels: [...(c.channels ?? DEFAULT_ENHANCEMENT_CONFIG.channels)],
    decoderChannels: [...(c.decoderChannels ?? DEFAULT_ENHANCEMENT_CONFIG.decoderChannels)],
  };
  const int = (k: string, v: unknown, lo: number, hi: number) => {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < lo || v > hi) throw new InvalidConfigError(`enhancement.${k}`, `must be an integer in [${lo}, ${hi}], got ${String(v)}`);
  };
  const num = (k: string, v: unknown, lo: number, hi: number) => {
    if (typeof v !== 'number' || !Number.isFinite(v) || v <= lo || v > hi) throw new InvalidConfigError(`enhancement.${k}`, `must be a number in (${lo}, ${hi}], got ${String(v)}`);
  };
  int('inputFreq', out.inputFreq, 8, 1024);
  int('inputTime', out.inputTime, 8, 1024);
  if (out.channels.length < 1 || out.channels.length > 6) throw new InvalidConfigError('enhancement.channels', `needs 1..6 stages, got ${out.channels.length}`);
  out.channels.forEach((ch, i) => int(`channels[${i}]`, ch, 1, 1024));
  if (out.decoderChannels.length !== out.channels.length) {
    throw new InvalidConfigError('enhancement.decoderChannels', `needs one entry per encoder stage (${out.channels.length}), got ${out.decoderChannels.length}`);
  }
  out.decoderChannels.forEach((ch, i) => int(`decoderChannels[${i}]`, ch, 1, 1024));
  const div = 2 ** out.channels.length;
  if (out.inputFreq % div !== 0 || out.inputTime % div !== 0) {
    throw new InvalidConfigError('enhancement.channels', `${out.channels.length} stride-2 stages need input sides divisible by ${div} (U-Net skips), got ${out.inputFreq}x${out.inputTime}`);
  }
  int('mlpHidden', out.mlpHidden, 1, 4096);
  int('visualDim', out.visualDim, 1, 4096);
  int('embedDim', out.embedDim, 2, 4096);
  if (typeof out.residual !== 'boolean') throw new InvalidConfigError('enhancement.residual', `must be true or false, got ${String(out.residual)}`);
  num('mixGain', out.mixGain, 0, 1);
  num('maskThreshold', out.maskThreshold, 0, 10);
  if (out.norm !== 'batch' && out.norm !== 'none') throw new InvalidConfigError('enhancement.norm', `must be 'batch' or 'none', got ${String(out.norm)}`);
  int('inputChannels', out.inputChannels, 1, 2);
  return out;
}

const he = (shape: number[], fanIn: number, seed: number) => tf.randomNormal(shape, 0, Math.sqrt(2 / fanIn), 'float32', seed);

/** Parameters: audio/conv{k}/{w,b} (+ audio/bn{k}/{gamma,beta} and the stored statistics audio/bn{k}/{mean,var} and audio/pool/{mean,var}, not trainable), audio/proj/{w,b}, enh/mlp1/{wa,wv,b}, enh/mlp2/{w,b}, dec/up{k}/{w,b}, dec/out/{w,b}. */
export function initEnhancementParams(config: EnhancementConfig, seed: number): Params {
  const c = validateEnhancementConfig(config);
  const p: Params = {};
  let cin = c.inputChannels;
  c.channels.forEach((cout, k) => {
    p[`audio/conv${k}/w`] = makeVariable(he([3, 3, cin, cout], 9 * cin, seed + 11 * k + 1));
    p[`audio/conv${k}/b`] = makeVariable(tf.zeros([cout]));
    if (c.norm === 'batch') {
      p[`audio/bn${k}/gamma`] = makeVariable(tf.ones([cout]));
      p[`audio/bn${k}/beta`] = makeVariable(tf.zeros([cout]));
      p[`audio/bn${k}/mean`] = makeVariable(tf.zeros([cout]), false);
      p[`audio/bn${k}/var`] = makeVariable(tf.ones([cout]), false);
    }
    cin = cout;
  });
  const C = cin;
  if (c.norm === 'batch') {
    p['audio/pool/mean'] = makeVariable(tf.zeros([C]), false);
    p['audio/pool/var'] = makeVariable(tf.ones([C]), false);
  }
  p['enh/mlp1/wa'] = makeVariable(he([C, c.mlpHidden], C + c.visualDim, seed + 201));
  p['enh/mlp1/wv'] = makeVariable(he([c.visualDim, c.mlpHidden], C + c.visualDim, seed + 202));
  p['enh/mlp1/b'] = makeVariable(tf.zeros([c.mlpHidden]));
  // the residual branch starts small, so a^ starts near a
  p['enh/mlp2/w'] = makeVariable(tf.randomNormal([c.mlpHidden, C], 0, (c.residual ? 0.1 : 1) * Math.sqrt(1 / c.mlpHidden), 'float32', seed + 203));
  p['enh/mlp2/b'] = makeVariable(tf.zeros([C]));
  p['audio/proj/w'] = makeVariable(tf.randomNormal([C, c.embedDim], 0, Math.sqrt(1 / C), 'float32', seed + 97));
  p['audio/proj/b'] = makeVariable(tf.zeros([c.embedDim]));
  let prev = C;
  c.decoderChannels.forEach((cout, k) => {
    const skip = k === c.channels.length - 1 ? c.inputChannels : c.channels[c.channels.length - 2 - k];
    p[`dec/up${k}/w`] = makeVariable(he([3, 3, prev + skip, cout], 9 * (prev + skip), seed + 301 + k));
    p[`dec/up${k}/b`] = makeVariable(tf.zeros([cout]));
    prev = cout;
  });
  p['dec/out/w'] = makeVariable(tf.randomNormal([1, 1, prev, 1], 0, Math.sqrt(1 / prev), 'float32', seed + 399));
  p['dec/out/b'] = makeVariable(tf.zeros([1]));
  return p;
}

/** 3x3 'same' conv + bias (+ ReLU) (stride 1 or 2) through the forward-only-gradient conv. */
function conv3(x: tf.Tensor4D, w: tf.Tensor, b: tf.Tensor, stride: number, relu = true): tf.Tensor4D {
  const padded = tf.pad(x, [[0, 0], [1, 1], [1, 1], [0, 0]]) as tf.Tensor4D;
  const y = tf.add(conv2dTrainable(padded, w as tf.Tensor4D, stride), b);
  return (relu ? tf.relu(y) : y) as tf.Tensor4D;
}

/** Nearest-neighbour 2x upsampling [N, h, w, c] -> [N, 2h, 2w, c] (broadcast + reshape). */
export function upsample2(x: tf.Tensor4D): tf.Tensor4D {
  const [n, h, w, c] = x.shape;
  return tf.tidy(() => tf.reshape(tf.mul(tf.reshape(x, [n, h, 1, w, 1, c]), tf.ones([1, 1, 2, 1, 2, 1])), [n, 2 * h, 2 * w, c]) as tf.Tensor4D);
}

export interface AudioFeatures {
  /** a = E_a(X): the last encoder map [N, h_a, w_a, C]. */
  a: tf.Tensor4D;
  /** log1p(X) [N, F, T, C] and every stage's output but the last, fine to coarse. */
  skips: tf.Tensor4D[];
}

/** Names of the stored normalization statistics (not trained by gradient; set by calibrateAudioNorm / calibrateEgo000Norm). */
export const isNormStatistic = (name: string): boolean => /^audio\/(bn\d+|pool)\/(mean|var)$/.test(name);

const BN_EPS = 1e-5;
/** (x - mean) / sqrt(variance + eps), per channel (the last axis). */
const standardize = (x: tf.Tensor, mean: tf.Tensor, variance: tf.Tensor): tf.Tensor => tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, BN_EPS)));

/** The shape a spectrogram batch of N must have for this config: [N, F, T] for one channel, [N, F, T, C] for more. */
export function spectrogramShape(config: Pick<EnhancementConfig, 'inputFreq' | 'inputTime' | 'inputChannels'>, n: number): number[] {
  const c = config;
  return c.inputChannels === 1 ? [n, c.inputFreq, c.inputTime] : [n, c.inputFreq, c.inputTime, c.inputChannels];
}

/** Whether spec is a batch of spectrograms this config reads (any N). */
export function fitsSpectrogram(spec: tf.Tensor, config: Pick<EnhancementConfig, 'inputFreq' | 'inputTime' | 'inputChannels'>): boolean {
  const want = spectrogramShape(config, spec.shape[0] ?? 0);
  return spec.rank === want.length && spec.shape.every((d, i) => d === want[i]);
}

/**
 * E_a on log-frequency magnitudes [N, F, T] or [N, F, T, C] (|X|, compressed here by log1p).
 * mode 'train': each stage is normalized with the batch's statistics (per channel, over N and
 * the cells); 'infer': with the stored ones. `moments`, when given, receives each stage's batch
 * statistics.
 */
export function audioFeatures(params: Params, spec: Spectrogram, config: EnhancementConfig, mode: 'train' | 'infer' = 'infer', moments?: { mean: tf.Tensor1D; variance: tf.Tensor1D }[]): AudioFeatures {
  const c = config;
  if (!fitsSpectrogram(spec, c)) {
    throw new Error(`audioFeatures: spectrogram must be [${spectrogramShape(c, spec.shape[0] ?? 0)}] (${c.inputChannels} channel(s)), got [${spec.shape}]`);
  }
  const x0 = (spec.rank === 3 ? tf.expandDims(tf.log1p(spec), -1) : tf.log1p(spec)) as tf.Tensor4D;
  const skips: tf.Tensor4D[] = [x0];
  let x = x0;
  c.channels.forEach((_, k) => {
    if (c.norm === 'batch') {
      const y = conv3(x, params[`audio/conv${k}/w`], params[`audio/conv${k}/b`], 2, false);
      let mean: tf.Tensor, variance: tf.Tensor;
      if (mode === 'train') {
        ({ mean, variance } = tf.moments(y, [0, 1, 2]));
        if (moments) moments.push({ mean: tf.keep(mean) as tf.Tensor1D, variance: tf.keep(variance) as tf.Tensor1D });
      } else {
        mean = params[`audio/bn${k}/mean`];
        variance = params[`audio/bn${k}/var`];
      }
      x = tf.relu(tf.add(tf.mul(standardize(y, mean, variance), params[`audio/bn${k}/gamma`]), params[`audio/bn${k}/beta`])) as tf.Tensor4D;
    } else {
      x = conv3(x, params[`audio/conv${k}/w`], params[`audio/conv${k}/b`], 2);
    }
    if (k < c.channels.length - 1) skips.push(x);
  });
  return { a: x, skips };
}

/**
 * Stores the statistics of each normalized stage over `spec` [N, F, T] (computed stage by stage
 * as in training, so the statistics of stage k see stage k-1 normalized the same way): the
 * population estimate inference uses. A no-op when config.norm is 'none'.
 */
export function calibrateAudioNorm(params: Params, spec: Spectrogram, config: EnhancementConfig): void {
  if (config.norm !== 'batch') return;
  const moments: { mean: tf.Tensor1D; variance: tf.Tensor1D }[] = [];
  tf.tidy(() => { audioFeatures(params, spec, config, 'train', moments); });
  moments.forEach((m, k) => {
    params[`audio/bn${k}/mean`].assign(m.mean);
    params[`audio/bn${k}/var`].assign(m.variance);
  });
  tf.dispose(moments.flatMap((m) => [m.mean, m.variance]));
}

/**
 * f(a, g_v) for every (visual k, audio j) pair: a [J, h, w, C], gv [K, dv] -> a^ [K, J, h, w, C].
 * The first layer is linear in [a ; g_v], so it splits into a W_a + g_v W_v (no tiling needed).
 */
export function enhancePairs(params: Params, a: tf.Tensor4D, gv: tf.Tensor2D, config: EnhancementConfig): tf.Tensor5D {
  const [j, h, w, C] = a.shape;
  const k = gv.shape[0];
  return tf.tidy(() => {
    const pa = tf.reshape(tf.matMul(tf.reshape(a, [j * h * w, C]), params['enh/mlp1/wa']), [1, j, h * w, config.mlpHidden]);
    const pv = tf.reshape(tf.add(tf.matMul(gv, params['enh/mlp1/wv']), params['enh/mlp1/b']), [k, 1, 1, config.mlpHidden]);
    const hid = tf.relu(tf.add(pa, pv)); // [K, J, hw, H]
    let out = tf.add(tf.matMul(tf.reshape(hid, [k * j * h * w, config.mlpHidden]), params['enh/mlp2/w']), params['enh/mlp2/b']);
    out = tf.reshape(out, [k, j, h, w, C]);
    if (config.residual) out = tf.add(out, tf.expandDims(a, 0));
    return out as tf.Tensor5D;
  });
}

/** f(a_n, g_v,n) for aligned rows: a [N, h, w, C], gv [N, dv] -> a^ [N, h, w, C]. */
export function enhance(params: Params, a: tf.Tensor4D, gv: tf.Tensor2D, config: EnhancementConfig): tf.Tensor4D {
  const [n, h, w, C] = a.shape;
  if (gv.shape[0] !== n) throw new Error(`enhance: ${n} audio maps but ${gv.shape[0]} visual vectors`);
  return tf.tidy(() => {
    const hid = tf.relu(tf.add(tf.add(tf.reshape(tf.matMul(tf.reshape(a, [n * h * w, C]), params['enh/mlp1/wa']), [n, h * w, config.mlpHidden]),
      tf.expandDims(tf.matMul(gv, params['enh/mlp1/wv']), 1)), params['enh/mlp1/b']));
    let out = tf.add(tf.matMul(tf.reshape(hid, [n * h * w, config.mlpHidden]), params['enh/mlp2/w']), params['enh/mlp2/b']);
    out = tf.reshape(out, [n, h, w, C]);
    return (config.residual ? tf.add(out, a) : out) as tf.Tensor4D;
  });
}

/** Channel statistics of the pooled audio features (max over the cells of a^ [..., h, w, C]) over every leading row. */
export function pooledMoments(ahat: tf.Tensor): { mean: tf.Tensor1D; variance: tf.Tensor1D } {
  return tf.tidy(() => {
    const r = ahat.rank;
    const pooled = tf.max(ahat, [r - 3, r - 2]);
    const C = pooled.shape[pooled.rank - 1];
    const { mean, variance } = tf.moments(tf.reshape(pooled, [-1, C]), 0);
    return { mean: mean as tf.Tensor1D, variance: variance as tf.Tensor1D };
  });
}

/**
 * g_a^: max over the cells of a^ [..., h, w, C], normalized per channel (norm 'batch': with
 * `stats`, in training the batch's, else the stored audio/pool statistics), then the linear map
 * to d: [..., d]. The normalization keeps the pooled features (all positive after the ReLU) from
 * turning every update of the projection into a shift shared by all clips' vectors.
 */
export function audioVector(params: Params, ahat: tf.Tensor, stats?: { mean: tf.Tensor; variance: tf.Tensor }): tf.Tensor {
  return tf.tidy(() => {
    const r = ahat.rank;
    let pooled = tf.max(ahat, [r - 3, r - 2]); // [..., C]
    if (params['audio/pool/mean']) {
      pooled = standardize(pooled, stats?.mean ?? params['audio/pool/mean'], stats?.variance ?? params['audio/pool/var']);
    }
    const lead = pooled.shape.slice(0, -1);
    const C = pooled.shape[pooled.rank - 1];
    const y = tf.add(tf.matMul(tf.reshape(pooled, [-1, C]), params['audio/proj/w']), params['audio/proj/b']);
    return tf.reshape(y, [...lead, y.shape[1] as number]);
  });
}

/** D_a: a^ [N, h_a, w_a, C] + skips -> mask [N, F, T] in (0, 1). */
export function maskDecoder(params: Params, ahat: tf.Tensor4D, skips: tf.Tensor4D[], config: EnhancementConfig): tf.Tensor3D {
  const c = config;
  return tf.tidy(() => {
    let x = ahat;
    c.decoderChannels.forEach((_, k) => {
      const skip = skips[skips.length - 1 - k];
      const up = upsample2(x);
      x = conv3(tf.concat([up, skip], -1) as tf.Tensor4D, params[`dec/up${k}/w`], params[`dec/up${k}/b`], 1);
    });
    const logit = tf.add(conv2dTrainable(x, params['dec/out/w'] as tf.Tensor4D, 1), params['dec/out/b']);
    return tf.squeeze(tf.sigmoid(logit), [3]) as tf.Tensor3D;
  });
}

/**
 * M_gt = clean > threshold * mix (1/0), the public code's rule; clean and mix are magnitudes
 * [N, F, T], or [N, F, T, C] whose channels are averaged first (one mask for both ears).
 */
export function maskTarget(clean: Spectrogram, mix: Spectrogram, config: Pick<EnhancementConfig, 'maskThreshold'> = DEFAULT_ENHANCEMENT_CONFIG): tf.Tensor3D {
  return tf.tidy(() => {
    const one = (x: Spectrogram) => (x.rank === 4 ? tf.mean(x, 3) : x);
    return tf.cast(tf.greater(one(clean), tf.mul(one(mix), config.maskThreshold)), 'float32') as tf.Tensor3D;
  });
}

/** L_enhancement: per-pixel squared error, averaged. */
export function enhancementLoss(pred: tf.Tensor3D, target: tf.Tensor3D): tf.Scalar {
  return tf.tidy(() => tf.mean(tf.square(tf.sub(pred, target))) as tf.Scalar);
}

/** The mixture waveform mixGain * (s1 + s2) (same length). */
export function mixWaveforms(s1: Float32Array, s2: Float32Array, mixGain = DEFAULT_ENHANCEMENT_CONFIG.mixGain): Float32Array {
  if (s1.length !== s2.length) throw new Error(`mixWaveforms: lengths differ (${s1.length} vs ${s2.length})`);
  const out = new Float32Array(s1.length);
  for (let i = 0; i < out.length; i++) out[i] = mixGain * (s1[i] + s2[i]);
  return out;
}
