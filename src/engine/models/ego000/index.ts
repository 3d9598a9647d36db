/**
 * Paper 000's localizer ("ego000"): the stable inference API and the shipped weights' format.
 *
 *   const model = await loadEgo000(manifest, 'ego000-synth', baseUrl, { fetcher, onProgress })
 *   const maps = ego000Maps(model, f14, spec, toQuery, { queries: 'all' | i, geometry?, enhancement?, singleFrame? })
 *
 * f14: [T, 14, 14, 576] trunk features of a window (models/visual.ts); spec: [1, 128, 128] the
 * log-frequency magnitude (dsp/logfreq.ts) of the 1-s mono 11025 Hz audio around the query ([1, 128, 128, 2]: left and right, for a model trained on both ears);
 * toQuery: per query row (T rows for 'all', one for a chosen query), T row-major 3x3 homographies
 * H_{j -> i} at FEATURE resolution (geometry/homography.ts scaleHomography from 224x224 frames to
 * 14x14; the query's own entry is the identity). Returns S [Q, 14, 14] before the threshold
 * (cosines in [-1, 1]); the caller disposes it. Trained with T = 5 frames 2 apart (8 fps clips),
 * tested with T = 9.
 */
import * as tf from '@tensorflow/tfjs';
import { WeightsUnavailableError } from '../../errors';
import { fetchVerified, type Fetcher, type LoadProgress, type Manifest } from '../../weights/verify';
import { makeVariable, type Params } from '../audio';
import { isNormStatistic, type Spectrogram } from './enhancement';
import { ego000Forward, initEgo000Params, validateEgo000Config, type Ego000Config, type Ego000ConfigInput, type Ego000MapOptions } from './model';

export * from './model';
export { calibrateAudioNorm, isNormStatistic, pooledMoments, maskTarget, mixWaveforms, enhancementLoss, upsample2, spectrogramShape, fitsSpectrogram, validateEnhancementConfig, DEFAULT_ENHANCEMENT_CONFIG, type EnhancementConfig, type Spectrogram } from './enhancement';
export { validateSoftLocalizationConfig, visualVector, projectVisual, DEFAULT_SOFTLOC_MODEL_CONFIG, type SoftLocalizationConfig } from './softloc';
export { validateTemporalConfig, identityRows, DEFAULT_TEMPORAL_CONFIG, type TemporalConfig } from './temporal';
export { validateObjectiveConfig, groundLoss, milPool, DEFAULT_OBJECTIVE_CONFIG, type ObjectiveConfig } from './mil';

export interface Ego000Model {
  params: Params;
  config: Ego000Config;
  /** sha256 of the weights file (empty for a model built in memory). */
  sha256: string;
}

/** The maps of one window (see the header). */
export function ego000Maps(model: Pick<Ego000Model, 'params' | 'config'>, f14: tf.Tensor4D, spec: Spectrogram, toQuery: number[][][], opts: Ego000MapOptions): tf.Tensor3D {
  return ego000Forward(model.params, model.config, f14, spec, toQuery, opts);
}

export const EGO000_FORMAT = 'egosound-ego000/1';

export interface Ego000ModelJson {
  format: typeof EGO000_FORMAT;
  modelId: string;
  config: Ego000Config;
  weightsManifest: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
}

/** Parameters -> model.json + weights.bin (tfjs binary weights format). */
export async function serializeEgo000(modelId: string, params: Params, config: Ego000Config): Promise<{ modelJson: string; weights: Uint8Array }> {
  const named = Object.keys(params).sort().map((name) => ({ name, tensor: params[name] as tf.Tensor }));
  const { data, specs } = await tf.io.encodeWeights(named);
  const json: Ego000ModelJson = { format: EGO000_FORMAT, modelId, config, weightsManifest: [{ paths: ['weights.bin'], weights: specs }] };
  const bytes = data instanceof ArrayBuffer ? new Uint8Array(data) : new Uint8Array(await new Blob(data as ArrayBuffer[]).arrayBuffer());
  return { modelJson: JSON.stringify(json, null, 1) + '\n', weights: bytes };
}

/** model.json + weights.bin -> fresh variables (trainable when asked; the caller disposes them). */
export function deserializeEgo000(modelJsonText: string, weights: Uint8Array, trainable = false): { params: Params; config: Ego000Config; modelId: string } {
  const json = JSON.parse(modelJsonText) as Ego000ModelJson;
  if (json.format !== EGO000_FORMAT) throw new Error(`unknown weights format ${String(json.format)} (expected ${EGO000_FORMAT})`);
  const input = (json.config ?? {}) as Ego000ConfigInput;
  // files written before the audio encoder had normalization carry no `norm`: they have none
  const enh = input.audioEnhancement && !('norm' in input.audioEnhancement) ? { ...input.audioEnhancement, norm: 'none' as const } : input.audioEnhancement;
  const config = validateEgo000Config({ ...input, ...(enh ? { audioEnhancement: enh } : {}) });
  const buf = weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength) as ArrayBuffer;
  const tensors = tf.io.decodeWeights(buf, json.weightsManifest.flatMap((g) => g.weights));
  // the file must hold exactly the parameters its config needs, with their shapes
  const want = initEgo000Params(config, 0);
  const problems: string[] = [];
  for (const [name, v] of Object.entries(want)) {
    const t = tensors[name];
    if (!t) problems.push(`${name} missing`);
    else if (t.shape.join('x') !== v.shape.join('x')) problems.push(`${name} is [${t.shape}], config needs [${v.shape}]`);
  }
  for (const name of Object.keys(tensors)) if (!want[name]) problems.push(`${name} not in the config`);
  tf.dispose(Object.values(want));
  if (problems.length) {
    tf.dispose(Object.values(tensors));
    throw new WeightsUnavailableError(json.modelId ?? 'ego000 weights', `weights do not match their config: ${problems.slice(0, 3).join('; ')}${problems.length > 3 ? ` (+${problems.length - 3} more)` : ''}`);
  }
  const params: Params = {};
  for (const [name, t] of Object.entries(tensors)) params[name] = makeVariable(t, trainable && !isNormStatistic(name));
  return { params, config, modelId: json.modelId };
}

/** Loads a shipped ego000 model after every file matched its sha256 in the manifest. */
export async function loadEgo000(manifest: Manifest, id: string, baseUrl: string, opts: { fetcher?: Fetcher; onProgress?: (p: LoadProgress) => void; signal?: AbortSignal } = {}): Promise<Ego000Model> {
  const entry = manifest.models.find((m) => m.id === id);
  if (!entry) throw new WeightsUnavailableError(id, 'it is not listed in models/manifest.json');
  const files = await fetchVerified(entry, baseUrl, opts);
  const jsonBytes = files.get(`${id}/model.json`);
  const bin = files.get(`${id}/weights.bin`);
  if (!jsonBytes || !bin) throw new WeightsUnavailableError(id, 'the manifest entry lacks model.json or weights.bin');
  const { params, config } = deserializeEgo000(new TextDecoder().decode(jsonBytes), bin);
  return { params, config, sha256: entry.files.find((f) => f.path.endsWith('weights.bin'))!.sha256 };
}
