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
 * Methods:
 *   'full'           paper 000 (models/ego000-synth on the frozen MobileNetV2 trunk): for each frame q
 *                    a window of EGO000_FRAMES frames EGO000_GAP_SEC apart around it (shifted to stay
 *                    inside the frames given, as in training and evaluation), homographies H_{j->q}
 *                    estimated with opencv.js (geometry/, the app's default config), eq. 1 attention,
 *                    the enhanced audio vector, the map of frame q;
 *   'noGeometry'     the same with identity homographies (paper 000's "w/o geometry");
 *   'singleFrame'    the same with T = 1 (each frame alone);
 *   'noEnhancement'  the same weights with f and the soft localization left out;
 *   'lvs'            paper 003's baseline (models/lvs-synth), one frame at a time;
 *   'heard'          the heard-object localizer (models/heard-synth + models/objectness-centernet,
 *                    models/heard.ts): the direction of the 1-s window of the 16 kHz two-channel sound
 *                    centred on each frame (input.stereo) picking among a COCO detector's objects; for
 *                    each frame q the same window as 'full' (HEARD_FRAMES = 9 frames EGO000_GAP_SEC
 *                    apart, homographies estimated with opencv.js), every window frame's detector maps and
 *                    direction probabilities carried onto q's grid through H_{q->j} and averaged
 *                    (heard.ts windowMean), each direction heard both ways (HEARD_MIRROR), then read
 *                    per detected object of frame q (HEARD_EXTENT); mono sound has no direction
 *                    (MonoAudioError);
 *   'heardNoGeometry'  the same window averaged without the homographies (identity);
 *   'heardSingleFrame' each frame alone (T = 1);
 *   'centre'         a centred Gaussian, the prior every method must beat (no weights, no audio).
 * Windows never reach across calls: the app sends 4-s windows, so a frame near a window's edge gets
 * a window shifted inwards (as a frame near the clip's ends does in evaluation).
 */
import * as tf from '@tensorflow/tfjs';
import { CancelledError, InvalidConfigError, MonoAudioError, WeightsUnavailableError } from '../errors';
import { frameObjectness, loadObjectness, OBJECTNESS_ID, type Detection } from '../models/objectness';
import { DETECTOR_FRAME, isDetectorFrame } from '../models/detectorFrame';
import { directionProbs, heardInput, heardInputWidth, heardMapsPerObject, loadHeard, windowMean, type HeardConfig } from '../models/heard';
import type { Fetcher, LoadProgress, Manifest } from '../weights/verify';
import { loadVisualTrunk, visualFeatures, VISUAL_ID } from '../models/visual';
import { loadLvs, lvsLocalize, type LvsConfig } from '../models/lvs';
import type { Params } from '../models/audio';
import { applyLogFreqMask, logFreqSpectrogram } from '../dsp/logfreq';
import { validateLogFreq } from '../dsp/config';
import { ego000Maps, ego000SeparationMask, loadEgo000, type Ego000Model } from '../models/ego000/index';
import { loadOpenCV } from '../geometry/opencv';
import { isRefinement, validateHomographyConfig, type Refinement } from '../geometry/config';
import { identity, scaleHomography, type Mat3 } from '../geometry/homography';
import { rgbaToGray } from '../geometry/warp';
import { estimatePairs, pairHomography, pairsOf, windowAround, type PairTable, type PairTimes, type Window } from './windows';
import type { FrameFeatures } from '../geometry/estimate';

export const MONO_RATE = 11025;
export const FRAME_SIZE = 224;
export const MAP_SIZE = 14;
/** Frames sent through the trunk at once (bounds GPU memory). */
const CHUNK = 8;

/** Paper 000's test window: 9 frames (the public code's test setting)... */
export const EGO000_FRAMES = 9;
/** ...0.25 s apart (every 2nd frame at the 8 fps it was trained on). */
export const EGO000_GAP_SEC = 0.25;
export const EGO000_ID = 'ego000-synth';
export const HEARD_ID = 'heard-synth';
/** The heard-object method's window: paper 000's test window (9 frames EGO000_GAP_SEC apart), chosen on the validation split over 1 to 17 frames with the homographies opencv.js estimates (docs/results.md, "Over a window"). */
export const HEARD_FRAMES = 9;
/** The heard-object methods hear each window both ways (heard.ts directionProbs with mirror: the ears as recorded and swapped, flipped back), chosen on the validation split (docs/results.md, "Heard both ways"). */
export const HEARD_MIRROR = true;
/** ...and mix this share of a uniform distribution into the window's mean direction probabilities (heard.ts heardMapsFromMeans), chosen on the validation split (the same section). */
export const HEARD_UNIFORM = 0.2;
/** ...and read the result per detected object (heard.ts objectShares and withObjectExtent: each of the query frame's detections filled with its score times the window's mean direction probability inside it, that probability's row marginal squared first: rows 1, sharpenRows), chosen on the validation split (docs/results.md, "Read per object" and "Height heard, sharpened"). */
export const HEARD_EXTENT = { minScore: 0, power: 0.5, density: 1, rows: 1, mix: 0.03 };
/**
 * The windowed methods' homographies (paper 000's and heard's) skip the sub-pixel ECC refinement
 * unless the input asks for it (LocalizeInput.refine), for files and live alike: chosen on the
 * validation split, where every method scored the same without it to a frame or two, while it
 * was most of the homographies' time (docs/localize.md, "Homographies without ECC").
 */
export const WINDOW_REFINE: Refinement = 'none';
/** The heard-object method's sound: two channels at this rate. */
export const STEREO_RATE = 16000;

export type MethodName = 'full' | 'noGeometry' | 'singleFrame' | 'noEnhancement' | 'heard' | 'heardNoGeometry' | 'heardSingleFrame' | 'lvs' | 'centre';

/** How an ego000 variant runs (the options of ego000Maps). */
interface Ego000Variant { geometry: boolean; enhancement?: boolean; singleFrame: boolean }
/** How a heard-object variant runs: its window (T = 1 or HEARD_FRAMES) and whether the homographies carry it. */
interface HeardVariant { geometry: boolean; singleFrame: boolean }

export interface MethodSpec {
  name: MethodName;
  label: string;
  /** Model ids in models/manifest.json this method loads (the trunk included). */
  models: string[];
  needsAudio: boolean;
  /** Hears the two channels (input.stereo), not the mono mix. */
  needsStereo?: boolean;
  /** Paper 000 variants only. */
  ego000?: Ego000Variant;
  /** Heard-object variants only. */
  heard?: HeardVariant;
}

const EGO = [VISUAL_ID, EGO000_ID];
const HEARD = [OBJECTNESS_ID, HEARD_ID];
export const METHODS: Record<MethodName, MethodSpec> = {
  full: { name: 'full', label: 'Paper 000, full model', models: EGO, needsAudio: true, ego000: { geometry: true, singleFrame: false } },
  noGeometry: { name: 'noGeometry', label: 'Paper 000 w/o geometry', models: EGO, needsAudio: true, ego000: { geometry: false, singleFrame: false } },
  singleFrame: { name: 'singleFrame', label: 'Paper 000, single frame', models: EGO, needsAudio: true, ego000: { geometry: false, singleFrame: true } },
  noEnhancement: { name: 'noEnhancement', label: 'Paper 000 w/o enhancement', models: EGO, needsAudio: true, ego000: { geometry: true, enhancement: false, singleFrame: false } },
  heard: { name: 'heard', label: 'Heard object (stereo direction x COCO detector)', models: HEARD, needsAudio: true, needsStereo: true, heard: { geometry: true, singleFrame: false } },
  heardNoGeometry: { name: 'heardNoGeometry', label: 'Heard object w/o geometry', models: HEARD, needsAudio: true, needsStereo: true, heard: { geometry: false, singleFrame: false } },
  heardSingleFrame: { name: 'heardSingleFrame', label: 'Heard object, single frame', models: HEARD, needsAudio: true, needsStereo: true, heard: { geometry: false, singleFrame: true } },
  lvs: { name: 'lvs', label: 'LVS (paper 003 baseline)', models: [VISUAL_ID, 'lvs-synth'], needsAudio: true },
  centre: { name: 'centre', label: 'Centre prior (no learning)', models: [], needsAudio: false },
};

export function isMethodName(x: unknown): x is MethodName {
  return typeof x === 'string' && Object.prototype.hasOwnProperty.call(METHODS, x);
}

/** Whether a method maps each frame over a window of frames around it (paper 000's and the heard-object variants but their single-frame ones). */
export function isWindowed(method: MethodName): boolean {
  const spec = METHODS[method].ego000 ?? METHODS[method].heard;
  return !!spec && !spec.singleFrame;
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

/** Two channels of the clip's sound (the heard-object method's input). */
export interface StereoSpan {
  left: Float32Array;
  right: Float32Array;
  /** Clip time (s) of left[0] and right[0]. */
  startSec: number;
  sampleRate: number;
  /** False when the source had one channel (then left and right are copies): no direction to hear. */
  binaural: boolean;
  /**
   * Live capture: the span ends with the last sample heard, so a frame whose 1-s window would
   * reach past it takes the span's last second instead (as a clip's last frames do in the dataset
   * tools' binauralWindow). Unset (files): windows are cut centred, zero past the span.
   */
  clampToEnd?: boolean;
}

export interface LocalizeInput {
  /** RGBA bytes per frame, width*height*4 each. */
  frames: (Uint8ClampedArray | Uint8Array)[];
  width: number;
  height: number;
  /** Clip time (s) of each frame. */
  times: number[];
  audio: AudioSpan | null;
  /** The heard-object method's sound (the others read `audio`). */
  stereo?: StereoSpan | null;
  /**
   * The frames to make maps for (indices into `frames`, increasing); default: every frame. The
   * others are context: paper 000's windows around a query draw on them (live mode sends the last
   * 2 s of frames and asks for the newest one's map).
   */
  queries?: number[];
  /**
   * Paper 000's methods with the enhancement block: also separate the sound of every whole second
   * [s, s+1) the queried frames fall in (LocalizeOutput.separation).
   */
  separate?: boolean;
  /**
   * The windows' homographies with or without their sub-pixel refinement (ECC); default:
   * WINDOW_REFINE (none). A share link made before that default carries no refinement and means
   * ECC, so the app sends 'ecc' to reproduce it.
   */
  refine?: Refinement;
  /**
   * The heard-object methods: the side the frame is shown at in the object detector's 512x512
   * input; default DETECTOR_FRAME (392). A share link made when the frame filled the input carries
   * none and means 512, so the app sends 512 to reproduce it.
   */
  detectorFrame?: number;
}

/** Paper 000's mix-and-separate branch applied to the clip, one 1-s segment at a time. */
export interface Separation {
  /** The seconds s whose segments [s, s+1) were separated. */
  seconds: number[];
  /** Per second, the mask on the log-frequency grid, row-major [128 frequencies (low first), 128 times]. */
  masks: Float32Array;
  /** Per second, the mixture's log-frequency magnitude (the model's input), [128, 128]. */
  mixture: Float32Array;
  /** Per second, the separated waveform at 11025 Hz: the mask on the mixture's STFT, its phase kept. */
  audio: Float32Array;
}

export interface LocalizeOutput {
  method: MethodName;
  width: number;
  height: number;
  /** One map per query (every frame by default), row-major [Q, height, width]. */
  maps: Float32Array;
  /** When asked for and the method has the enhancement block. */
  separation?: Separation;
}

export interface LoadOptions {
  fetcher?: Fetcher;
  onProgress?: (p: { loaded: number; total: number; file: string }) => void;
  signal?: AbortSignal;
}

/** The 1-s window of samples x (rate Hz, x[0] at startSec) centred on time t, zero where there are none. */
function windowAt(x: Float32Array, startSec: number, rate: number, t: number): Float32Array {
  const out = new Float32Array(rate);
  const s = Math.round((t - 0.5 - startSec) * rate);
  for (let i = 0; i < rate; i++) {
    const j = s + i;
    if (j >= 0 && j < x.length) out[i] = x[j];
  }
  return out;
}

/** The 1-s window of `audio` centred on time t, zero where it has no samples. */
export function audioWindowAt(audio: AudioSpan, t: number): Float32Array {
  if (audio.sampleRate !== MONO_RATE) throw new InvalidConfigError('audio.sampleRate', `must be ${MONO_RATE} Hz (the localizer's rate), got ${audio.sampleRate}`);
  return windowAt(audio.samples, audio.startSec, MONO_RATE, t);
}

/** Whether a span's two channels are one signal twice (a mono source stored as stereo); silence is not. */
export function sameChannels(s: { left: ArrayLike<number>; right: ArrayLike<number> }): boolean {
  let sound = false;
  for (let i = 0; i < s.left.length; i++) {
    if (s.left[i] !== s.right[i]) return false;
    if (s.left[i] !== 0) sound = true;
  }
  return sound;
}

/** What autoMethod picks for sound with two distinct channels, and for anything else. */
export const AUTO_STEREO_METHOD: MethodName = 'heard';
export const AUTO_MONO_METHOD: MethodName = 'full';

/**
 * The method a clip gets when the person has not chosen one (the app's default and the CLI's):
 * the heard-object localizer where the sound has two channels that differ somewhere (it hears
 * where a sound comes from, and is the one method here that localizes by sound on the test split),
 * else paper 000's full model, which takes mono sound (one channel, one signal in both, or none).
 */
export function autoMethod(stereo: { left: ArrayLike<number>; right: ArrayLike<number>; binaural: boolean } | null): MethodName {
  if (!stereo || !stereo.binaural) return AUTO_MONO_METHOD;
  for (let i = 0; i < stereo.left.length; i++) if (stereo.left[i] !== stereo.right[i]) return AUTO_STEREO_METHOD;
  return AUTO_MONO_METHOD;
}

/** The 1-s windows of both channels of `stereo` centred on time t (clampToEnd: or the span's last second, where that one would reach past it). */
export function stereoWindowAt(stereo: StereoSpan, t: number): [Float32Array, Float32Array] {
  if (stereo.sampleRate !== STEREO_RATE) throw new InvalidConfigError('stereo.sampleRate', `must be ${STEREO_RATE} Hz (the heard-object method's rate), got ${stereo.sampleRate}`);
  if (stereo.left.length !== stereo.right.length) throw new InvalidConfigError('stereo', `channels of ${stereo.left.length} and ${stereo.right.length} samples`);
  const at = stereo.clampToEnd ? Math.min(t, stereo.startSec + stereo.left.length / STEREO_RATE - 0.5) : t;
  return [windowAt(stereo.left, stereo.startSec, STEREO_RATE, at), windowAt(stereo.right, stereo.startSec, STEREO_RATE, at)];
}

/** Whether two sample arrays hold the same values (the direction cache's test: the same cut, so the same features). */
function sameSamples(a: Float32Array, b: Float32Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i] && !(a[i] !== a[i] && b[i] !== b[i])) return false;
  return true;
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

/**
 * Frames apart that are EGO000_GAP_SEC apart in time (at least 1), from the median spacing of
 * `times`. One frame (or none): 1.
 */
export function gridStep(times: number[]): number {
  if (times.length < 2) return 1;
  const d = times.slice(1).map((t, i) => t - times[i]).sort((a, b) => a - b);
  const dt = d[Math.floor(d.length / 2)];
  if (!(dt > 0)) throw new InvalidConfigError('times', 'frame times must increase');
  return Math.max(1, Math.round(EGO000_GAP_SEC / dt));
}

/**
 * A frame's identity for the trunk-feature cache: its time, size and an FNV-1a hash of every 7th
 * byte (RGBA, so every channel is sampled). Equal frames give equal keys; a different frame at the
 * same time (another clip) differs in its pixels.
 */
export function frameKey(data: ArrayLike<number>, time: number, width: number, height: number): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < data.length; i += 7) h = Math.imul(h ^ data[i], 0x01000193) >>> 0;
  return `${width}x${height}@${time}:${h.toString(16)}`;
}

export class Localizer {
  private trunk: tf.LayersModel | null = null;
  private lvs: { params: Params; config: LvsConfig; sha256: string } | null = null;
  private ego: Ego000Model | null = null;
  private detector: tf.GraphModel | null = null;
  private heard: { params: Params; config: HeardConfig } | null = null;
  /**
   * Trunk features of the frames of the last paper 000 call, by frame key (frameKey): live mode
   * sends the last 2 s again with each new frame, so 8 of its 9 window frames were seen the call
   * before. Only the last call's frames are kept (one tensor), so memory stays flat.
   */
  private f14Cache: { keys: string[]; f14: tf.Tensor4D } | null = null;
  /** The detector's maps of the last heard-object call's frames, by frame key. */
  private objectnessCache = new Map<string, { heat: Float32Array; boxes: Float32Array; detections: Detection[] }>();
  /** The detector frame side objectnessCache's maps were made at (a call at another side starts afresh). */
  private objectnessSide = DETECTOR_FRAME;
  /** Frames of the last windowed call whose trunk features (paper 000) or detector maps (heard object) came from the cache (0 after any other call). */
  lastCacheHits = 0;
  /**
   * The direction features (heardInput) of the last heard-object call's frames, by frame key, with
   * the two channels' 1-s window they were computed from: a frame's features are reused only when
   * the next call cuts it exactly the same samples (live mode cuts each frame's own second: its
   * features are computed once), so the maps do not depend on what was cached.
   */
  private directionCache = new Map<string, { left: Float32Array; right: Float32Array; dir: Float32Array }>();
  /** Frames of the last heard-object call whose direction features came from directionCache. */
  lastDirectionHits = 0;
  /**
   * ORB features (keypoints, descriptors) of the frames of the last call that estimated
   * homographies, by frame key: live windows share most frames with the window before, whose
   * features need not be described again. The last such call's frames only, so memory stays flat.
   */
  private featureCache = new Map<string, FrameFeatures>();
  /**
   * Homography pairs of the last call (their fallbacks: how many fell back to the identity;
   * featuresReused: frames whose ORB features came from the call before; times: where the time
   * went, estimatePairs' PairTimes; ms: all of it).
   */
  lastGeometry: { pairs: number; fallbacks: number; featuresReused: number; ms: number; times: PairTimes } | null = null;
  /**
   * Wall time (ms) of each stage of the last windowed call (paper 000's and the heard-object
   * methods; null after any other), for the pipeline bench:
   *   paper 000     trunk (features of the frames not cached), homographies, model (eq. 1 and the
   *                 map per query, read back), separation (0 unless asked for);
   *   heard object  detector (objectness of the frames not cached: tensor, read-back, CenterNet,
   *                 boxes painted), direction (features of both channels per frame, the direction
   *                 network both ways, read back), homographies, reading (window means, the map
   *                 model, the per-object reading).
   */
  lastStages: Record<string, number> | null = null;
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
    return (id === VISUAL_ID && !!this.trunk) || (id === 'lvs-synth' && !!this.lvs) || (id === EGO000_ID && !!this.ego) || (id === OBJECTNESS_ID && !!this.detector) || (id === HEARD_ID && !!this.heard);
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
      else if (id === EGO000_ID) this.ego = await loadEgo000(this.manifest, id, this.baseUrl, o);
      else if (id === OBJECTNESS_ID) this.detector = (await loadObjectness(this.manifest, this.baseUrl, o)).model;
      else if (id === HEARD_ID) this.heard = await loadHeard(this.manifest, id, this.baseUrl, o);
      else throw new WeightsUnavailableError(id, 'no loader for this model');
      this.hashes.set(id, weightsSha256(this.manifest, id));
      before += entryBytes;
    }
    // the windowed variants with homographies also need opencv.js (a 10 MB script compiled once,
    // 1-3 s here): loaded now, with the weights, and not inside the first map (a live loop's first
    // map took it, and the live bench averaged it into the homographies of every map)
    const m = METHODS[method];
    if (m.ego000?.geometry || m.heard?.geometry) await loadOpenCV();
    if (total > 0) opts.onProgress?.({ loaded: total, total, file: '' });
  }

  /**
   * Forgets the frames of the last call (the trunk features and the detector maps kept for the
   * next call's overlapping window), so the next call computes every frame afresh: a new clip,
   * or the pipeline bench timing each run from the pixels.
   */
  forgetFrames(): void {
    this.f14Cache?.f14.dispose();
    this.f14Cache = null;
    this.objectnessCache.clear();
    this.directionCache.clear();
    this.featureCache.clear();
  }

  /** One map per query (every frame by default). Loads the method's models first if needed. */
  async localize(method: MethodName, input: LocalizeInput, opts: LoadOptions = {}): Promise<LocalizeOutput> {
    const n = input.frames.length;
    if (input.times.length !== n) throw new InvalidConfigError('times', `one time per frame: ${n} frames, ${input.times.length} times`);
    const queries = input.queries ?? input.times.map((_, i) => i);
    if (queries.some((q, k) => !Number.isInteger(q) || q < 0 || q >= n || (k > 0 && q <= queries[k - 1]))) throw new InvalidConfigError('queries', `must be increasing frame indices in [0, ${n - 1}]`);
    if (input.refine !== undefined && !isRefinement(input.refine)) throw new InvalidConfigError('refine', `must be 'ecc' or 'none', got ${String(input.refine)}`);
    if (input.detectorFrame !== undefined && !isDetectorFrame(input.detectorFrame)) throw new InvalidConfigError('detectorFrame', `must be a multiple of 8 from 8 to 512, got ${String(input.detectorFrame)}`);
    const hw = MAP_SIZE * MAP_SIZE;
    this.lastStages = null;
    this.lastCacheHits = 0;
    this.lastDirectionHits = 0;
    if (method === 'centre') {
      const maps = new Float32Array(queries.length * hw);
      const c = centreMap();
      for (let t = 0; t < queries.length; t++) maps.set(c, t * hw);
      return { method, width: MAP_SIZE, height: MAP_SIZE, maps };
    }
    if (METHODS[method].needsStereo) {
      if (!input.stereo) throw new InvalidConfigError('stereo', `method ${method} needs the clip's two-channel sound`);
      if (!input.stereo.binaural || sameChannels(input.stereo)) throw new MonoAudioError(METHODS[method].label);
      await this.load(method, opts);
      return { method, width: MAP_SIZE, height: MAP_SIZE, maps: await this.heardWindow(METHODS[method].heard!, input, queries, opts.signal) };
    }
    if (!input.audio) throw new InvalidConfigError('audio', `method ${method} needs the clip's audio`);
    await this.load(method, opts);
    const variant = METHODS[method].ego000;
    if (variant) return { method, width: MAP_SIZE, height: MAP_SIZE, ...(await this.ego000Window(variant, input, queries, opts)) };
    // single-frame methods: only the queried frames
    if (input.queries) input = { ...input, frames: queries.map((q) => input.frames[q]), times: queries.map((q) => input.times[q]) };
    const T = input.frames.length;
    const maps = new Float32Array(T * hw);
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

  /**
   * The heard-object maps of the queried frames, [Q * 14 * 14] (see the header): the detector and
   * the direction of each frame some window uses (the detector's maps of the last call's frames
   * reused, as the trunk's are for paper 000), then per query the window means.
   */
  private async heardWindow(variant: HeardVariant, input: LocalizeInput, queries: number[], signal?: AbortSignal): Promise<Float32Array> {
    const hw = MAP_SIZE * MAP_SIZE;
    const { params, config } = this.heard!;
    const n = input.frames.length;
    const windows = queries.map((q) => windowAround(q, n, variant.singleFrame ? 1 : HEARD_FRAMES, gridStep(input.times)));
    const used = [...new Set(windows.flatMap((w) => w.frames))].sort((a, b) => a - b);
    const row = new Map(used.map((f, r) => [f, r]));
    const width = heardInputWidth(config);
    const heat = new Float32Array(used.length * hw), boxes = new Float32Array(used.length * hw), dir = new Float32Array(used.length * width);
    const keys = used.map((f) => frameKey(input.frames[f], input.times[f], input.width, input.height));
    const cache = new Map<string, { heat: Float32Array; boxes: Float32Array; detections: Detection[] }>();
    const dirCache = new Map<string, { left: Float32Array; right: Float32Array; dir: Float32Array }>();
    const stages = { detector: 0, direction: 0, homographies: 0, reading: 0 };
    this.lastStages = null;
    let hits = 0, dirHits = 0;
    const side = input.detectorFrame ?? DETECTOR_FRAME;
    if (side !== this.objectnessSide) { this.objectnessCache.clear(); this.objectnessSide = side; }
    for (const [r, f] of used.entries()) {
      if (signal?.aborted) throw new CancelledError('localization');
      let t0 = performance.now();
      let o = this.objectnessCache.get(keys[r]);
      if (!o) {
        const x = framesToTensor([input.frames[f]], input.width, input.height);
        const rgb = await x.data() as Float32Array;
        x.dispose();
        o = await frameObjectness(this.detector!, rgb, side);
      } else hits++;
      cache.set(keys[r], o);
      heat.set(o.heat, r * hw);
      boxes.set(o.boxes, r * hw);
      stages.detector += performance.now() - t0;
      t0 = performance.now();
      const [l, rt] = stereoWindowAt(input.stereo!, input.times[f]);
      const was = this.directionCache.get(keys[r]);
      const same = was !== undefined && sameSamples(was.left, l) && sameSamples(was.right, rt);
      const d = same ? was.dir : heardInput(config, l, rt);
      if (same) dirHits++;
      dirCache.set(keys[r], { left: l, right: rt, dir: d });
      dir.set(d, r * width);
      stages.direction += performance.now() - t0;
    }
    this.objectnessCache = cache;
    this.directionCache = dirCache;
    this.lastCacheHits = hits;
    this.lastDirectionHits = dirHits;
    let t0 = performance.now();
    const pt = tf.tidy(() => directionProbs(params, tf.tensor2d(dir, [used.length, width]), config, HEARD_MIRROR));
    const probs = await pt.data() as Float32Array;
    pt.dispose();
    stages.direction += performance.now() - t0;
    let table: PairTable = {};
    this.lastGeometry = null;
    if (variant.geometry && used.length > 1) {
      table = await this.windowPairs(windows, input, signal);
      stages.homographies = this.lastGeometry!.ms;
    }
    t0 = performance.now();
    const Q = queries.length;
    const mHeat = new Float32Array(Q * hw), mBoxes = new Float32Array(Q * hw), mProbs = new Float32Array(Q * hw);
    for (const [k, q] of queries.entries()) {
      const fr = windows[k].frames;
      const toQ: (Mat3 | null)[] = fr.map((f) => (f !== q && variant.geometry ? pairHomography(table, q, f) : null));
      const of = (x: Float32Array) => fr.map((f) => x.subarray(row.get(f)! * hw, (row.get(f)! + 1) * hw));
      mHeat.set(windowMean(of(heat), toQ, input.width, input.height, MAP_SIZE), k * hw);
      mBoxes.set(windowMean(of(boxes), toQ, input.width, input.height, MAP_SIZE), k * hw);
      mProbs.set(windowMean(of(probs), toQ, input.width, input.height, MAP_SIZE), k * hw);
    }
    // read per object over the query frame's own detections (HEARD_EXTENT)
    const out = await heardMapsPerObject(params, config, { probs: mProbs, heat: mHeat, boxes: mBoxes }, queries.map((q) => cache.get(keys[row.get(q)!])!.detections), HEARD_EXTENT, HEARD_UNIFORM, FRAME_SIZE);
    stages.reading = performance.now() - t0;
    this.lastStages = stages;
    return out;
  }

  /** Trunk features of every frame, [T, 14, 14, C] (chunks of CHUNK through the trunk). */
  private trunkFeatures(frames: LocalizeInput['frames'], width: number, height: number, signal?: AbortSignal): tf.Tensor4D {
    const parts: tf.Tensor4D[] = [];
    try {
      for (let t0 = 0; t0 < frames.length; t0 += CHUNK) {
        if (signal?.aborted) throw new CancelledError('localization');
        parts.push(tf.tidy(() => {
          const { f14, f28 } = visualFeatures(this.trunk!, framesToTensor(frames.slice(t0, t0 + CHUNK), width, height));
          f28.dispose();
          return f14;
        }));
      }
      return tf.concat(parts, 0);
    } finally {
      tf.dispose(parts);
    }
  }

  /**
   * The homographies of the windows' pairs (estimatePairs, the default config with the
   * refinement input.refine ?? WINDOW_REFINE), reusing the ORB
   * features of frames the last such call described (same frame key); sets lastGeometry.
   */
  private async windowPairs(windows: Window[], input: LocalizeInput, signal?: AbortSignal): Promise<PairTable> {
    const t0 = performance.now();
    const { cv } = await loadOpenCV();
    if (signal?.aborted) throw new CancelledError('localization');
    const pairs = pairsOf(windows);
    const times: PairTimes = { prepare: 0, describe: 0, fit: 0 };
    // each frame's key once (estimatePairs asks for a frame, then gives it when it was not there)
    const keys = new Map<number, string>();
    const key = (f: number) => {
      let k = keys.get(f);
      if (k === undefined) keys.set(f, k = frameKey(input.frames[f], input.times[f], input.width, input.height));
      return k;
    };
    const old = this.featureCache;
    const next = new Map<string, FrameFeatures>();
    let reused = 0;
    const config = validateHomographyConfig({ refine: input.refine ?? WINDOW_REFINE });
    const table = estimatePairs(cv, (f) => rgbaToGray({ width: input.width, height: input.height, data: input.frames[f] }), pairs, config, {
      get: (f) => {
        const x = old.get(key(f));
        if (x) { reused++; next.set(key(f), x); }
        return x;
      },
      put: (f, x) => { next.set(key(f), x); },
    }, times);
    this.featureCache = next;
    this.lastGeometry = { pairs: pairs.length, fallbacks: Object.values(table).filter((p) => p.fallback).length, featuresReused: reused, ms: performance.now() - t0, times };
    return table;
  }

  /**
   * trunkFeatures with the last call's rows reused where a frame comes again (same key); the
   * result becomes the cache (the previous cache is disposed). The returned tensor is the
   * caller's, a clone of what the cache holds.
   */
  private cachedTrunkFeatures(frames: { data: LocalizeInput['frames'][number]; time: number }[], width: number, height: number, signal?: AbortSignal): tf.Tensor4D {
    const keys = frames.map((f) => frameKey(f.data, f.time, width, height));
    const old = this.f14Cache;
    const hit = keys.map((k) => old?.keys.indexOf(k) ?? -1);
    const missing = frames.filter((_, i) => hit[i] < 0).map((f) => f.data);
    this.lastCacheHits = frames.length - missing.length;
    const fresh = missing.length ? this.trunkFeatures(missing, width, height, signal) : null;
    const out = tf.tidy(() => {
      let m = 0;
      const rows = hit.map((h) => (h >= 0 ? tf.slice(old!.f14, [h, 0, 0, 0], [1, -1, -1, -1]) : tf.slice(fresh!, [m++, 0, 0, 0], [1, -1, -1, -1])));
      return tf.concat(rows, 0) as tf.Tensor4D;
    });
    fresh?.dispose();
    old?.f14.dispose();
    this.f14Cache = { keys, f14: tf.keep(out.clone()) };
    return out;
  }

  /** Paper 000's maps for every frame of the input (see the header), [T * 14 * 14]. */
  private async ego000Window(variant: Ego000Variant, input: LocalizeInput, queries: number[], opts: LoadOptions): Promise<{ maps: Float32Array; separation?: Separation }> {
    const n = input.frames.length;
    const hw = MAP_SIZE * MAP_SIZE;
    const out = new Float32Array(queries.length * hw);
    const step = gridStep(input.times);
    const T = variant.singleFrame ? 1 : EGO000_FRAMES;
    const windows = queries.map((q) => windowAround(q, n, T, step));
    // separation: per whole second, the window of the frame nearest its middle gives g_v
    const sepOn = !!input.separate && this.ego!.config.enhancement && variant.enhancement !== false;
    const seconds = sepOn ? [...new Set(queries.map((q) => Math.floor(input.times[q])))].filter((sec) => sec >= 0) : [];
    const sepWindows = seconds.map((sec) => {
      let best = 0;
      input.times.forEach((t, q) => { if (Math.abs(t - (sec + 0.5)) < Math.abs(input.times[best] - (sec + 0.5))) best = q; });
      return windowAround(best, n, T, step);
    });
    // trunk features of the frames some window uses, row r of f14 = frame used[r]
    const used = [...new Set([...windows, ...sepWindows].flatMap((w) => w.frames))].sort((a, b) => a - b);
    const row = new Map(used.map((f, r) => [f, r]));
    let table: PairTable = {};
    this.lastGeometry = null;
    this.lastStages = null;
    const stages = { trunk: 0, homographies: 0, model: 0, separation: 0 };
    if (variant.geometry) {
      table = await this.windowPairs(windows, input, opts.signal);
      stages.homographies = this.lastGeometry!.ms;
    }
    const frame = { width: input.width, height: input.height };
    const grid = { width: MAP_SIZE, height: MAP_SIZE };
    let t0 = performance.now();
    const f14 = this.cachedTrunkFeatures(used.map((f) => ({ data: input.frames[f], time: input.times[f] })), input.width, input.height, opts.signal);
    // on the GPU backends the trunk's work is only queued: wait for it (reading back one number
    // that depends on all of it) so that its time is not counted as the model's
    const done = tf.tidy(() => tf.sum(f14));
    await done.data();
    done.dispose();
    stages.trunk = performance.now() - t0;
    t0 = performance.now();
    try {
      for (const [k, q] of queries.entries()) {
        if (opts.signal?.aborted) throw new CancelledError('localization');
        const w = windows[k];
        const rows = [w.frames.map((f) => scaleHomography(variant.geometry ? pairHomography(table, f, q) : identity(), frame, grid))];
        const map = tf.tidy(() => {
          const spec = tf.expandDims(logFreqSpectrogram(tf.tensor1d(audioWindowAt(input.audio!, input.times[q])))) as tf.Tensor3D;
          const f = tf.gather(f14, w.frames.map((fr) => row.get(fr)!)) as tf.Tensor4D;
          return ego000Maps(this.ego!, f, spec, rows, { queries: w.query, geometry: variant.geometry, enhancement: variant.enhancement, singleFrame: variant.singleFrame });
        });
        try {
          out.set(await map.data() as Float32Array, k * hw);
        } finally {
          map.dispose();
        }
      }
      stages.model = performance.now() - t0;
      this.lastStages = stages;
      if (!sepOn) return { maps: out };
      t0 = performance.now();
      const separation = await this.separateSeconds(seconds, sepWindows.map((w) => w.frames.map((fr) => row.get(fr)!)), f14, input.audio!, opts.signal);
      stages.separation = performance.now() - t0;
      return { maps: out, separation };
    } finally {
      f14.dispose();
    }
  }

  /** The separation of each second (see Separation), g_v from the trunk rows given per second. */
  private async separateSeconds(seconds: number[], rows: number[][], f14: tf.Tensor4D, audio: AudioSpan, signal?: AbortSignal): Promise<Separation> {
    const S = seconds.length;
    const { params, config } = this.ego!;
    const lf = validateLogFreq();
    const FT = lf.outFreq * lf.outTime;
    const sep: Separation = { seconds, masks: new Float32Array(S * FT), mixture: new Float32Array(S * FT), audio: new Float32Array(S * MONO_RATE) };
    for (const [i, sec] of seconds.entries()) {
      if (signal?.aborted) throw new CancelledError('separation');
      const seg = audioWindowAt(audio, sec + 0.5);
      const [mask, mix, wave] = tf.tidy(() => {
        const x = tf.tensor1d(seg);
        const spec = logFreqSpectrogram(x, lf);
        const m = ego000SeparationMask(params, config, tf.gather(f14, rows[i]) as tf.Tensor4D, tf.expandDims(spec) as tf.Tensor3D)!;
        return [m, spec, applyLogFreqMask(x, m, lf)];
      });
      try {
        sep.masks.set(await mask.data() as Float32Array, i * FT);
        sep.mixture.set(await mix.data() as Float32Array, i * FT);
        sep.audio.set(await wave.data() as Float32Array, i * MONO_RATE);
      } finally {
        tf.dispose([mask, mix, wave]);
      }
    }
    return sep;
  }

  dispose(): void {
    this.forgetFrames();
    if (this.ego) tf.dispose(Object.values(this.ego.params));
    this.ego = null;
    this.trunk?.dispose();
    this.trunk = null;
    if (this.lvs) tf.dispose(Object.values(this.lvs.params));
    this.lvs = null;
    this.detector?.dispose();
    this.detector = null;
    if (this.heard) tf.dispose(Object.values(this.heard.params));
    this.heard = null;
  }
}
