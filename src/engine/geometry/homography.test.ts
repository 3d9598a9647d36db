import { describe, expect, it } from 'vitest';
import { apply, det, identity, invert, isConvexQuad, meanCornerError, mul, normalize, scaleHomography, type Mat3 } from './homography';

const close = (a: number[], b: number[], tol = 1e-9) => a.forEach((v, k) => expect(Math.abs(v - b[k]), `entry ${k}: ${v} vs ${b[k]}`).toBeLessThan(tol));

describe('3x3 homography arithmetic', () => {
  const H: Mat3 = normalize([1.05, 0.12, -14, -0.09, 0.97, 8, 1e-4, -2e-4, 1]);

  it('invert(H) * H = I and det(I) = 1', () => {
    close(mul(invert(H), H), identity(), 1e-12);
    expect(det(identity())).toBe(1);
    expect(() => invert([1, 2, 3, 2, 4, 6, 0, 0, 0])).toThrow(/singular/);
  });

  it('apply maps a point like the matrix product', () => {
    const [x, y] = apply(H, 100, 50);
    const w = H[6] * 100 + H[7] * 50 + H[8];
    expect(x).toBeCloseTo((H[0] * 100 + H[1] * 50 + H[2]) / w, 12);
    expect(y).toBeCloseTo((H[3] * 100 + H[4] * 50 + H[5]) / w, 12);
  });

  it('corner error: 0 for equal matrices, the shift for a translation', () => {
    expect(meanCornerError(H, H, 320, 240)).toBeLessThan(1e-9);
    expect(meanCornerError([1, 0, 3, 0, 1, 4, 0, 0, 1], identity(), 320, 240)).toBeCloseTo(5, 9);
  });

  it('convexity of quads', () => {
    expect(isConvexQuad([[0, 0], [10, 0], [10, 10], [0, 10]])).toBe(true);
    expect(isConvexQuad([[0, 0], [10, 0], [2, 2], [0, 10]])).toBe(false);
  });
});

describe('scaleHomography: H_feat = S H S^-1', () => {
  const img = { width: 224, height: 224 };
  const feat = { width: 28, height: 28 };
  const H: Mat3 = normalize([0.98, -0.17, 30, 0.16, 1.01, -12, 2e-4, 1e-4, 1]);

  it('leaves the identity alone and scales a translation by the resize factor', () => {
    close(scaleHomography(identity(), img, feat), identity(), 1e-12);
    const t = scaleHomography([1, 0, 16, 0, 1, -8, 0, 0, 1], img, feat);
    close(t, [1, 0, 2, 0, 1, -1, 0, 0, 1], 1e-12);
  });

  it('commutes with the pixel-centre map x_f = (x + 0.5) s - 0.5 (align_corners=false)', () => {
    const s = feat.width / img.width;
    const Hf = scaleHomography(H, img, feat);
    for (const [x, y] of [[0, 0], [223, 0], [100, 37], [223, 223], [11.5, 200.25]]) {
      const [u, v] = apply(H, x, y);
      const [uf, vf] = apply(Hf, (x + 0.5) * s - 0.5, (y + 0.5) * s - 0.5);
      expect(uf).toBeCloseTo((u + 0.5) * s - 0.5, 9);
      expect(vf).toBeCloseTo((v + 0.5) * s - 0.5, 9);
    }
  });

  it('corner-aligned variant is plain diag(s, t, 1) conjugation; round trip restores H', () => {
    const Hf = scaleHomography(H, { width: 320, height: 240 }, { width: 40, height: 20 }, { centerAligned: false });
    const [u, v] = apply(H, 80, 60);
    const [uf, vf] = apply(Hf, 80 / 8, 60 / 12);
    expect(uf).toBeCloseTo(u / 8, 9);
    expect(vf).toBeCloseTo(v / 12, 9);
    close(scaleHomography(scaleHomography(H, img, feat), feat, img), H, 1e-9);
  });

  it('does not modify its input', () => {
    const copy = H.slice();
    scaleHomography(H, img, feat);
    expect(H).toEqual(copy);
  });
});
