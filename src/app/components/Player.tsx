import { useEffect, useRef } from 'react';
import { useApp, useAppState, useMediaVersion } from '../context';

/**
 * The video with a canvas overlay layer on top, sized to the picture's content box (the
 * letterboxed area inside the element), ready for heat maps. The playhead goes to its own store
 * through requestVideoFrameCallback, not through React.
 */
export function Player() {
  const { controller, playhead } = useApp();
  const clip = useAppState((s) => s.media.clip);
  const opacity = useAppState((s) => s.view.overlayOpacity);
  useMediaVersion();
  const video = useRef<HTMLVideoElement>(null);
  const overlay = useRef<HTMLCanvasElement>(null);
  const url = controller.current?.url ?? null;

  useEffect(() => {
    const v = video.current;
    if (!v) return;
    controller.player = v;
    return () => { if (controller.player === v) controller.player = null; };
  }, [controller]);

  useEffect(() => {
    const v = video.current;
    const c = overlay.current;
    if (!v || !c) return;
    let handle = 0;
    const place = () => {
      // Fit the overlay to the displayed picture (object-fit: contain).
      const vw = v.videoWidth || 16;
      const vh = v.videoHeight || 9;
      const s = Math.min(v.clientWidth / vw, v.clientHeight / vh);
      const w = vw * s;
      const h = vh * s;
      c.style.left = `${(v.clientWidth - w) / 2}px`;
      c.style.top = `${(v.clientHeight - h) / 2}px`;
      c.style.width = `${w}px`;
      c.style.height = `${h}px`;
    };
    const onFrame = (_now: number, meta: VideoFrameCallbackMetadata) => {
      playhead.setState({ time: meta.mediaTime, playing: !v.paused });
      handle = v.requestVideoFrameCallback(onFrame);
    };
    handle = v.requestVideoFrameCallback(onFrame);
    const onSeek = () => playhead.setState({ time: v.currentTime, playing: !v.paused });
    v.addEventListener('loadedmetadata', place);
    v.addEventListener('seeked', onSeek);
    const ro = new ResizeObserver(place);
    ro.observe(v);
    return () => {
      v.cancelVideoFrameCallback(handle);
      v.removeEventListener('loadedmetadata', place);
      v.removeEventListener('seeked', onSeek);
      ro.disconnect();
    };
  }, [playhead]);

  return (
    <section className="panel player" aria-label="Video">
      <div className="stage">
        <video ref={video} src={url ?? undefined} controls playsInline data-testid="player" aria-label={clip ? `Video ${clip.name}` : 'No video loaded'} />
        <canvas ref={overlay} className="overlay" data-testid="overlay" width={224} height={224} style={{ opacity }} aria-hidden="true" />
        {!url ? <div className="placeholder">Open a video or start the camera</div> : null}
      </div>
    </section>
  );
}
