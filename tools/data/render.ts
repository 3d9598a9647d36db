/**
 * Frame compositor: a textured background plane and 1-4 cut-out planes, seen through the
 * camera of camera.ts, with optional motion blur (several sub-exposures averaged).
 *
 * Every output pixel is inverse-mapped through the exact homography of each plane and sampled
 * bilinearly from a premultiplied-alpha texture (background clamped at its border, cut-outs
 * transparent outside). Planes are composited far to near with "over". For the ground truth the
 * compositor keeps, per pixel, each object's own coverage (its alpha) and visible coverage (alpha
 * times the transparency of everything nearer), averaged over the sub-exposures:
 *   - mask label  = the instance with the largest visible coverage, if that beats the background;
 *   - box         = bbox of pixels with visible coverage > COVER_EPS (what is drawn of it);
 *   - boxFull     = bbox of pixels with own coverage > COVER_EPS (ignoring occluders).
 * Removing an object therefore changes no pixel by more than COVER_EPS * 255 outside its box.
 */
import { type Mat3, inv, mul } from './mat3.ts';
import { type Pose, type TrajectoryParams, planeHomography, poseAt } from './camera.ts';
import { Rng } from './rng.ts';

export const COVER_EPS = 0.01;

export interface Texture {
  width: number;
  height: number;
  /** premultiplied RGBA in [0, 1]: [H, W, 4] */
  data: Float32Array;
}

export interface PlaneState { x0: number; y0: number; z: number; s: number; sy?: number }

export interface SceneObject {
  instanceId: number; // 1..255, the mask label
  tex: Texture;
  /** plane placement at time t (seconds) */
  planeAt: (t: number) => PlaneState;
}

export interface RenderScene {
  width: number;
  height: number;
  traj: TrajectoryParams;
  background: { tex: Texture; plane: PlaneState };
  /** drawn in this order: far first */
  objects: SceneObject[];
  /** exposure as a fraction of the frame interval (0 = no motion blur) */
  blur: number;
  fps: number;
  /** sensor: slow auto-exposure gain drift and Gaussian noise (std in 8-bit levels), seeded per frame */
  sensor?: { noise: number; gainAmp: number; gainFreq: number; gainPhase: number; key: string };
}

export interface ObjectFrameStats {
  instanceId: number;
  box: [number, number, number, number] | null; // [x0, y0, x1, y1] inclusive pixel indices
  boxFull: [number, number, number, number] | null;
  visibleArea: number; // fraction of frame pixels labelled with this instance
  ownArea: number; // fraction of frame pixels with own coverage > 0.5
}

export interface RenderedFrame {
  rgb: Uint8Array; // [H, W, 3]
  labels: Uint8Array; // [H, W]
  stats: ObjectFrameStats[];
}

export function textureFromRgba(width: number, height: number, rgba: Uint8Array): Texture {
  const data = new Float32Array(width * height * 4);
  for (let i = 0; i < width * height; i++) {
    const a = rgba[i * 4 + 3] / 255;
    data[i * 4] = (rgba[i * 4] / 255) * a;
    data[i * 4 + 1] = (rgba[i * 4 + 1] / 255) * a;
    data[i * 4 + 2] = (rgba[i * 4 + 2] / 255) * a;
    data[i * 4 + 3] = a;
  }
  return { width, height, data };
}

/** Bilinear sample into out[0..3]; clamp: border texels extend, else transparent outside. */
function sample(tex: Texture, u: number, v: number, clamp: boolean, out: Float32Array): boolean {
  const W = tex.width, H = tex.height, d = tex.data;
  if (clamp) {
    u = Math.min(Math.max(u, 0), W - 1);
    v = Math.min(Math.max(v, 0), H - 1);
  } else if (u <= -1 || v <= -1 || u >= W || v >= H) {
    return false;
  }
  const x0 = Math.floor(u), y0 = Math.floor(v);
  const fx = u - x0, fy = v - y0;
  if (x0 >= 0 && y0 >= 0 && x0 + 1 < W && y0 + 1 < H) {
    const o00 = (y0 * W + x0) * 4, o01 = o00 + 4, o10 = o00 + W * 4, o11 = o10 + 4;
    const w00 = (1 - fx) * (1 - fy), w01 = fx * (1 - fy), w10 = (1 - fx) * fy, w11 = fx * fy;
    out[0] = w00 * d[o00] + w01 * d[o01] + w10 * d[o10] + w11 * d[o11];
    out[1] = w00 * d[o00 + 1] + w01 * d[o01 + 1] + w10 * d[o10 + 1] + w11 * d[o11 + 1];
    out[2] = w00 * d[o00 + 2] + w01 * d[o01 + 2] + w10 * d[o10 + 2] + w11 * d[o11 + 2];
    out[3] = w00 * d[o00 + 3] + w01 * d[o01 + 3] + w10 * d[o10 + 3] + w11 * d[o11 + 3];
    return true;
  }
  out[0] = out[1] = out[2] = out[3] = 0;
  for (let j = 0; j < 2; j++) {
    const y = y0 + j;
    if (y < 0 || y >= H) continue;
    const wy = j ? fy : 1 - fy;
    for (let i = 0; i < 2; i++) {
      const x = x0 + i;
      if (x < 0 || x >= W) continue;
      const w = wy * (i ? fx : 1 - fx);
      if (w === 0) continue;
      const o = (y * W + x) * 4;
      out[0] += w * d[o];
      out[1] += w * d[o + 1];
      out[2] += w * d[o + 2];
      out[3] += w * d[o + 3];
    }
  }
  return true;
}

export function subTimes(scene: RenderScene, t: number): number[] {
  const S = scene.blur > 0 ? 5 : 1;
  if (S === 1) return [t];
  const span = scene.blur / scene.fps;
  return Array.from({ length: S }, (_, k) => t + (k / (S - 1) - 0.5) * span);
}

export function backgroundHomography(scene: RenderScene, pose: Pose): Mat3 {
  return planeHomography(pose, scene.width, scene.height, scene.background.plane);
}

/** Renders the frame centred at time t. `exclude` leaves objects out (used by tests). */
export function renderFrame(scene: RenderScene, t: number, exclude: Set<number> = new Set()): RenderedFrame {
  const { width: W, height: H } = scene;
  const N = W * H;
  const objs = scene.objects.filter((o) => !exclude.has(o.instanceId));
  const K = objs.length;
  const acc = new Float32Array(N * 3);
  const own = Array.from({ length: K }, () => new Float32Array(N));
  const vis = Array.from({ length: K }, () => new Float32Array(N));
  const times = subTimes(scene, t);
  const wS = 1 / times.length;
  const px = new Float32Array(4);
  const col = new Float32Array(N * 3);
  const alpha = Array.from({ length: K }, () => new Float32Array(N));
  for (const ts of times) {
    const pose = poseAt(scene.traj, ts);
    const bgInv = inv(backgroundHomography(scene, pose));
    // background everywhere
    for (let y = 0; y < H; y++)
      for (let x = 0; x < W; x++) {
        const p = y * W + x;
        const w = bgInv[6] * x + bgInv[7] * y + bgInv[8];
        sample(scene.background.tex, (bgInv[0] * x + bgInv[1] * y + bgInv[2]) / w, (bgInv[3] * x + bgInv[4] * y + bgInv[5]) / w, true, px);
        col[p * 3] = px[0];
        col[p * 3 + 1] = px[1];
        col[p * 3 + 2] = px[2];
      }
    // objects far to near, each only inside the bounding box of its projected texture
    for (let k = 0; k < K; k++) {
      const a = alpha[k];
      a.fill(0);
      const Hf = planeHomography(pose, W, H, objs[k].planeAt(ts));
      const m = inv(Hf);
      const tw = objs[k].tex.width, th = objs[k].tex.height;
      let bx0 = 0, by0 = 0, bx1 = W - 1, by1 = H - 1;
      const corners = [[-1, -1], [tw, -1], [-1, th], [tw, th]].map(([u, v]) => {
        const w = Hf[6] * u + Hf[7] * v + Hf[8];
        return w > 1e-9 ? [(Hf[0] * u + Hf[1] * v + Hf[2]) / w, (Hf[3] * u + Hf[4] * v + Hf[5]) / w] : null;
      });
      if (corners.every((c) => c !== null)) {
        const xs = corners.map((c) => c![0]), ys = corners.map((c) => c![1]);
        bx0 = Math.max(0, Math.floor(Math.min(...xs)) - 1);
        by0 = Math.max(0, Math.floor(Math.min(...ys)) - 1);
        bx1 = Math.min(W - 1, Math.ceil(Math.max(...xs)) + 1);
        by1 = Math.min(H - 1, Math.ceil(Math.max(...ys)) + 1);
      }
      for (let y = by0; y <= by1; y++)
        for (let x = bx0; x <= bx1; x++) {
          const w = m[6] * x + m[7] * y + m[8];
          if (w <= 0) continue;
          if (!sample(objs[k].tex, (m[0] * x + m[1] * y + m[2]) / w, (m[3] * x + m[4] * y + m[5]) / w, false, px)) continue;
          const al = px[3];
          if (al <= 0) continue;
          const p = y * W + x;
          a[p] = al;
          col[p * 3] = col[p * 3] * (1 - al) + px[0];
          col[p * 3 + 1] = col[p * 3 + 1] * (1 - al) + px[1];
          col[p * 3 + 2] = col[p * 3 + 2] * (1 - al) + px[2];
        }
    }
    for (let i = 0; i < N * 3; i++) acc[i] += col[i] * wS;
    for (let p = 0; p < N; p++) {
      let through = 1;
      for (let k = K - 1; k >= 0; k--) {
        const al = alpha[k][p];
        if (al > 0) {
          own[k][p] += al * wS;
          vis[k][p] += al * through * wS;
          through *= 1 - al;
        }
      }
    }
  }
  const rgb = new Uint8Array(N * 3);
  const sn = scene.sensor;
  if (sn && (sn.noise > 0 || sn.gainAmp > 0)) {
    const gain = 1 + sn.gainAmp * Math.sin(2 * Math.PI * sn.gainFreq * t + sn.gainPhase);
    const rng = new Rng(`${sn.key}/sensor/${t.toFixed(6)}`);
    for (let i = 0; i < N * 3; i++) rgb[i] = Math.round(Math.min(255, Math.max(0, acc[i] * gain * 255 + sn.noise * rng.normal())));
  } else {
    for (let i = 0; i < N * 3; i++) rgb[i] = Math.round(Math.min(1, Math.max(0, acc[i])) * 255);
  }
  const labels = new Uint8Array(N);
  const counts = new Float64Array(K);
  const ownCounts = new Float64Array(K);
  for (let p = 0; p < N; p++) {
    let best = -1, bestV = 0, sum = 0;
    for (let k = 0; k < K; k++) {
      const v = vis[k][p];
      sum += v;
      if (v > bestV) { bestV = v; best = k; }
      if (own[k][p] > 0.5) ownCounts[k]++;
    }
    if (best >= 0 && bestV > 1 - sum) {
      labels[p] = objs[best].instanceId;
      counts[best]++;
    }
  }
  const stats: ObjectFrameStats[] = objs.map((o, k) => ({
    instanceId: o.instanceId,
    box: bbox(vis[k], W, H),
    boxFull: bbox(own[k], W, H),
    visibleArea: counts[k] / N,
    ownArea: ownCounts[k] / N,
  }));
  return { rgb, labels, stats };
}

function bbox(cov: Float32Array, W: number, H: number): [number, number, number, number] | null {
  let x0 = W, y0 = H, x1 = -1, y1 = -1;
  for (let y = 0; y < H; y++)
    for (let x = 0; x < W; x++)
      if (cov[y * W + x] > COVER_EPS) {
        if (x < x0) x0 = x;
        if (x > x1) x1 = x;
        if (y < y0) y0 = y;
        if (y > y1) y1 = y;
      }
  return x1 < 0 ? null : [x0, y0, x1, y1];
}

/** Frame-to-frame homographies of the background plane (pose at the frame's centre time). */
export function frameHomographies(scene: RenderScene, nFrames: number): { toNext: (Mat3 | null)[]; toFirst: Mat3[]; H: Mat3[] } {
  const Hs = Array.from({ length: nFrames }, (_, i) => backgroundHomography(scene, poseAt(scene.traj, i / scene.fps)));
  const toFirst = Hs.map((h) => mul(Hs[0], inv(h)));
  const toNext = Hs.map((h, i) => (i + 1 < nFrames ? mul(Hs[i + 1], inv(h)) : null));
  return { toNext, toFirst, H: Hs };
}
