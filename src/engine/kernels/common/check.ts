/**
 * Comparison helpers shared by the kernel tests (vitest in Node and the in-browser harness).
 *
 * An element passes when |got - want| <= atol + rtol * |want| (numpy's allclose rule). A failure
 * throws with the count of mismatches, the worst error, and the first few mismatches with their
 * multi-index in `shape`, so a broken kernel says where it broke.
 */
export interface CloseOptions {
  atol?: number;
  rtol?: number;
  /** Logical shape, used to print mismatch positions as multi-indices. */
  shape?: number[];
  /** What is being compared (printed in the message). */
  label?: string;
  /** How many mismatches to print. */
  show?: number;
  /** Elements to ignore (e.g. values within float rounding of a discontinuity). */
  skip?: (i: number) => boolean;
}

type Arr = ArrayLike<number>;

export function maxAbsDiff(a: Arr, b: Arr): number {
  let m = 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const d = Math.abs(a[i] - b[i]);
    if (!(d <= m)) m = Number.isNaN(d) ? Infinity : d;
  }
  return m;
}

function multiIndex(i: number, shape?: number[]): string {
  if (!shape || shape.length === 0) return String(i);
  const idx: number[] = [];
  let r = i;
  for (let k = shape.length - 1; k >= 0; k--) {
    idx.unshift(r % shape[k]);
    r = Math.floor(r / shape[k]);
  }
  return `[${idx.join(',')}]`;
}

/** Throws when `got` and `want` differ beyond tolerance; returns the max abs error otherwise. */
export function assertClose(got: Arr, want: Arr, opts: CloseOptions = {}): number {
  const { atol = 1e-5, rtol = 1e-4, shape, label = 'values', show = 5, skip } = opts;
  if (got.length !== want.length) throw new Error(`${label}: length ${got.length}, want ${want.length}`);
  const bad: string[] = [];
  let count = 0;
  let worst = 0;
  for (let i = 0; i < got.length; i++) {
    if (skip && skip(i)) continue;
    const g = got[i];
    const w = want[i];
    const d = Math.abs(g - w);
    const ok = d <= atol + rtol * Math.abs(w) && !Number.isNaN(g) === !Number.isNaN(w);
    if (!ok) {
      count++;
      if (!(d <= worst)) worst = Number.isNaN(d) ? Infinity : d;
      if (bad.length < show) bad.push(`  at ${multiIndex(i, shape)}: got ${g}, want ${w} (diff ${d.toExponential(2)})`);
    }
  }
  if (count > 0) {
    throw new Error(
      `${label}: ${count} of ${got.length} elements differ (atol ${atol}, rtol ${rtol}, worst ${worst.toExponential(2)}); first:\n${bad.join('\n')}`,
    );
  }
  return maxAbsDiff(got, want);
}
