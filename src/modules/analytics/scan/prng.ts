/**
 * Seeded random source for the Monte Carlo replications: xoshiro128** (Blackman & Vigna), 32-bit
 * state words so it stays in exact integer arithmetic in JavaScript. Math.random cannot be seeded,
 * and a run must be repeatable from its seed whatever the number of worker threads.
 */
export class Xoshiro128 {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;

  constructor(seed: number, stream = 0) {
    // splitmix32 expands (seed, stream) into four state words that are never all zero.
    let x = (Math.imul(seed >>> 0, 0x9e3779b9) ^ Math.imul(stream >>> 0, 0x85ebca6b) ^ 0x6a09e667) >>> 0;
    const next = (): number => {
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.s0 = next();
    this.s1 = next();
    this.s2 = next();
    this.s3 = next();
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1;
  }

  /** Next 32-bit unsigned integer. */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** Uniform integer in [0, bound) without modulo bias (Lemire's multiply-and-reject). */
  nextBelow(bound: number): number {
    if (bound <= 1) return 0;
    for (;;) {
      const x = this.nextUint32();
      // 32x32 -> 64-bit product split into high and low halves exactly.
      const lo16 = (x & 0xffff) * bound;
      const hi16 = (x >>> 16) * bound;
      const low = ((hi16 % 65536) * 65536 + lo16) % 4294967296;
      if (low >= (4294967296 - bound) % bound) {
        return Math.floor((hi16 + Math.floor(lo16 / 65536)) / 65536);
      }
    }
  }

  /** Uniform double in [0, 1). */
  nextFloat(): number {
    return this.nextUint32() / 4294967296;
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** Fisher–Yates shuffle in place. */
export function shuffleInPlace(values: Int32Array, rng: Xoshiro128): void {
  for (let i = values.length - 1; i > 0; i--) {
    const j = rng.nextBelow(i + 1);
    const tmp = values[i]!;
    values[i] = values[j]!;
    values[j] = tmp;
  }
}
