/**
 * The window cache's key (tools/models/windows.ts clipCacheDir): clips of different datasets that
 * share a folder name (every set's first training clip is train-000000) must not share cached
 * features and homographies; the same clip, wherever it lies, must find its own.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Clip } from './data.ts';
import { clipCacheDir } from './windows.ts';

const base = mkdtempSync(join(tmpdir(), 'egosound-windows-'));
afterAll(() => rmSync(base, { recursive: true, force: true }));

/** A clip folder `set/name` with the given meta.json seed and first-frame bytes. */
function clipIn(set: string, name: string, seed: string, frame0: number[]): Clip {
  const dir = join(base, set, name);
  mkdirSync(join(dir, 'frames'), { recursive: true });
  const meta = { clipId: name, seed, frames: [{ index: 0, time: 0, image: 'frames/000000.png' }] };
  writeFileSync(join(dir, 'meta.json'), JSON.stringify(meta));
  writeFileSync(join(dir, 'frames', '000000.png'), new Uint8Array(frame0));
  return { dir, meta: meta as unknown as Clip['meta'] };
}

describe('clipCacheDir', () => {
  const root = join(base, 'cache');
  it('gives same-named clips of two datasets different entries', () => {
    const a = clipIn('synth', 'train-000000', '1', [1, 2, 3]);
    const b = clipIn('synth-seen', 'train-000000', '2', [4, 5, 6]);
    expect(clipCacheDir(root, a)).not.toBe(clipCacheDir(root, b));
    expect(clipCacheDir(root, a).startsWith(join(root, 'train-000000-'))).toBe(true);
  });
  it('tells clips apart by their frames when meta.json is the same', () => {
    const a = clipIn('x1', 'test-000003', '1', [1, 2, 3]);
    const b = clipIn('x2', 'test-000003', '1', [1, 2, 4]);
    expect(clipCacheDir(root, a)).not.toBe(clipCacheDir(root, b));
  });
  it('finds the same entry for the same clip copied elsewhere', () => {
    const a = clipIn('here', 'test-000007', '1', [9, 9, 9]);
    const b = clipIn('there', 'test-000007', '1', [9, 9, 9]);
    expect(clipCacheDir(root, a)).toBe(clipCacheDir(root, b));
  });
});
