/**
 * Extracts the pretrained visual trunk that the localizer builds on, from an npm package that
 * ships it (nothing is downloaded at run time; see FIELD-NOTES):
 *
 *   nsfwjs 4.4.0 (MIT) bundles a Keras MobileNetV2 (alpha 1.0, 224x224) as a tfjs layers model
 *   with uint8-quantised weights. Its trunk is ImageNet-initialised and fine-tuned by the nsfwjs
 *   authors on their own image data; its classification head is not used here.
 *
 * The trunk is cut after block_13_expand_relu ([14,14,576]) and also exposes
 * block_6_expand_relu ([28,28,192]); the two outputs are saved as one tfjs layers model in
 * models/visual-mobilenetv2/ (float32 weights) and registered in models/manifest.json with the
 * sha256 of every file.
 *
 *   npx tsx tools/models/extract-visual.ts
 */
import * as tf from '@tensorflow/tfjs';
import { createRequire } from 'node:module';
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync, readFileSync, existsSync } from 'node:fs';
import { join, dirname } from 'node:path';

const require = createRequire(import.meta.url);
const OUT = 'models/visual-mobilenetv2';
export const FEATURE_LAYERS = { f14: 'block_13_expand_relu', f28: 'block_6_expand_relu' } as const;

/** Loads nsfwjs's bundled MobileNetV2 (full model, with its head) into tfjs. */
export async function loadSourceModel(): Promise<tf.LayersModel> {
  // The package's exports map hides its model files; resolve its entry and walk up to the package root.
  const pkgDir = join(dirname(require.resolve('nsfwjs')), '..', '..');
  const dir = join(pkgDir, 'dist/models/mobilenet_v2');
  const topo = require(join(dir, 'model.min.js')) as { modelTopology: object; weightsManifest: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[] };
  const shards = topo.weightsManifest.flatMap((g) => g.paths).map((p) => Buffer.from(require(join(dir, `${p}.min.js`)) as string, 'base64'));
  const weightData = new Uint8Array(Buffer.concat(shards)).buffer;
  const weightSpecs = topo.weightsManifest.flatMap((g) => g.weights);
  return tf.loadLayersModel(tf.io.fromMemory({ modelTopology: topo.modelTopology, weightSpecs, weightData }));
}

export function trunk(full: tf.LayersModel): tf.LayersModel {
  const outputs = [full.getLayer(FEATURE_LAYERS.f14).output, full.getLayer(FEATURE_LAYERS.f28).output] as tf.SymbolicTensor[];
  return tf.model({ inputs: full.inputs, outputs, name: 'visual_mobilenetv2_trunk' });
}

async function main(): Promise<void> {
  await tf.setBackend('cpu');
  const full = await loadSourceModel();
  const model = trunk(full);
  mkdirSync(OUT, { recursive: true });
  await model.save(tf.io.withSaveHandler(async (art) => {
    const weights = new Uint8Array(art.weightData as ArrayBuffer);
    const json = {
      format: 'layers-model', generatedBy: 'tools/models/extract-visual.ts', convertedBy: null,
      modelTopology: art.modelTopology, weightsManifest: [{ paths: ['weights.bin'], weights: art.weightSpecs }],
    };
    writeFileSync(join(OUT, 'model.json'), JSON.stringify(json));
    writeFileSync(join(OUT, 'weights.bin'), weights);
    return { modelArtifactsInfo: { dateSaved: new Date(0), modelTopologyType: 'JSON' } };
  }));
  const files = ['model.json', 'weights.bin'].map((f) => {
    const bytes = readFileSync(join(OUT, f));
    return { path: `visual-mobilenetv2/${f}`, sha256: createHash('sha256').update(bytes).digest('hex'), bytes: bytes.length };
  });
  const manifestPath = 'models/manifest.json';
  const manifest = existsSync(manifestPath) ? JSON.parse(readFileSync(manifestPath, 'utf8')) : { version: 1, models: [] };
  manifest.models = manifest.models.filter((m: { id: string }) => m.id !== 'visual-mobilenetv2');
  manifest.models.push({
    id: 'visual-mobilenetv2',
    description: 'Pretrained visual trunk (MobileNetV2 from nsfwjs 4.4.0, MIT), cut at block_13_expand_relu [14,14,576] and block_6_expand_relu [28,28,192]; input [N,224,224,3] RGB scaled to [0,1]',
    files,
    config: { inputSize: 224, inputScale: 1 / 255, inputOffset: 0, outputs: { f14: [14, 14, 576], f28: [28, 28, 192] }, layers: FEATURE_LAYERS },
    source: { package: 'nsfwjs', version: '4.4.0', licence: 'MIT', files: ['dist/models/mobilenet_v2/model.min.js', 'dist/models/mobilenet_v2/group1-shard1of1.min.js'] },
    trainCommand: null,
    card: 'visual-mobilenetv2/MODEL_CARD.md',
  });
  writeFileSync(manifestPath, JSON.stringify(manifest, null, 1) + '\n');
  console.log(`wrote ${OUT}: ${files.map((f) => `${f.path} ${f.bytes} B sha256 ${f.sha256.slice(0, 12)}`).join(', ')}`);
  tf.disposeVariables();
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].replace(/^.*\//, ''))) {
  main().catch((e) => { console.error(e); process.exit(1); });
}
