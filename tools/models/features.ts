/**
 * Per-sample inputs of the single-frame localizers, computed once and cached on disk:
 * the frozen trunk's f14 [14, 14, 576] of the frame (stored as uint8: the layer is a ReLU6, so
 * 6/255 steps; the worst rounding error, 0.012, is far below the features' spread) and the
 * [128, 128] log-frequency magnitude of the 1-s audio window.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { loadVisualTrunk, visualFeatures } from '../../src/engine/models/visual.ts';
import { type Clip, MODELS_BASE_URL, audioWindow, modelsFetcher, readFrameRgb, readManifest, spectrogram } from './data.ts';

export const F14 = 14 * 14 * 576;
export const SPEC = 128 * 128;
export const F14_SCALE = 6 / 255;

export interface Sample { clip: number; frame: number; t0: number }

export interface FeatureSet {
  samples: Sample[];
  /** uint8 f14 per sample, F14 values each */
  f14: Uint8Array;
  /** float32 spectrogram per sample, SPEC values each */
  spec: Float32Array;
}

/** Features of the given samples, from the cache when the key matches. */
export async function computeFeatures(clips: Clip[], samples: Sample[], cacheDir: string, keyParts: string[], log: (s: string) => void = console.log): Promise<FeatureSet> {
  const trunkEntry = readManifest().models.find((m) => m.id === 'visual-mobilenetv2')!;
  const key = createHash('sha256').update(JSON.stringify([...keyParts, trunkEntry.files.map((f) => f.sha256), samples.map((s) => [clips[s.clip].dir.split(/[\\/]/).pop(), s.frame, s.t0])])).digest('hex').slice(0, 16);
  const dir = join(cacheDir, key);
  if (existsSync(join(dir, 'done'))) {
    log(`features: cached in ${dir}`);
    const f14 = new Uint8Array(readFileSync(join(dir, 'f14.u8')));
    const specBytes = readFileSync(join(dir, 'spec.f32'));
    const spec = new Float32Array(specBytes.buffer.slice(specBytes.byteOffset, specBytes.byteOffset + specBytes.byteLength));
    return { samples, f14, spec };
  }
  mkdirSync(dir, { recursive: true });
  const trunk = await loadVisualTrunk(readManifest(), MODELS_BASE_URL, { fetcher: modelsFetcher });
  const f14 = new Uint8Array(samples.length * F14);
  const spec = new Float32Array(samples.length * SPEC);
  const B = 8;
  const t0 = Date.now();
  try {
    for (let s = 0; s < samples.length; s += B) {
      const n = Math.min(B, samples.length - s);
      const rgb = new Float32Array(n * 224 * 224 * 3);
      for (let i = 0; i < n; i++) {
        const smp = samples[s + i];
        rgb.set(readFrameRgb(clips[smp.clip], smp.frame), i * 224 * 224 * 3);
        spec.set(spectrogram(audioWindow(clips[smp.clip], smp.t0)), (s + i) * SPEC);
      }
      const feats = tf.tidy(() => {
        const x = tf.tensor4d(rgb, [n, 224, 224, 3]);
        const { f14: a, f28 } = visualFeatures(trunk, x);
        f28.dispose();
        return a;
      });
      const v = feats.dataSync();
      feats.dispose();
      for (let i = 0; i < v.length; i++) f14[s * F14 + i] = Math.max(0, Math.min(255, Math.round(v[i] / F14_SCALE)));
      if ((s / B) % 20 === 0) log(`features: ${s + n}/${samples.length} (${((Date.now() - t0) / 1000).toFixed(0)} s)`);
    }
  } finally {
    trunk.dispose();
  }
  writeFileSync(join(dir, 'f14.u8'), f14);
  writeFileSync(join(dir, 'spec.f32'), new Uint8Array(spec.buffer));
  writeFileSync(join(dir, 'done'), new Date().toISOString() + '\n');
  log(`features: ${samples.length} samples in ${((Date.now() - t0) / 1000).toFixed(0)} s -> ${dir}`);
  return { samples, f14, spec };
}

/** Tensors of a batch of sample indices: f14 [B, 14, 14, 576] (dequantised) and spec [B, 128, 128]. */
export function batchTensors(fs: FeatureSet, idx: number[]): { f14: tf.Tensor4D; spec: tf.Tensor3D } {
  const f = new Float32Array(idx.length * F14);
  idx.forEach((k, i) => {
    const src = fs.f14.subarray(k * F14, (k + 1) * F14);
    for (let j = 0; j < F14; j++) f[i * F14 + j] = src[j] * F14_SCALE;
  });
  return { f14: tf.tensor4d(f, [idx.length, 14, 14, 576]), spec: specBatch(fs, idx) };
}

/** The spectrograms of a batch alone: spec [B, 128, 128]. */
export function specBatch(fs: FeatureSet, idx: number[]): tf.Tensor3D {
  const s = new Float32Array(idx.length * SPEC);
  idx.forEach((k, i) => s.set(fs.spec.subarray(k * SPEC, (k + 1) * SPEC), i * SPEC));
  return tf.tensor3d(s, [idx.length, 128, 128]);
}
