/**
 * Checkpoint files of the ego000 trainer: a parameter set is the shipped weights format
 * (serializeEgo000: model.json-style text + weights.bin bytes) under `<dir>/<name>.json|.bin`.
 * Model parameters are read back with the full check of deserializeEgo000 (every parameter the
 * config needs, with its shape). Adam's moments cover the trained parameters only, not the audio
 * normalization's stored statistics, so they are read against the parameters they belong to.
 * A shipped model (models/<id>/) is read through the manifest's sha256 check, as the app reads it.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { deserializeEgo000, serializeEgo000, type Ego000Config } from '../../src/engine/models/ego000/index.ts';
import { makeVariable, type Params } from '../../src/engine/models/audio.ts';
import { fetchVerified } from '../../src/engine/weights/verify.ts';
import { MODELS_BASE_URL, modelsFetcher, readManifest } from './data.ts';

export async function saveParamSet(dir: string, name: string, modelId: string, p: Params, config: Ego000Config): Promise<void> {
  const { modelJson, weights } = await serializeEgo000(`${modelId}-${name}`, p, config);
  writeFileSync(join(dir, `${name}.json`), modelJson);
  writeFileSync(join(dir, `${name}.bin`), weights);
}

/** A full model parameter set (trainable variables, the normalization statistics not). */
export function loadParamSet(dir: string, name: string): Params {
  return deserializeEgo000(readFileSync(join(dir, `${name}.json`), 'utf8'), new Uint8Array(readFileSync(join(dir, `${name}.bin`))), true).params;
}

/** Optimizer moments: one tensor per name in `names`, shaped like `like[name]`; anything else in the file is an error. */
export function loadMoments(dir: string, name: string, names: string[], like: Params): Params {
  const json = JSON.parse(readFileSync(join(dir, `${name}.json`), 'utf8')) as { weightsManifest: { weights: tf.io.WeightsManifestEntry[] }[] };
  const bytes = new Uint8Array(readFileSync(join(dir, `${name}.bin`)));
  const t = tf.io.decodeWeights(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer, json.weightsManifest.flatMap((g) => g.weights));
  const problems = [
    ...names.filter((n) => !t[n]).map((n) => `${n} missing`),
    ...names.filter((n) => t[n] && t[n].shape.join('x') !== like[n].shape.join('x')).map((n) => `${n} is [${t[n].shape}], the model's is [${like[n].shape}]`),
    ...Object.keys(t).filter((n) => !names.includes(n)).map((n) => `${n} is not a trained parameter`),
  ];
  if (problems.length) {
    tf.dispose(Object.values(t));
    throw new Error(`${join(dir, name)}: the checkpoint does not match the model: ${problems.slice(0, 3).join('; ')}${problems.length > 3 ? ` (+${problems.length - 3} more)` : ''}`);
  }
  return Object.fromEntries(names.map((n) => [n, makeVariable(t[n])]));
}

/** A shipped model's parameters (models/<id>/, every file checked against models/manifest.json). */
export async function loadShippedParams(id: string, trainable: boolean): Promise<{ params: Params; config: Ego000Config }> {
  const entry = readManifest().models.find((m) => m.id === id);
  if (!entry) throw new Error(`${id}: not in models/manifest.json`);
  const files = await fetchVerified(entry, MODELS_BASE_URL, { fetcher: modelsFetcher });
  const file = (suffix: string) => [...files.entries()].find(([path]) => path.endsWith(suffix))![1];
  const { params, config } = deserializeEgo000(new TextDecoder().decode(file('model.json')), file('weights.bin'), trainable);
  return { params, config };
}
