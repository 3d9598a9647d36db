import { describe, it, expect } from 'vitest';
import { fetchVerified, sha256Hex, type ModelEntry } from './verify';
import { CancelledError, WeightsIntegrityError, WeightsUnavailableError } from '../errors';

const enc = (s: string) => new TextEncoder().encode(s);

function server(files: Record<string, Uint8Array>) {
  return async (url: string) => {
    const path = new URL(url).pathname.replace(/^\/models\//, '');
    const body = files[path];
    if (!body) return new Response('missing', { status: 404 });
    // Deliver in small chunks so progress is observable.
    const chunks = Array.from({ length: Math.ceil(body.length / 4) }, (_, i) => body.subarray(i * 4, i * 4 + 4));
    return new Response(new ReadableStream({ start(c) { chunks.forEach((x) => c.enqueue(x)); c.close(); } }));
  };
}

describe('weights verification', () => {
  it('sha256 of a known string', async () => {
    expect(await sha256Hex(enc('abc'))).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  it('loads files whose hashes match, with monotonic byte progress up to the total', async () => {
    const a = enc('{"format":"layers-model"}');
    const b = new Uint8Array(37).map((_, i) => i);
    const entry: ModelEntry = { id: 'm', description: 't', config: {}, files: [{ path: 'm/model.json', sha256: await sha256Hex(a), bytes: a.length }, { path: 'm/w.bin', sha256: await sha256Hex(b), bytes: b.length }] };
    const seen: number[] = [];
    const got = await fetchVerified(entry, 'http://x/models/', { fetcher: server({ 'm/model.json': a, 'm/w.bin': b }), onProgress: (p) => seen.push(p.loaded) });
    expect(Array.from(got.get('m/w.bin')!)).toEqual(Array.from(b));
    expect(seen.at(-1)).toBe(a.length + b.length);
    expect(seen.every((v, i) => i === 0 || v >= seen[i - 1])).toBe(true);
  });

  it('a tampered file is refused with WeightsIntegrityError; a missing one with WeightsUnavailableError', async () => {
    const b = new Uint8Array(16).fill(1);
    const entry: ModelEntry = { id: 'm', description: 't', config: {}, files: [{ path: 'w.bin', sha256: await sha256Hex(b), bytes: 16 }] };
    const tampered = b.slice();
    tampered[3] ^= 0x40;
    await expect(fetchVerified(entry, 'http://x/models/', { fetcher: server({ 'w.bin': tampered }) })).rejects.toBeInstanceOf(WeightsIntegrityError);
    await expect(fetchVerified(entry, 'http://x/models/', { fetcher: server({}) })).rejects.toBeInstanceOf(WeightsUnavailableError);
    const ac = new AbortController();
    ac.abort();
    await expect(fetchVerified(entry, 'http://x/models/', { fetcher: server({ 'w.bin': b }), signal: ac.signal })).rejects.toBeInstanceOf(CancelledError);
  });
});
