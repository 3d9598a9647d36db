/**
 * The app's controller: the only place where the UI, the store, the engine client and the
 * browser media layer meet. Components call these actions; large data (PCM, spectrograms,
 * frames) stays here and in the engine, never in the store.
 */
import type { StoreApi } from 'zustand/vanilla';
import type { AppState, ClipInfo } from '../state/store';
import { EngineClient } from '../workers/client';
import { CancelledError, EgoError, NoAudioTrackError, CorruptMediaError, InternalError, InvalidLinkError, RemoteClipError, MonoAudioError } from '../engine/errors';
import type { AudioAnalysis } from '../workers/protocol';
import { validateFile, loadVideo, decodeAudio, sampleFrames, grabFrames } from './media/open';
import { GeometryClient } from '../engine/geometry/client';
import type { PairHomography } from '../engine/geometry/estimate';
import type { Refinement } from '../engine/geometry/config';
import { codecName } from '../engine/media/container';
import { LiveCapture } from './media/live';
import { LiveLocalizer, type LiveMap } from './media/liveLocalize';
import { encodeWav } from '../engine/media/wav';
import { DEFAULT_DECODE, fitRects } from '../engine/media/windows';
import { mapToRgba, nearestFrame } from './overlay/heatmap';
import { AUTO_MONO_METHOD, AUTO_STEREO_METHOD, METHODS, MONO_RATE, STEREO_RATE, WINDOW_REFINE, autoMethod, isMethodName, isWindowed, type AudioSpan, type MethodName, type StereoSpan } from '../engine/pipeline/localizer';
import { DETECTOR_FRAME } from '../engine/models/detectorFrame';
import { resultHash, verifyResultHash } from '../engine/pipeline/hash';
import { DEFAULT_SHARE, MAX_GRIDS, encodeShareLink, parseShareLink, type ShareState } from '../engine/share/link';
import { sha256Hex, type Manifest } from '../engine/weights/verify';
import pkg from '../../package.json';

export const DEMO_CLIP = { url: '/demo/demo.webm', name: 'demo.webm', licence: '/demo/LICENSES.md' };

export interface LoadedMedia {
  url: string;
  analysis: AudioAnalysis | null;
  /** The opened file itself (for the export's sha256; it never leaves the machine). */
  file: File;
}

type Listener = () => void;

/** Paper 000's separation of the clip on screen, second by second (engine/pipeline/localizer.ts Separation). */
export interface ClipSeparation {
  /** Per separated second s: the log-frequency mask and the mixture's log-frequency magnitude, [128, 128] each (frequency rows, low first). */
  masks: Map<number, Float32Array>;
  mixture: Map<number, Float32Array>;
  /** The separated sound of the whole clip at 11025 Hz (seconds not separated are silent). */
  audio: Float32Array;
}

/** The localization maps of the open clip (kept here, not in the store: typed arrays). */
export interface ClipMaps {
  method: MethodName;
  /** Frame times (s), ascending, one per map. */
  times: number[];
  width: number;
  height: number;
  maps: Float32Array[];
  /** How frames were fitted to 224x224 (the overlay covers the same region of the picture). */
  aspect: 'squash' | 'crop' | 'pad';
  frameSize: [number, number];
  /** The windows' homography refinement the run asked for: the engine's default, or an opened link's. */
  refine: Refinement;
  /** The side the frame was shown at in the object detector's input (heard-object methods): the engine's default, or an opened link's. */
  detectorFrame: number;
}

/** The mono 11025 Hz samples around a window's frames, cut from the clip's audio. */
export function audioSpanForTimes(mono11k: Float32Array, times: number[]): AudioSpan {
  const a = Math.max(0, Math.floor((Math.min(...times) - 0.5) * MONO_RATE));
  const b = Math.min(mono11k.length, Math.ceil((Math.max(...times) + 0.5) * MONO_RATE));
  return { samples: mono11k.slice(a, Math.max(a, b)), startSec: a / MONO_RATE, sampleRate: MONO_RATE };
}

/** The 16 kHz two channels around a window's frames, cut from the clip's analysed audio (the heard-object method's input). */
export function stereoSpanForTimes(a: { left16k: Float32Array; right16k: Float32Array; binaural: boolean }, times: number[]): StereoSpan {
  const lo = Math.max(0, Math.floor((Math.min(...times) - 0.5) * STEREO_RATE));
  const hi = Math.max(lo, Math.min(a.left16k.length, Math.ceil((Math.max(...times) + 0.5) * STEREO_RATE)));
  return { left: a.left16k.slice(lo, hi), right: a.right16k.slice(lo, hi), startSec: lo / STEREO_RATE, sampleRate: STEREO_RATE, binaural: a.binaural };
}

/** A window of frames around a moment and the homographies of its support frames to the query. */
export interface CameraMotionWindow {
  source: 'clip' | 'live';
  frames: ImageData[];
  times: number[];
  query: number;
  pairs: PairHomography[];
  /** Wall time of the geometry worker for the window (ms). */
  ms: number;
}

export class Controller {
  readonly client: EngineClient;
  current: LoadedMedia | null = null;
  live: LiveCapture | null = null;
  private loadAbort: AbortController | null = null;
  private mediaListeners = new Set<Listener>();
  /** The visible player; set by the Player component. */
  player: HTMLVideoElement | null = null;
  private geometry: GeometryClient | null = null;
  private liveLoc: LiveLocalizer | null = null;
  /** The capture whose microphone turned out to give one signal (the automatic choice then takes paper 000's model for it). */
  private monoCapture: LiveCapture | null = null;
  private liveMapListeners = new Set<(m: LiveMap) => void>();
  private hiddenPause = false;
  /** Maps of the open clip for the overlay (null until a run finishes a window). */
  maps: ClipMaps | null = null;
  separation: ClipSeparation | null = null;

  constructor(readonly store: StoreApi<AppState>, client?: EngineClient) {
    this.client = client ?? EngineClient.createWorker();
    this.client.onEvent((e) => {
      const s = this.store.getState();
      if (e.type === 'deviceLost') {
        s.setEngine({ status: 'lost', message: e.error.message });
        s.notify({ level: 'warning', code: 'GPU_DEVICE_LOST', title: e.error.message, hint: e.error.hint });
      } else {
        s.setEngine({ status: 'ready', backend: e.state, message: `GPU restarted: running on ${e.state.backend}` });
        s.notify({ level: 'info', code: 'GPU_DEVICE_LOST', title: `The GPU was lost and the engine restarted on ${e.state.backend}.`, hint: 'Nothing was lost; carry on.' });
      }
    });
  }

  onMedia(fn: Listener): () => void {
    this.mediaListeners.add(fn);
    return () => this.mediaListeners.delete(fn);
  }

  private report(e: unknown, level: 'error' | 'warning' = 'error'): void {
    const err = e instanceof EgoError ? e : new InternalError(e instanceof Error ? e.message : String(e));
    this.store.getState().notify({ level, code: err.code, title: err.message, hint: err.hint });
  }

  async initEngine(prefer?: ('webgpu' | 'webgl' | 'wasm' | 'cpu')[]): Promise<void> {
    const s = this.store.getState();
    s.setEngine({ status: 'starting' });
    try {
      const backend = await this.client.call('init', { prefer });
      s.setEngine({ status: 'ready', backend, message: null });
      // Compile the GPU programs while the person picks a file (errors surface on first real use).
      void this.client.call('warmup', {}).catch(() => undefined);
      if (backend.skipped.webgpu) {
        s.notify({ level: 'info', code: 'WEBGPU_UNAVAILABLE', title: `WebGPU is not used (${backend.skipped.webgpu}); running on ${backend.backend}.`, hint: 'Everything works. With a GPU, Chrome or Edge 113+ with hardware acceleration run the models on WebGPU.' });
      }
    } catch (e) {
      s.setEngine({ status: 'failed', message: e instanceof Error ? e.message : String(e) });
      this.report(e);
    }
  }

  cancelLoad(): void {
    this.loadAbort?.abort();
  }

  async openDemo(): Promise<void> {
    try {
      const resp = await fetch(DEMO_CLIP.url);
      if (!resp.ok) throw new CorruptMediaError(DEMO_CLIP.name, `the demo clip could not be loaded (HTTP ${resp.status})`);
      const blob = await resp.blob();
      await this.openFile(new File([blob], DEMO_CLIP.name, { type: blob.type || 'video/webm' }), 'demo');
    } catch (e) {
      this.report(e);
    }
  }

  /** Opens a file; the current clip stays until the new one has been validated and its first frame decoded. */
  async openFile(file: File, source: 'file' | 'demo' | 'link' = 'file', remoteUrl?: string): Promise<void> {
    const s = this.store.getState();
    this.loadAbort?.abort();
    const ac = new AbortController();
    this.loadAbort = ac;
    s.setMedia({ phase: 'probing', progress: { stage: `checking ${file.name}`, done: 0, total: file.size, unit: 'bytes' } });
    let url: string | null = null;
    try {
      const info = await validateFile(file);
      url = URL.createObjectURL(file);
      const probeVideo = document.createElement('video');
      await loadVideo(probeVideo, url, file.name, info.video!.codec);
      const duration = Number.isFinite(probeVideo.duration) ? probeVideo.duration : info.durationSec ?? 0;
      const clip: ClipInfo = {
        name: file.name, source, ...(remoteUrl ? { remoteUrl } : {}), sizeBytes: file.size, container: info.container,
        videoCodec: codecName(info.video!.codec), audioCodec: info.audio ? codecName(info.audio.codec) : null,
        durationSec: duration, width: probeVideo.videoWidth, height: probeVideo.videoHeight,
        rotation: info.video!.rotation ?? 0, hasAudio: !!info.audio, audioChannels: info.audio?.channels ?? 0,
      };
      probeVideo.removeAttribute('src');
      probeVideo.load();
      // Validated: now replace the previous clip.
      if (this.current) URL.revokeObjectURL(this.current.url);
      this.current = { url, analysis: null, file };
      if (source === 'file') this.forgetLink();
      s.clearNotices((n) => n.level !== 'info');
      s.resetMedia();
      this.maps = null;
      this.dropSeparation();
      s.setLocalization({ status: 'idle', shownMethod: null, resultHash: null, hashOffsets: null, framesDone: 0, framesTotal: 0, version: s.localization.version + 1 });
      const decode = { fps: s.view.decodeFps, aspect: s.view.aspect };
      s.setMedia({ clip, phase: 'audio', fps: decode.fps, aspect: decode.aspect, frameSize: [DEFAULT_DECODE.width, DEFAULT_DECODE.height] });
      this.emitMedia();

      if (!info.audio) {
        this.report(new NoAudioTrackError(file.name), 'warning');
      } else {
        try {
          s.setMedia({ progress: { stage: 'decoding audio', done: 0, total: 1, unit: 'files' } });
          const pcm = await decodeAudio(file);
          const analysis = await this.client.call('analyzeAudio', pcm, { signal: ac.signal, onProgress: (p) => this.store.getState().setMedia({ progress: p }) });
          if (this.current?.url === url) {
            this.current.analysis = analysis;
            s.setMedia({ audioReady: true, spectrogramFrames: analysis.spectrogram.frames });
            this.emitMedia();
          }
        } catch (e) {
          if (e instanceof CancelledError) throw e;
          this.report(e instanceof EgoError ? e : new CorruptMediaError(file.name, `its audio track could not be decoded (${e instanceof Error ? e.message : e})`), 'warning');
        }
      }

      await this.runFrames(url, file.name, duration, decode, ac, true);
      s.setMedia({ phase: 'ready', progress: null });
    } catch (e) {
      if (url && this.current?.url !== url) URL.revokeObjectURL(url);
      const st = this.store.getState();
      if (e instanceof CancelledError) {
        st.setMedia({ phase: st.media.clip ? 'ready' : 'idle', progress: null });
        st.notify({ level: 'info', code: 'CANCELLED', title: e.message, hint: e.hint });
        return;
      }
      // Keep what the person had: the previous clip stays on screen.
      st.setMedia({ phase: st.media.clip ? 'ready' : 'idle', progress: null });
      this.report(e);
    } finally {
      if (this.loadAbort === ac) this.loadAbort = null;
    }
  }

  /**
   * Samples the clip's frames window by window; each window goes to the engine, which returns its
   * statistics and, when the chosen method can run, one localization map per frame. Weights are
   * loaded first (byte progress). `firstRun`: also fill the clip's frame statistics.
   */
  private async runFrames(url: string, name: string, duration: number, decode: { fps: number; aspect: 'squash' | 'crop' | 'pad' }, ac: AbortController, firstRun: boolean): Promise<void> {
    const s = this.store.getState();
    const analysis = this.current?.analysis ?? null;
    // no method chosen by the person: the clip's sound decides (two distinct channels: heard)
    if (s.localization.auto) {
      const pick = autoMethod(analysis ? { left: analysis.left16k, right: analysis.right16k, binaural: analysis.binaural } : null);
      s.setLocalization({ method: pick, autoReason: !analysis ? 'no-audio' : pick === AUTO_STEREO_METHOD ? 'two-channels' : 'one-channel' });
    }
    const method = this.store.getState().localization.method;
    let canLocalize = !METHODS[method].needsAudio || !!analysis;
    // a method that hears direction cannot run on a mono track: say so, keep the clip
    const mono = canLocalize && !!METHODS[method].needsStereo && !analysis!.binaural;
    this.maps = null;
    this.dropSeparation();
    const ego = METHODS[method].ego000;
    const separate = !!ego && ego.enhancement !== false;
    const sep: ClipSeparation = { masks: new Map(), mixture: new Map(), audio: new Float32Array(Math.round(duration * MONO_RATE)) };
    s.setMedia({ phase: 'frames' });
    s.setLocalization({ status: canLocalize ? 'loading' : 'needs-audio', framesDone: 0, framesTotal: 0, resultHash: null, hashOffsets: null, shownMethod: null, msPerFrame: null, version: this.store.getState().localization.version + 1 });
    if (mono) {
      this.store.getState().setLocalization({ status: 'failed' });
      this.report(new MonoAudioError(METHODS[method].label), 'warning');
      canLocalize = false;
    }
    if (canLocalize) {
      try {
        const loaded = await this.client.call('loadMethod', { method }, { signal: ac.signal, onProgress: (p) => this.store.getState().setMedia({ progress: p }) });
        this.store.getState().setLocalization({ models: loaded.models });
      } catch (e) {
        if (e instanceof CancelledError) throw e;
        // The clip stays usable without maps: say why, read its frames anyway.
        this.store.getState().setLocalization({ status: 'failed' });
        this.report(e, 'warning');
        canLocalize = false;
      }
    }
    if (canLocalize) this.store.getState().setLocalization({ status: 'running' });
    let peak = 0;
    const motion: number[] = [];
    // a share link reproduces the run it was made with (links from before carry ECC: share/link.ts)
    const refine = this.linkState?.refine ?? WINDOW_REFINE;
    // ... and the detector's frame side it was made with (links from before carry none: 512)
    const detectorFrame = this.linkState?.det ?? DETECTOR_FRAME;
    const maps: ClipMaps = { method, times: [], width: 0, height: 0, maps: [], aspect: decode.aspect, frameSize: [DEFAULT_DECODE.width, DEFAULT_DECODE.height], refine, detectorFrame };
    let engineMs = 0;
    let framesDone = 0;
    await sampleFrames(url, name, duration, decode, async (w, plan) => {
      peak = Math.max(peak, w.frames.length);
      const st = this.store.getState();
      st.setMedia({ windowsTotal: plan.total, framesExpected: plan.frames });
      let summary;
      if (canLocalize) {
        const audio = analysis ? audioSpanForTimes(analysis.mono11k, w.times) : null;
        const stereo = analysis && METHODS[method].needsStereo ? stereoSpanForTimes(analysis, w.times) : null;
        const r = await this.client.call('localizeWindow', { window: w, audio, stereo, method, separate, refine, detectorFrame }, { signal: ac.signal });
        if (r.separation) {
          const FT = r.separation.masks.length / Math.max(1, r.separation.seconds.length);
          r.separation.seconds.forEach((sec, i) => {
            sep.masks.set(sec, r.separation!.masks.slice(i * FT, (i + 1) * FT));
            sep.mixture.set(sec, r.separation!.mixture.slice(i * FT, (i + 1) * FT));
            const room = sep.audio.length - sec * MONO_RATE; // the clip's last second may be shorter
            if (room > 0) sep.audio.set(r.separation!.audio.subarray(i * MONO_RATE, i * MONO_RATE + Math.min(MONO_RATE, room)), sec * MONO_RATE);
          });
        }
        summary = r.summary;
        engineMs += r.ms;
        maps.width = r.width;
        maps.height = r.height;
        const hw = r.width * r.height;
        w.times.forEach((t, k) => { maps.times.push(t); maps.maps.push(r.maps.slice(k * hw, (k + 1) * hw)); });
        this.maps = maps;
      } else {
        summary = await this.client.call('processWindow', w, { signal: ac.signal });
      }
      motion.push(0, ...summary.motion);
      framesDone += summary.frameCount;
      const now = this.store.getState();
      if (firstRun) {
        now.setMedia({
          framesDecoded: now.media.framesDecoded + summary.frameCount, windowsDone: w.index + 1, framesResidentPeak: Math.max(peak, summary.framesResident),
          motion: motion.slice(),
        });
      }
      now.setMedia({ progress: { stage: `${canLocalize ? 'localizing' : 'reading'} window ${w.index + 1} of ${plan.total}`, done: framesDone, total: plan.frames, unit: 'frames' } });
      if (canLocalize) now.setLocalization({ framesDone, framesTotal: plan.frames, msPerFrame: engineMs / framesDone, shownMethod: method, version: now.localization.version + 1 });
    }, ac.signal);
    if (canLocalize && (this.maps as ClipMaps | null) === maps && maps.maps.length) {
      const h = await resultHash(maps.maps.map((m) => ({ width: maps.width, height: maps.height, map: m })));
      this.store.getState().setLocalization({ status: 'ready', resultHash: h.hash, hashOffsets: h.offsets });
      if (sep.masks.size) this.showSeparation(sep);
      await this.afterRun(maps);
    }
  }

  /** Keeps a run's separation and offers its sound as a WAV (object URL) with its mask statistics. */
  private showSeparation(sep: ClipSeparation): void {
    this.dropSeparation();
    this.separation = sep;
    let n = 0, s1 = 0, s2 = 0;
    for (const m of sep.masks.values()) for (const v of m) { n++; s1 += v; s2 += v * v; }
    const mean = s1 / n;
    const url = URL.createObjectURL(new Blob([encodeWav([sep.audio], MONO_RATE) as BlobPart], { type: 'audio/wav' }));
    this.store.getState().setLocalization({ separation: { url, seconds: sep.masks.size, maskMean: mean, maskSd: Math.sqrt(Math.max(0, s2 / n - mean * mean)) } });
  }

  private dropSeparation(): void {
    const old = this.store.getState().localization.separation;
    if (old) URL.revokeObjectURL(old.url);
    this.separation = null;
    if (old) this.store.getState().setLocalization({ separation: null });
  }

  /** After a run: go to the link's time position and say whether its result was reproduced. */
  private async afterRun(maps: ClipMaps): Promise<void> {
    const s = this.store.getState();
    const sh = s.share;
    if (sh.seekTo !== null && this.player) {
      this.player.currentTime = Math.min(sh.seekTo, Math.max(0, (s.media.clip?.durationSec ?? 0) - 1e-3));
      s.setShare({ seekTo: null });
    }
    if (!sh.linkHash || sh.verdict !== 'checking') return;
    const link = this.linkState;
    if (!link?.grids) return;
    const modelNow = s.localization.models.at(-1);
    if (link.sha && modelNow && modelNow.sha256 !== link.sha) {
      s.setShare({ verdict: 'different', detail: `the link was made with weights ${link.sha.slice(0, 12)}… and this page has ${modelNow.sha256.slice(0, 12)}… (another version of ${modelNow.id})` });
      return;
    }
    if (link.grids.length !== maps.maps.length) {
      s.setShare({ verdict: 'unverifiable', detail: `the link's run had ${link.grids.length} frames, this one ${maps.maps.length}` });
      return;
    }
    const same = await verifyResultHash(maps.maps.map((m) => ({ width: maps.width, height: maps.height, map: m })), { hash: sh.linkHash, offsets: link.grids });
    s.setShare({ verdict: same ? 'same' : 'different', detail: same ? null : 'the maps differ from the ones the link was made with' });
  }

  // ---------------------------------------------------------------- share links and export

  private linkState: ShareState | null = null;

  /**
   * The link that reproduces what is on screen (clip, method, weights, every parameter, time
   * position, view settings, result hash), or why there is none: a person's own file cannot
   * travel in a link.
   */
  shareLink(time: number): { link: string | null; reason: string | null } {
    const s = this.store.getState();
    const clip = s.media.clip;
    if (!clip) return { link: null, reason: 'Open the demo clip or a video from an https link first.' };
    if (clip.source === 'file') return { link: null, reason: 'A file you opened yourself cannot travel in a link (it never leaves your machine). Export the maps or the run bundle instead.' };
    const loc = s.localization;
    const v = s.view;
    const model = loc.models.at(-1);
    const grids = loc.status === 'ready' && loc.hashOffsets && loc.hashOffsets.length <= MAX_GRIDS ? loc.hashOffsets : null;
    const state: ShareState = {
      ...DEFAULT_SHARE,
      model: model?.id ?? 'none', sha: model?.sha256 ?? null, method: loc.method,
      eps: v.eps, tau: v.tau, fps: s.media.fps, aspect: s.media.aspect,
      clip: clip.source === 'demo' ? { kind: 'demo', id: 'demo' } : { kind: 'url', url: clip.remoteUrl! },
      t: Math.max(0, Math.min(86400, Math.round(time * 1000) / 1000)), opacity: v.overlayOpacity, cmap: v.colormap, mode: v.overlayMode, ov: v.showOverlay, spec: v.showSpectrogram,
      hash: grids ? loc.resultHash : null, grids, refine: this.maps?.refine ?? WINDOW_REFINE, det: this.maps?.detectorFrame ?? DETECTOR_FRAME,
    };
    const q = encodeShareLink(state).slice(1);
    return { link: `${location.origin}${location.pathname}#${q}`, reason: grids || loc.status !== 'ready' ? null : 'The run is too long for its result hash to fit in a link; the link reproduces the view without checking it.' };
  }

  /** Opens a share link's fragment: strict parse, then the view, then the clip (https only after consent). */
  async openShareLink(fragment: string): Promise<void> {
    const s = this.store.getState();
    const r = parseShareLink(fragment);
    if (!r.ok) {
      this.report(new InvalidLinkError(r.problems));
      return;
    }
    const st = r.state;
    const problems: string[] = [];
    if (st.method !== 'none' && !isMethodName(st.method)) problems.push(`method "${st.method}" is not one this page knows`);
    if (st.clip?.kind === 'demo' && st.clip.id !== 'demo') problems.push(`there is no bundled demo clip "${st.clip.id}"`);
    if (![1, 2, 4, 8, 12, 15, 25].includes(st.fps)) problems.push(`frame rate ${st.fps} is not one the app samples at`);
    if (problems.length) {
      this.report(new InvalidLinkError(problems));
      return;
    }
    this.linkState = st;
    if (isMethodName(st.method)) s.setLocalization({ method: st.method, auto: false, autoReason: null });
    s.setView({ decodeFps: st.fps, aspect: st.aspect, eps: st.eps, tau: st.tau, overlayOpacity: st.opacity, colormap: st.cmap, overlayMode: st.mode, showOverlay: st.ov, showSpectrogram: st.spec });
    s.setShare({ linkHash: st.hash, verdict: st.hash ? 'checking' : 'none', detail: null, seekTo: st.t });
    if (st.clip?.kind === 'demo') await this.openDemo();
    else if (st.clip?.kind === 'url') s.setShare({ pendingUrl: st.clip.url });
  }

  /** The person agreed to load the link's https clip. */
  async acceptRemoteClip(): Promise<void> {
    const s = this.store.getState();
    const url = s.share.pendingUrl;
    if (!url) return;
    s.setShare({ pendingUrl: null });
    let blob: Blob;
    try {
      const resp = await fetch(url, { mode: 'cors', credentials: 'omit', referrerPolicy: 'no-referrer' });
      if (!resp.ok) throw new RemoteClipError(url, `HTTP ${resp.status}`);
      blob = await resp.blob();
    } catch (e) {
      this.report(e instanceof RemoteClipError ? e : new RemoteClipError(url, e instanceof Error ? e.message : String(e)));
      s.setShare({ verdict: 'none', seekTo: null });
      return;
    }
    const name = decodeURIComponent(new URL(url).pathname.split('/').pop() || 'clip') || 'clip';
    await this.openFile(new File([blob], name, { type: blob.type }), 'link', url);
  }

  /** What is on screen no longer comes from the opened link. */
  private forgetLink(): void {
    this.linkState = null;
    this.store.getState().setShare({ linkHash: null, verdict: 'none', detail: null, seekTo: null });
  }

  declineRemoteClip(): void {
    this.store.getState().setShare({ pendingUrl: null, verdict: 'none', linkHash: null, seekTo: null });
  }

  /** The maps of the open clip in the localize CLI's format. */
  async exportMaps(): Promise<Blob | null> {
    const m = this.maps;
    const s = this.store.getState();
    if (!m || !this.current || s.localization.status !== 'ready') return null;
    const models = s.localization.models;
    const bytes = new Uint8Array(await this.current.file.arrayBuffer());
    const result = {
      model: models.at(-1) ?? null,
      models,
      params: { method: m.method, fps: s.media.fps, aspect: m.aspect, frameSize: m.frameSize, audioWindowSec: 1, audioRate: METHODS[m.method].needsStereo ? STEREO_RATE : MONO_RATE, audioChannels: METHODS[m.method].needsStereo ? 2 : 1, refine: m.refine, detectorFrame: m.detectorFrame, backend: s.engine.backend?.backend ?? null },
      input: { name: s.media.clip?.name ?? '', kind: 'video', sha256: await sha256Hex(bytes), hasAudio: !!s.media.clip?.hasAudio },
      frames: m.maps.map((map, index) => ({ index, time: +m.times[index].toFixed(6), width: m.width, height: m.height, map: Array.from(map, (v) => +v.toFixed(6)) })),
      resultHash: s.localization.resultHash,
      resultHashGrids: s.localization.hashOffsets,
    };
    return new Blob([JSON.stringify(result)], { type: 'application/json' });
  }

  /**
   * The clip with its heat map burnt in, as WebM (VP8/VP9 + the clip's sound where the browser
   * can capture it): plays the clip once in a hidden element at normal speed and records a canvas
   * that draws each presented frame with the map of that frame. Progress in seconds of the clip.
   */
  async exportOverlayVideo(onProgress: (done: number, total: number) => void, signal?: AbortSignal): Promise<Blob | null> {
    const m = this.maps;
    const s = this.store.getState();
    const clip = s.media.clip;
    if (!m || !this.current || !clip || s.localization.status !== 'ready') return null;
    const v = document.createElement('video');
    v.src = this.current.url;
    v.playsInline = true;
    await loadVideo(v, this.current.url, clip.name, 'video');
    const W = v.videoWidth, H = v.videoHeight;
    const c = document.createElement('canvas');
    c.width = W; c.height = H;
    const g = c.getContext('2d')!;
    const mapCanvas = new OffscreenCanvas(m.width, m.height);
    const { src, dst } = fitRects(W, H, m.frameSize[0], m.frameSize[1], m.aspect);
    const sx = src[2] / dst[2], sy = src[3] / dst[3];
    const rect = [src[0] - dst[0] * sx, src[1] - dst[1] * sy, m.frameSize[0] * sx, m.frameSize[1] * sy] as const;
    const stream = c.captureStream(30);
    try {
      const audio = (v as HTMLVideoElement & { captureStream?: () => MediaStream }).captureStream?.().getAudioTracks() ?? [];
      for (const t of audio) stream.addTrack(t);
    } catch { /* no sound in the export where the browser cannot capture it */ }
    const rec = new MediaRecorder(stream, { mimeType: MediaRecorder.isTypeSupported('video/webm;codecs=vp9') ? 'video/webm;codecs=vp9' : 'video/webm' });
    const parts: Blob[] = [];
    rec.ondataavailable = (e) => { if (e.data.size) parts.push(e.data); };
    const stopped = new Promise<void>((r) => { rec.onstop = () => r(); });
    const draw = (t: number) => {
      g.drawImage(v, 0, 0, W, H);
      const view = this.store.getState().view;
      const k = nearestFrame(m.times, t);
      if (k >= 0 && view.showOverlay) {
        mapCanvas.getContext('2d')!.putImageData(new ImageData(mapToRgba(m.maps[k], { colormap: view.colormap, mode: view.overlayMode, eps: view.eps, tau: view.tau }), m.width, m.height), 0, 0);
        g.save();
        g.globalAlpha = view.overlayOpacity;
        g.globalCompositeOperation = 'screen';
        g.drawImage(mapCanvas, rect[0], rect[1], rect[2], rect[3]);
        g.restore();
      }
      onProgress(Math.min(t, clip.durationSec), clip.durationSec);
    };
    draw(0);
    rec.start(250);
    const onFrame = (_n: number, meta: VideoFrameCallbackMetadata) => { draw(meta.mediaTime); if (!v.ended) v.requestVideoFrameCallback(onFrame); };
    v.requestVideoFrameCallback(onFrame);
    const ended = new Promise<void>((r) => { v.onended = () => r(); });
    const aborted = new Promise<void>((r) => signal?.addEventListener('abort', () => r(), { once: true }));
    await v.play();
    await Promise.race([ended, aborted]);
    v.pause();
    rec.stop();
    await stopped;
    v.removeAttribute('src');
    v.load();
    if (signal?.aborted) throw new CancelledError('overlay video export');
    return new Blob(parts, { type: 'video/webm' });
  }

  /** A record of the run a paper can cite: what ran, on what, with which weights and result. */
  async exportBundle(time: number): Promise<Blob | null> {
    const s = this.store.getState();
    if (!this.current || !s.media.clip) return null;
    const manifest = await fetch('/models/manifest.json').then((r) => r.json() as Promise<Manifest>).catch(() => null);
    const ids = new Set(s.localization.models.map((m) => m.id));
    const bundle = {
      format: 'egosound-run/1',
      created: new Date().toISOString(),
      app: { name: pkg.name, version: pkg.version, tfjs: pkg.dependencies['@tensorflow/tfjs'] },
      engine: { backend: s.engine.backend?.backend ?? null, adapter: s.engine.backend?.adapter ?? null, skipped: s.engine.backend?.skipped ?? {} },
      browser: navigator.userAgent,
      clip: { name: s.media.clip.name, source: s.media.clip.source, url: s.media.clip.remoteUrl ?? null, sha256: await sha256Hex(new Uint8Array(await this.current.file.arrayBuffer())), durationSec: s.media.clip.durationSec, width: s.media.clip.width, height: s.media.clip.height },
      params: { method: s.localization.method, fps: s.media.fps, aspect: s.media.aspect, frameSize: [DEFAULT_DECODE.width, DEFAULT_DECODE.height], audioWindowSec: 1, audioRate: METHODS[s.localization.method].needsStereo ? STEREO_RATE : MONO_RATE, audioChannels: METHODS[s.localization.method].needsStereo ? 2 : 1, refine: this.maps?.refine ?? WINDOW_REFINE, detectorFrame: this.maps?.detectorFrame ?? DETECTOR_FRAME },
      view: { ...s.view, time },
      models: (manifest?.models ?? []).filter((m) => ids.has(m.id)).map((m) => ({ id: m.id, description: m.description, files: m.files, dataset: m.dataset ?? null, trainCommand: m.trainCommand ?? null, metrics: m.metrics ?? null })),
      result: { frames: this.maps?.maps.length ?? 0, resultHash: s.localization.resultHash, grids: s.localization.hashOffsets, hashRule: 'engine/pipeline/hash.ts v1: step 1/16, 16 grid offsets, guard 1e-4' },
      link: this.shareLink(time).link,
    };
    return new Blob([JSON.stringify(bundle, null, 1)], { type: 'application/json' });
  }

  /** Chooses the localization method; re-runs it over the open clip. */
  async setMethod(method: MethodName): Promise<void> {
    const s = this.store.getState();
    if (s.localization.method === method && s.localization.shownMethod === method) {
      s.setLocalization({ auto: false, autoReason: null });
      return;
    }
    this.forgetLink();
    s.setLocalization({ method, auto: false, autoReason: null });
    await this.relocalize();
  }

  /** Runs the chosen method over the open clip again (frames are decoded again, window by window). */
  async relocalize(): Promise<void> {
    const s = this.store.getState();
    const clip = s.media.clip;
    if (!clip || !this.current || s.media.phase !== 'ready') return;
    this.loadAbort?.abort();
    const ac = new AbortController();
    this.loadAbort = ac;
    const url = this.current.url;
    try {
      await this.runFrames(url, clip.name, clip.durationSec, { fps: s.media.fps, aspect: s.media.aspect }, ac, false);
      this.store.getState().setMedia({ phase: 'ready', progress: null });
    } catch (e) {
      const st = this.store.getState();
      st.setMedia({ phase: 'ready', progress: null });
      if (e instanceof CancelledError) {
        st.setLocalization({ status: 'idle' });
        st.notify({ level: 'info', code: 'CANCELLED', title: e.message, hint: e.hint });
      } else {
        st.setLocalization({ status: 'failed' });
        this.report(e);
      }
    } finally {
      if (this.loadAbort === ac) this.loadAbort = null;
    }
  }

  private emitMedia(): void {
    for (const fn of this.mediaListeners) fn();
  }

  // ---------------------------------------------------------------- camera motion

  /**
   * T frames around `time` (spaced at the decode rate, the query in the middle) from the open
   * clip, or the newest T frames of the live buffer when the camera runs, with H_ji of every
   * support frame to the query from the geometry worker (opencv.js). Null (and a notice) when
   * there is nothing to show or estimation failed.
   */
  async cameraMotionWindow(time: number, T = 5): Promise<CameraMotionWindow | null> {
    const s = this.store.getState();
    try {
      let frames: ImageData[];
      let times: number[];
      let source: CameraMotionWindow['source'];
      if (this.live?.running && this.live.frames.size >= 2) {
        const ring = this.live.frames;
        const got = ring.latest(Math.min(T, ring.size));
        frames = got.frames.map((d) => new ImageData(new Uint8ClampedArray(d), ring.width, ring.height));
        times = got.times;
        source = 'live';
      } else if (this.current && s.media.clip) {
        const fps = s.view.decodeFps;
        const dur = s.media.clip.durationSec;
        const half = Math.floor(T / 2);
        const start = Math.min(Math.max(0, time - half / fps), Math.max(0, dur - (T - 1) / fps));
        const want = Array.from({ length: T }, (_, k) => Math.min(dur, start + k / fps));
        ({ frames, times } = await grabFrames(this.current.url, s.media.clip.name, want, { fps, aspect: s.view.aspect }));
        source = 'clip';
      } else {
        return null;
      }
      this.geometry ??= GeometryClient.create();
      const query = Math.floor(frames.length / 2);
      const r = await this.geometry.estimateWindow({ frames, query });
      return { source, frames, times, query, pairs: r.pairs, ms: r.ms };
    } catch (e) {
      // a worker that failed answers nothing more: the next request starts a fresh one
      this.geometry?.terminate();
      this.geometry = null;
      this.report(e);
      return null;
    }
  }

  // ---------------------------------------------------------------- live

  async refreshCameras(): Promise<void> {
    try {
      this.store.getState().setLive({ cameras: await LiveCapture.listCameras() });
    } catch {
      /* enumerateDevices can fail before permission; the list stays empty */
    }
  }

  async startLive(): Promise<void> {
    const s = this.store.getState();
    if (this.live?.running) return;
    s.setLive({ status: 'starting' });
    const cap = new LiveCapture(
      { cameraId: s.live.cameraId, bufferSec: s.live.bufferSec },
      (err) => {
        this.store.getState().setLive({ status: 'error' });
        this.report(err);
        this.emitMedia();
      },
      () => {
        const c = this.live;
        if (!c) return;
        this.store.getState().setLive({ framesInRing: c.frames.size, framesCaptured: c.frames.totalWritten, audioSecondsInRing: c.audio.seconds, audioSampleRate: c.audio.sampleRate });
      },
    );
    try {
      await cap.start();
      this.live = cap;
      s.clearNotices((n) => n.code === 'CAMERA_PERMISSION_DENIED' || n.code === 'NO_CAPTURE_DEVICE' || n.code === 'CAPTURE_DEVICE_LOST' || n.code === 'CAPTURE_FAILED');
      this.store.getState().setLive({ status: 'running' });
      await this.refreshCameras();
    } catch (e) {
      this.store.getState().setLive({ status: 'error' });
      this.report(e);
    }
    this.emitMedia();
  }

  onLiveMap(fn: (m: LiveMap) => void): () => void {
    this.liveMapListeners.add(fn);
    return () => this.liveMapListeners.delete(fn);
  }

  /** Starts localizing the live picture with the chosen method (weights load first). */
  async startLiveLocalize(): Promise<void> {
    const s = this.store.getState();
    const cap = this.live;
    if (!cap?.running || this.liveLoc?.active) return;
    // no method chosen by the person: the heard-object localizer, unless this microphone has
    // already shown it gives one signal (then paper 000's, which takes mono sound)
    if (s.localization.auto) {
      const mono = this.monoCapture === cap;
      s.setLocalization({ method: mono ? AUTO_MONO_METHOD : AUTO_STEREO_METHOD, autoReason: mono ? 'one-channel' : 'two-channels' });
    }
    const method = this.store.getState().localization.method;
    let fallBack = false;
    s.setLive({ localize: 'loading', windowFrames: null });
    try {
      await this.client.call('loadMethod', { method }, { onProgress: (p) => this.store.getState().setMedia({ progress: p }) });
    } catch (e) {
      this.store.getState().setLive({ localize: 'off' });
      this.store.getState().setMedia({ progress: null });
      this.report(e);
      return;
    }
    this.store.getState().setMedia({ progress: null });
    const windowed = isWindowed(method);
    const loc = new LiveLocalizer(this.client, cap, method, (m, st) => {
      this.store.getState().setLive({ latencyMs: st.latencyMs, mapFps: st.fps, dropped: st.dropped, mapsDrawn: st.maps, windowFrames: windowed ? st.windowFrames : null });
      for (const fn of this.liveMapListeners) fn(m);
    }, (e) => {
      // the automatic choice met a mono microphone: not a failure, the loop restarts with paper 000's model
      if (e instanceof EgoError && e.code === 'MONO_AUDIO' && this.store.getState().localization.auto) fallBack = true;
      else this.report(e, 'warning');
    });
    this.liveLoc = loc;
    loc.start();
    this.store.getState().setLive({ localize: 'running' });
    void this.watchLiveLoop(loc, () => fallBack);
  }

  private async watchLiveLoop(loc: LiveLocalizer, fellBack: () => boolean): Promise<void> {
    // When the loop ends by itself (device lost, weights refused), the panel must say so.
    while (loc.active) await new Promise((r) => setTimeout(r, 250));
    if (this.liveLoc !== loc || this.store.getState().live.localize !== 'running') return;
    this.store.getState().setLive({ localize: 'off' });
    if (fellBack() && this.live?.running && this.store.getState().localization.auto) {
      this.monoCapture = this.live;
      this.liveLoc = null;
      this.store.getState().notify({ level: 'info', code: 'MONO_AUDIO', title: `The microphone gives one signal, so the heard-object localizer cannot hear where sounds come from; showing ${METHODS[AUTO_MONO_METHOD].label} instead.`, hint: 'A stereo microphone with its capsules apart (or binaural earphones) lets the heard-object localizer run; the method selector keeps any other choice.' });
      await this.startLiveLocalize();
    }
  }

  async pauseLiveLocalize(): Promise<void> {
    const loc = this.liveLoc;
    if (!loc) return;
    this.liveLoc = null;
    await loc.stop(); // the map in flight is still drawn
    this.store.getState().setLive({ localize: 'paused' });
  }

  async resumeLiveLocalize(): Promise<void> {
    if (this.store.getState().live.localize !== 'paused') return;
    await this.startLiveLocalize();
  }

  /** The tab was hidden or shown: live localization pauses while nobody can see it. */
  async onVisibility(hidden: boolean): Promise<void> {
    const st = this.store.getState().live.localize;
    if (hidden && st === 'running') {
      this.hiddenPause = true;
      await this.pauseLiveLocalize();
    } else if (!hidden && this.hiddenPause) {
      this.hiddenPause = false;
      await this.resumeLiveLocalize();
    }
  }

  stopLive(): void {
    void this.liveLoc?.stop();
    this.liveLoc = null;
    this.store.getState().setLive({ localize: 'off' });
    this.live?.stop();
    this.store.getState().setLive({ status: 'off' });
    this.emitMedia();
  }

  async selectCamera(id: string): Promise<void> {
    this.store.getState().setLive({ cameraId: id });
    if (this.live?.running) {
      this.stopLive();
      await this.startLive();
    }
  }
}
