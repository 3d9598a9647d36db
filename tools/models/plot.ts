/**
 * A loss-curve PNG without a plotting library: series drawn as polylines on a white canvas with
 * a frame, horizontal grid lines at round values, and a legend swatch per series (no text
 * rendering: the CSV beside it carries the numbers; the grid values are in the file name's CSV).
 */
import { encodePng } from '../data/png.ts';

export interface Series { points: [number, number][]; rgb: [number, number, number] }

export function plotPng(series: Series[], width = 640, height = 360): Buffer {
  const data = new Uint8Array(width * height * 3).fill(255);
  const px = (x: number, y: number, c: [number, number, number]) => {
    if (x < 0 || y < 0 || x >= width || y >= height) return;
    const o = (Math.round(y) * width + Math.round(x)) * 3;
    data[o] = c[0]; data[o + 1] = c[1]; data[o + 2] = c[2];
  };
  const all = series.flatMap((s) => s.points).filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y));
  const m = 30;
  const [x0, x1] = [Math.min(...all.map((p) => p[0])), Math.max(...all.map((p) => p[0]))];
  const [y0, y1] = [Math.min(0, ...all.map((p) => p[1])), Math.max(...all.map((p) => p[1]))];
  const X = (x: number) => m + ((x - x0) / (x1 - x0 || 1)) * (width - 2 * m);
  const Y = (y: number) => height - m - ((y - y0) / (y1 - y0 || 1)) * (height - 2 * m);
  // grid every 0.5 (loss units), frame
  for (let g = Math.ceil(y0 * 2) / 2; g <= y1; g += 0.5) for (let x = m; x < width - m; x += 2) px(x, Y(g), [210, 210, 210]);
  for (let x = m; x <= width - m; x++) { px(x, m, [0, 0, 0]); px(x, height - m, [0, 0, 0]); }
  for (let y = m; y <= height - m; y++) { px(m, y, [0, 0, 0]); px(width - m, y, [0, 0, 0]); }
  series.forEach((s, k) => {
    for (let i = 1; i < s.points.length; i++) {
      const [ax, ay] = [X(s.points[i - 1][0]), Y(s.points[i - 1][1])];
      const [bx, by] = [X(s.points[i][0]), Y(s.points[i][1])];
      const n = Math.max(1, Math.ceil(Math.hypot(bx - ax, by - ay)));
      for (let t = 0; t <= n; t++) { px(ax + ((bx - ax) * t) / n, ay + ((by - ay) * t) / n, s.rgb); px(ax + ((bx - ax) * t) / n, ay + ((by - ay) * t) / n + 1, s.rgb); }
    }
    for (let y = 0; y < 8; y++) for (let x = 0; x < 20; x++) px(width - m - 30 - x, m + 6 + 12 * k + y, s.rgb);
  });
  return encodePng({ width, height, channels: 3, data });
}
