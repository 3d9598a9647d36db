/**
 * The heard-object localizer: where the sound comes from (a two-ear recording's direction cues)
 * times what there is to hear (a COCO detector's objects, objectness.ts).
 *
 *   d        = binauralFeatures(left, right) of the 1-s window centred on the frame (dsp/binaural.ts:
 *              ILD in 32 bands, GCC-PHAT at lags -20..20; 73 values), standardised by the training
 *              mean and deviation (stored with the weights)
 *   [c | r]  = W2 relu(W1 d + b1) + b2                    a logit per column (14) and per row (14)
 *   S_xy     = gp log(eps + heat_xy) + gq log(eps + boxes_xy) + log softmax(c)_x + log softmax(r)_y
 *
 * so exp(S) is the detector's objectness (heat and boxes, each raised to a learned power) times the
 * probability that the sound comes from the cell's column and row. Trained without labels with paper
 * 000's grounding objective (eq. 2, as probe-ground.ts and the trainer tools/models/train-heard.ts):
 * a frame's score for a sound is the log-mean-exp of S over the cells, i.e. the log of the objectness
 * the sound's direction lands on, and each sound must pick out its own frame from the batch and each
 * frame its own sound (pairs whose clips share a recording left out of each other's denominators).
 * The map is S [14, 14] (a log score; its order is what the metrics and the overlay read).
 * A mono recording has no direction: the model needs two channels.
 */
import * as tf from '@tensorflow/tfjs';
import { InvalidConfigError, WeightsUnavailableError } from '../errors';
import { fetchVerified, type Fetcher, type LoadProgress, type Manifest } from '../weights/verify';
import { BINAURAL_FEATURES } from '../dsp/binaural';
import { makeVariable, type Params } from './audio';

export interface HeardConfig {
  /** Direction features per window (dsp/binaural.ts: 73). */
  features: number;
  /** Sample rate (Hz) and length (s) of the two-channel window the features are computed on. */
  sampleRate: number;
  windowSeconds: number;
  /** Hidden width of the direction MLP. */
  hidden: number;
  /** Grid side (the localizers' 14). */
  grid: number;
  /** eps in log(eps + objectness). */
  floor: number;
}

export const DEFAULT_HEARD_CONFIG: HeardConfig = { features: BINAURAL_FEATURES, sampleRate: 16000, windowSeconds: 1, hidden: 128, grid: 14, floor: 0.01 };

export function validateHeardConfig(c: Partial<HeardConfig> = {}): HeardConfig {
  const out = { ...DEFAULT_HEARD_CONFIG, ...c };
  const int = (k: keyof HeardConfig, lo: number, hi: number) => {
    const v = out[k] as unknown;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < lo || v > hi) throw new InvalidConfigError(k, `must be an integer in [${lo}, ${hi}], got ${String(v)}`);
  };
  int('features', BINAURAL_FEATURES, BINAURAL_FEATURES);
  int('sampleRate', 8000, 48000);
  int('hidden', 1, 4096);
  int('grid', 14, 14);
  if (out.windowSeconds !== 1) throw new InvalidConfigError('windowSeconds', `must be 1, got ${String(out.windowSeconds)}`);
  if (typeof out.floor !== 'number' || !(out.floor > 0 && out.floor <= 1)) throw new InvalidConfigError('floor', `must be a number in (0, 1], got ${String(out.floor)}`);
  return out;
}

/**
 * Fresh parameters: W1 [features, hidden], W2 [hidden, 2 grid] normal with variance 2 / (fan-in +
 * fan-out) from tf's seeded generator, biases 0, exponents gp = gq = 1; the standardisation
 * (dirMean, dirSd) as given (the training set's).
 */
export function initHeardParams(config: HeardConfig, seed: number, dirMean: Float32Array, dirSd: Float32Array): Params {
  const { features: F, hidden: Hd, grid: G } = config;
  const glorot = (r: number, c: number) => makeVariable(tf.randomNormal([r, c], 0, Math.sqrt(2 / (r + c)), 'float32', seed + r + c));
  return {
    'heard/w1': glorot(F, Hd), 'heard/b1': makeVariable(tf.zeros([Hd])),
    'heard/w2': glorot(Hd, 2 * G), 'heard/b2': makeVariable(tf.zeros([2 * G])),
    'heard/gp': makeVariable(tf.scalar(1)), 'heard/gq': makeVariable(tf.scalar(1)),
    'heard/dirMean': makeVariable(tf.tensor1d(dirMean), false), 'heard/dirSd': makeVariable(tf.tensor1d(dirSd), false),
  };
}

/** Where each sound comes from as a log probability per cell [n, G*G]: log softmax over columns + over rows. */
export function directionLogits(p: Params, dir: tf.Tensor2D, config: HeardConfig): tf.Tensor2D {
  return tf.tidy(() => {
    const G = config.grid, n = dir.shape[0];
    const x = tf.div(tf.sub(dir, p['heard/dirMean']), p['heard/dirSd']);
    const h = tf.add(tf.matMul(tf.relu(tf.add(tf.matMul(x, p['heard/w1']), p['heard/b1'])), p['heard/w2']), p['heard/b2']);
    const col = tf.logSoftmax(h.slice([0, 0], [-1, G])), row = tf.logSoftmax(h.slice([0, G], [-1, G]));
    return tf.add(col.reshape([n, 1, G]), row.reshape([n, G, 1])).reshape([n, G * G]) as tf.Tensor2D;
  });
}

/** The objectness term gp log(eps + heat) + gq log(eps + boxes) [m, G*G] of frames' maps heat, boxes [m, G*G]. */
export function objectnessLogits(p: Params, heat: tf.Tensor2D, boxes: tf.Tensor2D, config: HeardConfig): tf.Tensor2D {
  return tf.tidy(() => tf.add(tf.mul(tf.log(tf.add(heat, config.floor)), p['heard/gp']), tf.mul(tf.log(tf.add(boxes, config.floor)), p['heard/gq'])) as tf.Tensor2D);
}

/** Maps [n, G*G] of n frames, each with its own sound's direction features dir [n, features]. */
export function heardMaps(p: Params, dir: tf.Tensor2D, heat: tf.Tensor2D, boxes: tf.Tensor2D, config: HeardConfig): tf.Tensor2D {
  return tf.tidy(() => tf.add(objectnessLogits(p, heat, boxes, config), directionLogits(p, dir, config)) as tf.Tensor2D);
}

/**
 * Eq. 2 over a batch of n (frame, own sound) pairs: score[i][j] = log-mean-exp over the cells of
 * sound i's map on frame j; cross-entropy of each sound over the frames and each frame over the
 * sounds, averaged. sameSound [n * n]: 1 where i != j share a recording (masked out of both).
 */
export function heardLoss(p: Params, dir: tf.Tensor2D, heat: tf.Tensor2D, boxes: tf.Tensor2D, sameSound: Float32Array, config: HeardConfig): tf.Scalar {
  return tf.tidy(() => {
    const n = dir.shape[0], C = config.grid * config.grid;
    const S = tf.add(objectnessLogits(p, heat, boxes, config).reshape([1, n, C]), directionLogits(p, dir, config).reshape([n, 1, C]));
    const mask = tf.mul(tf.tensor2d(sameSound, [n, n]), -1e4);
    const score = tf.add(tf.sub(tf.logSumExp(S, 2), Math.log(C)), mask) as tf.Tensor2D;
    const eye = tf.oneHot(tf.range(0, n, 1, 'int32'), n);
    return tf.mul(tf.add(tf.losses.softmaxCrossEntropy(eye, score), tf.losses.softmaxCrossEntropy(eye, score.transpose())), 0.5) as tf.Scalar;
  });
}

// ---- shipped weights -------------------------------------------------------------------------

export const HEARD_FORMAT = 'egosound-heard/1';
interface HeardModelJson { format: typeof HEARD_FORMAT; modelId: string; config: HeardConfig; weightsManifest: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[] }

/** Encodes parameters into model.json + weights.bin (tfjs binary weights format). */
export async function serializeHeard(modelId: string, params: Params, config: HeardConfig): Promise<{ modelJson: string; weights: Uint8Array }> {
  const { data, specs } = await tf.io.encodeWeights(Object.keys(params).sort().map((name) => ({ name, tensor: params[name] as tf.Tensor })));
  const json: HeardModelJson = { format: HEARD_FORMAT, modelId, config, weightsManifest: [{ paths: ['weights.bin'], weights: specs }] };
  const bytes = data instanceof ArrayBuffer ? new Uint8Array(data) : new Uint8Array(await new Blob(data as ArrayBuffer[]).arrayBuffer());
  return { modelJson: JSON.stringify(json, null, 1) + '\n', weights: bytes };
}

const NAMES = ['heard/b1', 'heard/b2', 'heard/dirMean', 'heard/dirSd', 'heard/gp', 'heard/gq', 'heard/w1', 'heard/w2'];

/** Decodes model.json + weights.bin into fresh (frozen) variables; the caller disposes them. */
export function deserializeHeard(modelJsonText: string, weights: Uint8Array): { params: Params; config: HeardConfig; modelId: string } {
  const json = JSON.parse(modelJsonText) as HeardModelJson;
  if (json.format !== HEARD_FORMAT) throw new Error(`unknown weights format ${String(json.format)}`);
  const config = validateHeardConfig(json.config);
  const buf = weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength) as ArrayBuffer;
  const tensors = tf.io.decodeWeights(buf, json.weightsManifest.flatMap((g) => g.weights));
  const missing = NAMES.filter((k) => !tensors[k]);
  if (missing.length) { tf.dispose(Object.values(tensors)); throw new Error(`heard weights lack ${missing.join(', ')}`); }
  const params: Params = {};
  for (const [name, t] of Object.entries(tensors)) params[name] = makeVariable(t, false);
  return { params, config, modelId: json.modelId };
}

/** Loads a shipped heard-object model after every file matched its sha256 in the manifest. */
export async function loadHeard(manifest: Manifest, id: string, baseUrl: string, opts: { fetcher?: Fetcher; onProgress?: (p: LoadProgress) => void; signal?: AbortSignal } = {}): Promise<{ params: Params; config: HeardConfig; sha256: string }> {
  const entry = manifest.models.find((m) => m.id === id);
  if (!entry) throw new WeightsUnavailableError(id, 'it is not listed in models/manifest.json');
  const files = await fetchVerified(entry, baseUrl, opts);
  const jsonBytes = files.get(`${id}/model.json`), bin = files.get(`${id}/weights.bin`);
  if (!jsonBytes || !bin) throw new WeightsUnavailableError(id, 'the manifest entry lacks model.json or weights.bin');
  const { params, config } = deserializeHeard(new TextDecoder().decode(jsonBytes), bin);
  return { params, config, sha256: entry.files.find((f) => f.path.endsWith('weights.bin'))!.sha256 };
}
