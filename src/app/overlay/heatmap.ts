/**
 * Turning a localization map into overlay pixels: which map belongs to the playhead, how values
 * become 0..1 (min-max per frame as the LVS protocol does, or paper 000's soft threshold
 * sigmoid((S - eps) / tau) on the raw cosine), and a colormap with transparency where nothing
 * sounds. Pure functions over typed arrays (tested in Node); the Player draws the result.
 */

export type Colormap = 'inferno' | 'jet' | 'gray';
export type OverlayMode = 'normalized' | 'threshold';

export interface OverlaySettings {
  colormap: Colormap;
  mode: OverlayMode;
  /** Soft threshold of paper 000 (eps 0.5, tau 0.03 in the public code). */
  eps: number;
  tau: number;
}

export const DEFAULT_OVERLAY: OverlaySettings = { colormap: 'inferno', mode: 'normalized', eps: 0.5, tau: 0.03 };

/** Index of the frame whose time is nearest to t (times ascending); -1 when there are none. */
export function nearestFrame(times: ArrayLike<number>, t: number): number {
  const n = times.length;
  if (n === 0) return -1;
  let lo = 0, hi = n - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (times[mid] < t) lo = mid + 1; else hi = mid;
  }
  if (lo > 0 && Math.abs(times[lo - 1] - t) <= Math.abs(times[lo] - t)) return lo - 1;
  return lo;
}

/** Map values -> [0, 1] by the chosen mode. */
export function normalizeMap(map: ArrayLike<number>, s: Pick<OverlaySettings, 'mode' | 'eps' | 'tau'>): Float32Array {
  const out = new Float32Array(map.length);
  if (s.mode === 'threshold') {
    for (let i = 0; i < map.length; i++) out[i] = 1 / (1 + Math.exp(-(map[i] - s.eps) / s.tau));
    return out;
  }
  let lo = Infinity, hi = -Infinity;
  for (let i = 0; i < map.length; i++) { lo = Math.min(lo, map[i]); hi = Math.max(hi, map[i]); }
  const span = hi - lo;
  for (let i = 0; i < map.length; i++) out[i] = span > 0 ? (map[i] - lo) / span : 0;
  return out;
}

// Colormap stops (value, r, g, b): inferno and jet approximated by a few linear segments.
const STOPS: Record<Colormap, [number, number, number, number][]> = {
  inferno: [[0, 0, 0, 4], [0.25, 87, 16, 110], [0.5, 188, 55, 84], [0.75, 249, 142, 9], [1, 252, 255, 164]],
  jet: [[0, 0, 0, 131], [0.125, 0, 0, 255], [0.375, 0, 255, 255], [0.625, 255, 255, 0], [0.875, 255, 0, 0], [1, 128, 0, 0]],
  gray: [[0, 0, 0, 0], [1, 255, 255, 255]],
};

export function colorOf(v: number, cmap: Colormap): [number, number, number] {
  const stops = STOPS[cmap];
  const x = Math.min(1, Math.max(0, Number.isFinite(v) ? v : 0));
  for (let k = 1; k < stops.length; k++) {
    const [x1, r1, g1, b1] = stops[k];
    if (x <= x1) {
      const [x0, r0, g0, b0] = stops[k - 1];
      const f = (x - x0) / (x1 - x0);
      return [Math.round(r0 + f * (r1 - r0)), Math.round(g0 + f * (g1 - g0)), Math.round(b0 + f * (b1 - b0))];
    }
  }
  const last = stops[stops.length - 1];
  return [last[1], last[2], last[3]];
}

/**
 * RGBA pixels [h, w, 4] of a map: colour by value, alpha rising with value so low values leave
 * the picture visible (alpha = 255 * v^0.75, the opacity slider scales the whole layer).
 */
export function mapToRgba(map: ArrayLike<number>, settings: OverlaySettings): Uint8ClampedArray<ArrayBuffer> {
  const v = normalizeMap(map, settings);
  const out = new Uint8ClampedArray(v.length * 4);
  for (let i = 0; i < v.length; i++) {
    const [r, g, b] = colorOf(v[i], settings.colormap);
    out[4 * i] = r; out[4 * i + 1] = g; out[4 * i + 2] = b;
    out[4 * i + 3] = Math.round(255 * Math.pow(v[i], 0.75));
  }
  return out;
}

/** Row and column of the map's maximum (the first one on ties), in map cells. */
export function peakCell(map: ArrayLike<number>, width: number): { row: number; col: number; value: number } {
  let best = 0;
  for (let i = 1; i < map.length; i++) if (map[i] > map[best]) best = i;
  return { row: Math.floor(best / width), col: best % width, value: map[best] };
}
