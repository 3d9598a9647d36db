/**
 * One zustand store made of slices (DESIGN.md #9). Plain data only: no tensors, GPU buffers,
 * media elements or typed arrays of samples (those live in the app's media layer). Fast-changing
 * values (the playhead) live in their own tiny store that components read with subscribe, so
 * playback does not re-render React.
 */
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { BackendState } from '../engine/backend';
import type { ErrorCode } from '../engine/errors';
import type { Progress } from '../workers/protocol';
import type { MethodName } from '../engine/pipeline/localizer';
import type { Colormap, OverlayMode } from '../app/overlay/heatmap';

export interface Notice {
  id: number;
  level: 'error' | 'warning' | 'info';
  code?: ErrorCode;
  title: string;
  hint?: string;
}

export interface EngineSlice {
  engine: {
    status: 'starting' | 'ready' | 'lost' | 'failed';
    backend: BackendState | null;
    /** Last lifecycle message (e.g. "GPU lost, restarted on webgpu"). */
    message: string | null;
  };
  setEngine: (p: Partial<EngineSlice['engine']>) => void;
}

export interface ClipInfo {
  name: string;
  /** Where it came from: a person's own file, the bundled demo, or an https URL from a share link. */
  source: 'file' | 'demo' | 'link';
  /** The https URL when source is 'link'. */
  remoteUrl?: string;
  sizeBytes: number;
  container: string;
  videoCodec: string;
  audioCodec: string | null;
  durationSec: number;
  width: number;
  height: number;
  rotation: number;
  hasAudio: boolean;
  audioChannels: number;
}

export interface MediaSlice {
  media: {
    clip: ClipInfo | null;
    /** Loading state of the current/next clip. */
    phase: 'idle' | 'probing' | 'audio' | 'frames' | 'ready' | 'failed';
    progress: Progress | null;
    /** Frame sampling results. */
    framesDecoded: number;
    framesExpected: number;
    windowsDone: number;
    windowsTotal: number;
    /** Peak number of decoded frames alive at once (bounded by one window). */
    framesResidentPeak: number;
    frameSize: [number, number];
    fps: number;
    aspect: 'squash' | 'crop' | 'pad';
    /** Mean inter-frame motion per sampled frame (0..1), for the timeline. */
    motion: number[];
    audioReady: boolean;
    spectrogramFrames: number;
  };
  setMedia: (p: Partial<MediaSlice['media']>) => void;
  resetMedia: () => void;
}

export interface LiveSlice {
  live: {
    status: 'off' | 'starting' | 'running' | 'paused' | 'error';
    cameras: { id: string; label: string }[];
    cameraId: string | null;
    bufferSec: number;
    framesInRing: number;
    framesCaptured: number;
    audioSecondsInRing: number;
    audioSampleRate: number;
    /** Live localization: off, running, or paused (by the person, or while the tab is hidden). */
    localize: 'off' | 'loading' | 'running' | 'paused';
    latencyMs: number | null;
    mapFps: number | null;
    dropped: number;
    mapsDrawn: number;
    /** Frames the last live map averaged (its window; null before the first map and for single-frame methods). */
    windowFrames: number | null;
    recording: boolean;
  };
  setLive: (p: Partial<LiveSlice['live']>) => void;
}

export interface LocalizationSlice {
  localization: {
    /** The method the next run uses: the person's choice, or the one chosen for the clip while `auto`. */
    method: MethodName;
    /**
     * True until the person (the selector, ?method=, a share link) picks a method: each clip then
     * gets autoMethod's choice (the heard-object localizer for two distinct channels, else paper 000's).
     */
    auto: boolean;
    /** Why the automatic choice fell where it did, for the panel (null: the person chose). */
    autoReason: 'two-channels' | 'one-channel' | 'no-audio' | null;
    status: 'idle' | 'loading' | 'running' | 'ready' | 'needs-audio' | 'failed';
    /** Models of the last run, with the sha256 of their weights. */
    models: { id: string; sha256: string }[];
    /** Method of the maps on screen (null: none). */
    shownMethod: MethodName | null;
    framesDone: number;
    framesTotal: number;
    /** Engine time per frame of the last run (ms). */
    msPerFrame: number | null;
    /** Result hash of the maps on screen (engine/pipeline/hash.ts) and its grid offsets. */
    resultHash: string | null;
    hashOffsets: string | null;
    /** Bumped whenever the maps change (the overlay redraws). */
    version: number;
    /**
     * Paper 000's separated sound of the run on screen (a WAV object URL, 11025 Hz mono) and how
     * much its masks vary (mean and standard deviation over every mask cell); null: none.
     */
    separation: { url: string; seconds: number; maskMean: number; maskSd: number } | null;
  };
  setLocalization: (p: Partial<LocalizationSlice['localization']>) => void;
}

export interface ShareSlice {
  share: {
    /** An https clip a link asks to load, waiting for the person's consent. */
    pendingUrl: string | null;
    /** Result hash the opened link carries, and whether this run reproduced it. */
    linkHash: string | null;
    verdict: 'none' | 'checking' | 'same' | 'different' | 'unverifiable';
    detail: string | null;
    /** Seek here once the maps are ready (from a link). */
    seekTo: number | null;
  };
  setShare: (p: Partial<ShareSlice['share']>) => void;
}

export interface ViewSlice {
  /** View and decode settings chosen by the person (decodeFps, aspect apply to the next file). */
  view: {
    overlayOpacity: number; showSpectrogram: boolean; decodeFps: number; aspect: 'squash' | 'crop' | 'pad';
    /** Heat map look: colormap, min-max per frame or paper 000's soft threshold sigmoid((S - eps) / tau). */
    colormap: Colormap; overlayMode: OverlayMode; eps: number; tau: number; showOverlay: boolean;
  };
  setView: (p: Partial<ViewSlice['view']>) => void;
}

export interface NoticeSlice {
  notices: Notice[];
  notify: (n: Omit<Notice, 'id'>) => number;
  dismiss: (id: number) => void;
  clearNotices: (filter?: (n: Notice) => boolean) => void;
}

export type AppState = EngineSlice & MediaSlice & LiveSlice & LocalizationSlice & ShareSlice & ViewSlice & NoticeSlice;

const initialMedia: MediaSlice['media'] = {
  clip: null, phase: 'idle', progress: null, framesDecoded: 0, framesExpected: 0, windowsDone: 0, windowsTotal: 0,
  framesResidentPeak: 0, frameSize: [224, 224], fps: 8, aspect: 'squash', motion: [], audioReady: false, spectrogramFrames: 0,
};

let noticeId = 1;

export function createAppStore(): StoreApi<AppState> {
  return createStore<AppState>()((set) => ({
    engine: { status: 'starting', backend: null, message: null },
    setEngine: (p) => set((s) => ({ engine: { ...s.engine, ...p } })),

    media: initialMedia,
    setMedia: (p) => set((s) => ({ media: { ...s.media, ...p } })),
    resetMedia: () => set({ media: initialMedia }),

    live: { status: 'off', cameras: [], cameraId: null, bufferSec: 4, framesInRing: 0, framesCaptured: 0, audioSecondsInRing: 0, audioSampleRate: 0, localize: 'off', latencyMs: null, mapFps: null, dropped: 0, mapsDrawn: 0, windowFrames: null, recording: false },
    setLive: (p) => set((s) => ({ live: { ...s.live, ...p } })),

    localization: { method: 'full', auto: true, autoReason: null, status: 'idle', models: [], shownMethod: null, framesDone: 0, framesTotal: 0, msPerFrame: null, resultHash: null, hashOffsets: null, version: 0, separation: null },
    setLocalization: (p) => set((s) => ({ localization: { ...s.localization, ...p } })),

    share: { pendingUrl: null, linkHash: null, verdict: 'none', detail: null, seekTo: null },
    setShare: (p) => set((s) => ({ share: { ...s.share, ...p } })),

    view: { overlayOpacity: 0.6, showSpectrogram: true, decodeFps: 8, aspect: 'squash', colormap: 'inferno', overlayMode: 'normalized', eps: 0.5, tau: 0.03, showOverlay: true },
    setView: (p) => set((s) => ({ view: { ...s.view, ...p } })),

    notices: [],
    notify: (n) => {
      const id = noticeId++;
      // One notice per code: a repeat replaces the old one instead of stacking.
      set((s) => ({ notices: [...s.notices.filter((x) => !n.code || x.code !== n.code), { ...n, id }] }));
      return id;
    },
    dismiss: (id) => set((s) => ({ notices: s.notices.filter((n) => n.id !== id) })),
    clearNotices: (filter) => set((s) => ({ notices: filter ? s.notices.filter((n) => !filter(n)) : [] })),
  }));
}

/** The playhead, outside React's render path (DESIGN.md #9). */
export function createPlayheadStore(): StoreApi<{ time: number; playing: boolean }> {
  return createStore(() => ({ time: 0, playing: false }));
}
