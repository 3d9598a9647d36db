import { describe, it, expect, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { EngineClient, type Endpoint } from './client';
import { createEngine, type EngineOptions } from './handlers';
import { readFileSync } from 'node:fs';
import '@tensorflow/tfjs-backend-wasm';
import { isRequest, transferablesOf } from './protocol';
import { CancelledError, EgoError, NoAudioTrackError, WorkerCrashedError, deserializeError, serializeError, InternalError, ERROR_CLASSES_BY_NAME } from '../engine/errors';
import { sine } from '../engine/testing/compare';

/** An in-process pair of ports with structured cloning, like a Worker without the thread. */
function pair(options: EngineOptions = {}): { client: EngineClient; fireError: (msg: string) => void } {
  const toClient: ((e: MessageEvent) => void)[] = [];
  const errorFns: ((e: ErrorEvent) => void)[] = [];
  const engine = createEngine({ post: (reply) => queueMicrotask(() => toClient.forEach((fn) => fn({ data: structuredClone(reply) } as MessageEvent))) }, options);
  const endpoint: Endpoint = {
    postMessage: (m) => { const copy = structuredClone(m); if (isRequest(copy)) void engine.onMessage(copy); },
    addEventListener: ((type: string, fn: never) => { if (type === 'message') toClient.push(fn); else errorFns.push(fn); }) as Endpoint['addEventListener'],
  };
  return { client: new EngineClient(endpoint), fireError: (message) => errorFns.forEach((fn) => fn({ message } as ErrorEvent)) };
}

describe('worker protocol', () => {
  beforeAll(async () => { await tf.setBackend('cpu'); });

  it('errors cross the boundary as the same class with code and hint', () => {
    const s = structuredClone(serializeError(new NoAudioTrackError('a.mp4')));
    const e = deserializeError(s);
    expect(e).toBeInstanceOf(NoAudioTrackError);
    expect(e).toBeInstanceOf(EgoError);
    expect(e.code).toBe('NO_AUDIO_TRACK');
    expect(e.message).toContain('a.mp4');
    expect(e.hint).toMatch(/can still be viewed/);
    const plain = deserializeError(serializeError(new TypeError('boom')));
    expect(plain).toBeInstanceOf(InternalError);
    expect(plain.message).toContain('TypeError: boom');
  });

  it('a typed call returns its result, with progress, and the engine leaks no tensors', async () => {
    const { client } = pair();
    await client.call('init', { prefer: ['cpu'] });
    const before = (await client.call('memory', {})).numTensors;
    const progress: string[] = [];
    const x = sine(48000, 440, 48000, 0.5);
    const r = await client.call('analyzeAudio', { channels: [x, x], sampleRate: 48000 }, { onProgress: (p) => progress.push(p.stage) });
    expect(r.mono11k.length).toBe(11025);
    expect(r.left16k.length).toBe(16000);
    expect(r.binaural).toBe(true);
    expect(r.spectrogram.bins).toBe(257);
    // 440 Hz at 16 kHz with nFft 512 peaks at bin 14 (440 * 512 / 16000 = 14.08).
    const f = 50;
    let best = 0;
    for (let k = 0; k < 257; k++) if (r.spectrogram.data[f * 257 + k] > r.spectrogram.data[f * 257 + best]) best = k;
    expect(best).toBe(14);
    expect(progress).toContain('spectrogram');
    expect(progress.at(-1)).toBe('done');
    expect((await client.call('memory', {})).numTensors).toBe(before);
  });

  it('processWindow measures luminance and motion of RGBA frames', async () => {
    const { client } = pair();
    await client.call('init', { prefer: ['cpu'] });
    const w = 8, h = 6;
    const a = new Uint8ClampedArray(w * h * 4).fill(0);
    const b = new Uint8ClampedArray(w * h * 4).fill(255);
    const r = await client.call('processWindow', { index: 3, times: [0, 0.125], width: w, height: h, frames: [a, b] });
    expect(r.index).toBe(3);
    expect(r.luma[0]).toBeCloseTo(0, 5);
    expect(r.luma[1]).toBeCloseTo(1, 5);
    expect(r.motion[0]).toBeCloseTo(1, 5);
  });

  it('an error\'s name comes from its code, not from the (minifiable) class name, and every class round-trips', () => {
    for (const [key, Cls] of Object.entries(ERROR_CLASSES_BY_NAME)) {
      const e = new (Cls as unknown as new (...a: string[]) => EgoError)('x', 'y', 'z', 'w');
      expect(e.name).toBe(key);
      const back = deserializeError(structuredClone(serializeError(e)));
      expect(back).toBeInstanceOf(Cls);
      expect(back.code).toBe(e.code);
    }
  });

  it('engine errors arrive as named errors; cancel rejects with CancelledError', async () => {
    const { client } = pair();
    await expect(client.call('analyzeAudio', { channels: [new Float32Array(0)], sampleRate: 16000 })).rejects.toBeInstanceOf(InternalError);
    const ac = new AbortController();
    const p = client.call('analyzeAudio', { channels: [sine(16000 * 30, 300, 16000)], sampleRate: 16000 }, { signal: ac.signal });
    ac.abort();
    await expect(p).rejects.toBeInstanceOf(CancelledError);
  });

  it('a crashed worker fails every pending call instead of hanging', async () => {
    const { client, fireError } = pair();
    const p = client.call('analyzeAudio', { channels: [sine(16000 * 5, 300, 16000)], sampleRate: 16000 });
    fireError('out of memory');
    await expect(p).rejects.toBeInstanceOf(WorkerCrashedError);
    await expect(client.call('memory', {})).rejects.toBeInstanceOf(WorkerCrashedError);
  });

  it('rejects malformed messages and finds transferable buffers', () => {
    expect(isRequest({ id: 'x', type: 'init' })).toBe(false);
    expect(isRequest({ id: 0, type: 'init' })).toBe(false);
    expect(isRequest(null)).toBe(false);
    expect(isRequest({ id: 2, type: 'init', payload: {} })).toBe(true);
    const a = new Float32Array(4);
    const b = new Uint8Array(2);
    expect(transferablesOf({ x: [a, { y: b }], z: a })).toEqual([a.buffer, b.buffer]);
  });

  it('loads a method with byte progress and localizes a window; a bad method or missing weights are named', async () => {
    const fetcher = async (url: string) => {
      const rel = new URL(url).pathname.replace(/^\/models\//, '');
      try { return new Response(new Uint8Array(readFileSync(`models/${rel}`))); } catch { return new Response(null, { status: 404 }); }
    };
    const { client } = pair({ modelsBaseUrl: 'http://app/models/', fetcher });
    await client.call('init', { prefer: ['wasm'] });
    const bytes: number[] = [];
    const loaded = await client.call('loadMethod', { method: 'lvs' }, { onProgress: (p) => { expect(p.unit).toBe('bytes'); bytes.push(p.done); } });
    expect(loaded.models.map((m) => m.id)).toEqual(['visual-mobilenetv2', 'lvs-synth']);
    expect(loaded.bytes).toBeGreaterThan(2e6);
    expect(bytes[bytes.length - 1]).toBe(loaded.bytes);
    expect((await client.call('loadMethod', { method: 'lvs' })).bytes).toBe(0);
    const frame = () => Uint8ClampedArray.from({ length: 224 * 224 * 4 }, (_, i) => (i * 37) % 251);
    const audio = { samples: sine(11025 * 2, 440, 11025), startSec: 0, sampleRate: 11025 };
    const window = () => ({ index: 0, times: [0.5, 0.625], width: 224, height: 224, frames: [frame(), frame()] });
    const r = await client.call('localizeWindow', { window: window(), audio, method: 'lvs' });
    expect(r.maps.length).toBe(2 * 196);
    expect([r.width, r.height]).toEqual([14, 14]);
    expect(r.summary.frameCount).toBe(2);
    const n = (await client.call('memory', {})).numTensors;
    await client.call('localizeWindow', { window: window(), audio, method: 'lvs' });
    expect((await client.call('memory', {})).numTensors).toBe(n);
    await expect(client.call('localizeWindow', { window: window(), audio, method: 'nope' as 'lvs' })).rejects.toMatchObject({ code: 'INVALID_CONFIG' });
    const { client: bare } = pair({ modelsBaseUrl: 'http://app/nowhere/', fetcher });
    await bare.call('init', { prefer: ['wasm'] });
    await expect(bare.call('loadMethod', { method: 'lvs' })).rejects.toMatchObject({ code: 'WEIGHTS_UNAVAILABLE' });
  }, 60_000);
});
