import { useEffect, useRef } from 'react';
import { useStore } from 'zustand';
import { useApp, useAppState } from '../context';
import { colorOf } from '../overlay/heatmap';

const SIDE = 128;

/** Draws a [128 frequency rows (low first), 128 times] image, low frequencies at the bottom, scaled to its own range. */
function drawGrid(c: HTMLCanvasElement | null, v: Float32Array | undefined, fixed?: [number, number]): void {
  if (!c) return;
  const g = c.getContext('2d')!;
  if (!v) { g.clearRect(0, 0, c.width, c.height); return; }
  let lo = Infinity, hi = -Infinity;
  for (const x of v) { if (x < lo) lo = x; if (x > hi) hi = x; }
  if (fixed) [lo, hi] = fixed;
  const img = g.createImageData(SIDE, SIDE);
  for (let r = 0; r < SIDE; r++) {
    for (let t = 0; t < SIDE; t++) {
      const x = v[r * SIDE + t];
      const [R, G, B] = colorOf(hi > lo ? (x - lo) / (hi - lo) : 0, 'inferno');
      const o = 4 * ((SIDE - 1 - r) * SIDE + t);
      img.data[o] = R; img.data[o + 1] = G; img.data[o + 2] = B; img.data[o + 3] = 255;
    }
  }
  g.putImageData(img, 0, 0);
}

/**
 * Paper 000's cascaded enhancement, made visible (issue 6, "the enhanced spectrogram shown and the
 * separated audio playable"): for the second under the playhead, the mixture's log-frequency
 * spectrogram (the model's input), the mask the U-Net decoder predicts for the object the visual
 * features describe, and mask x mixture; and the whole separated sound, playable.
 */
export function SeparationView() {
  const { controller, playhead } = useApp();
  const sep = useAppState((s) => s.localization.separation);
  const second = useStore(playhead, (s) => Math.floor(s.time));
  const mix = useRef<HTMLCanvasElement>(null);
  const mask = useRef<HTMLCanvasElement>(null);
  const enh = useRef<HTMLCanvasElement>(null);

  useEffect(() => {
    const cs = controller.separation;
    const m = cs?.masks.get(second);
    const x = cs?.mixture.get(second);
    // log1p as the model's encoder sees it
    const lx = x ? Float32Array.from(x, (v) => Math.log1p(v)) : undefined;
    drawGrid(mix.current, lx);
    drawGrid(mask.current, m, [0, 1]);
    drawGrid(enh.current, m && x ? Float32Array.from(x, (v, i) => Math.log1p(v * m[i])) : undefined, lx ? [Math.min(...lx), Math.max(...lx)] : undefined);
  }, [sep, second, controller]);

  if (!sep) return null;
  const flat = sep.maskSd < 0.05;
  return (
    <section className="panel separation-view" aria-label="Separated sound">
      <h2>The mapped object’s sound</h2>
      <p className="small muted">
        Paper 000’s mix-and-separate decoder: a mask over the log-frequency spectrogram of each second, conditioned on what the frames show.
      </p>
      <div className="row small" data-testid="separation-second" data-value={second}>
        <figure><canvas ref={mix} width={SIDE} height={SIDE} data-testid="separation-mixture" aria-label={`mixture spectrogram, second ${second}`} /><figcaption>mixture, {second}–{second + 1} s</figcaption></figure>
        <figure><canvas ref={mask} width={SIDE} height={SIDE} data-testid="separation-mask" aria-label={`predicted mask, second ${second}`} /><figcaption>mask (0–1)</figcaption></figure>
        <figure><canvas ref={enh} width={SIDE} height={SIDE} data-testid="separation-enhanced" aria-label={`enhanced spectrogram, second ${second}`} /><figcaption>enhanced: mask × mixture</figcaption></figure>
      </div>
      <p className="small">
        <audio controls src={sep.url} data-testid="separated-audio" aria-label="separated sound" />{' '}
        <a href={sep.url} download="separated.wav">Save (WAV, 11025 Hz)</a>
      </p>
      <p className="small" data-testid="separation-stats" data-mean={sep.maskMean.toFixed(4)} data-sd={sep.maskSd.toFixed(4)}>
        {sep.seconds} s separated · mask mean {sep.maskMean.toFixed(2)}, spread (sd) {sep.maskSd.toFixed(3)}
        {flat ? ' · the mask is nearly flat: this model’s decoder has not learned to separate yet, so the sound is the mixture, quieter (docs/results.md).' : ''}
      </p>
    </section>
  );
}
