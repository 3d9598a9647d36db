/**
 * Thin wrappers around the ffmpeg / ffprobe command-line tools (found on PATH, or through the
 * FFMPEG / FFPROBE environment variables). Used for what a hand-written decoder would do worse:
 * JPEG / palette-PNG decoding, area/lanczos resizing, Vorbis/FLAC decoding and resampling, the
 * KEMAR HRTF (sofalizer), and the H.264/AAC and VP9/Opus encoders. Every call is synchronous and
 * single-threaded where the codec allows it, so results are reproducible.
 */
import { spawnSync } from 'node:child_process';

export const FFMPEG = process.env.FFMPEG || 'ffmpeg';
export const FFPROBE = process.env.FFPROBE || 'ffprobe';

export class FfmpegError extends Error {
  override name = 'FfmpegError';
}

export function run(bin: string, args: string[], input?: Uint8Array): Buffer {
  const r = spawnSync(bin, args, { input, maxBuffer: 1 << 30 });
  if (r.error) throw new FfmpegError(`${bin} could not start (${r.error.message}); install ffmpeg or set ${bin === FFPROBE ? 'FFPROBE' : 'FFMPEG'}`);
  if (r.status !== 0)
    throw new FfmpegError(`${bin} ${args.join(' ')} failed (${r.status}): ${r.stderr.toString().slice(-1500)}`);
  return r.stdout;
}

export function ffmpeg(args: string[], input?: Uint8Array): Buffer {
  return run(FFMPEG, ['-hide_banner', '-nostdin', '-loglevel', 'error', ...args], input);
}

const sizeMemo = new Map<string, { width: number; height: number }>();

/** Width and height of the first video stream of an image file. */
export function probeImageSize(path: string): { width: number; height: number } {
  const hit = sizeMemo.get(path);
  if (hit) return hit;
  const out = run(FFPROBE, ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'stream=width,height', '-of', 'csv=p=0:s=x', path]).toString().trim();
  const [w, h] = out.split('x').map(Number);
  if (!(w > 0 && h > 0)) throw new FfmpegError(`ffprobe: no image size for ${path}`);
  sizeMemo.set(path, { width: w, height: h });
  return { width: w, height: h };
}

/** Decodes an image to 8-bit RGBA, optionally cropped (source pixels) and then resized. */
export function decodeImageRgba(
  path: string,
  opts: { crop?: { x: number; y: number; w: number; h: number }; width?: number; height?: number } = {},
): { width: number; height: number; data: Uint8Array } {
  const size = probeImageSize(path);
  const filters: string[] = [];
  let w = size.width, h = size.height;
  if (opts.crop) {
    const c = opts.crop;
    filters.push(`crop=${c.w}:${c.h}:${c.x}:${c.y}`);
    w = c.w;
    h = c.h;
  }
  if (opts.width && opts.height && (opts.width !== w || opts.height !== h)) {
    const shrink = opts.width * opts.height < w * h;
    filters.push(`scale=${opts.width}:${opts.height}:flags=${shrink ? 'area' : 'lanczos'}`);
    w = opts.width;
    h = opts.height;
  }
  const args = ['-i', path, '-frames:v', '1'];
  if (filters.length) args.push('-vf', filters.join(','));
  args.push('-f', 'rawvideo', '-pix_fmt', 'rgba', '-');
  const data = ffmpeg(args);
  if (data.length !== w * h * 4) throw new FfmpegError(`decodeImageRgba: expected ${w * h * 4} bytes, got ${data.length} (${path})`);
  return { width: w, height: h, data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
}

/** Decodes an audio file to mono float32 at the given rate (channels averaged). */
export function decodeAudioMono(path: string, sampleRate: number): Float32Array {
  const out = ffmpeg(['-i', path, '-vn', '-ac', '1', '-ar', String(sampleRate), '-f', 'f32le', '-']);
  return new Float32Array(out.buffer.slice(out.byteOffset, out.byteOffset + out.byteLength));
}

export function f32ToBytes(x: Float32Array): Uint8Array {
  return new Uint8Array(x.buffer, x.byteOffset, x.byteLength);
}
