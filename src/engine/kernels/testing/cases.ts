/**
 * The kernel checks, shared by vitest (Node: cpu backend, and webgpu through Dawn where an adapter
 * exists) and the in-browser harness (webgpu, webgl, wasm, cpu). Each check runs the op on the
 * current backend (WGSL kernel on webgpu, stock composition elsewhere) and compares with the CPU
 * reference (float64 plain loops) with absolute + relative tolerance, printing the first
 * mismatches. Gradient checks compare with tfjs autodiff of the stock composition and with finite
 * differences of the reference. Shapes are odd on purpose (not multiples of 4 or of the workgroup).
 */
import * as tf from '@tensorflow/tfjs';
import { assertClose } from '../common/check';
import { IDENTITY, makeHomography, randomArray, randomClipHomographies, randomHomography, type Mat3 } from '../common/data';
import { warpAutodiff, warpFeatures, warpMask } from '../warp/kernel';
import { warpReference } from '../warp/reference';
import { temporalAttention, temporalAttentionAutodiff, type AttentionWeights } from '../attention/kernel';
import { attentionReference, type RefWeights } from '../attention/reference';
import { warpAttend, warpAttendAutodiff } from '../fused/kernel';
import { fusedReference } from '../fused/reference';
import { attendByMap, avCosineMap, differentiableThreshold, locationSoftmax, softLocalize } from '../softloc/kernel';
import { attendByMapReference, cosineMapReference, locationSoftmaxReference, thresholdReference } from '../softloc/reference';
import '../register';

export interface KernelCheck {
  name: string;
  run: () => Promise<void>;
}

type Shape4 = [number, number, number, number];
const FWD = { atol: 1e-4, rtol: 1e-4 };
const GRAD = { atol: 1e-4, rtol: 1e-3 };

async function take(t: tf.Tensor): Promise<Float32Array> {
  try {
    return (await t.data()) as Float32Array;
  } finally {
    t.dispose();
  }
}

/** Per-frame homographies of a warp test: identity, mild, strong, all outside, partly behind the camera. */
function warpSet(n: number, w: number, h: number, seed: number): Mat3[] {
  const kinds: Mat3[] = [
    IDENTITY.slice(),
    randomHomography(w, h, seed, 0.3),
    randomHomography(w, h, seed + 1, 1.5),
    makeHomography(w, h, { tx: w + 2 }), // every sample outside the source
    makeHomography(w, h, { rot: 0.2, px: 1.5 / w }), // the far side is behind the camera
  ];
  return Array.from({ length: n }, (_, i) => kinds[i % kinds.length]);
}

function refWeights(c: number, dk: number, seed: number): { t: AttentionWeights; ref: RefWeights; all: tf.Tensor[] } {
  const wq = randomArray(c * dk, seed, 0.5);
  const bq = randomArray(dk, seed + 1, 0.1);
  const wk = randomArray(c * dk, seed + 2, 0.5);
  const bk = randomArray(dk, seed + 3, 0.1);
  const wv = randomArray(c * c, seed + 4, 0.5);
  const bv = randomArray(c, seed + 5, 0.1);
  const t = {
    wq: tf.tensor2d(wq, [c, dk]),
    bq: tf.tensor1d(bq),
    wk: tf.tensor2d(wk, [c, dk]),
    bk: tf.tensor1d(bk),
    wv: tf.tensor2d(wv, [c, c]),
    bv: tf.tensor1d(bv),
  };
  return { t, ref: { wq, bq, wk, bk, wv, bv, dk }, all: Object.values(t) };
}

/** Random 0/1 validity [T, H, W] with the query frames always valid. */
function randomMask(t: number, hw: number, seed: number): Float32Array {
  const r = randomArray(t * hw, seed);
  return Float32Array.from(r, (x) => (x > -0.3 ? 1 : 0));
}

// ---------------------------------------------------------------- forward checks

const warpShapes: Shape4[] = [
  [5, 5, 7, 1],
  [5, 6, 9, 3],
  [5, 7, 5, 64],
  [3, 4, 6, 512],
];

const warpChecks: KernelCheck[] = warpShapes.map((shape) => ({
  name: `warp [${shape}] identity/mild/strong/outside/behind vs reference`,
  async run() {
    const [n, h, w, c] = shape;
    const x = randomArray(n * h * w * c, 11 + c);
    const hs = warpSet(n, w, h, 3 + c);
    const ref = warpReference(x, shape, hs);
    const xt = tf.tensor4d(x, shape);
    try {
      assertClose(await take(warpFeatures(xt, hs)), ref.out, { ...FWD, shape, label: 'warp values' });
      assertClose(await take(warpMask([n, h, w], hs)), ref.mask, { atol: 0, rtol: 0, shape: [n, h, w], label: 'warp mask', skip: (i) => ref.border[i] < 1e-3 });
    } finally {
      xt.dispose();
    }
  },
}));

interface AttnCase {
  shape: Shape4;
  queries: 'all' | number;
  form: 'plain' | 'projected';
  dk?: number;
  mask?: boolean;
}

const attnCases: AttnCase[] = [
  { shape: [1, 3, 5, 1], queries: 'all', form: 'plain' },
  { shape: [2, 4, 5, 3], queries: 1, form: 'plain' },
  { shape: [5, 5, 3, 64], queries: 'all', form: 'plain' },
  { shape: [9, 3, 3, 512], queries: 4, form: 'plain' },
  { shape: [5, 4, 5, 3], queries: 'all', form: 'plain', mask: true },
  { shape: [5, 3, 5, 64], queries: 2, form: 'projected', dk: 16 },
  { shape: [2, 3, 4, 3], queries: 'all', form: 'projected', dk: 5 },
  { shape: [9, 3, 3, 8], queries: 'all', form: 'projected', dk: 4, mask: true },
];

function attnName(p: AttnCase): string {
  return `[${p.shape}] queries=${p.queries} ${p.form}${p.dk ? ` dk=${p.dk}` : ''}${p.mask ? ' maskInvalid' : ''}`;
}

const attentionChecks: KernelCheck[] = attnCases.map((p, idx) => ({
  name: `temporal attention ${attnName(p)} vs reference`,
  async run() {
    const [t, h, w, c] = p.shape;
    const v = randomArray(t * h * w * c, 100 + idx);
    const mask = p.mask ? randomMask(t, h * w, 7 + idx) : null;
    const W = p.form === 'projected' ? refWeights(c, p.dk!, 50 + idx) : null;
    const want = attentionReference(v, p.shape, p.queries, { form: p.form, weights: W?.ref, maskInvalid: !!p.mask }, mask);
    const vt = tf.tensor4d(v, p.shape);
    const mt = mask ? tf.tensor3d(mask, [t, h, w]) : undefined;
    try {
      const z = temporalAttention(vt, { mask: mt, weights: W?.t }, { queries: p.queries, form: p.form, maskInvalid: !!p.mask });
      const tq = p.queries === 'all' ? t : 1;
      assertClose(await take(z), want, { ...FWD, shape: [tq, h, w, c], label: 'attention z' });
    } finally {
      tf.dispose([vt, ...(mt ? [mt] : []), ...(W ? W.all : [])]);
    }
  },
}));

interface FusedCase extends AttnCase {
  strength: number;
}

const fusedCases: FusedCase[] = [
  { shape: [1, 5, 7, 1], queries: 'all', form: 'plain', strength: 1 },
  { shape: [2, 6, 5, 3], queries: 'all', form: 'plain', strength: 1.5 },
  { shape: [5, 7, 9, 64], queries: 2, form: 'plain', strength: 1 },
  { shape: [9, 5, 5, 512], queries: 4, form: 'plain', strength: 1 },
  { shape: [9, 4, 6, 64], queries: 'all', form: 'plain', strength: 1.5 },
  { shape: [5, 5, 7, 3], queries: 'all', form: 'plain', strength: 1.5, mask: true },
  { shape: [5, 5, 7, 64], queries: 2, form: 'projected', dk: 16, strength: 1 },
  { shape: [2, 4, 5, 3], queries: 'all', form: 'projected', dk: 5, strength: 1.5, mask: true },
];

const fusedChecks: KernelCheck[] = [
  ...fusedCases.map((p, idx) => ({
    name: `fused warp+attend ${attnName(p)} strength=${p.strength} vs warp-then-attend reference`,
    async run() {
      const [t, h, w, c] = p.shape;
      const v = randomArray(t * h * w * c, 200 + idx);
      const qIdx = p.queries === 'all' ? Array.from({ length: t }, (_, i) => i) : [p.queries];
      const hs = randomClipHomographies(t, w, h, qIdx, 30 + idx, p.strength);
      const W = p.form === 'projected' ? refWeights(c, p.dk!, 60 + idx) : null;
      const ref = fusedReference(v, p.shape, qIdx, hs, { form: p.form, weights: W?.ref, maskInvalid: !!p.mask });
      const vt = tf.tensor4d(v, p.shape);
      try {
        const z = warpAttend(vt, hs, W?.t, { queries: p.queries, form: p.form, maskInvalid: !!p.mask });
        // With the mask on, a sample within float rounding of the border may be in or out: skip those locations.
        const skip = p.mask ? (i: number) => ref.border[Math.floor(i / c)] < 1e-3 : undefined;
        assertClose(await take(z), ref.z, { ...FWD, shape: [qIdx.length, h, w, c], label: 'fused z', skip });
      } finally {
        tf.dispose([vt, ...(W ? W.all : [])]);
      }
    },
  })),
  {
    name: 'fused warp+attend with identity homographies equals temporal attention',
    async run() {
      const shape: Shape4 = [5, 4, 7, 12];
      const vt = tf.tensor4d(randomArray(5 * 4 * 7 * 12, 77), shape);
      const ids = Array.from({ length: 5 }, () => Array.from({ length: 5 }, () => IDENTITY.slice()));
      try {
        const a = await take(warpAttend(vt, ids));
        const b = await take(temporalAttention(vt));
        assertClose(a, b, { atol: 1e-6, rtol: 1e-6, shape, label: 'fused(identity) vs attention' });
      } finally {
        vt.dispose();
      }
    },
  },
];

const softShapes: Shape4[] = [
  [1, 3, 5, 1],
  [2, 4, 5, 3],
  [5, 7, 9, 64],
  [2, 3, 3, 512],
];

const softlocChecks: KernelCheck[] = softShapes.map((shape, idx) => ({
  name: `AV cosine map + soft localization + threshold [${shape}] vs reference`,
  async run() {
    const [t, h, w, c] = shape;
    const v = randomArray(t * h * w * c, 300 + idx);
    v.fill(0, 0, c); // one all-zero feature: its cosine is 0
    const g = randomArray(c, 400 + idx);
    const cfg = { epsilon: 0.1, tau: 0.03, temperature: 0.5 };
    const s = cosineMapReference(v, shape, g, 1e-6);
    const a = locationSoftmaxReference(s, t, h * w, cfg.temperature);
    const vh = attendByMapReference(v, a, c);
    const m = thresholdReference(s, cfg.epsilon, cfg.tau);
    const vt = tf.tensor4d(v, shape);
    const gt = tf.tensor1d(g);
    try {
      const out = softLocalize(vt, gt, cfg);
      const thr = differentiableThreshold(out.s, cfg);
      assertClose(await take(out.s), s, { ...FWD, shape: [t, h, w], label: 'cosine S' });
      assertClose(await take(out.a), a, { ...FWD, shape: [t, h, w], label: 'softmax A' });
      assertClose(await take(out.vhat), vh, { ...FWD, shape, label: 'v^ = A v' });
      assertClose(await take(thr), m, { atol: 2e-4, rtol: 1e-3, shape: [t, h, w], label: 'threshold m' });
    } finally {
      tf.dispose([vt, gt]);
    }
  },
}));

// ---------------------------------------------------------------- gradient checks

/** sum_i a_i b_i in float64. */
function dot64(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/**
 * Directional finite difference of L(x) = <f(x), G> along D, on the float64 reference, against
 * <dL/dx, D> from the op's gradient.
 */
function checkFD(label: string, f: (x: Float64Array) => ArrayLike<number>, x: ArrayLike<number>, G: ArrayLike<number>, grad: ArrayLike<number>, seed: number): void {
  const D = randomArray(x.length, seed);
  const h = 1e-4;
  const xp = Float64Array.from(x, (xi, i) => xi + h * D[i]);
  const xm = Float64Array.from(x, (xi, i) => xi - h * D[i]);
  const fd = (dot64(f(xp), G) - dot64(f(xm), G)) / (2 * h);
  const an = dot64(grad, D);
  if (!(Math.abs(fd - an) <= 1e-3 + 2e-3 * Math.abs(fd))) throw new Error(`${label}: directional derivative ${an} from the gradient, ${fd} by finite differences`);
}

/** Gradients of sum(f(xs) * G) w.r.t. xs: with our op, and with the autodiff composition (where gather has a gradient). */
async function grads(xs: tf.Tensor[], op: (...x: tf.Tensor[]) => tf.Tensor, auto: ((...x: tf.Tensor[]) => tf.Tensor) | null, G: tf.Tensor) {
  const ours = tf.tidy(() => tf.grads((...x: tf.Tensor[]) => tf.sum(tf.mul(op(...x), G)))(xs));
  const mine = await Promise.all(ours.map(take));
  let theirs: Float32Array[] | null = null;
  // tfjs-wasm has no UnsortedSegmentSum, so gather (the stock warp) has no gradient there.
  if (auto && tf.getBackend() !== 'wasm') {
    const th = tf.tidy(() => tf.grads((...x: tf.Tensor[]) => tf.sum(tf.mul(auto(...x), G)))(xs));
    theirs = await Promise.all(th.map(take));
  }
  return { mine, theirs };
}

const gradChecks: KernelCheck[] = [
  {
    name: 'gradient: warp vs autodiff of the stock warp and finite differences',
    async run() {
      const shape: Shape4 = [5, 5, 7, 3];
      const [n, h, w, c] = shape;
      const x = randomArray(n * h * w * c, 500);
      const Gd = randomArray(x.length, 501);
      const hs = warpSet(n, w, h, 9);
      const xt = tf.tensor4d(x, shape);
      const G = tf.tensor4d(Gd, shape);
      try {
        const { mine, theirs } = await grads([xt], (a) => warpFeatures(a as tf.Tensor4D, hs), (a) => warpAutodiff(a as tf.Tensor4D, hs), G);
        if (theirs) assertClose(mine[0], theirs[0], { ...GRAD, shape, label: 'dwarp/dx vs autodiff' });
        checkFD('dwarp/dx', (xx) => warpReference(xx, shape, hs).out, x, Gd, mine[0], 502);
      } finally {
        tf.dispose([xt, G]);
      }
    },
  },
  ...[
    { shape: [5, 4, 5, 3] as Shape4, queries: 'all' as const, form: 'plain' as const },
    { shape: [3, 3, 4, 5] as Shape4, queries: 1, form: 'projected' as const, dk: 4, mask: true },
  ].map((p, idx) => ({
    name: `gradient: temporal attention ${attnName(p)} vs autodiff and finite differences`,
    async run() {
      const [t, h, w, c] = p.shape;
      const v = randomArray(t * h * w * c, 600 + idx);
      const tq = p.queries === 'all' ? t : 1;
      const Gd = randomArray(tq * h * w * c, 601 + idx);
      const mask = p.mask ? randomMask(t, h * w, 602 + idx) : null;
      const W = p.form === 'projected' ? refWeights(c, p.dk!, 603 + idx) : null;
      const cfg = { queries: p.queries, form: p.form, maskInvalid: !!p.mask };
      const vt = tf.tensor4d(v, p.shape);
      const mt = mask ? tf.tensor3d(mask, [t, h, w]) : undefined;
      const G = tf.tensor4d(Gd, [tq, h, w, c]);
      const wl = W ? W.all : [];
      const asW = (ws: tf.Tensor[]): AttentionWeights | undefined =>
        W ? { wq: ws[0] as tf.Tensor2D, bq: ws[1] as tf.Tensor1D, wk: ws[2] as tf.Tensor2D, bk: ws[3] as tf.Tensor1D, wv: ws[4] as tf.Tensor2D, bv: ws[5] as tf.Tensor1D } : undefined;
      try {
        const { mine, theirs } = await grads(
          [vt, ...wl],
          (a, ...ws) => temporalAttention(a as tf.Tensor4D, { mask: mt, weights: asW(ws) }, cfg),
          (a, ...ws) => temporalAttentionAutodiff(a as tf.Tensor4D, { mask: mt, weights: asW(ws) }, cfg),
          G,
        );
        const names = ['v', 'wq', 'bq', 'wk', 'bk', 'wv', 'bv'];
        if (theirs) mine.forEach((g, i) => assertClose(g, theirs[i], { ...GRAD, label: `dz/d${names[i]} vs autodiff` }));
        checkFD('dz/dv', (vv) => attentionReference(vv, p.shape, p.queries, { form: p.form, weights: W?.ref, maskInvalid: !!p.mask }, mask), v, Gd, mine[0], 604 + idx);
      } finally {
        tf.dispose([vt, G, ...(mt ? [mt] : []), ...wl]);
      }
    },
  })),
  ...[
    { shape: [5, 5, 6, 3] as Shape4, queries: 'all' as const, form: 'plain' as const, strength: 1.5 },
    { shape: [4, 4, 5, 4] as Shape4, queries: 2, form: 'projected' as const, dk: 8, mask: true, strength: 1 },
  ].map((p, idx) => ({
    name: `gradient: fused warp+attend ${attnName(p)} vs autodiff and finite differences`,
    async run() {
      const [t, h, w, c] = p.shape;
      const v = randomArray(t * h * w * c, 700 + idx);
      const qIdx = p.queries === 'all' ? Array.from({ length: t }, (_, i) => i) : [p.queries];
      const hs = randomClipHomographies(t, w, h, qIdx, 701 + idx, p.strength);
      const Gd = randomArray(qIdx.length * h * w * c, 702 + idx);
      const W = p.form === 'projected' ? refWeights(c, p.dk!, 703 + idx) : null;
      const cfg = { queries: p.queries, form: p.form, maskInvalid: !!p.mask };
      const vt = tf.tensor4d(v, p.shape);
      const G = tf.tensor4d(Gd, [qIdx.length, h, w, c]);
      const wl = W ? W.all : [];
      const asW = (ws: tf.Tensor[]): AttentionWeights | undefined =>
        W ? { wq: ws[0] as tf.Tensor2D, bq: ws[1] as tf.Tensor1D, wk: ws[2] as tf.Tensor2D, bk: ws[3] as tf.Tensor1D, wv: ws[4] as tf.Tensor2D, bv: ws[5] as tf.Tensor1D } : undefined;
      try {
        const { mine, theirs } = await grads(
          [vt, ...wl],
          (a, ...ws) => warpAttend(a as tf.Tensor4D, hs, asW(ws), cfg),
          (a, ...ws) => warpAttendAutodiff(a as tf.Tensor4D, hs, asW(ws), cfg),
          G,
        );
        const names = ['v', 'wq', 'bq', 'wk', 'bk', 'wv', 'bv'];
        if (theirs) mine.forEach((g, i) => assertClose(g, theirs[i], { ...GRAD, label: `dz/d${names[i]} vs autodiff` }));
        checkFD('dz/dv', (vv) => fusedReference(vv, p.shape, qIdx, hs, { form: p.form, weights: W?.ref, maskInvalid: !!p.mask }).z, v, Gd, mine[0], 704 + idx);
      } finally {
        tf.dispose([vt, G, ...wl]);
      }
    },
  })),
  {
    name: 'gradient: cosine map + soft localization + threshold vs autodiff and finite differences',
    async run() {
      const shape: Shape4 = [2, 3, 5, 6];
      const [t, h, w, c] = shape;
      const v = randomArray(t * h * w * c, 800);
      const g = randomArray(c, 801);
      const G1 = randomArray(v.length, 802);
      const G2 = randomArray(t * h * w, 803);
      const cfg = { epsilon: 0.1, tau: 0.3, temperature: 0.5 };
      const vt = tf.tensor4d(v, shape);
      const gt = tf.tensor1d(g);
      const g1 = tf.tensor4d(G1, shape);
      const g2 = tf.tensor3d(G2, [t, h, w]);
      // L = <v^, G1> + <m, G2>: exercises all four ops and their chaining.
      const loss = (f: (a: tf.Tensor4D, b: tf.Tensor1D) => { vhat: tf.Tensor; m: tf.Tensor }) => (a: tf.Tensor, b: tf.Tensor) => {
        const o = f(a as tf.Tensor4D, b as tf.Tensor1D);
        return tf.add(tf.sum(tf.mul(o.vhat, g1)), tf.sum(tf.mul(o.m, g2)));
      };
      const ours = loss((a, b) => {
        const s = avCosineMap(a, b, cfg);
        return { vhat: attendByMap(a, locationSoftmax(s, cfg), cfg), m: differentiableThreshold(s, cfg) };
      });
      const stock = loss((a, b) => {
        const s = tf.div(tf.sum(tf.mul(a, b), -1), tf.mul(tf.maximum(tf.norm(a, 'euclidean', -1), 1e-6), tf.maximum(tf.norm(b), 1e-6)));
        const A = tf.reshape(tf.softmax(tf.div(tf.reshape(s, [t, h * w]), cfg.temperature)), [t, h, w]);
        return { vhat: tf.mul(a, tf.expandDims(A, -1)), m: tf.sigmoid(tf.div(tf.sub(s, cfg.epsilon), cfg.tau)) };
      });
      try {
        const mine = await Promise.all(tf.tidy(() => tf.grads(ours)([vt, gt])).map(take));
        const theirs = await Promise.all(tf.tidy(() => tf.grads(stock)([vt, gt])).map(take));
        assertClose(mine[0], theirs[0], { ...GRAD, shape, label: 'dL/dv vs autodiff' });
        assertClose(mine[1], theirs[1], { ...GRAD, label: 'dL/dg vs autodiff' });
        const refLoss = (vv: ArrayLike<number>, gg: ArrayLike<number>) => {
          const s = cosineMapReference(vv, shape, gg, 1e-6);
          const a = locationSoftmaxReference(s, t, h * w, cfg.temperature);
          return dot64(attendByMapReference(vv, a, c), G1) + dot64(thresholdReference(s, cfg.epsilon, cfg.tau), G2);
        };
        checkFD('dL/dv', (vv) => [refLoss(vv, g)], v, [1], mine[0], 804);
        checkFD('dL/dg', (gg) => [refLoss(v, gg)], g, [1], mine[1], 805);
      } finally {
        tf.dispose([vt, gt, g1, g2]);
      }
    },
  },
];

export const KERNEL_CHECKS: { op: string; checks: KernelCheck[] }[] = [
  { op: 'warp', checks: warpChecks },
  { op: 'attention', checks: attentionChecks },
  { op: 'fused', checks: fusedChecks },
  { op: 'softloc', checks: softlocChecks },
  { op: 'grad', checks: gradChecks },
];
