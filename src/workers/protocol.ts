/**
 * The typed message protocol between the UI and the engine Worker (DESIGN.md #7).
 *
 *   client -> worker   { id, type, payload }                 a Request
 *   client -> worker   { id, type: 'cancel' }                cancels request `id`
 *   worker -> client   { id, kind: 'progress', progress }    zero or more
 *   worker -> client   { id, kind: 'result', result }        exactly one of result / error
 *   worker -> client   { id, kind: 'error', error }          error = SerializedError
 *   worker -> client   { id: 0, kind: 'event', event }       unsolicited (GPU lost / restored)
 *
 * Request and result types are tied together by `EngineApi`, so a client call is typed end to end.
 */
import type { SerializedError } from '../engine/errors';
import type { BackendName, BackendState } from '../engine/backend';
import type { AudioSpan, MethodName, Separation, StereoSpan } from '../engine/pipeline/localizer';
import type { Refinement } from '../engine/geometry/config';

export interface Progress {
  /** What is being done, in words ("decoding audio", "window 3 of 75"). */
  stage: string;
  done: number;
  total: number;
  /** Unit of done/total ("frames", "samples", "windows", "bytes"). */
  unit: string;
}

export interface SpectrogramImage {
  /** Quantised log-magnitude, 0..255, row-major [frames][bins], lowest frequency first. */
  data: Uint8Array;
  frames: number;
  bins: number;
  sampleRate: number;
  hop: number;
  nFft: number;
  /** dB mapped to 0 and 255. */
  dbRange: [number, number];
}

export interface AudioAnalysis {
  /** 11025 Hz mono for the localizer (paper 000). */
  mono11k: Float32Array;
  /** 16 kHz stereo for the binaural model (paper 002); mono sources are duplicated. */
  left16k: Float32Array;
  right16k: Float32Array;
  binaural: boolean;
  sourceChannels: number;
  durationSec: number;
  /** Display spectrogram of the 16 kHz mix (for the wavesurfer view). */
  spectrogram: SpectrogramImage;
  /** Per-second RMS level in dBFS (quick loudness profile). */
  rmsDb: Float32Array;
}

export interface FrameWindow {
  index: number;
  /** Presentation times (s) of the frames in this window. */
  times: number[];
  width: number;
  height: number;
  /** RGBA pixels of each frame, width*height*4 bytes (transferred, not copied). */
  frames: Uint8ClampedArray[];
}

export interface WindowSummary {
  index: number;
  frameCount: number;
  /** Mean absolute difference between consecutive frames (0..1): a coarse camera-motion meter. */
  motion: number[];
  /** Mean luminance per frame (0..1). */
  luma: number[];
  /** Frames held by the engine at the peak of this window (bounded by the window size). */
  framesResident: number;
}

export interface MethodLoaded {
  method: MethodName;
  /** Every model the method runs, with the sha256 of its weights (checked on load). */
  models: { id: string; sha256: string }[];
  /** Bytes fetched for this call (0 when already loaded). */
  bytes: number;
}

export interface LocalizedWindow {
  summary: WindowSummary;
  method: MethodName;
  /** Map grid size. */
  width: number;
  height: number;
  /** One map per frame of the window, row-major [T, height, width]. */
  maps: Float32Array;
  /** Paper 000's separation of the window's seconds, when asked for and the method has it. */
  separation?: Separation;
  /** Engine time for the window (ms). */
  ms: number;
  /**
   * Frames whose per-frame features (paper 000's trunk, the heard-object detector) were reused from
   * the request before (Localizer.lastCacheHits); 0 for methods without such a cache.
   */
  cacheHits?: number;
  /** Frames whose direction features (heard object) were reused from the request before: the same samples cut (Localizer.lastDirectionHits). */
  directionHits?: number;
  /** The Localizer's stage times for this window (Localizer.lastStages), when it times them. */
  stages?: Record<string, number>;
  /**
   * The window's homography pairs (Localizer.lastGeometry): how many, how many fell back to the
   * identity, frames whose ORB features were reused, and where the time went (ms: grey images,
   * describing frames, matching and fitting the pairs; estimatePairs' PairTimes).
   */
  geometry?: { pairs: number; fallbacks: number; featuresReused: number; prepareMs?: number; describeMs?: number; fitMs?: number };
}

export interface EngineApi {
  init: { payload: { prefer?: BackendName[] }; result: BackendState };
  analyzeAudio: { payload: { channels: Float32Array[]; sampleRate: number }; result: AudioAnalysis };
  processWindow: { payload: FrameWindow; result: WindowSummary };
  /** Loads (sha256-checked, with byte progress) the weights a localization method needs. */
  loadMethod: { payload: { method: MethodName }; result: MethodLoaded };
  /** processWindow + one localization map per frame (audio: the mono 11025 Hz span around the window; stereo: the 16 kHz two channels, for the heard-object method). */
  /** Maps for `queries` (indices into the window's frames; default every frame), the other frames as context. */
  localizeWindow: { payload: { window: FrameWindow; audio: AudioSpan | null; stereo?: StereoSpan | null; method: MethodName; queries?: number[]; separate?: boolean; refine?: Refinement; detectorFrame?: number }; result: LocalizedWindow };
  /** Compiles the GPU programs the first real request needs (DESIGN.md #7); returns the time taken. */
  warmup: { payload: Record<string, never>; result: { ms: number } };
  memory: { payload: Record<string, never>; result: { numTensors: number; numBytes: number } };
  /** Test hook: destroys the GPU device as a real loss would. */
  simulateDeviceLoss: { payload: Record<string, never>; result: { simulated: boolean } };
}

export type RequestType = keyof EngineApi;

export type Request = { [K in RequestType]: { id: number; type: K; payload: EngineApi[K]['payload'] } }[RequestType];
export interface CancelMessage { id: number; type: 'cancel' }

export type EngineEvent =
  | { type: 'deviceLost'; error: SerializedError }
  | { type: 'backendRestored'; state: BackendState };

export type Reply =
  | { id: number; kind: 'progress'; progress: Progress }
  | { id: number; kind: 'result'; result: unknown }
  | { id: number; kind: 'error'; error: SerializedError }
  | { id: 0; kind: 'event'; event: EngineEvent };

/** Transferable buffers inside a value (ArrayBuffers of typed arrays), so big payloads move, not copy. */
export function transferablesOf(value: unknown, out: Transferable[] = [], seen = new Set<unknown>()): Transferable[] {
  if (value === null || typeof value !== 'object' || seen.has(value)) return out;
  seen.add(value);
  if (ArrayBuffer.isView(value)) {
    const buf = value.buffer;
    if (buf instanceof ArrayBuffer && !out.includes(buf) && buf.byteLength > 0) out.push(buf);
    return out;
  }
  if (value instanceof ArrayBuffer) {
    if (!out.includes(value)) out.push(value);
    return out;
  }
  for (const v of Array.isArray(value) ? value : Object.values(value)) transferablesOf(v, out, seen);
  return out;
}

/** Runtime check of an incoming request's shape (the worker trusts nothing). */
export function isRequest(m: unknown): m is Request | CancelMessage {
  if (!m || typeof m !== 'object') return false;
  const r = m as { id?: unknown; type?: unknown };
  return typeof r.id === 'number' && Number.isInteger(r.id) && r.id > 0 && typeof r.type === 'string';
}
