/**
 * The visual trunk's last inverted-residual block as trainable tensors, to measure a frozen trunk
 * against a fine-tuned one (issue 6: "frozen or fine-tuned, by measurement").
 *
 * visual-mobilenetv2's f14 is block_13_expand_relu. Its input chain from block_11_add
 * ([14, 14, 96], the "tail input", cached once per sample like f14) is
 *
 *   block_12: expand 1x1 96->576 + BN + ReLU6, depthwise 3x3 (same) + BN + ReLU6,
 *             project 1x1 576->96 + BN, + the block's input (residual)
 *   block_13: expand 1x1 96->576 + BN + ReLU6                                   = f14
 *
 * The batch norms are folded into their convs with the trunk's moving statistics (fine-tuning
 * with batches of 32 frames from 30-odd clips keeps the pretrained statistics, as is usual), and
 * the convs are written as matMuls and shifted products, whose gradients the wasm backend has
 * (it has none for Conv2DBackpropFilter or the depthwise one). At initialisation `tailForward`
 * reproduces the trunk's f14 (trunk-tail.test.ts); 172,896 parameters in all.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { makeVariable, type Params } from '../../src/engine/models/audio.ts';
import { loadVisualTrunk } from '../../src/engine/models/visual.ts';
import { type Clip, MODELS_BASE_URL, modelsFetcher, readFrameRgb, readManifest } from './data.ts';
import type { Sample } from './features.ts';

export const TAIL_INPUT_LAYER = 'block_11_add';
export const TAIL_IN = 14 * 14 * 96;

/** Channel scale and shift of an inference-mode batch norm layer. */
function bnFold(trunk: tf.LayersModel, name: string): { s: tf.Tensor1D; t: tf.Tensor1D } {
  const layer = trunk.getLayer(name);
  const cfg = layer.getConfig() as { epsilon?: number; center?: boolean; scale?: boolean };
  if (cfg.center === false || cfg.scale === false) throw new Error(`${name}: expected a batch norm with scale and centre`);
  const [gamma, beta, mean, variance] = layer.getWeights() as tf.Tensor1D[];
  const s = tf.div(gamma, tf.sqrt(tf.add(variance, cfg.epsilon ?? 1e-3))) as tf.Tensor1D;
  const t = tf.sub(beta, tf.mul(mean, s)) as tf.Tensor1D;
  return { s, t };
}

/** The folded, trainable tail: 'tail/<layer>/w' and 'tail/<layer>/b'. */
export function tailParams(trunk: tf.LayersModel): Params {
  return tf.tidy(() => {
    const p: Params = {};
    const conv1x1 = (conv: string, bn: string) => {
      const [k] = trunk.getLayer(conv).getWeights() as tf.Tensor4D[]; // [1, 1, in, out], no bias
      if (trunk.getLayer(conv).getWeights().length !== 1) throw new Error(`${conv}: expected a conv without bias`);
      const { s, t } = bnFold(trunk, bn);
      p[`tail/${conv}/w`] = makeVariable(tf.mul(tf.reshape(k, [k.shape[2], k.shape[3]]), s));
      p[`tail/${conv}/b`] = makeVariable(t);
    };
    conv1x1('block_12_expand', 'block_12_expand_BN');
    {
      const [k] = trunk.getLayer('block_12_depthwise').getWeights() as tf.Tensor4D[]; // [3, 3, 576, 1]
      const { s, t } = bnFold(trunk, 'block_12_depthwise_BN');
      p['tail/block_12_depthwise/w'] = makeVariable(tf.mul(tf.reshape(k, [3, 3, k.shape[2]]), s));
      p['tail/block_12_depthwise/b'] = makeVariable(t);
    }
    conv1x1('block_12_project', 'block_12_project_BN');
    conv1x1('block_13_expand', 'block_13_expand_BN');
    return p;
  });
}

const relu6 = (x: tf.Tensor) => tf.clipByValue(x, 0, 6);

/** Tail input [N, 14, 14, 96] (block_11_add) -> f14 [N, 14, 14, 576]. */
export function tailForward(p: Params, x: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => {
    const [n, h, w, c] = x.shape;
    const dense = (t: tf.Tensor2D, name: string) => tf.add(tf.matMul(t, p[`tail/${name}/w`]), p[`tail/${name}/b`]) as tf.Tensor2D;
    const x2 = tf.reshape(x, [n * h * w, c]) as tf.Tensor2D;
    const e = relu6(dense(x2, 'block_12_expand'));
    const ch = e.shape[1]!;
    const pad = tf.pad(tf.reshape(e, [n, h, w, ch]), [[0, 0], [1, 1], [1, 1], [0, 0]]);
    const k = p['tail/block_12_depthwise/w'];
    const terms: tf.Tensor[] = [];
    for (let dy = 0; dy < 3; dy++) for (let dx = 0; dx < 3; dx++) {
      terms.push(tf.mul(tf.slice(pad, [0, dy, dx, 0], [n, h, w, ch]), tf.reshape(tf.slice(k, [dy, dx, 0], [1, 1, ch]), [ch])));
    }
    const d = relu6(tf.add(tf.addN(terms), p['tail/block_12_depthwise/b']));
    const y = tf.add(dense(tf.reshape(d, [n * h * w, ch]) as tf.Tensor2D, 'block_12_project'), x2) as tf.Tensor2D;
    return tf.reshape(relu6(dense(y, 'block_13_expand')), [n, h, w, p['tail/block_13_expand/w'].shape[1]!]) as tf.Tensor4D;
  });
}

/** The trunk cut at the tail input. */
export function trunkToTailInput(trunk: tf.LayersModel): tf.LayersModel {
  return tf.model({ inputs: trunk.inputs, outputs: trunk.getLayer(TAIL_INPUT_LAYER).output as tf.SymbolicTensor });
}

/** Tail inputs (float32, TAIL_IN values per sample) of the given samples, cached like features.ts. */
export async function computeTailInputs(clips: Clip[], samples: Sample[], cacheDir: string, keyParts: string[], log: (s: string) => void = console.log): Promise<Float32Array> {
  const trunkEntry = readManifest().models.find((m) => m.id === 'visual-mobilenetv2')!;
  const key = createHash('sha256').update(JSON.stringify([...keyParts, TAIL_INPUT_LAYER, trunkEntry.files.map((f) => f.sha256), samples.map((s) => [clips[s.clip].dir.split(/[\\/]/).pop(), s.frame])])).digest('hex').slice(0, 16);
  const dir = join(cacheDir, key);
  if (existsSync(join(dir, 'done'))) {
    log(`tail inputs: cached in ${dir}`);
    const b = readFileSync(join(dir, 'tail.f32'));
    return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
  }
  mkdirSync(dir, { recursive: true });
  const trunk = await loadVisualTrunk(readManifest(), MODELS_BASE_URL, { fetcher: modelsFetcher });
  const cut = trunkToTailInput(trunk);
  const out = new Float32Array(samples.length * TAIL_IN);
  const t0 = Date.now();
  try {
    for (let s = 0; s < samples.length; s += 8) {
      const n = Math.min(8, samples.length - s);
      const rgb = new Float32Array(n * 224 * 224 * 3);
      for (let i = 0; i < n; i++) rgb.set(readFrameRgb(clips[samples[s + i].clip], samples[s + i].frame), i * 224 * 224 * 3);
      const v = tf.tidy(() => (cut.predict(tf.tensor4d(rgb, [n, 224, 224, 3])) as tf.Tensor).dataSync());
      out.set(v, s * TAIL_IN);
    }
  } finally {
    trunk.dispose();
  }
  writeFileSync(join(dir, 'tail.f32'), new Uint8Array(out.buffer));
  writeFileSync(join(dir, 'done'), new Date().toISOString() + '\n');
  log(`tail inputs: ${samples.length} samples in ${((Date.now() - t0) / 1000).toFixed(0)} s -> ${dir}`);
  return out;
}

/** Tail inputs of a batch: [B, 14, 14, 96]. */
export function tailBatch(x: Float32Array, idx: number[]): tf.Tensor4D {
  const f = new Float32Array(idx.length * TAIL_IN);
  idx.forEach((k, i) => f.set(x.subarray(k * TAIL_IN, (k + 1) * TAIL_IN), i * TAIL_IN));
  return tf.tensor4d(f, [idx.length, 14, 14, 96]);
}
