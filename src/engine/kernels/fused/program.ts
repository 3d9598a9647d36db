/**
 * WGSL: fused homography warp + temporal attention (issue 3, kernel 3) — the kernel the pipeline
 * runs. It is ../attention/program.ts's AttendProgram with `warp` on:
 *
 *   z_i[x,y] = v_i[x,y] + softmax_j( v_i[x,y] . v~_ji[x,y] / sqrt(d) ) v~_ji[x,y],
 *   v~_ji[x,y] = bilinear sample of v_j at H_ji^-1 (x, y, 1)   (zero outside the source)
 *
 * which equals warp (kernel 1) followed by attention (kernel 2) without writing the T warped
 * copies per query: each invocation computes, per support, the projective divide and four tap
 * addresses once, then reads the taps straight from the unwarped support map in both passes.
 *
 * Tiling, barriers: see AttendProgram (one invocation per query location; no shared memory, no
 * barriers). Baked (shaderKey): warp, biases, mask, vec4, MAX_T. Uniform: T, H, W, C, Dk, Tq
 * (through the input shapes) and the softmax scale.
 *
 * Versions: one (AttendProgram's, see its header for what is still to try). What it replaces is
 * the stock composition: four gathers that materialise the warped copies [Tq, T, H, W, C], then
 * batched matmuls; figures against it in docs/kernels.md.
 */
import { AttendProgram } from '../attention/program';

export class FusedWarpAttendProgram extends AttendProgram {
  constructor(outShape: number[], dk: number, opts: { bias: boolean; mask: boolean }) {
    super(outShape, dk, { warp: true, ...opts });
  }
}
