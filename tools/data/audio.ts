/**
 * Dry source signals for a clip: where each recording's events fall in time, their levels, and
 * which 1-second segments they are active in.
 *
 * A recording shorter than most of the clip repeats as events separated by random gaps (a dog
 * barks, pauses, barks again), so per-segment labels vary; a long one is excerpted. Every event
 * edge gets a 5 ms raised-cosine fade. Event placement is stored in seconds, so the 16 kHz and
 * 11025 Hz versions of a source are built from the same plan.
 */
import { Rng } from './rng.ts';

export interface AudioEvent { start: number; offset: number; duration: number }

export function planEvents(rng: Rng, recSeconds: number, clipSeconds: number, continuous = false): AudioEvent[] {
  if (continuous || recSeconds >= clipSeconds * 0.75) {
    const dur = Math.min(recSeconds, clipSeconds);
    const start = recSeconds >= clipSeconds ? 0 : rng.uniform(0, clipSeconds - dur);
    const offset = recSeconds > clipSeconds ? rng.uniform(0, recSeconds - clipSeconds) : 0;
    return [{ start, offset, duration: dur }];
  }
  const ev: AudioEvent[] = [];
  let t = rng.uniform(0, Math.min(1, clipSeconds * 0.3));
  while (t < clipSeconds - 0.15) {
    const dur = Math.min(recSeconds, clipSeconds - t);
    if (ev.length === 0 || rng.chance(0.8)) ev.push({ start: t, offset: 0, duration: dur });
    t += recSeconds + rng.uniform(0.25, 1.5);
  }
  return ev;
}

/** Places the events of a recording (mono, at rate sr) into a clip-length buffer. */
export function placeEvents(rec: Float32Array, sr: number, events: AudioEvent[], clipSeconds: number): Float32Array {
  const N = Math.round(clipSeconds * sr);
  const out = new Float32Array(N);
  const fade = Math.max(1, Math.round(0.005 * sr));
  for (const e of events) {
    const s0 = Math.round(e.start * sr), o0 = Math.round(e.offset * sr);
    const n = Math.min(Math.round(e.duration * sr), N - s0, rec.length - o0);
    for (let i = 0; i < n; i++) {
      let g = 1;
      if (i < fade) g = 0.5 - 0.5 * Math.cos((Math.PI * i) / fade);
      else if (i >= n - fade) g = 0.5 - 0.5 * Math.cos((Math.PI * (n - 1 - i)) / fade);
      out[s0 + i] += g * rec[o0 + i];
    }
  }
  return out;
}

/** RMS over the 20 ms frames that are within 30 dB of the loudest frame (the "active" level). */
export function activeRms(x: Float32Array, sr: number): number {
  const hop = Math.max(1, Math.round(0.02 * sr));
  const e: number[] = [];
  for (let i = 0; i + hop <= x.length; i += hop) {
    let s = 0;
    for (let j = i; j < i + hop; j++) s += x[j] * x[j];
    e.push(s / hop);
  }
  const mx = Math.max(...e, 1e-20);
  const act = e.filter((v) => v > mx * 1e-3);
  if (act.length === 0) return 0;
  return Math.sqrt(act.reduce((a, b) => a + b, 0) / act.length);
}

export function rmsOf(x: Float32Array): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i] * x[i];
  return Math.sqrt(s / Math.max(1, x.length));
}

/**
 * Per 1-second segment: is the source active? Active = at least 50 ms of 10 ms frames whose
 * energy is within 30 dB of the clip's loudest frame of that source and above an absolute
 * floor (-60 dBFS).
 */
export function segmentActivity(x: Float32Array, sr: number, clipSeconds: number): boolean[] {
  const hop = Math.max(1, Math.round(0.01 * sr));
  const nF = Math.floor(x.length / hop);
  const e = new Float64Array(nF);
  let mx = 0;
  for (let f = 0; f < nF; f++) {
    let s = 0;
    for (let j = f * hop; j < (f + 1) * hop; j++) s += x[j] * x[j];
    e[f] = s / hop;
    mx = Math.max(mx, e[f]);
  }
  const thr = Math.max(mx * 1e-3, 1e-6);
  const nSeg = Math.ceil(clipSeconds - 1e-9);
  const out: boolean[] = [];
  for (let k = 0; k < nSeg; k++) {
    let cnt = 0;
    for (let f = Math.floor((k * sr) / hop); f < Math.min(nF, Math.floor(((k + 1) * sr) / hop)); f++) if (e[f] > thr) cnt++;
    out.push(cnt * 0.01 >= 0.05);
  }
  return out;
}
