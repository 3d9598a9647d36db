/**
 * The localization pipeline shared by the app's engine worker and the `npm run localize` CLI:
 * frames (RGBA, any size, resized to 224x224) + the mono 11025 Hz audio around them -> one map per
 * frame (cosine similarity of the sound with each cell of the visual feature grid, [14, 14]).
 *
 * Per frame t the audio is the 1-s window centred on t ([t - 0.5, t + 0.5) s, zero outside the
 * clip), turned into paper 000's 128x128 log-frequency spectrogram. Weights are loaded once per
 * method through the sha256 check of models/manifest.json (byte progress across every file the
 * method needs). No DOM here: runs in a Worker and in Node.
 *
 * Methods: 'lvs' (paper 003 baseline, models/lvs-synth on the frozen MobileNetV2 trunk) and
 * 'centre' (a centred Gaussian, the prior every method must beat; needs no weights or audio).
 */
import * as tf from '@tensorflow/tfjs';
import { CancelledError, InvalidConfigError, WeightsUnavailableError } from '../errors';
import type { Fetcher, LoadProgress, Manifest } from '../weights/verify';
import { loadVisualTrunk, visualFeatures, VISUAL_ID } from '../models/visual';
import { loadLvs, lvsLocalize, type LvsConfig } from '../models/lvs';
import type { Params } from '../models/audio';
import { logFreqSpectrogram } from '../dsp/logfreq';

export const MONO_RATE = 11025;
export const FRAME_SIZE = 224;
export const MAP_SIZE = 14;
/** Frames sent through the trunk at once (bounds GPU memory). */
const CHUNK = 8;

export type MethodName = 'lvs' | 'centre';

export interface MethodSpec {
  name: MethodName;
  label: string;
  /** Model ids in models/manifest.json this method loads (the trunk included). */
  models: string[];
  needsAudio: boolean;
}

export const METHODS: Record<MethodName, MethodSpec> = {
  lvs: { name: 'lvs', label: 'LVS (paper 003 baseline)', models: [VISUAL_ID, 'lvs-synth'], needsAudio: true },
  centre: { name: 'centre', label: 'Centre prior (no learning)', models: [], needsAudio: false },
};

export function isMethodName(x: unknown): x is MethodName {
  return typeof x === 'string' && Object.prototype.hasOwnProperty.call(METHODS, x);
}

/** Methods whose weights the manifest lists. */
export function availableMethods(manifest: Manifest): MethodName[] {
  return (Object.keys(METHODS) as MethodName[]).filter((m) => METHODS[m].models.every((id) => manifest.models.some((e) => e.id === id)));
}

export interface AudioSpan {
  /** Mono samples at MONO_RATE. */
  samples: Float32Array;
  /** Clip time (s) of samples[0]. */
  startSec: number;
  sampleRate: number;
}

export interface LocalizeInput {
  /** RGBA bytes per frame, width*height*4 each. */
  frames: (Uint8ClampedArray | Uint8Array)[];
  width: number;
  height: number;
  /** Clip time (s) of each frame. */
  times: number[];
  audio: AudioSpan | null;
}

export interface LocalizeOutput {
  method: MethodName;
  width: number;
  height: number;
  /** T maps, row-major [T, height, width]. */
  maps: Float32Array;
}

export interface LoadOptions {
  fetcher?: Fetcher;
  onProgress?: (p: { loaded: number; total: number; file: string }) => void;
  signal?: AbortSignal;
}

/** The 1-s window of `audio` centred on time t, zero where it has no samples. */
export function audioWindowAt(audio: AudioSpan, t: number): Float32Array {
  if (audio.sampleRate !== MONO_RATE) throw new InvalidConfigError('audio.sampleRate', `must be ${MONO_RATE} Hz (the localizer's rate), got ${audio.sampleRate}`);
  const out = new Float32Array(MONO_RATE);
  const s = Math.round((t - 0.5 - audio.startSec) * MONO_RATE);
  const x = audio.samples;
  for (let i = 0; i < MONO_RATE; i++) {
    const j = s + i;
    if (j >= 0 && j < x.length) out[i] = x[j];
  }
  return out;
}

/** The audio span a set of frame times needs (for callers that cut it from a longer buffer). */
export function audioSpanFor(times: number[]): { startSec: number; endSec: number } {
  return { startSec: Math.min(...times) - 0.5, endSec: Math.max(...times) + 0.5 };
}

/** The centre prior on the map grid: an isotropic Gaussian, sigma = 1/4 of the side (as metrics.ts). */
export function centreMap(h = MAP_SIZE, w = MAP_SIZE): Float32Array {
  const m = new Float32Array(h * w);
  const cy = (h - 1) / 2, cx = (w - 1) / 2, sy = h / 4, sx = w / 4;
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) m[y * w + x] = Math.exp(-(((x - cx) / sx) ** 2 + ((y - cy) / sy) ** 2) / 2);
  return m;
}

function framesToTensor(frames: (Uint8ClampedArray | Uint8Array)[], width: number, height: number): tf.Tensor4D {
  return tf.tidy(() => {
    const T = frames.length;
    const rgba = new Uint8Array(T * width * height * 4);
    frames.forEach((f, t) => {
      if (f.length !== width * height * 4) throw new InvalidConfigError('frames', `frame ${t} has ${f.length} bytes, expected ${width}x${height}x4`);
      rgba.set(f, t * width * height * 4);
    });
    const x = tf.slice(tf.tensor4d(rgba, [T, height, width, 4], 'int32'), [0, 0, 0, 0], [T, height, width, 3]);
    const f = tf.div(tf.cast(x, 'float32'), 255) as tf.Tensor4D;
    return width === FRAME_SIZE && height === FRAME_SIZE ? f : tf.image.resizeBilinear(f, [FRAME_SIZE, FRAME_SIZE], false, true);
  });
}

/** sha256 of a model's weights file (the .bin; the first file when there is none). */
export function weightsSha256(manifest: Manifest, id: string): string {
  const e = manifest.models.find((m) => m.id === id);
  if (!e) throw new WeightsUnavailableError(id, 'it is not listed in models/manifest.json');
  return (e.files.find((f) => f.path.endsWith('.bin')) ?? e.files[0]).sha256;
}

export class Localizer {
  private trunk: tf.LayersModel | null = null;
  private lvs: { params: Params; config: LvsConfig; sha256: string } | null = null;
  private readonly hashes = new Map<string, string>();

  constructor(private readonly manifest: Manifest, private readonly baseUrl: string) {}

  /** The models `method` uses, each with the sha256 of its weights file (as the manifest lists and the loader checked). */
  modelInfo(method: MethodName): { id: string; sha256: string }[] {
    return METHODS[method].models.map((id) => ({ id, sha256: this.hashes.get(id) ?? weightsSha256(this.manifest, id) }));
  }

  /** Bytes `method` still has to load. */
  pendingBytes(method: MethodName): number {
    return METHODS[method].models.filter((id) => !this.isLoaded(id)).reduce((a, id) => a + (this.manifest.models.find((m) => m.id === id)?.files.reduce((s, f) => s + f.bytes, 0) ?? 0), 0);
  }

  private isLoaded(id: string): boolean {
    return (id === VISUAL_ID && !!this.trunk) || (id === 'lvs-synth' && !!this.lvs);
  }

  /** Loads (once) every model `method` needs; progress in bytes over all of them. */
  async load(method: MethodName, opts: LoadOptions = {}): Promise<void> {
    const total = this.pendingBytes(method);
    let before = 0;
    const prog = (p: LoadProgress) => opts.onProgress?.({ loaded: before + p.loaded, total, file: p.file });
    for (const id of METHODS[method].models) {
      if (this.isLoaded(id)) continue;
      const entryBytes = this.manifest.models.find((m) => m.id === id)?.files.reduce((s, f) => s + f.bytes, 0) ?? 0;
      const o = { fetcher: opts.fetcher, signal: opts.signal, onProgress: prog };
      if (id === VISUAL_ID) this.trunk = await loadVisualTrunk(this.manifest, this.baseUrl, o);
      else if (id === 'lvs-synth') this.lvs = await loadLvs(this.manifest, id, this.baseUrl, o);
      else throw new WeightsUnavailableError(id, 'no loader for this model');
      this.hashes.set(id, weightsSha256(this.manifest, id));
      before += entryBytes;
    }
    if (total > 0) opts.onProgress?.({ loaded: total, total, file: '' });
  }

  /** One map per frame. Loads the method's models first if needed. */
  async localize(method: MethodName, input: LocalizeInput, opts: LoadOptions = {}): Promise<LocalizeOutput> {
    const T = input.frames.length;
    if (input.times.length !== T) throw new InvalidConfigError('times', `one time per frame: ${T} frames, ${input.times.length} times`);
    const hw = MAP_SIZE * MAP_SIZE;
    const maps = new Float32Array(T * hw);
    if (method === 'centre') {
      const c = centreMap();
      for (let t = 0; t < T; t++) maps.set(c, t * hw);
      return { method, width: MAP_SIZE, height: MAP_SIZE, maps };
    }
    if (!input.audio) throw new InvalidConfigError('audio', `method ${method} needs the clip's audio`);
    await this.load(method, opts);
    const trunk = this.trunk!, lvs = this.lvs!;
    for (let t0 = 0; t0 < T; t0 += CHUNK) {
      if (opts.signal?.aborted) throw new CancelledError('localization');
      const n = Math.min(CHUNK, T - t0);
      const spec = tf.tidy(() => tf.stack(input.times.slice(t0, t0 + n).map((t) => logFreqSpectrogram(tf.tensor1d(audioWindowAt(input.audio!, t))))) as tf.Tensor3D);
      const out = tf.tidy(() => {
        const x = framesToTensor(input.frames.slice(t0, t0 + n), input.width, input.height);
        const { f14, f28 } = visualFeatures(trunk, x);
        f28.dispose();
        return lvsLocalize(lvs.params, f14, spec, lvs.config);
      });
      spec.dispose();
      try {
        maps.set(await out.data() as Float32Array, t0 * hw);
      } finally {
        out.dispose();
      }
    }
    return { method, width: MAP_SIZE, height: MAP_SIZE, maps };
  }

  dispose(): void {
    this.trunk?.dispose();
    this.trunk = null;
    if (this.lvs) tf.dispose(Object.values(this.lvs.params));
    this.lvs = null;
  }
}
