/**
 * Direction features of a binaural window (the heard-object localizer's input, models/heard.ts; also
 * the probes tools/models/probe-ground.ts and probe-direction.ts): what a two-ear recording says
 * about where a sound comes from, whatever the sound is.
 *
 * - Interaural level difference per band: 10 log10 of the left over the right power summed over the
 *   window's STFT frames, in BANDS log-spaced bands from 100 Hz to 8 kHz (the head shadow grows with
 *   frequency, so the bands carry the azimuth at several strengths).
 * - GCC-PHAT: the cross-spectrum of the two ears summed over the frames, whitened (each bin divided by
 *   its magnitude) and transformed back, at lags -MAX_LAG..MAX_LAG samples (the interaural time
 *   difference of a human head is at most ~0.7 ms, 11 samples at 16 kHz).
 *
 * STFT: N_FFT-point periodic Hann frames, hop N_FFT / 2, no padding. Plain JavaScript: a few hundred
 * FFTs per window, cheap next to the trunk.
 */
export const N_FFT = 512;
export const BANDS = 32;
export const MAX_LAG = 20;
export const BINAURAL_FEATURES = BANDS + 2 * MAX_LAG + 1;

/** In-place radix-2 FFT of (re, im), length a power of two; inverse without the 1/n scale. */
export function fft(re: Float64Array, im: Float64Array, inverse = false): void {
  const n = re.length;
  if (n & (n - 1)) throw new Error(`fft: length ${n} is not a power of two`);
  for (let i = 1, j = 0; i < n; i++) {
    let bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) {
      [re[i], re[j]] = [re[j], re[i]];
      [im[i], im[j]] = [im[j], im[i]];
    }
  }
  for (let len = 2; len <= n; len <<= 1) {
    const ang = ((inverse ? 2 : -2) * Math.PI) / len;
    const wr = Math.cos(ang), wi = Math.sin(ang);
    for (let s = 0; s < n; s += len) {
      let cr = 1, ci = 0;
      for (let k = 0; k < len / 2; k++) {
        const a = s + k, b = a + len / 2;
        const tr = re[b] * cr - im[b] * ci, ti = re[b] * ci + im[b] * cr;
        re[b] = re[a] - tr; im[b] = im[a] - ti;
        re[a] += tr; im[a] += ti;
        const nr = cr * wr - ci * wi;
        ci = cr * wi + ci * wr;
        cr = nr;
      }
    }
  }
}

/** Band edges in FFT bins for a sample rate: BANDS log-spaced bands between 100 Hz and min(8 kHz, Nyquist). */
function bandEdges(sampleRate: number): number[] {
  const lo = 100, hi = Math.min(8000, sampleRate / 2);
  const edges: number[] = [];
  for (let b = 0; b <= BANDS; b++) edges.push(Math.min(N_FFT / 2, Math.max(1, Math.round(((lo * (hi / lo) ** (b / BANDS)) / sampleRate) * N_FFT))));
  for (let b = 1; b <= BANDS; b++) if (edges[b] <= edges[b - 1]) edges[b] = edges[b - 1] + 1;
  return edges;
}

/**
 * [ILD per band (dB, clipped to +-30), GCC-PHAT at lags -MAX_LAG..MAX_LAG] of the two channels
 * (same length, at least N_FFT samples). A silent window gives zeros.
 */
export function binauralFeatures(left: Float32Array, right: Float32Array, sampleRate: number): Float32Array {
  if (left.length !== right.length || left.length < N_FFT) throw new Error(`binauralFeatures: channels of ${left.length} and ${right.length} samples (need equal, >= ${N_FFT})`);
  const half = N_FFT / 2;
  const win = new Float64Array(N_FFT).map((_, i) => 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / N_FFT));
  const pl = new Float64Array(half + 1), pr = new Float64Array(half + 1);
  const xr = new Float64Array(N_FFT), xi = new Float64Array(N_FFT);
  const lr = new Float64Array(N_FFT), li = new Float64Array(N_FFT), rr = new Float64Array(N_FFT), ri = new Float64Array(N_FFT);
  for (let s = 0; s + N_FFT <= left.length; s += half) {
    for (let i = 0; i < N_FFT; i++) { lr[i] = left[s + i] * win[i]; li[i] = 0; rr[i] = right[s + i] * win[i]; ri[i] = 0; }
    fft(lr, li);
    fft(rr, ri);
    for (let k = 0; k < N_FFT; k++) {
      // cross-spectrum L conj(R)
      xr[k] += lr[k] * rr[k] + li[k] * ri[k];
      xi[k] += li[k] * rr[k] - lr[k] * ri[k];
      if (k <= half) { pl[k] += lr[k] ** 2 + li[k] ** 2; pr[k] += rr[k] ** 2 + ri[k] ** 2; }
    }
  }
  const out = new Float32Array(BINAURAL_FEATURES);
  const edges = bandEdges(sampleRate);
  const floor = 1e-10;
  for (let b = 0; b < BANDS; b++) {
    let sl = 0, sr = 0;
    for (let k = edges[b]; k < edges[b + 1]; k++) { sl += pl[k]; sr += pr[k]; }
    out[b] = sl + sr > floor ? Math.max(-30, Math.min(30, 10 * Math.log10((sl + floor) / (sr + floor)))) : 0;
  }
  for (let k = 0; k < N_FFT; k++) {
    const m = Math.hypot(xr[k], xi[k]);
    if (m > floor) { xr[k] /= m; xi[k] /= m; } else { xr[k] = 0; xi[k] = 0; }
  }
  fft(xr, xi, true);
  // xr[lag] is the correlation of L(t) with R(t - lag): positive when the left ear hears it later
  for (let lag = -MAX_LAG; lag <= MAX_LAG; lag++) out[BANDS + lag + MAX_LAG] = xr[(lag + N_FFT) % N_FFT] / N_FFT;
  return out;
}

/** Values per segment in binauralSegments: the segment's binauralFeatures and its level. */
export const SEGMENT_FEATURES = BINAURAL_FEATURES + 1;

/**
 * The window's features split in time: row 0 the whole window's binauralFeatures, rows 1..segments
 * those of its equal consecutive parts, each followed by its level in dB relative to the whole
 * window's mean power over both ears (clipped to [-60, 20]; 0 for row 0 and for a silent window).
 * Two sources take turns within a window (a sounding object's events, an off-screen source), and
 * the parts where one dominates carry its direction unmixed; the whole window's sums do not.
 * [(segments + 1) * SEGMENT_FEATURES], row-major.
 */
export function binauralSegments(left: Float32Array, right: Float32Array, sampleRate: number, segments: number): Float32Array {
  const len = Math.floor(left.length / segments);
  if (!Number.isInteger(segments) || segments < 1 || len < N_FFT) throw new Error(`binauralSegments: ${left.length} samples do not split into ${segments} parts of >= ${N_FFT}`);
  const power = (l: Float32Array, r: Float32Array) => { let s = 0; for (let i = 0; i < l.length; i++) s += l[i] * l[i] + r[i] * r[i]; return s / l.length; };
  const out = new Float32Array((segments + 1) * SEGMENT_FEATURES);
  out.set(binauralFeatures(left, right, sampleRate), 0);
  const whole = power(left, right);
  for (let k = 0; k < segments; k++) {
    const l = left.subarray(k * len, (k + 1) * len), r = right.subarray(k * len, (k + 1) * len);
    const at = (k + 1) * SEGMENT_FEATURES;
    out.set(binauralFeatures(l, r, sampleRate), at);
    out[at + BINAURAL_FEATURES] = whole > 1e-20 ? Math.max(-60, Math.min(20, 10 * Math.log10((power(l, r) + 1e-20) / whole))) : 0;
  }
  return out;
}
