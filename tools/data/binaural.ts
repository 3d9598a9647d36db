/**
 * Binaural rendering of a moving source with the MIT KEMAR HRTF (ffmpeg's sofalizer).
 *
 * sofalizer places a source at one fixed direction per run. A source whose direction changes as
 * the head turns is rendered at the grid directions it passes near (azimuth every AZ_STEP
 * degrees, elevation every EL_STEP degrees) and the renders are blended sample by sample with
 * bilinear weights of the source's current direction (a standard interpolation between
 * neighbouring HRIRs; the grid is finer than the 5-10 degree spacing where KEMAR's own
 * measurements differ audibly). Azimuth is positive to the LEFT (sofalizer `rotation`),
 * elevation positive up. sofalizer runs at 44.1 kHz (the HRTF's rate); signals are resampled
 * around it by ffmpeg.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { writeAtomic } from './assets.ts';
import { join } from 'node:path';
import { ffmpeg, f32ToBytes } from './ffmpeg.ts';

export const AZ_STEP = 10;
export const EL_STEP = 10;
const EL_MIN = -40;
const EL_MAX = 80;

const BATCH = 24;

/**
 * Renders a mono signal at several fixed directions in one ffmpeg run (asplit -> one sofalizer
 * per direction -> amerge), returning [left, right] per direction.
 */
export function renderBatch(sofaPath: string, x: Float32Array, sampleRate: number, dirs: [number, number][]): [Float32Array, Float32Array][] {
  if (/[:,;'\[\]\\=]/.test(sofaPath)) throw new Error(`renderBatch: HRTF path must not contain filter metacharacters: ${sofaPath}`);
  const M = dirs.length;
  const parts = [`[0:a]aresample=44100,asplit=${M}${dirs.map((_, j) => `[i${j}]`).join('')}`];
  dirs.forEach(([a, e], j) => {
    let rot = a;
    while (rot > 360) rot -= 360;
    while (rot < -360) rot += 360;
    parts.push(`[i${j}]sofalizer=sofa=${sofaPath}:type=freq:rotation=${rot.toFixed(3)}:elevation=${e.toFixed(3)}:normalize=disabled,aresample=${sampleRate},aformat=sample_fmts=flt:channel_layouts=stereo[o${j}]`);
  });
  if (M > 1) parts.push(`${dirs.map((_, j) => `[o${j}]`).join('')}amerge=inputs=${M}[out]`);
  const outLabel = M > 1 ? '[out]' : '[o0]';
  const out = ffmpeg(['-f', 'f32le', '-ar', String(sampleRate), '-ac', '1', '-i', '-', '-filter_complex', parts.join(';'), '-map', outLabel, '-f', 'f32le', '-'], f32ToBytes(x));
  const inter = new Float32Array(out.buffer.slice(out.byteOffset, out.byteOffset + out.byteLength));
  const C = 2 * M;
  const n = Math.min(x.length, Math.floor(inter.length / C));
  return dirs.map((_, j) => {
    const L = new Float32Array(x.length), R = new Float32Array(x.length);
    for (let i = 0; i < n; i++) {
      L[i] = inter[i * C + 2 * j];
      R[i] = inter[i * C + 2 * j + 1];
    }
    return [L, R];
  });
}

/** Renders a mono signal at one fixed direction; returns [left, right]. */
export function renderFixed(sofaPath: string, x: Float32Array, sampleRate: number, azimuth: number, elevation: number): [Float32Array, Float32Array] {
  return renderBatch(sofaPath, x, sampleRate, [[azimuth, elevation]])[0];
}

const HRIR_LEN = 256;
const HRIR_PRE = 16; // taps kept before the impulse (resampler pre-ringing)
/** taps used in the convolution: past 208 taps (13 ms at 16 kHz) the KEMAR responses are below -100 dB */
const HRIR_USE = 208;
const hrirMemo = new Map<string, [Float32Array, Float32Array]>();

/**
 * Head-related impulse responses at grid directions, as sofalizer renders them at this sample
 * rate (an impulse run through it), cached on disk next to the unpacked packages.
 * h[j] is the response at output offset j - HRIR_PRE.
 */
export function hrirs(sofaPath: string, sampleRate: number, dirs: [number, number][], cacheRoot: string): [Float32Array, Float32Array][] {
  const dir = join(cacheRoot, `hrir-${sampleRate}`);
  mkdirSync(dir, { recursive: true });
  const key = (a: number, e: number) => `${a}_${e}`;
  const missing: [number, number][] = [];
  for (const [a, e] of dirs) {
    const k = key(a, e);
    if (hrirMemo.has(k)) continue;
    const f = join(dir, k + '.f32');
    if (existsSync(f)) {
      const b = readFileSync(f);
      const v = new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
      hrirMemo.set(k, [v.slice(0, HRIR_LEN), v.slice(HRIR_LEN)]);
    } else if (!missing.some(([x, y]) => x === a && y === e)) missing.push([a, e]);
  }
  for (let b = 0; b < missing.length; b += BATCH) {
    const batch = missing.slice(b, b + BATCH);
    const imp = new Float32Array(HRIR_LEN + 256);
    imp[64] = 1;
    const outs = renderBatch(sofaPath, imp, sampleRate, batch);
    batch.forEach(([a, e], j) => {
      const [l, r] = outs[j];
      const L = l.slice(64 - HRIR_PRE, 64 - HRIR_PRE + HRIR_LEN), R = r.slice(64 - HRIR_PRE, 64 - HRIR_PRE + HRIR_LEN);
      const both = new Float32Array(2 * HRIR_LEN);
      both.set(L, 0);
      both.set(R, HRIR_LEN);
      writeAtomic(join(dir, key(a, e) + '.f32'), Buffer.from(both.buffer));
      hrirMemo.set(key(a, e), [L, R]);
    });
  }
  return dirs.map(([a, e]) => hrirMemo.get(key(a, e))!);
}

function wrapAz(a: number): number {
  let r = ((a % 360) + 360) % 360;
  if (r > 180) r -= 360;
  return r;
}

/**
 * Renders a mono signal along a direction track. `dirAt(t)` gives {azimuth, elevation} in
 * degrees at time t seconds; it is evaluated at `controlRate` Hz and linearly interpolated.
 * At each control point the filter is the bilinear blend of the four grid HRIRs around the
 * direction (equal to blending the four fixed-direction renders); between control points the
 * outputs of the two neighbouring filters are crossfaded linearly (10 ms at the default rate).
 */
export function renderMoving(
  sofaPath: string,
  cacheRoot: string,
  x: Float32Array,
  sampleRate: number,
  dirAt: (t: number) => { azimuth: number; elevation: number },
  controlRate = 100,
): [Float32Array, Float32Array] {
  const N = x.length;
  const nCtl = Math.ceil((N / sampleRate) * controlRate) + 2;
  const az = new Float64Array(nCtl), el = new Float64Array(nCtl);
  for (let i = 0; i < nCtl; i++) {
    const d = dirAt(i / controlRate);
    let a = d.azimuth;
    if (i > 0) {
      while (a - az[i - 1] > 180) a -= 360;
      while (a - az[i - 1] < -180) a += 360;
    }
    az[i] = a;
    el[i] = Math.min(EL_MAX, Math.max(EL_MIN, d.elevation));
  }
  // grid directions touched
  const need = new Map<string, [number, number]>();
  for (let i = 0; i < nCtl; i++) {
    const a0 = Math.floor(az[i] / AZ_STEP) * AZ_STEP, e0 = Math.floor(el[i] / EL_STEP) * EL_STEP;
    for (const [a, e] of [[a0, e0], [a0 + AZ_STEP, e0], [a0, e0 + EL_STEP], [a0 + AZ_STEP, e0 + EL_STEP]]) {
      const w = wrapAz(a);
      need.set(`${w}_${e}`, [w, Math.min(EL_MAX, e)]);
    }
  }
  const keys = [...need.keys()].sort();
  const hs = hrirs(sofaPath, sampleRate, keys.map((k) => need.get(k)!), cacheRoot);
  const table = new Map(keys.map((k, i) => [k, hs[i]]));
  // blended filter per control point
  const fl = Array.from({ length: nCtl }, () => new Float32Array(HRIR_USE));
  const fr = Array.from({ length: nCtl }, () => new Float32Array(HRIR_USE));
  for (let i = 0; i < nCtl; i++) {
    const a = az[i], e = el[i];
    const a0 = Math.floor(a / AZ_STEP) * AZ_STEP, fa = (a - a0) / AZ_STEP;
    const e0 = Math.floor(e / EL_STEP) * EL_STEP, fe = (e - e0) / EL_STEP;
    const corners: [number, number, number][] = [
      [a0, e0, (1 - fa) * (1 - fe)], [a0 + AZ_STEP, e0, fa * (1 - fe)],
      [a0, e0 + EL_STEP, (1 - fa) * fe], [a0 + AZ_STEP, e0 + EL_STEP, fa * fe],
    ];
    for (const [ca, ce, w] of corners) {
      if (w <= 1e-9) continue;
      const [l, r] = table.get(`${wrapAz(ca)}_${Math.min(EL_MAX, ce)}`)!;
      for (let j = 0; j < HRIR_USE; j++) {
        fl[i][j] += w * l[j];
        fr[i][j] += w * r[j];
      }
    }
  }
  const L = new Float32Array(N), R = new Float32Array(N);
  for (let s = 0; s < N; s++) {
    const c = (s / sampleRate) * controlRate;
    const i = Math.floor(c), f = c - i;
    const al = fl[i], ar = fr[i], bl = fl[i + 1], br = fr[i + 1];
    // y[s] = sum_j h[j] x[s - j + PRE], h crossfaded between the two control points around s
    let yl0 = 0, yr0 = 0, yl1 = 0, yr1 = 0;
    const jLo = Math.max(0, s + HRIR_PRE - (N - 1)), jHi = Math.min(HRIR_USE - 1, s + HRIR_PRE);
    for (let j = jLo; j <= jHi; j++) {
      const v = x[s - j + HRIR_PRE];
      yl0 += al[j] * v;
      yr0 += ar[j] * v;
      yl1 += bl[j] * v;
      yr1 += br[j] * v;
    }
    L[s] = (1 - f) * yl0 + f * yl1;
    R[s] = (1 - f) * yr0 + f * yr1;
  }
  return [L, R];
}
