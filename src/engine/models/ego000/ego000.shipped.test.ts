import { describe, it, expect, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { readShippedManifest, shippedModelsFetcher } from '../../testing/shipped-models';
import { ego000Maps, loadEgo000, validateEgo000Config, type Ego000ConfigInput } from './index';
import { rng } from '../../testing/compare';
import { WeightsIntegrityError } from '../../errors';

const uniform = (shape: number[], seed: number) => tf.tensor(Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, rng(seed)), shape);
const I = [1, 0, 0, 0, 1, 0, 0, 0, 1];

describe('shipped ego000 weights (models/ego000-synth)', () => {
  beforeAll(async () => { await tf.setBackend('cpu'); });
  const manifest = readShippedManifest();
  const fetcher = shippedModelsFetcher;

  it('loads through the sha256 check with its recorded config, calibrated statistics and audio-dependent maps', async () => {
    const entry = manifest.models.find((m) => m.id === 'ego000-synth');
    expect(entry, 'models/manifest.json lists ego000-synth').toBeDefined();
    expect(entry!.trainCommand).toMatch(/^npm run train -- --model ego000 /);
    expect(entry!.dataset?.hash).toMatch(/^[0-9a-f]{64}$/);
    const model = await loadEgo000(manifest, 'ego000-synth', 'http://app/models/', { fetcher: fetcher(false) });
    expect(model.config).toEqual(validateEgo000Config(entry!.config as Ego000ConfigInput));
    expect(model.sha256).toBe(entry!.files.find((f) => f.path.endsWith('weights.bin'))!.sha256);
    // inference statistics were calibrated, not left at their initial 0 / 1
    expect(Math.max(...Array.from(model.params['audio/pool/mean'].dataSync()).map(Math.abs))).toBeGreaterThan(1e-3);
    const T = model.config.temporal.testFrames;
    const f = tf.tidy(() => tf.mul(uniform([T, 14, 14, model.config.visualChannels], 1), 6)) as tf.Tensor4D;
    const rows = [Array.from({ length: T }, () => I)];
    const s1 = tf.tidy(() => tf.mul(uniform([1, 128, 128], 2), 3)) as tf.Tensor3D;
    const s2 = tf.tidy(() => tf.mul(uniform([1, 128, 128], 3), 30)) as tf.Tensor3D;
    const m1 = ego000Maps(model, f, s1, rows, { queries: Math.floor(T / 2) });
    const m2 = ego000Maps(model, f, s2, rows, { queries: Math.floor(T / 2) });
    expect(m1.shape).toEqual([1, 14, 14]);
    const a = Array.from(m1.dataSync());
    const b = Array.from(m2.dataSync());
    expect(a.every(Number.isFinite)).toBe(true);
    expect(Math.max(...a.map((x, i) => Math.abs(x - b[i])))).toBeGreaterThan(1e-3);
    tf.dispose([f, s1, s2, m1, m2, ...Object.values(model.params)]);
  });

  it('refuses weights that differ from the manifest by one bit', async () => {
    await expect(loadEgo000(manifest, 'ego000-synth', 'http://app/models/', { fetcher: fetcher(true) })).rejects.toBeInstanceOf(WeightsIntegrityError);
  });
});
