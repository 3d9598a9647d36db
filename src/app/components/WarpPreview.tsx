/**
 * WarpPreview: the frames of a window, and, with the toggle on, every support frame j warped
 * into the query frame i's view by H_ji, so a person can see the camera motion being removed
 * (issue 4, "App"). Self-contained: give it frames (ImageData or any {width, height, data RGBA})
 * and the homographies from the geometry worker (GeometryClient.estimateWindow -> pairs), or bare
 * 3x3 row-major matrices.
 *
 * Each support frame's caption gives its match with the query before -> after warping (the
 * correlation of 8x8 block means, engine/geometry/warp.ts alignmentScore): near 1 after means
 * the camera motion was removed.
 *
 * With "overlay query" on, each warped frame is drawn over a faded copy of the query frame; where
 * the alignment is right, edges coincide. Warping runs on the main thread in plain TypeScript
 * (engine/geometry/warp.ts, no opencv here); frames are small previews, so this is cheap.
 */
import { useEffect, useMemo, useRef, useState } from 'react';
import { warpRgba, alignmentScore, type RgbaFrame, type AlignmentScore } from '../../engine/geometry/warp';
import type { Mat3 } from '../../engine/geometry/homography';

export interface PreviewHomography {
  /** H_ji: frame j pixels -> query frame pixels, 3x3 row-major. */
  H: Mat3;
  fallback?: boolean;
  reason?: string | null;
  inliers?: number;
  inlierRatio?: number;
}

export interface WarpPreviewProps {
  /** The T frames of the window, same size. */
  frames: RgbaFrame[];
  /** Index of the query frame i. */
  query: number;
  /** One per frame, index-aligned with `frames` (the query's entry is ignored). */
  homographies: (PreviewHomography | Mat3)[];
  /** Initial state of the "remove camera motion" toggle (uncontrolled). */
  defaultAligned?: boolean;
  /** Controlled toggle; pair with onAlignedChange. */
  aligned?: boolean;
  onAlignedChange?: (aligned: boolean) => void;
  /** Displayed width of each thumbnail in CSS pixels (default 160). */
  thumbWidth?: number;
}

function asPreview(h: PreviewHomography | Mat3): PreviewHomography {
  return Array.isArray(h) ? { H: h } : h;
}

/** Warped frame blended over the faded query (alpha = where the warped frame has content). */
function composite(warped: { width: number; height: number; data: Uint8ClampedArray }, queryFrame: RgbaFrame, overlay: boolean): ImageData {
  const out = new Uint8ClampedArray(warped.data.length);
  const q = queryFrame.data;
  for (let k = 0; k < warped.data.length; k += 4) {
    const a = warped.data[k + 3] / 255;
    for (let c = 0; c < 3; c++) {
      const base = overlay ? 0.5 * q[k + c] + 64 : 24; // faded query, or dark background
      out[k + c] = a * (overlay ? 0.5 * warped.data[k + c] + 0.5 * base : warped.data[k + c]) + (1 - a) * base;
    }
    out[k + 3] = 255;
  }
  return new ImageData(out, warped.width, warped.height);
}

function toImageData(f: RgbaFrame): ImageData {
  if (typeof ImageData !== 'undefined' && f instanceof ImageData) return f;
  return new ImageData(new Uint8ClampedArray(f.data), f.width, f.height);
}

function FrameCanvas({ image, width, label, testId }: { image: ImageData; width: number; label: string; testId: string }) {
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const c = ref.current;
    if (!c) return;
    c.width = image.width;
    c.height = image.height;
    c.getContext('2d')?.putImageData(image, 0, 0);
  }, [image]);
  return <canvas ref={ref} data-testid={testId} aria-label={label} style={{ width, height: (width * image.height) / image.width, display: 'block' }} />;
}

export function WarpPreview({ frames, query, homographies, defaultAligned = true, aligned: alignedProp, onAlignedChange, thumbWidth = 160 }: WarpPreviewProps) {
  const [alignedState, setAlignedState] = useState(defaultAligned);
  const [overlay, setOverlay] = useState(false);
  const aligned = alignedProp ?? alignedState;
  const setAligned = (v: boolean) => {
    if (alignedProp === undefined) setAlignedState(v);
    onAlignedChange?.(v);
  };

  const valid = frames.length > 0 && query >= 0 && query < frames.length && homographies.length === frames.length;

  // How well each support frame lines up with the query, unwarped vs warped (same for both views).
  const scores = useMemo<(AlignmentScore | null)[]>(() => {
    if (!valid) return [];
    return frames.map((f, j) => (j === query ? null : alignmentScore(f, frames[query], asPreview(homographies[j]).H)));
  }, [frames, query, homographies, valid]);

  const images = useMemo(() => {
    if (!valid) return [];
    const q = frames[query];
    return frames.map((f, j) => {
      if (j === query || !aligned) return toImageData(f);
      const warped = warpRgba(f, asPreview(homographies[j]).H, q.width, q.height);
      return composite(warped, q, overlay);
    });
  }, [frames, query, homographies, aligned, overlay, valid]);

  if (!valid) {
    return <div className="warp-preview warp-preview--empty" role="status">No window to preview (need frames, a query index inside them and one homography per frame).</div>;
  }

  return (
    <div className="warp-preview" data-testid="warp-preview" data-aligned={aligned ? 'true' : 'false'}>
      <div className="warp-preview__controls" style={{ display: 'flex', gap: '1em', marginBottom: '0.5em' }}>
        <label>
          <input type="checkbox" checked={aligned} onChange={(e) => setAligned(e.target.checked)} data-testid="warp-preview-toggle" /> Remove camera motion (warp support frames into frame {query}&apos;s view)
        </label>
        <label style={{ opacity: aligned ? 1 : 0.5 }}>
          <input type="checkbox" checked={overlay} disabled={!aligned} onChange={(e) => setOverlay(e.target.checked)} /> Overlay query
        </label>
      </div>
      <div className="warp-preview__grid" style={{ display: 'flex', flexWrap: 'wrap', gap: '0.5em' }}>
        {images.map((img, j) => {
          const h = asPreview(homographies[j]);
          const isQuery = j === query;
          const sc = scores[j];
          const match = sc && Number.isFinite(sc.before) && Number.isFinite(sc.after) ? ` · match ${sc.before.toFixed(2)} → ${sc.after.toFixed(2)}` : '';
          const caption = isQuery
            ? `frame ${j} (query)`
            : `frame ${j} → ${query}${h.fallback ? ` · identity (${h.reason ?? 'fallback'})` : h.inliers !== undefined ? ` · ${h.inliers} inliers${h.inlierRatio !== undefined ? ` (${Math.round(100 * h.inlierRatio)}%)` : ''}` : ''}${match}`;
          return (
            <figure
              key={j}
              style={{ margin: 0, outline: isQuery ? '2px solid #e0a000' : h.fallback ? '2px dashed #c03030' : 'none' }}
              data-fallback={h.fallback ? 'true' : 'false'}
              data-testid={`warp-preview-figure-${j}`}
              data-corr-before={sc ? sc.before : undefined}
              data-corr-after={sc ? sc.after : undefined}
            >
              <FrameCanvas image={img} width={thumbWidth} label={caption} testId={`warp-preview-frame-${j}`} />
              <figcaption style={{ fontSize: '0.75em', maxWidth: thumbWidth }}>{caption}</figcaption>
            </figure>
          );
        })}
      </div>
    </div>
  );
}

export default WarpPreview;
