/**
 * The shipped detector's objectness (src/engine/models/objectness.ts, models/objectness-centernet,
 * loaded through the sha256 check) per grid frame of a synthetic clip, cached on disk for the
 * trainers, probes and the eval: 'heat' (the centre heat's max per cell) or 'boxes' (the detections
 * painted with their scores), [frames.length * 196]. One detector pass writes both. The cache lives
 * in .cache/centernet/<first 12 hex of the weights' sha256>/{cells,boxes}/, one file per clip, keyed
 * by a digest of the clip's meta.json and frame list (two datasets reuse clip names).
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import type * as tf from '@tensorflow/tfjs';
import { frameObjectness, loadObjectness, GRID } from '../../src/engine/models/objectness.ts';
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

/** Per frame of `frames` of clip c, its 14x14 objectness of the given kind (see the header). */
export async function clipObjectness(c: Clip, frames: number[], kind: 'heat' | 'boxes' = 'heat'): Promise<Float32Array> {
  const { model, sha256 } = await shipped();
  const root = join('.cache', 'centernet', sha256.slice(0, 12));
  const digest = createHash('sha256').update(readFileSync(join(c.dir, 'meta.json'))).update(frames.join(',')).digest('hex').slice(0, 16);
  const path = (k: 'heat' | 'boxes') => join(root, k === 'heat' ? 'cells' : 'boxes', `${c.meta.clipId}-${digest}.f32`);
  if (existsSync(path(kind))) return readF32(path(kind));
  const heat = new Float32Array(frames.length * CELLS), boxes = new Float32Array(frames.length * CELLS);
  for (const [r, fi] of frames.entries()) {
    const o = await frameObjectness(model, readFrameRgb(c, fi));
    heat.set(o.heat, r * CELLS);
    boxes.set(o.boxes, r * CELLS);
  }
  for (const [k, x] of [['heat', heat], ['boxes', boxes]] as const) {
    mkdirSync(join(path(k), '..'), { recursive: true });
    writeF32(path(k), x);
  }
  return kind === 'heat' ? heat : boxes;
}
