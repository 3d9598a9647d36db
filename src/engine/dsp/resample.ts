/**
 * Band-limited resampling (windowed-sinc, polyphase) on the CPU. Audio arrives decoded at 16 kHz
 * (the binaural model's rate, see media docs); paper 000 needs 11025 Hz mono, 441/640 of that.
 *
 * For output sample m at input position t = m * inRate / outRate:
 *   y[m] = sum_{n = floor(t)-R+1}^{floor(t)+R} x[n] * h(t - n),
 *   h(u) = fc * sinc(fc * u) * kaiser(u / R),   fc = rolloff * min(1, outRate / inRate)
 * The filter is tabulated per phase (outRate / gcd phases when that is small, else 4096 phases
 * with linear interpolation between them). Samples outside the signal count as zero.
 */
export interface ResampleOptions {
  /** Half-width of the filter in input samples at the lower of the two rates (default 24). */
  halfWidth?: number;
  /** Fraction of the output Nyquist kept (default 0.94). */
  rolloff?: number;
  /** Kaiser window beta (default 8.6, about 80 dB stop-band). */
  beta?: number;
}

function besselI0(x: number): number {
  let sum = 1;
  let term = 1;
  for (let k = 1; k < 50; k++) {
    term *= (x / (2 * k)) * (x / (2 * k));
    sum += term;
    if (term < 1e-12 * sum) break;
  }
  return sum;
}

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

export function resample(x: Float32Array, inRate: number, outRate: number, opts: ResampleOptions = {}): Float32Array {
  if (!(inRate > 0 && outRate > 0)) throw new RangeError(`sample rates must be positive (got ${inRate} -> ${outRate})`);
  if (inRate === outRate) return x.slice();
  const ratio = outRate / inRate;
  const fc = (opts.rolloff ?? 0.94) * Math.min(1, ratio);
  const R = Math.ceil((opts.halfWidth ?? 24) / Math.min(1, ratio)); // taps each side, in input samples
  const beta = opts.beta ?? 8.6;
  const i0b = besselI0(beta);
  const outLen = Math.floor((x.length * outRate) / inRate);
  const y = new Float32Array(outLen);
  const g = gcd(Math.round(inRate), Math.round(outRate));
  const exact = Number.isInteger(inRate) && Number.isInteger(outRate) && outRate / g <= 4096;
  const P = exact ? outRate / g : 4096; // phases
  // table[p][k]: weight of input sample floor(t) - R + 1 + k for fractional phase p / P
  const taps = 2 * R;
  const table = new Float32Array((P + 1) * taps);
  for (let p = 0; p <= P; p++) {
    const frac = p / P;
    for (let k = 0; k < taps; k++) {
      const u = frac + R - 1 - k; // t - n
      const a = Math.abs(u) / R;
      const win = a >= 1 ? 0 : besselI0(beta * Math.sqrt(1 - a * a)) / i0b;
      const s = u === 0 ? 1 : Math.sin(Math.PI * fc * u) / (Math.PI * fc * u);
      table[p * taps + k] = fc * s * win;
    }
  }
  for (let m = 0; m < outLen; m++) {
    let base: number;
    let p0: number;
    let w1 = 0;
    if (exact) {
      // t = m * inRate / outRate = (m * (inRate/g)) / (outRate/g) exactly in integers
      const num = m * (inRate / g);
      base = Math.floor(num / P);
      p0 = num - base * P;
    } else {
      const t = (m * inRate) / outRate;
      base = Math.floor(t);
      const pf = (t - base) * P;
      p0 = Math.floor(pf);
      w1 = pf - p0;
    }
    let acc = 0;
    const n0 = base - R + 1;
    const row0 = p0 * taps;
    const row1 = row0 + taps;
    for (let k = 0; k < taps; k++) {
      const n = n0 + k;
      if (n < 0 || n >= x.length) continue;
      const h = w1 === 0 ? table[row0 + k] : table[row0 + k] * (1 - w1) + table[row1 + k] * w1;
      acc += x[n] * h;
    }
    y[m] = acc;
  }
  return y;
}
