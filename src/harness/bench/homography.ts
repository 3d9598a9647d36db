/**
 * `npm run bench -- homography --json`: homography estimation in Chromium (opencv.js wasm on
 * the page's main thread, the same code the geometry worker runs), on the accuracy protocol of
 * src/engine/geometry/evaluate.ts: the 8 test photographs warped by random head-motion
 * homographies with blur, noise and a brightness change.
 *
 * One record per (configuration, frame size): ms is the mean wall time per pair (features of
 * both frames, matching, robust fit, refinement), meanCornerErrPx the mean corner error of the
 * successful pairs (success: no fallback and error < 3 px), successRate and fallbackRate over all
 * pairs. A last record per size times a whole T=5 window (4 pairs to the middle frame, direct).
 * Every configuration sees the same pairs (same seeds). Two more per size time the Hamming
 * matcher alone, side by side on the same ORB descriptors (the default config's, both frames of
 * each pair of the photos): `hamming matcher: js` (the SWAR loop) and `hamming matcher: wasm` (the
 * WebAssembly kernel, hamming.wat; `speedup` = js / wasm), ms per pair.
 */
import type { BenchRecord, BenchSuite } from '../types';
import { loadOpenCV } from '../../engine/geometry/opencv';
import { validateHomographyConfig, type HomographyConfig } from '../../engine/geometry/config';
import { runAccuracy, summarize } from '../../engine/geometry/evaluate';
import { estimateWindow } from '../../engine/geometry/window';
import { synthPair, synthSequence, scaleMotion, HEAD_MOTION } from '../../engine/geometry/synth';
import { loadTestPhotos } from '../shared/photos';
import { extractFeatures } from '../../engine/geometry/estimate';
import { hammingKnn } from '../../engine/geometry/hamming';

const CONFIGS: { name: string; cfg: Partial<HomographyConfig> }[] = [
  { name: 'orb + magsac + ecc (default)', cfg: {} },
  { name: 'orb + magsac (no refinement)', cfg: { refine: 'none' } },
  { name: 'orb + ransac 5px (paper-like)', cfg: { method: 'ransac', reprojThreshold: 5, refine: 'none', ratio: 0.7 } },
  { name: 'akaze + magsac + ecc', cfg: { detector: 'akaze' } },
  { name: 'akaze + magsac (no refinement)', cfg: { detector: 'akaze', refine: 'none' } },
];

const SHAPES: [number, number][] = [[224, 224], [320, 240]];

const bench: BenchSuite = {
  name: 'homography',
  async run({ quick }) {
    const { cv } = await loadOpenCV();
    const photos = await loadTestPhotos();
    const pairsPerPhoto = quick ? 2 : 6;
    const recs: BenchRecord[] = [];
    // warm-up: wasm tier-up and first-use allocations are not charged to the first configuration
    runAccuracy(cv, photos.slice(0, 2), validateHomographyConfig(), { width: 224, height: 224, pairsPerPhoto: 1, seed: 1 });
    runAccuracy(cv, photos.slice(0, 2), validateHomographyConfig({ detector: 'akaze' }), { width: 224, height: 224, pairsPerPhoto: 1, seed: 1 });
    for (const [w, h] of SHAPES) {
      const shape = `${w}x${h}`;
      for (const c of CONFIGS) {
        const cfg = validateHomographyConfig(c.cfg);
        const s = summarize(runAccuracy(cv, photos, cfg, { width: w, height: h, pairsPerPhoto, seed: 424242 }));
        recs.push({
          suite: 'homography', name: c.name, shape, ms: s.ms,
          meanCornerErrPx: s.meanCornerErrPx, successRate: s.successRate, fallbackRate: s.fallbackRate,
          medianCornerErrPx: s.medianCornerErrPx, pairs: s.pairs, detector: cfg.detector,
        });
      }
      const cfg = validateHomographyConfig();
      const feats = photos.map((p, k) => { const pr = synthPair(cv, p, w, h, 777 + k); return [extractFeatures(cv, pr.frameJ, cfg), extractFeatures(cv, pr.frameI, cfg)]; });
      const matchMs = (impl: 'js' | 'wasm') => {
        const reps = quick ? 2 : 10;
        for (const [a, b] of feats) hammingKnn(a.descriptors, a.count, b.descriptors, b.count, a.descBytes, impl); // warm-up
        const t0 = performance.now();
        for (let r = 0; r < reps; r++) for (const [a, b] of feats) hammingKnn(a.descriptors, a.count, b.descriptors, b.count, a.descBytes, impl);
        return (performance.now() - t0) / (reps * feats.length);
      };
      // each timed twice, alternately, the second taken: the first pass of a loop runs before the JIT's tier-up
      matchMs('js'); matchMs('wasm');
      const jsMs = matchMs('js'), wasmMs = matchMs('wasm');
      const rows = feats.reduce((n, [a, b]) => n + a.count + b.count, 0) / (2 * feats.length);
      for (const [impl, ms] of [['js', jsMs], ['wasm', wasmMs]] as const) {
        recs.push({
          suite: 'homography', name: `hamming matcher: ${impl}`, shape, ms,
          meanCornerErrPx: null, successRate: null, fallbackRate: null, pairs: feats.length, detector: 'orb',
          rowsPerFrame: Math.round(rows), ...(impl === 'wasm' ? { speedup: jsMs / wasmMs } : {}),
        });
      }
      const windows = photos.slice(0, quick ? 2 : 4).map((p, k) => synthSequence(cv, p, w, h, 5, 9100 + k, scaleMotion(HEAD_MOTION, 0.3)));
      const t0 = performance.now();
      let fallbacks = 0;
      for (const win of windows) fallbacks += estimateWindow(cv, win.frames, 2, cfg, 'direct').pairs.filter((p, j) => j !== 2 && p.fallback).length;
      recs.push({
        suite: 'homography', name: 'T=5 window, direct, default config', shape, ms: (performance.now() - t0) / windows.length,
        meanCornerErrPx: null, successRate: null, fallbackRate: fallbacks / (4 * windows.length), pairs: 4 * windows.length, detector: 'orb',
      });
    }
    return recs;
  },
};
export default bench;
