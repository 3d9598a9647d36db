/**
 * CPU reference for temporal attention (paper 000 eq. 1), plain loops in float64. Also the
 * second half of the fused kernel's reference (fused/reference.ts aligns, then calls this).
 */
export interface RefWeights {
  wq: ArrayLike<number>; // [C, Dk]
  bq: ArrayLike<number>; // [Dk]
  wk: ArrayLike<number>; // [C, Dk]
  bk: ArrayLike<number>; // [Dk]
  wv: ArrayLike<number>; // [C, C]
  bv: ArrayLike<number>; // [C]
  dk: number;
}

export interface RefAttentionOptions {
  form: 'plain' | 'projected';
  weights?: RefWeights;
  maskInvalid: boolean;
}

/** x [C] times w [C, D] plus b [D]. */
function project(x: ArrayLike<number>, xo: number, c: number, w: ArrayLike<number>, b: ArrayLike<number> | null, d: number): Float64Array {
  const out = new Float64Array(d);
  for (let e = 0; e < d; e++) {
    let s = b ? b[e] : 0;
    for (let k = 0; k < c; k++) s += x[xo + k] * w[k * d + e];
    out[e] = s;
  }
  return out;
}

/**
 * One query frame against T aligned supports.
 * query: [H, W, C] (the query frame's own features, flat, offset qo in `queryBuf`);
 * aligned: [T, H, W, C]; valid: [T, H, W] (1/0). Returns z [H, W, C].
 */
export function attendOneQuery(
  queryBuf: ArrayLike<number>,
  qo: number,
  aligned: ArrayLike<number>,
  valid: ArrayLike<number> | null,
  t: number,
  h: number,
  w: number,
  c: number,
  opts: RefAttentionOptions,
): Float64Array {
  const hw = h * w;
  const out = new Float64Array(hw * c);
  const proj = opts.form === 'projected';
  const W = opts.weights;
  if (proj && !W) throw new Error('projected form needs weights');
  const dk = proj ? W!.dk : c;
  const scale = 1 / Math.sqrt(dk);
  for (let p = 0; p < hw; p++) {
    const qv = proj ? project(queryBuf, qo + p * c, c, W!.wq, W!.bq, dk) : Float64Array.from({ length: c }, (_, k) => queryBuf[qo + p * c + k]);
    const logits = new Float64Array(t);
    const vals: Float64Array[] = [];
    let mx = -Infinity;
    for (let j = 0; j < t; j++) {
      const off = (j * hw + p) * c;
      const kv = proj ? project(aligned, off, c, W!.wk, W!.bk, dk) : Float64Array.from({ length: c }, (_, k) => aligned[off + k]);
      vals.push(proj ? project(aligned, off, c, W!.wv, W!.bv, c) : kv);
      let s = 0;
      for (let e = 0; e < dk; e++) s += qv[e] * kv[e];
      logits[j] = s * scale;
      const ok = !opts.maskInvalid || !valid || valid[j * hw + p] > 0;
      if (!ok) logits[j] = -Infinity;
      else mx = Math.max(mx, logits[j]);
    }
    let sum = 0;
    const a = new Float64Array(t);
    for (let j = 0; j < t; j++) {
      a[j] = logits[j] === -Infinity ? 0 : Math.exp(logits[j] - mx);
      sum += a[j];
    }
    for (let j = 0; j < t; j++) a[j] = sum > 0 ? a[j] / sum : 0;
    for (let k = 0; k < c; k++) {
      let z = queryBuf[qo + p * c + k]; // residual: the query's own features
      for (let j = 0; j < t; j++) z += a[j] * vals[j][k];
      out[p * c + k] = z;
    }
  }
  return out;
}

/**
 * Temporal attention over aligned features v [T, H, W, C]; queries 'all' or one index.
 * mask: [T, H, W] validity (used with maskInvalid). Returns z [Tq, H, W, C].
 */
export function attentionReference(
  v: ArrayLike<number>,
  shape: [number, number, number, number],
  queries: 'all' | number,
  opts: RefAttentionOptions,
  mask: ArrayLike<number> | null = null,
): Float64Array {
  const [t, h, w, c] = shape;
  const qs = queries === 'all' ? Array.from({ length: t }, (_, i) => i) : [queries];
  const out = new Float64Array(qs.length * h * w * c);
  qs.forEach((i, qi) => out.set(attendOneQuery(v, i * h * w * c, v, mask, t, h, w, c, opts), qi * h * w * c));
  return out;
}
