/**
 * The pretrained visual trunk (models/visual-mobilenetv2, extracted by
 * tools/models/extract-visual.ts): MobileNetV2 cut at two depths. Input [N, 224, 224, 3] RGB in
 * [0, 1]; outputs f14 [N, 14, 14, 576] and f28 [N, 28, 28, 192]. Loaded only after every file
 * matches its sha256 in models/manifest.json.
 */
import * as tf from '@tensorflow/tfjs';
import { fetchVerified, type Fetcher, type LoadProgress, type Manifest } from '../weights/verify';
import { WeightsUnavailableError } from '../errors';

export const VISUAL_ID = 'visual-mobilenetv2';

export async function loadVisualTrunk(manifest: Manifest, baseUrl: string, opts: { fetcher?: Fetcher; onProgress?: (p: LoadProgress) => void; signal?: AbortSignal } = {}): Promise<tf.LayersModel> {
  const entry = manifest.models.find((m) => m.id === VISUAL_ID);
  if (!entry) throw new WeightsUnavailableError(VISUAL_ID, 'it is not listed in models/manifest.json');
  const files = await fetchVerified(entry, baseUrl, opts);
  const json = JSON.parse(new TextDecoder().decode(files.get(`${VISUAL_ID}/model.json`))) as { modelTopology: object; weightsManifest: { weights: tf.io.WeightsManifestEntry[] }[] };
  const bin = files.get(`${VISUAL_ID}/weights.bin`)!;
  const weightData = bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength) as ArrayBuffer;
  return tf.loadLayersModel(tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs: json.weightsManifest.flatMap((g) => g.weights), weightData }));
}

/** RGBA bytes [H, W, 4] of 224x224 frames -> features. Caller disposes the outputs. */
export function visualFeatures(model: tf.LayersModel, frames: tf.Tensor4D): { f14: tf.Tensor4D; f28: tf.Tensor4D } {
  const [f14, f28] = model.predict(frames) as tf.Tensor4D[];
  return { f14, f28 };
}
