/**
 * One synthetic egocentric clip: scene sampling, rendering, audio, ground truth, files.
 *
 * Everything random comes from Rng streams keyed by (seed, split, clip index, purpose), so a
 * clip is a pure function of those, the options and the cached assets.
 */
import { mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { type AssetEntry, type Catalog, type Split, assetPath, assetsFor, cacheDir } from './assets.ts';
import { type Pose, type TrajectoryParams, backProject, cornerMotion, directionOf, planeHomography, poseAt, rotation, sampleTrajectory } from './camera.ts';
import { type Mat3, apply, inv, normalize, roundMat, transpose } from './mat3.ts';
import { Rng } from './rng.ts';
import { type RenderScene, type SceneObject, type Texture, type PlaneState, frameHomographies, renderFrame, textureFromRgba, subTimes } from './render.ts';
import { decodeAudioMono, decodeImageRgba, ffmpeg, probeImageSize } from './ffmpeg.ts';
import { encodePng } from './png.ts';
import { encodeWav } from './wav.ts';
import { renderMoving } from './binaural.ts';
import { type AudioEvent, activeRms, placeEvents, planEvents, rmsOf, segmentActivity } from './audio.ts';

export interface ClipOptions {
  width: number;
  height: number;
  fps: number;
  seconds: number;
  sampleRate: number; // binaural
  monoRate: number;
  hfovDeg: number;
  /** camera motion magnitude; null = random per clip in [0.2, 1.5] */
  motion: number | null;
  /** motion-blur exposure as a fraction of the frame interval; null = random (none in 50% of clips) */
  blur: number | null;
  /** which video containers to write */
  video: ('webm' | 'mp4')[];
  /** write the RGB frames as PNG (lossless); masks are always written */
  frames: boolean;
  /** write per-source stems */
  stems: boolean;
  /** force exactly this many sounding objects (1 or 2); null = 1, sometimes 2 */
  sounding: number | null;
  /** max number of silent distractors; null = random 0-3 */
  distractors: number | null;
  /** probability of an off-screen source */
  offscreenProb: number;
  /** force the sounding object near ("near"), far ("far"), or random */
  distance: 'near' | 'far' | null;
  /** a sounding object may walk out of view (probability) */
  leaveProb: number;
  /** video quality (VP9 CRF) */
  crf: number;
  /** sensor noise std in 8-bit levels; null = random in [0, 2.5] */
  noise: number | null;
  /**
   * restrict the split's sounding objects (and so the sounds heard, on screen or off) to the first
   * K by asset id: a closed vocabulary with many clips per sound; null = all of the split's
   */
  vocabulary: number | null;
}

export const DEFAULT_OPTIONS: ClipOptions = {
  width: 224, height: 224, fps: 8, seconds: 4, sampleRate: 16000, monoRate: 11025, hfovDeg: 75,
  motion: null, blur: null, video: ['webm', 'mp4'], frames: true, stems: true, sounding: null, distractors: null,
  offscreenProb: 0.9, distance: null, leaveProb: 0.2, crf: 32, noise: null, vocabulary: null,
};

export function validateOptions(o: Partial<ClipOptions>): ClipOptions {
  const c = { ...DEFAULT_OPTIONS, ...o };
  const bad = (m: string) => { throw new RangeError(`clip options: ${m}`); };
  if (!((c.width === 224 && c.height === 224) || (c.width === 320 && c.height === 240))) bad('size must be 224x224 or 320x240');
  if (!(c.fps >= 1 && c.fps <= 30)) bad('fps must be in [1, 30]');
  if (!(c.seconds >= 1 && c.seconds <= 20)) bad('seconds must be in [1, 20]');
  if (c.motion !== null && !(c.motion >= 0 && c.motion <= 3)) bad('motion must be in [0, 3]');
  if (c.blur !== null && !(c.blur >= 0 && c.blur <= 1)) bad('blur must be in [0, 1]');
  if (c.sounding !== null && ![1, 2].includes(c.sounding)) bad('sounding must be 1 or 2');
  if (c.distractors !== null && !(c.distractors >= 0 && c.distractors <= 3)) bad('distractors must be in [0, 3]');
  if (c.noise !== null && !(c.noise >= 0 && c.noise <= 20)) bad('noise must be in [0, 20]');
  if (c.vocabulary !== null && !(Number.isInteger(c.vocabulary) && c.vocabulary >= 2)) bad('vocabulary must be an integer >= 2');
  return c;
}

// ---------- asset decoding (memoised per process) ----------

interface Cutout { rgba: Uint8Array; width: number; height: number; crop: { x: number; y: number; w: number; h: number } }
const cutoutMemo = new Map<string, Cutout>();

/** The stamp image trimmed to its alpha bounding box (alpha > 8/255). */
function cutout(a: AssetEntry): Cutout {
  const hit = cutoutMemo.get(a.id);
  if (hit) return hit;
  const img = decodeImageRgba(assetPath(a, 0));
  let x0 = img.width, y0 = img.height, x1 = -1, y1 = -1;
  for (let y = 0; y < img.height; y++)
    for (let x = 0; x < img.width; x++)
      if (img.data[(y * img.width + x) * 4 + 3] > 8) {
        if (x < x0) x0 = x;
        if (x > x1) x1 = x;
        if (y < y0) y0 = y;
        if (y > y1) y1 = y;
      }
  if (x1 < 0) { x0 = 0; y0 = 0; x1 = img.width - 1; y1 = img.height - 1; }
  const crop = { x: x0, y: y0, w: x1 - x0 + 1, h: y1 - y0 + 1 };
  const rgba = new Uint8Array(crop.w * crop.h * 4);
  for (let y = 0; y < crop.h; y++) rgba.set(img.data.subarray(((y + y0) * img.width + x0) * 4, ((y + y0) * img.width + x0 + crop.w) * 4), y * crop.w * 4);
  const c = { rgba, width: crop.w, height: crop.h, crop };
  cutoutMemo.set(a.id, c);
  return c;
}

/**
 * Object texture at about `maxPx` pixels on its longer side (never above the source), shrunk
 * with an area filter on premultiplied alpha (each output texel averages the source area it
 * covers), so that edges do not darken.
 */
function objectTexture(a: AssetEntry, maxPx: number): Texture {
  const c = cutout(a);
  const full = textureFromRgba(c.width, c.height, c.rgba);
  const scale = Math.min(1, maxPx / Math.max(c.width, c.height));
  if (scale >= 0.999) return full;
  const w = Math.max(2, Math.round(c.width * scale)), h = Math.max(2, Math.round(c.height * scale));
  return shrinkArea(full, w, h);
}

export function shrinkArea(src: Texture, w: number, h: number): Texture {
  const sx = src.width / w, sy = src.height / h;
  const out = new Float32Array(w * h * 4);
  for (let y = 0; y < h; y++) {
    const ya = y * sy, yb = (y + 1) * sy;
    for (let x = 0; x < w; x++) {
      const xa = x * sx, xb = (x + 1) * sx;
      let r = 0, g = 0, b = 0, al = 0, area = 0;
      for (let v = Math.floor(ya); v < Math.min(src.height, Math.ceil(yb)); v++) {
        const wy = Math.min(yb, v + 1) - Math.max(ya, v);
        for (let u = Math.floor(xa); u < Math.min(src.width, Math.ceil(xb)); u++) {
          const wgt = wy * (Math.min(xb, u + 1) - Math.max(xa, u));
          const o = (v * src.width + u) * 4;
          r += wgt * src.data[o];
          g += wgt * src.data[o + 1];
          b += wgt * src.data[o + 2];
          al += wgt * src.data[o + 3];
          area += wgt;
        }
      }
      const o = (y * w + x) * 4;
      out[o] = r / area;
      out[o + 1] = g / area;
      out[o + 2] = b / area;
      out[o + 3] = al / area;
    }
  }
  return { width: w, height: h, data: out };
}

const audioMemo = new Map<string, Float32Array>();
function recording(a: AssetEntry, sr: number): Float32Array {
  const k = `${a.id}@${sr}`;
  let x = audioMemo.get(k);
  if (!x) {
    x = decodeAudioMono(assetPath(a, a.kind === 'object' ? 1 : 0), sr);
    // trim leading/trailing near-silence so events start where the sound starts
    let s = 0, e = x.length;
    let mx = 0;
    for (let i = 0; i < x.length; i++) mx = Math.max(mx, Math.abs(x[i]));
    const thr = mx * 0.01;
    while (s < e && Math.abs(x[s]) < thr) s++;
    while (e > s && Math.abs(x[e - 1]) < thr) e--;
    x = x.slice(s, e);
    if (audioMemo.size > 400) audioMemo.clear();
    audioMemo.set(k, x);
  }
  return x;
}

// ---------- scene description ----------

export interface ObjectSpec {
  instanceId: number;
  asset: AssetEntry;
  sounding: boolean;
  hardNegative: boolean;
  distance: 'near' | 'far';
  depth: number; // m
  widthM: number;
  heightM: number;
  flip: boolean;
  areaTarget: number; // fraction of frame covered by its rectangle at t=0
  centre0: [number, number]; // world X, Y at t=0
  velocity: [number, number]; // m/s
  wobble: { amp: number; freq: number; phase: number };
  leaves: boolean;
}

export function objectCentre(o: ObjectSpec, t: number): [number, number, number] {
  const w = o.wobble.amp * Math.sin(2 * Math.PI * o.wobble.freq * t + o.wobble.phase);
  return [o.centre0[0] + o.velocity[0] * t + w, o.centre0[1] + o.velocity[1] * t + 0.5 * w, o.depth];
}

function objectPlane(o: ObjectSpec, tex: Texture, t: number): PlaneState {
  const [X, Y, Z] = objectCentre(o, t);
  const s = o.widthM / tex.width;
  const sy = o.heightM / tex.height;
  return o.flip
    ? { x0: X + o.widthM / 2 - s / 2, y0: Y - o.heightM / 2 + sy / 2, z: Z, s: -s, sy }
    : { x0: X - o.widthM / 2 + s / 2, y0: Y - o.heightM / 2 + sy / 2, z: Z, s, sy };
}

function rectAt(o: ObjectSpec, pose: Pose, W: number, H: number): [number, number, number, number] | null {
  const [X, Y, Z] = objectCentre(o, 0);
  const Hm = planeHomography(pose, W, H, { x0: 0, y0: 0, z: Z, s: 1 });
  const xs: number[] = [], ys: number[] = [];
  for (const [dx, dy] of [[-1, -1], [1, -1], [-1, 1], [1, 1]]) {
    const w = Hm[6] * (X + (dx * o.widthM) / 2) + Hm[7] * (Y + (dy * o.heightM) / 2) + Hm[8];
    if (w <= 0) return null;
    const [u, v] = apply(Hm, X + (dx * o.widthM) / 2, Y + (dy * o.heightM) / 2);
    xs.push(u);
    ys.push(v);
  }
  return [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)];
}

function iou(a: number[], b: number[]): number {
  const ix = Math.max(0, Math.min(a[2], b[2]) - Math.max(a[0], b[0]));
  const iy = Math.max(0, Math.min(a[3], b[3]) - Math.max(a[1], b[1]));
  const inter = ix * iy;
  const ua = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter;
  return ua > 0 ? inter / ua : 0;
}
function coverOf(a: number[], b: number[]): number {
  const ix = Math.max(0, Math.min(a[2], b[2]) - Math.max(a[0], b[0]));
  const iy = Math.max(0, Math.min(a[3], b[3]) - Math.max(a[1], b[1]));
  return (ix * iy) / Math.max(1e-9, (b[2] - b[0]) * (b[3] - b[1]));
}

export interface BuiltScene {
  opts: ClipOptions;
  split: Split;
  seed: number | string;
  index: number;
  clipId: string;
  traj: TrajectoryParams;
  motion: number;
  blur: number;
  background: { asset: AssetEntry; depth: number; crop: { x: number; y: number; w: number; h: number }; texSize: [number, number]; plane: PlaneState };
  objects: ObjectSpec[];
  render: RenderScene;
  offscreen: { asset: AssetEntry; world: [number, number, number] } | null;
}

export class NotEnoughAssetsError extends Error {
  override name = 'NotEnoughAssetsError';
}

class PlacementError extends Error {}

/**
 * Lays out a clip's scene. A layout in which a sounding object cannot be placed (rare: crowded
 * scenes with two sounding objects) is drawn again from a derived seed, up to 8 times; attempt 0
 * uses the original keys, so every clip that placed at once keeps its bytes.
 */
export function buildScene(cat: Catalog, split: Split, seed: number | string, index: number, opts: ClipOptions): BuiltScene {
  let last: unknown;
  for (let attempt = 0; attempt < 8; attempt++) {
    try {
      return buildSceneAttempt(cat, split, seed, index, opts, attempt);
    } catch (e) {
      if (!(e instanceof PlacementError)) throw e;
      last = e;
    }
  }
  throw last;
}

/** The split's sounding objects, or the first `opts.vocabulary` of them by asset id. */
export function soundingPool(cat: Catalog, split: Split, opts: ClipOptions): AssetEntry[] {
  const all = assetsFor(cat, split, 'object');
  if (opts.vocabulary === null) return all;
  if (opts.vocabulary > all.length) throw new RangeError(`clip options: vocabulary ${opts.vocabulary} exceeds the ${all.length} sounding objects of split ${split}`);
  return all.slice().sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)).slice(0, opts.vocabulary);
}

function buildSceneAttempt(cat: Catalog, split: Split, seed: number | string, index: number, opts: ClipOptions, attempt: number): BuiltScene {
  const key = (p: string) => Rng.derive('egosound-synth/1', seed, split, index, attempt === 0 ? p : `${p}#layout${attempt}`);
  const rng = key('scene');
  const { width: W, height: H, seconds } = opts;
  const f0 = (W / 2) / Math.tan((opts.hfovDeg * Math.PI) / 360);
  const objPool = soundingPool(cat, split, opts);
  const silentPool = assetsFor(cat, split, 'distractor');
  const bgPool = assetsFor(cat, split, 'background');
  if (objPool.length < 2 || bgPool.length < 1) throw new NotEnoughAssetsError(`split ${split}: ${objPool.length} sounding objects, ${bgPool.length} backgrounds`);

  const motion = opts.motion ?? Math.round(rng.uniform(0.2, 1.5) * 100) / 100;
  const blur = opts.blur ?? (rng.chance(0.5) ? 0 : Math.round(rng.uniform(0.3, 0.8) * 100) / 100);
  const nSounding = opts.sounding ?? (rng.chance(0.2) ? 2 : 1);
  const nDistract = Math.min(4 - nSounding, opts.distractors ?? rng.int(0, 3));
  const wantHardNeg = nDistract > 0 && rng.chance(0.6);

  // which objects: sounding first, near/far decided per object (at most one near)
  const specs: Omit<ObjectSpec, 'instanceId' | 'centre0' | 'widthM' | 'heightM' | 'depth' | 'areaTarget'>[] = [];
  const soundingAssets = rng.shuffle(objPool.slice()).slice(0, nSounding);
  let nearUsed = false;
  const pickDistance = (forced: 'near' | 'far' | null): 'near' | 'far' => {
    const d = forced ?? (!nearUsed && rng.chance(0.45) ? 'near' : 'far');
    if (d === 'near') nearUsed = true;
    return d;
  };
  soundingAssets.forEach((a, i) => {
    const leaves = rng.chance(opts.leaveProb);
    specs.push({ asset: a, sounding: true, hardNegative: false, distance: pickDistance(i === 0 ? opts.distance : nearUsed ? 'far' : null), flip: rng.chance(0.5), velocity: [0, 0], wobble: { amp: 0, freq: 0, phase: 0 }, leaves });
  });
  for (let i = 0; i < nDistract; i++) {
    let a: AssetEntry;
    let hard = false;
    if (i === 0 && wantHardNeg) {
      const cls = soundingAssets[0].classLabel;
      const same = [...objPool, ...silentPool].filter((x) => x.classLabel === cls && x.id !== soundingAssets[0].id);
      a = same.length && rng.chance(0.5) ? rng.pick(same) : soundingAssets[0];
      hard = true;
    } else {
      const pool = rng.chance(0.5) ? silentPool : objPool.filter((x) => !soundingAssets.includes(x));
      a = rng.pick(pool);
    }
    specs.push({ asset: a, sounding: false, hardNegative: hard, distance: pickDistance(nearUsed ? 'far' : null), flip: rng.chance(0.5), velocity: [0, 0], wobble: { amp: 0, freq: 0, phase: 0 }, leaves: false });
  }

  const traj = sampleTrajectory(key('camera'), motion, f0, seconds, nearUsed);
  const pose0 = poseAt(traj, 0);
  const bgDepth = rng.uniform(5, 12);

  // place objects at t = 0 in image space, then lift into the world
  const placed: ObjectSpec[] = [];
  let nextId = 1;
  for (const s of specs) {
    const c = cutout(s.asset);
    const aspect = c.width / c.height;
    let ok = false;
    for (let attempt = 0; attempt < 40 && !ok; attempt++) {
      const area = s.distance === 'near' ? rng.uniform(0.2, 0.6) : rng.uniform(0.03, 0.15);
      const depth = s.distance === 'near' ? rng.uniform(0.35, 0.8) : rng.uniform(1.5, bgDepth * 0.7);
      let wPx = Math.sqrt(area * W * H * aspect), hPx = wPx / aspect;
      if (wPx > W * 0.95) { wPx = W * 0.95; hPx = wPx / aspect; }
      if (hPx > H * 0.95) { hPx = H * 0.95; wPx = hPx * aspect; }
      const areaTarget = (wPx * hPx) / (W * H);
      let cx: number, cy: number;
      if (s.distance === 'near') {
        cx = W / 2 + rng.uniform(-0.25, 0.25) * W;
        cy = H / 2 + rng.uniform(-0.1, 0.3) * H;
      } else {
        cx = rng.uniform(wPx / 2, W - wPx / 2);
        cy = rng.uniform(Math.max(hPx / 2, H * 0.2), H - hPx / 2);
      }
      const P = backProject(pose0, W, H, cx, cy, depth);
      const mPerPx = (depth - pose0.c[2]) / pose0.f;
      const spec: ObjectSpec = { ...s, instanceId: nextId, depth, widthM: wPx * mPerPx, heightM: hPx * mPerPx, areaTarget, centre0: [P[0], P[1]] };
      // motion: sounding objects may move, and may leave the view
      const viewW = W * mPerPx;
      if (s.sounding) {
        if (s.leaves) spec.velocity = [(cx < W / 2 ? -1 : 1) * rng.uniform(0.7, 1.2) * viewW / seconds, 0];
        else if (rng.chance(0.4)) spec.velocity = [rng.uniform(-0.25, 0.25) * viewW / seconds, s.distance === 'near' ? rng.uniform(-0.1, 0.1) * viewW / seconds : 0];
      }
      if (s.distance === 'near') spec.wobble = { amp: rng.uniform(0, 0.03) * viewW, freq: rng.uniform(0.3, 1.2), phase: rng.uniform(0, 2 * Math.PI) };
      const r = rectAt(spec, pose0, W, H);
      if (!r) continue;
      // nothing may hide much of what is behind it (a sounding object: at most a quarter)
      ok = placed.every((p) => {
        const rp = rectAt(p, pose0, W, H)!;
        const [front, back, backSpec] = spec.depth < p.depth ? [r, rp, p] : [rp, r, spec];
        if (coverOf(front, back) >= (backSpec.sounding ? 0.25 : 0.4)) return false;
        return iou(r, rp) < (p.sounding || spec.sounding ? 0.2 : 0.5);
      });
      if (ok) {
        placed.push(spec);
        nextId++;
      }
    }
    if (!ok && s.sounding) throw new PlacementError(`could not place sounding object ${s.asset.id}`);
  }

  // background: cover every view footprint of the clip (all sub-exposures) with margin
  const tmpScene = { width: W, height: H, blur, fps: opts.fps } as RenderScene;
  let bx0 = Infinity, by0 = Infinity, bx1 = -Infinity, by1 = -Infinity;
  const nF = Math.round(seconds * opts.fps);
  for (let i = 0; i < nF; i++) {
    for (const ts of subTimes(tmpScene, i / opts.fps)) {
      const Hw = inv(planeHomography(poseAt(traj, ts), W, H, { x0: 0, y0: 0, z: bgDepth, s: 1 }));
      for (const [x, y] of [[-1, -1], [W, -1], [-1, H], [W, H]]) {
        const [X, Y] = apply(Hw, x, y);
        bx0 = Math.min(bx0, X); bx1 = Math.max(bx1, X); by0 = Math.min(by0, Y); by1 = Math.max(by1, Y);
      }
    }
  }
  const bgAsset = rng.pick(bgPool);
  const src = probeImageSize(assetPath(bgAsset));
  const margin = rng.uniform(1.1, 1.4);
  let rw = (bx1 - bx0) * margin, rh = (by1 - by0) * margin;
  // crop the source to the rectangle's aspect, then grow the rectangle to keep the crop's aspect
  const srcAspect = src.width / src.height, rAspect = rw / rh;
  let cw: number, ch: number;
  const cropFrac = rng.uniform(0.75, 1);
  if (srcAspect > rAspect) { ch = Math.floor(src.height * cropFrac); cw = Math.floor(ch * rAspect); }
  else { cw = Math.floor(src.width * cropFrac); ch = Math.floor(cw / rAspect); }
  cw = Math.max(8, Math.min(cw, src.width)); ch = Math.max(8, Math.min(ch, src.height));
  rh = rw / (cw / ch);
  if (rh < (by1 - by0) * 1.05) { rh = (by1 - by0) * margin; rw = rh * (cw / ch); }
  const crop = { x: rng.int(0, src.width - cw), y: rng.int(0, src.height - ch), w: cw, h: ch };
  const texel0 = (bgDepth / f0) / 1.25;
  let tw = Math.round(rw / texel0), th = Math.round(rh / texel0);
  const cap = 2048 / Math.max(tw, th);
  if (cap < 1) { tw = Math.round(tw * cap); th = Math.round(th * cap); }
  const bgImg = decodeImageRgba(assetPath(bgAsset), { crop, width: tw, height: th });
  const s = rw / tw;
  const cxw = (bx0 + bx1) / 2 + rng.uniform(-0.5, 0.5) * (rw - (bx1 - bx0)) * 0.9;
  const cyw = (by0 + by1) / 2 + rng.uniform(-0.5, 0.5) * (rh - (by1 - by0)) * 0.9;
  const bgPlane: PlaneState = { x0: cxw - rw / 2 + s / 2, y0: cyw - rh / 2 + s / 2, z: bgDepth, s };
  const bgTex = textureFromRgba(bgImg.width, bgImg.height, bgImg.data);

  // object textures at the resolution they reach on screen (+30%)
  placed.sort((a, b) => b.depth - a.depth);
  const sceneObjects: SceneObject[] = placed.map((o) => {
    const maxPx = Math.max(o.widthM, o.heightM) * pose0.f / Math.max(0.1, o.depth - pose0.c[2]) * 1.3 * (1 + 0.1 * motion);
    const tex = objectTexture(o.asset, maxPx);
    return { instanceId: o.instanceId, tex, planeAt: (t: number) => objectPlane(o, tex, t) };
  });

  // off-screen source: a world point outside the view for the whole clip
  let offscreen: BuiltScene['offscreen'] = null;
  if (rng.chance(opts.offscreenProb)) {
    // speech, a sound effect, or another (unseen) object of this split, never a class on screen
    const u = rng.next();
    const pool = u < 0.4 ? assetsFor(cat, split, 'speech') : u < 0.75 ? assetsFor(cat, split, 'sfx') : objPool;
    const used = new Set(placed.map((o) => o.asset.recordingId));
    const onScreenClasses = new Set(placed.map((o) => o.asset.classLabel));
    const cands = pool.filter((a) => !used.has(a.recordingId) && !onScreenClasses.has(a.classLabel));
    if (cands.length) {
      const asset = rng.pick(cands);
      for (let attempt = 0; attempt < 30; attempt++) {
        const az = (rng.chance(0.5) ? 1 : -1) * rng.uniform(opts.hfovDeg / 2 + 35, 180);
        const el = rng.uniform(-15, 25);
        const dist = rng.uniform(1.5, 6);
        const d = [-Math.sin((az * Math.PI) / 180) * Math.cos((el * Math.PI) / 180), -Math.sin((el * Math.PI) / 180), Math.cos((az * Math.PI) / 180) * Math.cos((el * Math.PI) / 180)];
        // camera -> world: R^T d
        const Rw = poseRotationT(pose0);
        const world: [number, number, number] = [0, 1, 2].map((r) => pose0.c[r] + dist * (Rw[r * 3] * d[0] + Rw[r * 3 + 1] * d[1] + Rw[r * 3 + 2] * d[2])) as [number, number, number];
        let inView = false;
        for (let i = 0; i <= nF * 2; i++) {
          const dir = directionOf(poseAt(traj, (i / (nF * 2)) * seconds), world);
          if (Math.abs(dir.azimuth) < opts.hfovDeg / 2 + 15) inView = true;
        }
        if (!inView) { offscreen = { asset, world }; break; }
      }
    }
  }

  const srng = key('sensor');
  const sensor = { noise: opts.noise ?? Math.round(srng.uniform(0, 2.5) * 100) / 100, gainAmp: srng.uniform(0, 0.06), gainFreq: srng.uniform(0.1, 0.5), gainPhase: srng.uniform(0, 2 * Math.PI), key: `egosound-synth/1/${seed}/${split}/${index}` };
  const render: RenderScene = { width: W, height: H, traj, background: { tex: bgTex, plane: bgPlane }, objects: sceneObjects, blur, fps: opts.fps, sensor };
  return {
    opts, split, seed, index, clipId: `${split}-${String(index).padStart(6, '0')}`, traj, motion, blur,
    background: { asset: bgAsset, depth: bgDepth, crop, texSize: [tw, th], plane: bgPlane },
    objects: placed, render, offscreen,
  };
}

/** camera -> world rotation (rotation() is world -> camera) */
function poseRotationT(p: Pose): Mat3 {
  return transpose(rotation(p));
}

// ---------- audio ----------

export interface SourceAudio {
  sourceId: string;
  instanceId: number | null;
  asset: AssetEntry;
  onScreen: boolean;
  events: AudioEvent[];
  gainDb: number;
  binaural: [Float32Array, Float32Array];
  mono: Float32Array; // at monoRate
  active: boolean[];
  dirAt: (t: number) => { azimuth: number; elevation: number; distance: number };
}

export function buildAudio(scene: BuiltScene): { sources: SourceAudio[]; snrDb: number | null; snrMonoDb: number | null; mixGain: number; monoGain: number } {
  const { opts } = scene;
  const rng = Rng.derive('egosound-synth/1', scene.seed, scene.split, scene.index, 'audio');
  const sofa = sofaPath();
  const sources: SourceAudio[] = [];
  const mk = (sourceId: string, asset: AssetEntry, instanceId: number | null, world: (t: number) => [number, number, number], levelDb: number) => {
    const rec16 = recording(asset, opts.sampleRate);
    const recSec = rec16.length / opts.sampleRate;
    const events = planEvents(rng, recSec, opts.seconds);
    const dry = placeEvents(rec16, opts.sampleRate, events, opts.seconds);
    const dryMono = placeEvents(recording(asset, opts.monoRate), opts.monoRate, events, opts.seconds);
    const g = Math.pow(10, levelDb / 20) / Math.max(1e-9, activeRms(dry, opts.sampleRate));
    for (let i = 0; i < dry.length; i++) dry[i] *= g;
    for (let i = 0; i < dryMono.length; i++) dryMono[i] *= g;
    const dirAt = (t: number) => directionOf(poseAt(scene.traj, t), world(t));
    const binaural = renderMoving(sofa, cacheDir(), dry, opts.sampleRate, dirAt);
    sources.push({ sourceId, instanceId, asset, onScreen: instanceId !== null, events, gainDb: 20 * Math.log10(g), binaural, mono: dryMono,
      active: segmentActivity(dry, opts.sampleRate, opts.seconds), dirAt });
  };
  for (const o of scene.objects.filter((x) => x.sounding).sort((a, b) => a.instanceId - b.instanceId))
    mk(`obj${o.instanceId}`, o.asset, o.instanceId, (t) => objectCentre(o, t), rng.uniform(-23, -17));
  let snrDb: number | null = null, snrMonoDb: number | null = null;
  if (scene.offscreen) {
    const off = scene.offscreen;
    mk('offscreen', off.asset, null, () => off.world, -20);
    // scale the off-screen source to the drawn SNR (binaural power, both ears)
    const target = Math.round(rng.uniform(-5, 20) * 10) / 10;
    const pow = (xs: Float32Array[]) => xs.reduce((a, x) => a + rmsOf(x) ** 2, 0);
    const sig = sources.filter((s) => s.onScreen);
    const ps = sig.reduce((a, s) => a + pow(s.binaural), 0);
    const offS = sources[sources.length - 1];
    const pn = pow(offS.binaural);
    if (pn > 0 && ps > 0) {
      const g = Math.sqrt(ps / (pn * Math.pow(10, target / 10)));
      for (const x of [...offS.binaural, offS.mono]) for (let i = 0; i < x.length; i++) x[i] *= g;
      offS.gainDb += 20 * Math.log10(g);
      snrDb = target;
      const pm = sig.reduce((a, s) => a + rmsOf(s.mono) ** 2, 0);
      snrMonoDb = 10 * Math.log10(pm / Math.max(1e-20, rmsOf(offS.mono) ** 2));
    }
  }
  // common gain keeps the mixes below full scale; stems get the same gain so they sum to the mix
  let peak = 0, peakM = 0;
  const N = Math.round(opts.seconds * opts.sampleRate), NM = Math.round(opts.seconds * opts.monoRate);
  for (let c = 0; c < 2; c++)
    for (let i = 0; i < N; i++) {
      let v = 0;
      for (const s of sources) v += s.binaural[c][i];
      peak = Math.max(peak, Math.abs(v));
    }
  for (let i = 0; i < NM; i++) {
    let v = 0;
    for (const s of sources) v += s.mono[i];
    peakM = Math.max(peakM, Math.abs(v));
  }
  const mixGain = Math.min(4, 0.89 / Math.max(peak, 1e-9));
  const monoGain = Math.min(4, 0.89 / Math.max(peakM, 1e-9));
  for (const s of sources) {
    for (const x of s.binaural) for (let i = 0; i < x.length; i++) x[i] *= mixGain;
    for (let i = 0; i < s.mono.length; i++) s.mono[i] *= monoGain;
  }
  return { sources, snrDb, snrMonoDb: snrMonoDb === null ? null : Math.round(snrMonoDb * 100) / 100, mixGain, monoGain };
}

/** The KEMAR HRTF in the cache (renderBatch refuses paths with filter-graph metacharacters). */
export function sofaPath(): string {
  return join(cacheDir(), 'pkgs', 'libmysofa1', 'usr/share/libmysofa/MIT_KEMAR_normal_pinna.sofa');
}

// ---------- the clip on disk ----------

const r3 = (v: number) => Math.round(v * 1000) / 1000;
const r6 = (v: number) => Math.round(v * 1e6) / 1e6;

export interface ClipResult { clipId: string; dir: string; files: string[]; meta: Record<string, unknown> }

export function writeClip(cat: Catalog, outDir: string, split: Split, seed: number | string, index: number, options: Partial<ClipOptions> = {}): ClipResult {
  const opts = validateOptions(options);
  const prof = process.env.EGOSOUND_PROFILE ? { t: Date.now(), lap(name: string) { const n = Date.now(); console.log(`  ${name} ${n - this.t} ms`); this.t = n; } } : { lap() {} };
  const scene = buildScene(cat, split, seed, index, opts);
  prof.lap('scene');
  const dir = join(outDir, scene.clipId);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const files: string[] = [];
  const put = (rel: string, data: Uint8Array | string) => {
    mkdirSync(join(dir, rel, '..'), { recursive: true });
    writeFileSync(join(dir, rel), data);
    files.push(rel);
  };
  const { width: W, height: H, fps, seconds } = opts;
  const nF = Math.round(seconds * fps);
  const hom = frameHomographies(scene.render, nF);
  const audio = buildAudio(scene);
  prof.lap('audio');
  const framesMeta: Record<string, unknown>[] = [];
  const framesDir = opts.frames ? 'frames' : join('.tmp-frames');
  for (let i = 0; i < nF; i++) {
    const t = i / fps;
    const fr = renderFrame(scene.render, t);
    const name = `${String(i).padStart(6, '0')}.png`;
    const png = encodePng({ width: W, height: H, channels: 3, data: fr.rgb });
    put(`masks/${name}`, encodePng({ width: W, height: H, channels: 1, data: fr.labels }));
    if (opts.frames) {
      put(`frames/${name}`, png);
    } else {
      mkdirSync(join(dir, framesDir), { recursive: true });
      writeFileSync(join(dir, framesDir, name), png);
    }
    const pose = poseAt(scene.traj, t);
    framesMeta.push({
      index: i,
      time: r3(t),
      image: opts.frames ? `frames/${name}` : null,
      mask: `masks/${name}`,
      H_to_next: hom.toNext[i] ? roundMat(normalize(hom.toNext[i]!)) : null,
      H_to_first: roundMat(normalize(hom.toFirst[i])),
      camera: { yawDeg: r3(pose.yaw * 180 / Math.PI), pitchDeg: r3(pose.pitch * 180 / Math.PI), rollDeg: r3(pose.roll * 180 / Math.PI), focalPx: r3(pose.f), position: pose.c.map(r3) },
      objects: fr.stats.map((s) => {
        const o = scene.objects.find((x) => x.instanceId === s.instanceId)!;
        const boxArea = s.box ? ((s.box[2] - s.box[0] + 1) * (s.box[3] - s.box[1] + 1)) / (W * H) : 0;
        return { instanceId: s.instanceId, sounding: o.sounding, visible: s.box !== null, box: s.box, boxFull: s.boxFull,
          maskArea: r6(s.visibleArea), boxArea: r6(boxArea) };
      }),
      sources: audio.sources.map((s) => {
        const d = s.dirAt(t);
        const seg = Math.min(s.active.length - 1, Math.floor(t));
        return { sourceId: s.sourceId, azimuthDeg: r3(d.azimuth), elevationDeg: r3(d.elevation), distanceM: r3(d.distance), activeInSegment: s.active[seg] };
      }),
    });
  }
  prof.lap('frames');
  // audio files
  const N = Math.round(seconds * opts.sampleRate), NM = Math.round(seconds * opts.monoRate);
  const mixL = new Float32Array(N), mixR = new Float32Array(N), mixM = new Float32Array(NM);
  for (const s of audio.sources) {
    for (let i = 0; i < N; i++) { mixL[i] += s.binaural[0][i]; mixR[i] += s.binaural[1][i]; }
    for (let i = 0; i < NM; i++) mixM[i] += s.mono[i];
  }
  put('audio_binaural_16k.wav', encodeWav({ sampleRate: opts.sampleRate, channels: [mixL, mixR] }));
  put('audio_mono_11k.wav', encodeWav({ sampleRate: opts.monoRate, channels: [mixM] }));
  if (opts.stems)
    for (const s of audio.sources) {
      put(`stems/${s.sourceId}_binaural_16k.wav`, encodeWav({ sampleRate: opts.sampleRate, channels: s.binaural }));
      put(`stems/${s.sourceId}_mono_11k.wav`, encodeWav({ sampleRate: opts.monoRate, channels: [s.mono] }));
    }
  // video
  const pattern = join(dir, opts.frames ? 'frames' : framesDir, '%06d.png');
  const wav = join(dir, 'audio_binaural_16k.wav');
  const common = ['-y', '-framerate', String(fps), '-i', pattern, '-i', wav, '-map', '0:v', '-map', '1:a', '-pix_fmt', 'yuv420p',
    '-fflags', '+bitexact', '-flags:v', '+bitexact', '-flags:a', '+bitexact', '-map_metadata', '-1', '-threads', '1'];
  if (opts.video.includes('webm')) {
    ffmpeg([...common, '-c:v', 'libvpx-vp9', '-crf', String(opts.crf), '-b:v', '0', '-deadline', 'good', '-cpu-used', '2', '-row-mt', '0', '-g', String(fps * 2),
      '-c:a', 'libopus', '-b:a', '48k', join(dir, 'video.webm')]);
    files.push('video.webm');
  }
  if (opts.video.includes('mp4')) {
    ffmpeg([...common, '-c:v', 'libx264', '-preset', 'medium', '-crf', '20', '-g', String(fps * 2), '-c:a', 'aac', '-b:a', '96k', '-movflags', '+faststart',
      join(dir, 'video.mp4')]);
    files.push('video.mp4');
  }
  if (!opts.frames) rmSync(join(dir, framesDir), { recursive: true, force: true });
  prof.lap('wav+video');

  // ground truth
  const sounding = scene.objects.filter((o) => o.sounding);
  const sndFrames = framesMeta.map((f) => (f.objects as { sounding: boolean; maskArea: number; visible: boolean }[]).filter((o) => o.sounding));
  const meanArea = sndFrames.flat().reduce((a, o) => a + o.maskArea, 0) / Math.max(1, sndFrames.flat().length);
  const visibleFrac = sndFrames.filter((fs) => fs.some((o) => o.visible)).length / nF;
  const motionPx = hom.toNext.filter(Boolean).map((h) => cornerMotion(h!, W, H));
  const nSeg = Math.ceil(seconds - 1e-9);
  const segments = Array.from({ length: nSeg }, (_, k) => {
    const act = audio.sources.filter((s) => s.active[k]);
    return {
      start: k, end: Math.min(seconds, k + 1),
      labels: [...new Set(act.map((s) => s.asset.classLabel))].sort(),
      onScreenLabels: [...new Set(act.filter((s) => s.onScreen).map((s) => s.asset.classLabel))].sort(),
      activeSources: act.map((s) => s.sourceId),
    };
  });
  const meta = {
    format: 'egosound-synth/1',
    clipId: scene.clipId, split, seed, index,
    config: { width: W, height: H, fps, seconds, frames: nF, sampleRate: opts.sampleRate, monoRate: opts.monoRate, hfovDeg: opts.hfovDeg, ...(opts.vocabulary !== null ? { vocabulary: opts.vocabulary } : {}) },
    conventions: {
      pixels: 'pixel centres at integer coordinates (OpenCV), x right, y down; boxes [x0, y0, x1, y1] inclusive',
      homography: 'H_to_next maps frame t pixel coords to frame t+1 (background plane), H_to_first maps frame t to frame 0; normalised H[2][2] = 1',
      azimuth: 'degrees, positive to the left of the camera axis (SOFA convention); elevation positive up',
      masks: 'masks/*.png: 8-bit label map, 0 = background, k = objects[].instanceId (visible, occlusion-aware)',
    },
    knobs: {
      motion: scene.motion,
      motionPxPerFrame: r3(motionPx.reduce((a, b) => a + b, 0) / Math.max(1, motionPx.length)),
      blur: scene.blur,
      noise: scene.render.sensor?.noise ?? 0,
      exposureDrift: r3(scene.render.sensor?.gainAmp ?? 0),
      snrDb: audio.snrDb,
      snrMonoDb: audio.snrMonoDb,
      distractors: scene.objects.filter((o) => !o.sounding).length,
      hardNegative: scene.objects.some((o) => o.hardNegative),
      sounding: sounding.length,
      soundingDistance: sounding.map((o) => o.distance),
      soundingAreaTarget: sounding.map((o) => r3(o.areaTarget)),
      soundingMaskAreaMean: r6(meanArea),
      soundingVisibleFrac: r3(visibleFrac),
      leavesView: sounding.some((o) => o.leaves),
      offscreen: scene.offscreen !== null,
    },
    background: { assetId: scene.background.asset.id, depthM: r3(scene.background.depth), crop: scene.background.crop, textureSize: scene.background.texSize },
    objects: scene.objects.slice().sort((a, b) => a.instanceId - b.instanceId).map((o) => ({
      instanceId: o.instanceId, assetId: o.asset.id, classLabel: o.asset.classLabel, recordingId: o.sounding ? o.asset.recordingId : null,
      sounding: o.sounding, hardNegative: o.hardNegative, distance: o.distance, depthM: r3(o.depth), sizeM: [r3(o.widthM), r3(o.heightM)],
      areaTarget: r3(o.areaTarget), flipped: o.flip, velocityMps: o.velocity.map(r3), leavesView: o.leaves,
    })),
    sources: audio.sources.map((s) => ({
      sourceId: s.sourceId, instanceId: s.instanceId, onScreen: s.onScreen, assetId: s.asset.id, kind: s.asset.kind,
      classLabel: s.asset.classLabel, recordingId: s.asset.recordingId, gainDb: Math.round(s.gainDb * 100) / 100,
      events: s.events.map((e) => ({ start: r3(e.start), offset: r3(e.offset), duration: r3(e.duration) })),
      activeSegments: s.active,
      stems: opts.stems ? { binaural16k: `stems/${s.sourceId}_binaural_16k.wav`, mono11k: `stems/${s.sourceId}_mono_11k.wav` } : null,
    })),
    segments,
    audio: { binaural16k: 'audio_binaural_16k.wav', mono11k: 'audio_mono_11k.wav', mixGain: audio.mixGain, monoGain: audio.monoGain,
      hrtf: 'MIT KEMAR normal pinna (libmysofa1) via ffmpeg sofalizer, bilinear HRIR interpolation on a 10x10 degree grid' },
    video: { webm: opts.video.includes('webm') ? 'video.webm' : null, mp4: opts.video.includes('mp4') ? 'video.mp4' : null },
    frames: framesMeta,
  };
  put('meta.json', JSON.stringify(meta, null, 1) + '\n');
  files.sort();
  return { clipId: scene.clipId, dir, files, meta };
}
