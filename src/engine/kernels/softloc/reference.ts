/**
 * CPU references (float64 plain loops) for the cosine map, location softmax, weighting and
 * threshold of softloc/program.ts.
 */

/** v [T, H, W, C], g [C] -> S [T, H, W]. */
export function cosineMapReference(v: ArrayLike<number>, shape: [number, number, number, number], g: ArrayLike<number>, normEps: number): Float64Array {
  const [t, h, w, c] = shape;
  const out = new Float64Array(t * h * w);
  let gg = 0;
  for (let k = 0; k < c; k++) gg += g[k] * g[k];
  const ng = Math.max(Math.sqrt(gg), normEps);
  for (let p = 0; p < t * h * w; p++) {
    let d = 0;
    let vv = 0;
    for (let k = 0; k < c; k++) {
      d += v[p * c + k] * g[k];
      vv += v[p * c + k] * v[p * c + k];
    }
    out[p] = d / (Math.max(Math.sqrt(vv), normEps) * ng);
  }
  return out;
}

/** S [T, L] -> softmax of S / temperature along L. */
export function locationSoftmaxReference(s: ArrayLike<number>, t: number, l: number, temperature: number): Float64Array {
  const out = new Float64Array(t * l);
  for (let f = 0; f < t; f++) {
    let mx = -Infinity;
    for (let i = 0; i < l; i++) mx = Math.max(mx, s[f * l + i] / temperature);
    let sum = 0;
    for (let i = 0; i < l; i++) sum += Math.exp(s[f * l + i] / temperature - mx);
    for (let i = 0; i < l; i++) out[f * l + i] = Math.exp(s[f * l + i] / temperature - mx) / sum;
  }
  return out;
}

/** v [T*H*W, C] scaled per location by a [T*H*W]. */
export function attendByMapReference(v: ArrayLike<number>, a: ArrayLike<number>, c: number): Float64Array {
  const out = new Float64Array(v.length);
  for (let i = 0; i < v.length; i++) out[i] = v[i] * a[Math.floor(i / c)];
  return out;
}

export function thresholdReference(s: ArrayLike<number>, epsilon: number, tau: number): Float64Array {
  return Float64Array.from({ length: s.length }, (_, i) => 1 / (1 + Math.exp(-(s[i] - epsilon) / tau)));
}
