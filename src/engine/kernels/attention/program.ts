/**
 * WGSL: temporal attention of paper 000, eq. 1, for every query location, optionally sampling the
 * supports through homographies on the fly (the fused kernel, ../fused/program.ts, is this program
 * with `warp` on).
 *
 *   z_q[x,y] = R_q[x,y] + sum_j a_j (U_j[x,y] + vb),   a = softmax_j( s * Q_q[x,y] . (K~_j[x,y] + kb) )
 *
 * Plain form (the paper): Q = R = v_i (the query frame's features), K = U = the T aligned
 * features, s = 1/sqrt(C), no biases. Projected form (learned single-head q/k/v): Q = v_i Wq + bq,
 * K = V Wk, U = V Wv (projected by tf.matMul before this kernel; the k/v biases are added here,
 * after sampling, so that warp-then-project equals project-then-sample exactly, zero padding
 * included), s = 1/sqrt(Dk). K~_j, U_j are the supports aligned to the query: read directly
 * (`warp` off: the input is already aligned) or bilinearly sampled from the unwarped support at
 * H_{j->i}^-1 (x, y) (`warp` on). With `mask` on, supports whose sample point falls outside the
 * source (or, unwarped, whose mask input M is 0) are left out of the softmax; off (the paper:
 * warped zeros take part) they attend like any other support.
 *
 * Tiling: one invocation per output location (q, y, x), 64 per workgroup over the flat location
 * index. Pass 1 walks the T supports, computes each support's four taps (kept in private arrays
 * of capacity MAX_T) and its logit (a Dk-long dot product); the softmax over T is done in
 * registers; pass 2 walks the channels and accumulates sum_j a_j U_j[c] on top of the residual,
 * writing each output channel once. The warped supports never exist in memory: each is read as
 * four taps of the source map, twice (logit, then value). Channels are read as vec4 when C and Dk
 * are multiples of 4. No shared memory, no barriers (each location is independent).
 *
 * Versions: this one (two passes over the taps, softmax in registers) is the only one written and
 * measured (docs/kernels.md). Not tried yet, and the first things to try on a real GPU where 784
 * invocations per query under-fill the device: a workgroup per location with channels split over
 * the invocations (dot products reduced in workgroup memory, barriers per support), and an online
 * (flash-style) softmax that reads each tap once instead of twice.
 *
 * Baked into the WGSL (and so in shaderKey): warp on/off, biases on/off, mask on/off, vec4 or
 * scalar, MAX_T. Sizes T, H, W, C, Dk and the query count come from the uniform shapes; the
 * softmax scale is a uniform.
 */
import { SAMPLE_WGSL, flatDispatch, vecType, type WebGPUProgram } from '../common/webgpu';

export const ATTEND_WORKGROUP = 64;
/** Capacity of the per-invocation arrays; T above it is refused by validateConfig. */
export const MAX_T = 16;

export interface AttendProgramOptions {
  /** Sample K and U through per-(query, support) inverse homographies `Hs` [Tq, T, 9]. */
  warp: boolean;
  /** Add k/v biases `Kb` [Dk], `Vb` [C] after sampling. */
  bias: boolean;
  /** Leave invalid supports out of the softmax (warp: from the sample point; else input `M` [T, H, W]). */
  mask: boolean;
}

export class AttendProgram implements WebGPUProgram {
  variableNames: string[];
  variableComponents: number[];
  outputComponent: number;
  outputShape: number[];
  shaderKey: string;
  uniforms = 'scale : f32,';
  dispatchLayout = { x: [0, 1, 2, 3] };
  dispatch: [number, number, number];
  workgroupSize: [number, number, number] = [ATTEND_WORKGROUP, 1, 1];
  private comp: 1 | 4;
  private opts: AttendProgramOptions;

  /**
   * Inputs in order: Q [Tq, H, W, Dk], K [T, H, W, Dk], U [T, H, W, C], R [Tq, H, W, C],
   * then Hs [Tq, T, 9] (warp), Kb [Dk] and Vb [C] (bias), M [T, H, W] (mask without warp).
   */
  constructor(outShape: number[], dk: number, opts: AttendProgramOptions) {
    this.outputShape = outShape;
    this.opts = opts;
    const c = outShape[3];
    this.comp = c % 4 === 0 && dk % 4 === 0 ? 4 : 1;
    const k = this.comp;
    this.variableNames = ['Q', 'K', 'U', 'R'];
    this.variableComponents = [k, k, k, k];
    if (opts.warp) {
      this.variableNames.push('Hs');
      this.variableComponents.push(1);
    }
    if (opts.bias) {
      this.variableNames.push('Kb', 'Vb');
      this.variableComponents.push(k, k);
    }
    if (opts.mask && !opts.warp) {
      this.variableNames.push('M');
      this.variableComponents.push(1);
    }
    this.outputComponent = k;
    this.shaderKey = `egoAttend_w${+opts.warp}_b${+opts.bias}_m${+opts.mask}_c${k}_t${MAX_T}`;
    this.dispatch = flatDispatch(outShape[0] * outShape[1] * outShape[2], ATTEND_WORKGROUP);
  }

  getUserCode(): string {
    const { warp, bias, mask } = this.opts;
    const v = vecType(this.comp);
    const VT = v.t;
    // Taps of support j for this location: four rows + weights (warp) or the location itself.
    const taps = warp
      ? `let tp = sampleTaps((q * T + j) * 9, j * hw, x, y, Wd, Hd);
      rows[j] = tp.rows;
      wts[j] = tp.w;
      ok[j] = tp.valid;`
      : `rows[j] = vec4<i32>(j * hw + p, 0, 0, 0);
      wts[j] = vec4<f32>(1.0, 0.0, 0.0, 0.0);
      ok[j] = ${mask ? 'M[j * hw + p] > 0.5' : 'true'};`;
    // Reads of one channel-vector c of support j (K or U) through its taps.
    const read = (buf: string, stride: string) =>
      warp
        ? `(w4.x * ${buf}[r4.x * ${stride} + c] + w4.y * ${buf}[r4.y * ${stride} + c] + w4.z * ${buf}[r4.z * ${stride} + c] + w4.w * ${buf}[r4.w * ${stride} + c])`
        : `${buf}[r4.x * ${stride} + c]`;
    return `
${warp ? SAMPLE_WGSL : ''}
${v.dot}
fn main(index : i32) {
  let Hd = uniforms.uShape.y;
  let Wd = uniforms.uShape.z;
  let hw = Hd * Wd;
  let T = uniforms.uShape.x;
  if (index >= uniforms.outShape.x * hw) { return; }
  let q = index / hw;
  let p = index - q * hw;
  let y = p / Wd;
  let x = p - y * Wd;
  let dv = uniforms.kShape.w / ${this.comp};   // Dk in ${VT} units
  let cv = uniforms.uShape.w / ${this.comp};   // C in ${VT} units
  let qo = index * dv;

  var rows : array<vec4<i32>, ${MAX_T}>;
  var wts : array<vec4<f32>, ${MAX_T}>;
  var ok : array<bool, ${MAX_T}>;
  var logit : array<f32, ${MAX_T}>;
  ${bias ? `var qkb = 0.0;
  for (var c = 0; c < dv; c++) { qkb = qkb + vdot(Q[qo + c], Kb[c]); }` : ''}

  // Pass 1: taps and logits of every support; running max for a stable softmax.
  var mx = -3.0e38;
  for (var j = 0; j < T; j++) {
    ${taps}
    let r4 = rows[j];
    let w4 = wts[j];
    var acc = 0.0;
    for (var c = 0; c < dv; c++) {
      acc = acc + vdot(Q[qo + c], ${read('K', 'dv')});
    }
    let s = uniforms.scale * (acc${bias ? ' + qkb' : ''});
    logit[j] = s;
    if (${mask ? 'ok[j] && ' : ''}s > mx) { mx = s; }
  }
  // Softmax over T in registers (weights overwrite the logits).
  var sum = 0.0;
  for (var j = 0; j < T; j++) {
    let e = ${mask ? 'select(0.0, exp(logit[j] - mx), ok[j])' : 'exp(logit[j] - mx)'};
    logit[j] = e;
    sum = sum + e;
  }
  let inv = select(0.0, 1.0 / sum, sum > 0.0);
  var asum = 0.0;
  for (var j = 0; j < T; j++) {
    logit[j] = logit[j] * inv;
    asum = asum + logit[j];
  }

  // Pass 2: residual + attention-weighted supports, one channel-vector at a time.
  let ro = index * cv;
  for (var c = 0; c < cv; c++) {
    var z : ${VT} = R[ro + c]${bias ? ' + asum * Vb[c]' : ''};
    for (var j = 0; j < T; j++) {
      let r4 = rows[j];
      let w4 = wts[j];
      z = z + logit[j] * ${read('U', 'cv')};
    }
    result[ro + c] = z;
  }
}
`;
  }
}
