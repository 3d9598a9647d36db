/**
 * Trains paper 000's mask decoder D_a of a shipped ego000 model further, everything else frozen:
 *
 *   npx tsx tools/models/train-decoder.ts --data .cache/synth --id ego000-synth [--steps 3000]
 *       [--batch 16] [--lr 1e-3] [--seed 1] [--val-every 100] [--max-minutes M] [--write]
 *
 * Why: in the joint training (train-ego000.ts) the decoder only learned the target's mean in 600
 * steps (mask loss 0.215 -> 0.21; docs/results.md). Only the `dec/*` weights change here, and the
 * localization maps never read them, so the maps (and their result hashes) stay exactly as they
 * were; the separation the app plays is what improves, if anything does.
 *
 * The task is the joint training's mix-and-separate (sec. 2.2): the mixture 0.5 (s_k + s_r) of a
 * window's own second and a second from another clip; the decoder reads f(a_mix, g_v) (g_v of the
 * window's frames) and the encoder's skips, and learns the mask clean_k > 0.5 mix with the L2 loss.
 * The audio encoder runs in inference mode (its calibrated statistics), as at inference.
 *
 * Validation (held-out training clips, fixed pairs): the mask loss, the loss of the best constant
 * mask (the target's mean: what "learned nothing but the prior" scores), and the SI-SDR of the
 * separated waveform against the own source in the mixture (0.5 s_k), beside the mixture's own
 * SI-SDR (no separation). --write replaces the model's weights in models/ (manifest entry: sha256,
 * bytes, the command appended; decoder.csv beside the card).
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { makeVariable, type Params } from '../../src/engine/models/audio.ts';
import { enhancementLoss, loadEgo000, maskTarget, mixWaveforms, projectVisual, serializeEgo000, visualVector } from '../../src/engine/models/ego000/index.ts';
import { audioFeatures, enhance, maskDecoder } from '../../src/engine/models/ego000/enhancement.ts';
import { applyLogFreqMask } from '../../src/engine/dsp/logfreq.ts';
import { sha256Hex, type Manifest } from '../../src/engine/weights/verify.ts';
import { MODELS_BASE_URL, MODELS_DIR, listClips, modelsFetcher, mulberry, readManifest, rms, spectrogram, useWasm } from './data.ts';
import { centredWindows, clipCache, f14Rows, openWindowCache } from './windows.ts';
import { centredAudio } from './train-ego000.ts';
import { flagReaders, parseFlags } from './flags.ts';

interface Sample { clip: number; gv: Float32Array; audio: Float32Array }

/** Scale-invariant SDR (dB) of estimate against reference. */
export function siSdr(est: Float32Array, ref: Float32Array): number {
  let dot = 0, rr = 0;
  for (let i = 0; i < ref.length; i++) { dot += est[i] * ref[i]; rr += ref[i] * ref[i]; }
  const a = dot / (rr + 1e-12);
  let s = 0, e = 0;
  for (let i = 0; i < ref.length; i++) { const t = a * ref[i]; s += t * t; e += (est[i] - t) ** 2; }
  return 10 * Math.log10((s + 1e-12) / (e + 1e-12));
}

async function main(): Promise<void> {
  const flags = parseFlags(process.argv.slice(2));
  const { str, num } = flagReaders(flags);
  const id = str('id', 'ego000-synth');
  const dataDir = str('data', '');
  const steps = num('steps', 3000);
  const K = num('batch', 16);
  const lr = num('lr', 1e-3);
  const seed = num('seed', 1);
  const valEvery = num('val-every', 100);
  const maxMinutes = num('max-minutes', Infinity);
  const ckDir = join('.cache', 'train', `${id}-decoder`);
  mkdirSync(ckDir, { recursive: true });
  const command = `npx tsx tools/models/train-decoder.ts ${process.argv.slice(2).join(' ')}`;
  const log = (s: string) => { console.log(s); appendFileSync(join(ckDir, 'train.log'), s + '\n'); };
  await useWasm();
  const manifest = readManifest();
  const model = await loadEgo000(manifest, id, MODELS_BASE_URL, { fetcher: modelsFetcher });
  const { config } = model;
  const params: Params = model.params;
  if (!config.enhancement) throw new Error(`${id} has no enhancement block, so no decoder`);
  const cfg = config.audioEnhancement;
  const decNames = Object.keys(params).filter((n) => n.startsWith('dec/')).sort();
  for (const n of decNames) { const t = params[n]; params[n] = makeVariable(tf.clone(t), true); t.dispose(); } // a fresh trainable copy (a variable made from a variable shares its data)
  log(`${command}\n${id}: ${decNames.length} decoder tensors trainable (${decNames.reduce((a, n) => a + params[n].size, 0)} parameters), the rest frozen`);

  // ---- data: per training window, g_v (frozen) and the own second of sound
  const T = config.temporal.trainFrames;
  const clips = listClips(dataDir, 'train');
  if (clips.length < K + 2) throw new Error(`${dataDir}: ${clips.length} train clips; need more than ${K + 1}`);
  const ctx = await openWindowCache();
  const samples: Sample[] = [];
  const t0 = Date.now();
  for (const [ci, c] of clips.entries()) {
    const windows = centredWindows(c.meta.frames.length, T, config.temporal.frameStep);
    const cc = await clipCache(ctx, c, [], config.temporal.frameStep); // f14 only: no homographies needed
    for (const w of windows) {
      const audio = centredAudio(c, c.meta.frames[w.frames[w.query]].time);
      if (rms(audio) < 1e-4) continue;
      const gv = tf.tidy(() => {
        const v = projectVisual(params, tf.tensor4d(f14Rows(cc, w.frames), [w.frames.length, 14, 14, 576]));
        return visualVector(tf.reshape(v, [1, w.frames.length, 14, 14, config.embedDim]) as tf.Tensor5D);
      });
      samples.push({ clip: ci, gv: gv.dataSync().slice() as Float32Array, audio });
      gv.dispose();
    }
    if (ci % 50 === 0) log(`data: ${ci + 1}/${clips.length} clips (${((Date.now() - t0) / 1000).toFixed(0)} s)`);
  }
  ctx.trunk?.dispose();
  const r = mulberry(seed);
  const order = clips.map((_, i) => i);
  for (let i = order.length - 1; i > 0; i--) { const j = Math.floor(r() * (i + 1)); [order[i], order[j]] = [order[j], order[i]]; }
  const valClips = new Set(order.slice(0, Math.max(2, Math.round(clips.length * 0.1))));
  const train = samples.map((_, i) => i).filter((i) => !valClips.has(samples[i].clip));
  const valOwn = samples.map((_, i) => i).filter((i) => valClips.has(samples[i].clip));
  // fixed validation pairs: each held-out window with one from another held-out clip
  const valPairs = valOwn.filter((_, k) => k % 2 === 0).map((i, k) => {
    const others = valOwn.filter((j) => samples[j].clip !== samples[i].clip);
    return [i, others[(k * 7919) % others.length]] as [number, number];
  });
  log(`data: ${samples.length} windows (${train.length} for training), ${valPairs.length} validation mixtures from ${valClips.size} held-out clips`);

  /** Encoder side of a batch (constants): f(a_mix, g_v), skips, mixture and clean spectrograms. */
  const encode = (pairs: [number, number][]) => tf.tidy(() => {
    const mixes = pairs.map(([k, o]) => mixWaveforms(samples[k].audio, samples[o].audio, cfg.mixGain));
    const spec = tf.tensor3d(Float32Array.from(mixes.flatMap((m) => Array.from(spectrogram(m)))), [pairs.length, 128, 128]);
    const clean = tf.tensor3d(Float32Array.from(pairs.flatMap(([k]) => Array.from(spectrogram(samples[k].audio)))), [pairs.length, 128, 128]);
    const gv = tf.tensor2d(Float32Array.from(pairs.flatMap(([k]) => Array.from(samples[k].gv))), [pairs.length, config.embedDim]);
    const { a, skips } = audioFeatures(params, spec, cfg, 'infer');
    return { ahat: enhance(params, a, gv, cfg), skips, spec, target: maskTarget(clean, spec, cfg), mixes };
  });

  const m = Object.fromEntries(decNames.map((n) => [n, tf.variable(tf.zerosLike(params[n]), false)]));
  const v = Object.fromEntries(decNames.map((n) => [n, tf.variable(tf.zerosLike(params[n]), false)]));
  const vars = decNames.map((n) => params[n] as tf.Variable);
  let step = 0;
  const b1 = 0.9, b2 = 0.999, eps = 1e-7;

  const validate = (): { loss: number; prior: number; sdrSep: number; sdrMix: number } => {
    let loss = 0, n = 0, sumT = 0, sumT2 = 0, cells = 0, sdrSep = 0, sdrMix = 0;
    for (let s = 0; s < valPairs.length; s += 16) {
      const part = valPairs.slice(s, s + 16);
      const e = encode(part);
      const pred = maskDecoder(params, e.ahat, e.skips, cfg);
      loss += enhancementLoss(pred, e.target).dataSync()[0] * part.length;
      n += part.length;
      const td = e.target.dataSync();
      for (const x of td) { sumT += x; sumT2 += x * x; cells++; }
      part.forEach(([k], i) => {
        const wave = tf.tidy(() => applyLogFreqMask(tf.tensor1d(e.mixes[i]), tf.squeeze(tf.slice(pred, [i, 0, 0], [1, 128, 128]), [0]) as tf.Tensor2D));
        const own = Float32Array.from(samples[k].audio, (x) => cfg.mixGain * x);
        sdrSep += siSdr(wave.dataSync() as Float32Array, own);
        sdrMix += siSdr(e.mixes[i], own);
        wave.dispose();
      });
      tf.dispose([pred, e.ahat, ...e.skips, e.spec, e.target]);
    }
    const mean = sumT / cells;
    return { loss: loss / n, prior: sumT2 / cells - mean * mean, sdrSep: sdrSep / n, sdrMix: sdrMix / n };
  };

  const rows: string[] = ['step,train_loss,val_loss,val_prior_loss,val_si_sdr_separated,val_si_sdr_mixture'];
  const v0 = validate();
  log(`step 0: val mask loss ${v0.loss.toFixed(4)} (best constant mask ${v0.prior.toFixed(4)}); SI-SDR separated ${v0.sdrSep.toFixed(2)} dB, mixture ${v0.sdrMix.toFixed(2)} dB`);
  rows.push(`0,,${v0.loss},${v0.prior},${v0.sdrSep},${v0.sdrMix}`);
  let best = { step: 0, loss: v0.loss, weights: decNames.map((n) => params[n].dataSync().slice()) };
  const start = Date.now();
  let acc = 0, na = 0;
  while (step < steps) {
    const sr = mulberry(seed * 7877 + step);
    const idx = Array.from({ length: K }, () => train[Math.floor(sr() * train.length)]);
    const pairs = idx.map((k) => { let o = k; while (samples[o].clip === samples[k].clip) o = train[Math.floor(sr() * train.length)]; return [k, o] as [number, number]; });
    const e = encode(pairs);
    const { value, grads } = tf.variableGrads(() => enhancementLoss(maskDecoder(params, e.ahat, e.skips, cfg), e.target), vars);
    step++;
    acc += value.dataSync()[0];
    na++;
    tf.tidy(() => {
      const c1 = 1 - b1 ** step, c2 = 1 - b2 ** step;
      for (const n of decNames) {
        const g = grads[params[n].name];
        m[n].assign(tf.add(tf.mul(m[n], b1), tf.mul(g, 1 - b1)));
        v[n].assign(tf.add(tf.mul(v[n], b2), tf.mul(tf.square(g), 1 - b2)));
        (params[n] as tf.Variable).assign(tf.sub(params[n], tf.mul(lr / c1, tf.div(m[n], tf.add(tf.sqrt(tf.div(v[n], c2)), eps)))));
      }
    });
    tf.dispose([value, ...Object.values(grads), e.ahat, ...e.skips, e.spec, e.target]);
    const out = (Date.now() - start) / 60000 > maxMinutes;
    if (step % valEvery === 0 || step === steps || out) {
      const vr = validate();
      const better = vr.loss < best.loss;
      if (better) best = { step, loss: vr.loss, weights: decNames.map((n) => params[n].dataSync().slice()) };
      log(`step ${step}: train mask loss ${(acc / na).toFixed(4)}  val ${vr.loss.toFixed(4)} (constant ${vr.prior.toFixed(4)}); SI-SDR separated ${vr.sdrSep.toFixed(2)} dB, mixture ${vr.sdrMix.toFixed(2)} dB${better ? ' (best)' : ''}  [${((Date.now() - start) / 1000).toFixed(0)} s]`);
      rows.push(`${step},${acc / na},${vr.loss},${vr.prior},${vr.sdrSep},${vr.sdrMix}`);
      writeFileSync(join(ckDir, 'decoder.csv'), rows.join('\n') + '\n');
      acc = 0;
      na = 0;
      if (out) { log(`stopping after ${maxMinutes} min (--max-minutes)`); break; }
    }
  }
  log(`best: step ${best.step}, val mask loss ${best.loss.toFixed(4)}`);
  if (!flags.has('write')) return;
  if (best.step === 0) { log('no step beat the shipped decoder: models/ left as it is'); return; }
  decNames.forEach((n, i) => (params[n] as tf.Variable).assign(tf.tensor(best.weights[i], params[n].shape)));
  const dir = join(MODELS_DIR, id);
  const { modelJson, weights } = await serializeEgo000(id, params, config);
  writeFileSync(join(dir, 'model.json'), modelJson);
  writeFileSync(join(dir, 'weights.bin'), weights);
  writeFileSync(join(dir, 'decoder.csv'), rows.join('\n') + '\n');
  const man: Manifest = readManifest();
  const entry = man.models.find((e) => e.id === id)!;
  for (const f of entry.files) {
    const bytes = new Uint8Array(readFileSync(join(MODELS_DIR, f.path)));
    f.sha256 = await sha256Hex(bytes);
    f.bytes = bytes.length;
  }
  if (!entry.trainCommand?.includes('train-decoder.ts')) entry.trainCommand = `${entry.trainCommand}; then ${command}`;
  entry.metrics = { ...entry.metrics, decoderSteps: best.step, decoderValMaskLoss: best.loss, decoderValMaskLossBefore: v0.loss, decoderValConstantMaskLoss: v0.prior };
  writeFileSync(join(MODELS_DIR, 'manifest.json'), JSON.stringify(man, null, 1) + '\n');
  log(`wrote ${dir}: decoder of step ${best.step}; manifest entry updated (${entry.files.map((f) => `${f.path} ${f.sha256.slice(0, 12)}`).join(', ')})`);
  if (!existsSync(join(dir, 'MODEL_CARD.md'))) log('note: no model card to update');
}

if (process.argv[1]?.endsWith('train-decoder.ts')) await main();
