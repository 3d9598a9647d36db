import { describe, it, expect } from 'vitest';
import { parseShareLink, encodeShareLink, DEFAULT_SHARE, LEGACY_REFINE, MAX_LENGTH, type ShareState } from './link';
import { DETECTOR_FRAME, LEGACY_DETECTOR_FRAME } from '../models/detectorFrame';
import { rng } from '../testing/compare';

const full: ShareState = {
  v: 1, model: 'lvs-synth', sha: 'a'.repeat(64), method: 'lvs', eps: 0.65, tau: 0.03, T: 5, fps: 8, aspect: 'crop',
  clip: { kind: 'url', url: 'https://example.org/clips/a%20b.webm?x=1' }, t: 1.25, opacity: 0.4, cmap: 'jet', mode: 'threshold', ov: false, spec: false,
  hash: 'b'.repeat(64), grids: '0f3a', refine: 'ecc', det: 448,
};

describe('share links', () => {
  it('round-trips every field through the canonical encoding', () => {
    const link = encodeShareLink(full);
    const r = parseShareLink(`https://egosound.example/${link}`);
    expect(r.ok).toBe(true);
    expect(r.state).toEqual(full);
    expect(encodeShareLink(r.state)).toBe(link);
    expect(encodeShareLink(DEFAULT_SHARE)).toBe(`?v=1&refine=none&det=${DETECTOR_FRAME}`);
    expect(parseShareLink('?v=1&clip=demo:demo').state.clip).toEqual({ kind: 'demo', id: 'demo' });
  });

  it("writes the homographies' refinement always, and reads a link without it as made with ECC (links before the default changed)", () => {
    const now = { ...full, refine: 'none' as const };
    expect(encodeShareLink(now)).toMatch(/&refine=none&det=448$/);
    expect(parseShareLink(encodeShareLink(now)).state).toEqual(now);
    const old = encodeShareLink(full).replace('&refine=ecc', '');
    expect(old).not.toMatch(/refine/);
    const r = parseShareLink(old);
    expect(r.ok).toBe(true);
    expect(LEGACY_REFINE).toBe('ecc');
    expect(r.state).toEqual({ ...full, refine: 'ecc' });
    expect(parseShareLink('?v=1&clip=demo:demo&method=full').state.refine).toBe('ecc');
    expect(parseShareLink('?v=1&refine=fast').ok).toBe(false);
  });

  it("writes the detector's frame side always, and reads a link without it as made with the frame filling the input (links before it was shown smaller)", () => {
    const now = { ...full, det: DETECTOR_FRAME };
    expect(encodeShareLink(now)).toMatch(new RegExp(`&det=${DETECTOR_FRAME}$`));
    expect(parseShareLink(encodeShareLink(now)).state).toEqual(now);
    const old = encodeShareLink(full).replace('&det=448', '');
    expect(old).not.toMatch(/det=/);
    const r = parseShareLink(old);
    expect(r.ok).toBe(true);
    expect(LEGACY_DETECTOR_FRAME).toBe(512);
    expect(r.state).toEqual({ ...full, det: 512 });
    for (const bad of ['500', '0', '520', '392.0', '-8', '0392', 'big']) expect(parseShareLink(`?v=1&det=${bad}`).ok, bad).toBe(false);
    expect(parseShareLink('?v=1&det=256').state.det).toBe(256);
  });

  it('names each problem and falls back to the default view', () => {
    const cases: [string, RegExp][] = [
      ['?v=2', /"v" must be 1/],
      ['?foo=1', /unknown parameter "foo"/],
      ['?eps=0.5&eps=0.6', /more than once/],
      ['?eps=2', /\[0, 1\]/],
      ['?eps=NaN', /must be a number/],
      ['?eps=1e3', /must be a number/],
      ['?T=0', /integer in \[1, 16\]/],
      ['?sha=xyz', /64 lowercase hex/],
      ['?clip=http://insecure.example/a.mp4', /demo:<id> or an https/],
      ['?clip=javascript:alert(1)', /demo:<id> or an https/],
      ['?clip=https://user:pw@example.org/a.mp4', /demo:<id> or an https/],
      ['?model=<script>alert(1)</script>', /model id/],
      ['?__proto__=1', /unknown parameter "__proto__"/],
      ['?constructor=x', /unknown parameter/],
      ['?t=%E0%A4%A', /percent-encoding/],
      ['?' + 'x'.repeat(MAX_LENGTH + 1), /at most 2048/],
      ['?cmap=viridis', /one of inferno, jet, gray/],
      ['?hash=' + 'c'.repeat(64), /come together/],
      ['?grids=0g', /hex digits/],
      ['?refine=ECC', /one of ecc, none/],
      ['?det=500', /multiple of 8 from 8 to 512/],
    ];
    for (const [link, why] of cases) {
      const r = parseShareLink(link);
      expect(r.ok, link).toBe(false);
      if (!r.ok) expect(r.problems.join('; '), link).toMatch(why);
      expect(r.state, link).toEqual(DEFAULT_SHARE);
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('fuzz: thousands of random and hostile links never throw and only ever yield validated values', () => {
    const r = rng(20261122);
    const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789=&?%#.:/-_+<>"\'`;(){}[] \u0000\u202e\ud800';
    const keys = ['v', 'model', 'sha', 'method', 'eps', 'tau', 'T', 'fps', 'aspect', 'clip', 't', 'opacity', 'cmap', 'mode', 'ov', 'spec', 'hash', 'grids', 'refine', 'det', '__proto__', 'prototype', 'constructor', 'toString', ''];
    const hostile = ['<img src=x onerror=alert(1)>', 'javascript:alert(1)', 'data:text/html,hi', '%00', '%', '%%', '1e309', '-0', 'Infinity', '0x10', '１', 'https://a.b/' + 'x'.repeat(2000), 'https://a.b/#frag', 'demo:../../etc/passwd'];
    let accepted = 0;
    for (let i = 0; i < 5000; i++) {
      let link: string;
      if (i % 2 === 0) {
        link = Array.from({ length: Math.floor(r() * 120) }, () => alphabet[Math.floor(r() * alphabet.length)]).join('');
      } else {
        const n = 1 + Math.floor(r() * 6);
        link = '?' + Array.from({ length: n }, () => {
          const k = keys[Math.floor(r() * keys.length)];
          const v = r() < 0.5 ? hostile[Math.floor(r() * hostile.length)] : String(Math.round(r() * 100) / (r() < 0.5 ? 100 : 1));
          return `${k}=${r() < 0.5 ? encodeURIComponent(v) : v}`;
        }).join('&');
      }
      const res = parseShareLink(link);
      const s = res.state;
      // Whatever came in, what goes out is well-typed and in range.
      expect(Object.keys(s).sort()).toEqual(Object.keys(DEFAULT_SHARE).sort());
      expect(s.eps >= 0 && s.eps <= 1 && s.tau > 0 && s.T >= 1 && s.T <= 16).toBe(true);
      expect(['squash', 'crop', 'pad']).toContain(s.aspect);
      expect(/^[a-z0-9][a-z0-9._-]*$/.test(s.model)).toBe(true);
      if (s.clip?.kind === 'url') expect(s.clip.url.startsWith('https://')).toBe(true);
      if (s.clip?.kind === 'demo') expect(/^[a-z0-9][a-z0-9._-]*$/.test(s.clip.id)).toBe(true);
      expect(['inferno', 'jet', 'gray']).toContain(s.cmap);
      expect(['normalized', 'threshold']).toContain(s.mode);
      expect(['ecc', 'none']).toContain(s.refine);
      expect(Number.isInteger(s.det) && s.det > 0 && s.det <= 512 && s.det % 8 === 0).toBe(true);
      if (s.hash !== null) expect(/^[0-9a-f]{64}$/.test(s.hash) && /^[0-9a-f]+$/.test(s.grids ?? '')).toBe(true);
      if (res.ok) accepted++;
      else expect(res.problems.length).toBeGreaterThan(0);
      // The encoding of any accepted state parses back to itself.
      if (res.ok) expect(parseShareLink(encodeShareLink(s)).state).toEqual(s);
    }
    expect(accepted).toBeGreaterThan(50); // the generator does produce valid links too
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
