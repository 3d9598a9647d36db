/**
 * Does the binaural mix say where the sounding object is, whatever it is? A linear probe: ridge
 * regression from the direction features of the 1-s binaural window centred on a frame
 * (src/engine/dsp/binaural.ts: ILD per band, GCC-PHAT) to the horizontal and vertical centre of the frame's
 * sounding box (as a fraction of the width / height), fitted on --train's frames and scored on
 * --test's (every 2nd frame with an active on-screen sounding object, the eval's frames), against a
 * constant (the training mean) and against the same regression fed another clip's window (the first
 * clip that plays none of the frame's sounding recordings, as the eval's otherAudio control).
 * Supervised, so it is not a localizer: it measures the cue a self-supervised one could learn.
 *
 *   npx tsx tools/models/probe-direction.ts --train .cache/synth --test .cache/synth [--split train] [--test-split test] [--lambda 10]
 */
import { binauralWindow, listClips, otherSoundClip, soundingBoxes, type Clip } from './data.ts';
import { binauralFeatures, BINAURAL_FEATURES } from '../../src/engine/dsp/binaural.ts';
import { flagReaders, parseFlags } from './flags.ts';

const flags = parseFlags(process.argv.slice(2));
const { str, num } = flagReaders(flags);
const trainDir = str('train', ''), testDir = str('test', '');
const split = str('split', 'train'), testSplit = str('test-split', 'test');
const lambda = num('lambda', 10);
if (!trainDir || !testDir) {
  console.error('usage: npx tsx tools/models/probe-direction.ts --train DIR --test DIR [--split train] [--test-split test] [--lambda 10]');
  process.exit(2);
}

const features = (c: Clip, t: number) => {
  const [left, right] = binauralWindow(c, t);
  return binauralFeatures(left, right, 16000);
};

interface Rows { X: Float32Array[]; other: Float32Array[]; x: number[]; y: number[] }
function rows(clips: Clip[]): Rows {
  const r: Rows = { X: [], other: [], x: [], y: [] };
  clips.forEach((c, ci) => {
    const j = otherSoundClip(clips, ci) ?? (ci + 1) % clips.length;
    const { width, height } = c.meta.config;
    for (let fi = 0; fi < c.meta.frames.length; fi += 2) {
      const boxes = soundingBoxes(c, fi).boxes;
      if (!boxes.length) continue;
      const b = boxes[0]; // the first sounding object (two sound in 20% of clips)
      const t = c.meta.frames[fi].time;
      r.X.push(features(c, t));
      r.other.push(features(clips[j], t));
      r.x.push((b.x0 + b.x1) / 2 / width);
      r.y.push((b.y0 + b.y1) / 2 / height);
    }
  });
  return r;
}

/** Ridge regression on standardised features (intercept not penalised); returns a predictor. */
function ridge(X: Float32Array[], y: number[]): (x: Float32Array) => number {
  const n = X.length, d = BINAURAL_FEATURES;
  const mu = new Float64Array(d), sd = new Float64Array(d);
  for (const x of X) for (let k = 0; k < d; k++) mu[k] += x[k] / n;
  for (const x of X) for (let k = 0; k < d; k++) sd[k] += (x[k] - mu[k]) ** 2 / n;
  for (let k = 0; k < d; k++) sd[k] = Math.sqrt(sd[k]) || 1;
  const z = (x: Float32Array) => Array.from({ length: d }, (_, k) => (x[k] - mu[k]) / sd[k]);
  const ym = y.reduce((a, b) => a + b, 0) / n;
  const A = Array.from({ length: d }, (_, i) => Array.from({ length: d + 1 }, (_, j) => (i === j ? lambda : 0)));
  X.forEach((x, s) => {
    const v = z(x);
    for (let i = 0; i < d; i++) {
      A[i][d] += v[i] * (y[s] - ym);
      for (let j = 0; j < d; j++) A[i][j] += v[i] * v[j];
    }
  });
  for (let i = 0; i < d; i++) {
    let p = i;
    for (let r = i + 1; r < d; r++) if (Math.abs(A[r][i]) > Math.abs(A[p][i])) p = r;
    [A[i], A[p]] = [A[p], A[i]];
    for (let r = 0; r < d; r++) {
      if (r === i) continue;
      const f = A[r][i] / A[i][i];
      for (let k = i; k <= d; k++) A[r][k] -= f * A[i][k];
    }
  }
  const w = A.map((row, i) => row[d] / row[i]);
  return (x) => ym + z(x).reduce((s, v, k) => s + v * w[k], 0);
}

const corr = (p: number[], y: number[]) => {
  const mp = p.reduce((a, b) => a + b, 0) / p.length, my = y.reduce((a, b) => a + b, 0) / y.length;
  let sxy = 0, sxx = 0, syy = 0;
  p.forEach((v, i) => { sxy += (v - mp) * (y[i] - my); sxx += (v - mp) ** 2; syy += (y[i] - my) ** 2; });
  return sxx > 0 && syy > 0 ? sxy / Math.sqrt(sxx * syy) : 0;
};
const mae = (p: number[], y: number[]) => p.reduce((s, v, i) => s + Math.abs(v - y[i]), 0) / p.length;

const t0 = Date.now();
const tr = rows(listClips(trainDir, split));
const te = rows(listClips(testDir, testSplit));
console.log(`probe-direction: ${tr.X.length} training frames, ${te.X.length} test frames (${((Date.now() - t0) / 1000).toFixed(0)} s); ridge lambda ${lambda}`);
console.log('target                 | train corr / MAE | test: own window corr / MAE | another clip\'s window corr / MAE | constant MAE');
for (const [name, key] of [['box centre x (width)', 'x'], ['box centre y (height)', 'y']] as const) {
  const f = ridge(tr.X, tr[key]);
  const ptr = tr.X.map(f), pte = te.X.map(f), pot = te.other.map(f);
  const mean = tr[key].reduce((a, b) => a + b, 0) / tr[key].length;
  console.log(`${name.padEnd(22)} | ${corr(ptr, tr[key]).toFixed(3)} / ${mae(ptr, tr[key]).toFixed(3)} | ${corr(pte, te[key]).toFixed(3)} / ${mae(pte, te[key]).toFixed(3)} | ${corr(pot, te[key]).toFixed(3)} / ${mae(pot, te[key]).toFixed(3)} | ${mae(te[key].map(() => mean), te[key]).toFixed(3)}`);
}
