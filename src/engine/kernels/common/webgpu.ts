/**
 * Glue between our WGSL programs and tfjs's WebGPU backend.
 *
 * A program object follows tfjs-backend-webgpu's `WebGPUProgram` interface: the backend writes
 * the header (uniform struct with every input's shape and strides, storage bindings named after
 * `variableNames`, `setOutputAtIndex`, `getGlobalIndex`) and appends our `getUserCode()`. Its
 * pipeline cache key is `shaderKey` + input ranks + dtypes, so everything our code bakes into the
 * WGSL text must be in `shaderKey`; sizes that vary per clip (T, H, W, C) are read from the
 * uniform shapes (`uniforms.<name>Shape`), never baked.
 */
import * as tf from '@tensorflow/tfjs';
import type { WebGPUBackend, WebGPUProgram } from '@tensorflow/tfjs-backend-webgpu';

export type { WebGPUProgram };

/** A program-defined uniform, in the order of the program's `uniforms` declaration. */
export interface ProgramUniform {
  type: 'float32' | 'int32' | 'uint32';
  data: number[];
}

export function isWebGPU(): boolean {
  return tf.getBackend() === 'webgpu';
}

/** Runs `program` on the current (WebGPU) backend and wraps the output as a tf.Tensor. */
export function runProgram(program: WebGPUProgram, inputs: tf.Tensor[], uniforms: ProgramUniform[] = [], dtype: tf.DataType = 'float32'): tf.Tensor {
  const backend = tf.backend() as unknown as WebGPUBackend;
  if (typeof backend.runWebGPUProgram !== 'function') throw new Error(`runProgram needs the webgpu backend, current is ${tf.getBackend()}`);
  const info = backend.runWebGPUProgram(program, inputs, dtype, uniforms);
  return tf.engine().makeTensorFromTensorInfo(info);
}

/** Workgroup count for a flat 1-D dispatch of `n` invocations. */
export function flatDispatch(n: number, workgroupSize: number): [number, number, number] {
  return [Math.max(1, Math.ceil(n / workgroupSize)), 1, 1];
}

/** WGSL snippets for a value type of 1 or 4 floats (vec4 loads when the channel count allows). */
export function vecType(comp: 1 | 4): { t: string; dot: string } {
  return comp === 4
    ? { t: 'vec4<f32>', dot: 'fn vdot(a : vec4<f32>, b : vec4<f32>) -> f32 { return dot(a, b); }' }
    : { t: 'f32', dot: 'fn vdot(a : f32, b : f32) -> f32 { return a * b; }' };
}

/** WGSL: bilinear taps of the source point that the inverse homography `Hs[base..base+9)` gives
 * for destination pixel (x, y). Taps outside the source get weight 0 and row 0; `valid` is the
 * validity mask (point in front of the camera and inside [0, W-1] x [0, H-1]). */
export const SAMPLE_WGSL = `
struct Taps { rows : vec4<i32>, w : vec4<f32>, valid : bool };
fn sampleTaps(base : i32, frameRow : i32, x : i32, y : i32, Wd : i32, Hd : i32) -> Taps {
  var out : Taps;
  out.rows = vec4<i32>(0);
  out.w = vec4<f32>(0.0);
  out.valid = false;
  let xf = f32(x);
  let yf = f32(y);
  let wz = Hs[base + 6] * xf + Hs[base + 7] * yf + Hs[base + 8];
  if (!(wz > 1e-8)) { return out; }
  let sx = (Hs[base + 0] * xf + Hs[base + 1] * yf + Hs[base + 2]) / wz;
  let sy = (Hs[base + 3] * xf + Hs[base + 4] * yf + Hs[base + 5]) / wz;
  let Wf = f32(Wd);
  let Hf = f32(Hd);
  out.valid = sx >= 0.0 && sx <= Wf - 1.0 && sy >= 0.0 && sy <= Hf - 1.0;
  // Far outside: every tap is zero (also keeps the i32 conversion below in range).
  if (!(sx > -1.0 && sx < Wf && sy > -1.0 && sy < Hf)) { return out; }
  let fx0 = floor(sx);
  let fy0 = floor(sy);
  let ax = sx - fx0;
  let ay = sy - fy0;
  let x0 = i32(fx0);
  let y0 = i32(fy0);
  let x1 = x0 + 1;
  let y1 = y0 + 1;
  let inX0 = x0 >= 0;
  let inX1 = x1 < Wd;
  let inY0 = y0 >= 0;
  let inY1 = y1 < Hd;
  // Taps in the order (x0,y0), (x1,y0), (x0,y1), (x1,y1).
  out.w = vec4<f32>(
    select(0.0, (1.0 - ax) * (1.0 - ay), inX0 && inY0),
    select(0.0, ax * (1.0 - ay), inX1 && inY0),
    select(0.0, (1.0 - ax) * ay, inX0 && inY1),
    select(0.0, ax * ay, inX1 && inY1));
  let cx0 = max(x0, 0);
  let cx1 = min(x1, Wd - 1);
  let cy0 = max(y0, 0);
  let cy1 = min(y1, Hd - 1);
  out.rows = vec4<i32>(frameRow + cy0 * Wd + cx0, frameRow + cy0 * Wd + cx1, frameRow + cy1 * Wd + cx0, frameRow + cy1 * Wd + cx1);
  return out;
}
`;
