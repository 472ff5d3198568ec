/**
 * Deterministic randomness for the generator: a small, fast PRNG (sfc32) seeded from a string
 * key, so that every case, unit and pool draws from its own stream and the output depends only
 * on the seed and the key, never on the order in which work happens to run.
 */

/** 32-bit FNV-1a of a string, then mixed (murmur3 finaliser). */
export function hash32(text: string, seed = 0): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

const HEX: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));

/** A seeded random stream. */
export class Random {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number, key: string) {
    this.a = hash32(key, seed);
    this.b = hash32(key, seed ^ 0x9e3779b9);
    this.c = hash32(key, seed ^ 0x7f4a7c15);
    this.d = 1;
    for (let i = 0; i < 12; i++) this.u32();
  }

  /** A uniform 32-bit unsigned integer. */
  u32(): number {
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
    return this.u32() / 4294967296;
  }

  /** True with probability p. */
  chance(p: number): boolean {
    return this.next() < p;
  }

  /** Integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  /** Uniform in [min, max). */
  range(min: number, max: number): number {
    return min + this.next() * (max - min);
  }

  /** One element of a non-empty list. */
  pick<T>(list: readonly T[]): T {
    return list[Math.floor(this.next() * list.length)] as T;
  }

  /** Log-normal with the given median and spread (sigma of the underlying normal). */
  logNormal(median: number, sigma: number): number {
    return median * Math.exp(sigma * this.normal());
  }

  /** Standard normal (Box–Muller). */
  normal(): number {
    const u = 1 - this.next();
    const v = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** A version-4-shaped UUID from this stream. */
  uuid(): string {
    const w = [this.u32(), this.u32(), this.u32(), this.u32()];
    const b = (i: number) => ((w[i >> 2] as number) >>> ((i & 3) * 8)) & 0xff;
    let s = "";
    for (let i = 0; i < 16; i++) {
      let byte = b(i);
      if (i === 6) byte = (byte & 0x0f) | 0x40;
      if (i === 8) byte = (byte & 0x3f) | 0x80;
      s += HEX[byte];
      if (i === 3 || i === 5 || i === 7 || i === 9) s += "-";
    }
    return s;
  }
}

/** Picks from weighted options: `[[value, weight], …]`. */
export class Weighted<T> {
  private readonly values: T[];
  private readonly cumulative: Float64Array;

  constructor(options: readonly (readonly [T, number])[]) {
    this.values = options.map((o) => o[0]);
    this.cumulative = new Float64Array(options.length);
    let sum = 0;
    options.forEach(([, w], i) => {
      sum += w;
      this.cumulative[i] = sum;
    });
    for (let i = 0; i < options.length; i++) this.cumulative[i] = (this.cumulative[i] as number) / sum;
  }

  /** A value drawn with probability proportional to its weight. */
  draw(random: Random): T {
    return this.at(random.next());
  }

  /** The value at cumulative position u in [0, 1). */
  at(u: number): T {
    const c = this.cumulative;
    let lo = 0;
    let hi = c.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((c[mid] as number) > u) hi = mid;
      else lo = mid + 1;
    }
    return this.values[lo] as T;
  }
}
