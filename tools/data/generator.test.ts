/**
 * Behaviour of the synthetic benchmark generator on real Debian assets (fetched into the cache
 * by the generator's own code on first use: apt-get download + dpkg-deb -x).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Catalog, assetPath, assetsFor, buildCatalog, splitOf } from './assets.ts';
import { buildScene, soundingPool, validateOptions, writeClip } from './clip.ts';
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

describe('closed vocabulary (--vocabulary K)', () => {
  it('only the first K sounding objects by id are seen or heard; silent distractors stay', () => {
    const opts = validateOptions({ ...SHORT, vocabulary: 3 });
    const allIds = assetsFor(cat, 'train', 'object').map((a) => a.id).sort();
    const vocab = new Set(soundingPool(cat, 'train', opts).map((a) => a.id));
    expect([...vocab].sort()).toEqual(allIds.slice(0, 3));
    const sounding = new Set<string>();
    let offscreenObjects = 0, silent = 0;
    for (let i = 0; i < 12; i++) {
      const sc = buildScene(cat, 'train', 5, i, opts);
      for (const o of sc.objects) {
        if (o.asset.kind === 'object') expect(vocab.has(o.asset.id)).toBe(true);
        else silent++;
        if (o.sounding) sounding.add(o.asset.id);
      }
      if (sc.offscreen?.asset.kind === 'object') { offscreenObjects++; expect(vocab.has(sc.offscreen.asset.id)).toBe(true); }
    }
    expect(sounding.size).toBe(3);
    expect(silent).toBeGreaterThan(0);
    expect(offscreenObjects).toBeGreaterThan(0);
    // without the option every sounding object of the split can appear
    const open = new Set<string>();
    for (let i = 0; i < 12; i++) for (const o of buildScene(cat, 'train', 5, i, validateOptions(SHORT)).objects) if (o.sounding) open.add(o.asset.id);
    expect(open.size).toBeGreaterThan(6);
    expect(() => validateOptions({ vocabulary: 1 })).toThrow(/vocabulary/);
    expect(() => soundingPool(cat, 'test', validateOptions({ vocabulary: 500 }))).toThrow(/exceeds/);
  }, 180_000);
});

process.on('exit', () => rmSync(tmp, { recursive: true, force: true }));
