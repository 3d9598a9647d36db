/**
 * H_ji for every support frame j of a T-frame window to the query frame i (paper 000 sec. 2.3).
 *
 * Modes (measured in docs/geometry.md, `npx tsx tools/geometry/direct-vs-chained.ts`):
 *  - 'direct':  each j matched to i (the paper's h(I_j, I_i)).
 *  - 'chained': consecutive pairs t -> t+-1 estimated, composed towards i; errors add up along
 *               the chain and one failed link breaks every frame behind it.
 *  - 'hybrid':  direct; where the direct pair falls back, the chain's composition is used as the
 *               start of a direct ECC refinement j -> i (kept only if ECC accepts it).
 * Features are extracted once per frame and shared by all pairs.
 */
import type { CV } from './opencv';
import { withCvScope } from './scope';
import type { GrayImage } from './png';
import type { HomographyConfig } from './config';
import { estimateFromFeatures, extractFeaturesFromMat, grayToMat, refineEcc, degeneracy, type FrameFeatures, type PairHomography } from './estimate';
import { identity, meanCornerError, mul, normalize } from './homography';

export type WindowMode = 'direct' | 'chained' | 'hybrid';

export interface WindowHomographies {
  query: number;
  mode: WindowMode;
  /** One entry per frame t of the window, in order; entry `query` is the identity ('self'). */
  pairs: PairHomography[];
}

export function estimateWindow(cv: CV, frames: GrayImage[], query: number, cfg: HomographyConfig, mode: WindowMode = 'direct'): WindowHomographies {
  const T = frames.length;
  if (!Number.isInteger(query) || query < 0 || query >= T) throw new RangeError(`query index ${query} outside the window [0, ${T - 1}]`);
  const { width, height } = frames[query];
  for (const [t, f] of frames.entries()) {
    if (f.width !== width || f.height !== height) throw new Error(`frame ${t} is ${f.width}x${f.height}, query is ${width}x${height}`);
  }
  return withCvScope((scope) => {
    const mats = frames.map((f) => grayToMat(cv, scope, f));
    const feats: FrameFeatures[] = frames.map((f, t) => extractFeaturesFromMat(cv, mats[t], f, cfg));
    const self: PairHomography = { from: query, to: query, H: identity(), matches: 0, inliers: 0, inlierRatio: 1, fallback: false, reason: null, refined: 'none', via: 'self' };
    const pairs: PairHomography[] = new Array(T);
    pairs[query] = self;

    const direct = (j: number) => estimateFromFeatures(cv, scope, j, query, feats[j], feats[query], mats[j], mats[query], cfg);

    // Links t -> t+step towards the query, composed outwards: H_ji = H_{k,i} H_{j,k}.
    const chain = (): PairHomography[] => {
      const out: PairHomography[] = new Array(T);
      out[query] = self;
      for (const dir of [-1, 1]) {
        for (let j = query + dir; j >= 0 && j < T; j += dir) {
          const next = j - dir; // one step closer to the query
          const link = estimateFromFeatures(cv, scope, j, next, feats[j], feats[next], mats[j], mats[next], cfg);
          const inner = out[next];
          if (link.fallback || inner.fallback) {
            // Report the break nearest the query: everything behind it is lost.
            const detail = inner.fallback ? inner.detail : `chain link ${link.from}->${link.to}: ${link.detail ?? link.reason}`;
            const reason = inner.fallback ? inner.reason : link.reason;
            out[j] = { ...link, from: j, to: query, H: identity(), fallback: true, reason, detail, via: 'chained' };
          } else {
            out[j] = {
              from: j,
              to: query,
              H: normalize(mul(inner.H, link.H)),
              matches: link.matches,
              inliers: link.inliers,
              inlierRatio: link.inlierRatio,
              fallback: false,
              reason: null,
              refined: link.refined,
              via: 'chained',
            };
          }
        }
      }
      return out;
    };

    if (mode === 'direct') {
      for (let j = 0; j < T; j++) if (j !== query) pairs[j] = direct(j);
    } else if (mode === 'chained') {
      const c = chain();
      for (let j = 0; j < T; j++) pairs[j] = c[j];
    } else {
      let c: PairHomography[] | null = null;
      for (let j = 0; j < T; j++) {
        if (j === query) continue;
        const d = direct(j);
        pairs[j] = d;
        if (!d.fallback || d.reason === 'textureless') continue;
        c ??= chain();
        const init = c[j];
        if (init.fallback) continue;
        const R = refineEcc(cv, scope, mats[j], mats[query], init.H, width, height, cfg);
        if (R && R.rho >= cfg.minEccCorrelation && !degeneracy(R.H, width, height, cfg) && meanCornerError(R.H, init.H, width, height) <= cfg.maxRefineShiftPx) {
          pairs[j] = { ...init, H: R.H, refined: 'ecc', eccRho: R.rho, via: 'chained', detail: `direct fell back (${d.reason}); chain + direct ECC` };
        }
      }
    }
    return { query, mode, pairs };
  });
}
