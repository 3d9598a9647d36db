/**
 * The engine's request handlers, independent of how messages arrive: the Worker entry
 * (engine.worker.ts) wires them to postMessage, and Node tests call them through an in-process
 * port. No DOM here.
 */
import * as tf from '@tensorflow/tfjs';
import { initBackend, ensureBackend, simulateDeviceLoss, onBackendEvent } from '../engine/backend';
import { CancelledError, InternalError, InvalidConfigError, WeightsUnavailableError, serializeError } from '../engine/errors';
import { resample } from '../engine/dsp/resample';
import { toStereo, toMono } from '../engine/media/pcm';
import { stft, magnitude } from '../engine/dsp/stft';
import { Localizer, METHODS, isMethodName } from '../engine/pipeline/localizer';
import type { Fetcher, Manifest } from '../engine/weights/verify';
import { transferablesOf, type AudioAnalysis, type LocalizedWindow, type MethodLoaded, type EngineApi, type EngineEvent, type FrameWindow, type Progress, type Reply, type Request, type RequestType, type SpectrogramImage, type WindowSummary } from './protocol';

export interface Port {
  post(reply: Reply, transfer?: Transferable[]): void;
}

interface Ctx {
  progress(p: Progress): void;
  signal: AbortSignal;
}

const yieldToLoop = () => new Promise<void>((r) => setTimeout(r, 0));

async function analyzeAudio(p: EngineApi['analyzeAudio']['payload'], ctx: Ctx): Promise<AudioAnalysis> {
  const { channels, sampleRate } = p;
  if (!channels.length || channels[0].length === 0) throw new InternalError('no audio samples to analyse');
  ctx.progress({ stage: 'mixing channels', done: 0, total: 3, unit: 'steps' });
  const stereo = toStereo(channels);
  const left16k = resample(stereo.left, sampleRate, 16000);
  const right16k = stereo.binaural ? resample(stereo.right, sampleRate, 16000) : left16k.slice();
  if (ctx.signal.aborted) throw new CancelledError('audio analysis');
  ctx.progress({ stage: 'resampling to 11025 Hz', done: 1, total: 3, unit: 'steps' });
  const mono16k = toMono({ left: left16k, right: right16k, binaural: stereo.binaural, sourceChannels: stereo.sourceChannels });
  const mono11k = resample(mono16k, 16000, 11025);
  await yieldToLoop();
  if (ctx.signal.aborted) throw new CancelledError('audio analysis');
  ctx.progress({ stage: 'spectrogram', done: 2, total: 3, unit: 'steps' });
  const spectrogram = await displaySpectrogram(mono16k, ctx);
  const secs = Math.ceil(mono16k.length / 16000);
  const rmsDb = new Float32Array(secs);
  for (let s = 0; s < secs; s++) {
    let acc = 0;
    const a = s * 16000;
    const b = Math.min(mono16k.length, a + 16000);
    for (let i = a; i < b; i++) acc += mono16k[i] * mono16k[i];
    rmsDb[s] = 10 * Math.log10(acc / Math.max(1, b - a) + 1e-12);
  }
  ctx.progress({ stage: 'done', done: 3, total: 3, unit: 'steps' });
  return { mono11k, left16k, right16k, binaural: stereo.binaural, sourceChannels: stereo.sourceChannels, durationSec: mono16k.length / 16000, spectrogram, rmsDb };
}

/**
 * Display spectrogram on the GPU in chunks (bounded memory for long files): nFft 512 at 16 kHz,
 * hop 160 (10 ms), widened for long files so there are at most DISPLAY_MAX_FRAMES columns (a
 * screen shows fewer; the models compute their own spectrograms per window). Magnitude in dB
 * mapped from [-90, -10] dBFS to 0..255.
 */
const DISPLAY_MAX_FRAMES = 4000;
async function displaySpectrogram(x: Float32Array, ctx: Ctx): Promise<SpectrogramImage> {
  const nFft = 512;
  const hop = Math.max(160, Math.ceil(x.length / DISPLAY_MAX_FRAMES));
  const bins = nFft / 2 + 1;
  const frames = Math.floor(x.length / hop) + 1;
  const data = new Uint8Array(frames * bins);
  const chunkFrames = 2048;
  const dbRange: [number, number] = [-90, -10];
  // |X| of a full-scale sine with periodic Hann is N/4: normalise so 0 dBFS sine -> 0 dB.
  const norm = 4 / nFft;
  for (let f0 = 0; f0 < frames; f0 += chunkFrames) {
    if (ctx.signal.aborted) throw new CancelledError('spectrogram');
    const f1 = Math.min(frames, f0 + chunkFrames);
    // Samples covering frames f0..f1-1 (centred frames), plus reflect-free zero context.
    const a = f0 * hop - nFft / 2;
    const len = (f1 - f0 - 1) * hop + nFft;
    const seg = new Float32Array(len);
    for (let i = 0; i < len; i++) {
      const j = a + i;
      seg[i] = j >= 0 && j < x.length ? x[j] : 0;
    }
    const q = tf.tidy(() => {
      const s = stft(tf.tensor1d(seg), { nFft, hop, center: false });
      const db = tf.mul(tf.log(tf.add(tf.mul(magnitude(s), norm), 1e-9)), 20 / Math.LN10);
      return tf.clipByValue(tf.mul(tf.sub(db, dbRange[0]), 255 / (dbRange[1] - dbRange[0])), 0, 255);
    });
    try {
      const v = await q.data();
      for (let i = 0; i < v.length; i++) data[f0 * bins + i] = v[i];
    } finally {
      q.dispose();
    }
    ctx.progress({ stage: 'spectrogram', done: f1, total: frames, unit: 'frames' });
  }
  return { data, frames, bins, sampleRate: 16000, hop, nFft, dbRange };
}

/**
 * Frame statistics for one window: mean luminance and mean absolute inter-frame difference.
 * Plain loops: two passes over bytes cost ~10 ms per 32 frames, while the same as tfjs ops took
 * over a minute on SwiftShader (large single-workgroup reductions); the localizer's GPU work
 * starts from these same windows. Nothing is kept after the reply.
 */
function processWindow(w: FrameWindow): WindowSummary {
  const T = w.frames.length;
  const n = w.width * w.height;
  const luma: number[] = [];
  const motion: number[] = [];
  for (let t = 0; t < T; t++) {
    const f = w.frames[t];
    if (f.length !== n * 4) throw new InternalError(`frame ${t} has ${f.length} bytes, expected ${n * 4}`);
    let acc = 0;
    for (let i = 0; i < f.length; i += 4) acc += 0.299 * f[i] + 0.587 * f[i + 1] + 0.114 * f[i + 2];
    luma.push(acc / (n * 255));
    if (t > 0) {
      const g = w.frames[t - 1];
      let d = 0;
      for (let i = 0; i < f.length; i += 4) d += Math.abs(f[i] - g[i]) + Math.abs(f[i + 1] - g[i + 1]) + Math.abs(f[i + 2] - g[i + 2]);
      motion.push(d / (n * 3 * 255));
    }
  }
  return { index: w.index, frameCount: T, luma, motion, framesResident: T };
}

export interface EngineOptions {
  /** Where models/manifest.json and the weights are served (default: /models/ of the page). */
  modelsBaseUrl?: string;
  fetcher?: Fetcher;
}

/** Creates the dispatcher: feed it messages, it posts replies on `port`. */
export function createEngine(port: Port, options: EngineOptions = {}) {
  const controllers = new Map<number, AbortController>();
  const modelsBaseUrl = (): string => options.modelsBaseUrl ?? new URL('/models/', globalThis.location?.href ?? 'http://localhost/').href;
  const fetcher: Fetcher = options.fetcher ?? ((u, i) => fetch(u, i));
  let localizer: Promise<Localizer> | null = null;

  const getLocalizer = (): Promise<Localizer> => {
    localizer ??= (async () => {
      let resp: Response;
      try {
        resp = await fetcher(new URL('manifest.json', modelsBaseUrl()).href);
      } catch (e) {
        throw new WeightsUnavailableError('models/manifest.json', e instanceof Error ? e.message : String(e));
      }
      if (!resp.ok) throw new WeightsUnavailableError('models/manifest.json', `HTTP ${resp.status}`);
      return new Localizer((await resp.json()) as Manifest, modelsBaseUrl());
    })().catch((e) => { localizer = null; throw e; });
    return localizer;
  };

  const checkMethod = (m: unknown) => {
    if (!isMethodName(m)) throw new InvalidConfigError('method', `must be one of ${Object.keys(METHODS).join(', ')}, got ${String(m)}`);
    return m;
  };

  async function loadMethod(p: EngineApi['loadMethod']['payload'], ctx: Ctx): Promise<MethodLoaded> {
    const method = checkMethod(p.method);
    const loc = await getLocalizer();
    const bytes = loc.pendingBytes(method);
    await loc.load(method, { fetcher, signal: ctx.signal, onProgress: (q) => ctx.progress({ stage: 'loading weights', done: q.loaded, total: q.total, unit: 'bytes' }) });
    return { method, models: loc.modelInfo(method), bytes };
  }

  async function localizeWindow(p: EngineApi['localizeWindow']['payload'], ctx: Ctx): Promise<LocalizedWindow> {
    const method = checkMethod(p.method);
    const t0 = performance.now();
    const summary = processWindow(p.window);
    const loc = await getLocalizer();
    const w = p.window;
    const out = await loc.localize(method, { frames: w.frames, width: w.width, height: w.height, times: w.times, audio: p.audio, stereo: p.stereo ?? null, queries: p.queries, separate: p.separate, refine: p.refine, detectorFrame: p.detectorFrame }, { fetcher, signal: ctx.signal });
    return { summary, method, width: out.width, height: out.height, maps: out.maps, ...(out.separation ? { separation: out.separation } : {}), ms: performance.now() - t0, cacheHits: loc.lastCacheHits, directionHits: loc.lastDirectionHits, ...(loc.lastStages ? { stages: { ...loc.lastStages } } : {}), ...(loc.lastGeometry ? { geometry: { pairs: loc.lastGeometry.pairs, fallbacks: loc.lastGeometry.fallbacks, featuresReused: loc.lastGeometry.featuresReused, ...Object.fromEntries(Object.entries(loc.lastGeometry.times).map(([k, v]) => [`${k}Ms`, v])) } } : {}) };
  }

  onBackendEvent((e) => {
    // Weights on a lost device are gone: load them again on the restored backend.
    if (e.type !== 'lost' && localizer) { const old = localizer; localizer = null; void old.then((l) => l.dispose(), () => undefined); }
    const event: EngineEvent = e.type === 'lost' ? { type: 'deviceLost', error: serializeError(e.error) } : { type: 'backendRestored', state: e.state };
    port.post({ id: 0, kind: 'event', event });
  });

  async function handle(req: Request): Promise<unknown> {
    const ac = new AbortController();
    controllers.set(req.id, ac);
    const ctx: Ctx = { signal: ac.signal, progress: (progress) => port.post({ id: req.id, kind: 'progress', progress }) };
    try {
      switch (req.type) {
        case 'init': return await initBackend({ prefer: req.payload.prefer });
        case 'analyzeAudio': await ensureBackend(); return await analyzeAudio(req.payload, ctx);
        case 'processWindow': return processWindow(req.payload);
        case 'loadMethod': await ensureBackend(); return await loadMethod(req.payload, ctx);
        case 'localizeWindow': await ensureBackend(); return await localizeWindow(req.payload, ctx);
        case 'warmup': {
          await ensureBackend();
          const t0 = performance.now();
          const x = new Float32Array(16000);
          for (let i = 0; i < x.length; i++) x[i] = Math.sin(i / 7);
          await displaySpectrogram(x, { ...ctx, progress: () => undefined });
          return { ms: performance.now() - t0 };
        }
        case 'memory': { const m = tf.memory(); return { numTensors: m.numTensors, numBytes: m.numBytes }; }
        case 'simulateDeviceLoss': return { simulated: simulateDeviceLoss() };
        default: {
          const t: never = req;
          throw new InternalError(`unknown request type ${(t as { type: string }).type}`);
        }
      }
    } finally {
      controllers.delete(req.id);
    }
  }

  return {
    async onMessage(m: Request | { id: number; type: 'cancel' }): Promise<void> {
      if (m.type === 'cancel') {
        controllers.get(m.id)?.abort();
        return;
      }
      try {
        const result = await handle(m as Request);
        port.post({ id: m.id, kind: 'result', result }, transferablesOf(result));
      } catch (e) {
        port.post({ id: m.id, kind: 'error', error: serializeError(e) });
      }
    },
  };
}

export type { RequestType };
