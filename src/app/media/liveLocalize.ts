/**
 * Live localization: the newest captured frame and the last second of sound go to the engine;
 * when its map comes back, the frame it was computed on is drawn with the map over it, and the
 * next request takes whatever frame is newest then. Frames captured while the engine was busy
 * are dropped, never queued, so the picture on screen is never more than one inference behind.
 *
 * Windowed methods (paper 000's, the heard-object ones) map only frames on a fixed grid of the
 * capture: every `step`-th frame counted from the first one captured, step = EGO000_GAP_SEC over
 * the capture's frame spacing (2 at 8 fps); each request takes the newest frame on the grid and
 * its window is the grid frames of the 2 s before it. So consecutive windows share frames, and the
 * engine reuses their per-frame features (paper 000's trunk, the detector's maps) instead of
 * computing them again; a window counted from whatever frame happened to be newest would share none
 * with the window before it whenever an odd number of frames arrived in between. The cost: a map's
 * frame is at most step - 1 frames (125 ms at 8 fps) older than the newest. The heard-object
 * methods' windows hold at most LIVE_NEW_FRAMES frames the request before did not send (the mapped
 * frame): where maps are slower than the grid, the window thins instead of each map growing.
 *
 * Figures: latency = capture of the frame -> its map drawn (ms); refresh = maps drawn per second
 * over the last 10 maps (at most 20 s back); dropped = captured frames that never reached the engine.
 */
import type { EngineClient } from '../../workers/client';
import type { FrameRing, PcmRing } from '../../engine/media/ring';

/** What the localizer reads from: LiveCapture (camera + mic), or a clip played as if live (the bench). */
export interface LiveSource {
  readonly frames: FrameRing;
  readonly audio: PcmRing;
  readonly running: boolean;
  /** performance.now() (ms) of ring time 0. */
  readonly epochMs: number;
}
import type { MethodName } from '../../engine/pipeline/localizer';
import type { Refinement } from '../../engine/geometry/config';
import { EGO000_FRAMES, EGO000_GAP_SEC, HEARD_FRAMES, METHODS, WINDOW_REFINE, gridStep, isWindowed, MONO_RATE, STEREO_RATE, type StereoSpan } from '../../engine/pipeline/localizer';
import { boundedWindow } from '../../engine/pipeline/windows';
import { resample } from '../../engine/dsp/resample';
import { EgoError } from '../../engine/errors';

/**
 * Live maps' homographies skip the sub-pixel ECC refinement, as files do (WINDOW_REFINE): it was
 * most of a live map's homography cost, and on the 14x14 map grid what it corrects is a small
 * fraction of a cell (validation figures with and without it: docs/localize.md). Sent with every
 * windowed request, so live mode says what it asks for whatever the engine's default.
 */
export const LIVE_REFINE: Refinement = WINDOW_REFINE;

/**
 * At most this many frames of a heard-object live window are new to the engine (the query among
 * them): the others are frames the call before sent, whose detector maps the engine kept
 * (boundedWindow). Each new frame is a detector run (~170-220 ms on this project's 2-core VM with
 * WASM), and without a bound a slow map let more grid frames arrive for the next one, so the map
 * time fed on itself (0.9-3.8 maps/s from one run to the next). With 1, each map runs the detector
 * on its own frame only, and its window is the frames mapped in the 2 s before it: every grid frame
 * where maps keep up with the grid (a map under 250 ms), fewer where they do not. Chosen on the
 * validation split by simulating the loop at detector times of 170, 220 and 300 ms
 * (tools/models/probe-live.ts; docs/localize.md): the thinned windows score as the full causal
 * windows do on the same frames, and the maps come 1.5-6 times as often. Paper 000's windows are
 * not bounded: its trunk costs a fraction of a grid step per frame, so its map time does not run away.
 */
export const LIVE_NEW_FRAMES = 1;

/** How far back (ms of requests) the live loop looks for the mic's offset from the clock (LiveLocalizer.stereoFor). */
const AUDIO_CLOCK_MEMORY_MS = 2000;

/** How long (s of capture) the two channels must stay one signal before the heard-object methods say so and stop. */
export const MONO_GRACE_SEC = 2;

export interface LiveMap {
  frame: ImageData;
  map: Float32Array;
  width: number;
  height: number;
  /** Ring time (s) of the frame. */
  time: number;
}

export interface LiveStats {
  latencyMs: number;
  fps: number;
  dropped: number;
  maps: number;
  /** Engine time of the last map (ms). */
  engineMs: number;
  /** Frames sent with the last map (its window) and how many of them the engine had seen the map before (features reused). */
  windowFrames: number;
  cacheHits: number;
  /** Of those, how many the engine heard with the same samples as the map before (their direction features reused; heard object). */
  directionHits: number;
  /** The engine's stage times for the last map (ms; Localizer.lastStages), when it times them. */
  stages?: Record<string, number>;
  /** The last map's homography pairs, fallbacks to the identity and frames whose ORB features were reused (windowed methods). */
  geometry?: { pairs: number; fallbacks: number; featuresReused: number; prepareMs?: number; describeMs?: number; fitMs?: number };
}

export class LiveLocalizer {
  private running = false;
  private loop: Promise<void> | null = null;
  private done: number[] = [];
  private maps = 0;
  private firstWritten = -1;
  /** Capture index of the last frame sent (-1: none yet). */
  private lastIndex = -1;
  private reported = new Set<string>();
  /** Capture time of the first of the latest run of windows whose two channels were one signal (MONO_AUDIO), or null. */
  private monoSince: number | null = null;
  /** Capture indices of the frames the last request sent, whose per-frame work the engine keeps (empty after a failed one). */
  private cached = new Set<number>();
  /**
   * The mic's sample index minus round(ring time x rate): the audio sample heard at a frame's
   * capture is round(t x 16000) + audioOffset (see stereoFor). Null until the first request.
   */
  private audioOffset: number | null = null;
  /** (clock ms, samples written − 16000 × clock) at each request of the last AUDIO_CLOCK_MEMORY_MS. */
  private audioSeen: { ms: number; seen: number }[] = [];

  constructor(
    private readonly client: EngineClient,
    private readonly capture: LiveSource,
    private readonly method: MethodName,
    private readonly onMap: (m: LiveMap, stats: LiveStats) => void,
    private readonly onError: (e: unknown) => void,
    /** The windowed methods' homography refinement (LocalizeInput.refine); live mode's default: none (LIVE_REFINE). */
    private readonly refine: Refinement = LIVE_REFINE,
    /** The heard-object methods' new frames per map (LIVE_NEW_FRAMES; Infinity: every grid frame of the window). */
    private readonly newFrames: number = LIVE_NEW_FRAMES,
  ) {
    if (!(newFrames >= 1)) throw new RangeError(`new frames per live map must be at least 1 (got ${newFrames})`);
  }

  get active(): boolean { return this.running; }

  start(): void {
    if (this.running) return;
    this.running = true;
    // the engine may have run other work since a loop before this one: it may keep none of its frames
    this.cached.clear();
    this.audioOffset = null;
    this.audioSeen = [];
    this.loop = this.run();
  }

  /** Stops after the request in flight (its map is still drawn). */
  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }

  /**
   * Frames apart on the capture's grid (see the header): 1 for single-frame methods; for windowed
   * ones, gridStep (the engine's own rule) over the ring's last 9 frame times.
   */
  private gridFrames(): number {
    if (!isWindowed(this.method)) return 1;
    const ring = this.capture.frames;
    const times: number[] = [];
    for (let k = Math.min(ring.size, 9) - 1; k >= 0; k--) times.push(ring.peek(k).time);
    try {
      return gridStep(times);
    } catch {
      return 1; // times that do not increase (a clock step): no grid this time
    }
  }

  /** The newest frame on the grid (its capture index: frames written before it) newer than the last one mapped. */
  private async nextFrame(): Promise<{ data: Uint8ClampedArray; time: number; index: number; step: number } | null> {
    const ring = this.capture.frames;
    for (let waited = 0; this.running; waited += 10) {
      if (ring.size > 0) {
        const step = this.gridFrames();
        const newest = ring.totalWritten - 1;
        const index = newest - (newest % step);
        const k = newest - index;
        if (index > this.lastIndex && k < ring.size) {
          const f = ring.peek(k);
          return { data: f.data.slice(), time: f.time, index, step };
        }
      }
      if (!this.capture.running && waited > 2000) return null;
      await new Promise((r) => setTimeout(r, 10));
    }
    return null;
  }

  /**
   * What goes to the engine with the frame: nothing more for single-frame methods; for the
   * windowed variants, the T - 1 grid frames before it within (T - 1) x gap seconds (the window ends
   * at that frame: the future is not there yet), oldest first: 2 s (T = 9); for the heard-object
   * methods at most the ring's length less the 1-s sound window, so that every context frame's
   * second of sound is still in the ring (a ring of 3 s or less gives a shorter window; the 0.1 s
   * allowed for jitter may then pad the oldest frame's second with up to 0.1 s of silence), and of
   * those frames only `newFrames` that the last request did not send (boundedWindow). `indices`: the
   * frames' capture indices, for `cached` once the engine has them.
   */
  private contextFor(f: { data: Uint8ClampedArray; time: number; index: number; step: number }): { frames: Uint8ClampedArray[]; times: number[]; indices: number[] } {
    if (!isWindowed(this.method)) return { frames: [f.data], times: [f.time], indices: [f.index] };
    const ring = this.capture.frames;
    const newest = ring.totalWritten - 1;
    const heard = !!METHODS[this.method].heard;
    const span = heard ? Math.min((HEARD_FRAMES - 1) * EGO000_GAP_SEC, this.capture.audio.capacity / this.capture.audio.sampleRate - 1) : (EGO000_FRAMES - 1) * EGO000_GAP_SEC;
    // the window's T - 1 grid frames before it, back to `span` s (and 0.1 s more: capture times jitter
    // by a few ms, and the frame 2 s back must not fall out of the window for it)
    const from = f.time - span - 0.1;
    const back = (heard ? HEARD_FRAMES : EGO000_FRAMES) - 1;
    const candidates = [f.index];
    for (let k = newest - f.index + f.step; k < ring.size && candidates.length <= back; k += f.step) {
      if (ring.peek(k).time < from) break;
      candidates.push(newest - k);
    }
    const taken = (heard ? boundedWindow(candidates, this.cached, this.newFrames) : candidates).reverse();
    const got = taken.map((i) => (i === f.index ? f : ring.peek(newest - i)));
    return { frames: got.map((g) => (g === f ? f.data : g.data.slice())), times: got.map((g) => g.time), indices: taken };
  }

  /** The last second of the mic as mono 11025 Hz, aligned so the frame's 1-s window takes all of it. */
  private audioFor(time: number): { samples: Float32Array; startSec: number; sampleRate: number } | null {
    const pcm = this.capture.audio;
    if (pcm.size === 0) return null;
    const [l, r] = pcm.latest(pcm.sampleRate);
    const mono = new Float32Array(l.length);
    for (let i = 0; i < l.length; i++) mono[i] = 0.5 * (l[i] + (r ? r[i] : l[i]));
    const x = resample(mono, pcm.sampleRate, MONO_RATE);
    const samples = new Float32Array(MONO_RATE);
    samples.set(x.subarray(Math.max(0, x.length - MONO_RATE)), Math.max(0, MONO_RATE - x.length));
    return { samples, startSec: time - 0.5, sampleRate: MONO_RATE };
  }

  /**
   * The mic's two channels at the ring's 16 kHz (the heard-object method's input) for the context's
   * frames, on one time axis with the frames: each frame's 1-s window is the second centred on its
   * capture where the mic has all of it, else the last second heard (clampToEnd). A frame's window
   * is then the same samples on every map that sends it once it is half a second old, so the engine
   * computes its direction features once (Localizer's direction cache) instead of on every map;
   * until 2026-12-07 every window was cut back from the newest sample, which moved them all a
   * little on each map. The axis: the sample heard at ring time t is round(16000 t) + audioOffset,
   * the offset the largest of (samples written - 16000 x now) over the requests of the last 2 s,
   * i.e. the one that found the sound least behind the clock (the mic delivers in blocks); it moves
   * only when that differs from it by over 10 ms (clock drift; a stall that lost sound, 2 s after
   * it). Where a frame's centred second would reach past the newest sample, it takes the last
   * second heard instead, so no cut holds sound not heard yet. Chosen on the validation split with probe-live.ts --audio
   * (docs/localize.md): the maps score at least as well as with the old cut on every metric, and
   * better than with each frame's second ending at its capture. A mono mic gives two copies.
   */
  private stereoFor(times: number[]): StereoSpan | null {
    const pcm = this.capture.audio;
    if (pcm.size === 0 || pcm.sampleRate !== STEREO_RATE) return null;
    const end = pcm.totalWritten;
    const now = performance.now();
    this.audioSeen.push({ ms: now, seen: end - Math.round(((now - this.capture.epochMs) / 1000) * STEREO_RATE) });
    while (now - this.audioSeen[0].ms > AUDIO_CLOCK_MEMORY_MS) this.audioSeen.shift();
    const best = Math.max(...this.audioSeen.map((x) => x.seen));
    if (this.audioOffset === null || Math.abs(best - this.audioOffset) > 0.01 * STEREO_RATE) this.audioOffset = best;
    // from the oldest frame's centred second, and at least the last second heard (the newest frames')
    const start = Math.min(end - STEREO_RATE, Math.round(times[0] * STEREO_RATE) + this.audioOffset - STEREO_RATE / 2);
    const [l, r] = pcm.range(start, end);
    return { left: l, right: pcm.channels >= 2 ? r : l.slice(), startSec: (start - this.audioOffset) / STEREO_RATE, sampleRate: STEREO_RATE, binaural: pcm.channels >= 2, clampToEnd: true };
  }

  private async run(): Promise<void> {
    const ring = this.capture.frames;
    while (this.running) {
      const f = await this.nextFrame();
      if (!f) break;
      if (this.firstWritten < 0) this.firstWritten = ring.totalWritten - 1;
      this.lastIndex = f.index;
      const frame = new ImageData(new Uint8ClampedArray(f.data), ring.width, ring.height);
      try {
        const ctxw = this.contextFor(f);
        const r = await this.client.call('localizeWindow', {
          window: { index: this.maps, times: ctxw.times, width: ring.width, height: ring.height, frames: ctxw.frames },
          audio: this.audioFor(f.time),
          stereo: METHODS[this.method].needsStereo ? this.stereoFor(ctxw.times) : null,
          method: this.method,
          queries: [ctxw.frames.length - 1],
          ...(isWindowed(this.method) ? { refine: this.refine } : {}),
        });
        this.cached = new Set(ctxw.indices);
        const now = performance.now();
        this.maps++;
        this.done.push(now);
        // the rate over the last 10 maps (at most 20 s back): a slow method's refresh (paper 000
        // on a CPU: one map in 2-3 s) still reads as a rate, not as zero
        while (this.done.length > 10 || (this.done.length && now - this.done[0] > 20_000)) this.done.shift();
        const captured = this.capture.epochMs + 1000 * f.time;
        const stats: LiveStats = {
          latencyMs: now - captured,
          fps: this.done.length >= 2 ? (this.done.length - 1) / ((now - this.done[0]) / 1000) : 0,
          dropped: Math.max(0, ring.totalWritten - this.firstWritten - this.maps),
          maps: this.maps,
          engineMs: r.ms,
          windowFrames: ctxw.frames.length,
          cacheHits: r.cacheHits ?? 0,
          directionHits: r.directionHits ?? 0,
          ...(r.stages ? { stages: r.stages } : {}),
          ...(r.geometry ? { geometry: r.geometry } : {}),
        };
        this.monoSince = null;
        this.onMap({ frame, map: r.maps, width: r.width, height: r.height, time: f.time }, stats);
      } catch (e) {
        // what the engine kept of a failed request is not known: count every frame as new
        this.cached.clear();
        // One window with the same signal in both channels may be a moment (a silent or centred
        // start); a mono mic stays that way: only MONO_GRACE_SEC of it in a row is reported and stops.
        if (e instanceof EgoError && e.code === 'MONO_AUDIO') {
          this.monoSince ??= f.time;
          if (f.time - this.monoSince < MONO_GRACE_SEC) continue;
        }
        // Report each kind of failure once; keep trying (a lost GPU comes back on its own).
        const key = e instanceof EgoError ? e.code : String(e);
        if (!this.reported.has(key)) { this.reported.add(key); this.onError(e); }
        if (e instanceof EgoError && (e.code === 'WEIGHTS_INTEGRITY' || e.code === 'WEIGHTS_UNAVAILABLE' || e.code === 'INVALID_CONFIG' || e.code === 'MONO_AUDIO')) { this.running = false; break; }
        await new Promise((r) => setTimeout(r, 500));
      }
    }
    this.running = false;
  }
}
