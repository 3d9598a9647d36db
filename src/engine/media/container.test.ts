import { describe, it, expect, beforeAll } from 'vitest';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { probe, bytesSource, sniff, codecName, playabilityQuery, NEVER_PLAYABLE } from './container';
import { CorruptMediaError, EmptyFileError, NotAVideoError, TruncatedMediaError } from '../errors';

const DIR = '.cache/test-media';
const load = (f: string) => new Uint8Array(readFileSync(join(DIR, f)));
const probeFile = (f: string) => probe(bytesSource(load(f)), f);

describe('container probing on ffmpeg-made files', () => {
  beforeAll(() => {
    execFileSync('npx', ['tsx', 'tools/make-test-media.ts', '--out', DIR], { stdio: 'ignore' });
  }, 120_000);

  it('webm: VP9 video + Opus stereo, duration', async () => {
    const m = await probeFile('clip.webm');
    expect(m.container).toBe('webm');
    expect(m.video).toMatchObject({ codec: 'V_VP9', width: 320, height: 240 });
    expect(m.audio).toMatchObject({ codec: 'A_OPUS', channels: 2, sampleRate: 48000 });
    expect(m.durationSec).toBeCloseTo(3, 1);
  });

  it('mp4: H.264 + AAC, faststart', async () => {
    const m = await probeFile('clip.mp4');
    expect(m.container).toBe('mp4');
    expect(m.video).toMatchObject({ codec: 'avc1', width: 320, height: 240, rotation: 0 });
    expect(m.audio).toMatchObject({ codec: 'mp4a', channels: 2, sampleRate: 44100 });
    expect(m.durationSec).toBeCloseTo(3, 1);
    expect(playabilityQuery(m)).toBe('video/mp4; codecs="avc1.42E01E"');
  });

  it('mov container is recognised', async () => {
    const m = await probeFile('clip.mov');
    expect(m.container).toBe('mov');
    expect(m.video?.codec).toBe('avc1');
  });

  it('portrait phone video: 90 degree display rotation', async () => {
    const m = await probeFile('portrait.mp4');
    expect(m.video?.rotation).toBe(90);
  });

  it('5.1 audio reports six channels; mono reports one', async () => {
    expect((await probeFile('surround.mp4')).audio?.channels).toBe(6);
    expect((await probeFile('mono.webm')).audio?.channels).toBe(1);
  });

  it('a video without sound has no audio track', async () => {
    const m = await probeFile('noaudio.webm');
    expect(m.video).not.toBeNull();
    expect(m.audio).toBeNull();
  });

  it('ProRes is named and flagged as never playable in a browser', async () => {
    const m = await probeFile('prores.mov');
    expect(m.video?.codec).toBe('apco');
    expect(NEVER_PLAYABLE.has(m.video!.codec)).toBe(true);
    expect(codecName(m.video!.codec)).toMatch(/ProRes/);
  });

  it('a 10-minute file is probed from a few kilobytes', async () => {
    const bytes = load('long.webm');
    let read = 0;
    const m = await probe({ size: bytes.length, read: async (o, l) => { read += Math.min(l, bytes.length - o); return bytes.subarray(o, o + l); } }, 'long.webm');
    expect(m.durationSec).toBeCloseTo(600, 0);
    // The matroska path reads at most its first megabyte; mp4 reads box headers + moov.
    expect(read).toBeLessThanOrEqual((1 << 20) + 64);
  });

  it('bad inputs get named errors', async () => {
    await expect(probeFile('empty.mp4')).rejects.toBeInstanceOf(EmptyFileError);
    await expect(probeFile('notes.txt')).rejects.toThrow(/text file/);
    await expect(probeFile('notes.txt')).rejects.toBeInstanceOf(NotAVideoError);
    await expect(probeFile('picture.png')).rejects.toThrow(/PNG image/);
    await expect(probeFile('truncated.mp4')).rejects.toBeInstanceOf(TruncatedMediaError);
    await expect(probeFile('truncated-faststart.mp4')).rejects.toBeInstanceOf(TruncatedMediaError);
    await expect(probeFile('corrupt.mp4')).rejects.toBeInstanceOf(CorruptMediaError);
    const webm = load('clip.webm');
    await expect(probe(bytesSource(webm.subarray(0, 30)), 'cut.webm')).rejects.toBeInstanceOf(TruncatedMediaError);
  });

  it('sniff tells wav and mp3 apart from video', () => {
    const wav = new TextEncoder().encode('RIFF\0\0\0\0WAVEfmt ');
    expect(() => sniff(wav, 'a.wav', 100)).toThrow(/WAV audio/);
    expect(() => sniff(new Uint8Array([0x49, 0x44, 0x33, 3, 0, 0, 0, 0]), 'a.mp3', 100)).toThrow(/MP3/);
  });
});
