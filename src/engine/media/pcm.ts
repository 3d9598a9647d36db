/**
 * Channel handling for decoded audio (plain data, no DOM).
 *
 * Web Audio orders channels L, R, C, LFE, SL, SR (5.1) and L, R, C, LFE, BL, BR, SL, SR (7.1).
 * - toStereo: keeps stereo as is; mono is duplicated (flagged not binaural); 3+ channels get the
 *   ITU-R BS.775 downmix L' = L + 0.7071 (C + Ls), R' = R + 0.7071 (C + Rs), LFE dropped, then
 *   scaled so the peak does not exceed the input peak; unknown layouts (e.g. 4 or 8 discrete mics)
 *   keep channels 0 and 1, which are the left/right pair in common ambisonic-free rigs.
 * - toMono: the mean of the stereo pair.
 */
export interface StereoPcm { left: Float32Array; right: Float32Array; binaural: boolean; sourceChannels: number }

export function toStereo(channels: Float32Array[]): StereoPcm {
  const C = channels.length;
  if (C === 0) throw new RangeError('no audio channels');
  if (C === 1) return { left: channels[0].slice(), right: channels[0].slice(), binaural: false, sourceChannels: 1 };
  if (C === 2) return { left: channels[0].slice(), right: channels[1].slice(), binaural: true, sourceChannels: 2 };
  const n = channels[0].length;
  const left = new Float32Array(n);
  const right = new Float32Array(n);
  const g = Math.SQRT1_2;
  if (C === 6 || C === 8) {
    const [L, R, Cc] = channels;
    const Ls = C === 6 ? channels[4] : channels[6];
    const Rs = C === 6 ? channels[5] : channels[7];
    let inPeak = 0;
    let outPeak = 0;
    for (let i = 0; i < n; i++) {
      left[i] = L[i] + g * (Cc[i] + Ls[i]);
      right[i] = R[i] + g * (Cc[i] + Rs[i]);
      for (const ch of channels) inPeak = Math.max(inPeak, Math.abs(ch[i]));
      outPeak = Math.max(outPeak, Math.abs(left[i]), Math.abs(right[i]));
    }
    if (outPeak > inPeak && outPeak > 0) {
      const s = inPeak / outPeak;
      for (let i = 0; i < n; i++) { left[i] *= s; right[i] *= s; }
    }
    return { left, right, binaural: false, sourceChannels: C };
  }
  left.set(channels[0]);
  right.set(channels[1]);
  return { left, right, binaural: false, sourceChannels: C };
}

export function toMono(s: StereoPcm): Float32Array {
  const out = new Float32Array(s.left.length);
  for (let i = 0; i < out.length; i++) out[i] = 0.5 * (s.left[i] + s.right[i]);
  return out;
}
