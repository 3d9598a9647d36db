/**
 * CPU references for the DSP stages (DESIGN.md #2): plain loops in float64, no tfjs. The GPU
 * versions in stft.ts / logfreq.ts / mel.ts are tested against these in Node and in Chromium.
 *
 * Layout conventions (same as the GPU path):
 *   STFT   re, im: [frames F, bins K]   K = nFft/2 + 1, row-major
 *   logfreq       [outFreq, outTime]    row 0 = lowest frequency
 *   log-mel       [frames F, nMels]     Kaldi layout
 */
import { validateStft, validateMel, validateLogFreq, type StftConfig, type MelConfig, type LogFreqConfig } from './config';
import { makeWindow, frameCount, reflectPad } from './window';

export interface Spectrum { re: Float64Array; im: Float64Array; frames: number; bins: number }

/** Direct DFT of each windowed frame (O(F * N * K): a reference, not a fast path). */
export function stftRef(x: Float32Array | Float64Array, config: Partial<StftConfig> = {}): Spectrum {
  const c = validateStft(config);
  const N = c.nFft;
  const K = N / 2 + 1;
  const p = c.center ? N / 2 : 0;
  const xp = c.center ? reflectPad(x, p) : Float64Array.from(x);
  const F = frameCount(x.length, N, c.hop, c.center);
  const w = makeWindow(c.window, N);
  const cos = new Float64Array(N * K);
  const sin = new Float64Array(N * K);
  for (let n = 0; n < N; n++) {
    for (let k = 0; k < K; k++) {
      const a = (2 * Math.PI * ((n * k) % N)) / N;
      cos[n * K + k] = Math.cos(a);
      sin[n * K + k] = Math.sin(a);
    }
  }
  const re = new Float64Array(F * K);
  const im = new Float64Array(F * K);
  const frame = new Float64Array(N);
  for (let f = 0; f < F; f++) {
    for (let n = 0; n < N; n++) frame[n] = xp[f * c.hop + n] * w[n];
    for (let k = 0; k < K; k++) {
      let sr = 0;
      let si = 0;
      for (let n = 0; n < N; n++) {
        sr += frame[n] * cos[n * K + k];
        si -= frame[n] * sin[n * K + k];
      }
      re[f * K + k] = sr;
      im[f * K + k] = si;
    }
  }
  return { re, im, frames: F, bins: K };
}

export function magnitudeRef(s: Spectrum): Float64Array {
  const m = new Float64Array(s.re.length);
  for (let i = 0; i < m.length; i++) m[i] = Math.hypot(s.re[i], s.im[i]);
  return m;
}

/**
 * Inverse STFT: inverse real DFT of each frame, synthesis window, overlap-add, division by the
 * summed squared window (least-squares ISTFT, Griffin & Lim 1984), centre padding removed.
 */
export function istftRef(s: Spectrum, config: Partial<StftConfig> = {}, length?: number): Float64Array {
  const c = validateStft(config);
  const N = c.nFft;
  const K = N / 2 + 1;
  if (s.bins !== K) throw new RangeError(`spectrum has ${s.bins} bins, nFft ${N} needs ${K}`);
  const p = c.center ? N / 2 : 0;
  const outLen = length ?? (s.frames - 1) * c.hop + N - 2 * p;
  const w = makeWindow(c.window, N);
  const acc = new Float64Array((s.frames - 1) * c.hop + N);
  const wss = new Float64Array(acc.length);
  const frame = new Float64Array(N);
  for (let f = 0; f < s.frames; f++) {
    for (let n = 0; n < N; n++) {
      let v = 0;
      for (let k = 0; k < K; k++) {
        const ck = k === 0 || k === N / 2 ? 1 : 2;
        const a = (2 * Math.PI * ((n * k) % N)) / N;
        v += ck * (s.re[f * K + k] * Math.cos(a) - s.im[f * K + k] * Math.sin(a));
      }
      frame[n] = v / N;
    }
    for (let n = 0; n < N; n++) {
      acc[f * c.hop + n] += frame[n] * w[n];
      wss[f * c.hop + n] += w[n] * w[n];
    }
  }
  const out = new Float64Array(outLen);
  for (let i = 0; i < outLen; i++) {
    const j = i + p;
    out[i] = j < acc.length && wss[j] > 1e-10 ? acc[j] / wss[j] : 0;
  }
  return out;
}

/** Row `row` of a dense [rows, n] matrix: linear interpolation weights at position pos (clamped to [0, n-1]). */
function addLinearWeights(A: Float64Array, row: number, n: number, pos: number): void {
  const i0 = Math.max(0, Math.min(n - 1, Math.floor(pos)));
  const i1 = Math.min(n - 1, i0 + 1);
  const t = Math.min(1, Math.max(0, pos - i0));
  A[row * n + i0] += 1 - t;
  A[row * n + i1] += t;
}

/**
 * 1-D linear interpolation weights of the log-frequency warp (paper 000's public code follows
 * Sound of Pixels: an output row at normalised height y in [-1, 1] samples the input at
 * normalised height (21^((y+1)/2) - 11) / 10, bilinear, corners aligned). Time is resampled
 * linearly (173 -> 128 frames for 1 s at hop 64).
 * Returns a dense [out, in] matrix whose rows sum to 1.
 */
export function warpMatrix(nOut: number, nIn: number, logScale: boolean): Float64Array {
  const A = new Float64Array(nOut * nIn);
  for (let r = 0; r < nOut; r++) {
    const y = nOut === 1 ? 0 : -1 + (2 * r) / (nOut - 1);
    const ys = logScale ? (Math.pow(21, (y + 1) / 2) - 11) / 10 : y;
    addLinearWeights(A, r, nIn, ((ys + 1) / 2) * (nIn - 1));
  }
  return A;
}

/**
 * The inverse of warpMatrix's sampling: for each of the nIn input positions, bilinear weights over
 * the nOut warped rows at the position that samples it (log scale: an input at normalised height
 * ys is seen by the output at y = 2 log21(10 ys + 11) - 1). Returns [nIn, nOut], rows summing to 1.
 * Used to bring a mask predicted on the log-frequency grid back to the STFT's linear bins (the
 * public code's grid_sample with the "unwarp" grid).
 */
export function unwarpMatrix(nIn: number, nOut: number, logScale: boolean): Float64Array {
  const U = new Float64Array(nIn * nOut);
  for (let k = 0; k < nIn; k++) {
    const ys = nIn === 1 ? 0 : -1 + (2 * k) / (nIn - 1);
    const y = logScale ? 2 * (Math.log(10 * ys + 11) / Math.log(21)) - 1 : ys;
    addLinearWeights(U, k, nOut, ((y + 1) / 2) * (nOut - 1));
  }
  return U;
}

/** Log-frequency warp of a magnitude [F, K] to [outFreq, outTime] (plain loops). */
export function logFreqWarpRef(mag: Float64Array | Float32Array, frames: number, bins: number, config: Partial<LogFreqConfig> = {}): Float64Array {
  const c = validateLogFreq(config);
  const Ay = warpMatrix(c.outFreq, bins, true); // [outFreq, K]
  const Ax = warpMatrix(c.outTime, frames, false); // [outTime, F]
  const out = new Float64Array(c.outFreq * c.outTime);
  for (let r = 0; r < c.outFreq; r++) {
    for (let q = 0; q < c.outTime; q++) {
      let v = 0;
      for (let k = 0; k < bins; k++) {
        const ay = Ay[r * bins + k];
        if (ay === 0) continue;
        for (let f = 0; f < frames; f++) {
          const ax = Ax[q * frames + f];
          if (ax !== 0) v += ay * ax * mag[f * bins + k];
        }
      }
      out[r * c.outTime + q] = v;
    }
  }
  return out;
}

/** Kaldi's mel scale. */
export const melScale = (hz: number): number => 1127 * Math.log(1 + hz / 700);

/**
 * Kaldi mel filterbank [nFft/2 + 1, nMels]: triangles equally spaced on the mel scale between
 * lowHz and highHz, weights computed in the mel domain at each FFT bin's centre frequency. The
 * Nyquist bin gets weight 0 (Kaldi uses nFft/2 bins).
 */
export function melFilterbank(config: Partial<MelConfig> = {}): Float64Array {
  const c = validateMel(config);
  const K = c.nFft / 2 + 1;
  const nyq = c.sampleRate / 2;
  const high = c.highHz <= 0 ? nyq + c.highHz : c.highHz;
  const mLow = melScale(c.lowHz);
  const mHigh = melScale(high);
  const delta = (mHigh - mLow) / (c.nMels + 1);
  const fb = new Float64Array(K * c.nMels);
  const binHz = c.sampleRate / c.nFft;
  for (let m = 0; m < c.nMels; m++) {
    const left = mLow + m * delta;
    const centre = left + delta;
    const right = centre + delta;
    for (let k = 0; k < K - 1; k++) {
      const mel = melScale(binHz * k);
      if (mel > left && mel < right) {
        fb[k * c.nMels + m] = mel <= centre ? (mel - left) / (centre - left) : (right - mel) / (right - centre);
      }
    }
  }
  return fb;
}

/** Kaldi-compliant log-mel fbank of one channel: [frames, nMels]. */
export function logMelRef(x: Float32Array | Float64Array, config: Partial<MelConfig> = {}): { data: Float64Array; frames: number; mels: number } {
  const c = validateMel(config);
  const L = c.frameLength;
  const F = x.length < L ? 0 : 1 + Math.floor((x.length - L) / c.frameShift);
  const K = c.nFft / 2 + 1;
  const w = makeWindow(c.window, L);
  const fb = melFilterbank(c);
  const out = new Float64Array(F * c.nMels);
  const fr = new Float64Array(L);
  const power = new Float64Array(K);
  for (let f = 0; f < F; f++) {
    for (let n = 0; n < L; n++) fr[n] = x[f * c.frameShift + n];
    if (c.removeDc) {
      let mean = 0;
      for (let n = 0; n < L; n++) mean += fr[n];
      mean /= L;
      for (let n = 0; n < L; n++) fr[n] -= mean;
    }
    for (let n = L - 1; n >= 0; n--) fr[n] -= c.preemphasis * fr[n > 0 ? n - 1 : 0];
    for (let n = 0; n < L; n++) fr[n] *= w[n];
    for (let k = 0; k < K; k++) {
      let sr = 0;
      let si = 0;
      for (let n = 0; n < L; n++) {
        const a = (2 * Math.PI * ((n * k) % c.nFft)) / c.nFft;
        sr += fr[n] * Math.cos(a);
        si -= fr[n] * Math.sin(a);
      }
      power[k] = sr * sr + si * si;
    }
    for (let m = 0; m < c.nMels; m++) {
      let e = 0;
      for (let k = 0; k < K; k++) e += power[k] * fb[k * c.nMels + m];
      out[f * c.nMels + m] = Math.log(Math.max(e, c.floor));
    }
  }
  return { data: out, frames: F, mels: c.nMels };
}
