/**
 * The shipped detector's objectness (src/engine/models/objectness.ts, models/objectness-centernet,
 * loaded through the sha256 check) per grid frame of a synthetic clip, cached on disk for the
 * trainers, probes and the eval: 'heat' (the centre heat's max per cell) or 'boxes' (the detections
 * painted with their scores), [frames.length * 196], or 'detections' (the detector's 100 boxes per frame,
 * detectionsAt). One detector pass writes all three. The cache lives
 * in .cache/centernet/<first 12 hex of the weights' sha256>[-f<the frame's side in the detector's input, unless 512>]/{cells,boxes,detections}/, one file per clip, keyed
 * by a digest of the clip's meta.json and frame list (two datasets reuse clip names).
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import type * as tf from '@tensorflow/tfjs';
import { DETECTOR_FRAME, frameObjectness, loadObjectness, GRID, type Detection } from '../../src/engine/models/objectness.ts';
import { MODELS_BASE_URL, modelsFetcher, readFrameRgb, readManifest, type Clip } from './data.ts';

let detector: Promise<{ model: tf.GraphModel; sha256: string }> | null = null;
const shipped = () => (detector ??= loadObjectness(readManifest(), MODELS_BASE_URL, { fetcher: modelsFetcher }));

const CELLS = GRID * GRID;
function readF32(path: string): Float32Array {
  const bytes = readFileSync(path); // may be a view into a shared pool: copy exactly its bytes
  return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
}
function writeF32(path: string, x: Float32Array): void {
  writeFileSync(path + '.tmp', Buffer.from(x.buffer, x.byteOffset, x.byteLength));
  renameSync(path + '.tmp', path);
}

/** Rows of a frame's detections in the 'detections' cache: the detector's 100, each [x0, y0, x1, y1, score, class] (224-pixel frame coordinates). */
export const DETECTIONS = 100;

/** The detections of row r of a clip's 'detections' cache. */
export function detectionsAt(x: Float32Array, r: number): Detection[] {
  const out: Detection[] = [];
  for (let i = 0; i < DETECTIONS; i++) {
    const o = (r * DETECTIONS + i) * 6;
    out.push({ box: [x[o], x[o + 1], x[o + 2], x[o + 3]], score: x[o + 4], cls: x[o + 5] });
  }
  return out;
}

type Kind = 'heat' | 'boxes' | 'detections';

/**
 * Per frame of `frames` of clip c, its 14x14 objectness of the given kind (see the header), or its detections (detectionsAt),
 * with the frame shown frameSide pixels wide in the detector's input (objectness.ts detect).
 */
export async function clipObjectness(c: Clip, frames: number[], kind: Kind = 'heat', frameSide = DETECTOR_FRAME): Promise<Float32Array> {
  const { model, sha256 } = await shipped();
  const root = join('.cache', 'centernet', sha256.slice(0, 12) + (frameSide === 512 ? '' : `-f${frameSide}`));
  const digest = createHash('sha256').update(readFileSync(join(c.dir, 'meta.json'))).update(frames.join(',')).digest('hex').slice(0, 16);
  const path = (k: Kind) => join(root, k === 'heat' ? 'cells' : k, `${c.meta.clipId}-${digest}.f32`);
  if (existsSync(path(kind))) return readF32(path(kind));
  const out = { heat: new Float32Array(frames.length * CELLS), boxes: new Float32Array(frames.length * CELLS), detections: new Float32Array(frames.length * DETECTIONS * 6) };
  for (const [r, fi] of frames.entries()) {
    const { heat, boxes, detections } = await frameObjectness(model, readFrameRgb(c, fi), frameSide);
    out.heat.set(heat, r * CELLS);
    out.boxes.set(boxes, r * CELLS);
    for (const [i, d] of detections.slice(0, DETECTIONS).entries()) out.detections.set([...d.box, d.score, d.cls], (r * DETECTIONS + i) * 6);
  }
  for (const k of ['heat', 'boxes', 'detections'] as const) {
    mkdirSync(join(path(k), '..'), { recursive: true });
    writeF32(path(k), out[k]);
  }
  return out[kind];
}
