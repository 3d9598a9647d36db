/**
 * 3x3 homography arithmetic in plain TypeScript (row-major, length-9 arrays).
 *
 * Convention used everywhere in egosound: H_ji maps pixel coordinates of support frame j to
 * pixel coordinates of query frame i, [x_i, y_i, 1]^T ~ H_ji [x_j, y_j, 1]^T, with pixel centres
 * at integer coordinates (OpenCV's convention), so `cv.warpPerspective(frame_j, H_ji, size_i)`
 * shows frame j from frame i's viewpoint.
 */

export type Mat3 = number[]; // [9], row-major

export const IDENTITY: Mat3 = [1, 0, 0, 0, 1, 0, 0, 0, 1];

export function identity(): Mat3 {
  return IDENTITY.slice();
}

/** a * b */
export function mul(a: Mat3, b: Mat3): Mat3 {
  const r = new Array<number>(9);
  for (let i = 0; i < 3; i++) {
    for (let j = 0; j < 3; j++) {
      r[3 * i + j] = a[3 * i] * b[j] + a[3 * i + 1] * b[3 + j] + a[3 * i + 2] * b[6 + j];
    }
  }
  return r;
}

export function det(m: Mat3): number {
  return m[0] * (m[4] * m[8] - m[5] * m[7]) - m[1] * (m[3] * m[8] - m[5] * m[6]) + m[2] * (m[3] * m[7] - m[4] * m[6]);
}

/** Inverse by the adjugate; throws on a singular matrix. */
export function invert(m: Mat3): Mat3 {
  const d = det(m);
  if (!Number.isFinite(d) || Math.abs(d) < 1e-15) throw new Error(`cannot invert a singular 3x3 matrix (det ${d})`);
  const r = [
    m[4] * m[8] - m[5] * m[7], m[2] * m[7] - m[1] * m[8], m[1] * m[5] - m[2] * m[4],
    m[5] * m[6] - m[3] * m[8], m[0] * m[8] - m[2] * m[6], m[2] * m[3] - m[0] * m[5],
    m[3] * m[7] - m[4] * m[6], m[1] * m[6] - m[0] * m[7], m[0] * m[4] - m[1] * m[3],
  ];
  return r.map((v) => v / d);
}

/** Scales so that m[8] = 1 (when m[8] is not ~0). */
export function normalize(m: Mat3): Mat3 {
  const s = m[8];
  if (Math.abs(s) < 1e-12) return m.slice();
  return m.map((v) => v / s);
}

/** Maps one point; returns [NaN, NaN] for a point sent to infinity. */
export function apply(m: Mat3, x: number, y: number): [number, number] {
  const w = m[6] * x + m[7] * y + m[8];
  if (Math.abs(w) < 1e-12) return [NaN, NaN];
  return [(m[0] * x + m[1] * y + m[2]) / w, (m[3] * x + m[4] * y + m[5]) / w];
}

/** The four frame corners, pixel-centre convention. */
export function frameCorners(width: number, height: number): [number, number][] {
  return [[0, 0], [width - 1, 0], [width - 1, height - 1], [0, height - 1]];
}

/**
 * Mean distance (px, in the target frame) between where `est` and `truth` send the corners of a
 * width x height source frame: the usual homography accuracy figure.
 */
export function meanCornerError(est: Mat3, truth: Mat3, width: number, height: number): number {
  let sum = 0;
  for (const [x, y] of frameCorners(width, height)) {
    const [ax, ay] = apply(est, x, y);
    const [bx, by] = apply(truth, x, y);
    const e = Math.hypot(ax - bx, ay - by);
    sum += Number.isFinite(e) ? e : 1e9;
  }
  return sum / 4;
}

/**
 * H_feat = S H S^-1: the same camera motion expressed on a resized grid (paper 000 sec. 2.3:
 * "the homography matrix should also be downsampled using the same scaling factor").
 *
 * Pixel centres are kept aligned the way bilinear resizing with align_corners=false (tf.image
 * resizeBilinear's default, cv.resize) maps them: x_feat = (x_img + 0.5) * s - 0.5, with
 * s = featW / imgW (and t = featH / imgH for y). So S = [[s,0,(s-1)/2],[0,t,(t-1)/2],[0,0,1]].
 * With `centerAligned: false` the plain S = diag(s, t, 1) is used instead (corner-aligned grids).
 */
export function scaleHomography(
  h: Mat3,
  from: { width: number; height: number },
  to: { width: number; height: number },
  opts: { centerAligned?: boolean } = {},
): Mat3 {
  const s = to.width / from.width;
  const t = to.height / from.height;
  const centered = opts.centerAligned ?? true;
  const ox = centered ? (s - 1) / 2 : 0;
  const oy = centered ? (t - 1) / 2 : 0;
  const S: Mat3 = [s, 0, ox, 0, t, oy, 0, 0, 1];
  const Sinv: Mat3 = [1 / s, 0, -ox / s, 0, 1 / t, -oy / t, 0, 0, 1];
  return normalize(mul(mul(S, h), Sinv));
}

/** Is the quadrilateral (in order) strictly convex with consistent orientation? */
export function isConvexQuad(pts: [number, number][]): boolean {
  let sign = 0;
  for (let i = 0; i < 4; i++) {
    const [ax, ay] = pts[i];
    const [bx, by] = pts[(i + 1) % 4];
    const [cx, cy] = pts[(i + 2) % 4];
    const cross = (bx - ax) * (cy - by) - (by - ay) * (cx - bx);
    if (!Number.isFinite(cross) || cross === 0) return false;
    const s = Math.sign(cross);
    if (sign === 0) sign = s;
    else if (s !== sign) return false;
  }
  return true;
}

/** Area of a simple polygon (shoelace), absolute. */
export function polygonArea(pts: [number, number][]): number {
  let a = 0;
  for (let i = 0; i < pts.length; i++) {
    const [x0, y0] = pts[i];
    const [x1, y1] = pts[(i + 1) % pts.length];
    a += x0 * y1 - x1 * y0;
  }
  return Math.abs(a) / 2;
}
