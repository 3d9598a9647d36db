/**
 * Behaviour of the synthetic benchmark generator on real Debian assets (fetched into the cache
 * by the generator's own code on first use: apt-get download + dpkg-deb -x).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Catalog, buildCatalog } from './assets.ts';
import { buildScene, validateOptions, writeClip } from './clip.ts';
import { renderFrame } from './render.ts';
import { decodePng } from './png.ts';
import { readWav } from './wav.ts';
import { type Mat3, apply, inv } from './mat3.ts';

let cat: Catalog;
const tmp = mkdtempSync(join(tmpdir(), 'egosound-ground-truth-'));

beforeAll(() => {
  cat = buildCatalog((s) => console.log(s));
}, 600_000);

const SHORT = { seconds: 2, video: [] as ('webm' | 'mp4')[], stems: true };


describe('ground truth', () => {
  it('the sounding object box contains every pixel the object changes, in sampled frames', () => {
    const opts = validateOptions({ ...SHORT, distractors: 2, blur: 0.5, motion: 1.2 });
    let checkedFrames = 0;
    for (const index of [3, 4]) {
      const r = writeClip(cat, join(tmp, 'box'), 'train', 5, index, opts);
      const meta = r.meta as any;
      const scene = buildScene(cat, 'train', 5, index, opts);
      const W = opts.width, H = opts.height;
      for (const fi of [0, 7, 15]) {
        const f = meta.frames[fi];
        const drawn = decodePng(readFileSync(join(r.dir, f.image)));
        for (const o of f.objects.filter((x: any) => x.sounding)) {
          const without = renderFrame(scene.render, f.time, new Set([o.instanceId]));
          let changed = 0, outside = 0;
          for (let y = 0; y < H; y++)
            for (let x = 0; x < W; x++) {
              const p = (y * W + x) * 3;
              const d = Math.max(...[0, 1, 2].map((c) => Math.abs(drawn.data[p + c] - without.rgb[p + c])));
              if (d > 3) {
                changed++;
                const b = o.box;
                if (!b || x < b[0] || x > b[2] || y < b[1] || y > b[3]) outside++;
              }
            }
          expect(outside).toBe(0);
          if (o.visible && o.maskArea > 0.01) {
            expect(changed).toBeGreaterThan(0);
            checkedFrames++;
          }
          // the mask labels of the instance lie inside its box too
          const mask = decodePng(readFileSync(join(r.dir, f.mask)));
          let maskOutside = 0;
          for (let p = 0; p < W * H; p++)
            if (mask.data[p] === o.instanceId) {
              const x = p % W, y = Math.floor(p / W);
              if (!(x >= o.box[0] && x <= o.box[2] && y >= o.box[1] && y <= o.box[3])) maskOutside++;
            }
          expect(maskOutside).toBe(0);
        }
      }
    }
    expect(checkedFrames).toBeGreaterThan(2);
  }, 120_000);

  it('H_to_next maps background pixels of frame t onto frame t+1 to within a fraction of a pixel', () => {
    const opts = validateOptions({ ...SHORT, blur: 0, motion: 1.3, distractors: 0 });
    const r = writeClip(cat, join(tmp, 'hom'), 'train', 9, 1, opts);
    const meta = r.meta as any;
    const W = opts.width, H = opts.height;
    const gray = (img: { data: Uint8Array }) => Float32Array.from({ length: W * H }, (_, i) => (img.data[i * 3] + img.data[i * 3 + 1] + img.data[i * 3 + 2]) / 3);
    let moved = 0;
    for (const t of [0, 5, 11]) {
      const f0 = meta.frames[t], f1 = meta.frames[t + 1];
      const a = gray(decodePng(readFileSync(join(r.dir, f0.image))));
      const b = gray(decodePng(readFileSync(join(r.dir, f1.image))));
      const m0 = decodePng(readFileSync(join(r.dir, f0.mask))).data, m1 = decodePng(readFileSync(join(r.dir, f1.mask))).data;
      const Hn: Mat3 = f0.H_to_next;
      moved += Math.hypot(apply(Hn, W / 2, H / 2)[0] - W / 2, apply(Hn, W / 2, H / 2)[1] - H / 2);
      // mean |b(p) - a(H^-1 p)| over background pixels well inside both frames, for H and for H shifted by 0.5 px
      const err = (Hm: Mat3) => {
        const Hi = inv(Hm);
        let s = 0, n = 0;
        for (let y = 4; y < H - 4; y++)
          for (let x = 4; x < W - 4; x++) {
            if (m1[y * W + x] !== 0) continue;
            const [u, v] = apply(Hi, x, y);
            if (u < 4 || v < 4 || u > W - 5 || v > H - 5) continue;
            const x0 = Math.floor(u), y0 = Math.floor(v), fx = u - x0, fy = v - y0;
            if (m0[y0 * W + x0] || m0[y0 * W + x0 + 1] || m0[(y0 + 1) * W + x0] || m0[(y0 + 1) * W + x0 + 1]) continue;
            const val = a[y0 * W + x0] * (1 - fx) * (1 - fy) + a[y0 * W + x0 + 1] * fx * (1 - fy) + a[(y0 + 1) * W + x0] * (1 - fx) * fy + a[(y0 + 1) * W + x0 + 1] * fx * fy;
            s += Math.abs(val - b[y * W + x]);
            n++;
          }
        expect(n).toBeGreaterThan(W * H * 0.3);
        return s / n;
      };
      const shift = (dx: number, dy: number): Mat3 => {
        const T: Mat3 = [1, 0, dx, 0, 1, dy, 0, 0, 1];
        const out = new Array(9).fill(0);
        for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) for (let k = 0; k < 3; k++) out[i * 3 + j] += T[i * 3 + k] * Hn[k * 3 + j];
        return out;
      };
      const e = err(Hn);
      for (const [dx, dy] of [[0.5, 0], [-0.5, 0], [0, 0.5], [0, -0.5]]) expect(e).toBeLessThan(err(shift(dx, dy)));
      // and against identity (the camera does move)
      expect(e).toBeLessThan(err([1, 0, 0, 0, 1, 0, 0, 0, 1]));
    }
    expect(moved).toBeGreaterThan(1);
  }, 120_000);

  it('per-segment labels follow the sources, and stems sum to the mix', () => {
    const r = writeClip(cat, join(tmp, 'seg'), 'val', 3, 2, { ...SHORT });
    const meta = r.meta as any;
    const mix = readWav(join(r.dir, meta.audio.binaural16k));
    const stems = meta.sources.map((s: any) => readWav(join(r.dir, s.stems.binaural16k)));
    let maxd = 0;
    for (let c = 0; c < 2; c++)
      for (let i = 0; i < mix.channels[c].length; i++) {
        let v = 0;
        for (const s of stems) v += s.channels[c][i];
        maxd = Math.max(maxd, Math.abs(v - mix.channels[c][i]));
      }
    expect(maxd).toBeLessThan((stems.length + 1) / 32767);
    for (const seg of meta.segments)
      for (const s of meta.sources) expect(seg.activeSources.includes(s.sourceId)).toBe(s.activeSegments[seg.start]);
  }, 120_000);
});

process.on('exit', () => rmSync(tmp, { recursive: true, force: true }));
