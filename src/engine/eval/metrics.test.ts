import { describe, it, expect } from 'vitest';
import { resizeBilinear, minMax, medianBinarize, ciou, boxesToMask, averagePrecision, scoreFrame, summarize, baselines, EVAL_SIZE } from './metrics';
import { rng } from '../testing/compare';
import { lookAlikeBoxes, soundingBoxes, type ClipMeta } from './truth';

describe('LVS localization metrics', () => {
  it('bilinear resize uses half-pixel centres like OpenCV INTER_LINEAR', () => {
    // 2x1 -> 4x1: OpenCV gives [0, 0.25, 0.75, 1] * (b - a) + a for a = 0, b = 1.
    const r = resizeBilinear([0, 1], 1, 2, 1, 4);
    expect(Array.from(r)).toEqual([0, 0.25, 0.75, 1]);
    const c = resizeBilinear([5], 1, 1, 3, 3);
    expect(Array.from(c)).toEqual(new Array(9).fill(5));
  });

  it('median binarisation marks strictly-above-median pixels; a constant map marks everything', () => {
    const P = medianBinarize(minMax(Float64Array.from([0, 1, 2, 3])));
    expect(Array.from(P)).toEqual([0, 0, 0, 1]); // thr = sorted[2] = 2/3, strictly greater
    expect(Array.from(medianBinarize(minMax(Float64Array.from([4, 4]))))).toEqual([1, 1]);
  });

  it('cIoU: hand-computed cases', () => {
    const G = Float64Array.from([1, 1, 0, 0]);
    expect(ciou(Uint8Array.from([1, 1, 0, 0]), G)).toBe(1);
    expect(ciou(Uint8Array.from([1, 0, 1, 0]), G)).toBeCloseTo(1 / 3); // 1 / (2 + 1)
    expect(ciou(Uint8Array.from([0, 0, 1, 1]), G)).toBe(0);
    // soft ground truth (two annotators): 0.5 counts half
    expect(ciou(Uint8Array.from([1, 1, 0, 0]), Float64Array.from([1, 0.5, 0, 0]))).toBeCloseTo(1.5 / 1.5);
  });

  it('the median threshold caps cIoU at about 2g for small objects unless the map is exactly binary', () => {
    const G = boxesToMask([{ x0: 0, y0: 0, x1: 71, y1: 71 }], 224, 224); // ~10% of the frame
    const g = G.reduce((a, b) => a + b, 0) / G.length;
    // The exact binary oracle survives the median threshold (the median value is 0, P = map > 0)...
    const sharp = scoreFrame(baselines.oracle(G), EVAL_SIZE, EVAL_SIZE, G);
    expect(sharp.ciou).toBe(1);
    expect(sharp.pointing).toBe(true);
    expect(sharp.pixelAP).toBe(1);
    // ...but any map with distinct values everywhere (here: the oracle plus a faint ramp) marks
    // half the image positive, so cIoU = sum(G) / (N / 2) = 2g.
    const ramp = Float64Array.from(G, (v, i) => v + 1e-6 * (i / G.length));
    const soft = scoreFrame(ramp, EVAL_SIZE, EVAL_SIZE, G);
    expect(soft.ciou).toBeCloseTo(2 * g, 3);
    expect(soft.pixelAP).toBe(1);
    // A half-frame object: even the ramped oracle reaches ~1.
    const half = boxesToMask([{ x0: 0, y0: 0, x1: 112, y1: 224 }], 224, 224);
    const halfRamp = Float64Array.from(half, (v, i) => v + 1e-6 * (i / half.length));
    expect(scoreFrame(halfRamp, EVAL_SIZE, EVAL_SIZE, half).ciou).toBeGreaterThan(0.99);
  });

  it('whole image scores sum(G) / N; centre prior hits a centred box and misses a corner one', () => {
    const big = boxesToMask([{ x0: 20, y0: 20, x1: 200, y1: 200 }], 224, 224);
    const whole = scoreFrame(baselines.wholeImage(), EVAL_SIZE, EVAL_SIZE, big);
    expect(whole.ciou).toBeCloseTo(big.reduce((a, b) => a + b, 0) / big.length, 6);
    const centreBox = boxesToMask([{ x0: 90, y0: 90, x1: 134, y1: 134 }], 224, 224);
    const corner = boxesToMask([{ x0: 0, y0: 0, x1: 44, y1: 44 }], 224, 224);
    expect(scoreFrame(baselines.centre(), EVAL_SIZE, EVAL_SIZE, centreBox).pointing).toBe(true);
    expect(scoreFrame(baselines.centre(), EVAL_SIZE, EVAL_SIZE, corner).pointing).toBe(false);
  });

  it('average precision matches hand computation, ties grouped', () => {
    // scores desc: 0.9(+) 0.8(-) 0.7(+) 0.1(-): AP = 0.5*1 + 0.5*(2/3)
    expect(averagePrecision([0.9, 0.8, 0.7, 0.1], [1, 0, 1, 0])).toBeCloseTo(0.5 + 1 / 3);
    // all tied: AP = precision = 0.5
    expect(averagePrecision([1, 1, 1, 1], [1, 0, 1, 0])).toBeCloseTo(0.5);
    expect(Number.isNaN(averagePrecision([1, 2], [0, 0]))).toBe(true);
    // random scores on a 25% mask: AP near the base rate
    const r = rng(3);
    const n = 20000;
    const lab = Array.from({ length: n }, (_, i) => (i % 4 === 0 ? 1 : 0));
    expect(averagePrecision(Array.from({ length: n }, r), lab)).toBeCloseTo(0.25, 1);
  });

  it('summary: ciou50 and the AUC trapezoid over t = 0..1 step 0.05', () => {
    const s = summarize([{ ciou: 1, pointing: true, pixelAP: 1 }, { ciou: 0, pointing: false, pixelAP: 0.5 }]);
    expect(s.ciou50).toBe(0.5);
    // frac(0) = 1, frac(t > 0) = 0.5 for every other t: area = 0.05 * (1 + 0.5)/2 + 0.95 * 0.5
    expect(s.auc).toBeCloseTo(0.05 * 0.75 + 0.95 * 0.5, 10);
    expect(s.pointing).toBe(0.5);
    expect(s.pixelAP).toBe(0.75);
    const all = summarize([{ ciou: 1, pointing: true, pixelAP: 1 }]);
    expect(all.auc).toBeCloseTo(1, 10);
  });

  it('identity oracle: the sounding object and its silent copy; the peak lands in either, about half the time in the copy', () => {
    const obj = (instanceId: number, sounding: boolean, box: [number, number, number, number]) => ({ instanceId, sounding, visible: true, box, maskArea: 0.04, boxArea: 0.04 });
    const meta = {
      objects: [{ instanceId: 1, classLabel: 'dog', sounding: true }, { instanceId: 2, classLabel: 'dog', sounding: false }, { instanceId: 3, classLabel: 'cat', sounding: false }],
      sources: [{ sourceId: 'obj1', instanceId: 1, onScreen: true, activeSegments: [true] }],
      frames: [
        { index: 0, time: 0, image: '', objects: [obj(1, true, [10, 10, 49, 49]), obj(2, false, [150, 150, 189, 189]), obj(3, false, [10, 150, 49, 189])], sources: [{ sourceId: 'obj1', activeInSegment: true }] },
        { index: 1, time: 0.1, image: '', objects: [obj(1, true, [10, 10, 49, 49]), obj(2, false, [150, 150, 189, 189])], sources: [{ sourceId: 'obj1', activeInSegment: false }] },
      ],
    } as unknown as ClipMeta;
    const boxes = lookAlikeBoxes(meta, 0);
    expect(boxes).toEqual([{ x0: 10, y0: 10, x1: 50, y1: 50 }, { x0: 150, y0: 150, x1: 190, y1: 190 }]); // the cat is not a look-alike
    expect(lookAlikeBoxes(meta, 1)).toEqual([]); // silent second: no ground truth
    const G = boxesToMask(soundingBoxes(meta, 0).boxes, 224, 224);
    const r = rng(3);
    let hits = 0;
    for (let i = 0; i < 200; i++) {
      const m = baselines.identityOracle(boxes, 224, 224, r);
      const s = scoreFrame(m, EVAL_SIZE, EVAL_SIZE, G);
      if (s.pointing) hits++;
      // ranked above its copy the object's pixels all come first (AP 1); below it, after as many false ones (AP ~0.5)
      expect(s.pixelAP).toBeCloseTo(s.pointing ? 1 : 0.5, 1);
    }
    expect(hits).toBeGreaterThan(70);
    expect(hits).toBeLessThan(130);
    // with no copy in view it is the ground truth
    expect(scoreFrame(baselines.identityOracle([boxes[0]], 224, 224, r), EVAL_SIZE, EVAL_SIZE, G).pointing).toBe(true);
  });
});
