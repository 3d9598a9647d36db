/**
 * STFT, inverse STFT and magnitude on the GPU through stock tfjs ops (any backend).
 *
 * Why not tf.signal.stft: it has no centre padding, and its FFT path for the paper's
 * non-power-of-two nFft (254) falls back to a slow generic kernel. Here a frame matrix is
 * gathered in one op (reflect padding folded into the gather indices), and the windowed DFT is a
 * single matMul with a [nFft, 2K] basis: one dispatch on WebGPU, exact for any nFft. The bench
 * (`npm run bench -- dsp`) measures this against the CPU reference and against tf.signal.stft.
 *
 * Tensors leaving: re, im [F, K]; magnitude [F, K]; istft output [length].
 * Constants (indices, bases) are cached as typed arrays, never as tensors, so nothing outlives a
 * call (DESIGN.md #6).
 */
import * as tf from '@tensorflow/tfjs';
import { validateStft, type StftConfig } from './config';
import { makeWindow, frameCount } from './window';

const cache = new Map<string, Float32Array | Int32Array>();
function cached<T extends Float32Array | Int32Array>(key: string, make: () => T): T {
  let v = cache.get(key) as T | undefined;
  if (!v) {
    v = make();
    if (cache.size > 64) cache.clear();
    cache.set(key, v);
  }
  return v;
}

/** Gather indices [F, N] of each frame's samples in the unpadded signal (reflect padding folded in). */
export function frameIndices(len: number, nFft: number, hop: number, center: boolean): { idx: Int32Array; frames: number } {
  const F = frameCount(len, nFft, hop, center);
  const p = center ? nFft / 2 : 0;
  const idx = cached(`fi:${len}:${nFft}:${hop}:${center}`, () => {
    const a = new Int32Array(F * nFft);
    for (let f = 0; f < F; f++) {
      for (let n = 0; n < nFft; n++) {
        let j = f * hop + n - p;
        if (j < 0) j = -j;
        else if (j >= len) j = 2 * (len - 1) - j;
        a[f * nFft + n] = j;
      }
    }
    return a;
  });
  return { idx, frames: F };
}

/** Windowed forward DFT basis [N, 2K]: columns 0..K-1 give re, K..2K-1 give im. */
export function dftBasis(nFft: number, window: StftConfig['window'], rows = nFft, winLen = rows): Float32Array {
  return cached(`dft:${nFft}:${window}:${rows}:${winLen}`, () => {
    const K = nFft / 2 + 1;
    const w = makeWindow(window, winLen);
    const b = new Float32Array(rows * 2 * K);
    for (let n = 0; n < rows; n++) {
      for (let k = 0; k < K; k++) {
        const a = (2 * Math.PI * ((n * k) % nFft)) / nFft;
        b[n * 2 * K + k] = w[n] * Math.cos(a);
        b[n * 2 * K + K + k] = -w[n] * Math.sin(a);
      }
    }
    return b;
  });
}

export interface StftResult { re: tf.Tensor2D; im: tf.Tensor2D }

/** Short-time Fourier transform of a 1-D signal [L] -> re, im [F, K]. */
export function stft(signal: tf.Tensor1D, config: Partial<StftConfig> = {}): StftResult {
  const c = validateStft(config);
  const N = c.nFft;
  const K = N / 2 + 1;
  const L = signal.shape[0];
  if (c.center && L <= N / 2) throw new RangeError(`signal of ${L} samples is too short for centred nFft ${N}`);
  const { idx, frames } = frameIndices(L, N, c.hop, c.center);
  if (frames === 0) throw new RangeError(`signal of ${L} samples is shorter than one frame (${N})`);
  const basis = dftBasis(N, c.window);
  const out = tf.tidy(() => {
    const frameMat = tf.gather(signal, tf.tensor2d(idx, [frames, N], 'int32')); // [F, N]
    const spec = tf.matMul(frameMat, tf.tensor2d(basis, [N, 2 * K])); // [F, 2K]
    const [re, im] = tf.split(spec, [K, K], 1) as [tf.Tensor2D, tf.Tensor2D];
    return { re, im };
  });
  return out;
}

/** |X| = sqrt(re^2 + im^2), [F, K]. */
export function magnitude(s: StftResult): tf.Tensor2D {
  return tf.tidy(() => tf.sqrt(tf.add(tf.square(s.re), tf.square(s.im))));
}

/**
 * Inverse STFT [F, K] -> [length]: inverse real DFT per frame (one matMul), synthesis window,
 * overlap-add as one gather over precomputed (frame, offset) slots, divided by the summed
 * squared window. Matches istftRef.
 */
export function istft(s: StftResult, config: Partial<StftConfig> = {}, length?: number): tf.Tensor1D {
  const c = validateStft(config);
  const N = c.nFft;
  const K = N / 2 + 1;
  const [F, bins] = s.re.shape;
  if (bins !== K) throw new RangeError(`spectrum has ${bins} bins, nFft ${N} needs ${K}`);
  const p = c.center ? N / 2 : 0;
  const outLen = length ?? (F - 1) * c.hop + N - 2 * p;
  const inv = cached(`idft:${N}:${c.window}`, () => {
    const w = makeWindow(c.window, N);
    const b = new Float32Array(2 * K * N);
    for (let k = 0; k < K; k++) {
      const ck = (k === 0 || k === N / 2 ? 1 : 2) / N;
      for (let n = 0; n < N; n++) {
        const a = (2 * Math.PI * ((n * k) % N)) / N;
        b[k * N + n] = ck * Math.cos(a) * w[n];
        b[(K + k) * N + n] = -ck * Math.sin(a) * w[n];
      }
    }
    return b;
  });
  const J = Math.ceil(N / c.hop);
  const key = `${F}:${N}:${c.hop}:${c.window}:${outLen}:${p}`;
  const build = () => {
    // For each output sample: J slots into the flattened [F*N] frames (the extra slot F*N is a
    // zero), and 1 / (summed squared window) at that sample.
    const w = makeWindow(c.window, N);
    const slots = new Int32Array(outLen * J);
    const invWss = new Float32Array(outLen);
    for (let i = 0; i < outLen; i++) {
      const s0 = i + p;
      let wss = 0;
      const fHi = Math.floor(s0 / c.hop);
      for (let j = 0; j < J; j++) {
        const f = fHi - j;
        const off = s0 - f * c.hop;
        if (f >= 0 && f < F && off >= 0 && off < N) {
          slots[i * J + j] = f * N + off;
          wss += w[off] * w[off];
        } else slots[i * J + j] = F * N;
      }
      invWss[i] = wss > 1e-10 ? 1 / wss : 0;
    }
    cache.set(`olaw:${key}`, invWss);
    return slots;
  };
  const slots = cached(`olas:${key}`, build);
  const invWss = (cache.get(`olaw:${key}`) as Float32Array | undefined) ?? (build(), cache.get(`olaw:${key}`) as Float32Array);
  return tf.tidy(() => {
    const spec = tf.concat([s.re, s.im], 1); // [F, 2K]
    const frames = tf.matMul(spec, tf.tensor2d(inv, [2 * K, N])); // [F, N], windowed
    const flat = tf.concat([tf.reshape(frames, [F * N]), tf.zeros([1])]); // [F*N + 1]
    const gathered = tf.gather(flat, tf.tensor2d(slots, [outLen, J], 'int32')); // [outLen, J]
    return tf.mul(tf.sum(gathered, 1), tf.tensor1d(invWss)) as tf.Tensor1D;
  });
}
