/**
 * Comparison helpers shared by Node tests and the in-browser harness: absolute + relative
 * tolerance, and a message that lists the first mismatches (DESIGN.md #2).
 */
import { mulberry32 } from '../rng';
export interface CompareOptions { atol?: number; rtol?: number; label?: string; maxReport?: number }

export function assertClose(got: ArrayLike<number>, want: ArrayLike<number>, opts: CompareOptions = {}): { maxAbsErr: number } {
  const atol = opts.atol ?? 1e-5;
  const rtol = opts.rtol ?? 1e-4;
  const label = opts.label ?? 'values';
  if (got.length !== want.length) throw new Error(`${label}: length ${got.length}, want ${want.length}`);
  const bad: string[] = [];
  let nBad = 0;
  let maxAbsErr = 0;
  for (let i = 0; i < got.length; i++) {
    const g = got[i];
    const w = want[i];
    const err = Math.abs(g - w);
    if (Number.isFinite(err)) maxAbsErr = Math.max(maxAbsErr, err);
    if (!(err <= atol + rtol * Math.abs(w))) {
      nBad++;
      if (bad.length < (opts.maxReport ?? 5)) bad.push(`[${i}] got ${g}, want ${w} (|err| ${err.toExponential(2)})`);
    }
  }
  if (nBad > 0) throw new Error(`${label}: ${nBad}/${got.length} mismatches beyond atol ${atol} + rtol ${rtol}; first: ${bad.join('; ')}; max |err| ${maxAbsErr.toExponential(3)}`);
  return { maxAbsErr };
}

export function assert(cond: unknown, message: string): asserts cond {
  if (!cond) throw new Error(message);
}

/** Seeded PRNG (mulberry32, shared with the rest of the engine). */
export const rng = mulberry32;

export function noise(n: number, seed: number, amp = 1): Float32Array {
  const r = rng(seed);
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) x[i] = amp * (2 * r() - 1);
  return x;
}

export function sine(n: number, freq: number, rate: number, amp = 1, phase = 0): Float32Array {
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) x[i] = amp * Math.sin((2 * Math.PI * freq * i) / rate + phase);
  return x;
}
