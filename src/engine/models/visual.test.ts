import { describe, it, expect, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { readFileSync } from 'node:fs';
import { loadVisualTrunk, visualFeatures } from './visual';
import { loadSourceModel, FEATURE_LAYERS } from '../../../tools/models/extract-visual';
import { assertClose, rng } from '../testing/compare';
import { WeightsIntegrityError } from '../errors';
import type { Manifest } from '../weights/verify';

const manifest = JSON.parse(readFileSync('models/manifest.json', 'utf8')) as Manifest;
const fileFetcher = (tamper = false) => async (url: string) => {
  const path = 'models/' + new URL(url).pathname.replace(/^\/models\//, '');
  const bytes = new Uint8Array(readFileSync(path));
  if (tamper && path.endsWith('.bin')) bytes[1000] ^= 1;
  return new Response(bytes);
};

describe('shipped visual trunk (MobileNetV2 from nsfwjs)', () => {
  beforeAll(async () => { await tf.setBackend('cpu'); });

  it('loads after its sha256 check and gives 14x14x576 and 28x28x192 features equal to the source model', async () => {
    const model = await loadVisualTrunk(manifest, 'http://app/models/', { fetcher: fileFetcher() });
    const r = rng(1);
    const x = tf.tensor4d(Float32Array.from({ length: 224 * 224 * 3 }, r), [1, 224, 224, 3]);
    const { f14, f28 } = visualFeatures(model, x);
    expect(f14.shape).toEqual([1, 14, 14, 576]);
    expect(f28.shape).toEqual([1, 28, 28, 192]);
    const src = await loadSourceModel();
    const probe = tf.model({ inputs: src.inputs, outputs: [src.getLayer(FEATURE_LAYERS.f14).output, src.getLayer(FEATURE_LAYERS.f28).output] as tf.SymbolicTensor[] });
    const [g14, g28] = probe.predict(x) as tf.Tensor[];
    assertClose(await f14.data(), await g14.data(), { atol: 1e-5, rtol: 1e-5, label: 'f14' });
    assertClose(await f28.data(), await g28.data(), { atol: 1e-5, rtol: 1e-5, label: 'f28' });
    // Not a constant map: the trunk responds to the picture.
    const flat = await f14.data();
    expect(Math.max(...flat)).toBeGreaterThan(0.1);
    tf.dispose([x, f14, f28, g14, g28]);
    model.dispose();
    src.dispose();
  });

  it('refuses weights that differ from the manifest by one bit', async () => {
    await expect(loadVisualTrunk(manifest, 'http://app/models/', { fetcher: fileFetcher(true) })).rejects.toBeInstanceOf(WeightsIntegrityError);
  });
});
