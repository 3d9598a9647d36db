import { useAppState } from '../context';

const ASPECT = { squash: 'whole picture resized', crop: 'centre cropped', pad: 'letterboxed' } as const;
const fmt = (s: number) => `${Math.floor(s / 60)}:${(s % 60).toFixed(2).padStart(5, '0')}`;

/** Facts about the open clip and the frame sampling (the e2e tests read the data-testid values). */
export function ClipPanel() {
  const m = useAppState((s) => s.media);
  const c = m.clip;
  if (!c) return null;
  return (
    <section className="panel clip-panel" aria-label="Clip details">
      <h2 data-testid="clip-name">{c.name}</h2>
      <dl>
        <dt>Duration</dt><dd data-testid="clip-duration" data-value={c.durationSec}>{fmt(c.durationSec)}</dd>
        <dt>Picture</dt><dd data-testid="clip-size">{c.width}×{c.height}{c.rotation ? ` (rotated ${c.rotation}°)` : ''}, {c.videoCodec} in {c.container}</dd>
        <dt>Sound</dt><dd data-testid="clip-audio">{c.hasAudio ? `${c.audioCodec}, ${c.audioChannels} channel${c.audioChannels === 1 ? '' : 's'}` : 'none'}</dd>
        <dt>Frames</dt>
        <dd>
          <span data-testid="frames-decoded" data-value={m.framesDecoded}>{m.framesDecoded}</span> / <span data-testid="frames-expected">{m.framesExpected}</span> at {m.fps} fps,
          {' '}{m.frameSize[0]}×{m.frameSize[1]} ({ASPECT[m.aspect]}), window <span data-testid="windows-done">{m.windowsDone}</span>/{m.windowsTotal},
          {' '}at most <span data-testid="frames-resident" data-value={m.framesResidentPeak}>{m.framesResidentPeak}</span> frames in memory
        </dd>
        <dt>Status</dt><dd data-testid="media-phase" data-value={m.phase}>{m.phase}</dd>
      </dl>
    </section>
  );
}
