/**
 * `npm run eval -- --data DIR [--split test] [--json] [--stride 2] [--id lvs-synth] [--record]`
 *
 * Scores localization maps on the synthetic benchmark with src/engine/eval/metrics.ts (the LVS
 * protocol: cIoU@0.5 and AUC at the median threshold, plus pointing and pixel AP) for:
 *   lvs        the shipped LVS weights (models/<id>, loaded through the sha256 check), map S_ii [14,14]
 *   centre     an isotropic Gaussian at the image centre
 *   wholeImage every pixel sounding
 *   random     uniform noise on a 14x14 grid (seeded)
 *   identityOracle  the boxes of the sounding objects and of the visible objects of their class
 *              (a silent copy of the sounding photo: the generator's hard negatives), each at
 *              1 + a small random amount: the ceiling of a localizer that knows what kind of object
 *              sounds but, from a mono mix, not which of two copies
 *   oracle     the ground truth itself (the ceiling under the median threshold)
 * Frames: every --stride-th frame of each clip (1 = all) whose ground truth is non-empty: the
 * union of the boxes of visible on-screen sounding objects whose source is active in the frame's
 * 1-s segment. Audio for a frame: the mono 11025 Hz mix over its segment [k, k + 1) s (what LVS
 * was trained on). Slices: ground-truth box area (fraction of the frame), the mono mix's SNR
 * against the off-screen source (meta knobs.snrMonoDb), camera motion (knobs.motionPxPerFrame), and
 * whether an object of the sounding object's class other than the ground truth is in view
 * (`lookalike`: with this generator, mostly a silent copy of the same photo).
 * --record writes the test figures of lvs into models/manifest.json (metrics.test*) and the
 * model card.
 *
 * Paper 000's localizer (models/<--ego000-id>, default ego000-synth), when the manifest lists it:
 *   full          ego000 on windows of T = 9 grid frames 2 apart around the scored frame (the public
 *                 code's test setting; shifted inside the clip near its ends), homographies
 *                 estimated with src/engine/geometry (tools/models/windows.ts, cached), audio = the
 *                 1-s mix centred on the frame (as the app's pipeline and ego000's training cut it)
 *   noGeometry    the same weights with identity homographies
 *   singleFrame   the same weights on the scored frame alone (T = 1)
 *   noEnhancement the same weights without f and soft localization at inference
 *   otherAudio    a control, not a method: the full model given the sound of ANOTHER clip (the
 *                 next clip of the list whose mix holds none of this clip's sounding objects'
 *                 recordings, same time); maps that score as well with the wrong sound do not
 *                 depend on what is heard
 * --ego000-frames T changes the test window (default 9). --ego000-ckpt DIR scores a training
 * run's best weights (DIR/checkpoint/best.json|bin of `npm run train -- --model ego000 --ckpt DIR`;
 * `--ego000-set params`: its last checkpoint) instead of a shipped model (not with --record).
 * --refine none|ecc: the windowed methods' homographies without / with their sub-pixel ECC
 * refinement (default: the pipeline's, WINDOW_REFINE = none; another is not --record-ed).
 * With --record the full model's test figures are written to its manifest entry and card as well. Without ego000 weights these
 * methods are left out (and said so).
 *
 * The heard-object localizer (models/<--heard-id>, default heard-synth, with objectness-centernet),
 * when the manifest lists it (src/engine/models/heard.ts):
 *   heard         the binaural direction of the 1-s 16 kHz two-channel window centred on each frame
 *                 picking among the detector's objects, over the same window as full (HEARD_FRAMES =
 *                 9 frames 2 apart): every window frame's detector maps and direction probabilities carried onto the scored
 *                 frame's grid through the cached opencv.js homographies and averaged (heard.ts
 *                 windowMean; the pipeline's 'heard'), each direction heard both ways as the pipeline
 *                 does (HEARD_MIRROR: heard.ts directionProbs with mirror), with a uniform share
 *                 (HEARD_UNIFORM) and read per object over the scored frame's detections (HEARD_EXTENT:
 *                 heard.ts objectShares, withObjectExtent)
 *   heardNoGeometry   the same window averaged with identity homographies
 *   heardSingleFrame  the scored frame alone (T = 1)
 *   detector      heard's objectness term alone (gp log(eps + mean heat) + gq log(eps + mean boxes)
 *                 over the window, with the homographies): no sound
 *   heardOther    a control: heard given the direction of ANOTHER clip's sound (as otherAudio)
 * With --record heard's test figures go to its manifest entry and card too.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { loadLvs, lvsLocalize } from '../src/engine/models/lvs.ts';
import { loadVisualTrunk, visualFeatures } from '../src/engine/models/visual.ts';
import { baselines, boxesToMask, scoreFrame, summarize, EVAL_SIZE, type FrameScore, type Summary } from '../src/engine/eval/metrics.ts';
import { lookAlikeBoxes } from '../src/engine/eval/truth.ts';
import { deserializeEgo000, ego000Maps, loadEgo000, type Ego000Model } from '../src/engine/models/ego000/index.ts';
import { clipCache, f14Rows, frameHomography, openWindowCache, pairsOf, refineFlag, windowAround, windowHomographies, FRAME_STEP, type WindowCacheContext } from './models/windows.ts';
import { HEARD_FRAMES, HEARD_EXTENT, HEARD_MIRROR, HEARD_UNIFORM, WINDOW_REFINE } from '../src/engine/pipeline/localizer.ts';
import { centredChannels, channelSpectrogram, spectrogramTensor } from './models/train-ego000.ts';
import { loadHeard, heardInputWidth, directionProbs, heardMapsPerObject, objectnessLogits } from '../src/engine/models/heard.ts';
import { OBJECTNESS_ID } from '../src/engine/models/objectness.ts';
import { clipObjectness, detectionsAt } from './models/centernet.ts';
import { directionAt, gridFrames, stackedWindowMeans } from './models/train-heard.ts';
import { MODELS_BASE_URL, MODELS_DIR, audioWindow, datasetHash, listClips, modelsFetcher, mulberry, otherSoundClip, readFrameRgb, readManifest, soundingBoxes, spectrogram, useWasm, type Clip } from './models/data.ts';

const argv = process.argv.slice(2);
const flag = (k: string) => argv.includes(`--${k}`);
const opt = (k: string, d: string) => { const i = argv.indexOf(`--${k}`); return i >= 0 && argv[i + 1] !== undefined && !argv[i + 1].startsWith('--') ? argv[i + 1] : d; };
const dataDir = opt('data', '');
if (!dataDir) { console.error('usage: npm run eval -- --data DIR [--split test] [--json] [--stride 2] [--id lvs-synth] [--record]'); process.exit(2); }
const split = opt('split', 'test');
const stride = Math.max(1, Number(opt('stride', '2')));
const id = opt('id', 'lvs-synth');
const json = flag('json');
const say = (s: string) => { if (!json) console.log(s); else console.error(s); };

const ego000Id = opt('ego000-id', 'ego000-synth');
const egoFrames = Number(opt('ego000-frames', '9'));
const egoCkpt = opt('ego000-ckpt', '');
const egoSet = opt('ego000-set', 'best');
if (!['best', 'params'].includes(egoSet)) { console.error('--ego000-set: best (the best validation loss) or params (the last checkpoint)'); process.exit(2); }
if (egoCkpt && flag('record')) { console.error('--record writes figures of shipped models; --ego000-ckpt scores a checkpoint'); process.exit(2); }
const heardId = opt('heard-id', 'heard-synth');
// the windowed methods' homographies: the pipeline's refinement (WINDOW_REFINE), or --refine's (a measurement, not with --record)
const refineArg = refineFlag(opt);
const refine = { refine: refineArg.refine ?? WINDOW_REFINE };
if (refine.refine !== WINDOW_REFINE && flag('record')) { console.error(`--record writes figures of the shipped settings (refine ${WINDOW_REFINE}); --refine ${refine.refine} measures another`); process.exit(2); }
const EGO_METHODS = ['full', 'noGeometry', 'singleFrame', 'noEnhancement', 'otherAudio'] as const;
const HEARD_METHODS = ['heard', 'heardNoGeometry', 'heardSingleFrame', 'detector', 'heardOther'] as const;
const ALL_METHODS = ['full', 'noGeometry', 'singleFrame', 'noEnhancement', 'otherAudio', 'heard', 'heardNoGeometry', 'heardSingleFrame', 'detector', 'heardOther', 'lvs', 'centre', 'wholeImage', 'random', 'identityOracle', 'oracle'] as const;
type Method = typeof ALL_METHODS[number];
let METHODS: readonly Method[] = ALL_METHODS;
const emptyScores = (): Record<Method, FrameScore[]> => Object.fromEntries(ALL_METHODS.map((m) => [m, []])) as unknown as Record<Method, FrameScore[]>;

function sliceKeys(c: Clip, area: number, copyInView: boolean): string[] {
  const k = c.meta.knobs;
  const keys = [area < 0.05 ? 'area:small(<5%)' : area < 0.25 ? 'area:medium(5-25%)' : 'area:large(>=25%)'];
  const snr = k.snrMonoDb;
  keys.push(snr === null || snr === undefined ? 'snr:no-offscreen' : snr < 5 ? 'snr:low(<5dB)' : 'snr:high(>=5dB)');
  const mv = k.motionPxPerFrame;
  keys.push(mv < 3 ? 'motion:low(<3px/f)' : mv < 6 ? 'motion:mid(3-6px/f)' : 'motion:high(>=6px/f)');
  keys.push(copyInView ? 'lookalike:in-view' : 'lookalike:none');
  return keys;
}

async function main(): Promise<void> {
  await useWasm();
  const manifest = readManifest();
  const lvs = await loadLvs(manifest, id, MODELS_BASE_URL, { fetcher: modelsFetcher });
  let ego: Ego000Model | null = null;
  let wctx: WindowCacheContext | null = null;
  if (egoCkpt) {
    const dir = existsSync(join(egoCkpt, 'checkpoint', `${egoSet}.json`)) ? join(egoCkpt, 'checkpoint') : egoCkpt;
    for (const ext of ['json', 'bin']) if (!existsSync(join(dir, `${egoSet}.${ext}`))) throw new Error(`--ego000-ckpt ${egoCkpt}: no ${egoSet}.${ext} there or in its checkpoint/ (a --ckpt directory of npm run train -- --model ego000)`);
    const bin = new Uint8Array(readFileSync(join(dir, `${egoSet}.bin`)));
    ego = { ...deserializeEgo000(readFileSync(join(dir, `${egoSet}.json`), 'utf8'), bin, false), sha256: createHash('sha256').update(bin).digest('hex') };
    wctx = await openWindowCache(undefined, refine);
    say(`ego000: ${dir}/${egoSet} (sha256 ${ego.sha256.slice(0, 12)})`);
  } else if (manifest.models.some((m) => m.id === ego000Id)) {
    ego = await loadEgo000(manifest, ego000Id, MODELS_BASE_URL, { fetcher: modelsFetcher });
    wctx = await openWindowCache(undefined, refine);
  } else {
    METHODS = METHODS.filter((m) => !(EGO_METHODS as readonly string[]).includes(m));
    say(`(no ${ego000Id} in models/manifest.json: full / noGeometry / singleFrame / noEnhancement / otherAudio left out)`);
  }
  let heard: Awaited<ReturnType<typeof loadHeard>> | null = null;
  if (manifest.models.some((m) => m.id === heardId) && manifest.models.some((m) => m.id === OBJECTNESS_ID)) {
    heard = await loadHeard(manifest, heardId, MODELS_BASE_URL, { fetcher: modelsFetcher });
    wctx ??= await openWindowCache(undefined, refine);
  } else {
    METHODS = METHODS.filter((m) => !(HEARD_METHODS as readonly string[]).includes(m));
    say(`(no ${heardId} or ${OBJECTNESS_ID} in models/manifest.json: heard, its ablations, detector and heardOther left out)`);
  }
  const trunk = await loadVisualTrunk(manifest, MODELS_BASE_URL, { fetcher: modelsFetcher });
  const clips = listClips(dataDir, split);
  if (!clips.length) throw new Error(`${dataDir}: no ${split} clips`);
  const frameList = (c: Clip) => c.meta.frames.map((_, i) => i).filter((i) => i % stride === 0 && soundingBoxes(c, i).boxes.length > 0);
  const hash = datasetHash(clips, frameList);
  say(`eval: ${clips.length} ${split} clips, every ${stride} frame(s), model ${id} (weights sha256 ${lvs.sha256.slice(0, 12)}), data sha256 ${hash.slice(0, 12)}`);

  const otherOf = clips.map((_, i) => otherSoundClip(clips, i));
  const scores = emptyScores();
  const slices = new Map<string, Record<Method, FrameScore[]>>();
  const centre = baselines.centre();
  const whole = baselines.wholeImage();
  const rand = mulberry(12345);
  const randIdentity = mulberry(54321);
  const t0 = Date.now();
  let done = 0;
  try {
    for (const [ci, c] of clips.entries()) {
      const frames = frameList(c);
      const specs = new Map<number, Float32Array>();
      const egoMaps = new Map<number, Record<string, Float32Array>>();
      if (ego && wctx) {
        const n = c.meta.frames.length;
        const wins = frames.map((fi) => windowAround(fi, n, egoFrames, FRAME_STEP));
        const cc = await clipCache(wctx, c, pairsOf(wins), FRAME_STEP);
        // what the model hears: the mono mix (paper 000) or, for a model trained with --audio binaural, both ears
        const model = ego;
        const egoSpec = (clip: Clip, t: number) => spectrogramTensor(channelSpectrogram(centredChannels(clip, t, model.config.audioEnhancement.inputChannels)), model.config, 1);
        frames.forEach((fi, k) => {
          const w = wins[k];
          const T = w.frames.length;
          const out: Record<string, Float32Array> = {};
          tf.tidy(() => {
            const f = tf.tensor4d(f14Rows(cc, w.frames), [T, 14, 14, 576]);
            const spec = egoSpec(c, c.meta.frames[fi].time);
            const rows = windowHomographies(cc, w, 'query', true);
            const run = (o: { geometry?: boolean; enhancement?: boolean; singleFrame?: boolean }, sp = spec) => ego000Maps(ego!, f, sp, rows, { queries: w.query, ...o }).dataSync().slice() as Float32Array;
            out.full = run({});
            out.noGeometry = run({ geometry: false });
            out.singleFrame = run({ singleFrame: true });
            out.noEnhancement = run({ enhancement: false });
            const other = clips[otherOf[ci] ?? (ci + 1) % clips.length];
            out.otherAudio = run({}, egoSpec(other, Math.min(c.meta.frames[fi].time, other.meta.config.seconds - 0.5)));
          });
          egoMaps.set(fi, out);
        });
      }
      const heardMapsOf = new Map<number, Record<(typeof HEARD_METHODS)[number], Float32Array>>();
      if (heard && wctx && frames.length) {
        // every grid frame's detector maps and direction probabilities (own sound and another clip's)
        const grid = gridFrames(c);
        const heat = await clipObjectness(c, grid, 'heat'), boxes = await clipObjectness(c, grid, 'boxes'), dets = await clipObjectness(c, grid, 'detections');
        const other = clips[otherOf[ci] ?? (ci + 1) % clips.length];
        const probsOf = (of: Clip) => tf.tidy(() => directionProbs(heard!.params, tf.tensor2d(Float32Array.from(grid.flatMap((fi) => Array.from(directionAt(of, c.meta.frames[fi].time, heard!.config)))), [grid.length, heardInputWidth(heard!.config)]), heard!.config, HEARD_MIRROR).dataSync().slice() as Float32Array);
        const own = probsOf(c), wrong = probsOf(other);
        const cell = (x: Float32Array) => (fi: number) => x.subarray((fi / FRAME_STEP) * 196, (fi / FRAME_STEP + 1) * 196);
        const n = c.meta.frames.length;
        const wins = frames.map((fi) => windowAround(fi, n, HEARD_FRAMES, FRAME_STEP));
        const cc = await clipCache(wctx, c, pairsOf(wins), FRAME_STEP);
        const { width: W, height: Hh } = c.meta.config;
        const variants = { heard: { geometry: true, single: false }, heardNoGeometry: { geometry: false, single: false }, heardSingleFrame: { geometry: false, single: true } };
        // each read per object over the scored frame's own detections, as the pipeline does (heardMapsPerObject)
        const detsOf = frames.map((fi) => detectionsAt(dets, fi / FRAME_STEP));
        const read = (m: { probs: Float32Array; heat: Float32Array; boxes: Float32Array }) => heardMapsPerObject(heard!.params, heard!.config, m, detsOf, HEARD_EXTENT, HEARD_UNIFORM, W);
        const out: Record<string, Float32Array> = {};
        for (const [v, o] of Object.entries(variants)) {
          const carried = frames.map((fi, k) => { const fr = o.single ? [fi] : wins[k].frames; return { frames: fr, toQ: fr.map((f) => (f !== fi && o.geometry ? frameHomography(cc, fi, f) : null)) }; });
          const m = { heat: stackedWindowMeans(carried, cell(heat), W, Hh), boxes: stackedWindowMeans(carried, cell(boxes), W, Hh), probs: stackedWindowMeans(carried, cell(own), W, Hh) };
          out[v] = await read(m);
          if (v !== 'heard') continue;
          // heardOther: the same window with another clip's sound; detector: heard's objectness term alone
          out.heardOther = await read({ ...m, probs: stackedWindowMeans(carried, cell(wrong), W, Hh) });
          out.detector = tf.tidy(() => objectnessLogits(heard!.params, tf.tensor2d(m.heat, [frames.length, 196]), tf.tensor2d(m.boxes, [frames.length, 196]), heard!.config).dataSync().slice() as Float32Array);
        }
        frames.forEach((fi, k) => heardMapsOf.set(fi, Object.fromEntries(HEARD_METHODS.map((m) => [m, out[m].subarray(k * 196, (k + 1) * 196)])) as Record<(typeof HEARD_METHODS)[number], Float32Array>));
      }
      for (let s = 0; s < frames.length; s += 8) {
        const part = frames.slice(s, s + 8);
        const rgb = new Float32Array(part.length * 224 * 224 * 3);
        const spec = new Float32Array(part.length * 128 * 128);
        part.forEach((fi, i) => {
          rgb.set(readFrameRgb(c, fi), i * 224 * 224 * 3);
          const seg = Math.min(Math.floor(c.meta.frames[fi].time), Math.floor(c.meta.config.seconds) - 1);
          if (!specs.has(seg)) specs.set(seg, spectrogram(audioWindow(c, seg)));
          spec.set(specs.get(seg)!, i * 128 * 128);
        });
        const maps = tf.tidy(() => {
          const { f14, f28 } = visualFeatures(trunk, tf.tensor4d(rgb, [part.length, 224, 224, 3]));
          f28.dispose();
          return lvsLocalize(lvs.params, f14, tf.tensor3d(spec, [part.length, 128, 128]), lvs.config);
        });
        const md = await maps.data();
        maps.dispose();
        part.forEach((fi, i) => {
          const gt = soundingBoxes(c, fi);
          const G = boxesToMask(gt.boxes, c.meta.config.width, c.meta.config.height);
          const r = baselines.random(rand);
          const em = egoMaps.get(fi);
          const alike = lookAlikeBoxes(c.meta, fi);
          const got: Partial<Record<Method, FrameScore>> = {
            ...(em ? Object.fromEntries(EGO_METHODS.map((m) => [m, scoreFrame(em[m], 14, 14, G)])) : {}),
            ...(heardMapsOf.has(fi) ? Object.fromEntries(HEARD_METHODS.map((m) => [m, scoreFrame(heardMapsOf.get(fi)![m], 14, 14, G)])) : {}),
            lvs: scoreFrame(md.subarray(i * 196, (i + 1) * 196), 14, 14, G),
            centre: scoreFrame(centre, EVAL_SIZE, EVAL_SIZE, G),
            wholeImage: scoreFrame(whole, EVAL_SIZE, EVAL_SIZE, G),
            random: scoreFrame(r.map, r.h, r.w, G),
            identityOracle: scoreFrame(baselines.identityOracle(alike, c.meta.config.width, c.meta.config.height, randIdentity), EVAL_SIZE, EVAL_SIZE, G),
            oracle: scoreFrame(baselines.oracle(G), EVAL_SIZE, EVAL_SIZE, G),
          };
          for (const mth of METHODS) scores[mth].push(got[mth]!);
          for (const key of sliceKeys(c, gt.area, alike.length > gt.boxes.length)) {
            if (!slices.has(key)) slices.set(key, emptyScores());
            for (const mth of METHODS) slices.get(key)![mth].push(got[mth]!);
          }
          done++;
        });
      }
      say(`  ${c.meta.clipId}: ${frames.length} frames (${done} so far, ${((Date.now() - t0) / 1000).toFixed(0)} s)`);
    }
  } finally {
    trunk.dispose();
    wctx?.trunk?.dispose();
    tf.dispose(Object.values(lvs.params));
    if (ego) tf.dispose(Object.values(ego.params));
    if (heard) tf.dispose(Object.values(heard.params));
  }
  const round = (s: Summary) => ({ ciou50: +s.ciou50.toFixed(4), auc: +s.auc.toFixed(4), pointing: +s.pointing.toFixed(4), pixelAP: +s.pixelAP.toFixed(4), n: s.n });
  const methods = Object.fromEntries(METHODS.map((m) => [m, round(summarize(scores[m]))]));
  const sliceOut = Object.fromEntries([...slices.keys()].sort().map((k) => [k, Object.fromEntries(METHODS.map((m) => [m, round(summarize(slices.get(k)![m]))]))]));
  const result = { methods, slices: sliceOut, data: { dir: dataDir, split, clips: clips.length, stride, frames: done, sha256: hash }, model: { id, sha256: lvs.sha256 }, ...(ego ? { ego000: { id: egoCkpt ? `checkpoint ${egoCkpt} (${egoSet})` : ego000Id, sha256: ego.sha256, testFrames: egoFrames, frameStep: FRAME_STEP, refine: refine.refine } } : {}), ...(heard ? { heard: { id: heardId, sha256: heard.sha256, refine: refine.refine } } : {}) };
  if (json) console.log(JSON.stringify(result, null, 1));
  else {
    console.log('\nmethod       ciou50   auc      pointing pixelAP  n');
    for (const m of METHODS) { const s = methods[m]; console.log(`${m.padEnd(12)} ${s.ciou50.toFixed(3).padEnd(8)} ${s.auc.toFixed(3).padEnd(8)} ${s.pointing.toFixed(3).padEnd(8)} ${s.pixelAP.toFixed(3).padEnd(8)} ${s.n}`); }
    for (const [k, v] of Object.entries(sliceOut)) console.log(`${k.padEnd(22)} ` + METHODS.map((m) => `${m} ${v[m].pointing.toFixed(2)}/${v[m].pixelAP.toFixed(2)}`).join('  ') + `  (pointing/pixelAP, n ${v.lvs.n})`);
  }
  if (flag('record')) {
    record(id, result.methods.lvs, hash);
    if (ego) record(ego000Id, result.methods.full, hash, true);
    if (heard) record(heardId, result.methods.heard, hash, true);
  }
}

function record(id: string, s: { ciou50: number; auc: number; pointing: number; pixelAP: number; n: number }, hash: string, windowed = false): void {
  const path = join(MODELS_DIR, 'manifest.json');
  const manifest = JSON.parse(readFileSync(path, 'utf8')) as ReturnType<typeof readManifest>;
  const e = manifest.models.find((m) => m.id === id)!;
  e.metrics = { ...(e.metrics ?? {}), testCiou50: s.ciou50, testAuc: s.auc, testPointing: s.pointing, testPixelAP: s.pixelAP, testFrames: s.n };
  e.dataset = { ...e.dataset!, description: e.dataset!.description.replace(/\.? Test: .*$/, '') + `. Test: ${split} split sha256 ${hash} (npm run eval -- --data DIR --split ${split} --stride ${stride}).` };
  writeFileSync(path, JSON.stringify(manifest, null, 1) + '\n');
  const card = join(MODELS_DIR, id, 'MODEL_CARD.md');
  const text = readFileSync(card, 'utf8').replace(/\n<!-- test -->[\s\S]*$/, '\n');
  writeFileSync(card, text + `<!-- test -->\n**Test figures** (${split} split, ${s.n} frames, every ${stride} frame(s); data sha256 \`${hash.slice(0, 16)}…\`):
cIoU@0.5 ${s.ciou50.toFixed(3)}, AUC ${s.auc.toFixed(3)}, pointing ${s.pointing.toFixed(3)}, pixel AP ${s.pixelAP.toFixed(3)}${windowed ? ` (the windows' homographies as the pipeline estimates them: refine ${refine.refine})` : ''}. Baselines and slices: docs/results.md.
`);
  console.error(`recorded test metrics of ${id} in models/manifest.json and its model card`);
}

main().catch((e) => { console.error(e instanceof Error ? e.stack : e); process.exit(1); });
