/**
 * Audio-visual cosine map, soft localization (paper 000 sec. 2.2) and the differentiable threshold
 * (sec. 2.4). DESIGN.md #5: copy, fill defaults, throw naming the allowed range.
 */
import { InvalidConfigError } from '../../errors';
import { validateImpl, type KernelImpl } from '../warp/config';

export interface SoftLocConfig {
  /** Threshold epsilon of m = sigmoid((S - epsilon) / tau). Paper's public code: 0.5. */
  epsilon: number;
  /** Temperature tau of the threshold. Paper's public code: 0.03. */
  tau: number;
  /** Softmax temperature over locations, Softmax(S / temperature). Paper: 1 (plain softmax). */
  temperature: number;
  /** Norms are clamped to at least this before dividing (cosine of a zero vector is 0). */
  normEps: number;
  impl: KernelImpl;
}

export const DEFAULT_SOFTLOC_CONFIG: SoftLocConfig = { epsilon: 0.5, tau: 0.03, temperature: 1, normEps: 1e-6, impl: 'auto' };

export function validateSoftLocConfig(c: Partial<SoftLocConfig> = {}): SoftLocConfig {
  const out = { ...DEFAULT_SOFTLOC_CONFIG, ...c };
  const num = (k: keyof SoftLocConfig, lo: number, hi: number, openLo: boolean) => {
    const v = out[k] as unknown;
    if (typeof v !== 'number' || !Number.isFinite(v) || (openLo ? v <= lo : v < lo) || v > hi) {
      throw new InvalidConfigError(k, `must be a number in ${openLo ? '(' : '['}${lo}, ${hi}], got ${String(v)}`);
    }
  };
  num('epsilon', -1, 1, false);
  num('tau', 0, 10, true);
  num('temperature', 0, 100, true);
  num('normEps', 0, 1, true);
  out.impl = validateImpl(out.impl);
  return out;
}
