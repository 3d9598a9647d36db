/**
 * WAV (RIFF, PCM 16-bit) writer and reader. Samples are float in [-1, 1], channel-planar in
 * memory; files are interleaved. Quantisation rounds to nearest with clipping, so the bytes are
 * a pure function of the float samples.
 */
import { readFileSync } from 'node:fs';
import { encodeWav as encodePcm16 } from '../../src/engine/media/wav.ts';

export interface Audio {
  sampleRate: number;
  channels: Float32Array[]; // [C][N]
}

/** The engine's encoder (src/engine/media/wav.ts: one quantisation rule for the page and the generator). */
export function encodeWav(a: Audio): Buffer {
  return Buffer.from(encodePcm16(a.channels, a.sampleRate));
}

export function decodeWav(buf: Buffer): Audio {
  if (buf.toString('ascii', 0, 4) !== 'RIFF' || buf.toString('ascii', 8, 12) !== 'WAVE')
    throw new Error('decodeWav: not a RIFF/WAVE file');
  let off = 12;
  let C = 0, sr = 0, bits = 0;
  while (off + 8 <= buf.length) {
    const id = buf.toString('ascii', off, off + 4);
    const len = buf.readUInt32LE(off + 4);
    if (id === 'fmt ') {
      C = buf.readUInt16LE(off + 10);
      sr = buf.readUInt32LE(off + 12);
      bits = buf.readUInt16LE(off + 22);
    } else if (id === 'data') {
      if (bits !== 16) throw new Error('decodeWav: only 16-bit PCM');
      const N = Math.floor(len / (2 * C));
      const ch = Array.from({ length: C }, () => new Float32Array(N));
      for (let n = 0; n < N; n++)
        for (let c = 0; c < C; c++) ch[c][n] = buf.readInt16LE(off + 8 + (n * C + c) * 2) / 32767;
      return { sampleRate: sr, channels: ch };
    }
    off += 8 + len + (len & 1);
  }
  throw new Error('decodeWav: no data chunk');
}

export function readWav(path: string): Audio {
  return decodeWav(readFileSync(path));
}
