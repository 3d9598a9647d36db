/**
 * Are the model's inputs enough to tell the sounds apart? A check beneath paper 000's model: if the
 * frozen trunk's f14 (pooled over an object's box) or the audio spectrogram cannot tell which of the
 * vocabulary's objects / sounds it is, no head trained on them can ground a sound in an object.
 *
 * Nearest class centroid (cosine), centroids from --train, accuracy on --test (new clips):
 *   visual  f14 [14,14,576] of every cached grid frame (tools/models/windows.ts cache), averaged over
 *           the 16x16-pixel cells a visible sounding object's box covers (box >= 2% of the frame),
 *           label = the object's class; also: sounding objects against the silent distractors, by
 *           the same centroids (is "a thing that sounds" visible in the look alone?)
 *   audio   the 1-s mono mix of each segment whose one sounding object is active, its 128x128
 *           log-frequency spectrogram as log(1 + |X|) averaged over time (128 values), label = that object's class;
 *           split by whether the off-screen source is active in the segment
 *
 *   npx tsx tools/models/probe-inputs.ts --train .cache/synth-v16 --test .cache/synth-v16-seen [--split train]
 */
import { clipCache, openWindowCache } from './windows.ts';
import { F14, F14_SCALE } from './features.ts';
import { audioWindow, listClips, spectrogram, useWasm, type Clip } from './data.ts';
import { flagReaders, parseFlags } from './flags.ts';

const flags = parseFlags(process.argv.slice(2));
const { str } = flagReaders(flags);
const trainDir = str('train', '');
const testDir = str('test', '');
const split = str('split', 'train');
if (!trainDir || !testDir) { console.error('usage: npx tsx tools/models/probe-inputs.ts --train DIR --test DIR [--split train]'); process.exit(2); }
await useWasm();
const ctx = await openWindowCache();

interface Item { label: string; v: Float32Array; sounding: boolean; offscreen?: boolean }

const unit = (v: Float32Array) => { let s = 0; for (const x of v) s += x * x; s = Math.sqrt(s) || 1; return v.map((x) => x / s); };

async function visualItems(clips: Clip[]): Promise<Item[]> {
  const out: Item[] = [];
  for (const c of clips) {
    const cc = await clipCache(ctx, c, [], 2);
    const classOf = new Map((c.meta.objects ?? []).map((o) => [o.instanceId, o]));
    cc.frames.forEach((fi, r) => {
      const row = cc.f14.subarray(r * F14, (r + 1) * F14);
      for (const o of c.meta.frames[fi].objects) {
        const info = classOf.get(o.instanceId);
        if (!o.visible || !info || o.boxArea < 0.02) continue;
        const [x0, y0, x1, y1] = o.box.map((p) => Math.max(0, Math.min(13, Math.floor(p / 16))));
        const v = new Float32Array(576);
        let n = 0;
        for (let y = y0; y <= y1; y++) for (let x = x0; x <= x1; x++, n++) for (let k = 0; k < 576; k++) v[k] += row[(y * 14 + x) * 576 + k] * F14_SCALE;
        out.push({ label: info.classLabel, v: unit(v.map((x) => x / n)), sounding: info.sounding });
      }
    });
  }
  return out;
}

function audioItems(clips: Clip[]): Item[] {
  const out: Item[] = [];
  for (const c of clips) {
    const objs = c.meta.sources.filter((s) => s.instanceId !== null);
    if (objs.length !== 1) continue;
    const src = objs[0];
    const label = (c.meta.objects ?? []).find((o) => o.instanceId === src.instanceId)?.classLabel;
    if (!label) continue;
    const off = c.meta.sources.find((s) => s.instanceId === null);
    for (let k = 0; k < Math.floor(c.meta.config.seconds); k++) {
      if (!src.activeSegments[k]) continue;
      const spec = spectrogram(audioWindow(c, k)); // magnitude [128 freq, 128 time]; log(1 + |X|) as the audio encoder compresses it
      const v = new Float32Array(128);
      for (let f = 0; f < 128; f++) for (let t = 0; t < 128; t++) v[f] += Math.log1p(spec[f * 128 + t]) / 128;
      out.push({ label, v, sounding: true, offscreen: !!off?.activeSegments[k] });
    }
  }
  // centre each dimension (log spectra share a large common offset), then unit length
  const mean = new Float32Array(128);
  for (const it of out) for (let f = 0; f < 128; f++) mean[f] += it.v[f] / out.length;
  return out.map((it) => ({ ...it, v: unit(it.v.map((x, f) => x - mean[f])) }));
}

function centroids(items: Item[]): Map<string, Float32Array> {
  const m = new Map<string, Float32Array>();
  for (const it of items) { if (!m.has(it.label)) m.set(it.label, new Float32Array(it.v.length)); const c = m.get(it.label)!; it.v.forEach((x, k) => (c[k] += x)); }
  for (const [k, v] of m) m.set(k, unit(v));
  return m;
}
const dot = (a: Float32Array, b: Float32Array) => { let s = 0; for (let k = 0; k < a.length; k++) s += a[k] * b[k]; return s; };
function nearest(cs: Map<string, Float32Array>, v: Float32Array): { label: string; score: number } {
  let best = { label: '', score: -Infinity };
  for (const [label, c] of cs) { const s = dot(c, v); if (s > best.score) best = { label, score: s }; }
  return best;
}
const acc = (cs: Map<string, Float32Array>, items: Item[]) => items.length ? items.filter((it) => nearest(cs, it.v).label === it.label).length / items.length : NaN;

const train = listClips(trainDir, split);
const test = listClips(testDir, split);
const vTrain = await visualItems(train);
const vTest = await visualItems(test);
const cs = centroids(vTrain.filter((i) => i.sounding));
const sTest = vTest.filter((i) => i.sounding);
console.log(`visual: ${cs.size} sounding classes; ${vTrain.filter((i) => i.sounding).length} train / ${sTest.length} test object-frames; nearest-centroid accuracy on test ${acc(cs, sTest).toFixed(3)} (chance ${(1 / cs.size).toFixed(3)})`);
// look alone: best centroid similarity of sounding objects against silent distractors of other classes (AUC)
const silent = vTest.filter((i) => !i.sounding && !cs.has(i.label));
const sc = (it: Item) => nearest(cs, it.v).score;
let wins = 0;
const a = sTest.map(sc), b = silent.map(sc);
for (const x of a) for (const y of b) wins += x > y ? 1 : x === y ? 0.5 : 0;
console.log(`visual: sounding objects vs ${silent.length} silent distractor object-frames of other classes, by their best centroid similarity: AUC ${(wins / (a.length * b.length)).toFixed(3)}`);
const aTrain = audioItems(train);
const aTest = audioItems(test);
const ac = centroids(aTrain);
console.log(`audio: ${ac.size} classes; ${aTrain.length} train / ${aTest.length} test segments; nearest-centroid accuracy on test ${acc(ac, aTest).toFixed(3)} (off-screen source active: ${acc(ac, aTest.filter((i) => i.offscreen)).toFixed(3)} of ${aTest.filter((i) => i.offscreen).length}; without: ${acc(ac, aTest.filter((i) => !i.offscreen)).toFixed(3)} of ${aTest.filter((i) => !i.offscreen).length})`);
ctx.trunk?.dispose();
