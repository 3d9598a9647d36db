import { describe, it, expect } from 'vitest';
import { nearestFrame, normalizeMap, colorOf, mapToRgba, peakCell, DEFAULT_OVERLAY } from './heatmap';

describe('overlay heat map', () => {
  it('finds the frame nearest the playhead', () => {
    const t = [0, 0.125, 0.25, 0.375];
    expect(nearestFrame(t, -1)).toBe(0);
    expect(nearestFrame(t, 0.06)).toBe(0);
    expect(nearestFrame(t, 0.07)).toBe(1);
    expect(nearestFrame(t, 0.3)).toBe(2);
    expect(nearestFrame(t, 9)).toBe(3);
    expect(nearestFrame([], 1)).toBe(-1);
  });

  it('normalizes min-max per frame, or applies the soft threshold sigmoid((S - eps) / tau)', () => {
    expect(Array.from(normalizeMap([0.2, 0.4, 0.6], { ...DEFAULT_OVERLAY, mode: 'normalized' }))).toEqual([0, 0.5, 1].map((x) => Math.fround(x)));
    expect(Array.from(normalizeMap([3, 3], DEFAULT_OVERLAY))).toEqual([0, 0]);
    const th = normalizeMap([0.5, 0.56, 0.44], { mode: 'threshold', eps: 0.5, tau: 0.03 });
    expect(th[0]).toBeCloseTo(0.5, 6);
    expect(th[1]).toBeCloseTo(1 / (1 + Math.exp(-2)), 6);
    expect(th[2]).toBeCloseTo(1 / (1 + Math.exp(2)), 6);
  });

  it('colours: ends of each colormap, monotone brightness for inferno, transparent where zero', () => {
    expect(colorOf(0, 'gray')).toEqual([0, 0, 0]);
    expect(colorOf(1, 'gray')).toEqual([255, 255, 255]);
    expect(colorOf(0.5, 'jet')).toEqual([128, 255, 128]);
    const lum = [0, 0.2, 0.4, 0.6, 0.8, 1].map((v) => { const [r, g, b] = colorOf(v, 'inferno'); return 0.299 * r + 0.587 * g + 0.114 * b; });
    for (let k = 1; k < lum.length; k++) expect(lum[k]).toBeGreaterThan(lum[k - 1]);
    const px = mapToRgba([0, 1], DEFAULT_OVERLAY);
    expect(px[3]).toBe(0);
    expect(px[7]).toBe(255);
  });

  it('peak cell', () => {
    expect(peakCell([0, 5, 1, 5], 2)).toEqual({ row: 0, col: 1, value: 5 });
  });
});
