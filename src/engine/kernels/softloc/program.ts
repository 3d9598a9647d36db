/**
 * WGSL for the audio-visual cosine map, soft localization (paper 000 sec. 2.2) and the
 * differentiable threshold (sec. 2.4):
 *
 *   S_i[x,y] = v_i[x,y] . g_a / (max(|v_i[x,y]|, e) max(|g_a|, e))          CosineMapProgram
 *   A_i      = softmax over (x,y) of S_i / temperature                        LocationSoftmaxProgram
 *   v^_i[x,y] = A_i[x,y] v_i[x,y]                                             AttendByMapProgram
 *   m_i      = sigmoid((S_i - epsilon) / tau)                                 ThresholdProgram
 *
 * Tiling and barriers:
 * - CosineMap: one invocation per location (t, y, x), 64 per workgroup, looping over C (vec4 when
 *   C % 4 == 0): the dot product and both norms in one sweep. No barriers.
 * - LocationSoftmax: one workgroup of 64 per frame; each invocation strides over the H*W
 *   locations; two tree reductions in workgroup memory (max, then sum of exp), each step followed
 *   by workgroupBarrier(); a barrier also separates reading red[0] from reusing `red`.
 * - AttendByMap, Threshold: elementwise, one invocation per output (vec4 for AttendByMap).
 * Versions: one each. The stock path computes the softmax with tf.softmax (several dispatches);
 * one workgroup per frame keeps the frame's H*W values (784 at 28x28) in one dispatch. Figures in
 * docs/kernels.md.
 *
 * Baked (shaderKey): vec4 or scalar, workgroup size. Uniform: shapes, e, 1/temperature,
 * epsilon, tau.
 */
import { flatDispatch, vecType, type WebGPUProgram } from '../common/webgpu';

const WG = 64;

export class CosineMapProgram implements WebGPUProgram {
  variableNames = ['V', 'G'];
  variableComponents: number[];
  outputShape: number[];
  shaderKey: string;
  uniforms = 'normEps : f32,';
  dispatchLayout = { x: [0, 1, 2] };
  dispatch: [number, number, number];
  workgroupSize: [number, number, number] = [WG, 1, 1];
  size = true;
  private comp: 1 | 4;

  /** V [T, H, W, C], G [C] -> S [T, H, W]. */
  constructor(vShape: number[]) {
    this.outputShape = vShape.slice(0, 3);
    this.comp = vShape[3] % 4 === 0 ? 4 : 1;
    this.variableComponents = [this.comp, this.comp];
    this.shaderKey = `egoCosineMap_c${this.comp}`;
    this.dispatch = flatDispatch(vShape[0] * vShape[1] * vShape[2], WG);
  }

  getUserCode(): string {
    const v = vecType(this.comp);
    return `
${v.dot}
fn main(index : i32) {
  if (index >= uniforms.size) { return; }
  let cv = uniforms.vShape.w / ${this.comp};
  let o = index * cv;
  var d = 0.0;
  var vv = 0.0;
  var gg = 0.0;
  for (var c = 0; c < cv; c++) {
    let a = V[o + c];
    let b = G[c];
    d = d + vdot(a, b);
    vv = vv + vdot(a, a);
    gg = gg + vdot(b, b);
  }
  let e = uniforms.normEps;
  setOutputAtIndex(index, d / (max(sqrt(vv), e) * max(sqrt(gg), e)));
}
`;
  }
}

export class LocationSoftmaxProgram implements WebGPUProgram {
  variableNames = ['S'];
  outputShape: number[];
  shaderKey = `egoLocationSoftmax_wg${WG}`;
  uniforms = 'invTemp : f32,';
  dispatchLayout = { x: [0], y: [1] };
  dispatch: [number, number, number];
  workgroupSize: [number, number, number] = [WG, 1, 1];

  /** S [T, L] -> A [T, L], softmax along L per row. */
  constructor(shape: number[]) {
    this.outputShape = shape;
    this.dispatch = [shape[0], 1, 1];
  }

  getUserCode(): string {
    return `
var<workgroup> red : array<f32, ${WG}>;
fn main() {
  let t = i32(workgroupId.x);
  let L = uniforms.sShape.y;
  let lid = i32(localId.x);
  let base = t * L;
  let it = uniforms.invTemp;
  var m = -3.0e38;
  for (var i = lid; i < L; i = i + ${WG}) { m = max(m, S[base + i] * it); }
  red[lid] = m;
  workgroupBarrier();
  for (var s = ${WG / 2}; s > 0; s = s / 2) {
    if (lid < s) { red[lid] = max(red[lid], red[lid + s]); }
    workgroupBarrier();
  }
  let mx = red[0];
  workgroupBarrier();   // everyone has read red[0] before it is overwritten
  var sum = 0.0;
  for (var i = lid; i < L; i = i + ${WG}) { sum = sum + exp(S[base + i] * it - mx); }
  red[lid] = sum;
  workgroupBarrier();
  for (var s = ${WG / 2}; s > 0; s = s / 2) {
    if (lid < s) { red[lid] = red[lid] + red[lid + s]; }
    workgroupBarrier();
  }
  let inv = 1.0 / red[0];
  for (var i = lid; i < L; i = i + ${WG}) { setOutputAtIndex(base + i, exp(S[base + i] * it - mx) * inv); }
}
`;
  }
}

export class AttendByMapProgram implements WebGPUProgram {
  variableNames = ['V', 'A'];
  variableComponents: number[];
  outputComponent: number;
  outputShape: number[];
  shaderKey: string;
  dispatchLayout = { x: [0, 1, 2, 3] };
  dispatch: [number, number, number];
  workgroupSize: [number, number, number] = [WG, 1, 1];
  private comp: 1 | 4;

  /** V [T, H, W, C], A [T, H, W] -> [T, H, W, C]. */
  constructor(vShape: number[]) {
    this.outputShape = vShape;
    this.comp = vShape[3] % 4 === 0 ? 4 : 1;
    this.variableComponents = [this.comp, 1];
    this.outputComponent = this.comp;
    this.shaderKey = `egoAttendByMap_c${this.comp}`;
    this.dispatch = flatDispatch((vShape[0] * vShape[1] * vShape[2] * vShape[3]) / this.comp, WG);
  }

  getUserCode(): string {
    return `
fn main(index : i32) {
  let cv = uniforms.vShape.w / ${this.comp};
  let n = uniforms.vShape.x * uniforms.vShape.y * uniforms.vShape.z * cv;
  if (index >= n) { return; }
  result[index] = V[index] * A[index / cv];
}
`;
  }
}

export class ThresholdProgram implements WebGPUProgram {
  variableNames = ['S'];
  outputShape: number[];
  shaderKey = 'egoThreshold';
  uniforms = 'epsilon : f32, invTau : f32,';
  dispatchLayout: { x: number[] };
  dispatch: [number, number, number];
  workgroupSize: [number, number, number] = [WG, 1, 1];
  size = true;

  constructor(shape: number[]) {
    this.outputShape = shape;
    this.dispatchLayout = { x: shape.map((_, i) => i) };
    this.dispatch = flatDispatch(shape.reduce((a, b) => a * b, 1), WG);
  }

  getUserCode(): string {
    return `
fn main(index : i32) {
  if (index >= uniforms.size) { return; }
  let z = (S[index] - uniforms.epsilon) * uniforms.invTau;
  setOutputAtIndex(index, 1.0 / (1.0 + exp(-z)));
}
`;
  }
}
