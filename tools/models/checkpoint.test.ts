import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initEgo000Params, isNormStatistic, validateEgo000Config } from '../../src/engine/models/ego000/index.ts';
import type { Params } from '../../src/engine/models/audio.ts';
import { loadMoments, loadParamSet, loadShippedParams, saveParamSet } from './checkpoint.ts';

// The trainer's checkpoint round trip (--resume): parameters and Adam moments come back bit for
// bit. The moments hold no entry for the audio normalization's stored statistics (they are not
// trained), which the full-model reader rejects: resuming a run with that normalization failed so.
describe('ego000 training checkpoints', () => {
  const dir = mkdtempSync(join(tmpdir(), 'egosound-ckpt-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  // checkpoint.ts reaches tools/models/data.ts, which registers the wasm backend (the trainers' one)
  beforeAll(async () => { await tf.setBackend('cpu'); });
  const config = validateEgo000Config({ embedDim: 16, audioEnhancement: { norm: 'batch' } });

  const same = (a: Params, b: Params) => {
    expect(Object.keys(b).sort()).toEqual(Object.keys(a).sort());
    for (const n of Object.keys(a)) expect(Array.from(b[n].dataSync()), n).toEqual(Array.from(a[n].dataSync()));
  };

  it('parameters and moments come back exactly; the moments lack the normalization statistics', async () => {
    const params = initEgo000Params(config, 3);
    const names = Object.keys(params).filter((n) => !isNormStatistic(n)).sort();
    expect(names.length).toBeLessThan(Object.keys(params).length); // the config has stored statistics
    const m: Params = Object.fromEntries(names.map((n, i) => [n, tf.variable(tf.randomNormal(params[n].shape, 0, 1, 'float32', i))]));
    await saveParamSet(dir, 'params', 'ego000-test', params, config);
    await saveParamSet(dir, 'adam-m', 'ego000-test', m, config);
    const p2 = loadParamSet(dir, 'params');
    same(params, p2);
    expect(() => loadParamSet(dir, 'adam-m')).toThrow(/missing/);
    const m2 = loadMoments(dir, 'adam-m', names, p2);
    same(m, m2);
    tf.dispose([...Object.values(params), ...Object.values(m), ...Object.values(p2), ...Object.values(m2)]);
  });

  it('moments that do not fit the model are refused, naming the parameter', async () => {
    const params = initEgo000Params(config, 3);
    const names = Object.keys(params).filter((n) => !isNormStatistic(n)).sort();
    const other = initEgo000Params(validateEgo000Config({ embedDim: 8, audioEnhancement: { norm: 'batch' } }), 3);
    const m: Params = Object.fromEntries(names.map((n) => [n, other[n]]));
    await saveParamSet(dir, 'adam-v', 'ego000-test', m, config);
    expect(() => loadMoments(dir, 'adam-v', names, params)).toThrow(/is \[.*\], the model's is/);
    const fits: Params = Object.fromEntries(names.map((n) => [n, tf.variable(tf.zerosLike(params[n]))]));
    await saveParamSet(dir, 'adam-fits', 'ego000-test', fits, config);
    expect(() => loadMoments(dir, 'adam-fits', names.slice(1), params)).toThrow(new RegExp(`${names[0]} is not a trained parameter`));
    tf.dispose([...Object.values(params), ...Object.values(other), ...Object.values(fits)]);
  });

  it('a shipped model (--init-from, the probe) is read through the manifest: trainable but for the stored statistics', async () => {
    const { params, config: c } = await loadShippedParams('ego000-synth', true);
    expect(c.audioEnhancement.norm).toBe('batch');
    const vars = Object.entries(params) as [string, tf.Variable][];
    expect(vars.filter(([n, v]) => v.trainable === isNormStatistic(n))).toEqual([]);
    tf.dispose(Object.values(params));
    await expect(loadShippedParams('ego000-nonexistent', true)).rejects.toThrow(/not in models\/manifest.json/);
  });
});
