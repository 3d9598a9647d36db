import { describe, it, expect } from 'vitest';
import { FrameRing, PcmRing } from './ring';
import { planWindows, frameTimes, fitRects, validateDecode } from './windows';
import { toStereo, toMono } from './pcm';

describe('ring buffers', () => {
  it('FrameRing keeps the newest N frames in order and wraps without allocating', () => {
    const r = new FrameRing(3, 2, 1);
    for (let i = 0; i < 5; i++) r.push(new Uint8ClampedArray(8).fill(i), i / 10);
    expect(r.size).toBe(3);
    expect(r.totalWritten).toBe(5);
    expect(r.peek(0).data[0]).toBe(4);
    expect(r.peek(2).time).toBeCloseTo(0.2);
    const l = r.latest(5);
    expect(l.frames.map((f) => f[0])).toEqual([2, 3, 4]);
    expect(l.times).toEqual([0.2, 0.3, 0.4]);
    expect(() => r.push(new Uint8ClampedArray(7), 0)).toThrow(/7 bytes/);
  });

  it('PcmRing returns the newest samples across the wrap, per channel', () => {
    const r = new PcmRing(2, 5, 10);
    const block = (a: number, n: number) => [Float32Array.from({ length: n }, (_, i) => a + i), Float32Array.from({ length: n }, (_, i) => -(a + i))];
    r.push(block(0, 3));
    r.push(block(3, 4)); // wrote 0..6, ring holds 2..6
    expect(r.size).toBe(5);
    expect(Array.from(r.latest(5)[0])).toEqual([2, 3, 4, 5, 6]);
    expect(Array.from(r.latest(2)[1])).toEqual([-5, -6]);
    r.push(block(100, 12)); // longer than the ring: keeps its tail
    expect(Array.from(r.latest(5)[0])).toEqual([107, 108, 109, 110, 111]);
    expect(r.seconds).toBeCloseTo(0.5);
  });

  it('PcmRing reads a span by absolute sample index, zeros where it holds nothing', () => {
    const r = new PcmRing(2, 5, 10);
    const block = (a: number, n: number) => [Float32Array.from({ length: n }, (_, i) => a + i), Float32Array.from({ length: n }, (_, i) => -(a + i))];
    r.push(block(0, 3));
    r.push(block(3, 4)); // samples 0..6 written (value = index), the ring holds 2..6
    expect(Array.from(r.range(3, 6)[0])).toEqual([3, 4, 5]);
    expect(Array.from(r.range(3, 6)[1])).toEqual([-3, -4, -5]);
    expect(Array.from(r.range(0, 9)[0])).toEqual([0, 0, 2, 3, 4, 5, 6, 0, 0]); // overwritten / not yet written
    r.push(block(7, 4)); // across the wrap: holds 6..10
    expect(Array.from(r.range(5, 11)[0])).toEqual([0, 6, 7, 8, 9, 10]);
    expect(r.range(8, 8)[0]).toHaveLength(0);
    r.clear();
    expect(Array.from(r.range(9, 11)[0])).toEqual([0, 0]);
    expect(() => r.range(1.5, 3)).toThrow(/whole numbers/);
  });
});

describe('frame sampling plan', () => {
  it('8 fps over 3 s gives 24 frames; a 10-minute file becomes 150 windows of 32 frames', () => {
    expect(frameTimes(3, 8)).toHaveLength(24);
    expect(frameTimes(3.01, 8)).toHaveLength(25);
    const plan = planWindows(600, { fps: 8, windowSec: 4 });
    expect(plan).toHaveLength(150);
    expect(Math.max(...plan.map((w) => w.times.length))).toBe(32);
    expect(plan.reduce((a, w) => a + w.times.length, 0)).toBe(4800);
    expect(plan[149].end).toBeCloseTo(600);
  });

  it('aspect modes', () => {
    expect(fitRects(320, 240, 224, 224, 'squash')).toEqual({ src: [0, 0, 320, 240], dst: [0, 0, 224, 224] });
    expect(fitRects(320, 240, 224, 224, 'crop').src).toEqual([40, 0, 240, 240]);
    expect(fitRects(320, 240, 224, 224, 'pad').dst).toEqual([0, 28, 224, 168]);
    expect(fitRects(240, 320, 224, 224, 'pad').dst).toEqual([28, 0, 168, 224]);
    expect(() => validateDecode({ fps: 0 })).toThrow(/0 < fps <= 60/);
  });
});

describe('channel handling', () => {
  it('mono is duplicated and flagged non-binaural; stereo kept; 5.1 downmixed', () => {
    const m = toStereo([Float32Array.of(0.5, -0.5)]);
    expect(m.binaural).toBe(false);
    expect(Array.from(m.right)).toEqual([0.5, -0.5]);
    const s = toStereo([Float32Array.of(1, 0), Float32Array.of(0, 1)]);
    expect(s.binaural).toBe(true);
    expect(Array.from(toMono(s))).toEqual([0.5, 0.5]);
    // Centre-only 5.1 lands equally in both sides; left-surround only on the left.
    const z = () => new Float32Array(1);
    const c = toStereo([z(), z(), Float32Array.of(0.5), z(), z(), z()]);
    expect(c.left[0]).toBeCloseTo(c.right[0]);
    expect(c.left[0]).toBeGreaterThan(0);
    const ls = toStereo([z(), z(), z(), z(), Float32Array.of(0.5), z()]);
    expect(ls.left[0]).toBeGreaterThan(0);
    expect(ls.right[0]).toBe(0);
  });
});
