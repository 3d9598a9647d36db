/**
 * Deterministic pseudo-random numbers for the data generator.
 *
 * Every random choice in a clip comes from a stream derived from (seed, split, clip index, purpose),
 * so clip i's content depends on nothing else: clips can be regenerated one at a time, in any order,
 * and a new knob that draws numbers for one purpose does not shift the draws of another.
 * The generator is sfc32 (Chris Doty-Humphrey's Small Fast Counting generator, 32-bit variant),
 * seeded through a 32-bit FNV-1a + murmur3 finaliser hash of the key string.
 */

/** 32-bit hash of a string (FNV-1a, then the murmur3 finaliser for avalanche). */
export function hash32(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(key: string) {
    this.a = hash32(key + '#a');
    this.b = hash32(key + '#b');
    this.c = hash32(key + '#c');
    this.d = 1;
    for (let i = 0; i < 15; i++) this.nextU32();
  }

  /** A child stream whose draws are independent of how many draws this one has made. */
  static derive(...parts: (string | number)[]): Rng {
    return new Rng(parts.join('/'));
  }

  nextU32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.nextU32() / 4294967296;
  }

  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }

  /** Integer in [lo, hi] inclusive. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(xs: readonly T[]): T {
    if (xs.length === 0) throw new Error('Rng.pick: empty list');
    return xs[Math.floor(this.next() * xs.length)];
  }

  /** Standard normal (Box-Muller). */
  normal(): number {
    const u = Math.max(this.next(), 1e-12);
    const v = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** Log-uniform in [lo, hi] (both > 0). */
  logUniform(lo: number, hi: number): number {
    return Math.exp(this.uniform(Math.log(lo), Math.log(hi)));
  }

  shuffle<T>(xs: T[]): T[] {
    for (let i = xs.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      [xs[i], xs[j]] = [xs[j], xs[i]];
    }
    return xs;
  }
}
