import { describe, it, expect, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { rng } from '../../testing/compare';
import { InvalidConfigError } from '../../errors';
import {
  DEFAULT_EGO000_CONFIG, calibrateAudioNorm, calibrateEgo000Norm, centreProjections, pooledMoments, deserializeEgo000, isNormStatistic, ego000Loss, ego000Maps, identityRows, initEgo000Params, maskTarget, milPool, mixWaveforms,
  serializeEgo000, upsample2, validateEgo000Config, type Ego000Batch, type Ego000Config, type Ego000ConfigInput,
} from './index';
import { temporalAggregate, temporalAggregateDense, DEFAULT_TEMPORAL_CONFIG } from './temporal';
import type { Params } from '../audio';
import { audioFeatures, audioVector, enhance } from './enhancement';
import { projectVisual, visualVector } from './softloc';
import { TOY_SIZE, disposeToyBatch, toyBatch, toyConfig, toyEarsBatch, trainToy } from '../../testing/ego000-toy';

// A tiny ego000: 6-channel "trunk" maps of 5x5, 16x16 spectrograms, d = 8, T = 3.
const tiny = (over: Ego000ConfigInput = {}): Ego000Config => validateEgo000Config({
  visualChannels: 6, embedDim: 8,
  audioEnhancement: { inputFreq: 16, inputTime: 16, channels: [4, 8], decoderChannels: [6, 4], mlpHidden: 8 },
  temporal: { trainFrames: 3, testFrames: 3 },
  ...over,
});
const S = TOY_SIZE;
const disposeBatch = disposeToyBatch;
const lossOf = (params: Params, cfg: Ego000Config, b: Ego000Batch) => {
  const parts = ego000Loss(params, cfg, b);
  tf.dispose([parts.ground, parts.enhancement, parts.logits, parts.pooled]);
  return parts.loss;
};

describe('ego000 (paper 000): enhancement, soft localization, geometry-aware attention, MIL objective', () => {
  beforeAll(async () => { await tf.setBackend('cpu'); });

  it("keeps the papers' / public code's values in its default config and rejects bad ones", () => {
    const c = DEFAULT_EGO000_CONFIG;
    expect(c.objective).toMatchObject({ epsilon: 0.5, tau: 0.03, temperature: 0.2 });
    expect(c.temporal).toMatchObject({ trainFrames: 5, testFrames: 9, frameStep: 2, maskInvalid: false });
    expect(c.audioEnhancement).toMatchObject({ inputFreq: 128, inputTime: 128, mixGain: 0.5, maskThreshold: 0.5 });
    expect(c.softLocalization.temperature).toBe(1);
    expect(() => validateEgo000Config({ objective: { tau: 0 } })).toThrow(InvalidConfigError);
    expect(() => validateEgo000Config({ objective: { negatives: 'all' as 'mean' } })).toThrow(/negatives/);
    expect(() => validateEgo000Config({ objective: { hardNegative: true, epsN: 0.6 } })).toThrow(/epsN/);
    expect(() => validateEgo000Config({ temporal: { trainFrames: 17 } })).toThrow(/trainFrames/);
    expect(() => validateEgo000Config({ audioEnhancement: { channels: [4, 8, 16], decoderChannels: [4] } })).toThrow(/decoderChannels/);
    expect(() => validateEgo000Config({ audioEnhancement: { inputFreq: 100 } })).toThrow(/divisible/);
    expect(() => validateEgo000Config({ embedDim: 16, audioEnhancement: { visualDim: 32 } })).toThrow(/visualDim/);
    expect(validateEgo000Config({ embedDim: 16 }).audioEnhancement).toMatchObject({ visualDim: 16, embedDim: 16 });
  });

  it('builds the mask target as clean > 0.5 * mix on the mixture 0.5 (s1 + s2)', () => {
    expect(Array.from(mixWaveforms(Float32Array.of(1, -2, 4), Float32Array.of(3, 2, 0)))).toEqual([2, 0, 2]);
    const clean = tf.tensor3d([[[1, 0.5], [2, 0]]]);
    const mix = tf.tensor3d([[[1, 1], [3.9, 0]]]);
    const m = maskTarget(clean, mix);
    // 1 > 0.5: yes; 0.5 > 0.5: no (strict); 2 > 1.95: yes; 0 > 0: no
    expect(Array.from(m.dataSync())).toEqual([1, 0, 1, 0]);
    tf.dispose([clean, mix, m]);
  });

  it('pools over time with softmax weights and upsamples by repeating cells', () => {
    const s = tf.tensor3d([[[1, 2], [3, 4], [5, 6]]]); // [1, T=3, hw=2]
    const theta = tf.tensor1d([0, Math.log(2), Math.log(3)]); // weights 1/6, 2/6, 3/6
    const p = milPool(s, theta);
    const got = Array.from(p.dataSync());
    expect(got[0]).toBeCloseTo((1 + 6 + 15) / 6, 5);
    expect(got[1]).toBeCloseTo((2 + 8 + 18) / 6, 5);
    const x = tf.tensor4d([1, 2, 3, 4], [1, 2, 2, 1]);
    const u = upsample2(x);
    expect(u.shape).toEqual([1, 4, 4, 1]);
    expect(Array.from(u.dataSync())).toEqual([1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4]);
    tf.dispose([s, theta, p, x, u]);
  });

  it('gives maps [Q, h, w] of cosines for all queries, one query and single frames, and leaks nothing', () => {
    const cfg = tiny();
    const params = initEgo000Params(cfg, 3);
    const b = toyBatch(1, 1);
    const spec = tf.slice(b.spec, [0, 0, 0], [1, 16, 16]) as tf.Tensor3D;
    const before = tf.memory().numTensors;
    const all = ego000Maps({ params, config: cfg }, b.f14, spec, b.toQuery[0], { queries: 'all' });
    expect(all.shape).toEqual([3, S, S]);
    const v = all.dataSync();
    expect(Math.max(...v)).toBeLessThanOrEqual(1 + 1e-5);
    expect(Math.min(...v)).toBeGreaterThanOrEqual(-1 - 1e-5);
    const one = ego000Maps({ params, config: cfg }, b.f14, spec, [b.toQuery[0][1]], { queries: 1 });
    expect(one.shape).toEqual([1, S, S]);
    // the middle query's map equals row 1 of 'all'
    const o = one.dataSync();
    for (let p = 0; p < S * S; p++) expect(o[p]).toBeCloseTo(v[S * S + p], 5);
    const single = ego000Maps({ params, config: cfg }, b.f14, spec, [b.toQuery[0][1]], { queries: 1, singleFrame: true });
    expect(single.shape).toEqual([1, S, S]);
    const singles = ego000Maps({ params, config: cfg }, b.f14, spec, b.toQuery[0], { queries: 'all', singleFrame: true });
    expect(singles.shape).toEqual([3, S, S]);
    const noEnh = ego000Maps({ params, config: cfg }, b.f14, spec, b.toQuery[0], { queries: 'all', enhancement: false });
    expect(noEnh.shape).toEqual([3, S, S]);
    expect(Array.from(noEnh.dataSync()).some((x, i) => Math.abs(x - v[i]) > 1e-4)).toBe(true);
    expect(() => ego000Maps({ params, config: cfg }, b.f14, spec, [b.toQuery[0][1]], { queries: 'all' })).toThrow(/row/);
    expect(() => ego000Maps({ params, config: cfg }, b.f14, spec, b.toQuery[0], { queries: 3 })).toThrow(InvalidConfigError);
    tf.dispose([all, one, single, singles, noEnh]);
    expect(tf.memory().numTensors).toBe(before);
    disposeBatch(b);
    tf.dispose([spec, ...Object.values(params)]);
  });

  it('with identity homographies equals the no-geometry path, and a real camera motion changes the maps', () => {
    const cfg = tiny();
    const params = initEgo000Params(cfg, 4);
    const b = toyBatch(1, 2);
    const spec = tf.slice(b.spec, [0, 0, 0], [1, 16, 16]) as tf.Tensor3D;
    const model = { params, config: cfg };
    const id = ego000Maps(model, b.f14, spec, identityRows(3, 'all'), { queries: 'all' });
    const off = ego000Maps(model, b.f14, spec, b.toQuery[0], { queries: 'all', geometry: false });
    const geo = ego000Maps(model, b.f14, spec, b.toQuery[0], { queries: 'all' });
    const [a, c, g] = [id.dataSync(), off.dataSync(), geo.dataSync()];
    for (let i = 0; i < a.length; i++) expect(c[i]).toBeCloseTo(a[i], 6);
    expect(Math.max(...Array.from(g, (x, i) => Math.abs(x - a[i])))).toBeGreaterThan(1e-3);
    tf.dispose([id, off, geo, spec, ...Object.values(params)]);
    disposeBatch(b);
  });

  it('the dense training path of eq. 1 equals warpAttend (values and gradients) under real camera motion', () => {
    const r = rng(5);
    const T = 4, h = 7, w = 6, d = 5;
    const v = tf.tensor4d(Float32Array.from({ length: T * h * w * d }, () => 2 * r() - 1), [T, h, w, d]);
    // rotation + scale + translation between frames, some supports partly outside the query view
    const H = (a: number, s: number, tx: number, ty: number) => [s * Math.cos(a), -s * Math.sin(a), tx, s * Math.sin(a), s * Math.cos(a), ty, 0.002 * tx, -0.001 * ty, 1];
    const rows = Array.from({ length: T }, (_, i) => Array.from({ length: T }, (_, j) => (i === j ? [1, 0, 0, 0, 1, 0, 0, 0, 1] : H(0.05 * (i - j), 1 + 0.03 * (i - j), 0.7 * (i - j), -0.4 * (j - i)))));
    const want = temporalAggregate(v, rows, 'all', DEFAULT_TEMPORAL_CONFIG);
    const got = temporalAggregateDense(v, rows);
    const [a, b] = [got.dataSync(), want.dataSync()];
    let err = 0;
    for (let i = 0; i < a.length; i++) err = Math.max(err, Math.abs(a[i] - b[i]));
    expect(err).toBeLessThan(1e-4);
    const wts = tf.tensor4d(Float32Array.from({ length: T * h * w * d }, () => r()), [T, h, w, d]);
    const g1 = tf.grad((x) => tf.sum(tf.mul(temporalAggregateDense(x as tf.Tensor4D, rows), wts)))(v).dataSync();
    const g2 = tf.grad((x) => tf.sum(tf.mul(temporalAggregate(x as tf.Tensor4D, rows, 'all', DEFAULT_TEMPORAL_CONFIG), wts)))(v).dataSync();
    let gerr = 0;
    for (let i = 0; i < g1.length; i++) gerr = Math.max(gerr, Math.abs(g1[i] - g2[i]));
    expect(gerr).toBeLessThan(1e-3);
    tf.dispose([v, want, got, wts]);
  });

  it('sends gradients to every trainable parameter, and Adam lowers the loss on a toy batch', () => {
    const ears: Ego000ConfigInput = { positionGrid: S, audioEnhancement: { inputFreq: 16, inputTime: 16, channels: [4, 8], decoderChannels: [6, 4], mlpHidden: 8, inputChannels: 2 } };
    for (const over of [{}, { objective: { negatives: 'trimap' as const, hardNegative: true } }, ears]) {
      const cfg = tiny(over);
      const params = initEgo000Params(cfg, 7);
      const b = over === ears ? toyEarsBatch(4, 3, { channels: 2 }) : toyBatch(4, 3);
      const before = tf.memory().numTensors;
      const vars = Object.entries(params).filter(([n]) => !isNormStatistic(n)).map(([, v]) => v);
      const { value, grads } = tf.variableGrads(() => lossOf(params, cfg, b), vars);
      for (const [name, v] of Object.entries(params)) {
        if (isNormStatistic(name)) { expect(v.trainable, name).toBe(false); continue; }
        const g = grads[v.name];
        expect(g, `gradient of ${name}`).toBeDefined();
        const norm = tf.tidy(() => tf.norm(g).dataSync()[0]);
        expect(Number.isFinite(norm), `gradient of ${name}`).toBe(true);
        if (!/\/b$/.test(name)) expect(norm, `gradient of ${name}`).toBeGreaterThan(0);
      }
      if (over === ears) expect(params['visual/pos'].shape).toEqual([S, S, cfg.embedDim]);
      for (const block of ['visual/', 'audio/conv', 'audio/bn', 'audio/proj', 'enh/mlp1', 'enh/mlp2', 'dec/up', 'dec/out', 'mil/theta']) {
        expect(Object.keys(params).some((n) => n.startsWith(block)), block).toBe(true);
      }
      const first = value.dataSync()[0];
      tf.dispose([value, ...Object.values(grads)]);
      expect(tf.memory().numTensors).toBe(before);
      const opt = tf.train.adam(0.01);
      let last = first;
      for (let step = 0; step < 40; step++) {
        const l = opt.minimize(() => lossOf(params, cfg, b), true, vars)!;
        last = l.dataSync()[0];
        l.dispose();
      }
      expect(last).toBeLessThan(first * 0.7);
      opt.dispose();
      disposeBatch(b);
      tf.dispose(Object.values(params));
    }
  });

  it('without the enhancement block has no f / D_a parameters and a zero enhancement loss', () => {
    const cfg = tiny({ enhancement: false });
    const params = initEgo000Params(cfg, 8);
    expect(Object.keys(params).some((n) => n.startsWith('enh/') || n.startsWith('dec/'))).toBe(false);
    const b = toyBatch(3, 4);
    const parts = ego000Loss(params, cfg, b);
    expect(parts.enhancement.dataSync()[0]).toBe(0);
    expect(parts.logits.shape).toEqual([3, 4]);
    expect(Number.isFinite(parts.loss.dataSync()[0])).toBe(true);
    tf.dispose([parts.loss, parts.ground, parts.enhancement, parts.logits, parts.pooled, ...Object.values(params)]);
    disposeBatch(b);
  });

  it("grounds on the own audio with groundOn 'clean' while the mask still learns to separate the mixture", () => {
    const cfg = tiny();
    const params = initEgo000Params(cfg, 9);
    const b = toyBatch(4, 11);
    const parts = (batch: Ego000Batch, groundOn?: 'input' | 'clean') => {
      const p = ego000Loss(params, cfg, batch, { groundOn });
      const out = { ground: p.ground.dataSync()[0], enh: p.enhancement.dataSync()[0], logits: Array.from(p.logits.dataSync()) };
      tf.dispose([p.loss, p.ground, p.enhancement, p.logits, p.pooled]);
      return out;
    };
    const mixed = parts(b);
    const clean = parts(b, 'clean');
    const onCleanOnly = parts({ ...b, spec: b.clean!, clean: undefined });
    // the grounding term is the one the own (unmixed) audio gives ...
    expect(clean.ground).toBeCloseTo(onCleanOnly.ground, 5);
    clean.logits.forEach((x, i) => expect(x).toBeCloseTo(onCleanOnly.logits[i], 5));
    // ... and differs from the mixture's, while the enhancement loss is the mixture's, unchanged
    expect(Math.abs(clean.ground - mixed.ground)).toBeGreaterThan(1e-4);
    expect(clean.enh).toBeCloseTo(mixed.enh, 6);
    expect(clean.enh).toBeGreaterThan(0);
    tf.dispose(Object.values(params));
    disposeBatch(b);
  });

  // The acceptance check of the model as a whole: trained end to end (enhancement, soft
  // localization, eq. 1 over known camera motion, MIL, eq. 2 with the trimap negatives), it must
  // point at the sounding object of windows it has not seen. Chance: 1 cell in 25, so 8 windows
  // give 0.3 hits on average. Measured (`npx tsx tools/models/toy-ego000.ts --seeds 1,2,3,4,5,7`,
  // lr 0.01, 300 steps): 8, 6, 8, 2, 5, 8 hits; with the same-image hard negative added
  // (`--hard-negative`) 4, 6, 8, 2, 2, 4 (docs/results.md, "the hard-negative plateau"), so the
  // check uses the trainer's default objective, trimap without it. Seed 7 is fixed (cpu backend:
  // deterministic), and an untrained model scores 2 (EGO000_TOY_STEPS=0 fails the check).
  it('learns to point at the sounding object of unseen toy windows', () => {
    const steps = Number(process.env.EGO000_TOY_STEPS ?? 300);
    const h = trainToy({ config: toyConfig({ objective: { negatives: 'trimap', hardNegative: false } }), steps, lr: 0.01, seed: 7 });
    expect(h).toBeGreaterThanOrEqual(5);
  }, 300_000);

  it('normalizes the audio encoder with batch statistics in training and calibrated stored ones at inference', () => {
    const cfg = toyConfig();
    expect(cfg.audioEnhancement.norm).toBe('batch');
    const params = initEgo000Params(cfg, 5);
    for (const [n, v] of Object.entries(params)) if (isNormStatistic(n)) expect(v.trainable, n).toBe(false);
    const b = toyBatch(6, 31, false);
    const spec = tf.mul(b.clean!, 4) as tf.Tensor3D;
    const train = audioFeatures(params, spec, cfg.audioEnhancement, 'train');
    const before = audioFeatures(params, spec, cfg.audioEnhancement, 'infer');
    const diff = (x: tf.Tensor, y: tf.Tensor) => tf.tidy(() => tf.max(tf.abs(tf.sub(x, y))).dataSync()[0]);
    expect(diff(train.a, before.a)).toBeGreaterThan(1e-2); // stored statistics still the initial 0 / 1
    calibrateAudioNorm(params, spec, cfg.audioEnhancement);
    const after = audioFeatures(params, spec, cfg.audioEnhancement, 'infer');
    expect(diff(train.a, after.a)).toBeLessThan(1e-4);
    train.skips.forEach((s, k) => expect(diff(s, after.skips[k]), `stage ${k}`).toBeLessThan(1e-4));
    // the pooled features: calibrateEgo000Norm stores the statistics training takes from the batch
    calibrateEgo000Norm(params, cfg, b.f14, spec);
    const own = tf.tidy(() => {
      const v = tf.reshape(projectVisual(params, b.f14), [6, 3, S, S, cfg.embedDim]) as tf.Tensor5D;
      return enhance(params, audioFeatures(params, spec, cfg.audioEnhancement).a, visualVector(v), cfg.audioEnhancement);
    });
    const stats = pooledMoments(own);
    const gTrain = audioVector(params, own, stats);
    const gInfer = audioVector(params, own);
    expect(diff(gTrain, gInfer)).toBeLessThan(1e-3);
    expect(Math.max(...Array.from(stats.mean.dataSync()).map(Math.abs))).toBeGreaterThan(1e-2); // a real shift was removed
    tf.dispose([own, stats.mean, stats.variance, gTrain, gInfer]);
    // without normalization there are no statistics and both modes agree
    const plainCfg = toyConfig({ audioEnhancement: { inputFreq: 16, inputTime: 16, channels: [8, 16], decoderChannels: [8, 4], mlpHidden: 16, norm: 'none' } });
    const plain = initEgo000Params(plainCfg, 5);
    expect(Object.keys(plain).some((n) => n.startsWith('audio/bn') || n.startsWith('audio/pool'))).toBe(false);
    const p1 = audioFeatures(plain, spec, plainCfg.audioEnhancement, 'train');
    const p2 = audioFeatures(plain, spec, plainCfg.audioEnhancement, 'infer');
    expect(diff(p1.a, p2.a)).toBe(0);
    tf.dispose([spec, train.a, ...train.skips, before.a, ...before.skips, after.a, ...after.skips, p1.a, ...p1.skips, p2.a, ...p2.skips, ...Object.values(params), ...Object.values(plain)]);
    disposeBatch(b);
  });

  it('centres the visual and audio projections on the given windows (data-dependent init)', () => {
    for (const enhancement of [true, false]) {
      const cfg = toyConfig({ enhancement });
      const params = initEgo000Params(cfg, 3);
      const b = toyBatch(8, 21);
      // make the common mode visible: shift every audio input up (log1p of it stays positive)
      const spec = tf.add(b.clean!, 3) as tf.Tensor3D;
      const r = centreProjections(params, cfg, b.f14, spec);
      expect(r.before).toBeGreaterThan(0.5);
      expect(Math.abs(r.after)).toBeLessThan(0.2);
      const v = projectVisual(params, b.f14);
      expect(Math.max(...Array.from(tf.mean(v, [0, 1, 2]).dataSync()).map(Math.abs))).toBeLessThan(1e-4);
      const { a } = audioFeatures(params, spec, cfg.audioEnhancement);
      const gv = visualVector(tf.reshape(v, [8, 3, S, S, cfg.embedDim]) as tf.Tensor5D);
      const g = audioVector(params, enhancement ? enhance(params, a, gv, cfg.audioEnhancement) : a);
      expect(Math.max(...Array.from(tf.mean(g, 0).dataSync()).map(Math.abs))).toBeLessThan(1e-4);
      tf.dispose([v, a, gv, g, spec, ...Object.values(params)]);
      disposeBatch(b);
    }
  });

  it('hears both ears when built with two input channels, and places them with a learned vector per cell', async () => {
    expect(() => validateEgo000Config({ audioEnhancement: { inputChannels: 3 } })).toThrow(/inputChannels/);
    expect(() => validateEgo000Config({ positionGrid: -1 })).toThrow(/positionGrid/);
    expect(DEFAULT_EGO000_CONFIG).toMatchObject({ positionGrid: 0, audioEnhancement: { inputChannels: 1 } });
    // one mask for both ears: the target compares the channel means
    const clean = tf.tensor4d([[[[1, 0], [0, 0.2]]]]); // [1, 1, 2, 2]: cells (1, 0) and (0, 0.2)
    const mix = tf.tensor4d([[[[0.6, 0.6], [1, 1]]]]);
    const m = maskTarget(clean, mix);
    expect(m.shape).toEqual([1, 1, 2]);
    expect(Array.from(m.dataSync())).toEqual([1, 0]); // 0.5 > 0.3: yes; 0.1 > 0.5: no
    tf.dispose([clean, mix, m]);

    const cfg = tiny({ positionGrid: S, audioEnhancement: { inputFreq: 16, inputTime: 16, channels: [4, 8], decoderChannels: [6, 4], mlpHidden: 8, inputChannels: 2 } });
    const params = initEgo000Params(cfg, 5);
    expect(params['audio/conv0/w'].shape).toEqual([3, 3, 2, 4]);
    const b = toyEarsBatch(1, 11, { channels: 2, copies: 2, withMix: false }); // the sounding object off-centre: the ears differ
    const f = b.f14 as tf.Tensor4D;
    const rows = [b.toQuery[0][1]];
    const before = tf.memory().numTensors;
    const map = (spec: tf.Tensor) => tf.tidy(() => Array.from(ego000Maps({ params, config: cfg }, f, spec as tf.Tensor3D, rows, { queries: 1 }).dataSync()));
    const own = map(b.spec);
    // the ears swapped: another direction, another map
    const swapped = tf.reverse(b.spec, 3);
    const other = map(swapped);
    expect(Math.max(...own.map((x, i) => Math.abs(x - other[i])))).toBeGreaterThan(1e-3);
    // a mono spectrogram is refused by its shape
    const mono = tf.sum(b.spec, 3);
    expect(() => ego000Maps({ params, config: cfg }, f, mono as tf.Tensor3D, rows, { queries: 1 })).toThrow(/\[1,16,16,2\]/);
    tf.dispose([swapped, mono]);
    expect(tf.memory().numTensors).toBe(before);
    // the position vectors are added to the projection, cell by cell
    const diff = tf.tidy(() => {
      const withPos = projectVisual(params, f);
      const { 'visual/pos': pos, ...rest } = params;
      return tf.max(tf.abs(tf.sub(tf.sub(withPos, projectVisual(rest, f)), pos))).dataSync()[0];
    });
    expect(diff).toBeLessThan(1e-5);
    // both survive the file format
    const { modelJson, weights } = await serializeEgo000('ego000-ears', params, cfg);
    const back = deserializeEgo000(modelJson, weights);
    expect(back.config).toEqual(cfg);
    expect(Array.from(back.params['visual/pos'].dataSync())).toEqual(Array.from(params['visual/pos'].dataSync()));
    disposeBatch(b);
    tf.dispose([...Object.values(params), ...Object.values(back.params)]);
  });

  it('round-trips its weights through the tfjs binary format', async () => {
    const cfg = tiny({ visualHidden: 5 });
    const params = initEgo000Params(cfg, 9);
    const { modelJson, weights } = await serializeEgo000('ego000-test', params, cfg);
    const back = deserializeEgo000(modelJson, weights);
    expect(back.config).toEqual(cfg);
    expect(Object.keys(back.params).sort()).toEqual(Object.keys(params).sort());
    for (const k of Object.keys(params)) expect(Array.from(back.params[k].dataSync())).toEqual(Array.from(params[k].dataSync()));
    expect(() => deserializeEgo000(modelJson.replace('egosound-ego000/1', 'x'), weights)).toThrow(/format/);
    // a config that does not fit the weights (other width, or no normalization) is refused by name
    const j = JSON.parse(modelJson) as { config: { visualChannels: number; audioEnhancement: Record<string, unknown> } };
    expect(() => deserializeEgo000(JSON.stringify({ ...j, config: { ...j.config, visualChannels: 7 } }), weights)).toThrow(/do not match their config: .*\[/);
    expect(() => deserializeEgo000(JSON.stringify({ ...j, config: { ...j.config, audioEnhancement: { ...j.config.audioEnhancement, norm: 'none' } } }), weights)).toThrow(/audio\/bn0\/.* not in the config/);
    tf.dispose([...Object.values(params), ...Object.values(back.params)]);
  });
});
