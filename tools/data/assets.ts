/**
 * Source assets for the synthetic benchmark: fetched from Debian packages at build time
 * (`apt-get download` + `dpkg-deb -x` into a cache; nothing is installed system-wide and nothing
 * is downloaded when the app runs), catalogued with licence, class label and recording id, and
 * split train/val/test by recording so that no test recording is ever heard in train.
 *
 * Packages (licences read from each package's debian/copyright, DEP-5 rules, last match wins):
 *   tuxpaint-stamps-default  GPL-2        photo cut-outs with alpha; ~100 have their own recorded
 *                                          sound (<name>.ogg/.wav), many a spoken description
 *                                          (<name>_desc*.ogg) used as off-screen speech
 *   mate-backgrounds         GPL-2+       photo backgrounds (nature/*.jpg; the desktop and abstract
 *                                          ones are logos and paintings, not scenes)
 *   python3-skimage          BSD-3-Clause package; the sample photos are CC0 / public domain
 *                                          upstream (noted per file)
 *   sonic-pi-samples         CC0 (per file) off-screen sound effects and instruments
 *   openttd-opensfx          CC0 / CC-BY-3.0 / CC-BY-SA-3.0 per sound (named in each entry of
 *                                          opensfx.cat; the collection as a whole CC-BY-SA-3.0):
 *                                          vehicles, machines, animals, crowds, off-screen only
 *   libmysofa1               MIT KEMAR    the HRTF for ffmpeg's sofalizer
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, statSync, writeFileSync, rmSync, rmdirSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { hash32 } from './rng.ts';

export type Split = 'train' | 'val' | 'test';
export const SPLITS: Split[] = ['train', 'val', 'test'];

export type AssetKind = 'object' | 'distractor' | 'speech' | 'sfx' | 'background' | 'hrtf';

export interface AssetEntry {
  id: string;
  kind: AssetKind;
  package: string;
  packageVersion: string;
  /** Paths inside the unpacked package (e.g. usr/share/tuxpaint/stamps/...). For an object: [image, sound]. */
  files: string[];
  licence: string;
  licenceNote?: string;
  classLabel: string;
  /** sha256 prefix of the recording's bytes (sounds only), or of the image for backgrounds. */
  recordingId: string | null;
  /** null: usable in every split (silent distractor images, the HRTF). */
  split: Split | null;
}

export interface Catalog {
  version: number;
  packages: Record<string, string>;
  assets: AssetEntry[];
}

const CATALOG_VERSION = 5;

export const PACKAGES = ['tuxpaint-stamps-default', 'mate-backgrounds', 'python3-skimage', 'sonic-pi-samples', 'openttd-opensfx', 'libmysofa1'] as const;

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

export function cacheDir(): string {
  return resolve(process.env.EGOSOUND_ASSET_CACHE || join(REPO_ROOT, '.cache', 'data-assets'));
}

export function pkgRoot(pkg: string): string {
  return join(cacheDir(), 'pkgs', pkg);
}

export function assetPath(a: AssetEntry, i = 0): string {
  return join(pkgRoot(a.package), a.files[i]);
}

export class AssetFetchError extends Error {
  override name = 'AssetFetchError';
}

/** Downloads and unpacks one Debian package into the cache (once). Returns its version. */
export function fetchPackage(pkg: string, log: (s: string) => void = () => {}): string {
  const root = pkgRoot(pkg);
  const done = join(root, '.unpacked');
  if (existsSync(done)) return readFileSync(done, 'utf8').trim();
  const debs = join(cacheDir(), 'debs');
  mkdirSync(debs, { recursive: true });
  let deb = readdirSync(debs).find((f) => f.startsWith(pkg + '_') && f.endsWith('.deb'));
  if (!deb) {
    log(`apt-get download ${pkg}`);
    const r = spawnSync('apt-get', ['download', pkg], { cwd: debs, encoding: 'utf8' });
    if (r.status !== 0)
      throw new AssetFetchError(`apt-get download ${pkg} failed: ${(r.stderr || r.error?.message || '').slice(-800)}\n` +
        'The generator needs a Debian/Ubuntu machine that can reach a package mirror (apt-get update first).');
    deb = readdirSync(debs).find((f) => f.startsWith(pkg + '_') && f.endsWith('.deb'));
    if (!deb) throw new AssetFetchError(`apt-get download ${pkg} produced no .deb`);
  }
  rmSync(root, { recursive: true, force: true });
  mkdirSync(root, { recursive: true });
  const x = spawnSync('dpkg-deb', ['-x', join(debs, deb), root], { encoding: 'utf8' });
  if (x.status !== 0) throw new AssetFetchError(`dpkg-deb -x ${deb} failed: ${x.stderr}`);
  const version = decodeURIComponent(deb.slice(pkg.length + 1).split('_')[0]);
  writeFileSync(done, version + '\n');
  return version;
}

function walk(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else out.push(p);
  }
  return out;
}

function sha256File(p: string): string {
  return createHash('sha256').update(readFileSync(p)).digest('hex');
}

/** DEP-5 copyright: [{patterns, licence, copyright}] in file order. */
interface CopyrightBlock { patterns: RegExp[]; licence: string; copyright: string }

function parseCopyright(pkg: string): CopyrightBlock[] {
  const p = join(pkgRoot(pkg), 'usr/share/doc', pkg, 'copyright');
  if (!existsSync(p)) return [];
  const blocks: CopyrightBlock[] = [];
  for (const para of readFileSync(p, 'utf8').split(/\n\s*\n/)) {
    const m = /^Files:((?:.*\n?)(?:[ \t].*\n?)*)/m.exec(para);
    const l = /^License:\s*(.+)$/m.exec(para);
    if (!m || !l) continue;
    const c = /^Copyright:((?:.*\n?)(?:[ \t].*\n?)*)/m.exec(para);
    const patterns = m[1].split(/\s+/).filter(Boolean).map((g) =>
      new RegExp('(^|/)' + g.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.') + '$'));
    blocks.push({ patterns, licence: l[1].trim(), copyright: c ? c[1].trim().replace(/\s+/g, ' ') : '' });
  }
  return blocks;
}

function licenceFor(blocks: CopyrightBlock[], file: string): { licence: string; copyright: string } {
  let hit: CopyrightBlock | undefined;
  for (const b of blocks) if (b.patterns.some((re) => re.test(file))) hit = b;
  if (!hit) return { licence: 'UNKNOWN', copyright: '' };
  return { licence: hit.licence, copyright: hit.copyright };
}

/** Split of a recording: a fixed function of its content hash (70 / 15 / 15). */
export function splitOf(recordingId: string): Split {
  const u = hash32('split:' + recordingId) / 4294967296;
  return u < 0.7 ? 'train' : u < 0.85 ? 'val' : 'test';
}

/** Stamp names that are variants of one class (for hard negatives and class labels). */
const CLASS_ALIASES: Record<string, string> = {
  pig_golden: 'pig', pig_golden2: 'pig', cow_white: 'cow', sheep_lamb: 'sheep', dromedary: 'camel',
  doe: 'deer', scissors_small_closed: 'scissors', scissors_small_open: 'scissors', drake: 'duck',
  gander: 'goose', 'dreydl-shin': 'dreidel', 'dreydl-nun': 'dreidel', 'dreydl-gimmel': 'dreidel',
  'dreydl-hay': 'dreidel', bat_left: 'bat', heron_greatblue_flying: 'heron', drum_tomtom_floor: 'drum',
  cymbal_crash: 'cymbal', mallet_metal: 'mallet', camera_35mm: 'camera', apple_red: 'apple',
};

export function classOfStamp(name: string): string {
  if (CLASS_ALIASES[name]) return CLASS_ALIASES[name];
  return name.replace(/[-_]?\d+$/, '').replace(/_(left|right|front|side|back)$/, '');
}

/** Upstream licences of the scikit-image sample photos (from skimage/data/_fetchers.py docstrings). */
const SKIMAGE_PHOTOS: Record<string, string> = {
  'astronaut.png': 'public domain (NASA)',
  'brick.png': 'CC0 (cc0textures Bricks25)',
  'chelsea.png': 'CC0 (Stefan van der Walt)',
  'coffee.png': 'CC0 (Rachel Michetti)',
  'grass.png': 'CC0 (cc0textures)',
  'gravel.png': 'CC0 (cc0textures Gravel04)',
  'rocket.jpg': 'public domain (SpaceX)',
};

const MATE_BACKGROUNDS = /\/backgrounds\/mate\/nature\/.*\.jpg$/;
const STAMP_EXCLUDE = /\/stamps\/(symbols|town\/roadsigns|town\/flags)\//;

/** Writes a file through a temporary name and a rename, so concurrent readers never see half of it. */
export function writeAtomic(path: string, data: string | Uint8Array): void {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, data);
  renameSync(tmp, path);
}

/** Runs fn holding an exclusive lock on the cache (a lock directory; stale after 15 minutes). */
export function withCacheLock<T>(fn: () => T): T {
  mkdirSync(cacheDir(), { recursive: true });
  const lock = join(cacheDir(), '.lock');
  const sleeper = new Int32Array(new SharedArrayBuffer(4));
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      try {
        if (Date.now() - statSync(lock).mtimeMs > 15 * 60_000) rmdirSync(lock);
      } catch { /* gone meanwhile */ }
      Atomics.wait(sleeper, 0, 0, 250);
    }
  }
  try {
    return fn();
  } finally {
    rmdirSync(lock);
  }
}

function readCatalog(): Catalog | null {
  const cachePath = join(cacheDir(), 'catalog.json');
  if (!existsSync(cachePath)) return null;
  const c = JSON.parse(readFileSync(cachePath, 'utf8')) as Catalog;
  if (c.version === CATALOG_VERSION && PACKAGES.every((p) => existsSync(join(pkgRoot(p), '.unpacked')))) return c;
  return null;
}

/**
 * The asset catalog: fetches and unpacks the packages on first use (under a lock, so parallel
 * test workers or generator jobs do not collide), then reads the cached catalog.json.
 */
export function buildCatalog(log: (s: string) => void = () => {}): Catalog {
  return readCatalog() ?? withCacheLock(() => readCatalog() ?? scanCatalog(log));
}

function scanCatalog(log: (s: string) => void): Catalog {
  const cachePath = join(cacheDir(), 'catalog.json');
  const packages: Record<string, string> = {};
  for (const p of PACKAGES) packages[p] = fetchPackage(p, log);
  const assets: AssetEntry[] = [];

  // tuxpaint stamps
  {
    const pkg = 'tuxpaint-stamps-default';
    const root = pkgRoot(pkg);
    const blocks = parseCopyright(pkg);
    const files = walk(join(root, 'usr/share/tuxpaint/stamps')).map((f) => relative(root, f));
    const set = new Set(files);
    for (const f of files) {
      if (!f.endsWith('.png') || STAMP_EXCLUDE.test('/' + f)) continue;
      const base = f.slice(0, -4);
      const name = base.split('/').pop() as string;
      const snd = [base + '.ogg', base + '.wav'].find((s) => set.has(s));
      const lic = licenceFor(blocks, f);
      const cls = classOfStamp(name);
      if (snd) {
        const rec = sha256File(join(root, snd)).slice(0, 16);
        assets.push({ id: `tux:${name}`, kind: 'object', package: pkg, packageVersion: packages[pkg], files: [f, snd],
          licence: lic.licence, licenceNote: lic.copyright, classLabel: cls, recordingId: rec, split: splitOf(rec) });
      } else {
        assets.push({ id: `tux-img:${base.split('/stamps/')[1]}`, kind: 'distractor', package: pkg, packageVersion: packages[pkg],
          files: [f], licence: lic.licence, licenceNote: lic.copyright, classLabel: cls, recordingId: null, split: null });
      }
    }
    for (const f of files) {
      const m = /\/([^/]+)_desc(_[a-z]{2,3}(?:_[A-Z]{2})?)?\.ogg$/.exec(f);
      if (!m || STAMP_EXCLUDE.test('/' + f)) continue;
      const rec = sha256File(join(root, f)).slice(0, 16);
      const lic = licenceFor(blocks, f);
      assets.push({ id: `tux-speech:${m[1]}${m[2] ?? '_en'}`, kind: 'speech', package: pkg, packageVersion: packages[pkg], files: [f],
        licence: lic.licence, licenceNote: lic.copyright, classLabel: 'speech', recordingId: rec, split: splitOf(rec) });
    }
  }
  // MATE backgrounds
  {
    const pkg = 'mate-backgrounds';
    const root = pkgRoot(pkg);
    const blocks = parseCopyright(pkg);
    for (const abs of walk(join(root, 'usr/share/backgrounds'))) {
      const f = relative(root, abs);
      if (!MATE_BACKGROUNDS.test('/' + f)) continue;
      const lic = licenceFor(blocks, f.replace(/^usr\/share\/backgrounds\/mate\//, ''));
      const rec = sha256File(abs).slice(0, 16);
      assets.push({ id: `mate:${f.split('/').slice(-2).join('/')}`, kind: 'background', package: pkg, packageVersion: packages[pkg],
        files: [f], licence: lic.licence, licenceNote: lic.copyright, classLabel: 'background', recordingId: rec, split: splitOf(rec) });
    }
  }
  // scikit-image sample photos
  {
    const pkg = 'python3-skimage';
    const root = pkgRoot(pkg);
    const blocks = parseCopyright(pkg);
    const dir = 'usr/lib/python3/dist-packages/skimage/data';
    for (const [name, upstream] of Object.entries(SKIMAGE_PHOTOS)) {
      const f = `${dir}/${name}`;
      if (!existsSync(join(root, f))) continue;
      const lic = licenceFor(blocks, 'skimage/data/' + name);
      const rec = sha256File(join(root, f)).slice(0, 16);
      assets.push({ id: `skimage:${name}`, kind: 'background', package: pkg, packageVersion: packages[pkg], files: [f],
        licence: lic.licence, licenceNote: `upstream: ${upstream}`, classLabel: 'background', recordingId: rec, split: splitOf(rec) });
    }
  }
  // sonic-pi samples: only the files the copyright lists one by one as CC0
  {
    const pkg = 'sonic-pi-samples';
    const root = pkgRoot(pkg);
    const blocks = parseCopyright(pkg);
    for (const abs of walk(root)) {
      const f = relative(root, abs);
      if (!f.endsWith('.flac')) continue;
      const name = f.split('/').pop() as string;
      const lic = licenceFor(blocks, 'etc/samples/' + name);
      if (lic.licence !== 'CC0') continue;
      const rec = sha256File(abs).slice(0, 16);
      const cls = name.replace(/\.flac$/, '').split('_')[0];
      assets.push({ id: `sonicpi:${name}`, kind: 'sfx', package: pkg, packageVersion: packages[pkg], files: [f],
        licence: 'CC0-1.0', classLabel: `sfx-${cls}`, recordingId: rec, split: splitOf(rec) });
    }
  }
  // OpenSFX: one catalogue file of WAVs; each entry's name carries its title, author and licence
  {
    const pkg = 'openttd-opensfx';
    const root = pkgRoot(pkg);
    const catRel = 'usr/share/games/openttd/baseset/opensfx/opensfx.cat';
    for (const e of extractOpenSfx(join(root, catRel), join(root, 'extracted'))) {
      const rec = sha256File(join(root, 'extracted', e.file)).slice(0, 16);
      assets.push({ id: `opensfx:${e.index}`, kind: 'sfx', package: pkg, packageVersion: packages[pkg],
        files: [`extracted/${e.file}`], licence: e.licence, licenceNote: `${catRel} entry ${e.index}: ${e.title}`,
        classLabel: `sfx-${e.slug}`, recordingId: rec, split: splitOf(rec) });
    }
  }
  // HRTF
  {
    const pkg = 'libmysofa1';
    const f = 'usr/share/libmysofa/MIT_KEMAR_normal_pinna.sofa';
    const lic = licenceFor(parseCopyright(pkg), 'share/MIT_KEMAR_normal_pinna.sofa');
    assets.push({ id: 'hrtf:mit-kemar-normal-pinna', kind: 'hrtf', package: pkg, packageVersion: packages[pkg], files: [f],
      licence: lic.licence, licenceNote: lic.copyright, classLabel: 'hrtf', recordingId: null, split: null });
  }
  assets.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const cat: Catalog = { version: CATALOG_VERSION, packages, assets };
  mkdirSync(cacheDir(), { recursive: true });
  writeAtomic(cachePath, JSON.stringify(cat, null, 1));
  log(`catalog: ${assets.length} assets -> ${cachePath}`);
  return cat;
}

/**
 * Splits OpenTTD's opensfx.cat (a table of [offset | 0x80000000, size] little-endian pairs, then
 * entries of [name length byte, name, RIFF WAVE bytes]) into WAV files. The name holds the title,
 * the author and "License: ..." of each sound.
 */
export function extractOpenSfx(catPath: string, outDir: string): { index: number; file: string; title: string; slug: string; licence: string }[] {
  const b = readFileSync(catPath);
  const n = (b.readUInt32LE(0) & 0x7fffffff) / 8;
  mkdirSync(outDir, { recursive: true });
  const out = [];
  for (let i = 0; i < n; i++) {
    const off = b.readUInt32LE(i * 8) & 0x7fffffff, size = b.readUInt32LE(i * 8 + 4);
    const len = b[off];
    const name = b.toString('latin1', off + 1, off + 1 + len).replace(/\0+$/, '');
    const wav = b.subarray(off + 1 + len, off + size);
    if (wav.length < 1000 || wav.toString('ascii', 0, 4) !== 'RIFF' || /Unused\/Nothing/.test(name)) continue;
    const lic = /License: ([^.]+(?:\.\d)?[^.]*)\./.exec(name)?.[1] ?? '';
    const licence = /Zero/.test(lic) ? 'CC0-1.0' : /ShareAlike/.test(lic) ? 'CC-BY-SA-3.0' : /Attribution 3\.0/.test(lic) ? 'CC-BY-3.0' : 'CC-BY-SA-3.0';
    const title = (/^"([^"]+)"/.exec(name)?.[1] ?? `sound ${i}`).trim();
    const slug = title.toLowerCase().replace(/^(toyland|tropical|lumber mill): /, '').replace(/\(\d\)/g, '').replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
    const file = `${String(i).padStart(2, '0')}-${slug}.wav`;
    if (!existsSync(join(outDir, file))) writeFileSync(join(outDir, file), wav);
    out.push({ index: i, file, title: name, slug, licence });
  }
  return out;
}

/** The assets one split may draw from (split-less assets are shared). */
export function assetsFor(cat: Catalog, split: Split, kind: AssetKind): AssetEntry[] {
  return cat.assets.filter((a) => a.kind === kind && (a.split === null || a.split === split));
}
