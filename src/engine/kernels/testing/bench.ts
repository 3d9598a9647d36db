/**
 * Kernel benchmark, shared by the browser harness (src/harness/bench/kernels.ts) and Node
 * (tools/bench/kernels.ts, Dawn). For each op and shape, on the current backend (webgpu): the WGSL
 * kernel (impl 'kernel') and the stock-tfjs composition of the same op (impl 'stock', the
 * baseline) in the same run; ms = median wall time of one call including a readback of the result
 * (the same for both), ratio = baselineMs / ms, maxAbsErr = max |kernel - stock|.
 *
 * Shapes: the paper's (T = 9, 28 x 28 x 512) and the app's live size (T = 5, 14 x 14 x 256: five
 * frames of a MobileNet-like stride-16 map of a 224 x 224 frame).
 */
import * as tf from '@tensorflow/tfjs';
import { maxAbsDiff } from '../common/check';
import { randomArray, randomClipHomographies } from '../common/data';
import { warpFeatures } from '../warp/kernel';
import { temporalAttention } from '../attention/kernel';
import { warpAttend } from '../fused/kernel';
import { differentiableThreshold, softLocalize } from '../softloc/kernel';
import type { KernelImpl } from '../warp/config';
import '../register';

export interface KernelBenchRecord {
  suite: string;
  name: string;
  shape: string;
  ms: number;
  baselineMs: number;
  ratio: number;
  maxAbsErr: number;
  [k: string]: string | number | boolean | null;
}

const now = () => (typeof performance !== 'undefined' ? performance.now() : Date.now());

async function timeIt(f: () => tf.Tensor, iters: number): Promise<{ ms: number; out: Float32Array }> {
  let out = await readOut(f()); // warm-up: compiles the pipelines
  const times: number[] = [];
  for (let i = 0; i < iters; i++) {
    const t0 = now();
    out = await readOut(f());
    times.push(now() - t0);
  }
  times.sort((a, b) => a - b);
  return { ms: times[Math.floor(times.length / 2)], out };
}

async function readOut(t: tf.Tensor): Promise<Float32Array> {
  try {
    return (await t.data()) as Float32Array;
  } finally {
    t.dispose();
  }
}

interface Size {
  label: string;
  t: number;
  h: number;
  w: number;
  c: number;
}

const SIZES: Size[] = [
  { label: 'live', t: 5, h: 14, w: 14, c: 256 },
  { label: 'paper', t: 9, h: 28, w: 28, c: 512 },
];

export async function runKernelBench(opts: { quick: boolean; log?: (s: string) => void }): Promise<KernelBenchRecord[]> {
  const recs: KernelBenchRecord[] = [];
  const iters = opts.quick ? 3 : 7;
  for (const s of SIZES) {
    const { t, h, w, c } = s;
    const shape = `T${t} ${h}x${w}x${c}`;
    const v = tf.tensor4d(randomArray(t * h * w * c, 1), [t, h, w, c]);
    const g = tf.tensor1d(randomArray(c, 2));
    const smap = tf.tensor3d(randomArray(t * h * w, 4), [t, h, w]); // a cosine map's range
    const mid = Math.floor(t / 2);
    const all = Array.from({ length: t }, (_, i) => i);
    const hsAll = randomClipHomographies(t, w, h, all, 3, 1);
    const hsMid = [hsAll[mid]];
    const cases: { name: string; run: (impl: KernelImpl) => tf.Tensor; skipQuick?: boolean }[] = [
      { name: 'warp (T supports to one query)', run: (impl) => warpFeatures(v, hsMid[0], { impl }) },
      { name: 'temporal attention (aligned, all queries)', run: (impl) => temporalAttention(v, {}, { impl }) },
      { name: 'fused warp+attend (middle query)', run: (impl) => warpAttend(v, hsMid, undefined, { impl, queries: mid }) },
      { name: 'fused warp+attend (all queries)', run: (impl) => warpAttend(v, hsAll, undefined, { impl }), skipQuick: s.label === 'paper' },
      {
        name: 'soft localization (cos, softmax, weighting)',
        run: (impl) =>
          tf.tidy(() => {
            const o = softLocalize(v, g, { impl });
            return o.vhat;
          }),
      },
      { name: 'differentiable threshold', run: (impl) => differentiableThreshold(smap, { impl }) },
    ];
    try {
      for (const k of cases) {
        if (opts.quick && k.skipQuick) continue;
        const mine = await timeIt(() => k.run('kernel'), iters);
        const base = await timeIt(() => k.run('stock'), iters);
        const rec: KernelBenchRecord = {
          suite: 'kernels',
          name: k.name,
          shape: `${shape} (${s.label})`,
          ms: +mine.ms.toFixed(3),
          baselineMs: +base.ms.toFixed(3),
          ratio: +(base.ms / mine.ms).toFixed(2),
          maxAbsErr: maxAbsDiff(mine.out, base.out),
          backend: tf.getBackend(),
        };
        opts.log?.(JSON.stringify(rec));
        recs.push(rec);
      }
    } finally {
      tf.dispose([v, g, smap]);
    }
  }
  return recs;
}
