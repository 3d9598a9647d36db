/**
 * `npm run bench -- pipeline --json`: the localization pipeline in Chromium, per stage and per
 * frame, on each backend the page can run (WebGPU, WebGL, WASM), side by side in one run:
 *
 *   decode       seek the demo clip's <video> + drawImage 224x224 + getImageData (the app's sampler)
 *   spectrogram  1-s log-frequency spectrogram of the frame's audio (paper 000's input)
 *   trunk        MobileNetV2 features of the frame (models/visual-mobilenetv2)
 *   head         the LVS head on them (projection, audio encoder, cosine map)
 *   localize     the engine's Localizer.localize('lvs') end to end (spectrogram + trunk + head + read-back)
 *   localize full  Localizer.localize('full') end to end: trunk once per frame, homographies, and
 *                per frame its 9-frame window through paper 000's model (models/ego000-synth);
 *                its stages as the Localizer times them (lastStages): full: trunk, full:
 *                homographies (opencv.js, each pair of the batch's windows once), full: model
 *   localize heard  Localizer.localize('heard') end to end (the app's choice for a two-channel
 *                clip): its stages heard: detector (CenterNet per frame), heard: direction (the
 *                binaural features and the direction network, both ways), heard: homographies,
 *                heard: reading (window means, the map, the per-object reading); and
 *                localize heardSingleFrame (no window, no homographies)
 *   live-style full / heard  the same methods called as live mode calls them: one query per call,
 *                its 9 grid frames (0.25 s apart) ending at the query, each call's window 2 frames
 *                (one grid step) on from the last, so 8 of its 9 frames were in the call before;
 *                per call, `reused` keeping the last call's frames (trunk features / detector maps
 *                and ORB features) against `fresh` forgetting them first, side by side on the same
 *                windows (ms per call; stages as above). Needs 24 frames (not with --quick).
 * Each is the median of `reps` runs over a batch of frames after a warm-up run, divided by the
 * frame count, with the result read back (data()). The windowed methods keep the last call's
 * trunk features / detector maps for live mode's overlapping windows: the bench forgets them
 * before each run (Localizer.forgetFrames), so every run computes every frame from its pixels, as
 * the app does for a newly opened clip. A stage's figure is the median of that stage over the
 * runs. `realtime` is clip seconds per wall second for decode + localize at 8 fps (> 1: faster
 * than playback). EGOSOUND_BENCH_BACKENDS=wasm,webgl limits the backends (paper 000 on
 * WebGPU-on-SwiftShader takes minutes per batch). EGOSOUND_BENCH_REFINE=none,ecc times `full` and
 * `heard` with each homography refinement, one after the other on the same frames (default: the
 * engine's, WINDOW_REFINE; a record's `refine` says which, and its name carries any other).
 */
import * as tf from '@tensorflow/tfjs';
import type { BenchRecord, BenchSuite } from '../types';
import { medianMs } from '../shared/timing';
import { isRefinement } from '../../engine/geometry/config';
import { initBackend, backendState } from '../../engine/backend';
import { Localizer, audioWindowAt, MONO_RATE, STEREO_RATE, WINDOW_REFINE, type LocalizeInput, type MethodName, type StereoSpan } from '../../engine/pipeline/localizer';
import { loadVisualTrunk, visualFeatures } from '../../engine/models/visual';
import { loadLvs, lvsLocalize } from '../../engine/models/lvs';
import { logFreqSpectrogram } from '../../engine/dsp/logfreq';
import type { Manifest } from '../../engine/weights/verify';

const FPS = 8;

async function decodeDemo(n: number): Promise<{ frames: Uint8ClampedArray[]; times: number[]; msPerFrame: number; audio: Float32Array; stereo: StereoSpan }> {
  const v = document.createElement('video');
  v.muted = true;
  v.src = '/demo/demo.webm';
  await new Promise<void>((res, rej) => { v.onloadeddata = () => res(); v.onerror = () => rej(new Error('demo clip did not load')); });
  const c = new OffscreenCanvas(224, 224);
  const g = c.getContext('2d', { willReadFrequently: true })!;
  const frames: Uint8ClampedArray[] = [];
  const times: number[] = [];
  const t0 = performance.now();
  for (let k = 0; k < n; k++) {
    const t = (k + 1) / FPS;
    await new Promise<void>((res) => { v.onseeked = () => res(); v.currentTime = t; });
    g.drawImage(v, 0, 0, 224, 224);
    frames.push(g.getImageData(0, 0, 224, 224).data);
    times.push(t);
  }
  const msPerFrame = (performance.now() - t0) / n;
  const buf = await (await fetch('/demo/demo.webm')).arrayBuffer();
  const ctx = new OfflineAudioContext(1, MONO_RATE, MONO_RATE);
  const decoded = await ctx.decodeAudioData(buf.slice(0));
  const audio = decoded.getChannelData(0).slice(); // resampled to 11025 Hz by the context, first channel
  // both channels at 16 kHz: the heard-object method's input
  const two = await new OfflineAudioContext(2, STEREO_RATE, STEREO_RATE).decodeAudioData(buf);
  const left = two.getChannelData(0).slice(), right = (two.numberOfChannels > 1 ? two.getChannelData(1) : two.getChannelData(0)).slice();
  return { frames, times, msPerFrame, audio, stereo: { left, right, startSec: 0, sampleRate: STEREO_RATE, binaural: two.numberOfChannels > 1 } };
}

const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];

/**
 * Live-style calls (see the header): windows of 9 frames 2 apart, each 2 frames on from the last,
 * one query (the newest) per call; the first call of each series warms up. `fresh` forgets the
 * last call's frames before each call. Medians over the calls of each series, and of each stage.
 */
async function liveStyleMs(loc: Localizer, method: MethodName, input: LocalizeInput, fresh: boolean): Promise<{ ms: number; stages: Record<string, number>; calls: number }> {
  const runs: { ms: number; stages: Record<string, number> }[] = [];
  loc.forgetFrames();
  for (let from = 0; from + 16 < input.frames.length; from += 2) {
    const idx = Array.from({ length: 9 }, (_, k) => from + 2 * k);
    const call: LocalizeInput = { ...input, frames: idx.map((i) => input.frames[i]), times: idx.map((i) => input.times[i]), queries: [8] };
    if (fresh) loc.forgetFrames();
    const t0 = performance.now();
    await loc.localize(method, call);
    if (from > 0) runs.push({ ms: performance.now() - t0, stages: { ...(loc.lastStages ?? {}) } });
  }
  const stages = Object.fromEntries(Object.keys(runs[0].stages).map((k) => [k, median(runs.map((r) => r.stages[k]))]));
  return { ms: median(runs.map((r) => r.ms)), stages, calls: runs.length };
}

/**
 * Median time of `reps` runs of a windowed method after a warm-up run, each from the pixels
 * (forgetFrames first), and the median of each stage the Localizer timed.
 */
async function windowedMs(loc: Localizer, method: MethodName, input: LocalizeInput, reps: number): Promise<{ ms: number; stages: Record<string, number> }> {
  const runs: { ms: number; stages: Record<string, number> }[] = [];
  for (let i = 0; i <= reps; i++) {
    loc.forgetFrames();
    const t0 = performance.now();
    await loc.localize(method, input);
    if (i > 0) runs.push({ ms: performance.now() - t0, stages: { ...(loc.lastStages ?? {}) } });
  }
  const stages = Object.fromEntries(Object.keys(runs[0].stages).map((k) => [k, median(runs.map((r) => r.stages[k]))]));
  return { ms: median(runs.map((r) => r.ms)), stages };
}

const bench: BenchSuite = {
  name: 'pipeline',
  async run({ quick }) {
    const n = quick ? 4 : 24;
    const reps = quick ? 1 : 3;
    const manifest = (await (await fetch('/models/manifest.json')).json()) as Manifest;
    const base = new URL('/models/', location.href).href;
    const { frames, times, msPerFrame: decodeMs, audio, stereo } = await decodeDemo(n);
    const span = { samples: audio, startSec: 0, sampleRate: MONO_RATE };
    const recs: BenchRecord[] = [];
    const start = backendState()?.backend;
    const only = new URLSearchParams(location.search).get('backends')?.split(',');
    const refines = (new URLSearchParams(location.search).get('refine') ?? WINDOW_REFINE).split(',').filter(isRefinement);
    for (const name of ['webgpu', 'webgl', 'wasm'] as const) {
      if (only && !only.includes(name)) continue;
      const st = await initBackend({ prefer: [name] }).catch(() => null);
      if (!st || st.backend !== name) continue;
      const shape = `${n}x224x224`;
      const add = (stage: string, ms: number, extra: Record<string, number | string | null> = {}) => recs.push({ suite: 'pipeline', name: `${stage} [${name}]`, shape, ms, backend: name, stage, adapter: st.adapter ?? null, ...extra });
      const trunk = await loadVisualTrunk(manifest, base);
      const lvs = await loadLvs(manifest, 'lvs-synth', base);
      const x = tf.tidy(() => tf.div(tf.cast(tf.slice(tf.tensor4d(Uint8Array.from(frames.flatMap((f) => Array.from(f))), [n, 224, 224, 4], 'int32'), [0, 0, 0, 0], [n, 224, 224, 3]), 'float32'), 255) as tf.Tensor4D);
      const spec = tf.tidy(() => tf.stack(times.map((t) => logFreqSpectrogram(tf.tensor1d(audioWindowAt(span, t))))) as tf.Tensor3D);
      const f14 = tf.tidy(() => { const o = visualFeatures(trunk, x); o.f28.dispose(); return o.f14; });
      const specMs = await medianMs(async () => { const s = tf.tidy(() => tf.stack(times.map((t) => logFreqSpectrogram(tf.tensor1d(audioWindowAt(span, t)))))); await s.data(); s.dispose(); }, reps);
      const trunkMs = await medianMs(async () => { const o = visualFeatures(trunk, x); await o.f14.data(); tf.dispose([o.f14, o.f28]); }, reps);
      const headMs = await medianMs(async () => { const m = lvsLocalize(lvs.params, f14, spec, lvs.config); await m.data(); m.dispose(); }, reps);
      tf.dispose([x, spec, f14]);
      trunk.dispose();
      tf.dispose(Object.values(lvs.params));
      const loc = new Localizer(manifest, base);
      const locMs = await medianMs(() => loc.localize('lvs', { frames, width: 224, height: 224, times, audio: span }), reps);
      loc.dispose();
      add('decode', decodeMs);
      add('spectrogram', specMs / n);
      add('trunk', trunkMs / n);
      add('head', headMs / n);
      add('localize', locMs / n, { realtime: (1 / FPS) / ((decodeMs + locMs / n) / 1000) });
      const input: LocalizeInput = { frames, width: 224, height: 224, times, audio: span, stereo };
      const windowed = new Localizer(manifest, base);
      for (const refine of refines) {
        const tag = refine === WINDOW_REFINE ? '' : ` refine=${refine}`;
        for (const [method, stagePrefix] of [['full', 'full'], ['heard', 'heard'], ['heardSingleFrame', null]] as const) {
          if (!stagePrefix && tag) continue; // no window, no homographies
          const { ms, stages } = await windowedMs(windowed, method, { ...input, refine }, reps);
          if (stagePrefix) for (const [k, v] of Object.entries(stages)) if (k !== 'separation') add(`${stagePrefix}${tag}: ${k}`, v / n, { refine });
          add(`localize ${method}${tag}`, ms / n, { realtime: (1 / FPS) / ((decodeMs + ms / n) / 1000), refine: stagePrefix ? refine : null });
        }
      }
      if (n > 16) {
        for (const method of ['full', 'heard'] as const) {
          for (const fresh of [false, true]) {
            const r = await liveStyleMs(windowed, method, input, fresh);
            const extra: Record<string, number> = { calls: r.calls };
            for (const [k, v] of Object.entries(r.stages)) if (k !== 'separation') extra[`stageMs_${k}`] = v;
            add(`live-style ${method} ${fresh ? 'fresh' : 'reused'}`, r.ms, extra);
          }
        }
      }
      windowed.dispose();
    }
    if (start) await initBackend({ prefer: [start] });
    return recs;
  },
};
export default bench;
