/**
 * The attention core shared by temporal attention (aligned supports) and the fused warp+attend
 * kernel (supports sampled through homographies), with its stock-tfjs composition and gradient.
 *
 *   Z_q = R_q + sum_j a_qj (U~_qj + vb),  a_q = softmax_j(scale * Q_q . (K~_qj + kb))     // per location
 *
 * K~_qj, U~_qj: support j aligned to query q (warp plan; identity taps when already aligned).
 * Shapes: Q [Tq, H, W, Dk], K [T, H, W, Dk], U [T, H, W, C], R [Tq, H, W, C], kb [Dk], vb [C],
 * out [Tq, H, W, C].
 *
 * Gradient (the same formulas on every backend, stock ops; B = Tq*H*W locations):
 *   dR = G;  dU~ = a^T G;  da = G (U~ + vb)^T;  ds = a * (da - sum_j a da);
 *   dQ = scale (ds K~ + sum(ds) kb);  dK~ = scale ds^T Q;  dkb = scale sum_B sum(ds) Q;
 *   dvb = sum_B sum(a) G;  dK, dU = warp-transpose(dK~, dU~) (scatterND of the bilinear taps).
 * Supports left out by the mask have a = 0, hence no gradient.
 */
import * as tf from '@tensorflow/tfjs';
import type { KernelConfig, TensorInfo } from '@tensorflow/tfjs';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import { applyPlan, applyPlanT, buildWarpPlan, type WarpPlan } from '../common/warp_plan';
import { AttendProgram } from './program';
import { customOp } from '../common/dispatch';

export const EGO_ATTEND = 'EgoTemporalAttend';

export const attentionKernelConfigs: KernelConfig[] = [
  {
    kernelName: EGO_ATTEND,
    backendName: 'webgpu',
    kernelFunc: ({ inputs, backend, attrs }) => {
      const ins = inputs as Record<string, TensorInfo>;
      const { scale, warp, mask } = attrs as unknown as { scale: number; warp: boolean; mask: boolean };
      const bias = !!ins.kb;
      const list = [ins.q, ins.k, ins.u, ins.r];
      if (warp) list.push(ins.hs);
      if (bias) list.push(ins.kb, ins.vb);
      if (mask && !warp) list.push(ins.m);
      const prog = new AttendProgram(ins.r.shape, ins.q.shape[3], { warp, bias, mask });
      return (backend as unknown as WebGPUBackend).runWebGPUProgram(prog, list, 'float32', [{ type: 'float32', data: [scale] }]);
    },
  },
];

export interface CoreOptions {
  scale: number;
  /** Inverse homographies [Tq, T, 9] (query q samples support j through hinv[q][j]); null: aligned. */
  hinv: Float32Array | null;
  /** Leave out invalid supports (warp: sample outside the source; aligned: m == 0). */
  maskInvalid: boolean;
  /** Validity of aligned supports [T, H, W] (aligned mode with maskInvalid only). */
  m?: tf.Tensor3D;
  kernel: boolean;
}

/** Plan that aligns support j to query q for every location, rows ordered (q, p, j). */
function attendPlan(hinv: Float32Array | null, tq: number, t: number, h: number, w: number): WarpPlan {
  const hw = h * w;
  const src = Array.from({ length: tq * t }, (_, o) => o % t);
  const rowOf = (o: number, p: number) => (Math.floor(o / t) * hw + p) * t + (o % t);
  if (hinv) return buildWarpPlan(hinv, src, t, h, w, rowOf);
  // Aligned: identity taps.
  const idHinv = new Float32Array(tq * t * 9);
  for (let o = 0; o < tq * t; o++) idHinv.set([1, 0, 0, 0, 1, 0, 0, 0, 1], o * 9);
  return buildWarpPlan(idHinv, src, t, h, w, rowOf);
}

interface Saved {
  plan: WarpPlan;
  /** [B, 1, T] validity (1/0) or null when every support attends. */
  valid: tf.Tensor3D | null;
}

/** Validity [B, 1, T] as a tensor, from the plan (warp) or the aligned mask m [T, H, W]. */
function validity(opts: CoreOptions, plan: WarpPlan, tq: number, t: number, hw: number): tf.Tensor3D | null {
  if (!opts.maskInvalid) return null;
  if (opts.hinv) return tf.tensor3d(Float32Array.from(plan.valid), [tq * hw, 1, t]);
  const m = opts.m!;
  return tf.tidy(() => tf.tile(tf.transpose(tf.reshape(m, [t, hw]), [1, 0]), [tq, 1]).reshape([tq * hw, 1, t]) as tf.Tensor3D);
}

/** Attention weights a [B, 1, T] and aligned K~ [B, T, Dk], U~ [B, T, C] (stock ops). */
function stockParts(q: tf.Tensor4D, k: tf.Tensor4D, u: tf.Tensor4D, kb: tf.Tensor | null, s: Saved, scale: number) {
  const [tq, h, w, dk] = q.shape;
  const t = k.shape[0];
  const c = u.shape[3];
  const b = tq * h * w;
  const ak = applyPlan(s.plan, tf.reshape(k, [t * h * w, dk]) as tf.Tensor2D).reshape([b, t, dk]) as tf.Tensor3D;
  const au = applyPlan(s.plan, tf.reshape(u, [t * h * w, c]) as tf.Tensor2D).reshape([b, t, c]) as tf.Tensor3D;
  const qr = tf.reshape(q, [b, 1, dk]) as tf.Tensor3D;
  let logits = tf.matMul(qr, kb ? tf.add(ak, kb) : ak, false, true); // [B, 1, T]
  logits = tf.mul(logits, scale);
  if (s.valid) logits = tf.add(logits, tf.mul(tf.sub(1, s.valid), -1e30));
  let a = tf.softmax(logits) as tf.Tensor3D;
  if (s.valid) a = tf.mul(a, s.valid) as tf.Tensor3D; // all-invalid rows: zero weights, as the kernel
  return { a, ak, au, qr };
}

/** Stock-tfjs forward. Aligned supports use a transpose-and-batched-matmul form (no gathers). */
function stockForward(q: tf.Tensor4D, k: tf.Tensor4D, u: tf.Tensor4D, r: tf.Tensor4D, kb: tf.Tensor | null, vb: tf.Tensor | null, opts: CoreOptions, getSaved: () => Saved): tf.Tensor {
  const [tq, h, w] = q.shape;
  const c = u.shape[3];
  const b = tq * h * w;
  if (!opts.hinv && !opts.maskInvalid) {
    // [HW, Tq, Dk] x [HW, Dk, T] -> [HW, Tq, T]; softmax; x [HW, T, C] -> [HW, Tq, C].
    const hw = h * w;
    const dk = q.shape[3];
    const t = k.shape[0];
    const qh = tf.transpose(tf.reshape(q, [tq, hw, dk]), [1, 0, 2]);
    const kh = tf.transpose(tf.reshape(kb ? tf.add(k, kb) : k, [t, hw, dk]), [1, 0, 2]);
    const uh = tf.transpose(tf.reshape(vb ? tf.add(u, vb) : u, [t, hw, c]), [1, 0, 2]);
    const a = tf.softmax(tf.mul(tf.matMul(qh, kh, false, true), opts.scale));
    const z = tf.transpose(tf.matMul(a, uh), [1, 0, 2]).reshape(r.shape);
    return tf.add(r, z);
  }
  const s = getSaved();
  const { a, au } = stockParts(q, k, u, kb, s, opts.scale);
  let z = tf.matMul(a, au); // [B, 1, C]
  if (vb) z = tf.add(z, tf.mul(tf.sum(a, -1, true), vb));
  return tf.add(r, tf.reshape(z, [b, c]).reshape(r.shape));
}

/**
 * Runs the core (kernel or stock) with the gradient above. Inputs are not disposed; the result is
 * a new tensor.
 */
export function attendCore(q: tf.Tensor4D, k: tf.Tensor4D, u: tf.Tensor4D, r: tf.Tensor4D, kb: tf.Tensor1D | null, vb: tf.Tensor1D | null, opts: CoreOptions): tf.Tensor4D {
  const [tq, h, w] = q.shape;
  const t = k.shape[0];
  const hw = h * w;
  let saved: Saved | null = null;
  // Built on first use (stock forward or backward); its tensors are released when the op's
  // gradient has run or, for a forward-only call, right after the forward.
  const getSaved = (): Saved => {
    if (!saved) {
      const plan = attendPlan(opts.hinv, tq, t, h, w);
      const valid = validity(opts, plan, tq, t, hw);
      saved = { plan, valid: valid ? tf.keep(valid) : null };
    }
    return saved;
  };
  const release = () => {
    if (saved?.valid) saved.valid.dispose();
    saved = null;
  };
  const inputs: tf.Tensor[] = kb && vb ? [q, k, u, r, kb, vb] : [q, k, u, r];
  const f = customOp((args, save) => {
    const [qi, ki, ui, ri] = args as tf.Tensor4D[];
    save(args);
    const kbi = kb ? args[4] : null;
    const vbi = vb ? args[5] : null;
    const value = tf.tidy(() => {
      if (opts.kernel) {
        const ins: Record<string, tf.Tensor> = { q: qi, k: ki, u: ui, r: ri };
        if (opts.hinv) ins.hs = tf.tensor3d(opts.hinv, [tq, t, 9]);
        if (kbi && vbi) {
          ins.kb = kbi;
          ins.vb = vbi;
        }
        if (opts.maskInvalid && !opts.hinv) ins.m = opts.m!;
        return tf.engine().runKernel(EGO_ATTEND, ins as unknown as tf.NamedTensorMap, { scale: opts.scale, warp: !!opts.hinv, mask: opts.maskInvalid } as unknown as tf.NamedAttrMap) as tf.Tensor;
      }
      return stockForward(qi, ki, ui, ri, kbi, vbi, opts, getSaved);
    });
    return {
      value,
      gradFunc: (dy: tf.Tensor, sv: tf.Tensor[]) => {
        try {
          const [sq, sk, su] = sv as tf.Tensor4D[];
          return tf.tidy(() => backward(dy, sq, sk, su, kb ? sv[4] : null, vb ? sv[5] : null, opts, getSaved()));
        } finally {
          release();
        }
      },
    };
  });
  const out = f(...inputs) as tf.Tensor4D;
  // Forward-only calls never reach gradFunc; the plan is plain JS memory, the mask tensor is not.
  if (!(tf.engine().state as unknown as { gradientDepth: number }).gradientDepth) release();
  return out;
}

function backward(dy: tf.Tensor, q: tf.Tensor4D, k: tf.Tensor4D, u: tf.Tensor4D, kb: tf.Tensor | null, vb: tf.Tensor | null, opts: CoreOptions, s: Saved): tf.Tensor[] {
  const [tq, h, w, dk] = q.shape;
  const t = k.shape[0];
  const c = u.shape[3];
  const b = tq * h * w;
  const { a, ak, au, qr } = stockParts(q, k, u, kb, s, opts.scale);
  const g = tf.reshape(dy, [b, 1, c]);
  const dR = dy;
  const dAU = tf.matMul(a, g, true, false); // [B, T, C]
  const da = tf.matMul(g, vb ? tf.add(au, vb) : au, false, true); // [B, 1, T]
  const ds = tf.mul(a, tf.sub(da, tf.sum(tf.mul(a, da), -1, true))); // [B, 1, T]
  const dsSum = tf.sum(ds, -1, true); // [B, 1, 1]
  let dQ = tf.matMul(ds, ak); // [B, 1, Dk]
  if (kb) dQ = tf.add(dQ, tf.mul(dsSum, kb));
  dQ = tf.mul(dQ, opts.scale);
  const dAK = tf.mul(tf.matMul(ds, qr, true, false), opts.scale); // [B, T, Dk]
  const dK = applyPlanT(s.plan, tf.reshape(dAK, [b * t, dk]) as tf.Tensor2D).reshape(k.shape);
  const dU = applyPlanT(s.plan, tf.reshape(dAU, [b * t, c]) as tf.Tensor2D).reshape(u.shape);
  const grads = [tf.reshape(dQ, q.shape), dK, dU, dR];
  if (kb && vb) {
    grads.push(tf.mul(tf.sum(tf.mul(dsSum, qr), [0, 1]), opts.scale));
    grads.push(tf.sum(tf.mul(tf.sum(a, -1, true), g), [0, 1]));
  }
  return grads;
}

/**
 * The stock composition with tfjs's own autodiff (no customGrad): the reference that tests compare
 * our gradient formulas against. Call inside tf.tidy (its validity tensor is left to the scope).
 */
export function attendStockAutodiff(q: tf.Tensor4D, k: tf.Tensor4D, u: tf.Tensor4D, r: tf.Tensor4D, kb: tf.Tensor1D | null, vb: tf.Tensor1D | null, opts: CoreOptions): tf.Tensor4D {
  const [tq, h, w] = q.shape;
  const t = k.shape[0];
  const plan = attendPlan(opts.hinv, tq, t, h, w);
  const valid = validity(opts, plan, tq, t, h * w);
  return stockForward(q, k, u, r, kb, vb, opts, () => ({ plan, valid })) as tf.Tensor4D;
}
