/**
 * Worker-side API of the geometry engine: plain data in, plain data out (structured-clone safe),
 * so it runs the same behind a Worker's postMessage, in Node, or in the harness page.
 *
 *   const r = await estimateWindowHomographies({ frames, query: 4 });
 *   r.pairs[j].H                      // H_ji, frame j -> query frame, 3x3 row-major
 *   toFeatureResolution(r, frameSize, { width: 28, height: 28 })  // S H S^-1 for the kernels' warp
 */
import { loadOpenCV } from './opencv';
import { validateHomographyConfig, type HomographyConfig } from './config';
import { estimateWindow, type WindowHomographies, type WindowMode } from './window';
import { scaleHomography, type Mat3 } from './homography';
import { rgbaToGray, type RgbaFrame } from './warp';

export interface WindowRequest {
  /** T frames (ImageData-like RGBA, or 1 byte per pixel gray), all the same size. */
  frames: RgbaFrame[];
  /** Index of the query frame i. */
  query: number;
  /** 'direct' (default, chosen by measurement: docs/geometry.md), 'chained' or 'hybrid'. */
  mode?: WindowMode;
  config?: Partial<HomographyConfig>;
}

export interface WindowResponse extends WindowHomographies {
  width: number;
  height: number;
  ms: number;
}

/** Loads opencv.js (once) so the first real request does not pay for it. */
export async function warmUpGeometry(): Promise<void> {
  await loadOpenCV();
}

export async function estimateWindowHomographies(req: WindowRequest): Promise<WindowResponse> {
  const cfg = validateHomographyConfig(req.config);
  if (!req.frames.length) throw new RangeError('no frames given');
  const { cv } = await loadOpenCV();
  const t0 = performance.now();
  const gray = req.frames.map(rgbaToGray);
  const r = estimateWindow(cv, gray, req.query, cfg, req.mode ?? 'direct');
  return { ...r, width: gray[0].width, height: gray[0].height, ms: performance.now() - t0 };
}

/** Every pair's H scaled to a feature map's grid (H_feat = S H S^-1), in frame order. */
export function toFeatureResolution(r: { pairs: { H: Mat3 }[] }, frame: { width: number; height: number }, feature: { width: number; height: number }): Mat3[] {
  return r.pairs.map((p) => scaleHomography(p.H, frame, feature));
}
