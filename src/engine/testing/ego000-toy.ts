/**
 * A toy localization problem for paper 000's model (ego000), small enough to train in seconds on
 * the CPU: the unit tests' acceptance check (ego000.test.ts) and the diagnostic tool
 * (tools/models/toy-ego000.ts) train on it with the same code.
 *
 * K windows of T = 3 frames, 4 classes (window i: class i % 4), 6-channel 5x5 "trunk" maps. The
 * "camera" pans by a known whole cell per frame, so the object (one strong channel of its class)
 * sits at a different cell in each frame; H_{j -> t} is the translation between them. The sound
 * is a 16x16 texture of the class, mixed with noise for mix-and-separate. toyEarsBatch is the
 * two-ear variant (one class; where the object is, heard as a level difference between the ears).
 */
import * as tf from '@tensorflow/tfjs';
import { rng } from './compare';
import {
  calibrateEgo000Norm, ego000Loss, ego000Maps, initEgo000Params, isNormStatistic, validateEgo000Config,
  type Ego000Batch, type Ego000Config, type Ego000ConfigInput,
} from '../models/ego000/index';

export const TOY_SIZE = 5;
const S = TOY_SIZE;
const T = 3;
const translate = (dx: number, dy: number): number[] => [1, 0, dx, 0, 1, dy, 0, 0, 1];

export type ToyBatch = Ego000Batch & { cells: number[][] };

export function toyBatch(k: number, seed: number, withMix = true): ToyBatch {
  const r = rng(seed);
  const f = new Float32Array(k * T * S * S * 6);
  const spec = new Float32Array(k * 256);
  const clean = new Float32Array(k * 256);
  const toQuery: number[][][][] = [];
  const cells: number[][] = [];
  for (let i = 0; i < k; i++) {
    const cls = i % 4;
    const dx = r() < 0.5 ? 1 : -1;
    const x0 = 1 + Math.floor(r() * 3);
    const y0 = Math.floor(r() * S);
    const row: number[] = [];
    for (let t = 0; t < T; t++) {
      const x = x0 + dx * (t - 1);
      const cell = y0 * S + x;
      row.push(cell);
      for (let p = 0; p < S * S; p++) for (let c = 0; c < 6; c++) f[(((i * T + t) * S * S) + p) * 6 + c] = p === cell ? (c === cls ? 2 : 0.3) : 0.6 * r();
    }
    cells.push(row);
    // frame j's pixel x maps to frame t's pixel x + dx (t - j): H_{j -> t}
    toQuery.push(Array.from({ length: T }, (_, t) => Array.from({ length: T }, (_, j) => translate(dx * (t - j), 0))));
    for (let y = 0; y < 16; y++) for (let x = 0; x < 16; x++) {
      const own = ([y % 2, x % 2, (x + y) % 2, 1][cls] ? 5 : 0.1) * (0.8 + 0.4 * r());
      const other = withMix ? 2 * r() : 0;
      clean[i * 256 + y * 16 + x] = own;
      spec[i * 256 + y * 16 + x] = 0.5 * (own + other);
    }
  }
  return { f14: tf.tensor4d(f, [k * T, S, S, 6]), spec: tf.tensor3d(spec, [k, 16, 16]), clean: tf.tensor3d(clean, [k, 16, 16]), toQuery: toQuery as Ego000Batch['toQuery'], cells };
}

/**
 * The two-ear toy: one class only, so what a window's sound says is not what but where. Each
 * window shows `copies` objects of that class (moving together as in toyBatch); the first one
 * sounds, and its sound reaches the ear on its side louder: channel gains 1 - 0.8 x / 4 (left) and
 * 0.2 + 0.8 x / 4 (right) for the object's column x in the query frame (the middle one). With
 * `channels` 1 the model hears the two ears' sum, which is the same wherever the object is.
 * Training windows hold one object (copies 1); with copies 2 a silent twin sits two columns away
 * on the other side, and only the ears tell them apart.
 */
export function toyEarsBatch(k: number, seed: number, opts: { channels: number; copies?: 1 | 2; withMix?: boolean }): ToyBatch {
  const r = rng(seed);
  const C = opts.channels;
  const copies = opts.copies ?? 1;
  const withMix = opts.withMix ?? true;
  const f = new Float32Array(k * T * S * S * 6);
  const spec = new Float32Array(k * 256 * C);
  const clean = new Float32Array(k * 256 * C);
  const toQuery: number[][][][] = [];
  const cells: number[][] = [];
  for (let i = 0; i < k; i++) {
    const dx = r() < 0.5 ? 1 : -1;
    // the sounding object's column in the query frame; a twin sits two columns away
    const x1 = copies === 2 ? (r() < 0.5 ? 1 : 3) : 1 + Math.floor(r() * 3);
    const y0 = Math.floor(r() * S);
    const row: number[] = [];
    for (let t = 0; t < T; t++) {
      const x = x1 + dx * (t - 1);
      const own = [y0 * S + x];
      if (copies === 2) own.push(y0 * S + (4 - x1) + dx * (t - 1));
      row.push(own[0]);
      for (let p = 0; p < S * S; p++) for (let c = 0; c < 6; c++) f[(((i * T + t) * S * S) + p) * 6 + c] = own.includes(p) ? (c === 0 ? 2 : 0.3) : 0.6 * r();
    }
    cells.push(row);
    toQuery.push(Array.from({ length: T }, (_, t) => Array.from({ length: T }, (_, j) => translate(dx * (t - j), 0))));
    const gains = [1 - (0.8 * x1) / 4, 0.2 + (0.8 * x1) / 4];
    for (let y = 0; y < 16; y++) for (let x = 0; x < 16; x++) {
      const own = (y % 2 ? 5 : 0.1) * (0.8 + 0.4 * r());
      const other = withMix ? 2 * r() : 0; // the partner's sound, the same in both ears
      const ears = gains.map((g) => g * own);
      const heard = C === 1 ? [ears[0] + ears[1]] : ears;
      const partner = C === 1 ? [2 * other] : [other, other];
      for (let ch = 0; ch < C; ch++) {
        const at = (i * 256 + y * 16 + x) * C + ch;
        clean[at] = heard[ch];
        spec[at] = 0.5 * (heard[ch] + partner[ch]);
      }
    }
  }
  const shape = (C === 1 ? [k, 16, 16] : [k, 16, 16, C]) as [number, number, number];
  return { f14: tf.tensor4d(f, [k * T, S, S, 6]), spec: tf.tensor(spec, shape) as tf.Tensor3D, clean: tf.tensor(clean, shape) as tf.Tensor3D, toQuery: toQuery as Ego000Batch['toQuery'], cells };
}

export const disposeToyBatch = (b: Ego000Batch): void => tf.dispose([b.f14, b.spec, ...(b.clean ? [b.clean] : [])]);

/** The toy model: d = 16, T = 3, a small enhancement block at 16x16; `over` replaces parts of it. */
export const toyConfig = (over: Ego000ConfigInput = {}): Ego000Config => validateEgo000Config({
  visualChannels: 6, embedDim: 16,
  audioEnhancement: { inputFreq: 16, inputTime: 16, channels: [8, 16], decoderChannels: [8, 4], mlpHidden: 16 },
  temporal: { trainFrames: 3, testFrames: 3 },
  ...over,
});

/** What one training step's batch scored: ground loss, positive / mean easy-negative / hard-negative logits per window. */
export interface ToyStep { step: number; ground: number; enhancement: number; positive: number[]; negative: number[]; hard: (number | undefined)[] }

/**
 * Trains a fresh toy model (init seed `seed`) with Adam for `steps` batches of 4 windows, then counts
 * in how many of 8 unseen windows (unmixed sound) the query map's maximum is the object's cell.
 * Chance: 1 cell in 25, 0.3 of 8. `toy: 'ears'` trains on toyEarsBatch's one-object windows and
 * scores on its windows with a silent twin: the sounding one's cell counts, the twin's does not
 * (a model that finds the object but cannot hear where: about 4 of 8).
 */
export function trainToy(opts: { config: Ego000Config; steps: number; lr: number; seed: number; geometry?: boolean; groundOn?: 'input' | 'clean'; onStep?: (s: ToyStep) => void; toy?: 'classes' | 'ears' }): number {
  const { config, steps, lr, seed } = opts;
  const ears = opts.toy === 'ears';
  const C = config.audioEnhancement.inputChannels;
  // 'ears': trained on one object per window, scored on windows with a silent twin (toyEarsBatch)
  const toyBatchOf = (k: number, s: number, withMix: boolean, copies: 1 | 2 = 1) => (ears ? toyEarsBatch(k, s, { channels: C, copies, withMix }) : toyBatch(k, s, withMix));
  const params = initEgo000Params(config, seed);
  const vars = Object.entries(params).filter(([n]) => !isNormStatistic(n)).map(([, v]) => v);
  const opt = tf.train.adam(lr);
  const geo = { geometry: opts.geometry ?? true, groundOn: opts.groundOn ?? 'input' };
  for (let step = 0; step < steps; step++) {
    const b = toyBatchOf(4, 100 + step, true);
    let row: ToyStep | undefined;
    tf.dispose(opt.minimize(() => {
      const p = ego000Loss(params, config, b, geo);
      if (opts.onStep) {
        const logits = p.logits.arraySync() as number[][];
        row = {
          step, ground: p.ground.dataSync()[0], enhancement: p.enhancement.dataSync()[0],
          positive: logits.map((l) => l[0]),
          negative: logits.map((l, k) => { const n = l.slice(1, 1 + b.cells.length).filter((_, j) => j !== k); return n.reduce((a, c) => a + c, 0) / n.length; }),
          hard: logits.map((l) => l[1 + b.cells.length]),
        };
      }
      tf.dispose([p.ground, p.enhancement, p.logits, p.pooled]);
      return p.loss;
    }, true, vars)!);
    if (row) opts.onStep!(row);
    disposeToyBatch(b);
  }
  // inference uses the audio normalization's stored statistics: calibrate them on other toy windows
  const cal = toyBatchOf(16, 555, false);
  calibrateEgo000Norm(params, config, cal.f14, cal.clean!);
  disposeToyBatch(cal);
  const b = toyBatchOf(8, 999, false, 2);
  let hits = 0;
  for (let i = 0; i < 8; i++) {
    const f = tf.slice(b.f14, [i * T, 0, 0, 0], [T, S, S, 6]) as tf.Tensor4D;
    const spec = (C === 1 ? tf.slice(b.spec, [i, 0, 0], [1, 16, 16]) : tf.slice(b.spec, [i, 0, 0, 0], [1, 16, 16, C])) as tf.Tensor3D;
    const map = ego000Maps({ params, config }, f, spec, [b.toQuery[i][1]], { queries: 1 });
    const m = Array.from(map.dataSync());
    if (m.indexOf(Math.max(...m)) === b.cells[i][1]) hits++;
    tf.dispose([f, spec, map]);
  }
  disposeToyBatch(b);
  opt.dispose();
  tf.dispose(Object.values(params));
  return hits;
}
