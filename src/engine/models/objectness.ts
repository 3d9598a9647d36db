/**
 * Class-agnostic objectness on the localizers' 14x14 grid from a COCO-trained detector: CenterNet on
 * MobileNetV3 (models/objectness-centernet, a tfjs graph model; provenance in its MODEL_CARD.md).
 *
 * Input: 224x224 RGB frames in [0, 1] (what the visual trunk takes), resized to DETECTOR_FRAME x
 * DETECTOR_FRAME pixels in the middle of the detector's 512x512 input, the border mid-grey, and scaled
 * to [0, 255] (the range it was exported for: in [0, 1] its heat stays below 0.02). The frame is shown
 * smaller than the input because a near object filling the frame is otherwise larger than most of
 * what the detector was trained on, and it scores such objects low (docs/results.md, "The detector on
 * the frame shown smaller").
 * Outputs per frame, each [196] in [0, 1]:
 *   heat   its centre heat map 'tower_0/keypoints' [128, 128, 80] reduced to the maximum over the 80
 *          classes, then over the pixels of each grid cell (cellMax): how strongly some COCO object
 *          is centred in the cell;
 *   boxes  its 100 detections 'tower_0/detections' ([x0, y0, x1, y1] in input pixels, score, class),
 *          each box painted on the grid with its score times the share of the cell it covers, the
 *          largest kept (boxCells): where objects are, with their extent.
 * The classes are thrown away: which object sounds is the direction head's call (heard.ts), not the
 * detector's.
 */
import * as tf from '@tensorflow/tfjs';
import { WeightsUnavailableError } from '../errors';
import { fetchVerified, type Fetcher, type LoadProgress, type Manifest } from '../weights/verify';
import { DETECTOR_FRAME, DETECTOR_INPUT, isDetectorFrame } from './detectorFrame';

export const OBJECTNESS_ID = 'objectness-centernet';
export const GRID = 14;
const INPUT = DETECTOR_INPUT;
/** The detector's heat map has one pixel per HEAT_STRIDE input pixels. */
const HEAT_STRIDE = 4;
export { DETECTOR_FRAME };

/** A detection: box corners in frame pixels (x0, y0, x1, y1), score in [0, 1], COCO class index. */
export interface Detection { box: [number, number, number, number]; score: number; cls: number }

/** Loads the shipped detector after every file matched its sha256 in the manifest. */
export async function loadObjectness(manifest: Manifest, baseUrl: string, opts: { fetcher?: Fetcher; onProgress?: (p: LoadProgress) => void; signal?: AbortSignal } = {}): Promise<{ model: tf.GraphModel; sha256: string }> {
  const entry = manifest.models.find((m) => m.id === OBJECTNESS_ID);
  if (!entry) throw new WeightsUnavailableError(OBJECTNESS_ID, 'it is not listed in models/manifest.json');
  const files = await fetchVerified(entry, baseUrl, opts);
  const jsonBytes = files.get(`${OBJECTNESS_ID}/model.json`);
  const bin = files.get(`${OBJECTNESS_ID}/weights.bin`);
  if (!jsonBytes || !bin) throw new WeightsUnavailableError(OBJECTNESS_ID, 'the manifest entry lacks model.json or weights.bin');
  const json = JSON.parse(new TextDecoder().decode(jsonBytes)) as { modelTopology: object; weightsManifest: { weights: tf.io.WeightsManifestEntry[] }[] };
  const model = await tf.loadGraphModel(tf.io.fromMemory({
    modelTopology: json.modelTopology,
    weightSpecs: json.weightsManifest.flatMap((g) => g.weights),
    weightData: bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength) as ArrayBuffer,
  }));
  return { model, sha256: entry.files.find((f) => f.path.endsWith('weights.bin'))!.sha256 };
}

/** Max over the pixels of each of the cells x cells cells of a [size, size] map (cell k spans pixels floor(k*size/cells) .. floor((k+1)*size/cells) - 1). */
export function cellMax(heat: Float32Array, size = DETECTOR_FRAME / HEAT_STRIDE, cells = GRID): Float32Array {
  const out = new Float32Array(cells * cells);
  const edge = (k: number) => Math.floor((k * size) / cells);
  for (let cy = 0; cy < cells; cy++) for (let cx = 0; cx < cells; cx++) {
    let m = 0;
    for (let y = edge(cy); y < edge(cy + 1); y++) for (let x = edge(cx); x < edge(cx + 1); x++) m = Math.max(m, heat[y * size + x]);
    out[cy * cells + cx] = m;
  }
  return out;
}

/**
 * Per cell of a cells x cells grid over a W x H frame, the largest weight x covered share of the cell
 * over the given half-open boxes [x0, y0, x1, y1] (pixels; parts outside the frame count for nothing).
 */
export function coverCells(boxes: { box: [number, number, number, number]; weight: number }[], W: number, H: number, cells = GRID): Float32Array {
  const out = new Float32Array(cells * cells);
  for (let cy = 0; cy < cells; cy++) for (let cx = 0; cx < cells; cx++) {
    const x0 = (cx * W) / cells, x1 = ((cx + 1) * W) / cells, y0 = (cy * H) / cells, y1 = ((cy + 1) * H) / cells;
    let m = 0;
    for (const { box: [bx0, by0, bx1, by1], weight } of boxes) {
      const ix = Math.max(0, Math.min(x1, bx1) - Math.max(x0, bx0)), iy = Math.max(0, Math.min(y1, by1) - Math.max(y0, by0));
      m = Math.max(m, (weight * ix * iy) / ((x1 - x0) * (y1 - y0)));
    }
    out[cy * cells + cx] = m;
  }
  return out;
}

/** Per cell of the grid over a 224x224 frame, the detections painted with their scores (coverCells). */
export function boxCells(detections: Detection[], cells = GRID, size = 224): Float32Array {
  return coverCells(detections.map((d) => ({ box: d.box, weight: d.score })), size, size, cells);
}

/**
 * The detector on one 224x224 RGB frame in [0, 1] ([224 * 224 * 3]) shown frameSide pixels wide in its
 * 512x512 input: its class-max heat over the frame ([(frameSide / 4) ** 2], the border cut off) and its
 * 100 detections in 224-pixel coordinates (clipped to the frame).
 */
export async function detect(model: tf.GraphModel, rgb: Float32Array, frameSide = DETECTOR_FRAME): Promise<{ heat: Float32Array; detections: Detection[] }> {
  if (!isDetectorFrame(frameSide)) throw new RangeError(`detector frame side ${frameSide}: must be a multiple of 8 in (0, ${INPUT}] (a border of whole heat pixels)`);
  const off = (INPUT - frameSide) / 2;
  const [heat, det] = tf.tidy(() => {
    let x = tf.image.resizeBilinear(tf.tensor4d(rgb, [1, 224, 224, 3]), [frameSide, frameSide]);
    if (off > 0) x = tf.add(tf.pad(tf.sub(x, 0.5), [[0, 0], [off, off], [off, off], [0, 0]]), 0.5);
    const [kp, d] = model.execute(tf.mul(x, 255), ['tower_0/keypoints', 'tower_0/detections']) as tf.Tensor[];
    const h0 = off / HEAT_STRIDE, hs = frameSide / HEAT_STRIDE;
    return [tf.max(kp, 3).slice([0, h0, h0], [1, hs, hs]), d];
  });
  const h = Float32Array.from(await heat.data() as Float32Array);
  const rows = await det.data() as Float32Array;
  tf.dispose([heat, det]);
  const k = 224 / frameSide, back = (v: number) => Math.min(224, Math.max(0, (v - off) * k));
  const detections: Detection[] = [];
  for (let i = 0; i + 6 <= rows.length; i += 6) detections.push({ box: [back(rows[i]), back(rows[i + 1]), back(rows[i + 2]), back(rows[i + 3])], score: rows[i + 4], cls: rows[i + 5] });
  return { heat: h, detections };
}

/** Both objectness maps of one frame (see the header), each [196], and the detections they came from (224-pixel coordinates); frameSide as detect's. */
export async function frameObjectness(model: tf.GraphModel, rgb: Float32Array, frameSide = DETECTOR_FRAME): Promise<{ heat: Float32Array; boxes: Float32Array; detections: Detection[] }> {
  const { heat, detections } = await detect(model, rgb, frameSide);
  return { heat: cellMax(heat, frameSide / HEAT_STRIDE), boxes: boxCells(detections), detections };
}
