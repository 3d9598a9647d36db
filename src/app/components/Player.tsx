import { useEffect, useRef } from 'react';
import { useApp, useAppState, useMediaVersion } from '../context';
import { fitRects } from '../../engine/media/windows';
import { mapToRgba, nearestFrame, peakCell } from '../overlay/heatmap';

/**
 * The video with a canvas overlay layer on top, sized to the picture's content box (the
 * letterboxed area inside the element), ready for heat maps. The playhead goes to its own store
 * through requestVideoFrameCallback, not through React.
 */
export function Player() {
  const { controller, playhead, store } = useApp();
  const redraw = useRef<() => void>(() => undefined);
  const clip = useAppState((s) => s.media.clip);
  const view = useAppState((s) => s.view);
  const mapsVersion = useAppState((s) => s.localization.version);
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
      // Fit the overlay to the displayed picture (object-fit: contain), then to the region of the
      // picture the maps cover: the whole frame for 'squash', the centre crop for 'crop', the
      // letterboxed square for 'pad' (the frames were fitted to 224x224 that way).
      const vw = v.videoWidth || 16;
      const vh = v.videoHeight || 9;
      const s = Math.min(v.clientWidth / vw, v.clientHeight / vh);
      let [x, y, w, h] = [0, 0, vw, vh];
      const m = controller.maps;
      if (m) {
        const { src, dst } = fitRects(vw, vh, m.frameSize[0], m.frameSize[1], m.aspect);
        const sx = src[2] / dst[2], sy = src[3] / dst[3];
        [x, y, w, h] = [src[0] - dst[0] * sx, src[1] - dst[1] * sy, m.frameSize[0] * sx, m.frameSize[1] * sy];
      }
      c.style.left = `${(v.clientWidth - vw * s) / 2 + x * s}px`;
      c.style.top = `${(v.clientHeight - vh * s) / 2 + y * s}px`;
      c.style.width = `${w * s}px`;
      c.style.height = `${h * s}px`;
    };
    // The map is put into a small canvas at its own size and drawn scaled (bilinear) onto the
    // overlay at the frame's resolution: smooth in every browser, independent of CSS scaling.
    const cell = new OffscreenCanvas(14, 14);
    const draw = (t: number) => {
      const m = controller.maps;
      const g = c.getContext('2d');
      if (!g) return;
      const st = store.getState().view;
      const k = m && st.showOverlay ? nearestFrame(m.times, t) : -1;
      if (!m || k < 0) {
        g.clearRect(0, 0, c.width, c.height);
        c.dataset.frame = '';
        return;
      }
      const [fw, fh] = m.frameSize;
      if (c.width !== fw || c.height !== fh) { c.width = fw; c.height = fh; place(); }
      if (cell.width !== m.width || cell.height !== m.height) { cell.width = m.width; cell.height = m.height; }
      cell.getContext('2d')!.putImageData(new ImageData(mapToRgba(m.maps[k], { colormap: st.colormap, mode: st.overlayMode, eps: st.eps, tau: st.tau }), m.width, m.height), 0, 0);
      g.clearRect(0, 0, c.width, c.height);
      g.imageSmoothingEnabled = true;
      g.imageSmoothingQuality = 'high';
      // Opacity is applied here, not as CSS opacity on the canvas: Chromium (SwiftShader,
      // headless) did not show a canvas with CSS opacity < 1 over a <video> at all.
      g.globalAlpha = st.overlayOpacity;
      g.drawImage(cell, 0, 0, c.width, c.height);
      g.globalAlpha = 1;
      const p = peakCell(m.maps[k], m.width);
      // For tests and assistive tech: which frame's map is shown and where it peaks (map cells).
      c.dataset.frame = String(k);
      c.dataset.time = m.times[k].toFixed(3);
      c.dataset.peak = `${p.row},${p.col}`;
    };
    const onFrame = (_now: number, meta: VideoFrameCallbackMetadata) => {
      playhead.setState({ time: meta.mediaTime, playing: !v.paused });
      draw(meta.mediaTime);
      handle = v.requestVideoFrameCallback(onFrame);
    };
    redraw.current = () => { place(); draw(v.currentTime); };
    handle = v.requestVideoFrameCallback(onFrame);
    const onSeek = () => { playhead.setState({ time: v.currentTime, playing: !v.paused }); draw(v.currentTime); };
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
  }, [playhead, controller, store]);

  // New maps or new view settings: redraw the current frame's map.
  useEffect(() => { redraw.current(); }, [mapsVersion, view]);

  return (
    <section className="panel player" aria-label="Video">
      <div className="stage">
        <video ref={video} src={url ?? undefined} controls playsInline data-testid="player" aria-label={clip ? `Video ${clip.name}` : 'No video loaded'} />
        <canvas ref={overlay} className="overlay" data-testid="overlay" width={224} height={224} style={{ visibility: view.showOverlay ? 'visible' : 'hidden' }} aria-hidden="true" />
        {!url ? <div className="placeholder">Open a video or start the camera</div> : null}
      </div>
    </section>
  );
}
