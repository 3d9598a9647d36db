import type { WindowKind } from './config';

/** Window of length n. 'hann' is periodic (torch.hann_window default); 'hann-symmetric' is numpy/Kaldi's. */
export function makeWindow(kind: WindowKind, n: number): Float64Array {
  const w = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    switch (kind) {
      case 'hann': w[i] = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / n); break;
      case 'hann-symmetric': w[i] = n === 1 ? 1 : 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / (n - 1)); break;
      case 'hamming': w[i] = 0.54 - 0.46 * Math.cos((2 * Math.PI * i) / n); break;
      case 'povey': w[i] = Math.pow(0.5 - 0.5 * Math.cos((2 * Math.PI * i) / (n - 1)), 0.85); break;
      case 'rect': w[i] = 1; break;
    }
  }
  return w;
}

/** Number of STFT frames for a signal of `len` samples. */
export function frameCount(len: number, nFft: number, hop: number, center: boolean): number {
  const padded = center ? len + 2 * Math.floor(nFft / 2) : len;
  return padded < nFft ? 0 : 1 + Math.floor((padded - nFft) / hop);
}

/** Reflect-pads x by p on each side (numpy 'reflect': the edge sample is not repeated). */
export function reflectPad(x: Float32Array | Float64Array, p: number): Float64Array {
  const n = x.length;
  if (p >= n) throw new RangeError(`reflect padding ${p} needs a signal longer than ${p} samples (got ${n})`);
  const out = new Float64Array(n + 2 * p);
  for (let i = 0; i < out.length; i++) {
    let j = i - p;
    if (j < 0) j = -j;
    else if (j >= n) j = 2 * (n - 1) - j;
    out[i] = x[j];
  }
  return out;
}
