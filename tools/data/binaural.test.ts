/**
 * Behaviour of the synthetic benchmark generator on real Debian assets (fetched into the cache
 * by the generator's own code on first use: apt-get download + dpkg-deb -x).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Catalog, buildCatalog, cacheDir } from './assets.ts';
import { sofaPath, writeClip } from './clip.ts';
import { readWav } from './wav.ts';
import { renderFixed, renderMoving } from './binaural.ts';

let cat: Catalog;
const tmp = mkdtempSync(join(tmpdir(), 'egosound-binaural-'));

beforeAll(() => {
  cat = buildCatalog((s) => console.log(s));
}, 600_000);

const SHORT = { seconds: 2, video: [] as ('webm' | 'mp4')[], stems: true };

function rms(x: Float32Array, a = 0, b = x.length): number {
  let s = 0;
  for (let i = a; i < b; i++) s += x[i] * x[i];
  return Math.sqrt(s / Math.max(1, b - a));
}

describe('binaural', () => {
  it('a source on the left is louder in the left ear (and on the right, in the right)', () => {
    const sr = 16000;
    const x = new Float32Array(sr);
    let z = 1;
    for (let i = 0; i < x.length; i++) { z = (z * 16807) % 2147483647; x[i] = (z / 2147483647 - 0.5) * 0.5; }
    for (const az of [30, 60, 90]) {
      const [l, r] = renderFixed(sofaPath(), x, sr, az, 0);
      expect(20 * Math.log10(rms(l) / rms(r))).toBeGreaterThan(3);
      const [l2, r2] = renderMoving(sofaPath(), cacheDir(), x, sr, () => ({ azimuth: -az, elevation: 0 }));
      expect(20 * Math.log10(rms(l2) / rms(r2))).toBeLessThan(-3);
    }
  }, 120_000);

  it('in generated clips the stem of a source left of the head is louder on the left', () => {
    let checked = 0;
    for (const index of [0, 1, 2, 3]) {
      const r = writeClip(cat, join(tmp, 'ild'), 'train', 21, index, { ...SHORT, sounding: 1 });
      const meta = r.meta as any;
      for (const s of meta.sources) {
        const stem = readWav(join(r.dir, s.stems.binaural16k));
        const sr = stem.sampleRate;
        for (const f of meta.frames) {
          const d = f.sources.find((q: any) => q.sourceId === s.sourceId);
          if (Math.abs(d.azimuthDeg) < 20 || Math.abs(d.azimuthDeg) > 160) continue;
          const a = Math.round((f.time - 0.06) * sr), b = Math.round((f.time + 0.06) * sr);
          if (a < 0 || b > stem.channels[0].length) continue;
          const l = rms(stem.channels[0], a, b), rr = rms(stem.channels[1], a, b);
          if (l + rr < 1e-3) continue;
          expect(Math.sign(Math.log(l / rr))).toBe(Math.sign(d.azimuthDeg));
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(5);
  }, 180_000);
});

process.on('exit', () => rmSync(tmp, { recursive: true, force: true }));
