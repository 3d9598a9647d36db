import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { readFileSync } from 'node:fs';
import { Localizer, autoMethod, audioWindowAt, centreMap, availableMethods, stereoWindowAt, weightsSha256, MONO_RATE, STEREO_RATE, EGO000_ID, HEARD_FRAMES, HEARD_ID, HEARD_EXTENT, HEARD_MIRROR, HEARD_UNIFORM, METHODS, WINDOW_REFINE } from './localizer';
import { frameObjectness, loadObjectness, OBJECTNESS_ID } from '../models/objectness';
import { directionProbs, heardMaps, heardMapsFromMeans, loadHeard, objectShares, windowMean, withObjectExtent } from '../models/heard';
import { binauralSegments } from '../dsp/binaural';
import { loadEgo000, ego000Maps, ego000SeparationMask } from '../models/ego000/index';
import { applyLogFreqMask } from '../dsp/logfreq';
import { loadOpenCV } from '../geometry/opencv';
import { loadTestPhotos } from '../geometry/testPhotosNode';
import { synthSequence, scaleMotion, HEAD_MOTION } from '../geometry/synth';
import { identity, invert, mul, normalize, scaleHomography } from '../geometry/homography';
import { windowAround } from './windows';
import { loadLvs, lvsLocalize } from '../models/lvs';
import { loadVisualTrunk, visualFeatures } from '../models/visual';
import { logFreqSpectrogram } from '../dsp/logfreq';
import { assertClose, rng } from '../testing/compare';
import { CancelledError, InvalidConfigError, MonoAudioError, WeightsIntegrityError } from '../errors';
import type { Manifest } from '../weights/verify';

const manifest = JSON.parse(readFileSync('models/manifest.json', 'utf8')) as Manifest;
const BASE = 'http://app/models/';
const fetcher = (tamper = false) => async (url: string) => {
  const path = 'models/' + new URL(url).pathname.replace(/^\/models\//, '');
  const bytes = new Uint8Array(readFileSync(path));
  if (tamper && path.includes('lvs-synth') && path.endsWith('.bin')) bytes[100] ^= 4;
  return new Response(bytes);
};

function frames(n: number, w: number, h: number, seed: number): Uint8ClampedArray[] {
  const r = rng(seed);
  return Array.from({ length: n }, () => Uint8ClampedArray.from({ length: w * h * 4 }, (_, i) => (i % 4 === 3 ? 255 : Math.floor(256 * r()))));
}

function tone(sec: number, hz: number): Float32Array {
  return Float32Array.from({ length: Math.round(sec * MONO_RATE) }, (_, i) => 0.3 * Math.sin((2 * Math.PI * hz * i) / MONO_RATE));
}

describe('audio windows', () => {
  it('cuts the 1-s window centred on t, zero outside the samples', () => {
    const x = Float32Array.from({ length: 3 * MONO_RATE }, (_, i) => i + 1);
    const w = audioWindowAt({ samples: x, startSec: 1, sampleRate: MONO_RATE }, 2.5); // [2, 3) s of the clip -> samples [1 s, 2 s)
    expect(w.length).toBe(MONO_RATE);
    expect(w[0]).toBe(MONO_RATE + 1);
    expect(w[MONO_RATE - 1]).toBe(2 * MONO_RATE);
    const edge = audioWindowAt({ samples: x, startSec: 0, sampleRate: MONO_RATE }, 0.25); // [-0.25, 0.75)
    expect(edge[0]).toBe(0);
    expect(edge[Math.round(0.25 * MONO_RATE)]).toBe(1);
    expect(() => audioWindowAt({ samples: x, startSec: 0, sampleRate: 16000 }, 1)).toThrow(InvalidConfigError);
  });

  it('the automatic choice: the heard-object localizer for two channels that differ anywhere, paper 000 otherwise', () => {
    const a = Float32Array.from({ length: 1000 }, (_, i) => Math.sin(i / 7));
    const b = a.slice();
    expect(autoMethod({ left: a, right: b, binaural: true })).toBe('full'); // one signal twice
    b[999] += 1e-3;
    expect(autoMethod({ left: a, right: b, binaural: true })).toBe('heard'); // one sample apart is two signals
    expect(autoMethod({ left: a, right: b, binaural: false })).toBe('full'); // flagged mono by the decoder
    expect(autoMethod(null)).toBe('full'); // no sound
  });
});

describe('Localizer', () => {
  let loc: Localizer;
  beforeAll(async () => {
    // wasm: what the CLI runs on (about 20x faster than 'cpu' for the trunk here)
    expect(await tf.setBackend('wasm')).toBe(true);
    loc = new Localizer(manifest, BASE);
  });
  afterAll(() => loc.dispose());

  it('lists the methods whose weights ship, and the centre prior peaks in the middle', async () => {
    expect(availableMethods(manifest)).toEqual(expect.arrayContaining(['lvs', 'centre']));
    const out = await loc.localize('centre', { frames: frames(2, 8, 8, 1), width: 8, height: 8, times: [0, 1], audio: null });
    expect(out.maps.length).toBe(2 * 196);
    const c = centreMap();
    const peak = c.indexOf(Math.max(...c));
    expect([6, 7].map((y) => [6, 7].map((x) => y * 14 + x)).flat()).toContain(peak);
    expect(Array.from(out.maps.subarray(196))).toEqual(Array.from(c));
  });

  it('lvs: loads with byte progress, then gives the same maps as the model called directly', async () => {
    const prog: number[] = [];
    const fr = frames(3, 224, 224, 2);
    const audio = { samples: tone(4, 440), startSec: 0, sampleRate: MONO_RATE };
    const times = [0.5, 1.5, 2.5];
    const out = await loc.localize('lvs', { frames: fr, width: 224, height: 224, times, audio }, { fetcher: fetcher(), onProgress: (p) => prog.push(p.loaded / p.total) });
    expect(prog.length).toBeGreaterThan(1);
    expect(prog[prog.length - 1]).toBe(1);
    expect(out.maps.length).toBe(3 * 196);
    for (const v of out.maps) expect(Math.abs(v)).toBeLessThanOrEqual(1 + 1e-5);
    // direct call on the same input
    const trunk = await loadVisualTrunk(manifest, BASE, { fetcher: fetcher() });
    const lvs = await loadLvs(manifest, 'lvs-synth', BASE, { fetcher: fetcher() });
    const want = tf.tidy(() => {
      const x = tf.div(tf.tensor4d(Float32Array.from(fr.flatMap((f) => Array.from(f).filter((_, i) => i % 4 !== 3))), [3, 224, 224, 3]), 255) as tf.Tensor4D;
      const spec = tf.stack(times.map((t) => logFreqSpectrogram(tf.tensor1d(audioWindowAt(audio, t))))) as tf.Tensor3D;
      return lvsLocalize(lvs.params, visualFeatures(trunk, x).f14, spec, lvs.config);
    });
    assertClose(out.maps, await want.data(), { atol: 1e-5, label: 'pipeline vs direct' });
    want.dispose();
    trunk.dispose();
    tf.dispose(Object.values(lvs.params));
    // a second run adds no tensors (the loaded models stay, nothing else)
    const again = await loc.localize('lvs', { frames: fr, width: 224, height: 224, times, audio });
    expect(Array.from(again.maps)).toEqual(Array.from(out.maps));
    const n1 = tf.memory().numTensors;
    await loc.localize('lvs', { frames: fr, width: 224, height: 224, times, audio });
    expect(tf.memory().numTensors).toBe(n1);
    expect(loc.modelInfo('lvs').map((m) => m.id)).toEqual(['visual-mobilenetv2', 'lvs-synth']);
    expect(loc.modelInfo('lvs')[1].sha256).toBe(weightsSha256(manifest, 'lvs-synth'));
  }, 60_000);

  it('the sound changes the map; frames of another size are resized first', async () => {
    const fr = frames(1, 224, 224, 3);
    const a = await loc.localize('lvs', { frames: fr, width: 224, height: 224, times: [1], audio: { samples: tone(2, 300), startSec: 0, sampleRate: MONO_RATE } });
    const b = await loc.localize('lvs', { frames: fr, width: 224, height: 224, times: [1], audio: { samples: tone(2, 3000), startSec: 0, sampleRate: MONO_RATE } });
    let diff = 0;
    for (let i = 0; i < 196; i++) diff = Math.max(diff, Math.abs(a.maps[i] - b.maps[i]));
    expect(diff).toBeGreaterThan(1e-3);
    const big = frames(1, 320, 240, 4);
    const r = await loc.localize('lvs', { frames: big, width: 320, height: 240, times: [1], audio: { samples: tone(2, 300), startSec: 0, sampleRate: MONO_RATE } });
    expect(r.maps.length).toBe(196);
    expect(Number.isFinite(r.maps[0])).toBe(true);
  }, 60_000);

  it('names what is wrong: no audio, a frame of the wrong size, tampered weights, cancellation', async () => {
    await expect(loc.localize('lvs', { frames: frames(1, 224, 224, 5), width: 224, height: 224, times: [0], audio: null })).rejects.toBeInstanceOf(InvalidConfigError);
    await expect(loc.localize('lvs', { frames: frames(1, 10, 10, 5), width: 224, height: 224, times: [0], audio: { samples: tone(1, 300), startSec: 0, sampleRate: MONO_RATE } })).rejects.toBeInstanceOf(InvalidConfigError);
    const fresh = new Localizer(manifest, BASE);
    await expect(fresh.localize('lvs', { frames: frames(1, 224, 224, 5), width: 224, height: 224, times: [0], audio: { samples: tone(1, 300), startSec: 0, sampleRate: MONO_RATE } }, { fetcher: fetcher(true) })).rejects.toBeInstanceOf(WeightsIntegrityError);
    fresh.dispose();
    const ac = new AbortController();
    ac.abort();
    await expect(loc.localize('lvs', { frames: frames(9, 224, 224, 6), width: 224, height: 224, times: Array.from({ length: 9 }, (_, i) => i / 8), audio: { samples: tone(2, 300), startSec: 0, sampleRate: MONO_RATE } }, { signal: ac.signal })).rejects.toBeInstanceOf(CancelledError);
  }, 60_000);
});

/** Gray frames -> RGBA (the pipeline's input format). */
const rgba = (g: { width: number; height: number; data: Uint8Array }) => {
  const o = new Uint8ClampedArray(g.width * g.height * 4);
  for (let i = 0; i < g.data.length; i++) { o[4 * i] = o[4 * i + 1] = o[4 * i + 2] = g.data[i]; o[4 * i + 3] = 255; }
  return o;
};

describe('Localizer, paper 000 (windowed, with homographies)', () => {
  let loc: Localizer;
  const n = 12;
  const times = Array.from({ length: n }, (_, i) => i / 8); // 8 fps: windows of frames 2 apart
  let fr: Uint8ClampedArray[];
  let poses: number[][];
  const audio = { samples: tone(3, 660), startSec: 0, sampleRate: MONO_RATE };
  beforeAll(async () => {
    expect(await tf.setBackend('wasm')).toBe(true);
    loc = new Localizer(manifest, BASE);
    const { cv } = await loadOpenCV();
    const photos = await loadTestPhotos();
    // a head turning over a photographed scene: the true frame-to-frame homographies are known
    const seq = synthSequence(cv, photos[3], 224, 224, n, 5, scaleMotion(HEAD_MOTION, 0.25));
    fr = seq.frames.map(rgba);
    poses = seq.poses;
  });
  afterAll(() => loc.dispose());

  it('full: every frame gets the map of its own window, close to the model run on the true homographies, unlike w/o geometry', async () => {
    expect(availableMethods(manifest)).toEqual(expect.arrayContaining(['full', 'noGeometry', 'singleFrame', 'noEnhancement']));
    const prog: number[] = [];
    const full = await loc.localize('full', { frames: fr, width: 224, height: 224, times, audio }, { fetcher: fetcher(), onProgress: (p) => prog.push(p.loaded / p.total) });
    expect(prog[prog.length - 1]).toBe(1);
    expect(full.maps.length).toBe(n * 196);
    expect(loc.lastGeometry).toMatchObject({ fallbacks: 0 });
    expect(loc.lastGeometry!.pairs).toBeGreaterThan(n); // every window's pairs, each once
    expect(loc.modelInfo('full').map((m) => m.id)).toEqual(['visual-mobilenetv2', EGO000_ID]);
    const noGeo = await loc.localize('noGeometry', { frames: fr, width: 224, height: 224, times, audio });
    expect(loc.lastGeometry).toBeNull();
    // the default is WINDOW_REFINE (none): the same as asking for it; with the ECC refinement
    // (links made before that default) other homographies, so other maps
    expect(WINDOW_REFINE).toBe('none');
    const asked = await loc.localize('full', { frames: fr, width: 224, height: 224, times, audio, refine: 'none' });
    expect(Array.from(asked.maps)).toEqual(Array.from(full.maps));
    const withEcc = await loc.localize('full', { frames: fr, width: 224, height: 224, times, audio, refine: 'ecc' });
    expect(loc.lastGeometry).toMatchObject({ fallbacks: 0 });
    expect(Math.max(...full.maps.map((x, i) => Math.abs(x - withEcc.maps[i])))).toBeGreaterThan(0);
    await expect(loc.localize('full', { frames: fr, width: 224, height: 224, times, audio, refine: 'fast' as 'none' })).rejects.toThrow(/refine/);

    // the same model called directly, with the TRUE homographies H_{j->q} = P_q^-1 P_j
    const trunk = await loadVisualTrunk(manifest, BASE, { fetcher: fetcher() });
    const ego = await loadEgo000(manifest, EGO000_ID, BASE, { fetcher: fetcher() });
    const f14 = tf.tidy(() => visualFeatures(trunk, tf.div(tf.tensor4d(Float32Array.from(fr.flatMap((f) => Array.from(f).filter((_, i) => i % 4 !== 3))), [n, 224, 224, 3]), 255) as tf.Tensor4D).f14);
    const frame = { width: 224, height: 224 }, grid = { width: 14, height: 14 };
    let dFull = 0, dNoGeo = 0, dTrueVsIdentity = 0, dEcc = 0;
    for (let q = 0; q < n; q++) {
      const w = windowAround(q, n, 9, 2);
      const rows = [w.frames.map((j) => scaleHomography(normalize(mul(invert(poses[q]), poses[j])), frame, grid))];
      const [truth, ident] = tf.tidy(() => {
        const spec = tf.expandDims(logFreqSpectrogram(tf.tensor1d(audioWindowAt(audio, times[q])))) as tf.Tensor3D;
        const f = tf.gather(f14, w.frames) as tf.Tensor4D;
        return [ego000Maps(ego, f, spec, rows, { queries: w.query }).dataSync(), ego000Maps(ego, f, spec, [w.frames.map(() => identity())], { queries: w.query, geometry: false }).dataSync()];
      });
      for (let k = 0; k < 196; k++) {
        dFull = Math.max(dFull, Math.abs(full.maps[q * 196 + k] - truth[k]));
        dEcc = Math.max(dEcc, Math.abs(withEcc.maps[q * 196 + k] - truth[k]));
        dNoGeo = Math.max(dNoGeo, Math.abs(noGeo.maps[q * 196 + k] - ident[k]));
        dTrueVsIdentity = Math.max(dTrueVsIdentity, Math.abs(truth[k] - ident[k]));
      }
    }
    f14.dispose();
    trunk.dispose();
    tf.dispose(Object.values(ego.params));
    console.log(`ego000 maps, max |difference|: estimated (without ECC) vs true homographies ${dFull.toFixed(4)} (with ECC ${dEcc.toFixed(4)}); true vs identity ${dTrueVsIdentity.toFixed(4)}; noGeometry vs direct ${dNoGeo.toFixed(6)}`);
    expect(dNoGeo).toBeLessThan(1e-4); // w/o geometry: exactly the model with identities
    expect(dTrueVsIdentity).toBeGreaterThan(0.02); // the motion matters to the maps...
    expect(dFull).toBeLessThan(dTrueVsIdentity / 4); // ...and the estimated homographies (no ECC) are the true ones on the maps' 14x14 grid
    expect(dEcc).toBeLessThan(dTrueVsIdentity / 4); // so are they with ECC
  }, 120_000);

  it('queries: one frame with the others as context gives that frame\'s map of the whole run; variants differ; no tensors left', async () => {
    const input = { frames: fr, width: 224, height: 224, times, audio };
    const all = await loc.localize('full', input);
    const one = await loc.localize('full', { ...input, queries: [11] });
    expect(one.maps.length).toBe(196);
    assertClose(one.maps, all.maps.subarray(11 * 196), { atol: 1e-6, label: 'query 11 alone vs in the run' });
    const two = await loc.localize('lvs', { ...input, queries: [3, 7] }, { fetcher: fetcher() });
    const lvsAll = await loc.localize('lvs', input);
    assertClose(two.maps, Float32Array.from([...lvsAll.maps.subarray(3 * 196, 4 * 196), ...lvsAll.maps.subarray(7 * 196, 8 * 196)]), { atol: 1e-6, label: 'lvs queries' });
    await expect(loc.localize('full', { ...input, queries: [3, 3] })).rejects.toBeInstanceOf(InvalidConfigError);
    await expect(loc.localize('full', { ...input, queries: [12] })).rejects.toBeInstanceOf(InvalidConfigError);
    const single = await loc.localize('singleFrame', input);
    const noEnh = await loc.localize('noEnhancement', input);
    const maxDiff = (a: Float32Array, b: Float32Array) => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);
    expect(maxDiff(single.maps, all.maps)).toBeGreaterThan(1e-3);
    expect(maxDiff(noEnh.maps, all.maps)).toBeGreaterThan(1e-3);
    expect(METHODS.singleFrame.ego000?.singleFrame).toBe(true);
    const before = tf.memory().numTensors;
    await loc.localize('full', input);
    expect(tf.memory().numTensors).toBe(before);
  }, 120_000);

  it('live-style calls reuse the trunk and ORB features of frames seen the call before, with the same maps as a fresh run', async () => {
    const call = (l: Localizer, from: number) => l.localize('full', { frames: fr.slice(from, from + 9), width: 224, height: 224, times: times.slice(from, from + 9), audio, queries: [8] }, { fetcher: fetcher() });
    await call(loc, 0);
    const n0 = tf.memory().numTensors;
    // the window of frame 8 of 9 (8 fps): frames 0, 2, 4, 6, 8; then of frames 2..10: 2, 4, 6, 8, 10
    const second = await call(loc, 2);
    expect(loc.lastCacheHits).toBe(4);
    expect(loc.lastGeometry!.featuresReused).toBe(4); // and their ORB features for the homographies
    expect(tf.memory().numTensors).toBe(n0);
    const fresh = new Localizer(manifest, BASE);
    const want = await call(fresh, 2);
    expect(fresh.lastCacheHits).toBe(0);
    expect(fresh.lastGeometry!.featuresReused).toBe(0);
    fresh.dispose();
    expect(Array.from(second.maps)).toEqual(Array.from(want.maps));
    // another picture at the same times is not taken for the cached one
    const other = fr.slice(2, 11).map((f) => Uint8ClampedArray.from(f, (v, i) => (i % 4 === 3 ? v : 255 - v)));
    await loc.localize('full', { frames: other, width: 224, height: 224, times: times.slice(2, 11), audio, queries: [8] });
    expect(loc.lastCacheHits).toBe(0);
    expect(loc.lastGeometry!.featuresReused).toBe(0);
    // forgetFrames: the same frames again are computed afresh, to the same maps
    await call(loc, 2);
    const again = await call(loc, 2);
    expect(loc.lastCacheHits).toBe(5);
    expect(loc.lastGeometry!.featuresReused).toBe(5);
    loc.forgetFrames();
    const forgot = await call(loc, 2);
    expect(loc.lastCacheHits).toBe(0);
    expect(loc.lastGeometry!.featuresReused).toBe(0);
    expect(Array.from(forgot.maps)).toEqual(Array.from(again.maps));
    expect(tf.memory().numTensors).toBe(n0);
    // the stages of that call: the trunk for the 5 frames, 4 homographies, the model
    const st = loc.lastStages!;
    expect(Object.keys(st)).toEqual(['trunk', 'homographies', 'model', 'separation']);
    expect(st.trunk).toBeGreaterThan(0);
    expect(st.homographies).toBe(loc.lastGeometry!.ms);
    expect(st.model).toBeGreaterThan(0);
    expect(st.separation).toBe(0);
    await loc.localize('centre', { frames: fr.slice(0, 1), width: 224, height: 224, times: [0], audio: null });
    expect(loc.lastStages).toBeNull();
    expect(loc.lastCacheHits).toBe(0);
  }, 120_000);

  it("separation: each second's mask from the window around its middle frame, applied to that second's sound", async () => {
    const times = Array.from({ length: 20 }, (_, i) => i / 8); // 2.5 s: seconds 0, 1, 2
    const input = { frames: [...fr, ...fr.slice(0, 8)], width: 224, height: 224, times, audio, separate: true };
    const out = await loc.localize('full', input);
    const sep = out.separation!;
    expect(sep.seconds).toEqual([0, 1, 2]);
    expect(sep.masks.length).toBe(3 * 128 * 128);
    expect(sep.audio.length).toBe(3 * MONO_RATE);
    for (const v of sep.masks) expect(v >= 0 && v <= 1).toBe(true);
    // second 1 directly: its middle (1.5 s) is frame 12; the window around it; its 1-s sound
    const trunk = await loadVisualTrunk(manifest, BASE, { fetcher: fetcher() });
    const ego = await loadEgo000(manifest, EGO000_ID, BASE, { fetcher: fetcher() });
    const w = windowAround(12, 20, 9, 2);
    const [mask, wave] = tf.tidy(() => {
      const x = tf.div(tf.tensor4d(Float32Array.from(w.frames.flatMap((f) => Array.from(input.frames[f]).filter((_, i) => i % 4 !== 3))), [w.frames.length, 224, 224, 3]), 255) as tf.Tensor4D;
      const seg = tf.tensor1d(audioWindowAt(audio, 1.5));
      const m = ego000SeparationMask(ego.params, ego.config, visualFeatures(trunk, x).f14, tf.expandDims(logFreqSpectrogram(seg)) as tf.Tensor3D)!;
      return [m.dataSync(), applyLogFreqMask(seg, m).dataSync()];
    });
    trunk.dispose();
    tf.dispose(Object.values(ego.params));
    assertClose(sep.masks.subarray(128 * 128, 2 * 128 * 128), mask, { atol: 1e-5, label: 'mask of second 1' });
    assertClose(sep.audio.subarray(MONO_RATE, 2 * MONO_RATE), wave, { atol: 1e-5, label: 'separated second 1' });
    // not asked, or a variant without the enhancement block: none
    expect((await loc.localize('full', { ...input, separate: false })).separation).toBeUndefined();
    expect((await loc.localize('noEnhancement', input)).separation).toBeUndefined();
    expect((await loc.localize('full', { ...input, queries: [17] })).separation!.seconds).toEqual([2]);
  }, 120_000);
});

describe('Localizer, heard object (two channels x detector)', () => {
  let loc: Localizer;
  beforeAll(async () => {
    expect(await tf.setBackend('wasm')).toBe(true);
    loc = new Localizer(manifest, BASE);
  });
  afterAll(() => loc.dispose());
  // a noise burst that reaches the left ear 8 samples (0.5 ms) before the right, 6 dB louder
  const burst = (sec: number, leftFirst: boolean): { left: Float32Array; right: Float32Array } => {
    const r = rng(5);
    const n = Math.round(sec * STEREO_RATE);
    const x = Float32Array.from({ length: n + 8 }, () => r() - 0.5);
    const near = x.subarray(8), far = Float32Array.from(x.subarray(0, n), (v) => v / 2);
    return leftFirst ? { left: near.slice(), right: far } : { left: far, right: near.slice() };
  };

  it('single frame: gives the model\'s maps for the detector\'s objectness and the direction of each frame\'s window; the direction moves them', async () => {
    expect(availableMethods(manifest)).toEqual(expect.arrayContaining(['heard', 'heardNoGeometry', 'heardSingleFrame']));
    const fr = frames(2, 160, 120, 9);
    const times = [0.5, 1.5];
    const { left, right } = burst(2, true);
    const stereo = { left, right, startSec: 0, sampleRate: STEREO_RATE, binaural: true };
    const out = await loc.localize('heardSingleFrame', { frames: fr, width: 160, height: 120, times, audio: null, stereo }, { fetcher: fetcher() });
    expect(out.maps.length).toBe(2 * 196);
    // the same by hand: resize, detector, direction features, model
    const { model } = await loadObjectness(manifest, BASE, { fetcher: fetcher() });
    const heard = await loadHeard(manifest, HEARD_ID, BASE, { fetcher: fetcher() });
    for (const [k, t] of times.entries()) {
      const rgb = tf.tidy(() => tf.image.resizeBilinear(tf.div(tf.tensor4d(Float32Array.from(Array.from(fr[k]).filter((_, i) => i % 4 !== 3)), [1, 120, 160, 3]), 255) as tf.Tensor4D, [224, 224], false, true));
      const o = await frameObjectness(model, await rgb.data() as Float32Array);
      rgb.dispose();
      const [l, r] = stereoWindowAt(stereo, t);
      // the window heard both ways (HEARD_MIRROR), one frame: objectness term + log P
      const P = directionProbs(heard.params, tf.tensor2d(binauralSegments(l, r, STEREO_RATE, heard.config.segments), [1, (heard.config.segments + 1) * heard.config.features]), heard.config, HEARD_MIRROR);
      const cells = tf.tidy(() => heardMapsFromMeans(heard.params, P, tf.tensor2d(o.heat, [1, 196]), tf.tensor2d(o.boxes, [1, 196]), heard.config, HEARD_UNIFORM).dataSync());
      // ...read per object over the frame's detections (HEARD_EXTENT)
      const want = withObjectExtent(cells, objectShares(P.dataSync(), o.detections, HEARD_EXTENT, 14, 224), HEARD_EXTENT.mix);
      // ...which is not the map heard one way only, nor the map read per cell
      const oneWay = tf.tidy(() => heardMaps(heard.params, tf.tensor2d(binauralSegments(l, r, STEREO_RATE, heard.config.segments), [1, (heard.config.segments + 1) * heard.config.features]), tf.tensor2d(o.heat, [1, 196]), tf.tensor2d(o.boxes, [1, 196]), heard.config).dataSync());
      P.dispose();
      expect(Math.max(...Array.from(cells, (v, i) => Math.abs(v - oneWay[i])))).toBeGreaterThan(1e-3);
      expect(Math.max(...Array.from(want, (v, i) => Math.abs(v - cells[i])))).toBeGreaterThan(1);
      assertClose(out.maps.subarray(k * 196, (k + 1) * 196), want, { atol: 1e-4, label: `frame ${k}: pipeline vs direct` });
    }
    model.dispose();
    tf.dispose(Object.values(heard.params));
    // the other ear first: another map on the same frames
    const swapped = burst(2, false);
    const other = await loc.localize('heardSingleFrame', { frames: fr, width: 160, height: 120, times, audio: null, stereo: { ...stereo, ...swapped } });
    expect(Math.max(...Array.from(out.maps, (v, i) => Math.abs(v - other.maps[i])))).toBeGreaterThan(0.1);
    const n1 = tf.memory().numTensors;
    await loc.localize('heard', { frames: fr, width: 160, height: 120, times, audio: null, stereo, queries: [1] });
    expect(tf.memory().numTensors).toBe(n1);
    expect(loc.modelInfo('heard').map((m) => m.id)).toEqual([OBJECTNESS_ID, HEARD_ID]);
  });

  it('windowed: the frames\' terms carried onto the query through the estimated homographies and averaged, close to the true homographies, unlike w/o geometry', async () => {
    const n = 12;
    const times = Array.from({ length: n }, (_, i) => i / 8); // 8 fps: windows of frames 2 apart
    const { cv } = await loadOpenCV();
    const photos = await loadTestPhotos();
    const seq = synthSequence(cv, photos[3], 224, 224, n, 5, scaleMotion(HEAD_MOTION, 0.25));
    const fr = seq.frames.map(rgba);
    const { left, right } = burst(2.5, true);
    // the source changes side half-way: the frames' directions differ
    const half = Math.round(0.75 * STEREO_RATE), swapped = burst(2.5, false);
    left.set(swapped.left.subarray(half), half);
    right.set(swapped.right.subarray(half), half);
    const input = { frames: fr, width: 224, height: 224, times, audio: null, stereo: { left, right, startSec: -0.5, sampleRate: STEREO_RATE, binaural: true } };
    const full = await loc.localize('heard', input, { fetcher: fetcher() });
    expect(loc.lastGeometry).toMatchObject({ fallbacks: 0 });
    const noGeo = await loc.localize('heardNoGeometry', input);
    expect(loc.lastGeometry).toBeNull();
    // by hand: each frame's detector maps and direction probabilities, window means with the TRUE homographies H_{q->j} = P_j^-1 P_q
    const { model } = await loadObjectness(manifest, BASE, { fetcher: fetcher() });
    const heard = await loadHeard(manifest, HEARD_ID, BASE, { fetcher: fetcher() });
    const obj: Awaited<ReturnType<typeof frameObjectness>>[] = [];
    for (const f of fr) obj.push(await frameObjectness(model, Float32Array.from(Array.from(f).filter((_, i) => i % 4 !== 3), (v) => v / 255)));
    const W = (heard.config.segments + 1) * heard.config.features;
    const probs = tf.tidy(() => directionProbs(heard.params, tf.tensor2d(Float32Array.from(times.flatMap((t) => Array.from(binauralSegments(...stereoWindowAt(input.stereo, t), STEREO_RATE, heard.config.segments)))), [n, W]), heard.config, HEARD_MIRROR).dataSync());
    const P = (j: number) => probs.subarray(j * 196, (j + 1) * 196);
    let dFull = 0, dNoGeo = 0, dTrueVsIdentity = 0;
    for (let q = 0; q < n; q++) {
      const w = windowAround(q, n, HEARD_FRAMES, 2);
      const mapOf = (H: (j: number) => number[] | null) => {
        const toQ = w.frames.map((j) => (j === q ? null : H(j)));
        const mean = (x: ArrayLike<number>[]) => tf.tensor2d(windowMean(x, toQ, 224, 224, 14), [1, 196]);
        const meanP = windowMean(w.frames.map(P), toQ, 224, 224, 14);
        const cells = tf.tidy(() => heardMapsFromMeans(heard.params, tf.tensor2d(meanP, [1, 196]), mean(w.frames.map((j) => obj[j].heat)), mean(w.frames.map((j) => obj[j].boxes)), heard.config, HEARD_UNIFORM).dataSync());
        return withObjectExtent(cells, objectShares(meanP, obj[q].detections, HEARD_EXTENT, 14, 224), HEARD_EXTENT.mix);
      };
      const truth = mapOf((j) => normalize(mul(invert(seq.poses[j]), seq.poses[q]))), ident = mapOf(() => null);
      for (let k = 0; k < 196; k++) {
        dFull = Math.max(dFull, Math.abs(full.maps[q * 196 + k] - truth[k]));
        dNoGeo = Math.max(dNoGeo, Math.abs(noGeo.maps[q * 196 + k] - ident[k]));
        dTrueVsIdentity = Math.max(dTrueVsIdentity, Math.abs(truth[k] - ident[k]));
      }
    }
    model.dispose();
    tf.dispose(Object.values(heard.params));
    console.log(`heard maps, max |difference|: estimated vs true homographies ${dFull.toFixed(4)}; true vs identity ${dTrueVsIdentity.toFixed(4)}; noGeometry vs direct ${dNoGeo.toFixed(6)}`);
    expect(dNoGeo).toBeLessThan(1e-3); // w/o geometry: the plain means of the window
    expect(dTrueVsIdentity).toBeGreaterThan(0.05); // the motion matters to the maps...
    expect(dFull).toBeLessThan(dTrueVsIdentity / 4); // ...and the estimated homographies are the true ones
    // one query with the others as context: that frame's map of the whole run
    const one = await loc.localize('heard', { ...input, queries: [7] });
    assertClose(one.maps, full.maps.subarray(7 * 196, 8 * 196), { atol: 1e-4, label: 'query 7 alone vs in the run' });
  }, 120_000);

  it('reuses the detector maps (and ORB features) of frames seen the call before, computes them afresh after forgetFrames (same maps), and times its stages', async () => {
    const fr = frames(3, 64, 48, 11);
    const times = [0.5, 0.75, 1];
    const { left, right } = burst(2, true);
    const input = { frames: fr, width: 64, height: 48, times, audio: null, stereo: { left, right, startSec: 0, sampleRate: STEREO_RATE, binaural: true } };
    const a = await loc.localize('heardNoGeometry', input, { fetcher: fetcher() });
    expect(loc.lastCacheHits).toBe(0);
    const b = await loc.localize('heardNoGeometry', input);
    expect(loc.lastCacheHits).toBe(3);
    loc.forgetFrames();
    const n0 = tf.memory().numTensors;
    const c = await loc.localize('heardNoGeometry', input);
    expect(loc.lastCacheHits).toBe(0);
    expect(tf.memory().numTensors).toBe(n0);
    expect(Array.from(b.maps)).toEqual(Array.from(a.maps));
    expect(Array.from(c.maps)).toEqual(Array.from(a.maps));
    const st = loc.lastStages!;
    expect(Object.keys(st)).toEqual(['detector', 'direction', 'homographies', 'reading']);
    expect(st.detector).toBeGreaterThan(0);
    expect(st.direction).toBeGreaterThan(0);
    expect(st.homographies).toBe(0); // w/o geometry: none estimated
    expect(st.reading).toBeGreaterThan(0);
    const d = await loc.localize('heard', input);
    expect(loc.lastStages!.homographies).toBe(loc.lastGeometry!.ms);
    expect(loc.lastGeometry!.ms).toBeGreaterThan(0);
    expect(loc.lastGeometry!.featuresReused).toBe(0); // no call with homographies since forgetFrames
    const e = await loc.localize('heard', input);
    expect(loc.lastGeometry!.featuresReused).toBe(3);
    expect(Array.from(e.maps)).toEqual(Array.from(d.maps));
  }, 120_000);

  it('reuses a frame\'s direction features only where the next call cuts it the same samples, with the maps a fresh run gives', async () => {
    const fr = frames(3, 64, 48, 11);
    const times = [0.5, 0.75, 1];
    const { left, right } = burst(2, false);
    const stereo = { left, right, startSec: 0, sampleRate: STEREO_RATE, binaural: true };
    const input = { frames: fr, width: 64, height: 48, times, audio: null, stereo };
    loc.forgetFrames();
    const a = await loc.localize('heardNoGeometry', input, { fetcher: fetcher() });
    expect(loc.lastDirectionHits).toBe(0);
    await loc.localize('heardNoGeometry', input);
    expect(loc.lastDirectionHits).toBe(3);
    // another span holding the same samples at the same times (one sample more in front): the same cuts
    const pad = (x: Float32Array) => { const o = new Float32Array(x.length + 1); o.set(x, 1); return o; };
    const b = await loc.localize('heardNoGeometry', { ...input, stereo: { ...stereo, left: pad(left), right: pad(right), startSec: -1 / STEREO_RATE } });
    expect(loc.lastDirectionHits).toBe(3);
    expect(Array.from(b.maps)).toEqual(Array.from(a.maps));
    // the sound of the last frame's second changed (its last 0.1 s silenced): that frame alone is cut again
    const quiet = (x: Float32Array) => { const o = x.slice(); o.fill(0, Math.round(1.4 * STEREO_RATE)); return o; };
    const changed = { ...input, stereo: { ...stereo, left: quiet(left), right: quiet(right) } };
    const c = await loc.localize('heardNoGeometry', changed);
    expect(loc.lastDirectionHits).toBe(2);
    loc.forgetFrames();
    const d = await loc.localize('heardNoGeometry', changed);
    expect(loc.lastDirectionHits).toBe(0);
    expect(Array.from(c.maps)).toEqual(Array.from(d.maps));
    expect(Array.from(c.maps.subarray(2 * 196))).not.toEqual(Array.from(a.maps.subarray(2 * 196)));
    // another method in between: nothing reused from a call that was not heard-object
    await loc.localize('centre', input);
    expect(loc.lastDirectionHits).toBe(0);
  }, 120_000);

  it('cuts a live span\'s frames at the last sample heard: the centred second where the span has it all, else the last second', () => {
    const n = Math.round(1.2 * STEREO_RATE);
    const left = Float32Array.from({ length: n }, (_, i) => i), right = Float32Array.from({ length: n }, (_, i) => -i);
    const live = { left, right, startSec: 0, sampleRate: STEREO_RATE, binaural: true, clampToEnd: true };
    const [l6, r6] = stereoWindowAt(live, 0.6); // [0.1, 1.1): inside the span
    expect([l6[0], l6[STEREO_RATE - 1], r6[0]]).toEqual([0.1 * STEREO_RATE, 1.1 * STEREO_RATE - 1, -0.1 * STEREO_RATE]);
    const [l9] = stereoWindowAt(live, 0.9); // would reach 1.4 s: the last second heard, [0.2, 1.2)
    expect([l9[0], l9[STEREO_RATE - 1]]).toEqual([0.2 * STEREO_RATE, n - 1]);
    expect(Array.from(stereoWindowAt(live, 1.1)[0])).toEqual(Array.from(l9));
    const [f9] = stereoWindowAt({ ...live, clampToEnd: undefined }, 0.9); // a file: centred, zero past the span
    expect([f9[0], f9[0.8 * STEREO_RATE - 1], f9[0.8 * STEREO_RATE], f9[STEREO_RATE - 1]]).toEqual([0.4 * STEREO_RATE, n - 1, 0, 0]);
  });

  it('says a mono recording has no direction (one channel, or the same one twice), and asks for the two channels', async () => {
    const fr = frames(1, 32, 32, 3);
    const { left } = burst(1, true);
    await expect(loc.localize('heard', { frames: fr, width: 32, height: 32, times: [0.5], audio: null, stereo: { left, right: left.slice(), startSec: 0, sampleRate: STEREO_RATE, binaural: false } })).rejects.toBeInstanceOf(MonoAudioError);
    await expect(loc.localize('heard', { frames: fr, width: 32, height: 32, times: [0.5], audio: null, stereo: { left, right: left.slice(), startSec: 0, sampleRate: STEREO_RATE, binaural: true } })).rejects.toBeInstanceOf(MonoAudioError);
    const silent = new Float32Array(STEREO_RATE);
    const quiet = await loc.localize('heard', { frames: fr, width: 32, height: 32, times: [0.5], audio: null, stereo: { left: silent, right: silent.slice(), startSec: 0, sampleRate: STEREO_RATE, binaural: true } }, { fetcher: fetcher() });
    expect(quiet.maps.every(Number.isFinite)).toBe(true); // silence is not mono: the map is the objectness with no direction preferred
    await expect(loc.localize('heard', { frames: fr, width: 32, height: 32, times: [0.5], audio: null })).rejects.toBeInstanceOf(InvalidConfigError);
    await expect(loc.localize('heard', { frames: fr, width: 32, height: 32, times: [0.5], audio: null, stereo: { left, right: left.slice(0, 10), startSec: 0, sampleRate: STEREO_RATE, binaural: true } })).rejects.toBeInstanceOf(InvalidConfigError);
  });
});
