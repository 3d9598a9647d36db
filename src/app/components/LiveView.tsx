import { useEffect, useRef, useState } from 'react';
import { useApp, useAppState } from '../context';
import { mapToRgba, peakCell } from '../overlay/heatmap';

/**
 * The live picture as the localizer saw it: each drawn frame is the one its map was computed on,
 * with the map over it (so the heat map never drifts against the picture). Snapshot saves this
 * canvas as PNG; Record saves a few seconds of it as WebM for later replay.
 */
export function LiveView() {
  const { controller, store } = useApp();
  const live = useAppState((s) => s.live);
  const canvas = useRef<HTMLCanvasElement>(null);
  const [recordSec] = useState(5);

  useEffect(() => {
    const mapCanvas = new OffscreenCanvas(14, 14);
    return controller.onLiveMap((m) => {
      const c = canvas.current;
      const g = c?.getContext('2d');
      if (!c || !g) return;
      const v = store.getState().view;
      c.width = m.frame.width;
      c.height = m.frame.height;
      g.putImageData(m.frame, 0, 0);
      if (v.showOverlay) {
        if (mapCanvas.width !== m.width || mapCanvas.height !== m.height) { mapCanvas.width = m.width; mapCanvas.height = m.height; }
        mapCanvas.getContext('2d')!.putImageData(new ImageData(mapToRgba(m.map, { colormap: v.colormap, mode: v.overlayMode, eps: v.eps, tau: v.tau }), m.width, m.height), 0, 0);
        g.save();
        g.globalAlpha = v.overlayOpacity;
        g.imageSmoothingEnabled = true;
        g.drawImage(mapCanvas, 0, 0, c.width, c.height);
        g.restore();
      }
      const p = peakCell(m.map, m.width);
      c.dataset.peak = `${p.row},${p.col}`;
      c.dataset.time = m.time.toFixed(3);
    });
  }, [controller, store]);

  const snapshot = () => {
    canvas.current?.toBlob((b) => {
      if (!b) return;
      const a = document.createElement('a');
      a.href = URL.createObjectURL(b);
      a.download = `egosound-live-${new Date().toISOString().replace(/[:.]/g, '-')}.png`;
      a.click();
      setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
    }, 'image/png');
  };

  const record = () => {
    const c = canvas.current;
    if (!c || live.recording) return;
    const rec = new MediaRecorder(c.captureStream(15), { mimeType: 'video/webm' });
    const parts: Blob[] = [];
    rec.ondataavailable = (e) => { if (e.data.size) parts.push(e.data); };
    rec.onstop = () => {
      store.getState().setLive({ recording: false });
      const a = document.createElement('a');
      a.href = URL.createObjectURL(new Blob(parts, { type: 'video/webm' }));
      a.download = `egosound-live-${new Date().toISOString().replace(/[:.]/g, '-')}.webm`;
      a.click();
      setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
    };
    store.getState().setLive({ recording: true });
    rec.start(250);
    setTimeout(() => rec.stop(), recordSec * 1000);
  };

  const running = live.status === 'running';
  if (!running && live.localize === 'off') return null;
  return (
    <div className="live-view">
      <div className="row">
        {live.localize === 'off' ? (
          <button data-testid="live-localize" disabled={!running} onClick={() => void controller.startLiveLocalize()}>Show where the sound comes from</button>
        ) : live.localize === 'paused' ? (
          <button data-testid="live-resume" onClick={() => void controller.resumeLiveLocalize()}>Resume</button>
        ) : (
          <button data-testid="live-pause" disabled={live.localize === 'loading'} onClick={() => void controller.pauseLiveLocalize()}>Pause</button>
        )}
        <button data-testid="live-snapshot" disabled={live.mapsDrawn === 0} onClick={snapshot}>Snapshot (PNG)</button>
        <button data-testid="live-record" disabled={live.mapsDrawn === 0 || live.recording} onClick={record}>{live.recording ? `Recording ${recordSec} s…` : `Record ${recordSec} s (WebM)`}</button>
      </div>
      <canvas ref={canvas} className="live-canvas" data-testid="live-view" width={224} height={224} aria-label="Live picture with the sound heat map" />
      <p className="small" data-testid="live-stats" data-state={live.localize} role="status">
        {live.localize}{live.latencyMs !== null ? <> · capture→overlay <span data-testid="live-latency" data-value={live.latencyMs.toFixed(0)}>{live.latencyMs.toFixed(0)}</span> ms</> : null}
        {live.mapFps !== null ? <> · <span data-testid="live-fps" data-value={live.mapFps.toFixed(2)}>{live.mapFps.toFixed(1)}</span> maps/s</> : null}
        {' '}· <span data-testid="live-maps" data-value={live.mapsDrawn}>{live.mapsDrawn}</span> maps, <span data-testid="live-dropped" data-value={live.dropped}>{live.dropped}</span> frames dropped
        {live.windowFrames !== null ? <> · <span data-testid="live-window" data-value={live.windowFrames} title="Frames of the 2 s before the map that it averaged: fewer than 9 when maps come slower than the 0.25-s grid">{live.windowFrames}</span> frames a window</> : null}
      </p>
    </div>
  );
}
