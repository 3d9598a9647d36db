/**
 * Behaviour of the synthetic benchmark generator on real Debian assets (fetched into the cache
 * by the generator's own code on first use: apt-get download + dpkg-deb -x).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Catalog, assetPath, buildCatalog, splitOf } from './assets.ts';
import { writeClip } from './clip.ts';
import { hashFiles } from './hash.ts';
import { usedAssets } from './manifest.ts';

let cat: Catalog;
const tmp = mkdtempSync(join(tmpdir(), 'egosound-generator-'));

beforeAll(() => {
  cat = buildCatalog((s) => console.log(s));
}, 600_000);

const SHORT = { seconds: 2, video: [] as ('webm' | 'mp4')[], stems: true };


describe('determinism', () => {
  it('same seed and options give the same bytes; another seed does not', () => {
    const opts = { ...SHORT, video: ['webm'] as ('webm' | 'mp4')[] };
    const a = writeClip(cat, join(tmp, 'a'), 'val', 11, 0, opts);
    const b = writeClip(cat, join(tmp, 'b'), 'val', 11, 0, opts);
    const c = writeClip(cat, join(tmp, 'c'), 'val', 12, 0, opts);
    expect(a.files).toEqual(b.files);
    expect(a.files).toContain('video.webm');
    const ha = hashFiles(a.dir, a.files), hb = hashFiles(b.dir, b.files), hc = hashFiles(c.dir, c.files);
    expect(ha).toBe(hb);
    expect(hc).not.toBe(ha);
  }, 120_000);
});

describe('assets and licences', () => {
  it('every asset a clip uses has a licence, a package and a file in the cache', () => {
    const metas = [0, 1, 2].map((i) => writeClip(cat, join(tmp, 'lic'), 'test', 2, i, { ...SHORT, stems: false }).meta as any);
    const used = usedAssets(cat, metas);
    expect(used.length).toBeGreaterThan(3);
    for (const a of used) {
      expect(a.licence).toMatch(/\S/);
      expect(a.licence).not.toBe('UNKNOWN');
      expect(a.package).toMatch(/\S/);
      for (let i = 0; i < a.files.length; i++) expect(existsSync(assetPath(a, i))).toBe(true);
    }
    for (const a of cat.assets) expect(a.licence).not.toBe('UNKNOWN');
  }, 120_000);

  it('splits are by recording: a test clip only hears test recordings', () => {
    for (const a of cat.assets) if (a.recordingId && a.kind !== 'background') expect(a.split).toBe(splitOf(a.recordingId));
    const byRec = new Map(cat.assets.filter((a) => a.recordingId).map((a) => [a.recordingId, a.split]));
    for (const i of [0, 1, 2]) {
      const meta = writeClip(cat, join(tmp, 'split'), 'test', 4, i, { ...SHORT, stems: false }).meta as any;
      for (const s of meta.sources) expect(byRec.get(s.recordingId)).toBe('test');
    }
  }, 120_000);
});

process.on('exit', () => rmSync(tmp, { recursive: true, force: true }));
