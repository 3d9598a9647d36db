import { useEffect, useRef } from 'react';
import { useApp, useAppState, useMediaVersion } from '../context';
import { LiveView } from './LiveView';

/** Webcam + mic capture into ring buffers: start/stop, camera choice, fill levels. */
export function LivePanel() {
  const { controller } = useApp();
  const live = useAppState((s) => s.live);
  useMediaVersion();
  const preview = useRef<HTMLVideoElement>(null);
  const stream = controller.live?.mediaStream ?? null;

  useEffect(() => {
    if (preview.current) preview.current.srcObject = stream;
  }, [stream]);

  const running = live.status === 'running' || live.status === 'starting';
  return (
    <section className="panel live-panel" aria-label="Live camera and microphone">
      <h2>Live</h2>
      <div className="row">
        {running ? (
          <button data-testid="live-stop" onClick={() => controller.stopLive()}>Stop camera</button>
        ) : (
          <button data-testid="live-start" onClick={() => void controller.startLive()}>Start camera + mic</button>
        )}
        <label>
          Camera{' '}
          <select
            data-testid="camera-select"
            value={live.cameraId ?? ''}
            onFocus={() => void controller.refreshCameras()}
            onChange={(e) => void controller.selectCamera(e.target.value)}
          >
            <option value="">default</option>
            {live.cameras.map((c) => <option key={c.id} value={c.id}>{c.label}</option>)}
          </select>
        </label>
      </div>
      <p className="small" data-testid="live-status" data-value={live.status}>
        {live.status}: <span data-testid="ring-frames" data-value={live.framesInRing}>{live.framesInRing}</span> frames
        and <span data-testid="ring-audio" data-value={live.audioSecondsInRing.toFixed(2)}>{live.audioSecondsInRing.toFixed(2)}</span> s of audio
        {live.audioSampleRate ? ` at ${live.audioSampleRate} Hz` : ''} in the last-{live.bufferSec}-seconds buffer ({live.framesCaptured} frames captured)
      </p>
      {stream ? <video ref={preview} className="live-preview" muted playsInline autoPlay aria-label="Camera preview" /> : null}
      <LiveView />
    </section>
  );
}
