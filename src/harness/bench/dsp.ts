/**
 * `npm run bench -- dsp --json`: the GPU STFT (tfjs gather + DFT matMul, on the harness's WebGPU
 * backend) against the CPU reference (direct DFT in float64 loops) and against tfjs's own
 * tf.signal.stft (FFT kernels) on the same backend, in one run. Also iSTFT, the log-frequency
 * spectrogram and log-mel. Each GPU figure is the median of several runs after a warm-up run that
 * compiles the shaders; results are read back (data()) inside the timed region.
 */
import * as tf from '@tensorflow/tfjs';
import type { BenchRecord, BenchSuite } from '../types';
import { medianMs } from '../shared/timing';
import { stft, istft, magnitude } from '../../engine/dsp/stft';
import { logFreqSpectrogram } from '../../engine/dsp/logfreq';
import { logMel } from '../../engine/dsp/mel';
import { stftRef, istftRef, logFreqWarpRef, magnitudeRef, logMelRef } from '../../engine/dsp/reference';
import { noise } from '../../engine/testing/compare';

async function gpu<T extends tf.Tensor | tf.Tensor[]>(make: () => T): Promise<void> {
  const out = make();
  const list = Array.isArray(out) ? out : [out];
  await Promise.all(list.map((t) => t.data()));
  tf.dispose(list);
}

const bench: BenchSuite = {
  name: 'dsp',
  async run({ quick }) {
    const reps = quick ? 3 : 7;
    const backend = tf.getBackend();
    const recs: BenchRecord[] = [];
    const add = (name: string, shape: string, ms: number, baselineMs: number, baseline: string) =>
      recs.push({ suite: 'dsp', name, shape, ms, baselineMs, ratio: baselineMs / ms, baseline, backend });

    const cases: { label: string; len: number; nFft: number; hop: number }[] = [
      { label: 'paper 000 (1 s @ 11025 Hz)', len: 11025, nFft: 254, hop: 64 },
      { label: 'display (10 s @ 16 kHz)', len: 160000, nFft: 512, hop: 160 },
    ];
    for (const c of cases) {
      const x = noise(c.len, 1, 0.5);
      const sig = tf.tensor1d(x);
      const shape = `${c.len} samples, nFft ${c.nFft}, hop ${c.hop}`;
      const g = await medianMs(() => gpu(() => { const s = stft(sig, { nFft: c.nFft, hop: c.hop }); return [s.re, s.im]; }), reps);
      const cpu = await medianMs(() => stftRef(x, { nFft: c.nFft, hop: c.hop }), quick ? 1 : 3);
      add(`stft gpu vs CPU reference — ${c.label}`, shape, g, cpu, 'CPU reference (direct DFT, float64)');
      // tfjs's own STFT (no centre padding; power-of-two FFT sizes only on the GPU fast path).
      const stock = await medianMs(() => gpu(() => { const s = tf.signal.stft(sig, c.nFft, c.hop, c.nFft); const m = tf.abs(s); s.dispose(); return m; }), reps);
      const gm = await medianMs(() => gpu(() => { const s = stft(sig, { nFft: c.nFft, hop: c.hop }); const m = magnitude(s); tf.dispose([s.re, s.im]); return m; }), reps);
      add(`|stft| gpu vs tf.signal.stft — ${c.label}`, shape, gm, stock, 'tf.signal.stft + abs, same backend');
      const s = stft(sig, { nFft: c.nFft, hop: c.hop });
      const gi = await medianMs(() => gpu(() => istft(s, { nFft: c.nFft, hop: c.hop }, c.len)), reps);
      const ref = stftRef(x.subarray(0, Math.min(c.len, 11025)), { nFft: c.nFft, hop: c.hop });
      const ci = await medianMs(() => istftRef(ref, { nFft: c.nFft, hop: c.hop }), 1);
      const scale = c.len / Math.min(c.len, 11025);
      add(`istft gpu vs CPU reference — ${c.label}`, shape, gi, ci * scale, `CPU reference (direct inverse DFT${scale > 1 ? `, timed on 11025 samples x ${scale.toFixed(1)}` : ''})`);
      tf.dispose([sig, s.re, s.im]);
    }
    {
      const x = noise(11025, 2, 0.5);
      const sig = tf.tensor1d(x);
      const g = await medianMs(() => gpu(() => logFreqSpectrogram(sig)), reps);
      const cpu = await medianMs(() => { const r = stftRef(x); logFreqWarpRef(magnitudeRef(r), r.frames, r.bins); }, 1);
      add('log-frequency spectrogram gpu vs CPU reference', '11025 samples -> 128x128', g, cpu, 'CPU reference');
      sig.dispose();
    }
    {
      const x = noise(16000, 3, 0.5);
      const sig = tf.tensor1d(x);
      const g = await medianMs(() => gpu(() => logMel(sig)), reps);
      const cpu = await medianMs(() => logMelRef(x), 1);
      add('Kaldi log-mel gpu vs CPU reference', '16000 samples -> 98x128', g, cpu, 'CPU reference');
      sig.dispose();
    }
    return recs;
  },
};
export default bench;
