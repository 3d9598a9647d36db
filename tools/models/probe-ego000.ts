/**
 * Looks inside paper 000's model (ego000) on one batch of real windows: K windows of K distinct
 * clips (the middle window of each), their own unmixed audio. Prints
 *   - how alike the audio vectors g_a of different clips are (mean and min pairwise cosine): when
 *     they all point one way, every audio scores every frame alike and eq. 2 sits at ln K;
 *   - the logits of eq. 2: positive P, mean easy negative N, and the loss.
 * Either the initial model (--seed) or a checkpoint (--params DIR/name, as the trainer writes:
 * DIR/checkpoint/params.json + .bin).
 *
 *   npx tsx tools/models/probe-ego000.ts --data .cache/synth [--split train] [--batch 8] [--seed 1]
 *        [--params .cache/train/ego000-synth/checkpoint/params | models/ego000-synth] [--offset 0]  [--no-enhancement] [--no-norm]
 *        [--centre]   (first apply the trainer's data-dependent init, on 32 other clips)
 *        [--overfit N --lr 3e-3 [--no-geometry]]   (then N Adam steps on this one batch,
 *                     and the same report again: can the model separate 8 clips it trains on?)
 */
import { existsSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { loadShippedParams } from './checkpoint.ts';
import * as tf from '@tensorflow/tfjs';
import {
  calibrateEgo000Norm, centreProjections, deserializeEgo000, ego000Loss, initEgo000Params, isNormStatistic, ownAudioFeatures, validateEgo000Config, type Ego000Config,
} from '../../src/engine/models/ego000/index.ts';
import { audioFeatures, audioVector, enhancePairs } from '../../src/engine/models/ego000/enhancement.ts';
import { projectVisual, visualVector } from '../../src/engine/models/ego000/softloc.ts';
import type { Params } from '../../src/engine/models/audio.ts';
import { listClips, spectrogram, useWasm } from './data.ts';
import { centredWindows, clipCache, f14Rows, openWindowCache, pairsOf, windowHomographies } from './windows.ts';
import { F14 } from './features.ts';
import { centredAudio } from './train-ego000.ts';
import { flagReaders, parseFlags } from './flags.ts';

const flags = parseFlags(process.argv.slice(2));
const { str, num } = flagReaders(flags);
const K = num('batch', 8);
const offset = num('offset', 0);
await useWasm();

let params: Params;
let config: Ego000Config;
if (flags.has('params')) {
  const base = str('params', '');
  // a shipped model's directory (models/<id>, through the manifest's sha256 check) or a checkpoint (DIR/name.json + .bin)
  const back = existsSync(join(base, 'model.json')) ? await loadShippedParams(basename(base), false)
    : deserializeEgo000(readFileSync(`${base}.json`, 'utf8'), new Uint8Array(readFileSync(`${base}.bin`)));
  params = back.params;
  config = back.config;
} else {
  config = validateEgo000Config({ embedDim: 128, enhancement: !flags.has('no-enhancement'), objective: { negatives: 'trimap' }, audioEnhancement: { norm: flags.has('no-norm') ? 'none' : 'batch' } });
  params = initEgo000Params(config, num('seed', 1));
}
const T = config.temporal.trainFrames;

const all = listClips(str('data', ''), str('split', 'train'));
const ctx = await openWindowCache();
/** The middle window of each clip, its own audio. */
const batchOf = async (clips: typeof all) => {
  const n = clips.length;
  const f = new Float32Array(n * T * F14);
  const spec = new Float32Array(n * 128 * 128);
  const toQuery: number[][][][] = [];
  for (const [i, c] of clips.entries()) {
    const windows = centredWindows(c.meta.frames.length, T, config.temporal.frameStep);
    const w = windows[Math.floor(windows.length / 2)];
    const cc = await clipCache(ctx, c, pairsOf([w]), config.temporal.frameStep);
    f.set(f14Rows(cc, w.frames), i * T * F14);
    spec.set(spectrogram(centredAudio(c, c.meta.frames[w.frames[w.query]].time)), i * 128 * 128);
    toQuery.push(windowHomographies(cc, w, 'all'));
  }
  return { f14: tf.tensor4d(f, [n * T, 14, 14, 576]), spec: tf.tensor3d(spec, [n, 128, 128]), toQuery };
};
const batch = await batchOf(all.slice(offset, offset + K));
if (!flags.has('params')) {
  // as the trainer does at step 0, on other clips than the probe's: the audio normalization's
  // statistics, then (--centre) the data-dependent init
  const c = await batchOf(all.slice(offset + K, offset + K + 32));
  calibrateEgo000Norm(params, config, c.f14, c.spec);
  if (flags.has('centre')) {
    const r = centreProjections(params, config, c.f14, c.spec);
    console.log(`centred on 32 other clips: their g_a pairwise cosine ${r.before.toFixed(3)} -> ${r.after.toFixed(3)}`);
  }
  tf.dispose([c.f14, c.spec]);
}
ctx.trunk?.dispose();

const cosStats = (g: tf.Tensor2D) => tf.tidy(() => {
  const n = tf.div(g, tf.norm(g, 'euclidean', 1, true));
  const c = tf.matMul(n, n, false, true).arraySync() as number[][];
  const off = c.flatMap((row, i) => row.filter((_, j) => j !== i));
  const norms = tf.norm(g, 'euclidean', 1).arraySync() as number[];
  const meanNorm = tf.norm(tf.mean(g, 0)).dataSync()[0];
  return { mean: off.reduce((a, x) => a + x, 0) / off.length, min: Math.min(...off), norm: norms.reduce((a, x) => a + x, 0) / norms.length, meanNorm };
});
const fx = (x: number) => x.toFixed(3);
const report = (): void => {
  tf.tidy(() => {
    const { a } = audioFeatures(params, batch.spec, config.audioEnhancement);
    const plain = audioVector(params, a) as tf.Tensor2D;
    const s = cosStats(plain);
    console.log(`g_a (no enhancement): pairwise cosine mean ${fx(s.mean)} min ${fx(s.min)}; mean |g| ${fx(s.norm)}, |mean g| ${fx(s.meanNorm)}`);
    if (config.enhancement) {
      const g = audioVector(params, ownAudioFeatures(params, config, batch.f14, batch.spec)) as tf.Tensor2D;
      const e = cosStats(g);
      console.log(`g_a (enhanced with the own window's g_v): pairwise cosine mean ${fx(e.mean)} min ${fx(e.min)}; mean |g| ${fx(e.norm)}, |mean g| ${fx(e.meanNorm)}`);
      // how much the sound moves g_a^ when the frames stay: every clip's audio enhanced with ONE
      // window's g_v (as eq. 2 scores them), pairwise cosine within each window, averaged
      const [KT, h, w] = batch.f14.shape;
      const v = tf.reshape(projectVisual(params, batch.f14), [K, KT / K, h, w, config.embedDim]) as tf.Tensor5D;
      const pairs = enhancePairs(params, a, visualVector(v), config.audioEnhancement); // [K windows, K audios, ...]
      const within = tf.unstack(pairs).map((p) => cosStats(audioVector(params, p) as tf.Tensor2D));
      const m = within.reduce((acc, x) => acc + x.mean, 0) / within.length;
      console.log(`g_a (${K} clips' audio, each window's own g_v): pairwise cosine within a window mean ${fx(m)} min ${fx(Math.min(...within.map((x) => x.min)))} (1 = the sound changes nothing)`);
    }
  });
  const p = ego000Loss(params, config, batch);
  const logits = p.logits.arraySync() as number[][];
  const P = logits.map((r) => r[0]);
  const N = logits.map((r, k) => { const n = r.slice(1, 1 + K).filter((_, j) => j !== k); return n.reduce((a, x) => a + x, 0) / n.length; });
  console.log(`eq. 2 on ${K} clips: ground loss ${fx(p.ground.dataSync()[0])} (ln ${K} = ${fx(Math.log(K))})`);
  console.log(`  P ${P.map(fx).join(' ')}\n  N ${N.map(fx).join(' ')}\n  mean P - N ${fx(P.reduce((a, x, i) => a + x - N[i], 0) / K)}`);

};
report();

if (flags.has('overfit')) {
  const steps = num('overfit', 100);
  const geometry = !flags.has('no-geometry');
  const names = Object.keys(params).filter((n) => !isNormStatistic(n));
  const vars = names.map((n) => params[n] as tf.Variable);
  for (const v of vars) (v as { trainable: boolean }).trainable = true;
  const opt = tf.train.adam(num('lr', 3e-3));
  for (let step = 1; step <= steps; step++) {
    let ground = 0;
    tf.dispose(opt.minimize(() => {
      const p = ego000Loss(params, config, batch, { geometry });
      ground = p.ground.dataSync()[0];
      tf.dispose([p.ground, p.enhancement, p.logits, p.pooled]);
      return p.loss;
    }, true, vars)!);
    if (step % 10 === 0 || step === 1) console.log(`overfit step ${step}: ground ${fx(ground)}`);
  }
  calibrateEgo000Norm(params, config, batch.f14, batch.spec);
  report();
}
