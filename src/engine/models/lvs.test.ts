import { describe, it, expect, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { readShippedManifest, shippedModelsFetcher } from '../testing/shipped-models';
import { DEFAULT_LVS_CONFIG, loadLvs, deserializeParams, initLvsParams, lvsLocalize, lvsLoss, lvsLossValue, serializeParams, validateLvsConfig, type LvsConfig } from './lvs';
import { rng } from '../testing/compare';
import { InvalidConfigError, WeightsIntegrityError } from '../errors';

// A tiny LVS: 6-channel "trunk" maps of 5x5, 16x16 spectrograms, d = 8.
const tiny = (over: Parameters<typeof validateLvsConfig>[0] = {}): LvsConfig => validateLvsConfig({ visualChannels: 6, embedDim: 8, audio: { inputFreq: 16, inputTime: 16, channels: [4, 8] }, ...over });
const uniform = (shape: number[], seed: number) => tf.tensor(Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, rng(seed)), shape);

/**
 * k toy clips of 4 classes (clip i: class i % 4): the image has an "object" of its class (one
 * strong channel) at a random cell of a noisy 5x5 map; the sound is a texture of that class
 * (horizontal / vertical stripes, checkerboard, flat), which a translation-invariant CNN with a
 * global max pool can tell apart. The object predicts the sound; its place must be found.
 */
function toyBatch(k: number, seed: number): { f: tf.Tensor4D; spec: tf.Tensor3D; objectCell: number[] } {
  const r = rng(seed);
  const f = new Float32Array(k * 25 * 6);
  const spec = new Float32Array(k * 16 * 16);
  const objectCell: number[] = [];
  for (let i = 0; i < k; i++) {
    const cls = i % 4;
    const cell = Math.floor(r() * 25);
    objectCell.push(cell);
    for (let p = 0; p < 25; p++) for (let c = 0; c < 6; c++) f[(i * 25 + p) * 6 + c] = p === cell ? (c === cls ? 2 : 0.3) : 0.6 * r();
    for (let y = 0; y < 16; y++) for (let x = 0; x < 16; x++) spec[(i * 16 + y) * 16 + x] = ([y % 2, x % 2, (x + y) % 2, 1][cls] ? 5 : 0.1) * (0.8 + 0.4 * r());
  }
  return { f: tf.tensor4d(f, [k, 5, 5, 6]), spec: tf.tensor3d(spec, [k, 16, 16]), objectCell };
}

describe('LVS (paper 003): cosine map, trimap hard negatives, contrastive loss', () => {
  beforeAll(async () => { await tf.setBackend('cpu'); });

  it('keeps the paper values in its default config and rejects bad ones', () => {
    expect(DEFAULT_LVS_CONFIG).toMatchObject({ epsP: 0.65, epsN: 0.4, tau: 0.03, temperature: 0.07 });
    expect(() => validateLvsConfig({ epsN: 0.7 })).toThrow(InvalidConfigError);
    expect(() => validateLvsConfig({ tau: 0 })).toThrow(/tau/);
    expect(() => validateLvsConfig({ easyNegatives: 'all' as 'mean' })).toThrow(/easyNegatives/);
    expect(() => validateLvsConfig({ embedDim: 16, audio: { embedDim: 32 } })).toThrow(/audio.embedDim/);
    expect(validateLvsConfig({ embedDim: 16 }).audio.embedDim).toBe(16);
  });

  it('gives maps [k, h, w] of cosines, logits [k, k + 2] with the own pair masked, a finite loss, and leaks nothing', () => {
    const cfg = tiny();
    const params = initLvsParams(cfg, 3);
    const { f, spec } = toyBatch(4, 1);
    const before = tf.memory().numTensors;
    const map = lvsLocalize(params, f, spec, cfg);
    expect(map.shape).toEqual([4, 5, 5]);
    const m = map.dataSync();
    expect(Math.max(...m)).toBeLessThanOrEqual(1 + 1e-5);
    expect(Math.min(...m)).toBeGreaterThanOrEqual(-1 - 1e-5);
    const { loss, logits, sii } = lvsLoss(params, f, spec, cfg);
    expect(logits.shape).toEqual([4, 6]);
    expect(sii.shape).toEqual([4, 25]);
    const L = logits.arraySync();
    for (let i = 0; i < 4; i++) expect(L[i][1 + i]).toBeLessThan(-1e4); // E_ii removed
    // the map is S_ii
    const s = sii.dataSync();
    for (let i = 0; i < m.length; i++) expect(s[i]).toBeCloseTo(m[i], 5);
    // P_i is a soft max of S_ii (>= its mean), H_i a soft min (<= its mean)
    for (let i = 0; i < 4; i++) {
      const mean = Array.from(s.slice(i * 25, i * 25 + 25)).reduce((a, b) => a + b, 0) / 25;
      expect(L[i][0] * cfg.temperature).toBeGreaterThanOrEqual(mean - 1e-6);
      expect(L[i][5] * cfg.temperature).toBeLessThanOrEqual(mean + 1e-6);
    }
    const lv = loss.dataSync()[0];
    expect(Number.isFinite(lv)).toBe(true);
    expect(lv).toBeGreaterThan(0);
    tf.dispose([map, loss, logits, sii]);
    expect(tf.memory().numTensors).toBe(before);
    // without hard negatives: k + 1 columns; the paper's 'mean' easy negatives also finite
    const c2 = tiny({ hardNegatives: false, easyNegatives: 'mean' });
    const p2 = lvsLoss(params, f, spec, c2);
    expect(p2.logits.shape).toEqual([4, 5]);
    expect(Number.isFinite(p2.loss.dataSync()[0])).toBe(true);
    tf.dispose([p2.loss, p2.logits, p2.sii, f, spec, ...Object.values(params)]);
  });

  it('matches a plain-loop reference of P_i, H_i, E_ij and the loss', () => {
    const cfg = tiny({ epsP: 0.1, epsN: -0.1, tau: 0.2 }); // soft masks, so every term matters
    const params = initLvsParams(cfg, 5);
    const { f, spec } = toyBatch(3, 2);
    const { loss, sii } = lvsLoss(params, f, spec, cfg);
    // full S_{i->j} from the maps of each (audio i, image j) pair
    const k = 3;
    const S: number[][][] = [];
    for (let i = 0; i < k; i++) {
      S.push([]);
      for (let j = 0; j < k; j++) {
        const fi = tf.slice(f, [j, 0, 0, 0], [1, 5, 5, 6]);
        const si = tf.slice(spec, [i, 0, 0], [1, 16, 16]);
        const mp = lvsLocalize(params, fi, si, cfg);
        S[i].push(Array.from(mp.dataSync()));
        tf.dispose([fi, si, mp]);
      }
    }
    const sig = (x: number) => 1 / (1 + Math.exp(-x));
    let ref = 0;
    for (let i = 0; i < k; i++) {
      const s = S[i][i];
      const mp = s.map((v) => sig((v - cfg.epsP) / cfg.tau));
      const mn = s.map((v) => 1 - sig((v - cfg.epsN) / cfg.tau));
      const P = s.reduce((a, v, u) => a + v * mp[u], 0) / mp.reduce((a, b) => a + b, 0);
      const H = s.reduce((a, v, u) => a + v * mn[u], 0) / mn.reduce((a, b) => a + b, 0);
      const easy = (row: number[]) => { const m = row.map((v) => sig((v - cfg.epsP) / cfg.tau)); return row.reduce((a, v, u) => a + v * m[u], 0) / m.reduce((a, b) => a + b, 0); };
      const logits = [P, ...S[i].flatMap((row, j) => (j === i ? [] : [easy(row)])), H].map((v) => v / cfg.temperature);
      const mx = Math.max(...logits);
      ref += mx + Math.log(logits.reduce((a, v) => a + Math.exp(v - mx), 0)) - logits[0];
    }
    ref /= k;
    expect(loss.dataSync()[0]).toBeCloseTo(ref, 4);
    expect(Array.from(sii.dataSync().slice(0, 25)).map((v, u) => v - S[0][0][u]).every((d) => Math.abs(d) < 1e-5)).toBe(true);
    tf.dispose([loss, sii, f, spec, ...Object.values(params)]);
  });

  it('sends gradients to both encoders, and Adam lowers the loss on a toy batch', () => {
    const cfg = tiny();
    const params = initLvsParams(cfg, 7);
    const { f, spec, objectCell } = toyBatch(4, 3);
    const before = tf.memory().numTensors;
    const vars = Object.values(params);
    const { value, grads } = tf.variableGrads(() => lvsLossValue(params, f, spec, cfg), vars);
    // grads are keyed by tfjs variable name; check every parameter by our name
    for (const [name, v] of Object.entries(params)) {
      const g = grads[v.name];
      expect(g, `gradient of ${name}`).toBeDefined();
      const norm = tf.tidy(() => tf.norm(g).dataSync()[0]);
      if (!/\/b$/.test(name)) expect(norm, `gradient of ${name}`).toBeGreaterThan(0);
      expect(Number.isFinite(norm)).toBe(true);
    }
    expect(Object.keys(params).filter((n) => n.startsWith('audio/conv')).length).toBe(4); // 2 stages x (w, b)
    expect(Object.keys(params).filter((n) => n.startsWith('visual/')).length).toBe(2);
    const first = value.dataSync()[0];
    tf.dispose([value, ...Object.values(grads)]);
    expect(tf.memory().numTensors).toBe(before);

    const opt = tf.train.adam(0.01);
    let last = first;
    for (let step = 0; step < 60; step++) {
      const l = opt.minimize(() => lvsLossValue(params, f, spec, cfg), true, vars)!;
      last = l.dataSync()[0];
      l.dispose();
    }
    expect(last).toBeLessThan(first * 0.5);
    expect(objectCell.length).toBe(4);
    opt.dispose();
    tf.dispose([f, spec, ...vars]);
  });

  it('learns to point at the sounding object of unseen toy clips (trimap negatives), which the mean form does not', () => {
    const hitsAfter = (over: Parameters<typeof validateLvsConfig>[0]) => {
      const cfg = tiny({ embedDim: 16, audio: { inputFreq: 16, inputTime: 16, channels: [8, 16] }, ...over });
      const params = initLvsParams(cfg, 7);
      const vars = Object.values(params);
      const opt = tf.train.adam(0.003);
      for (let step = 0; step < 150; step++) {
        const { f, spec } = toyBatch(4, 100 + step);
        tf.dispose(opt.minimize(() => lvsLossValue(params, f, spec, cfg), true, vars)!);
        tf.dispose([f, spec]);
      }
      const { f, spec, objectCell } = toyBatch(8, 999);
      const map = lvsLocalize(params, f, spec, cfg);
      const m = map.arraySync() as number[][][];
      tf.dispose([map, f, spec, ...vars]);
      opt.dispose();
      return m.filter((mi, i) => { const flat = mi.flat(); return flat.indexOf(Math.max(...flat)) === objectCell[i]; }).length;
    };
    // chance: 1 cell in 25, so 8 clips give 0.3 hits on average
    expect(hitsAfter({})).toBeGreaterThanOrEqual(4);
    expect(hitsAfter({ easyNegatives: 'mean' })).toBeLessThanOrEqual(2);
  });

  it('round-trips its weights through the tfjs binary format', async () => {
    const cfg = tiny({ visualHidden: 5 });
    const params = initLvsParams(cfg, 9);
    const { modelJson, weights } = await serializeParams('lvs-test', params, cfg);
    const back = deserializeParams(modelJson, weights);
    expect(back.config).toEqual(cfg);
    expect(Object.keys(back.params).sort()).toEqual(Object.keys(params).sort());
    for (const k of Object.keys(params)) expect(Array.from(back.params[k].dataSync())).toEqual(Array.from(params[k].dataSync()));
    tf.dispose([...Object.values(params), ...Object.values(back.params)]);
  });
});

describe('shipped LVS weights (models/lvs-synth)', () => {
  beforeAll(async () => { await tf.setBackend('cpu'); });
  const manifest = readShippedManifest();
  const fetcher = shippedModelsFetcher;

  it('loads through the sha256 check with its recorded config and gives a finite 14x14 map', async () => {
    const entry = manifest.models.find((m) => m.id === 'lvs-synth');
    expect(entry, 'models/manifest.json lists lvs-synth').toBeDefined();
    expect(entry!.trainCommand).toMatch(/^npm run train -- --model lvs /);
    expect(entry!.dataset?.hash).toMatch(/^[0-9a-f]{64}$/);
    const { params, config } = await loadLvs(manifest, 'lvs-synth', 'http://app/models/', { fetcher: fetcher(false) });
    expect(config).toEqual(validateLvsConfig(entry!.config as Parameters<typeof validateLvsConfig>[0]));
    const f = tf.tidy(() => tf.mul(uniform([1, 14, 14, config.visualChannels], 1), 6)) as tf.Tensor4D;
    const spec = tf.tidy(() => tf.mul(uniform([1, 128, 128], 2), 3)) as tf.Tensor3D;
    const map = lvsLocalize(params, f, spec, config);
    expect(map.shape).toEqual([1, 14, 14]);
    expect(Array.from(map.dataSync()).every(Number.isFinite)).toBe(true);
    tf.dispose([f, spec, map, ...Object.values(params)]);
  });

  it('refuses weights that differ from the manifest by one bit', async () => {
    await expect(loadLvs(manifest, 'lvs-synth', 'http://app/models/', { fetcher: fetcher(true) })).rejects.toBeInstanceOf(WeightsIntegrityError);
  });
});
