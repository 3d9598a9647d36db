/**
 * The heard-object localizer: where the sound comes from (a two-ear recording's direction cues)
 * times what there is to hear (a COCO detector's objects, objectness.ts).
 *
 *   d_k      = binauralSegments(left, right) of the 1-s window centred on the frame (dsp/binaural.ts):
 *              k = 0 the whole window, k = 1..K its K equal parts; each ILD in 32 bands, GCC-PHAT at
 *              lags -20..20 and the part's level (74 values), standardised by the training mean and
 *              deviation (stored with the weights)
 *   [c_k | r_k | a_k] = W2 relu(W1 d_k + b1) + b2        a logit per column (14), per row (14), and a weight
 *   P(x, y)  = sum_k softmax(a)_k softmax(c_k)_x softmax(r_k)_y     where the sound comes from
 *   S_xy     = gp log(eps + heat_xy) + gq log(eps + boxes_xy) + log P(x, y)
 *
 * so exp(S) is the detector's objectness (heat and boxes, each raised to a learned power) times the
 * probability that the sound comes from the cell. P is a mixture over the window's parts: sounds take
 * turns (a sounding object's events, an off-screen source), the parts where one dominates say its
 * direction unmixed, and the weights a_k learn which parts to trust. Trained without labels with paper
 * 000's grounding objective (eq. 2, as probe-ground.ts and the trainer tools/models/train-heard.ts):
 * a frame's score for a sound is the log-mean-exp of S over the cells, i.e. the log of the objectness
 * the sound's direction lands on, and each sound must pick out its own frame from the batch and each
 * frame its own sound (pairs whose clips share a recording left out of each other's denominators).
 * The map is S [14, 14] (a log score; its order is what the metrics and the overlay read).
 * A mono recording has no direction: the model needs two channels.
 * A model may hold several direction heads, each trained alone with its own seed (combineHeads):
 * P is then the mean of their distributions, which evens out how much one seed's head hears.
 *
 * Over a window of frames (paper 000's eq. 1 question asked of this map: do the neighbours help,
 * and must the camera's motion be undone for it?), the three per-frame terms are averaged before
 * they are combined: heat, boxes and P of each window frame j are carried onto the query frame q's
 * grid (each cell of q reads frame j's map bilinearly where its centre lands through the homography
 * H_{q->j}; a cell that lands outside frame j skips it) and averaged per cell, then
 *   S_xy = gp log(eps + mean heat) + gq log(eps + mean boxes) + log(mean P).
 * No parameter is added: the weights are the per-frame model's. One frame gives S above exactly.
 * The methods that ship (pipeline/localizer.ts) hear each window both ways (directionProbs with
 * mirror), mix a uniform share into mean P (heardMapsFromMeans with uniform) and read the result per
 * detected object of the query frame (objectShares, withObjectExtent: each box lit over its extent
 * by the direction's probability inside it), all chosen on the validation split.
 */
import * as tf from '@tensorflow/tfjs';
import { InvalidConfigError, WeightsUnavailableError } from '../errors';
import { fetchVerified, type Fetcher, type LoadProgress, type Manifest } from '../weights/verify';
import { BANDS, MAX_LAG, SEGMENT_FEATURES, binauralSegments } from '../dsp/binaural';
import { makeVariable, type Params } from './audio';
import { apply, type Mat3 } from '../geometry/homography';
import { coverCells, type Detection } from './objectness';

export interface HeardConfig {
  /** Direction features per part of the window (dsp/binaural.ts SEGMENT_FEATURES: 74). */
  features: number;
  /** Parts the window is split into (K; the whole window is one more). */
  segments: number;
  /** Sample rate (Hz) and length (s) of the two-channel window the features are computed on. */
  sampleRate: number;
  windowSeconds: number;
  /** Hidden width of the direction MLP. */
  hidden: number;
  /** Grid side (the localizers' 14). */
  grid: number;
  /** eps in log(eps + objectness). */
  floor: number;
  /**
   * Direction heads (the MLP W1, b1, W2, b2), each trained alone with its own seed on the same data;
   * P is the mean of their distributions (directionProbs). Head 0's weights are named heard/w1 ...,
   * head k's heard/h<k>/w1 ...; the standardisation and gp, gq are shared (combineHeads). 1: one head.
   */
  heads: number;
}

export const DEFAULT_HEARD_CONFIG: HeardConfig = { features: SEGMENT_FEATURES, segments: 8, sampleRate: 16000, windowSeconds: 1, hidden: 128, grid: 14, floor: 0.01, heads: 1 };

/** Values per frame of the model's sound input: (segments + 1) parts of `features`. */
export const heardInputWidth = (c: HeardConfig) => (c.segments + 1) * c.features;

/** The model's sound input for one frame from the two channels of its window (config.sampleRate, config.windowSeconds long). */
export const heardInput = (c: HeardConfig, left: Float32Array, right: Float32Array) => binauralSegments(left, right, c.sampleRate, c.segments);

export function validateHeardConfig(c: Partial<HeardConfig> = {}): HeardConfig {
  const out = { ...DEFAULT_HEARD_CONFIG, ...c };
  const int = (k: keyof HeardConfig, lo: number, hi: number) => {
    const v = out[k] as unknown;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < lo || v > hi) throw new InvalidConfigError(k, `must be an integer in [${lo}, ${hi}], got ${String(v)}`);
  };
  int('features', SEGMENT_FEATURES, SEGMENT_FEATURES);
  int('segments', 1, 16);
  int('sampleRate', 8000, 48000);
  int('hidden', 1, 4096);
  int('grid', 14, 14);
  int('heads', 1, 8);
  if (out.windowSeconds !== 1) throw new InvalidConfigError('windowSeconds', `must be 1, got ${String(out.windowSeconds)}`);
  if (typeof out.floor !== 'number' || !(out.floor > 0 && out.floor <= 1)) throw new InvalidConfigError('floor', `must be a number in (0, 1], got ${String(out.floor)}`);
  return out;
}

/**
 * Fresh parameters: W1 [features, hidden], W2 [hidden, 2 grid + 1] normal with variance 2 / (fan-in +
 * fan-out) from tf's seeded generator, biases 0, exponents gp = gq = 1; the standardisation
 * (dirMean, dirSd [heardInputWidth]) as given (the training set's).
 */
export function initHeardParams(config: HeardConfig, seed: number, dirMean: Float32Array, dirSd: Float32Array): Params {
  const { features: F, hidden: Hd, grid: G } = config;
  const glorot = (r: number, c: number) => makeVariable(tf.randomNormal([r, c], 0, Math.sqrt(2 / (r + c)), 'float32', seed + r + c));
  return {
    'heard/w1': glorot(F, Hd), 'heard/b1': makeVariable(tf.zeros([Hd])),
    'heard/w2': glorot(Hd, 2 * G + 1), 'heard/b2': makeVariable(tf.zeros([2 * G + 1])),
    'heard/gp': makeVariable(tf.scalar(1)), 'heard/gq': makeVariable(tf.scalar(1)),
    'heard/dirMean': makeVariable(tf.tensor1d(dirMean), false), 'heard/dirSd': makeVariable(tf.tensor1d(dirSd), false),
  };
}

/** Where each sound comes from as a log probability per cell [n, G*G], from its input dir [n, heardInputWidth]: the mixture over the window's parts. */
export function directionLogits(p: Params, dir: tf.Tensor2D, config: HeardConfig): tf.Tensor2D {
  return tf.tidy(() => {
    const G = config.grid, n = dir.shape[0], K = config.segments + 1;
    const x = tf.div(tf.sub(dir, p['heard/dirMean']), p['heard/dirSd']).reshape([n * K, config.features]);
    const h = tf.add(tf.matMul(tf.relu(tf.add(tf.matMul(x, p['heard/w1']), p['heard/b1'])), p['heard/w2']), p['heard/b2']).reshape([n, K, 2 * G + 1]);
    const col = tf.logSoftmax(h.slice([0, 0, 0], [-1, -1, G])), row = tf.logSoftmax(h.slice([0, 0, G], [-1, -1, G]));
    const weight = tf.logSoftmax(h.slice([0, 0, 2 * G], [-1, -1, 1]).reshape([n, K]));
    const joint = tf.add(tf.add(weight.reshape([n, K, 1, 1]), col.reshape([n, K, 1, G])), row.reshape([n, K, G, 1]));
    return tf.logSumExp(joint, 1).reshape([n, G * G]) as tf.Tensor2D;
  });
}

/**
 * The model's sound input as the two ears swapped would give it, from the input itself: each part's
 * ILD negated, its GCC-PHAT read at the opposite lags, its level kept (binauralSegments of (right,
 * left), exactly, without the audio). dir [n * heardInputWidth] or one frame's.
 */
export function mirrorHeardInput(config: HeardConfig, dir: Float32Array): Float32Array {
  const F = config.features, out = new Float32Array(dir.length);
  for (let s = 0; s < dir.length; s += F) {
    for (let b = 0; b < BANDS; b++) out[s + b] = -dir[s + b] || 0;
    for (let lag = -MAX_LAG; lag <= MAX_LAG; lag++) out[s + BANDS + MAX_LAG + lag] = dir[s + BANDS + MAX_LAG - lag];
    for (let k = BANDS + 2 * MAX_LAG + 1; k < F; k++) out[s + k] = dir[s + k];
  }
  return out;
}

/** The objectness term gp log(eps + heat) + gq log(eps + boxes) [m, G*G] of frames' maps heat, boxes [m, G*G]. */
export function objectnessLogits(p: Params, heat: tf.Tensor2D, boxes: tf.Tensor2D, config: HeardConfig): tf.Tensor2D {
  return tf.tidy(() => tf.add(tf.mul(tf.log(tf.add(heat, config.floor)), p['heard/gp']), tf.mul(tf.log(tf.add(boxes, config.floor)), p['heard/gq'])) as tf.Tensor2D);
}

/** Maps [n, G*G] of n frames, each with its own sound's input dir [n, heardInputWidth] (with several heads, log of their mean P in place of directionLogits). */
export function heardMaps(p: Params, dir: tf.Tensor2D, heat: tf.Tensor2D, boxes: tf.Tensor2D, config: HeardConfig): tf.Tensor2D {
  return tf.tidy(() => tf.add(objectnessLogits(p, heat, boxes, config), config.heads === 1 ? directionLogits(p, dir, config) : tf.log(directionProbs(p, dir, config))) as tf.Tensor2D);
}

/**
 * Where each sound comes from as a probability per cell [n, G*G] (exp of directionLogits; with
 * config.heads > 1 the mean of the heads' distributions). mirror:
 * the mean of that and of the distribution heard with the ears swapped (mirrorHeardInput) flipped
 * back left to right, the two ways a model trained with mirrored frames can hear the same sound.
 */
export function directionProbs(p: Params, dir: tf.Tensor2D, config: HeardConfig, mirror = false): tf.Tensor2D {
  return tf.tidy(() => {
    const n = dir.shape[0], G = config.grid, F = config.features, K = config.segments + 1;
    let swapped: tf.Tensor2D | null = null;
    if (mirror) {
      // mirrorHeardInput as a gather and a sign, so the input stays where it is (no read-back)
      const perm = new Int32Array(K * F), sign = new Float32Array(K * F);
      for (let i = 0; i < K * F; i++) {
        const k = i % F, base = i - k, lag = k - BANDS - MAX_LAG;
        perm[i] = k >= BANDS && lag <= MAX_LAG ? base + BANDS + MAX_LAG - lag : i;
        sign[i] = k < BANDS ? -1 : 1;
      }
      swapped = tf.mul(tf.gather(dir, tf.tensor1d(perm, 'int32'), 1), tf.tensor1d(sign)) as tf.Tensor2D;
    }
    const one = (q: Params) => {
      const P = tf.exp(directionLogits(q, dir, config)) as tf.Tensor2D;
      if (!swapped) return P;
      const Pm = tf.reverse(tf.exp(directionLogits(q, swapped, config)).reshape([n, G, G]), 2).reshape([n, G * G]);
      return tf.mul(tf.add(P, Pm), 0.5) as tf.Tensor2D;
    };
    if (config.heads === 1) return one(p);
    return tf.div(tf.addN(Array.from({ length: config.heads }, (_, k) => one(headParams(p, k)))), config.heads) as tf.Tensor2D;
  });
}

/** The weights of names of a direction head (HEARD_HEAD_NAMES) under head k's prefix: heard/w1 for head 0, heard/h<k>/w1 for head k. */
export const headWeightName = (name: string, k: number) => (k === 0 ? name : name.replace('heard/', `heard/h${k}/`));
export const HEARD_HEAD_NAMES = ['heard/w1', 'heard/b1', 'heard/w2', 'heard/b2'] as const;

/** Head k of a model of config.heads heads, as a one-head model's parameters (the standardisation and gp, gq shared). */
export function headParams(p: Params, k: number): Params {
  if (k === 0) return p;
  const out: Params = { ...p };
  for (const name of HEARD_HEAD_NAMES) {
    const v = p[headWeightName(name, k)];
    if (!v) throw new Error(`heard weights lack ${headWeightName(name, k)}`);
    out[name] = v;
  }
  return out;
}

/**
 * One model of the heads of one-head models trained alone on the same data (same config, same
 * standardisation: the training set's, so equal): head k is model k's MLP, gp and gq the models' means.
 * The variables are new; the callers keep and dispose theirs.
 */
export function combineHeads(models: { params: Params; config: HeardConfig }[]): { params: Params; config: HeardConfig } {
  if (models.length < 2) throw new InvalidConfigError('heads', `combining needs at least two models, got ${models.length}`);
  const base = models[0].config;
  for (const [k, m] of models.entries()) {
    if (m.config.heads !== 1) throw new InvalidConfigError('heads', `model ${k} has ${m.config.heads} heads; combine one-head models`);
    for (const key of ['features', 'segments', 'sampleRate', 'windowSeconds', 'hidden', 'grid', 'floor'] as const) {
      if (m.config[key] !== base[key]) throw new InvalidConfigError(key, `model ${k} has ${String(m.config[key])}, model 0 ${String(base[key])}`);
    }
    for (const name of ['heard/dirMean', 'heard/dirSd']) {
      const a = models[0].params[name].dataSync(), b = m.params[name].dataSync();
      if (a.length !== b.length || a.some((v, i) => Math.abs(v - b[i]) > 1e-6 * Math.max(1, Math.abs(v)))) throw new InvalidConfigError('heads', `model ${k}'s ${name} differs from model 0's: the heads were not trained on the same data`);
    }
  }
  const config = validateHeardConfig({ ...base, heads: models.length });
  const params: Params = {};
  for (const name of ['heard/dirMean', 'heard/dirSd']) params[name] = makeVariable(models[0].params[name].clone(), false);
  for (const name of ['heard/gp', 'heard/gq']) params[name] = makeVariable(tf.tidy(() => tf.div(tf.addN(models.map((m) => m.params[name] as tf.Tensor)), models.length)), false);
  models.forEach((m, k) => { for (const name of HEARD_HEAD_NAMES) params[headWeightName(name, k)] = makeVariable(m.params[name].clone(), false); });
  return { params, config };
}

/**
 * A per-cell map of frame j [grid * grid] read on frame q's grid: each of q's cell centres, taken
 * through Hqj = H_{q->j} (frame pixels, width x height), reads frame j's map bilinearly (clamped to
 * the outer cell centres); NaN where the centre lands outside frame j. Hqj null: the map as it is.
 */
export function carryCells(map: ArrayLike<number>, Hqj: Mat3 | null, width: number, height: number, grid: number): Float32Array {
  const out = new Float32Array(grid * grid);
  for (let cy = 0; cy < grid; cy++) for (let cx = 0; cx < grid; cx++) {
    if (!Hqj) { out[cy * grid + cx] = map[cy * grid + cx]; continue; }
    const [x, y] = apply(Hqj, ((cx + 0.5) * width) / grid, ((cy + 0.5) * height) / grid);
    if (!(x >= 0 && y >= 0 && x <= width && y <= height)) { out[cy * grid + cx] = NaN; continue; }
    const gx = Math.min(grid - 1, Math.max(0, (x / width) * grid - 0.5)), gy = Math.min(grid - 1, Math.max(0, (y / height) * grid - 0.5));
    const x0 = Math.floor(gx), y0 = Math.floor(gy), x1 = Math.min(grid - 1, x0 + 1), y1 = Math.min(grid - 1, y0 + 1);
    const fx = gx - x0, fy = gy - y0;
    out[cy * grid + cx] = (1 - fy) * ((1 - fx) * map[y0 * grid + x0] + fx * map[y0 * grid + x1]) + fy * ((1 - fx) * map[y1 * grid + x0] + fx * map[y1 * grid + x1]);
  }
  return out;
}

/**
 * Per cell of the query's grid, the mean of the window frames' maps carried onto it (carryCells
 * with toQuery[j] = H_{q->j}, null for the query itself or for no geometry); frames whose carry
 * leaves their frame at a cell are skipped there. A cell no frame reaches is NaN (the query's own
 * map, carried by null, always reaches every cell).
 */
export function windowMean(maps: ArrayLike<number>[], toQuery: (Mat3 | null)[], width: number, height: number, grid: number): Float32Array {
  if (maps.length !== toQuery.length || !maps.length) throw new InvalidConfigError('window', `${maps.length} maps and ${toQuery.length} homographies`);
  const sum = new Float64Array(grid * grid), count = new Uint16Array(grid * grid);
  maps.forEach((m, j) => {
    const c = carryCells(m, toQuery[j], width, height, grid);
    for (let k = 0; k < c.length; k++) if (!Number.isNaN(c[k])) { sum[k] += c[k]; count[k]++; }
  });
  return Float32Array.from(sum, (s, k) => (count[k] ? s / count[k] : NaN));
}

/**
 * Maps [n, G*G] from window means (windowMean) of heat, boxes [n, G*G] and direction probabilities P
 * [n, G*G]: objectnessLogits + log((1 - uniform) P + uniform / G^2). uniform > 0 mixes in a sound
 * that could come from anywhere, so far from the heard direction the objects, not the distance
 * to it, order the cells.
 */
export function heardMapsFromMeans(p: Params, probs: tf.Tensor2D, heat: tf.Tensor2D, boxes: tf.Tensor2D, config: HeardConfig, uniform = 0): tf.Tensor2D {
  if (!(uniform >= 0 && uniform < 1)) throw new InvalidConfigError('uniform', `must be in [0, 1), got ${uniform}`);
  const G2 = config.grid * config.grid;
  return tf.tidy(() => tf.add(objectnessLogits(p, heat, boxes, config), tf.log(tf.maximum(uniform ? tf.add(tf.mul(probs, 1 - uniform), uniform / G2) : probs, 1e-30))) as tf.Tensor2D);
}

/**
 * The heard direction read per detected object, over its extent. For frame q's detections b with
 * score s_b >= minScore (boxes in size x size frame pixels), m_b = sum_c cover_b(c) P(c) is the share
 * of the sound's direction probabilities P [G*G] (the window's mean on q's grid) that falls inside b
 * (cover_b(c): the share of cell c inside b), a_b = sum_c cover_b(c) / G^2 its share of the frame, and
 *   E(c) = max_b cover_b(c) s_b^power m_b / a_b^density
 * paints each object over its whole extent with how much of the sound it takes (density 0; density 1:
 * how much per unit of area), times how sure the detector is of it. E is 0 where no kept detection
 * lies: those cells say "nothing heard here".
 * opts.cut > 0 keeps only the boxes whose weight is at least cut x the frame's largest, and
 * opts.nest > 0 brings back, at its own weight, a box that at least nest of a kept box lies inside
 * (measured on val and not shipped: docs/results.md, "Only the heard object"). opts.fuse > 0 pools
 * the detections of one object under several classes first (fuseDetections; measured on val and not
 * shipped: docs/results.md, "Density, a fitted chooser, and a test split of 200 clips"). opts.rows > 0
 * sharpens P's elevation first (sharpenRows; chosen on the validation split: docs/results.md, "Height
 * heard, sharpened").
 */
export interface ExtentOptions {
  /** Detections under this score are left out. */
  minScore: number;
  /** E weighs each box by its score to this power. */
  power: number;
  /** 0: the box's share of the direction; 1: its share per unit of area (default 0). */
  density?: number;
  /** Boxes whose weight is under cut x the largest box weight are left out (0 keeps all). */
  cut?: number;
  /** A box left out by the cut comes back, at its own weight, when at least nest of a kept box lies inside it (0: never). */
  nest?: number;
  /** > 0: detections of one object under several classes pooled first (fuseDetections at this IoU; 0: off). */
  fuse?: number;
  /** P's row marginal (how high the sound is heard) to this power multiplies P first (sharpenRows; 0: off). */
  rows?: number;
}

/**
 * P [G*G] (rows of G cells) with its elevation sharpened: P'(r, c) = P(r, c) R(r)^power / Z, with
 * R(r) = sum_c P(r, c) the row marginal and Z the sum; the columns' distribution within each row is
 * kept. Power 0 returns P unchanged (a copy).
 */
export function sharpenRows(P: ArrayLike<number>, grid: number, power: number): Float32Array {
  if (!(power >= 0)) throw new InvalidConfigError('rows', `must be >= 0, got ${power}`);
  if (P.length !== grid * grid) throw new InvalidConfigError('probs', `has ${P.length} values, the grid ${grid * grid}`);
  const out = Float32Array.from(P);
  if (power === 0) return out;
  let z = 0;
  for (let r = 0; r < grid; r++) {
    let R = 0;
    for (let c = 0; c < grid; c++) R += P[r * grid + c];
    const f = Math.pow(Math.max(R, 0), power);
    for (let c = 0; c < grid; c++) { out[r * grid + c] *= f; z += out[r * grid + c]; }
  }
  if (z > 0) for (let k = 0; k < out.length; k++) out[k] /= z;
  return out;
}

/** IoU of two [x0, y0, x1, y1] boxes. */
export function boxIoU(a: readonly number[], b: readonly number[]): number {
  const ix = Math.max(0, Math.min(a[2], b[2]) - Math.max(a[0], b[0])), iy = Math.max(0, Math.min(a[3], b[3]) - Math.max(a[1], b[1]));
  const u = Math.max(0, a[2] - a[0]) * Math.max(0, a[3] - a[1]) + Math.max(0, b[2] - b[0]) * Math.max(0, b[3] - b[1]) - ix * iy;
  return u > 0 ? (ix * iy) / u : 0;
}

/**
 * The detector's classes are thrown away, so one object found as several classes (nearly the same
 * box, each with a share of the confidence) is pooled into one detection: greedily from the highest
 * score, every remaining box with IoU >= iou against it joins it; the group keeps the top box and
 * class, and its score is 1 - prod(1 - s) over its members (the chance that at least one is right).
 */
export function fuseDetections(detections: Detection[], iou: number): Detection[] {
  if (!(iou > 0 && iou <= 1)) throw new InvalidConfigError('fuse', `must be in (0, 1], got ${iou}`);
  const order = [...detections].sort((a, b) => b.score - a.score);
  const used = new Array<boolean>(order.length).fill(false);
  const out: Detection[] = [];
  for (let i = 0; i < order.length; i++) {
    if (used[i]) continue;
    let miss = 1;
    for (let j = i; j < order.length; j++) {
      if (used[j] || (j !== i && boxIoU(order[i].box, order[j].box) < iou)) continue;
      used[j] = true;
      miss *= 1 - Math.min(1, Math.max(0, order[j].score));
    }
    out.push({ box: order[i].box, score: 1 - miss, cls: order[i].cls });
  }
  return out;
}

export function objectShares(probs: ArrayLike<number>, detections: Detection[], opts: ExtentOptions, grid: number, size = 224): Float32Array {
  if (probs.length !== grid * grid) throw new InvalidConfigError('probs', `has ${probs.length} values, the grid ${grid * grid}`);
  if (opts.rows !== undefined && opts.rows !== 0) probs = sharpenRows(probs, grid, opts.rows); // sharpenRows names a bad value
  const cut = opts.cut ?? 0, nest = opts.nest ?? 0;
  if (!(cut >= 0 && cut <= 1)) throw new InvalidConfigError('cut', `must be in [0, 1], got ${cut}`);
  if (!(nest >= 0 && nest <= 1)) throw new InvalidConfigError('nest', `must be in [0, 1], got ${nest}`);
  const boxes: { d: Detection; cover: Float32Array; w: number }[] = [];
  for (const d of opts.fuse ? fuseDetections(detections, opts.fuse) : detections) {
    if (!(d.score >= opts.minScore)) continue;
    const cover = coverCells([{ box: d.box, weight: 1 }], size, size, grid);
    let m = 0, a = 0;
    for (let c = 0; c < cover.length; c++) { m += cover[c] * probs[c]; a += cover[c]; }
    if (!(a > 0)) continue;
    boxes.push({ d, cover, w: (Math.pow(d.score, opts.power) * m) / Math.pow(a / cover.length, opts.density ?? 0) });
  }
  let kept = boxes;
  if (cut > 0) {
    const top = boxes.reduce((t, b) => Math.max(t, b.w), 0);
    const core = boxes.filter((b) => b.w >= cut * top);
    // the share of box b's area that lies inside box B
    const inside = (b: Detection, B: Detection) => {
      const [x0, y0, x1, y1] = b.box, [X0, Y0, X1, Y1] = B.box;
      const area = Math.max(0, x1 - x0) * Math.max(0, y1 - y0);
      return area > 0 ? (Math.max(0, Math.min(x1, X1) - Math.max(x0, X0)) * Math.max(0, Math.min(y1, Y1) - Math.max(y0, Y0))) / area : 0;
    };
    kept = boxes.filter((B) => B.w >= cut * top || (nest > 0 && core.some((b) => b !== B && inside(b.d, B.d) >= nest)));
  }
  const out = new Float32Array(grid * grid);
  for (const { cover, w } of kept) for (let c = 0; c < cover.length; c++) out[c] = Math.max(out[c], cover[c] * w);
  return out;
}

/** The floor under objectShares' E in withObjectExtent: cells with no detection sit at log(EXTENT_FLOOR). */
export const EXTENT_FLOOR = 1e-4;

/**
 * A heard map [G*G] read per object: log(EXTENT_FLOOR + E) + mix S, with E objectShares' map and S
 * the cell-level map (heardMapsFromMeans). E orders the objects and fills each one's extent; the small
 * share of S orders the cells within an object (its peak stays where the objectness and the direction
 * meet) and between cells E leaves equal.
 * tie: every cell with E = 0 (no kept object over it) gets one value below all the others, so those
 * cells tie: the map says "not these" without ordering them, as a ground-truth mask does.
 */
export function withObjectExtent(S: ArrayLike<number>, E: ArrayLike<number>, mix: number, tie = false): Float32Array {
  if (S.length !== E.length) throw new InvalidConfigError('extent', `${S.length} map cells and ${E.length} object shares`);
  if (!(mix >= 0)) throw new InvalidConfigError('mix', `must be >= 0, got ${mix}`);
  const out = Float32Array.from(E, (e, k) => Math.log(EXTENT_FLOOR + e) + mix * S[k]);
  if (!tie) return out;
  let low = Infinity;
  for (let k = 0; k < E.length; k++) if (E[k] > 0) low = Math.min(low, out[k]);
  if (low === Infinity) return out;
  for (let k = 0; k < E.length; k++) if (!(E[k] > 0)) out[k] = low - 1;
  return out;
}

/**
 * Q query frames' heard-object maps [Q * G*G] from their windows' means (rows of G*G cells: the
 * direction probabilities, heat and boxes, each a windowMean): heardMapsFromMeans with `uniform`, each
 * row then read per object over its own query frame's detections (objectShares of that row's
 * probabilities with `extent`, withObjectExtent with extent.mix). The readout Localizer.heardWindow
 * returns; tools/eval.ts and the probes in tools/models score this same one.
 */
export async function heardMapsPerObject(p: Params, config: HeardConfig, means: { probs: Float32Array; heat: Float32Array; boxes: Float32Array }, detections: Detection[][], extent: ExtentOptions & { mix: number }, uniform: number, size = 224): Promise<Float32Array> {
  const hw = config.grid * config.grid, Q = detections.length;
  for (const [k, x] of Object.entries(means)) if (x.length !== Q * hw) throw new InvalidConfigError('means', `${k}: ${x.length} values for ${Q} queries of ${hw} cells`);
  const maps = tf.tidy(() => heardMapsFromMeans(p, tf.tensor2d(means.probs, [Q, hw]), tf.tensor2d(means.heat, [Q, hw]), tf.tensor2d(means.boxes, [Q, hw]), config, uniform));
  let S: Float32Array;
  try {
    S = await maps.data() as Float32Array;
  } finally {
    maps.dispose();
  }
  const out = new Float32Array(Q * hw);
  for (let k = 0; k < Q; k++) {
    const E = objectShares(means.probs.subarray(k * hw, (k + 1) * hw), detections[k], extent, config.grid, size);
    out.set(withObjectExtent(S.subarray(k * hw, (k + 1) * hw), E, extent.mix), k * hw);
  }
  return out;
}

/**
 * Eq. 2 over a batch of n (frame, own sound) pairs: score[i][j] = log-mean-exp over the cells of
 * sound i's map on frame j; cross-entropy of each sound over the frames and each frame over the
 * sounds, averaged. sameSound [n * n]: 1 where i != j share a recording (masked out of both).
 */
export function heardLoss(p: Params, dir: tf.Tensor2D, heat: tf.Tensor2D, boxes: tf.Tensor2D, sameSound: Float32Array, config: HeardConfig): tf.Scalar {
  if (config.heads !== 1) throw new InvalidConfigError('heads', `the loss trains one head (each head is trained alone, then combined: combineHeads), got ${config.heads}`);
  return tf.tidy(() => {
    const n = dir.shape[0], C = config.grid * config.grid;
    const S = tf.add(objectnessLogits(p, heat, boxes, config).reshape([1, n, C]), directionLogits(p, dir, config).reshape([n, 1, C]));
    const mask = tf.mul(tf.tensor2d(sameSound, [n, n]), -1e4);
    const score = tf.add(tf.sub(tf.logSumExp(S, 2), Math.log(C)), mask) as tf.Tensor2D;
    const eye = tf.oneHot(tf.range(0, n, 1, 'int32'), n);
    return tf.mul(tf.add(tf.losses.softmaxCrossEntropy(eye, score), tf.losses.softmaxCrossEntropy(eye, score.transpose())), 0.5) as tf.Scalar;
  });
}

// ---- shipped weights -------------------------------------------------------------------------

export const HEARD_FORMAT = 'egosound-heard/2';
interface HeardModelJson { format: typeof HEARD_FORMAT; modelId: string; config: HeardConfig; weightsManifest: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[] }

/** Encodes parameters into model.json + weights.bin (tfjs binary weights format). */
export async function serializeHeard(modelId: string, params: Params, config: HeardConfig): Promise<{ modelJson: string; weights: Uint8Array }> {
  const { data, specs } = await tf.io.encodeWeights(Object.keys(params).sort().map((name) => ({ name, tensor: params[name] as tf.Tensor })));
  const json: HeardModelJson = { format: HEARD_FORMAT, modelId, config, weightsManifest: [{ paths: ['weights.bin'], weights: specs }] };
  const bytes = data instanceof ArrayBuffer ? new Uint8Array(data) : new Uint8Array(await new Blob(data as ArrayBuffer[]).arrayBuffer());
  return { modelJson: JSON.stringify(json, null, 1) + '\n', weights: bytes };
}

const NAMES = ['heard/b1', 'heard/b2', 'heard/dirMean', 'heard/dirSd', 'heard/gp', 'heard/gq', 'heard/w1', 'heard/w2'];

/** Decodes model.json + weights.bin into fresh (frozen) variables; the caller disposes them. */
export function deserializeHeard(modelJsonText: string, weights: Uint8Array): { params: Params; config: HeardConfig; modelId: string } {
  const json = JSON.parse(modelJsonText) as HeardModelJson;
  if (json.format !== HEARD_FORMAT) throw new Error(`unknown weights format ${String(json.format)}`);
  const config = validateHeardConfig(json.config);
  const buf = weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength) as ArrayBuffer;
  const tensors = tf.io.decodeWeights(buf, json.weightsManifest.flatMap((g) => g.weights));
  const names = [...NAMES, ...Array.from({ length: config.heads - 1 }, (_, k) => HEARD_HEAD_NAMES.map((n) => headWeightName(n, k + 1))).flat()];
  const missing = names.filter((k) => !tensors[k]);
  if (missing.length) { tf.dispose(Object.values(tensors)); throw new Error(`heard weights lack ${missing.join(', ')}`); }
  const params: Params = {};
  for (const [name, t] of Object.entries(tensors)) params[name] = makeVariable(t, false);
  return { params, config, modelId: json.modelId };
}

/** Loads a shipped heard-object model after every file matched its sha256 in the manifest. */
export async function loadHeard(manifest: Manifest, id: string, baseUrl: string, opts: { fetcher?: Fetcher; onProgress?: (p: LoadProgress) => void; signal?: AbortSignal } = {}): Promise<{ params: Params; config: HeardConfig; sha256: string }> {
  const entry = manifest.models.find((m) => m.id === id);
  if (!entry) throw new WeightsUnavailableError(id, 'it is not listed in models/manifest.json');
  const files = await fetchVerified(entry, baseUrl, opts);
  const jsonBytes = files.get(`${id}/model.json`), bin = files.get(`${id}/weights.bin`);
  if (!jsonBytes || !bin) throw new WeightsUnavailableError(id, 'the manifest entry lacks model.json or weights.bin');
  const { params, config } = deserializeHeard(new TextDecoder().decode(jsonBytes), bin);
  return { params, config, sha256: entry.files.find((f) => f.path.endsWith('weights.bin'))!.sha256 };
}
