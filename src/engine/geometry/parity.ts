/**
 * Node/Chromium parity: the same seeded pairs through the same pipeline must give the same
 * homographies in both. `parityRecords` computes them; tools/geometry/make-parity.ts stores the
 * Node result in fixtures/parity.json; the unit test (Node) and the harness suite (Chromium)
 * both compare against that file with `compareParity`.
 */
import type { CV } from './opencv';
import type { GrayImage } from './png';
import { validateHomographyConfig } from './config';
import { estimatePairHomography } from './estimate';
import { synthPair } from './synth';

export interface ParityRecord {
  photo: number;
  seed: number;
  shape: string;
  H: number[];
  matches: number;
  inliers: number;
  fallback: boolean;
  refined: string;
}

export const PARITY_SHAPES: [number, number][] = [[320, 240], [224, 224]];

export function parityRecords(cv: CV, photos: GrayImage[], pairsPerPhoto = 2): ParityRecord[] {
  const cfg = validateHomographyConfig();
  const out: ParityRecord[] = [];
  for (const [w, h] of PARITY_SHAPES) {
    photos.forEach((photo, p) => {
      for (let k = 0; k < pairsPerPhoto; k++) {
        const seed = 90000 + 100 * p + k;
        const pair = synthPair(cv, photo, w, h, seed);
        const r = estimatePairHomography(cv, pair.frameJ, pair.frameI, cfg);
        out.push({ photo: p, seed, shape: `${w}x${h}`, H: r.H.map((v) => +v.toPrecision(10)), matches: r.matches, inliers: r.inliers, fallback: r.fallback, refined: r.refined });
      }
    });
  }
  return out;
}

/** Lists differences (empty when equal): counts exactly, H entries to a relative 1e-6. */
export function compareParity(got: ParityRecord[], want: ParityRecord[]): string[] {
  const diffs: string[] = [];
  if (got.length !== want.length) diffs.push(`record count ${got.length} vs ${want.length}`);
  for (let k = 0; k < Math.min(got.length, want.length); k++) {
    const a = got[k], b = want[k];
    const tag = `photo ${b.photo} seed ${b.seed} ${b.shape}`;
    if (a.matches !== b.matches || a.inliers !== b.inliers || a.fallback !== b.fallback || a.refined !== b.refined) {
      diffs.push(`${tag}: matches/inliers/fallback/refined ${a.matches}/${a.inliers}/${a.fallback}/${a.refined} vs ${b.matches}/${b.inliers}/${b.fallback}/${b.refined}`);
    }
    a.H.forEach((v, i) => {
      if (Math.abs(v - b.H[i]) > 1e-6 * Math.max(1, Math.abs(b.H[i]))) diffs.push(`${tag}: H[${i}] ${v} vs ${b.H[i]}`);
    });
  }
  return diffs;
}
