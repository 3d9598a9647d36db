/**
 * WGSL: bilinear warp of feature maps by homographies, with zero outside and a validity mask.
 *
 *   out[n, y, x, c] = sum_k w_k(n, x, y) * X[n, y_k, x_k, c]
 *
 * where (x_k, y_k), w_k are the four bilinear taps of the source point H_n^-1 (x, y, 1) (taps
 * outside the source weigh 0), and mask[n, y, x] = 1 when that point is in front of the camera and
 * inside [0, W-1] x [0, H-1].
 *
 * Tiling: one invocation per output pixel (n, y, x), looping over channels, so the projective
 * divide and the four tap addresses are computed once per pixel rather than once per channel;
 * workgroups of 64 invocations over the flat pixel index. Channels are read as vec4 when C % 4 == 0
 * (baked: `vec4` in shaderKey). No shared memory, no barriers.
 *
 * Versions: this per-pixel loop is the only one written. The alternative, one invocation per output
 * element (n, y, x, c) as tfjs's Transform kernel does, recomputes the projective divide and taps
 * C times (512 at the paper's size); it was not built or measured. Measured against the stock
 * composition (four gathers + weighted sum): docs/kernels.md.
 *
 * Sizes N, H, W, C come from the uniform shapes (`uniforms.xShape`), never from the WGSL text.
 */
import { SAMPLE_WGSL, flatDispatch, vecType, type WebGPUProgram } from '../common/webgpu';

export const WARP_WORKGROUP = 64;

export class WarpProgram implements WebGPUProgram {
  variableNames = ['X', 'Hs'];
  variableComponents: number[];
  outputComponent: number;
  outputShape: number[];
  shaderKey: string;
  dispatchLayout = { x: [0, 1, 2, 3] };
  dispatch: [number, number, number];
  workgroupSize: [number, number, number] = [WARP_WORKGROUP, 1, 1];
  private comp: 1 | 4;

  /** shape: [N, H, W, C] of both input and output. */
  constructor(shape: number[]) {
    this.outputShape = shape;
    this.comp = shape[3] % 4 === 0 ? 4 : 1;
    this.variableComponents = [this.comp, 1];
    this.outputComponent = this.comp;
    this.shaderKey = `egoWarp_c${this.comp}`;
    this.dispatch = flatDispatch(shape[0] * shape[1] * shape[2], WARP_WORKGROUP);
  }

  getUserCode(): string {
    const v = vecType(this.comp);
    return `
${SAMPLE_WGSL}
fn main(index : i32) {
  let Hd = uniforms.xShape.y;
  let Wd = uniforms.xShape.z;
  let hw = Hd * Wd;
  if (index >= uniforms.xShape.x * hw) { return; }
  let n = index / hw;
  let p = index - n * hw;
  let y = p / Wd;
  let x = p - y * Wd;
  let cv = uniforms.xShape.w / ${this.comp};   // channels in ${v.t} units
  let tp = sampleTaps(n * 9, n * hw, x, y, Wd, Hd);
  let r = tp.rows * cv;
  let o = index * cv;
  for (var c = 0; c < cv; c++) {
    let s = tp.w.x * X[r.x + c] + tp.w.y * X[r.y + c] + tp.w.z * X[r.z + c] + tp.w.w * X[r.w + c];
    result[o + c] = s;
  }
}
`;
  }
}

/** WGSL: validity mask [N, H, W] of the same warp (1 inside the source, 0 outside). */
export class WarpMaskProgram implements WebGPUProgram {
  variableNames = ['Hs'];
  outputShape: number[];
  shaderKey = 'egoWarpMask';
  dispatchLayout = { x: [0, 1, 2] };
  dispatch: [number, number, number];
  workgroupSize: [number, number, number] = [WARP_WORKGROUP, 1, 1];
  size = true;

  /** shape: [N, H, W]. */
  constructor(shape: number[]) {
    this.outputShape = shape;
    this.dispatch = flatDispatch(shape[0] * shape[1] * shape[2], WARP_WORKGROUP);
  }

  getUserCode(): string {
    return `
${SAMPLE_WGSL}
fn main(index : i32) {
  if (index >= uniforms.size) { return; }
  let Hd = uniforms.outShape.y;
  let Wd = uniforms.outShape.z;
  let hw = Hd * Wd;
  let n = index / hw;
  let p = index - n * hw;
  let y = p / Wd;
  let x = p - y * Wd;
  let tp = sampleTaps(n * 9, 0, x, y, Wd, Hd);
  setOutputAtIndex(index, select(0.0, 1.0, tp.valid));
}
`;
  }
}
