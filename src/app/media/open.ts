/**
 * Opening a video file in the page: validation, audio decoding and frame sampling.
 *
 * Browser-only parts (media elements, Web Audio, canvas) live here in the app layer; everything
 * that does not need the DOM (probing, planning, DSP) is in src/engine. The sequence keeps what
 * the person already had: a new file replaces the current clip only after it has been probed and
 * its first frame decoded, so a bad drop never loses the clip on screen.
 */
import { probe, codecName, playabilityQuery, NEVER_PLAYABLE, type ByteSource, type MediaInfo } from '../../engine/media/container';
import { CancelledError, CorruptMediaError, NoVideoTrackError, UnsupportedCodecError } from '../../engine/errors';
import { fitRects, planWindows, validateDecode, type DecodeConfig } from '../../engine/media/windows';

export function fileSource(file: Blob): ByteSource {
  return { size: file.size, read: async (o, l) => new Uint8Array(await file.slice(o, Math.min(file.size, o + l)).arrayBuffer()) };
}

/** Probes and checks that this browser can decode the video. Throws named errors. */
export async function validateFile(file: File): Promise<MediaInfo> {
  const info = await probe(fileSource(file), file.name);
  if (!info.video) throw new NoVideoTrackError(file.name);
  const codec = info.video.codec;
  if (NEVER_PLAYABLE.has(codec)) throw new UnsupportedCodecError(file.name, codecName(codec));
  const q = playabilityQuery(info);
  if (q && document.createElement('video').canPlayType(q) === '') throw new UnsupportedCodecError(file.name, codecName(codec));
  return info;
}

/** Loads `url` into `video` and resolves at loadeddata (first frame decoded), or throws named errors. */
export function loadVideo(video: HTMLVideoElement, url: string, fileName: string, codec: string, timeoutMs = 20000): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = () => { clearTimeout(timer); video.removeEventListener('loadeddata', ok); video.removeEventListener('error', bad); };
    const ok = () => {
      done();
      if (!video.videoWidth || !video.videoHeight) reject(new UnsupportedCodecError(fileName, codecName(codec)));
      else resolve();
    };
    const bad = () => {
      done();
      const code = video.error?.code;
      if (code === MediaError.MEDIA_ERR_SRC_NOT_SUPPORTED) reject(new UnsupportedCodecError(fileName, codecName(codec)));
      else reject(new CorruptMediaError(fileName, video.error?.message || 'the browser could not decode it'));
    };
    const timer = setTimeout(() => { done(); reject(new CorruptMediaError(fileName, 'the first frame never decoded')); }, timeoutMs);
    video.addEventListener('loadeddata', ok);
    video.addEventListener('error', bad);
    video.preload = 'auto';
    video.muted = true;
    video.src = url;
    video.load();
  });
}

/**
 * Decodes the audio track to PCM at 16 kHz (Web Audio resamples; channels are kept, so stereo
 * stays stereo and 5.1 stays 6 channels for the engine's downmix).
 */
export async function decodeAudio(file: Blob): Promise<{ channels: Float32Array[]; sampleRate: number }> {
  const bytes = await file.arrayBuffer();
  const ctx = new OfflineAudioContext(1, 1, 16000);
  const buf = await ctx.decodeAudioData(bytes);
  const channels = Array.from({ length: buf.numberOfChannels }, (_, c) => buf.getChannelData(c).slice());
  return { channels, sampleRate: buf.sampleRate };
}

/**
 * Seeks and resolves once the frame at the new position is presented. 'seeked' alone is not
 * enough: Chromium can fire it up to a few hundred ms before the new frame reaches the
 * compositor, and a drawImage in between copies the previous frame (seen on a VFR clip). So it
 * also waits for requestVideoFrameCallback (with a 1 s fallback for engines that skip it).
 */
function seek(video: HTMLVideoElement, t: number, fileName: string): Promise<number> {
  if (Math.abs(video.currentTime - t) < 1e-6 && video.readyState >= 2) return Promise.resolve(lastPresented.get(video) ?? t);
  return new Promise((resolve, reject) => {
    let seeked = false;
    let presented: number | null = null;
    let fallback: ReturnType<typeof setTimeout> | undefined;
    const finish = () => {
      if (!seeked || presented === null) return;
      clearTimeout(timer);
      clearTimeout(fallback);
      lastPresented.set(video, presented);
      resolve(presented);
    };
    const timer = setTimeout(() => { video.removeEventListener('seeked', onSeeked); reject(new CorruptMediaError(fileName, `seeking to ${t.toFixed(2)} s never finished`)); }, 15000);
    const onSeeked = () => {
      seeked = true;
      fallback = setTimeout(() => { presented ??= video.currentTime; finish(); }, 1000);
      finish();
    };
    // The presented frame's own timestamp: a seek to t shows the frame whose time span covers t,
    // which starts at or before t (e.g. t = 2.0 shows a frame stamped 1.883 in a stream that
    // starts at 8 ms). Maps are labelled with this time so the overlay follows the picture.
    if ('requestVideoFrameCallback' in video) video.requestVideoFrameCallback((_n, meta) => { presented = meta.mediaTime; finish(); });
    else presented = t;
    video.addEventListener('seeked', onSeeked, { once: true });
    video.currentTime = t;
  });
}

/** Media time of the frame each reader video shows now. */
const lastPresented = new WeakMap<HTMLVideoElement, number>();

export interface FrameWindowOut { index: number; times: number[]; width: number; height: number; frames: Uint8ClampedArray[] }

/** A hidden video element that reads frames at given times, drawn to cfg's size and aspect. */
async function openFrameReader(url: string, fileName: string, cfg: DecodeConfig): Promise<{ read: (t: number) => Promise<{ image: ImageData; time: number }>; close: () => void }> {
  const video = document.createElement('video');
  video.muted = true;
  video.playsInline = true;
  await loadVideo(video, url, fileName, 'video');
  const canvas = new OffscreenCanvas(cfg.width, cfg.height);
  const g = canvas.getContext('2d', { willReadFrequently: true });
  if (!g) throw new CorruptMediaError(fileName, 'no 2D canvas to draw frames');
  const { src, dst } = fitRects(video.videoWidth, video.videoHeight, cfg.width, cfg.height, cfg.aspect);
  return {
    async read(t) {
      const time = await seek(video, Math.min(Math.max(0, t), Math.max(0, video.duration - 1e-3)), fileName);
      g.fillStyle = '#000';
      g.fillRect(0, 0, cfg.width, cfg.height);
      g.drawImage(video, src[0], src[1], src[2], src[3], dst[0], dst[1], dst[2], dst[3]);
      return { image: g.getImageData(0, 0, cfg.width, cfg.height), time };
    },
    close() {
      video.removeAttribute('src');
      video.load();
    },
  };
}

/** Reads the frames at `times` (seconds), as sampleFrames would draw them, with their presented times. */
export async function grabFrames(url: string, fileName: string, times: number[], config: Partial<DecodeConfig>, signal?: AbortSignal): Promise<{ frames: ImageData[]; times: number[] }> {
  const cfg = validateDecode(config);
  const reader = await openFrameReader(url, fileName, cfg);
  try {
    const frames: ImageData[] = [];
    const got: number[] = [];
    for (const t of times) {
      if (signal?.aborted) throw new CancelledError('frame decoding');
      const r = await reader.read(t);
      frames.push(r.image);
      got.push(r.time);
    }
    return { frames, times: got };
  } finally {
    reader.close();
  }
}

/**
 * Samples frames at cfg.fps in windows of cfg.windowSec, drawing each to cfg.width x cfg.height
 * (aspect per cfg.aspect; display rotation already applied by the browser). Each window is handed
 * to `onWindow` (which transfers it to the engine) before the next is decoded, so at most one
 * window of frames is alive here at a time.
 */
export async function sampleFrames(
  url: string, fileName: string, durationSec: number, config: Partial<DecodeConfig>,
  onWindow: (w: FrameWindowOut, plan: { total: number; frames: number }) => Promise<void>, signal?: AbortSignal,
): Promise<{ frames: number; windows: number }> {
  const cfg = validateDecode(config);
  const plan = planWindows(durationSec, cfg);
  const totalFrames = plan.reduce((a, w) => a + w.times.length, 0);
  const reader = await openFrameReader(url, fileName, cfg);
  let frames = 0;
  try {
    for (const w of plan) {
      const out: Uint8ClampedArray[] = [];
      const times: number[] = [];
      for (const t of w.times) {
        if (signal?.aborted) throw new CancelledError('frame decoding');
        const r = await reader.read(t);
        out.push(r.image.data);
        times.push(r.time);
        frames++;
      }
      await onWindow({ index: w.index, times, width: cfg.width, height: cfg.height, frames: out }, { total: plan.length, frames: totalFrames });
    }
  } finally {
    reader.close();
  }
  return { frames, windows: plan.length };
}
