/**
 * `npm run localize -- <video file | clip dir> --out maps.json [--method auto] [--fps 8]
 *      [--aspect squash|crop|pad] [--backend wasm|cpu] [--refine none|ecc] [--detector-frame 392]`
 *
 * Localizes the sounding objects of a video in Node with the same engine code the app runs
 * (src/engine/pipeline/localizer.ts, weights from models/ through the sha256 check):
 *   - a video file is decoded with Debian's ffmpeg: frames at --fps (default 8, times k / fps),
 *     drawn to 224x224 (--aspect: squash = whole picture resized, crop = centre square,
 *     pad = letterboxed), streamed in chunks of 32 frames so long files stay in bounded memory;
 *     the audio track as mono 11025 Hz (--method heard, heardNoGeometry, heardSingleFrame: as two channels at 16 kHz);
 *   - a clip directory of the synthetic benchmark (meta.json, frames, audio_mono_11k.wav,
 *     audio_binaural_16k.wav) is read as it is (its frames and times).
 * --method heard (and its ablations) hears the direction of the two channels: a mono file gets no maps, only the
 * engine's message saying why (MonoAudioError).
 * --method auto (the default, as in the app): heard where the sound has two channels that differ, paper 000's
 * full model otherwise (one channel, one signal in both, or a clip directory without audio_binaural_16k.wav);
 * params.method says which ran.
 * --refine (default none, the engine's WINDOW_REFINE): the windowed methods' homographies without or
 * with their sub-pixel ECC refinement; `ecc` reproduces runs made before 2026-12-07. params.refine.
 * --detector-frame (default 392, the engine's DETECTOR_FRAME): the heard-object methods' frame side in the
 * object detector's 512x512 input; 512 reproduces runs made before it was shown smaller (2026-12-07).
 * params.detectorFrame.
 * Writes {model: {id, sha256}, models, params, input, frames: [{index, time, width, height, map}],
 * resultHash, resultHashGrids}: map is the row-major float array of one frame (cosine similarity
 * on the 14x14 feature grid, as the app draws it); resultHash is the hash of src/engine/pipeline/
 * hash.ts with its per-frame grids (resultHashGrids): equal for equal input on every tfjs backend.
 * The app decodes with the browser (seek + drawImage) and the CLI with ffmpeg (fps filter +
 * bilinear scale): the frames differ in the last bits, so a CLI run and an app run of the same
 * file give close maps but not the same hash; compare runs of one decoder with the hash.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { createHash } from 'node:crypto';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { AUTO_MONO_METHOD, Localizer, METHODS, WINDOW_REFINE, autoMethod, isMethodName, availableMethods, type MethodName, type AudioSpan, type StereoSpan, MONO_RATE, STEREO_RATE, FRAME_SIZE } from '../src/engine/pipeline/localizer.ts';
import { DETECTOR_FRAME, isDetectorFrame } from '../src/engine/models/detectorFrame.ts';
import { EgoError } from '../src/engine/errors.ts';
import { isRefinement, type Refinement } from '../src/engine/geometry/config.ts';
import { resultHash } from '../src/engine/pipeline/hash.ts';
import type { Manifest } from '../src/engine/weights/verify.ts';
import { decodePng } from './data/png.ts';
import { readWav } from './data/wav.ts';

const CHUNK = 32;
const argv = process.argv.slice(2);
const opt = (k: string, d: string) => { const i = argv.indexOf(`--${k}`); return i >= 0 && argv[i + 1] !== undefined ? argv[i + 1] : d; };
const input = argv.find((a, i) => !a.startsWith('--') && (i === 0 || !argv[i - 1].startsWith('--')));
const out = opt('out', '');
const usage = 'usage: npm run localize -- <video file | clip dir> --out maps.json [--method auto|full|noGeometry|singleFrame|noEnhancement|heard|heardNoGeometry|heardSingleFrame|lvs|centre] [--fps 8] [--aspect squash|crop|pad] [--backend wasm|cpu] [--refine none|ecc] [--detector-frame 392]';

function fail(msg: string): never {
  console.error(`localize: ${msg}`);
  process.exit(2);
}

const manifest = JSON.parse(readFileSync(resolve('models/manifest.json'), 'utf8')) as Manifest;
const asked = opt('method', 'auto');
const fps = Number(opt('fps', '8'));
const aspect = opt('aspect', 'squash');
const backend = opt('backend', 'wasm');
const refineArg = opt('refine', WINDOW_REFINE);
if (!input || !out) fail(usage);
if (!existsSync(input)) fail(`${input}: no such file or directory`);
if (asked !== 'auto' && !isMethodName(asked)) fail(`--method must be one of auto, ${Object.keys(METHODS).join(', ')} (got ${asked})`);
if (asked !== 'auto' && !availableMethods(manifest).includes(asked as MethodName)) fail(`method ${asked} needs weights that models/manifest.json does not list`);
if (!(fps > 0 && fps <= 60)) fail(`--fps must be in (0, 60] (got ${opt('fps', '')})`);
if (!isRefinement(refineArg)) fail(`--refine must be none or ecc (got ${refineArg})`);
const refine: Refinement = refineArg;
const detectorFrame = Number(opt('detector-frame', String(DETECTOR_FRAME)));
if (!isDetectorFrame(detectorFrame)) fail(`--detector-frame must be a multiple of 8 from 8 to 512 (got ${opt('detector-frame', '')})`);
if (!['squash', 'crop', 'pad'].includes(aspect)) fail(`--aspect must be squash, crop or pad (got ${aspect})`);
if (!['wasm', 'cpu'].includes(backend)) fail(`--backend must be wasm or cpu (got ${backend})`);

const fetcher = async (url: string) => new Response(new Uint8Array(readFileSync(join('models', new URL(url).pathname.replace(/^\/models\//, '')))));

interface Chunk { frames: Uint8Array[]; times: number[] }

function videoFilter(): string {
  const S = FRAME_SIZE;
  const fit = aspect === 'squash' ? `scale=${S}:${S}:flags=bilinear`
    : aspect === 'crop' ? `crop='min(iw,ih)':'min(iw,ih)',scale=${S}:${S}:flags=bilinear`
      : `scale=${S}:${S}:force_original_aspect_ratio=decrease:flags=bilinear,pad=${S}:${S}:(ow-iw)/2:(oh-ih)/2:black`;
  return `fps=${fps},${fit}`;
}

/** The audio track as `channels` interleaved float channels at `rate` (ffmpeg mixes or copies channels to get there); null without one. */
function decodeAudio(path: string, channels = 1, rate = MONO_RATE): Float32Array | null {
  const r = spawnSync('ffmpeg', ['-hide_banner', '-nostdin', '-loglevel', 'error', '-i', path, '-vn', '-ac', String(channels), '-ar', String(rate), '-f', 'f32le', '-'], { maxBuffer: 2 ** 31 });
  if (r.error) fail(`ffmpeg could not start (${r.error.message}): install Debian's ffmpeg`);
  if (r.status !== 0) {
    const err = r.stderr.toString();
    if (/matches no streams|does not contain any stream|Output file #0 does not contain/i.test(err)) return null;
    fail(`${path}: ffmpeg could not read its audio: ${err.trim().split('\n').pop()}`);
  }
  const b = r.stdout;
  if (b.length === 0) return null;
  return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength - (b.byteLength % 4)));
}

/** Frames of a video file, CHUNK at a time, straight from ffmpeg's stdout. */
async function* videoChunks(path: string): AsyncGenerator<Chunk> {
  const frameBytes = FRAME_SIZE * FRAME_SIZE * 4;
  const proc = spawn('ffmpeg', ['-hide_banner', '-nostdin', '-loglevel', 'error', '-i', path, '-an', '-vf', videoFilter(), '-f', 'rawvideo', '-pix_fmt', 'rgba', '-'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  proc.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
  const exited = new Promise<number>((res) => proc.on('close', (code) => res(code ?? 1)));
  let pending: Buffer = Buffer.alloc(0);
  let index = 0;
  let chunk: Chunk = { frames: [], times: [] };
  for await (const data of proc.stdout as AsyncIterable<Buffer>) {
    pending = pending.length ? Buffer.concat([pending, data]) : data;
    while (pending.length >= frameBytes) {
      chunk.frames.push(new Uint8Array(pending.subarray(0, frameBytes)));
      chunk.times.push(index / fps);
      index++;
      pending = pending.subarray(frameBytes);
      if (chunk.frames.length === CHUNK) { yield chunk; chunk = { frames: [], times: [] }; }
    }
  }
  const code = await exited;
  if (code !== 0) fail(`${path}: ffmpeg could not decode it (${stderr.trim().split('\n').pop() ?? `exit ${code}`}). Is it a video file?`);
  if (chunk.frames.length) yield chunk;
  if (index === 0) fail(`${path}: no video frames (an audio-only or empty file?)`);
}

/** Frames of a synthetic clip directory (its own times), CHUNK at a time. */
async function* clipChunks(dir: string): AsyncGenerator<Chunk> {
  const meta = JSON.parse(readFileSync(join(dir, 'meta.json'), 'utf8')) as { frames: { index: number; time: number; image: string }[] };
  for (let s = 0; s < meta.frames.length; s += CHUNK) {
    const part = meta.frames.slice(s, s + CHUNK);
    yield {
      times: part.map((f) => f.time),
      frames: part.map((f) => {
        const img = decodePng(readFileSync(join(dir, f.image)));
        if (img.width !== FRAME_SIZE || img.height !== FRAME_SIZE) fail(`${dir}: frames must be ${FRAME_SIZE}x${FRAME_SIZE} (got ${img.width}x${img.height})`);
        const rgba = new Uint8Array(FRAME_SIZE * FRAME_SIZE * 4);
        for (let p = 0; p < FRAME_SIZE * FRAME_SIZE; p++) {
          for (let k = 0; k < 3; k++) rgba[4 * p + k] = img.data[p * img.channels + k];
          rgba[4 * p + 3] = 255;
        }
        return rgba;
      }),
    };
  }
}

async function main(): Promise<void> {
  if (!(await tf.setBackend(backend))) fail(`the tfjs ${backend} backend did not start`);
  await tf.ready();
  const isDir = statSync(input!).isDirectory();
  if (isDir && !existsSync(join(input!, 'meta.json'))) fail(`${input}: a clip directory needs meta.json (synthetic benchmark layout)`);
  let samples: Float32Array | null;
  if (isDir) {
    const a = readWav(join(input!, 'audio_mono_11k.wav'));
    if (a.sampleRate !== MONO_RATE) fail(`${input}: audio_mono_11k.wav must be ${MONO_RATE} Hz`);
    samples = a.channels[0];
  } else {
    samples = decodeAudio(input!);
  }
  let stereo: StereoSpan | null = null;
  const binauralWav = join(input!, 'audio_binaural_16k.wav');
  if (samples && (asked === 'auto' ? !isDir || existsSync(binauralWav) : METHODS[asked as MethodName].needsStereo)) {
    let left: Float32Array, right: Float32Array;
    if (isDir) {
      const b = readWav(binauralWav);
      if (b.sampleRate !== STEREO_RATE || b.channels.length !== 2) fail(`${input}: audio_binaural_16k.wav must be ${STEREO_RATE} Hz, two channels`);
      [left, right] = b.channels;
    } else {
      const x = decodeAudio(input!, 2, STEREO_RATE)!;
      left = new Float32Array(x.length >> 1);
      right = new Float32Array(x.length >> 1);
      for (let i = 0; i < left.length; i++) { left[i] = x[2 * i]; right[i] = x[2 * i + 1]; }
    }
    // a one-channel source comes out of ffmpeg as two copies: the engine says it has no direction
    stereo = { left, right, startSec: 0, sampleRate: STEREO_RATE, binaural: true };
  }
  // auto: the heard-object localizer where the two channels differ (and its weights are listed), else paper 000's
  const picked = asked === 'auto' ? autoMethod(stereo) : (asked as MethodName);
  const method: MethodName = asked !== 'auto' || availableMethods(manifest).includes(picked) ? picked : AUTO_MONO_METHOD;
  if (!METHODS[method].needsStereo) stereo = null;
  if (!samples && METHODS[method].needsAudio) fail(`${input}: it has no audio track, and method ${method} localizes sound. Use a video with sound (or --method centre).`);
  const audio: AudioSpan | null = samples ? { samples, startSec: 0, sampleRate: MONO_RATE } : null;
  const loc = new Localizer(manifest, 'http://models.local/models/');
  const frames: { index: number; time: number; width: number; height: number; map: number[] }[] = [];
  const maps: Float32Array[] = [];
  const t0 = performance.now();
  try {
    for await (const c of isDir ? clipChunks(input!) : videoChunks(input!)) {
      const r = await loc.localize(method, { frames: c.frames, width: FRAME_SIZE, height: FRAME_SIZE, times: c.times, audio, stereo, refine, detectorFrame }, { fetcher });
      const hw = r.width * r.height;
      c.times.forEach((t, k) => {
        const m = r.maps.slice(k * hw, (k + 1) * hw);
        maps.push(m);
        frames.push({ index: frames.length, time: +t.toFixed(6), width: r.width, height: r.height, map: Array.from(m, (v) => +v.toFixed(6)) });
      });
      process.stderr.write(`\rlocalize: ${frames.length} frames (${((performance.now() - t0) / frames.length).toFixed(0)} ms per frame)`);
    }
  } finally {
    process.stderr.write('\n');
  }
  const models = loc.modelInfo(method);
  loc.dispose();
  const h = await resultHash(maps.map((m) => ({ width: 14, height: 14, map: m })));
  const fileHash = isDir ? null : createHash('sha256').update(readFileSync(input!)).digest('hex');
  const result = {
    model: models.length ? models[models.length - 1] : null,
    models,
    params: { method, fps: isDir ? null : fps, aspect: isDir ? null : aspect, frameSize: [FRAME_SIZE, FRAME_SIZE], audioWindowSec: 1, audioRate: stereo ? STEREO_RATE : MONO_RATE, audioChannels: stereo ? 2 : 1, refine, detectorFrame, backend },
    input: { name: basename(resolve(input!)), kind: isDir ? 'clip-dir' : 'video', sha256: fileHash, hasAudio: !!samples },
    frames,
    resultHash: h.hash,
    resultHashGrids: h.offsets,
  };
  writeFileSync(out, JSON.stringify(result));
  console.error(`localize: wrote ${out}: ${frames.length} frames, method ${method}, result hash ${h.hash.slice(0, 16)}…`);
}

main().catch((e) => {
  if (e instanceof EgoError) fail(`${e.message} ${e.hint}`);
  console.error(e instanceof Error ? (e.stack ?? e.message) : e);
  process.exit(1);
});
