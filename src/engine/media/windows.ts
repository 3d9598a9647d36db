/**
 * Planning of frame sampling for a file: which presentation times to grab (a fixed rate, default
 * 8 fps, independent of the file's own, possibly variable, frame rate), grouped into windows so
 * a long file is processed a window at a time and never held whole.
 */
import { InvalidConfigError } from '../errors';

export type AspectMode = 'squash' | 'crop' | 'pad';

export interface DecodeConfig {
  /** Frames per second sampled from the video (default 8). */
  fps: number;
  /** Output frame size in pixels (default 224x224, the encoders' input). */
  width: number;
  height: number;
  /**
   * How a frame of another aspect becomes width x height: 'squash' resizes the whole picture
   * (every pixel is analysed and a heat map maps back 1:1; the papers resize this way);
   * 'crop' cuts the centre; 'pad' letterboxes with black.
   */
  aspect: AspectMode;
  /** Seconds of video per window sent to the engine (default 4). */
  windowSec: number;
}

export const DEFAULT_DECODE: DecodeConfig = { fps: 8, width: 224, height: 224, aspect: 'squash', windowSec: 4 };

export function validateDecode(c: Partial<DecodeConfig> = {}): DecodeConfig {
  const out = { ...DEFAULT_DECODE, ...c };
  if (!(out.fps > 0 && out.fps <= 60)) throw new InvalidConfigError('fps', `${out.fps} (allowed: 0 < fps <= 60)`);
  for (const k of ['width', 'height'] as const) {
    if (!Number.isInteger(out[k]) || out[k] < 16 || out[k] > 1024) throw new InvalidConfigError(k, `${out[k]} (allowed: integer 16..1024)`);
  }
  if (!['squash', 'crop', 'pad'].includes(out.aspect)) throw new InvalidConfigError('aspect', `${out.aspect} (allowed: squash, crop, pad)`);
  if (!(out.windowSec >= 0.5 && out.windowSec <= 60)) throw new InvalidConfigError('windowSec', `${out.windowSec} (allowed: 0.5..60)`);
  return out;
}

/** Sample times k / fps for k = 0.. while t < duration. */
export function frameTimes(durationSec: number, fps: number): number[] {
  const n = Math.max(0, Math.ceil(durationSec * fps - 1e-9));
  return Array.from({ length: n }, (_, k) => k / fps);
}

export interface WindowPlan { index: number; start: number; end: number; times: number[] }

/** Splits the sample times into consecutive windows of windowSec seconds. */
export function planWindows(durationSec: number, c: Partial<DecodeConfig> = {}): WindowPlan[] {
  const cfg = validateDecode(c);
  const per = Math.max(1, Math.round(cfg.windowSec * cfg.fps));
  const times = frameTimes(durationSec, cfg.fps);
  const out: WindowPlan[] = [];
  for (let i = 0; i < times.length; i += per) {
    const t = times.slice(i, i + per);
    out.push({ index: out.length, start: t[0], end: Math.min(durationSec, t[t.length - 1] + 1 / cfg.fps), times: t });
  }
  return out;
}

/** Source rectangle [sx, sy, sw, sh] and destination [dx, dy, dw, dh] for drawing a frame. */
export function fitRects(srcW: number, srcH: number, dstW: number, dstH: number, mode: AspectMode): { src: [number, number, number, number]; dst: [number, number, number, number] } {
  if (mode === 'squash') return { src: [0, 0, srcW, srcH], dst: [0, 0, dstW, dstH] };
  const rs = srcW / srcH;
  const rd = dstW / dstH;
  if (mode === 'crop') {
    if (rs > rd) { const w = srcH * rd; return { src: [(srcW - w) / 2, 0, w, srcH], dst: [0, 0, dstW, dstH] }; }
    const h = srcW / rd;
    return { src: [0, (srcH - h) / 2, srcW, h], dst: [0, 0, dstW, dstH] };
  }
  if (rs > rd) { const h = dstW / rs; return { src: [0, 0, srcW, srcH], dst: [0, (dstH - h) / 2, dstW, h] }; }
  const w = dstH * rs;
  return { src: [0, 0, srcW, srcH], dst: [(dstW - w) / 2, 0, w, dstH] };
}
