// Deterministic randomness for the mock buyers: a small seeded generator and the
// distributions a buyer's latency and bids are drawn from.
//
// A mock buyer does not draw from one stream shared by all requests (with
// concurrent clients, which request gets which draw would depend on arrival
// order). Each request gets its own generator, seeded from the run's seed, the
// buyer, the endpoint and the request's content (see requestKey), so the same
// requests get the same answers in any order.

/** A distribution of a non-negative quantity (milliseconds, dollars). A bare number is a fixed value. */
export type Distribution =
  | number
  | { dist: 'fixed'; value: number }
  | { dist: 'uniform'; min: number; max: number }
  | { dist: 'normal'; mean: number; sd: number; min?: number; max?: number }
  | { dist: 'lognormal'; median: number; sigma: number; min?: number; max?: number };

/** cyrb53: a fast 53-bit string hash (public domain), good enough to seed a PRNG. */
export function hash53(text: string, seed = 0): number {
  let h1 = 0xdeadbeef ^ seed;
  let h2 = 0x41c6ce57 ^ seed;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507);
  h1 ^= Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507);
  h2 ^= Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}

/** sfc32 seeded from a string: uniform numbers in [0, 1). */
export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d = 1;
  private spare: number | null = null;

  constructor(key: string) {
    const h = hash53(key);
    this.a = h >>> 0;
    this.b = Math.floor(h / 4294967296) >>> 0;
    this.c = hash53(key, 0x9e3779b9) >>> 0;
    for (let i = 0; i < 12; i++) this.next(); // mix the seed in
  }

  next(): number {
    let { a, b, c, d } = this;
    a >>>= 0;
    b >>>= 0;
    c >>>= 0;
    d >>>= 0;
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    this.a = a;
    this.b = b;
    this.c = c;
    this.d = d;
    return (t >>> 0) / 4294967296;
  }

  /** True with probability p. */
  chance(p: number): boolean {
    return p > 0 && this.next() < p;
  }

  /** A standard normal deviate (Box–Muller, the second value kept for the next call). */
  gaussian(): number {
    if (this.spare !== null) {
      const s = this.spare;
      this.spare = null;
      return s;
    }
    let u = 0;
    while (u === 0) u = this.next();
    const v = this.next();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }

  /** An index drawn uniformly from 0..n-1. */
  pick(n: number): number {
    return Math.min(n - 1, Math.floor(this.next() * n));
  }
}

const clamp = (x: number, min: number | undefined, max: number | undefined): number =>
  Math.min(max ?? Infinity, Math.max(min ?? 0, x));

/** One draw; never negative (normal draws are clamped at `min`, default 0). */
export function sample(d: Distribution, rng: Rng): number {
  if (typeof d === 'number') return Math.max(0, d);
  switch (d.dist) {
    case 'fixed':
      return Math.max(0, d.value);
    case 'uniform':
      return d.min + (d.max - d.min) * rng.next();
    case 'normal':
      return clamp(d.mean + d.sd * rng.gaussian(), d.min, d.max);
    case 'lognormal':
      return clamp(d.median * Math.exp(d.sigma * rng.gaussian()), d.min, d.max);
  }
}

/** The distribution's mean, ignoring clamps (for messages and tests). */
export function meanOf(d: Distribution): number {
  if (typeof d === 'number') return d;
  switch (d.dist) {
    case 'fixed':
      return d.value;
    case 'uniform':
      return (d.min + d.max) / 2;
    case 'normal':
      return d.mean;
    case 'lognormal':
      return d.median * Math.exp((d.sigma * d.sigma) / 2);
  }
}

/** "uniform 40..90", "normal 45±8", for printing a buyer's setup. */
/** " (within $5..$90)", " (at least $5)", " (at most 900ms)" or "". */
function bounds(min: number | undefined, max: number | undefined, v: (x: number) => string): string {
  if (min !== undefined && max !== undefined) return ` (within ${v(min)}..${v(max)})`;
  if (min !== undefined) return ` (at least ${v(min)})`;
  if (max !== undefined) return ` (at most ${v(max)})`;
  return '';
}

export function describeDistribution(d: Distribution, unit: 'ms' | '$'): string {
  const v = (x: number) => (unit === '$' ? `$${x}` : `${x}ms`);
  if (typeof d === 'number') return v(d);
  switch (d.dist) {
    case 'fixed':
      return v(d.value);
    case 'uniform':
      return `uniform ${v(d.min)}..${v(d.max)}`;
    case 'normal':
      return `normal ${v(d.mean)}±${d.sd}${bounds(d.min, d.max, v)}`;
    case 'lognormal':
      return `lognormal median ${v(d.median)} σ${d.sigma}${bounds(d.min, d.max, v)}`;
  }
}
