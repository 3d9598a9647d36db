/**
 * Geometry in Chromium: opencv.js loads in the page and in a module Worker, the accuracy targets
 * of issue 4 hold, results equal the Node run bit for bit (fixtures/parity.json), textureless
 * frames fall back, and the wasm heap does not grow over repeated pairs.
 */
import type { HarnessSuite } from '../types';
import { loadOpenCV, wasmHeapBytes } from '../../engine/geometry/opencv';
import type { GrayImage } from '../../engine/geometry/png';
import { validateHomographyConfig } from '../../engine/geometry/config';
import { estimatePairHomography, extractFeatures } from '../../engine/geometry/estimate';
import { hammingKernel, hammingKnn, hammingKnnJs } from '../../engine/geometry/hamming';
import { runAccuracy, summarize } from '../../engine/geometry/evaluate';
import { compareParity, parityRecords, type ParityRecord } from '../../engine/geometry/parity';
import { synthPair, synthSequence, scaleMotion, HEAD_MOTION } from '../../engine/geometry/synth';
import { meanCornerError, invert, mul } from '../../engine/geometry/homography';
import { GeometryClient } from '../../engine/geometry/client';
import { loadTestPhotos } from '../shared/photos';
import fixture from '../../engine/geometry/fixtures/parity.json';

const cpu = ['cpu'];

const suite: HarnessSuite = {
  name: 'geometry',
  checks: [
    {
      name: 'opencv.js loads once in the page (4.x thenable not awaited)',
      backends: cpu,
      async run() {
        const a = await loadOpenCV();
        const b = await loadOpenCV();
        if (a.cv !== b.cv) throw new Error('loadOpenCV returned two different modules');
        if (typeof a.cv.findHomography !== 'function' || typeof a.cv.USAC_MAGSAC !== 'number') throw new Error('findHomography / USAC_MAGSAC missing');
      },
    },
    {
      name: 'the Hamming kernel (WebAssembly) gives its JS reference\'s matches on ORB features of real frames',
      backends: cpu,
      async run() {
        const { cv } = await loadOpenCV();
        if (!hammingKernel()) throw new Error('the WebAssembly Hamming kernel did not instantiate');
        const cfg = validateHomographyConfig();
        for (const [k, photo] of (await loadTestPhotos()).slice(0, 3).entries()) {
          const p = synthPair(cv, photo, 224, 224, 61 + k);
          const a = extractFeatures(cv, p.frameJ, cfg), b = extractFeatures(cv, p.frameI, cfg);
          const got = hammingKnn(a.descriptors, a.count, b.descriptors, b.count, a.descBytes, 'wasm');
          const want = hammingKnnJs(a.descriptors, a.count, b.descriptors, b.count, a.descBytes);
          for (const key of ['best', 'bestDist', 'secondDist', 'reverseBest'] as const) {
            const i = got[key].findIndex((v, j) => v !== want[key][j]);
            if (i >= 0 || got[key].length !== want[key].length) throw new Error(`photo ${k}: ${key}[${i}] is ${got[key][i]}, the JS loop says ${want[key][i]}`);
          }
          if (a.count < 100) throw new Error(`photo ${k}: only ${a.count} ORB rows`);
        }
      },
    },
    {
      name: 'same homographies as Node (fixtures/parity.json)',
      backends: cpu,
      async run() {
        const { cv } = await loadOpenCV();
        const diffs = compareParity(parityRecords(cv, await loadTestPhotos()), fixture as ParityRecord[]);
        if (diffs.length) throw new Error(`${diffs.length} differences from the Node run, first: ${diffs.slice(0, 3).join('; ')}`);
      },
    },
    {
      name: '320x240 accuracy: mean corner error <= 1 px, success >= 95%',
      backends: cpu,
      async run() {
        const { cv } = await loadOpenCV();
        const s = summarize(runAccuracy(cv, await loadTestPhotos(), validateHomographyConfig(), { width: 320, height: 240, pairsPerPhoto: 4, seed: 424242 }));
        console.log(`geometry accuracy in Chromium: ${JSON.stringify(s)}`);
        if (s.successRate < 0.95) throw new Error(`success ${s.successRate} < 0.95`);
        if (!(s.meanCornerErrPx <= 1)) throw new Error(`mean corner error ${s.meanCornerErrPx} px > 1`);
      },
    },
    {
      name: 'textureless frames fall back to identity with the reason',
      backends: cpu,
      async run() {
        const { cv } = await loadOpenCV();
        const flat: GrayImage = { width: 320, height: 240, data: new Uint8Array(320 * 240).fill(120) };
        const p = synthPair(cv, (await loadTestPhotos())[0], 320, 240, 1);
        const r = estimatePairHomography(cv, flat, p.frameI, validateHomographyConfig());
        if (!r.fallback || r.reason !== 'textureless') throw new Error(`got fallback ${r.fallback} reason ${r.reason}`);
      },
    },
    {
      name: 'wasm heap does not grow over 200 pairs',
      backends: cpu,
      async run() {
        const { cv } = await loadOpenCV();
        const ph = await loadTestPhotos();
        const pairs = [0, 1, 2, 3].map((k) => synthPair(cv, ph[k], 160, 120, 300 + k));
        const cfg = validateHomographyConfig({ maxFeatures: 300 });
        const probe = () => { const q = cv._malloc(1 << 20); cv._free(q); return q as number; };
        for (let k = 0; k < 8; k++) estimatePairHomography(cv, pairs[k % 4].frameJ, pairs[k % 4].frameI, cfg);
        const heap0 = wasmHeapBytes(cv), probe0 = probe();
        for (let k = 0; k < 200; k++) estimatePairHomography(cv, pairs[k % 4].frameJ, pairs[k % 4].frameI, cfg);
        if (wasmHeapBytes(cv) !== heap0) throw new Error(`heap grew ${heap0} -> ${wasmHeapBytes(cv)}`);
        if (probe() !== probe0) throw new Error('allocator probe moved: something was not deleted');
      },
    },
    {
      name: 'geometry worker estimates a window (opencv.js inside a module Worker)',
      backends: cpu,
      async run() {
        const { cv } = await loadOpenCV();
        const { frames, poses } = synthSequence(cv, (await loadTestPhotos())[2], 224, 224, 3, 5, scaleMotion(HEAD_MOTION, 0.3));
        const rgba = frames.map((f) => {
          const d = new Uint8ClampedArray(f.width * f.height * 4);
          for (let k = 0; k < f.data.length; k++) { d[4 * k] = d[4 * k + 1] = d[4 * k + 2] = f.data[k]; d[4 * k + 3] = 255; }
          return new ImageData(d, f.width, f.height);
        });
        const client = GeometryClient.create();
        try {
          await client.warmUp();
          const r = await client.estimateWindow({ frames: rgba, query: 1 });
          for (const j of [0, 2]) {
            const e = meanCornerError(r.pairs[j].H, mul(invert(poses[1]), poses[j]), 224, 224);
            if (r.pairs[j].fallback || !(e < 1)) throw new Error(`pair ${j}->1: fallback ${r.pairs[j].fallback} (${r.pairs[j].reason}), error ${e} px`);
          }
          let threw = false;
          try { await client.estimateWindow({ frames: rgba, query: 1, config: { ratio: 9 } }); } catch (e) { threw = (e as Error).name === 'InvalidConfigError'; }
          if (!threw) throw new Error('a bad config did not come back as InvalidConfigError');
        } finally {
          client.terminate();
        }
      },
    },
  ],
};
export default suite;
