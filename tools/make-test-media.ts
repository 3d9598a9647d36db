/**
 * Generates the media the tests use, with Debian's ffmpeg (lavfi sources only: no third-party
 * content, nothing downloaded). Idempotent: skips files that exist unless --force.
 *
 *   npx tsx tools/make-test-media.ts --out .cache/test-media [--force]
 *
 * Every clip's expected properties are written to expected.json for the tests to read.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

const args = process.argv.slice(2);
const out = args[args.indexOf('--out') + 1] ?? '.cache/test-media';
const force = args.includes('--force');
mkdirSync(out, { recursive: true });

function ff(file: string, argv: string[]): void {
  const path = join(out, file);
  if (!force && existsSync(path) && statSync(path).size > 0) return;
  execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', ...argv, path], { stdio: 'inherit' });
}

// A moving test pattern plus a visible frame counter, so frame times can be told apart.
const video = (w: number, h: number, rate: number, dur: number) => ['-f', 'lavfi', '-i', `testsrc2=size=${w}x${h}:rate=${rate}:duration=${dur}`];
const stereoTone = (dur: number, rate = 48000) => ['-f', 'lavfi', '-i', `aevalsrc=0.4*sin(2*PI*440*t)|0.25*sin(2*PI*660*t):s=${rate}:d=${dur}`];

ff('clip.webm', [...video(320, 240, 25, 3), ...stereoTone(3), '-c:v', 'libvpx-vp9', '-b:v', '300k', '-deadline', 'realtime', '-cpu-used', '8', '-c:a', 'libopus', '-b:a', '64k', '-shortest']);
ff('clip.mp4', [...video(320, 240, 25, 3), ...stereoTone(3, 44100), '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-b:a', '96k', '-shortest', '-movflags', '+faststart']);
ff('clip.mov', [...video(320, 240, 30, 2), ...stereoTone(2), '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-shortest', '-f', 'mov']);
ff('noaudio.webm', [...video(320, 240, 25, 2), '-c:v', 'libvpx-vp9', '-b:v', '200k', '-deadline', 'realtime', '-cpu-used', '8', '-an']);
ff('mono.webm', [...video(176, 144, 25, 2), '-f', 'lavfi', '-i', 'sine=frequency=1000:sample_rate=22050:duration=2', '-c:v', 'libvpx-vp9', '-b:v', '150k', '-deadline', 'realtime', '-cpu-used', '8', '-c:a', 'libopus', '-ac', '1', '-shortest']);
// Portrait phone video: stored 320x240 with a 90-degree display rotation -> shown 240x320.
// (ffmpeg 5.1 honours the rotate tag only when remuxing, hence two steps.)
ff('portrait-src.mp4', [...video(320, 240, 25, 2), ...stereoTone(2), '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-shortest']);
ff('portrait.mp4', ['-i', join(out, 'portrait-src.mp4'), '-c', 'copy', '-metadata:s:v:0', 'rotate=90']);
// Variable frame rate: 30 fps for the first second, then 10 fps for two seconds.
ff('vfr.mp4', ['-f', 'lavfi', '-i', 'testsrc2=size=320x240:rate=30:duration=1', '-f', 'lavfi', '-i', 'testsrc2=size=320x240:rate=10:duration=2', ...stereoTone(3),
  '-filter_complex', '[0:v][1:v]concat=n=2:v=1:a=0[v]', '-map', '[v]', '-map', '2:a', '-fps_mode', 'vfr', '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-shortest']);
// 5.1 surround audio (six channels, each a different tone).
ff('surround.mp4', [...video(320, 240, 25, 2), '-f', 'lavfi', '-i', 'aevalsrc=0.3*sin(2*PI*300*t)|0.3*sin(2*PI*400*t)|0.3*sin(2*PI*500*t)|0.1*sin(2*PI*60*t)|0.3*sin(2*PI*700*t)|0.3*sin(2*PI*800*t):s=48000:d=2:channel_layout=5.1',
  '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-shortest']);
ff('prores.mov', [...video(160, 120, 25, 1), '-c:v', 'prores_ks', '-profile:v', '0', '-an']);
// A 10-minute file (tiny picture, silent-ish audio) for windowed decoding.
ff('long.webm', ['-f', 'lavfi', '-i', 'testsrc2=size=64x48:rate=2:duration=600', '-f', 'lavfi', '-i', 'sine=frequency=500:sample_rate=16000:duration=600', '-c:v', 'libvpx-vp9', '-b:v', '20k', '-deadline', 'realtime', '-cpu-used', '8', '-g', '4', '-c:a', 'libopus', '-b:a', '12k', '-ac', '1', '-shortest']);

// Broken inputs.
const clipMp4 = readFileSync(join(out, 'clip.mp4'));
const writeIf = (name: string, data: Uint8Array | string) => { if (force || !existsSync(join(out, name))) writeFileSync(join(out, name), data); };
ff('tail-moov.mp4', [...video(320, 240, 25, 2), ...stereoTone(2), '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-shortest']);
const tailMoov = readFileSync(join(out, 'tail-moov.mp4'));
writeIf('truncated.mp4', tailMoov.subarray(0, Math.floor(tailMoov.length * 0.6)));
writeIf('truncated-faststart.mp4', clipMp4.subarray(0, Math.floor(clipMp4.length * 0.5)));
const corrupt = Buffer.from(clipMp4.subarray(0, 32));
const junk = Buffer.alloc(20000);
let s = 12345;
for (let i = 0; i < junk.length; i++) { s = (s * 1103515245 + 12345) >>> 0; junk[i] = s >>> 24; }
writeIf('corrupt.mp4', Buffer.concat([corrupt, junk]));
writeIf('empty.mp4', new Uint8Array(0));
writeIf('notes.txt', 'These are my notes, not a video.\nLine two.\n');
ff('picture.png', ['-f', 'lavfi', '-i', 'testsrc2=size=64x48', '-frames:v', '1']);

// Fake capture devices for Chromium (--use-file-for-fake-video-capture / -audio-capture).
ff('camera.y4m', ['-f', 'lavfi', '-i', 'testsrc2=size=320x240:rate=15:duration=4', '-pix_fmt', 'yuv420p']);
ff('mic.wav', ['-f', 'lavfi', '-i', 'sine=frequency=880:sample_rate=48000:duration=4', '-ac', '1']);
// The demo clip as a fake camera + mic (its sounding object's box is known in every frame:
// public/demo/demo.meta.json): e2e/live-demo.spec.ts.
ff('demo-camera.y4m', ['-i', 'public/demo/demo.webm', '-an', '-pix_fmt', 'yuv420p']);
ff('demo-mic.wav', ['-i', 'public/demo/demo.webm', '-vn', '-ac', '1', '-ar', '48000']);
// its two channels as a stereo mic (Chromium's fake capture keeps both): e2e/live-heard.spec.ts
ff('demo-mic-stereo.wav', ['-i', 'public/demo/demo.webm', '-vn', '-ac', '2', '-ar', '48000']);
// its first 2.5 s as a file (packets copied: the same frames and sound), for the WebGPU-against-WASM
// hash check of the heard-object maps, which costs ~16 s a frame on SwiftShader: e2e/heard.spec.ts
ff('demo-head.webm', ['-i', 'public/demo/demo.webm', '-t', '2.5', '-c', 'copy']);

const expected = {
  'clip.webm': { duration: 3, width: 320, height: 240, channels: 2, hasAudio: true },
  'clip.mp4': { duration: 3, width: 320, height: 240, channels: 2, hasAudio: true },
  'clip.mov': { duration: 2, width: 320, height: 240, channels: 2, hasAudio: true },
  'noaudio.webm': { duration: 2, width: 320, height: 240, hasAudio: false },
  'mono.webm': { duration: 2, width: 176, height: 144, channels: 1, hasAudio: true },
  'portrait.mp4': { duration: 2, width: 240, height: 320, rotation: 90, channels: 2, hasAudio: true },
  'vfr.mp4': { duration: 3, width: 320, height: 240, channels: 2, hasAudio: true },
  'surround.mp4': { duration: 2, width: 320, height: 240, channels: 6, hasAudio: true },
  'long.webm': { duration: 600, width: 64, height: 48, channels: 1, hasAudio: true },
};
writeFileSync(join(out, 'expected.json'), JSON.stringify(expected, null, 2));
console.log(`test media ready in ${out}`);
