/**
 * Temporal attention settings (paper 000 sec. 2.3, eq. 1). DESIGN.md #5: copy, fill defaults,
 * throw naming the allowed range.
 */
import { InvalidConfigError } from '../../errors';
import { validateImpl, type KernelImpl } from '../warp/config';
import { MAX_T } from './program';

export interface TemporalAttentionConfig {
  /**
   * 'plain': eq. 1 as printed (query = key = value = the features, d = C). 'projected': learned
   * single-head q/k/v projections (weights passed to the op), d = Dk, as attention layers in public
   * code usually do. The shipped model uses 'plain' (eq. 1 has no projection weights to ship).
   */
  form: 'plain' | 'projected';
  /** Which frames are queries: 'all' (one output per frame, training / MIL) or one index (paper test: the middle frame). */
  queries: 'all' | number;
  /**
   * Leave supports whose sample point falls outside their source out of the softmax. Paper: false
   * (warped features are zero there and still attend, as cv2.warpPerspective output would).
   */
  maskInvalid: boolean;
  impl: KernelImpl;
}

export const DEFAULT_ATTENTION_CONFIG: TemporalAttentionConfig = {
  form: 'plain',
  queries: 'all',
  maskInvalid: false,
  impl: 'auto',
};

/** Largest clip length the kernels accept (capacity of their per-invocation arrays; paper T = 9). */
export const MAX_FRAMES = MAX_T;

export function validateAttentionConfig(c: Partial<TemporalAttentionConfig> = {}, t?: number): TemporalAttentionConfig {
  const out = { ...DEFAULT_ATTENTION_CONFIG, ...c };
  if (out.form !== 'plain' && out.form !== 'projected') throw new InvalidConfigError('form', `must be 'plain' or 'projected', got ${String(out.form)}`);
  if (out.queries !== 'all') {
    const q = out.queries;
    if (typeof q !== 'number' || !Number.isInteger(q) || q < 0 || (t !== undefined && q >= t)) {
      throw new InvalidConfigError('queries', `must be 'all' or an integer frame index in [0, ${t === undefined ? 'T' : t - 1}], got ${String(q)}`);
    }
  }
  if (typeof out.maskInvalid !== 'boolean') throw new InvalidConfigError('maskInvalid', 'must be true or false');
  out.impl = validateImpl(out.impl);
  if (t !== undefined && (t < 1 || t > MAX_FRAMES)) throw new InvalidConfigError('T', `clip length must be in [1, ${MAX_FRAMES}], got ${t}`);
  return out;
}
