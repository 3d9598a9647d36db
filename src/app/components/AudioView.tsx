import { useEffect, useRef } from 'react';
import WaveSurfer from 'wavesurfer.js';
import SpectrogramPlugin from 'wavesurfer.js/dist/plugins/spectrogram.esm.js';
import { useApp, useAppState, useMediaVersion } from '../context';
import type { SpectrogramImage } from '../../workers/protocol';

/** Max-pools the engine's spectrogram to at most `maxFrames` columns for drawing (wavesurfer's frame x bin layout, Nyquist bin dropped). */
function displayFrames(s: SpectrogramImage, maxFrames = 3000): number[][] {
  const bins = s.bins - 1;
  const step = Math.max(1, Math.ceil(s.frames / maxFrames));
  const out: number[][] = [];
  for (let f0 = 0; f0 < s.frames; f0 += step) {
    const col = new Array<number>(bins).fill(0);
    for (let f = f0; f < Math.min(s.frames, f0 + step); f++) {
      for (let k = 0; k < bins; k++) col[k] = Math.max(col[k], s.data[f * s.bins + k]);
    }
    out.push(col);
  }
  return out;
}

/**
 * Waveform + spectrogram (wavesurfer.js), following the video element: wavesurfer uses the
 * player as its media, so play, pause and seeking stay in sync both ways. The spectrogram is the
 * engine's GPU STFT (16 kHz, nFft 512, hop 160), drawn by wavesurfer's spectrogram plugin.
 */
export function AudioView() {
  const { controller } = useApp();
  const clip = useAppState((s) => s.media.clip);
  const audioReady = useAppState((s) => s.media.audioReady);
  const showSpec = useAppState((s) => s.view.showSpectrogram);
  useMediaVersion();
  const wave = useRef<HTMLDivElement>(null);
  const spec = useRef<HTMLDivElement>(null);
  const analysis = controller.current?.analysis ?? null;

  useEffect(() => {
    const player = controller.player;
    if (!analysis || !player || !wave.current || !spec.current) return;
    const json = JSON.stringify(displayFrames(analysis.spectrogram));
    const dataUrl = URL.createObjectURL(new Blob([json], { type: 'application/json' }));
    const peaks = analysis.binaural ? [analysis.left16k, analysis.right16k] : [analysis.left16k];
    const ws = WaveSurfer.create({
      container: wave.current,
      media: player,
      peaks,
      duration: analysis.durationSec,
      height: 64,
      waveColor: '#7fb2d9',
      progressColor: '#ff7a2f',
      cursorColor: '#ffd166',
      splitChannels: analysis.binaural ? [{ waveColor: '#7fb2d9' }, { waveColor: '#a98fd9' }] : undefined,
      normalize: true,
      interact: true,
    });
    if (showSpec) {
      ws.registerPlugin(SpectrogramPlugin.create({
        container: spec.current,
        labels: true,
        height: 128,
        sampleRate: analysis.spectrogram.sampleRate,
        frequenciesDataUrl: dataUrl,
        colorMap: 'roseus',
        scale: 'linear',
        frequencyMax: analysis.spectrogram.sampleRate / 2,
      }));
    }
    return () => {
      ws.destroy();
      URL.revokeObjectURL(dataUrl);
    };
  }, [analysis, controller, showSpec]);

  if (!clip) return null;
  return (
    <section className="panel audio-view" aria-label="Audio">
      {clip.hasAudio ? null : <p className="muted" data-testid="no-audio">This clip has no sound: viewing works, sound localization needs audio.</p>}
      {clip.hasAudio && !audioReady ? <p className="muted">Analysing the audio…</p> : null}
      <div ref={wave} data-testid="waveform" className="waveform" />
      <div ref={spec} data-testid="spectrogram" className="spectrogram" />
    </section>
  );
}
