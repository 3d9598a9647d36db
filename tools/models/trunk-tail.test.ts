import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { loadVisualTrunk, visualFeatures } from '../../src/engine/models/visual.ts';
import { MODELS_BASE_URL, modelsFetcher, readManifest } from './data.ts';
import type { Params } from '../../src/engine/models/audio.ts';
import { tailForward, tailParams, trunkToTailInput } from './trunk-tail.ts';

// The fine-tuning measurement (train --trunk tail) trains the trunk's last block as folded
// matMuls and shifted products. It must start exactly where the frozen trunk is, and its
// gradients must be those of the convolutions it replaces.
describe('trainable trunk tail', () => {
  // data.ts registers the wasm backend (the trainers' one); the reference convs need cpu's gradients
  beforeAll(async () => { await tf.setBackend('cpu'); });

  it('reproduces the trunk\'s f14 from block_11_add', async () => {
    const trunk = await loadVisualTrunk(readManifest(), MODELS_BASE_URL, { fetcher: modelsFetcher });
    const p = tailParams(trunk);
    const x = tf.randomUniform([1, 224, 224, 3], 0, 1, 'float32', 5) as tf.Tensor4D;
    const { f14, f28 } = visualFeatures(trunk, x);
    const inner = trunkToTailInput(trunk).predict(x) as tf.Tensor4D;
    expect(inner.shape).toEqual([1, 14, 14, 96]);
    const mine = tailForward(p, inner);
    const diff = tf.max(tf.abs(tf.sub(mine, f14))).dataSync()[0];
    const spread = tf.moments(f14).variance.sqrt().dataSync()[0];
    expect(spread).toBeGreaterThan(0.1);
    expect(diff).toBeLessThan(1e-3);
    // a changed weight changes the output (the parameters are the ones used)
    p['tail/block_12_depthwise/w'].assign(tf.mul(p['tail/block_12_depthwise/w'], 1.5));
    const changed = tf.max(tf.abs(tf.sub(tailForward(p, inner), f14))).dataSync()[0];
    expect(changed).toBeGreaterThan(0.05);
    tf.dispose([x, f14, f28, inner, mine, ...Object.values(p)]);
    trunk.dispose();
  }, 120_000);

  it('has the gradients of the convolutions it replaces', () => {
    const r = (shape: number[], seed: number, sd = 0.2) => tf.randomNormal(shape, 0, sd, 'float32', seed);
    const p: Params = {
      'tail/block_12_expand/w': tf.variable(r([8, 24], 1)), 'tail/block_12_expand/b': tf.variable(r([24], 2)),
      'tail/block_12_depthwise/w': tf.variable(r([3, 3, 24], 3)), 'tail/block_12_depthwise/b': tf.variable(r([24], 4)),
      'tail/block_12_project/w': tf.variable(r([24, 8], 5)), 'tail/block_12_project/b': tf.variable(r([8], 6)),
      'tail/block_13_expand/w': tf.variable(r([8, 24], 7)), 'tail/block_13_expand/b': tf.variable(r([24], 8)),
    };
    // the block's shape at a small size (2 x 5 x 7 cells, 8 -> 24 channels): the same code path
    const x = r([2, 5, 7, 8], 9, 1) as tf.Tensor4D;
    const weight = r([2, 5, 7, 24], 10, 1);
    const relu6 = (t: tf.Tensor) => tf.clipByValue(t, 0, 6);
    const conv = (t: tf.Tensor4D, n: string) => { const w = p[`tail/${n}/w`]; return tf.add(tf.conv2d(t, tf.reshape(w, [1, 1, w.shape[0], w.shape[1]!]) as tf.Tensor4D, 1, 'same'), p[`tail/${n}/b`]) as tf.Tensor4D; };
    const reference = () => {
      const e = relu6(conv(x, 'block_12_expand')) as tf.Tensor4D;
      const d = relu6(tf.add(tf.depthwiseConv2d(e, tf.reshape(p['tail/block_12_depthwise/w'], [3, 3, 24, 1]) as tf.Tensor4D, 1, 'same'), p['tail/block_12_depthwise/b'])) as tf.Tensor4D;
      const y = tf.add(conv(d, 'block_12_project'), x) as tf.Tensor4D;
      return relu6(conv(y, 'block_13_expand')) as tf.Tensor4D;
    };
    const vars = Object.values(p);
    const a = tf.variableGrads(() => tf.sum(tf.mul(tailForward(p, x), weight)) as tf.Scalar, vars);
    const b = tf.variableGrads(() => tf.sum(tf.mul(reference(), weight)) as tf.Scalar, vars);
    expect(Math.abs(a.value.dataSync()[0] - b.value.dataSync()[0])).toBeLessThan(1e-3 * Math.abs(b.value.dataSync()[0]) + 1e-2);
    for (const v of vars) {
      const ga = a.grads[v.name];
      const gb = b.grads[v.name];
      const scale = tf.max(tf.abs(gb)).dataSync()[0];
      expect(scale, v.name).toBeGreaterThan(0);
      expect(tf.max(tf.abs(tf.sub(ga, gb))).dataSync()[0] / scale, v.name).toBeLessThan(1e-4);
    }
    tf.dispose([x, weight, a.value, b.value, ...Object.values(a.grads), ...Object.values(b.grads), ...vars]);
  });
});
