import { beforeAll, describe, expect, it } from 'vitest';
import { loadOpenCV, type CV } from './opencv';
import { loadTestPhotos } from './testPhotosNode';
import { warpRgba, rgbaToGray, alignmentScore } from './warp';
import { estimateWindowHomographies, toFeatureResolution } from './service';
import { synthSequence, scaleMotion, HEAD_MOTION, randomHomography, makeRng } from './synth';
import { withCvScope } from './scope';
import { meanCornerError, invert, mul, scaleHomography } from './homography';
import type { GrayImage } from './png';
import { InvalidConfigError } from '../errors';

let cv: CV;
let photos: GrayImage[];
beforeAll(async () => {
  ({ cv } = await loadOpenCV());
  photos = await loadTestPhotos();
});

const toRgba = (g: GrayImage) => {
  const data = new Uint8ClampedArray(g.width * g.height * 4);
  for (let k = 0; k < g.data.length; k++) { data[4 * k] = g.data[k]; data[4 * k + 1] = g.data[k]; data[4 * k + 2] = g.data[k]; data[4 * k + 3] = 255; }
  return { width: g.width, height: g.height, data };
};

describe('warpRgba (main-thread preview warp)', () => {
  it('matches cv.warpPerspective inside the frame to within 1 grey level on 99% of pixels', () => {
    const src = toRgba({ width: 400, height: 300, data: photos[0].data });
    const H = randomHomography(makeRng(3), 400, 300);
    const ours = warpRgba(src, H);
    const ref = withCvScope((s) => {
      const m = s.track(cv.matFromArray(300, 400, cv.CV_8UC4, src.data));
      const o = s.track(new cv.Mat());
      cv.warpPerspective(m, o, s.track(cv.matFromArray(3, 3, cv.CV_64F, H)), new cv.Size(400, 300), cv.INTER_LINEAR, cv.BORDER_CONSTANT, new cv.Scalar(0, 0, 0, 0));
      return new Uint8Array(o.data);
    });
    let compared = 0, bad = 0;
    for (let k = 0; k < 400 * 300; k++) {
      if (ours.data[4 * k + 3] !== 255 || ref[4 * k + 3] !== 255) continue; // borders differ by design
      compared++;
      if (Math.abs(ours.data[4 * k] - ref[4 * k]) > 1) bad++;
    }
    expect(compared).toBeGreaterThan(0.5 * 400 * 300);
    expect(bad / compared).toBeLessThan(0.01);
  });

  it('rgbaToGray uses the BT.601 weights and passes gray through', () => {
    const g = rgbaToGray({ width: 2, height: 1, data: new Uint8ClampedArray([255, 0, 0, 255, 0, 0, 255, 255]) });
    expect(Array.from(g.data)).toEqual([76, 29]);
    expect(Array.from(rgbaToGray({ width: 2, height: 1, data: new Uint8Array([5, 6]) }).data)).toEqual([5, 6]);
  });
});

describe('alignmentScore', () => {
  it('rises towards 1 with the true H, stays put with identity, on every test photo', () => {
    for (let p = 0; p < photos.length; p++) {
      const { frames, poses } = synthSequence(cv, photos[p], 224, 224, 3, 77, scaleMotion(HEAD_MOTION, 0.5));
      const [j, q] = [toRgba(frames[0]), toRgba(frames[1])];
      const good = alignmentScore(j, q, mul(invert(poses[1]), poses[0]));
      const none = alignmentScore(j, q, [1, 0, 0, 0, 1, 0, 0, 0, 1]);
      expect(good.after, `photo ${p}`).toBeGreaterThan(0.9);
      expect(good.after - good.before, `photo ${p}`).toBeGreaterThan(0.1);
      expect(none.after).toBeCloseTo(none.before, 9);
      expect(none.coverage).toBe(1);
      expect(good.coverage).toBeLessThan(1);
    }
  });
});

describe('worker-side service', () => {
  it('estimates a window from RGBA frames and scales H to the feature grid', async () => {
    const { frames, poses } = synthSequence(cv, photos[4], 224, 224, 3, 21, scaleMotion(HEAD_MOTION, 0.3));
    const r = await estimateWindowHomographies({ frames: frames.map(toRgba), query: 1 });
    expect(r).toMatchObject({ width: 224, height: 224, query: 1, mode: 'direct' });
    expect(r.pairs.map((p) => p.fallback)).toEqual([false, false, false]);
    expect(meanCornerError(r.pairs[0].H, mul(invert(poses[1]), poses[0]), 224, 224)).toBeLessThan(1);
    const feat = toFeatureResolution(r, { width: 224, height: 224 }, { width: 28, height: 28 });
    expect(feat[2]).toEqual(scaleHomography(r.pairs[2].H, { width: 224, height: 224 }, { width: 28, height: 28 }));
    await expect(estimateWindowHomographies({ frames: frames.map(toRgba), query: 1, config: { ratio: 5 } })).rejects.toThrow(InvalidConfigError);
  });
});
