/**
 * The committed fixture clips (e2e/fixtures/clips/) are self-consistent: these checks need no
 * Debian assets and no ffmpeg, so they run on any fresh checkout.
 */
import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodePng } from './png.ts';
import { readWav } from './wav.ts';
import { type Mat3, apply, inv, mul } from './mat3.ts';

const DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'e2e', 'fixtures', 'clips');
const clips = readdirSync(DIR).filter((n) => statSync(join(DIR, n)).isDirectory()).sort();
const metaOf = (c: string) => JSON.parse(readFileSync(join(DIR, c, 'meta.json'), 'utf8'));

function rms(x: Float32Array, a = 0, b = x.length): number {
  let s = 0;
  for (let i = a; i < b; i++) s += x[i] * x[i];
  return Math.sqrt(s / Math.max(1, b - a));
}

describe('fixture clips', () => {
  it('exist, are small, and every file meta.json names is there', () => {
    expect(clips.length).toBeGreaterThanOrEqual(3);
    let total = 0;
    for (const c of clips) {
      const m = metaOf(c);
      const named = [m.audio.binaural16k, m.audio.mono11k, m.video.webm, m.video.mp4, ...m.frames.flatMap((f: any) => [f.image, f.mask]),
        ...m.sources.flatMap((s: any) => (s.stems ? [s.stems.binaural16k, s.stems.mono11k] : []))].filter(Boolean);
      for (const f of named) {
        expect(existsSync(join(DIR, c, f)), `${c}/${f}`).toBe(true);
        total += statSync(join(DIR, c, f)).size;
      }
    }
    expect(total).toBeLessThan(5e6);
  });

  it('videos are WebM (EBML) / MP4 (ftyp) files', () => {
    for (const c of clips) {
      const m = metaOf(c);
      if (m.video.webm) expect(readFileSync(join(DIR, c, m.video.webm)).subarray(0, 4).toString('hex')).toBe('1a45dfa3');
      if (m.video.mp4) expect(readFileSync(join(DIR, c, m.video.mp4)).subarray(4, 8).toString('ascii')).toBe('ftyp');
    }
  });

  it('mask pixels of every object lie inside its box, and box areas match', () => {
    for (const c of clips) {
      const m = metaOf(c);
      const { width: W, height: H } = m.config;
      for (const f of m.frames) {
        const mask = decodePng(readFileSync(join(DIR, c, f.mask)));
        expect([mask.width, mask.height, mask.channels]).toEqual([W, H, 1]);
        for (const o of f.objects) {
          let n = 0, outside = 0;
          for (let p = 0; p < W * H; p++)
            if (mask.data[p] === o.instanceId) {
              n++;
              const x = p % W, y = Math.floor(p / W);
              if (!(x >= o.box[0] && x <= o.box[2] && y >= o.box[1] && y <= o.box[3])) outside++;
            }
          expect(outside).toBe(0);
          expect(Math.abs(n / (W * H) - o.maskArea)).toBeLessThan(1e-5);
        }
      }
    }
  });

  it('H_to_first(t+1) * H_to_next(t) = H_to_first(t)', () => {
    for (const c of clips) {
      const m = metaOf(c);
      const { width: W, height: H } = m.config;
      for (let t = 0; t + 1 < m.frames.length; t++) {
        const A: Mat3 = mul(m.frames[t + 1].H_to_first, m.frames[t].H_to_next);
        for (const [x, y] of [[0, 0], [W - 1, 0], [W / 2, H / 2], [0, H - 1]]) {
          const [u, v] = apply(A, x, y), [u2, v2] = apply(m.frames[t].H_to_first, x, y);
          expect(Math.hypot(u - u2, v - v2)).toBeLessThan(1e-3);
        }
      }
    }
  });

  it('the homography aligns background pixels of consecutive lossless frames better than half-pixel shifts of it', () => {
    const c = clips.find((n) => metaOf(n).frames[0].image)!;
    const m = metaOf(c);
    const { width: W, height: H } = m.config;
    const gray = (rel: string) => {
      const img = decodePng(readFileSync(join(DIR, c, rel)));
      return Float32Array.from({ length: W * H }, (_, i) => (img.data[i * 3] + img.data[i * 3 + 1] + img.data[i * 3 + 2]) / 3);
    };
    for (const t of [0, 6, 12]) {
      const a = gray(m.frames[t].image), b = gray(m.frames[t + 1].image);
      const m0 = decodePng(readFileSync(join(DIR, c, m.frames[t].mask))).data, m1 = decodePng(readFileSync(join(DIR, c, m.frames[t + 1].mask))).data;
      const err = (Hm: Mat3) => {
        const Hi = inv(Hm);
        let s = 0, n = 0;
        for (let y = 4; y < H - 4; y++)
          for (let x = 4; x < W - 4; x++) {
            if (m1[y * W + x]) continue;
            const [u, v] = apply(Hi, x, y);
            if (u < 4 || v < 4 || u > W - 5 || v > H - 5) continue;
            const x0 = Math.floor(u), y0 = Math.floor(v), fx = u - x0, fy = v - y0, i = y0 * W + x0;
            if (m0[i] || m0[i + 1] || m0[i + W] || m0[i + W + 1]) continue;
            s += Math.abs(a[i] * (1 - fx) * (1 - fy) + a[i + 1] * fx * (1 - fy) + a[i + W] * (1 - fx) * fy + a[i + W + 1] * fx * fy - b[y * W + x]);
            n++;
          }
        return s / n;
      };
      const Hn: Mat3 = m.frames[t].H_to_next;
      const e = err(Hn);
      for (const [dx, dy] of [[0.5, 0], [-0.5, 0], [0, 0.5], [0, -0.5]]) expect(e).toBeLessThan(err(mul([1, 0, dx, 0, 1, dy, 0, 0, 1], Hn)));
    }
  });

  it('stems: a source left of the head is louder in the left channel', () => {
    let checked = 0;
    for (const c of clips) {
      const m = metaOf(c);
      for (const s of m.sources) {
        if (!s.stems) continue;
        const st = readWav(join(DIR, c, s.stems.binaural16k));
        for (const f of m.frames) {
          const d = f.sources.find((q: any) => q.sourceId === s.sourceId);
          if (Math.abs(d.azimuthDeg) < 20 || Math.abs(d.azimuthDeg) > 160) continue;
          const a = Math.round((f.time - 0.06) * st.sampleRate), b = Math.round((f.time + 0.06) * st.sampleRate);
          if (a < 0 || b > st.channels[0].length) continue;
          const l = rms(st.channels[0], a, b), r = rms(st.channels[1], a, b);
          if (l + r < 1e-3) continue;
          expect(Math.sign(Math.log(l / r))).toBe(Math.sign(d.azimuthDeg));
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(0);
  });

  it('the licence manifest covers every asset the clips use', () => {
    const man = JSON.parse(readFileSync(join(DIR, 'manifest.json'), 'utf8'));
    const ids = new Map<string, any>(man.assets.map((a: any) => [a.id, a]));
    for (const c of clips) {
      const m = metaOf(c);
      for (const id of [m.background.assetId, ...m.objects.map((o: any) => o.assetId), ...m.sources.map((s: any) => s.assetId)]) {
        const a = ids.get(id);
        expect(a, id).toBeTruthy();
        expect(a.licence).toMatch(/\S/);
        expect(a.licence).not.toBe('UNKNOWN');
        expect(a.package).toMatch(/\S/);
        expect(a.files.length).toBeGreaterThan(0);
      }
    }
    expect(existsSync(join(DIR, 'LICENSES.md'))).toBe(true);
  });

  it('the demo clip in public/demo has a licence entry for every asset it uses', () => {
    const demo = resolve(DIR, '..', '..', '..', 'public', 'demo');
    const m = JSON.parse(readFileSync(join(demo, 'demo.meta.json'), 'utf8'));
    const man = JSON.parse(readFileSync(join(demo, 'manifest.json'), 'utf8'));
    const ids = new Map<string, any>(man.assets.map((a: any) => [a.id, a]));
    for (const id of [m.background.assetId, ...m.objects.map((o: any) => o.assetId), ...m.sources.map((s: any) => s.assetId), 'hrtf:mit-kemar-normal-pinna']) {
      expect(ids.get(id)?.licence, id).toMatch(/\S/);
      expect(ids.get(id).licence).not.toBe('UNKNOWN');
    }
    expect(readFileSync(join(demo, m.video.webm)).subarray(0, 4).toString('hex')).toBe('1a45dfa3');
    expect(statSync(join(demo, m.video.webm)).size).toBeLessThan(2e6);
  });
});
