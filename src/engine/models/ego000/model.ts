/**
 * Paper 000 (Ego-AV-Loc, CVPR 2023), the full localizer, composed from the blocks beside it:
 *
 *   f14 [T, 14, 14, 576] --projectVisual--> v [T, 14, 14, d] --> g_v (softloc.ts)
 *   spec [1, 128, 128] (or [1, 128, 128, 2]: both ears) --E_a--> a --f(a, g_v)--> a^ --max + linear--> g_a^ [d]       (enhancement.ts)
 *   v^ = softmax(cos(v, g_a^)) v  (soft localization, softloc.ts)
 *   z  = warpAttend(v^, H) (eq. 1 over homography-aligned frames, temporal.ts)
 *   S  = cos(z, g_a^)  [Tq, 14, 14]: the localization map (mil.ts); m = sigmoid((S - 0.5)/0.03)
 *
 * Training (ego000Loss): a batch of K windows of T frames, one per clip (no same-clip negatives).
 * The audio input of window k is the mixture 0.5 (s_k + s_r) with s_r from a clip outside the batch
 * (mix-and-separate); the mask decoder learns s_k's mask of it. Every map of every window is a
 * query (MIL over T); negatives pair window k's frames with the other windows' audio.
 *
 * Negative pairs and the visual conditioning of f. f sees g_v, so an audio vector made with the
 * window's own g_v could match its frames through g_v alone, not through the sound (a shortcut
 * the contrastive loss would reward). So every audio j is enhanced with the g_v of the frames it
 * is scored against: the negative N_kj uses f(a_j, g_v,k), exactly as the positive uses f(a_k, g_v,k).
 * The features z_k a negative is scored on are those of the positive pass (soft localization
 * with the own audio); recomputing eq. 1 per negative pair would cost K^2 attention passes.
 */
import * as tf from '@tensorflow/tfjs';
import { InvalidConfigError } from '../../errors';
import type { Mat3 } from '../../kernels';
import { makeVariable, type Params } from '../audio';
import {
  audioFeatures, audioVector, calibrateAudioNorm, enhance, enhancePairs, pooledMoments, enhancementLoss, initEnhancementParams, maskDecoder, maskTarget,
  validateEnhancementConfig, fitsSpectrogram, spectrogramShape, DEFAULT_ENHANCEMENT_CONFIG, type EnhancementConfig, type Spectrogram,
} from './enhancement';
import { initVisualParams, projectVisual, softLocalizeWindow, validateSoftLocalizationConfig, visualVector, DEFAULT_SOFTLOC_MODEL_CONFIG, type SoftLocalizationConfig } from './softloc';
import { temporalAggregate, temporalAggregateDense, validateTemporalConfig, DEFAULT_TEMPORAL_CONFIG, type TemporalConfig } from './temporal';
import { groundLoss, l2normalize, localizationMap, milPool, validateObjectiveConfig, DEFAULT_OBJECTIVE_CONFIG, type ObjectiveConfig } from './mil';

export interface Ego000Config {
  /** Channels of the frozen trunk map (MobileNetV2 block_13_expand_relu: 576). */
  visualChannels: number;
  /** Joint space d (paper: c = 512; small here for CPU training). */
  embedDim: number;
  /** Hidden width of the visual 1x1 projection (0: one linear layer). */
  visualHidden: number;
  /** Cascaded feature enhancement (audio f + D_a, and soft localization) in the trained model. */
  enhancement: boolean;
  /**
   * Side of the feature grid for a learned vector per cell added to the projected visual features
   * (`visual/pos` [n, n, d]; 0: none, the paper's and the default; 14 for visual-mobilenetv2's
   * f14). A choice of ours: with two-channel audio it gives the cosine map a way to place what the
   * ears say (the camera is on the head, so a direction is a place in the picture).
   */
  positionGrid: number;
  audioEnhancement: EnhancementConfig;
  softLocalization: SoftLocalizationConfig;
  temporal: TemporalConfig;
  objective: ObjectiveConfig;
}

export const DEFAULT_EGO000_CONFIG: Ego000Config = {
  visualChannels: 576, embedDim: 128, visualHidden: 0, enhancement: true, positionGrid: 0,
  audioEnhancement: DEFAULT_ENHANCEMENT_CONFIG,
  softLocalization: DEFAULT_SOFTLOC_MODEL_CONFIG,
  temporal: DEFAULT_TEMPORAL_CONFIG,
  objective: DEFAULT_OBJECTIVE_CONFIG,
};

export type Ego000ConfigInput = Partial<Omit<Ego000Config, 'audioEnhancement' | 'softLocalization' | 'temporal' | 'objective'>> & {
  audioEnhancement?: Partial<EnhancementConfig>;
  softLocalization?: Partial<SoftLocalizationConfig>;
  temporal?: Partial<TemporalConfig>;
  objective?: Partial<ObjectiveConfig>;
};

export function validateEgo000Config(c: Ego000ConfigInput = {}): Ego000Config {
  const out = { ...DEFAULT_EGO000_CONFIG, ...c } as Ego000Config;
  const int = (k: 'visualChannels' | 'embedDim' | 'visualHidden' | 'positionGrid', lo: number, hi: number) => {
    const v = out[k] as unknown;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < lo || v > hi) throw new InvalidConfigError(k, `must be an integer in [${lo}, ${hi}], got ${String(v)}`);
  };
  int('visualChannels', 1, 4096);
  int('embedDim', 2, 2048);
  int('visualHidden', 0, 4096);
  int('positionGrid', 0, 256);
  if (typeof out.enhancement !== 'boolean') throw new InvalidConfigError('enhancement', `must be true or false, got ${String(out.enhancement)}`);
  const enh = c.audioEnhancement ?? {};
  for (const k of ['visualDim', 'embedDim'] as const) {
    if (enh[k] !== undefined && enh[k] !== out.embedDim) throw new InvalidConfigError(`audioEnhancement.${k}`, `must equal embedDim (${out.embedDim}), got ${enh[k]}`);
  }
  out.audioEnhancement = validateEnhancementConfig({ ...DEFAULT_ENHANCEMENT_CONFIG, ...enh, visualDim: out.embedDim, embedDim: out.embedDim });
  out.softLocalization = validateSoftLocalizationConfig(c.softLocalization ?? {});
  out.temporal = validateTemporalConfig(c.temporal ?? {});
  out.objective = validateObjectiveConfig(c.objective ?? {});
  return out;
}

/** Every trainable parameter: visual projection, audio encoder + f + D_a + projection, MIL weights. */
export function initEgo000Params(config: Ego000Config, seed: number): Params {
  const c = validateEgo000Config(config);
  const p: Params = { ...initVisualParams(c.visualChannels, c.visualHidden, c.embedDim, seed), ...initEnhancementParams(c.audioEnhancement, seed) };
  if (!c.enhancement) {
    for (const k of Object.keys(p)) if (k.startsWith('enh/') || k.startsWith('dec/')) { p[k].dispose(); delete p[k]; }
  }
  p['mil/theta'] = makeVariable(tf.zeros([c.temporal.trainFrames]));
  // small against v (unit-variance features through a 1/sqrt(C) projection): it starts as a hint
  if (c.positionGrid > 0) p['visual/pos'] = makeVariable(tf.randomNormal([c.positionGrid, c.positionGrid, c.embedDim], 0, 0.1, 'float32', seed + 501));
  return p;
}

/**
 * a^ of K windows in inference mode, each audio enhanced with its own window's g_v (a itself
 * without the enhancement block): [K, h_a, w_a, C]. f14 [K*T, h, w, C], spec [K, F, T].
 */
export function ownAudioFeatures(params: Params, config: Ego000Config, f14: tf.Tensor4D, spec: Spectrogram): tf.Tensor4D {
  return tf.tidy(() => ownEnhanced(params, config, f14, spec).ahat);
}

/** ownAudioFeatures with the encoder's skips (the mask decoder's input); the caller tidies. */
function ownEnhanced(params: Params, c: Ego000Config, f14: tf.Tensor4D, spec: Spectrogram): { ahat: tf.Tensor4D; skips: tf.Tensor4D[] } {
  const K = spec.shape[0];
  const [KT, h, w] = f14.shape;
  if (!Number.isInteger(KT / K)) throw new Error(`ownAudioFeatures: ${KT} frames for ${K} windows`);
  const { a, skips } = audioFeatures(params, spec, c.audioEnhancement, 'infer');
  if (!c.enhancement) return { ahat: a, skips };
  const v = tf.reshape(projectVisual(params, f14), [K, KT / K, h, w, c.embedDim]) as tf.Tensor5D;
  return { ahat: enhance(params, a, visualVector(v), c.audioEnhancement), skips };
}

/**
 * Data-dependent initialisation (training only): shifts the biases of the visual and audio
 * projections so that, over the windows given, v and g_a^ have zero mean. Without the pooled
 * normalization (`norm: 'none'`) the audio vectors of different clips start nearly parallel
 * (post-ReLU features, max-pooled: pairwise cosine 0.94 on the synthetic benchmark,
 * tools/models/probe-ego000.ts) and this brings them to ~0, though training undid it within 25
 * steps; with the calibrated pooled normalization the audio mean is already ~0 and this mainly
 * centres v. f14 [K*T, h, w, C] and spec [K, F, T] as in Ego000Batch (the own, unmixed audio).
 * The audio encoder runs in inference mode: calibrate its normalization (calibrateEgo000Norm) first.
 * Returns the mean pairwise cosine of g_a^ before and after.
 */
export function centreProjections(params: Params, config: Ego000Config, f14: tf.Tensor4D, spec: Spectrogram): { before: number; after: number } {
  const K = spec.shape[0];
  const audioVectors = (): tf.Tensor2D => tf.tidy(() => audioVector(params, ownAudioFeatures(params, config, f14, spec)) as tf.Tensor2D);
  const meanCos = (g: tf.Tensor2D): number => tf.tidy(() => {
    const n = l2normalize(g);
    const all = tf.sum(tf.matMul(n, n, false, true)).dataSync()[0];
    return (all - K) / (K * (K - 1));
  });
  // visual first: g_v (and so f's output) depends on v
  tf.tidy(() => {
    const v = projectVisual(params, f14);
    params['visual/proj/b'].assign(tf.sub(params['visual/proj/b'], tf.mean(v, [0, 1, 2])));
  });
  const g0 = audioVectors();
  const before = meanCos(g0);
  tf.tidy(() => params['audio/proj/b'].assign(tf.sub(params['audio/proj/b'], tf.mean(g0, 0))));
  g0.dispose();
  const g1 = audioVectors();
  const after = meanCos(g1);
  g1.dispose();
  return { before, after };
}

/**
 * Sets every stored normalization statistic of the audio side for inference from K windows
 * (f14 [K*T, h, w, C], spec [K, F, T]: their own, unmixed audio): the encoder stages
 * (calibrateAudioNorm), then the pooled features of a^ = f(a, g_v) with each window's own g_v.
 * A no-op for norm 'none'.
 */
export function calibrateEgo000Norm(params: Params, config: Ego000Config, f14: tf.Tensor4D, spec: Spectrogram): void {
  const c = config;
  if (c.audioEnhancement.norm !== 'batch') return;
  calibrateAudioNorm(params, spec, c.audioEnhancement);
  const stats = tf.tidy(() => pooledMoments(ownAudioFeatures(params, c, f14, spec)));
  params['audio/pool/mean'].assign(stats.mean);
  params['audio/pool/var'].assign(stats.variance);
  tf.dispose([stats.mean, stats.variance]);
}

export interface Ego000Batch {
  /** Trunk features of K windows x T frames, window-major: [K*T, 14, 14, C]. */
  f14: tf.Tensor4D;
  /** The audio input of each window (the mixture when mix-and-separate is on): [K, F, T] ([K, F, T, C] for C > 1 channels). */
  spec: Spectrogram;
  /** The window's own clean audio, for the mask target (mix-and-separate), shaped as spec. */
  clean?: Spectrogram;
  /** Per window, T rows of T homographies H_{j -> t} at feature resolution (queries 'all'). */
  toQuery: Mat3[][][];
}

export interface Ego000LossParts {
  loss: tf.Scalar;
  ground: tf.Scalar;
  enhancement: tf.Scalar;
  logits: tf.Tensor2D;
  /** Pooled positive maps S~ [K, h, w] (MIL over T). */
  pooled: tf.Tensor3D;
}

/**
 * Eq. 3 on a batch. `geometry: false` trains with identities (the "w/o geometry" ablation).
 * `groundOn: 'clean'` (a training choice, not the paper's): the grounding term (eq. 2) hears each
 * window's own audio (batch.clean) while the mask decoder still learns to separate the mixture
 * (batch.spec); by default ('input') both read the mixture, as paper 000 feeds f the mixed
 * spectrogram. Without batch.clean the two are the same.
 */
export function ego000Loss(params: Params, config: Ego000Config, batch: Ego000Batch, opts: { geometry?: boolean; groundOn?: 'input' | 'clean' } = {}): Ego000LossParts {
  const c = config;
  const geometry = opts.geometry ?? true;
  const K = batch.spec.shape[0];
  const [KT, h, w] = batch.f14.shape;
  const T = KT / K;
  if (!Number.isInteger(T) || T !== c.temporal.trainFrames) throw new Error(`ego000Loss: ${KT} frames for ${K} windows; need ${c.temporal.trainFrames} per window`);
  if (batch.toQuery.length !== K) throw new Error(`ego000Loss: ${batch.toQuery.length} homography sets for ${K} windows`);
  return tf.tidy(() => {
    const d = c.embedDim;
    const v = tf.reshape(projectVisual(params, batch.f14), [K, T, h, w, d]) as tf.Tensor5D;
    const gv = visualVector(v); // [K, d]
    const { a, skips } = audioFeatures(params, batch.spec, c.audioEnhancement, 'train');
    const aG = opts.groundOn === 'clean' && batch.clean ? audioFeatures(params, batch.clean, c.audioEnhancement, 'train').a : a;
    let gAll: tf.Tensor3D; // [K (frames), K (audio), d]
    let gOwn: tf.Tensor2D; // [K, d]
    let enhLoss: tf.Scalar = tf.scalar(0);
    const norm = c.audioEnhancement.norm === 'batch';
    if (c.enhancement) {
      // batch statistics of the pooled features over every (frames k, audio j) pair
      const pairs = enhancePairs(params, aG, gv, c.audioEnhancement);
      const stats = norm ? pooledMoments(pairs) : undefined;
      gAll = audioVector(params, pairs, stats) as tf.Tensor3D;
      const own = enhance(params, aG, gv, c.audioEnhancement);
      gOwn = audioVector(params, own, stats) as tf.Tensor2D;
      if (batch.clean) {
        const mixed = aG === a ? own : enhance(params, a, gv, c.audioEnhancement);
        const pred = maskDecoder(params, mixed, skips, c.audioEnhancement);
        enhLoss = enhancementLoss(pred, maskTarget(batch.clean, batch.spec, c.audioEnhancement));
      }
    } else {
      gOwn = audioVector(params, aG, norm ? pooledMoments(aG) : undefined) as tf.Tensor2D;
      gAll = tf.tile(tf.expandDims(gOwn, 0), [K, 1, 1]) as tf.Tensor3D;
    }
    const zs: tf.Tensor4D[] = [];
    for (let k = 0; k < K; k++) {
      const vk = tf.reshape(tf.slice(v, [k, 0, 0, 0, 0], [1, T, h, w, d]), [T, h, w, d]) as tf.Tensor4D;
      const gk = tf.reshape(tf.slice(gOwn, [k, 0], [1, d]), [d]) as tf.Tensor1D;
      const vhat = c.enhancement ? softLocalizeWindow(vk, gk, c.softLocalization).vhat : vk;
      // training runs the dense form of eq. 1 (equal to the kernel path, cheap to differentiate on CPU backends)
      zs.push(temporalAggregateDense(vhat, batch.toQuery[k], geometry));
    }
    const zn = l2normalize(tf.reshape(tf.stack(zs), [K, T * h * w, d]));
    const gn = l2normalize(gAll);
    // S[k, j, t, p] = cos(z_k,t,p, g_kj)
    const s = tf.transpose(tf.reshape(tf.matMul(zn, gn, false, true), [K, T, h * w, K]), [0, 3, 1, 2]);
    const pooledAll = milPool(s, params['mil/theta'] as tf.Tensor1D) as tf.Tensor3D; // [K, K, hw]
    const { loss: ground, logits } = groundLoss(pooledAll, c.objective);
    const pooled = tf.reshape(tf.sum(tf.mul(pooledAll, tf.expandDims(tf.eye(K), -1)), 1), [K, h, w]) as tf.Tensor3D;
    const loss = tf.add(ground, tf.mul(enhLoss, c.objective.lambda)) as tf.Scalar;
    return { loss, ground, enhancement: enhLoss, logits, pooled };
  });
}

export interface Ego000MapOptions {
  /** 'all': a map per frame; a number: the map of that frame only. */
  queries: 'all' | number;
  /** false: identity homographies (the "w/o geometry" ablation). Default true. */
  geometry?: boolean;
  /** false: leave out f and soft localization at inference (the "w/o enhancement" ablation). Default: as trained. */
  enhancement?: boolean;
  /** true: each query frame alone (T = 1; the "single frame" ablation). Default false. */
  singleFrame?: boolean;
}

/**
 * Localization maps S (before the threshold) of one window. f14 [T, 14, 14, C], spec [1, F, T]
 * (the window's audio), toQuery: per query row, T homographies H_{j -> i} at feature resolution.
 * Returns [Q, 14, 14] (Q = T for 'all', else 1). Inputs are not disposed.
 */
export function ego000Forward(params: Params, config: Ego000Config, f14: tf.Tensor4D, spec: Spectrogram, toQuery: number[][][], opts: Ego000MapOptions): tf.Tensor3D {
  const c = config;
  const T = f14.shape[0];
  const q = opts.queries;
  if (q !== 'all' && (!Number.isInteger(q) || q < 0 || q >= T)) throw new InvalidConfigError('queries', `must be 'all' or a frame index in [0, ${T - 1}], got ${String(q)}`);
  if (spec.shape[0] !== 1 || !fitsSpectrogram(spec, c.audioEnhancement)) throw new InvalidConfigError('spec', `must be one spectrogram [${spectrogramShape(c.audioEnhancement, 1)}], got [${spec.shape}]`);
  if (f14.rank !== 4 || f14.shape[3] !== c.visualChannels) throw new InvalidConfigError('f14', `must be [T, h, w, ${c.visualChannels}], got [${f14.shape}]`);
  const enhOn = (opts.enhancement ?? c.enhancement) && c.enhancement;
  const one = (f: tf.Tensor4D, rows: number[][][], qq: 'all' | number, geometry: boolean): tf.Tensor3D => tf.tidy(() => {
    const [t, h, w] = f.shape;
    const v = projectVisual(params, f);
    const { a } = audioFeatures(params, spec, c.audioEnhancement);
    let g: tf.Tensor1D;
    let vhat = v;
    if (enhOn) {
      const gv = visualVector(tf.reshape(v, [1, t, h, w, c.embedDim]) as tf.Tensor5D);
      g = tf.reshape(audioVector(params, enhance(params, a, gv, c.audioEnhancement)), [c.embedDim]) as tf.Tensor1D;
      vhat = softLocalizeWindow(v, g, c.softLocalization).vhat;
    } else {
      g = tf.reshape(audioVector(params, a), [c.embedDim]) as tf.Tensor1D;
    }
    const z = temporalAggregate(vhat, rows as Mat3[][], qq, c.temporal, geometry);
    return localizationMap(z, g);
  });
  if (!opts.singleFrame) return one(f14, toQuery, q, opts.geometry ?? true);
  const frames = q === 'all' ? Array.from({ length: T }, (_, t) => t) : [q];
  return tf.tidy(() => tf.concat(frames.map((t) => {
    const ft = tf.slice(f14, [t, 0, 0, 0], [1, f14.shape[1], f14.shape[2], f14.shape[3]]) as tf.Tensor4D;
    return one(ft, [[[1, 0, 0, 0, 1, 0, 0, 0, 1]]], 0, false);
  }), 0) as tf.Tensor3D);
}

/**
 * The separation mask of paper 000's enhancement branch at inference (sec. 2.2, mix-and-separate):
 * the audio a of the window's second, enhanced with the window's visual vector g_v (spatial mean,
 * temporal max of v), decoded by the U-Net D_a into a mask on the log-frequency grid, as trained
 * (ego000Loss: the decoder reads f(a, g_v) of the own window and the encoder's skips).
 * f14 [T, 14, 14, C], spec [1, F, T]. Returns [F, T] in [0, 1]; null when the model has no
 * enhancement block.
 */
export function ego000SeparationMask(params: Params, config: Ego000Config, f14: tf.Tensor4D, spec: Spectrogram): tf.Tensor2D | null {
  const c = config;
  if (!c.enhancement) return null;
  if (spec.shape[0] !== 1 || !fitsSpectrogram(spec, c.audioEnhancement)) throw new InvalidConfigError('spec', `must be one spectrogram [${spectrogramShape(c.audioEnhancement, 1)}], got [${spec.shape}]`);
  return tf.tidy(() => {
    const { ahat, skips } = ownEnhanced(params, c, f14, spec);
    return tf.squeeze(maskDecoder(params, ahat, skips, c.audioEnhancement), [0]) as tf.Tensor2D;
  });
}
