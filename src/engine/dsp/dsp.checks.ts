/**
 * DSP checks, written once and run twice: in Node by dsp.test.ts (tfjs cpu backend) and in
 * Chromium by the harness (src/harness/suites/dsp.ts) on WebGPU, WebGL and WASM. Each check
 * throws with the first mismatches; none can pass on a wrong implementation (each compares to an
 * independent reference or an analytic value).
 */
import * as tf from '@tensorflow/tfjs';
import { stft, istft, magnitude } from './stft';
import { logFreqWarp, logFreqSpectrogram, logFreqUnwarp, applyLogFreqMask } from './logfreq';
import { logMel } from './mel';
import { stftRef, istftRef, magnitudeRef, logFreqWarpRef, logMelRef, melScale, warpMatrix, unwarpMatrix } from './reference';

/** The log-grid row (of 128) that samples STFT bin position k (of 128): the unwarp's mapping. */
const unwarpRow = (k: number) => (2 * (Math.log(10 * (-1 + (2 * k) / 127) + 11) / Math.log(21)) - 1 + 1) / 2 * 127;
import { resample } from './resample';
import { makeWindow } from './window';
import { assert, assertClose, noise, sine } from '../testing/compare';

async function read(t: tf.Tensor): Promise<Float32Array> {
  const d = (await t.data()) as Float32Array;
  return d;
}

export const dspChecks: { name: string; run: () => Promise<void> }[] = [
  {
    name: 'stft matches the CPU reference (paper 000: nFft 254, hop 64, 1 s at 11025 Hz)',
    async run() {
      const x = noise(11025, 1, 0.5);
      const ref = stftRef(x, { nFft: 254, hop: 64 });
      assert(ref.frames === 173 && ref.bins === 128, `reference shape ${ref.frames}x${ref.bins}, want 173x128`);
      const sig = tf.tensor1d(x);
      const s = stft(sig, { nFft: 254, hop: 64 });
      try {
        assert(s.re.shape[0] === 173 && s.re.shape[1] === 128, `gpu shape ${s.re.shape}, want 173,128`);
        assertClose(await read(s.re), ref.re, { atol: 2e-4, rtol: 1e-4, label: 'stft re' });
        assertClose(await read(s.im), ref.im, { atol: 2e-4, rtol: 1e-4, label: 'stft im' });
      } finally {
        tf.dispose([sig, s.re, s.im]);
      }
    },
  },
  {
    name: 'stft on odd sizes (nFft 10, hop 3, 37 samples; nFft 512 hop 160 uncentred)',
    async run() {
      for (const [len, cfg] of [[37, { nFft: 10, hop: 3 }], [1601, { nFft: 512, hop: 160, center: false, window: 'hamming' as const }]] as const) {
        const x = noise(len, len, 1);
        const ref = stftRef(x, cfg);
        const sig = tf.tensor1d(x);
        const s = stft(sig, cfg);
        try {
          assertClose(await read(s.re), ref.re, { atol: 3e-4, rtol: 1e-4, label: `re len ${len}` });
          assertClose(await read(s.im), ref.im, { atol: 3e-4, rtol: 1e-4, label: `im len ${len}` });
        } finally {
          tf.dispose([sig, s.re, s.im]);
        }
      }
    },
  },
  {
    name: "a sine's peak bin and level (A*N/4 for periodic Hann)",
    async run() {
      const N = 256;
      const rate = 11025;
      const k0 = 37;
      const A = 0.8;
      const x = sine(4096, (k0 * rate) / N, rate, A);
      const sig = tf.tensor1d(x);
      const s = stft(sig, { nFft: N, hop: 64 });
      const mag = magnitude(s);
      try {
        const m = await read(mag);
        const K = N / 2 + 1;
        const f = 20; // an interior frame (no padding effects)
        let best = 0;
        for (let k = 1; k < K; k++) if (m[f * K + k] > m[f * K + best]) best = k;
        assert(best === k0, `peak at bin ${best}, want ${k0}`);
        const want = (A * N) / 4;
        assert(Math.abs(m[f * K + k0] - want) / want < 1e-3, `peak level ${m[f * K + k0]}, want ${want}`);
        // Periodic Hann leaks into the two neighbours at half the level and nowhere else.
        assert(Math.abs(m[f * K + k0 + 1] - want / 2) / want < 2e-3, `neighbour level ${m[f * K + k0 + 1]}, want ${want / 2}`);
        assert(m[f * K + k0 + 3] < want * 1e-3, `leakage at k0+3: ${m[f * K + k0 + 3]}`);
      } finally {
        tf.dispose([sig, s.re, s.im, mag]);
      }
    },
  },
  {
    name: 'Parseval per frame: sum |x w|^2 = (1/N) sum_k |X_k|^2',
    async run() {
      const N = 254;
      const x = noise(3000, 7, 1);
      const sig = tf.tensor1d(x);
      const s = stft(sig, { nFft: N, hop: 64, center: false });
      try {
        const re = await read(s.re);
        const im = await read(s.im);
        const K = N / 2 + 1;
        const w = makeWindow('hann', N);
        for (const f of [0, 5, 30]) {
          let timeE = 0;
          for (let n = 0; n < N; n++) timeE += (x[f * 64 + n] * w[n]) ** 2;
          let freqE = 0;
          for (let k = 0; k < K; k++) {
            const p = re[f * K + k] ** 2 + im[f * K + k] ** 2;
            freqE += k === 0 || k === N / 2 ? p : 2 * p;
          }
          freqE /= N;
          assert(Math.abs(freqE - timeE) / timeE < 1e-4, `frame ${f}: time energy ${timeE}, spectral ${freqE}`);
        }
      } finally {
        tf.dispose([sig, s.re, s.im]);
      }
    },
  },
  {
    name: 'stft -> istft round trip and istft vs reference',
    async run() {
      const x = noise(11025, 3, 0.7);
      const sig = tf.tensor1d(x);
      const s = stft(sig, { nFft: 254, hop: 64 });
      const y = istft(s, { nFft: 254, hop: 64 }, x.length);
      try {
        const got = await read(y);
        const { maxAbsErr } = assertClose(got, x, { atol: 1e-4, rtol: 0, label: 'round trip' });
        let errE = 0;
        let sigE = 0;
        for (let i = 0; i < x.length; i++) { errE += (got[i] - x[i]) ** 2; sigE += x[i] ** 2; }
        const snr = 10 * Math.log10(sigE / errE);
        assert(snr > 90, `round-trip SNR ${snr.toFixed(1)} dB (max |err| ${maxAbsErr}), want > 90 dB`);
        const small = x.subarray(0, 700);
        const ref = stftRef(small, { nFft: 62, hop: 16 });
        const refBack = istftRef(ref, { nFft: 62, hop: 16 }, small.length);
        assertClose(refBack, small, { atol: 1e-9, rtol: 0, label: 'reference round trip' });
        const re = tf.tensor2d(Float32Array.from(ref.re), [ref.frames, ref.bins]);
        const im = tf.tensor2d(Float32Array.from(ref.im), [ref.frames, ref.bins]);
        const back = istft({ re, im }, { nFft: 62, hop: 16 }, small.length);
        assertClose(await read(back), refBack, { atol: 1e-5, rtol: 1e-4, label: 'istft vs reference' });
        tf.dispose([re, im, back]);
      } finally {
        tf.dispose([sig, s.re, s.im, y]);
      }
    },
  },
  {
    name: 'log-frequency warp matches the reference; low frequencies get more rows',
    async run() {
      const x = noise(11025, 11, 0.5);
      const ref = stftRef(x, { nFft: 254, hop: 64 });
      const magRef = magnitudeRef(ref);
      const want = logFreqWarpRef(magRef, ref.frames, ref.bins);
      const sig = tf.tensor1d(x);
      const out = logFreqSpectrogram(sig);
      try {
        assert(out.shape[0] === 128 && out.shape[1] === 128, `shape ${out.shape}, want 128,128`);
        assertClose(await read(out), want, { atol: 3e-4, rtol: 2e-4, label: 'logfreq' });
        // A tone at bin 10 (of 128) is a low frequency: in the log image it lands well above row 10.
        const mag = tf.tidy(() => tf.oneHot(tf.fill([173], 10, 'int32'), 128).asType('float32')) as tf.Tensor2D;
        const img = logFreqWarp(mag);
        const v = await read(img);
        let bestRow = 0;
        let best = -1;
        for (let r = 0; r < 128; r++) { if (v[r * 128 + 64] > best) { best = v[r * 128 + 64]; bestRow = r; } }
        assert(bestRow > 30 && bestRow < 60, `bin 10 maps to row ${bestRow}, want between 30 and 60 (log spacing)`);
        tf.dispose([mag, img]);
      } finally {
        tf.dispose([sig, out]);
      }
    },
  },
  {
    name: 'log-frequency masks (paper 000 separation): unwarp reads back the warp, ones keep the signal, a low band keeps 300 Hz and drops 3000 Hz',
    async run() {
      // the unwarp is the warp's inverse sampling: a smooth profile over the STFT bins, warped to
      // the log grid and read back, is the profile again (away from the top bins the log grid
      // samples sparsely)
      const Ay = warpMatrix(128, 128, true), Uy = unwarpMatrix(128, 128, true);
      const prof = Float64Array.from({ length: 128 }, (_, k) => Math.sin(k / 20) + 0.01 * k);
      const warped = Float64Array.from({ length: 128 }, (_, r) => prof.reduce((s, v, k) => s + Ay[r * 128 + k] * v, 0));
      const back = Float64Array.from({ length: 128 }, (_, k) => warped.reduce((s, v, r) => s + Uy[k * 128 + r] * v, 0));
      assertClose(back.subarray(0, 100), prof.subarray(0, 100), { atol: 5e-3, rtol: 0, label: 'unwarp(warp(profile))' });
      // the tfjs unwarp equals the matrices
      const m = tf.tensor2d(Float32Array.from({ length: 128 * 128 }, (_, i) => Math.floor(i / 128) / 127), [128, 128]);
      const lin = logFreqUnwarp(m, 173, 128);
      const got = await read(lin);
      const want = Float64Array.from({ length: 173 * 128 }, (_, i) => { const k = i % 128; let v = 0; for (let r = 0; r < 128; r++) v += Uy[k * 128 + r] * (r / 127); return v; });
      assertClose(got, want, { atol: 1e-4, rtol: 1e-4, label: 'logFreqUnwarp' });
      tf.dispose([m, lin]);
      // masks on a two-tone signal
      const lo = sine(11025, 300, 11025, 0.4), hi = sine(11025, 3000, 11025, 0.4);
      const x = Float32Array.from(lo, (v, i) => v + hi[i]);
      const sig = tf.tensor1d(x);
      const ones = tf.ones([128, 128]) as tf.Tensor2D;
      // rows below the one that samples 1500 Hz (bin 1500 / (11025 / 254) = 34.6) pass, the rest are cut
      const cut = Math.round(unwarpRow(34.6));
      const band = tf.tensor2d(Float32Array.from({ length: 128 * 128 }, (_, i) => (Math.floor(i / 128) < cut ? 1 : 0)), [128, 128]);
      const same = applyLogFreqMask(sig, ones);
      const low = applyLogFreqMask(sig, band);
      try {
        const a = await read(same), b = await read(low);
        assert(a.length === 11025 && b.length === 11025, `lengths ${a.length}, ${b.length}`);
        assertClose(a.subarray(200, 10825), x.subarray(200, 10825), { atol: 2e-4, rtol: 0, label: 'mask of ones' });
        // correlation with each tone, away from the edges
        const dot = (u: ArrayLike<number>, v: ArrayLike<number>) => { let s = 0; for (let i = 500; i < 10525; i++) s += u[i] * v[i]; return s; };
        const keep = dot(b, lo) / dot(lo, lo), leak = dot(b, hi) / dot(hi, hi);
        assert(keep > 0.95 && Math.abs(leak) < 0.05, `low-band mask: 300 Hz kept ${keep.toFixed(3)} (want ~1), 3000 Hz kept ${leak.toFixed(3)} (want ~0)`);
      } finally {
        tf.dispose([sig, ones, band, same, low]);
      }
    },
  },
  {
    name: 'Kaldi log-mel (paper 002: 16 kHz, 25/10 ms, 128 mels -> 98 frames) matches the reference',
    async run() {
      const x = noise(16000, 5, 0.3);
      const ref = logMelRef(x);
      assert(ref.frames === 98 && ref.mels === 128, `reference shape ${ref.frames}x${ref.mels}, want 98x128`);
      const sig = tf.tensor1d(x);
      const out = logMel(sig);
      try {
        assertClose(await read(out), ref.data, { atol: 2e-3, rtol: 2e-4, label: 'log-mel' });
        // A 1 kHz tone peaks in the mel bin whose centre is nearest 1 kHz.
        const t = tf.tensor1d(sine(16000, 1000, 16000, 0.5));
        const m = logMel(t);
        const v = await read(m);
        let best = 0;
        for (let j = 0; j < 128; j++) if (v[40 * 128 + j] > v[40 * 128 + best]) best = j;
        const lo = melScale(20);
        const delta = (melScale(8000) - lo) / 129;
        const want = Math.round((melScale(1000) - lo) / delta - 1);
        assert(Math.abs(best - want) <= 1, `1 kHz peaks in mel bin ${best}, want ${want} +- 1`);
        tf.dispose([t, m]);
      } finally {
        tf.dispose([sig, out]);
      }
    },
  },
  {
    name: 'resample 16 kHz -> 11025 Hz keeps a 1 kHz tone and removes a 7 kHz one',
    async run() {
      const inRate = 16000;
      const outRate = 11025;
      const keep = resample(sine(16000, 1000, inRate, 0.5), inRate, outRate);
      assert(keep.length === 11025, `length ${keep.length}, want 11025`);
      const want = sine(11025, 1000, outRate, 0.5);
      assertClose(keep.subarray(200, 10800), want.subarray(200, 10800), { atol: 2e-3, rtol: 0, label: '1 kHz tone' });
      const alias = resample(sine(16000, 7000, inRate, 0.5), inRate, outRate);
      let rms = 0;
      for (let i = 200; i < 10800; i++) rms += alias[i] ** 2;
      rms = Math.sqrt(rms / 10600);
      const db = 20 * Math.log10(rms / (0.5 / Math.SQRT2));
      assert(db < -60, `7 kHz tone only attenuated by ${(-db).toFixed(1)} dB, want > 60 dB`);
    },
  },
];
