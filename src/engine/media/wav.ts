/**
 * 16-bit PCM WAV encoding (little-endian RIFF, channels interleaved), with no Node or DOM API, so
 * the page (paper 000's separated sound) and the data generator (tools/data/wav.ts) write WAVs
 * with the same code. Quantisation: round(x * 32767), clipped to the 16-bit range, so the bytes
 * are a pure function of the float samples.
 */
export function encodeWav(channels: Float32Array[], sampleRate: number): Uint8Array {
  const C = channels.length;
  if (C < 1) throw new RangeError('encodeWav: no channels');
  const n = channels[0].length;
  if (channels.some((c) => c.length !== n)) throw new RangeError('encodeWav: channels differ in length');
  if (!Number.isInteger(sampleRate) || sampleRate <= 0) throw new RangeError(`encodeWav: sample rate ${sampleRate}`);
  const bytes = new Uint8Array(44 + n * C * 2);
  const v = new DataView(bytes.buffer);
  const ascii = (o: number, s: string) => { for (let i = 0; i < s.length; i++) bytes[o + i] = s.charCodeAt(i); };
  ascii(0, 'RIFF');
  v.setUint32(4, 36 + n * C * 2, true);
  ascii(8, 'WAVE');
  ascii(12, 'fmt ');
  v.setUint32(16, 16, true); // fmt chunk size
  v.setUint16(20, 1, true); // PCM
  v.setUint16(22, C, true);
  v.setUint32(24, sampleRate, true);
  v.setUint32(28, sampleRate * C * 2, true); // byte rate
  v.setUint16(32, C * 2, true); // block align
  v.setUint16(34, 16, true); // bits per sample
  ascii(36, 'data');
  v.setUint32(40, n * C * 2, true);
  let o = 44;
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < C; c++) {
      v.setInt16(o, Math.max(-32768, Math.min(32767, Math.round(channels[c][i] * 32767))), true);
      o += 2;
    }
  }
  return bytes;
}
