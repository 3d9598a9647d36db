import { useState } from 'react';
import { useApp, useAppState, useMediaVersion } from '../context';
import type { CameraMotionWindow } from '../controller';
import { WarpPreview } from './WarpPreview';

/**
 * Camera motion: a window of frames around the playhead (or the newest live frames), with a
 * toggle that warps every support frame into the query frame's view by the homographies the
 * geometry worker estimated, so a person can see the head motion being removed (paper 000,
 * sec. 2.3). Frames stay in this component's state, not in the store.
 */
export function MotionPanel() {
  const { controller, playhead } = useApp();
  const clip = useAppState((s) => s.media.clip);
  const liveStatus = useAppState((s) => s.live.status);
  useMediaVersion();
  const [win, setWin] = useState<CameraMotionWindow | null>(null);
  const [busy, setBusy] = useState(false);
  const live = liveStatus === 'running';
  const canRun = !busy && (live || !!clip);

  const run = async () => {
    setBusy(true);
    try {
      const w = await controller.cameraMotionWindow(playhead.getState().time);
      if (w) setWin(w);
    } finally {
      setBusy(false);
    }
  };

  const fallbacks = win ? win.pairs.filter((p, j) => j !== win.query && p.fallback).length : 0;
  return (
    <section className="panel motion-panel" aria-label="Camera motion">
      <h2>Camera motion</h2>
      <div className="row">
        <button data-testid="motion-run" disabled={!canRun} onClick={() => void run()}>
          {busy ? 'Estimating…' : live ? 'Show camera motion (newest live frames)' : 'Show camera motion at the playhead'}
        </button>
      </div>
      {!clip && !live ? <p className="small">Open a video or start the camera first.</p> : null}
      {win ? (
        <>
          <p className="small" data-testid="motion-summary" data-fallbacks={fallbacks} data-ms={win.ms.toFixed(1)} data-start={win.times[0]} data-end={win.times[win.times.length - 1]} role="status">
            {win.frames.length} frames ({win.source === 'clip' ? `${win.times[0].toFixed(2)}–${win.times[win.times.length - 1].toFixed(2)} s` : 'live'}),
            homographies to frame {win.query} in {win.ms.toFixed(0)} ms{fallbacks ? `, ${fallbacks} fell back to identity` : ''}.
          </p>
          <WarpPreview frames={win.frames} query={win.query} homographies={win.pairs} thumbWidth={112} />
        </>
      ) : null}
    </section>
  );
}
