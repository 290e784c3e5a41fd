/**
 * Counts of distinct level patterns, so training never needs every candidate pair's levels at once. EM, the
 * household-member u and λ depend on the pairs only through how many pairs share each level pattern (and, for
 * EM, which training rules produced them), so a million records' 80 M candidate pairs become a few thousand
 * counted patterns. Those counts are then turned back into a list of levels for the Fellegi–Sunter functions,
 * exactly when it is small and otherwise scaled to a fixed size (EM and λ depend on proportions only).
 */

/** Largest list of levels handed to training: beyond it the counts are scaled down, keeping their proportions. */
export const TRAINING_PAIRS = 4_000_000;

/** Largest number of possible (pattern, tag) combinations counted in a dense array (8 bytes each). */
const DENSE_LIMIT = 1 << 24;

/** A level pattern plus a tag (e.g. which training rules produced the pair), counted. */
export class PatternCounts {
  private readonly index = new Map<number | string, number>();
  /** Levels of pattern k at [k * C, (k + 1) * C). */
  private patterns = new Uint8Array(1024);
  private readonly tagList: number[] = [];
  private readonly countList: number[] = [];
  /** Levels and tag fit one exact number (4 bits a level, below 2^53): no string per pair. */
  private readonly numeric: boolean;
  /**
   * When every combination of levels and tag fits DENSE_LIMIT, pairs are counted in an array indexed by the
   * mixed-radix number of their levels and tag (no hashing per pair), and listed as patterns when first read.
   */
  private dense: Float64Array | null;

  constructor(readonly comparisonCount: number, readonly tagBits: number, private readonly levelCounts: readonly number[]) {
    this.numeric = levelCounts.every((l) => l <= 16) && comparisonCount * 4 + tagBits <= 52;
    const combinations = levelCounts.reduce((a, l) => a * l, 1) * 2 ** tagBits;
    this.dense = combinations <= DENSE_LIMIT ? new Float64Array(combinations) : null;
  }

  get size(): number { this.settle(); return this.countList.length; }
  get tags(): readonly number[] { this.settle(); return this.tagList; }
  get counts(): readonly number[] { this.settle(); return this.countList; }

  levelsOf(k: number): Uint8Array { this.settle(); return this.patterns.subarray(k * this.comparisonCount, (k + 1) * this.comparisonCount); }

  /** Counts the pairs of `levels` (row-major), pair p tagged tags[p] (all 0 without tags). */
  add(levels: Uint8Array, tags: Uint32Array | null): void {
    const C = this.comparisonCount;
    const pairs = levels.length / C;
    const dense = this.dense;
    if (dense) {
      const radix = this.levelCounts;
      for (let p = 0; p < pairs; p++) {
        let key = tags ? tags[p]! : 0;
        for (let c = 0; c < C; c++) key = key * radix[c]! + levels[p * C + c]!;
        dense[key]!++;
      }
      return;
    }
    for (let p = 0; p < pairs; p++) this.count(levels.subarray(p * C, p * C + C), tags ? tags[p]! : 0, 1);
  }

  private count(row: Uint8Array, tag: number, n: number): void {
    const C = this.comparisonCount;
    let key: number | string;
    if (this.numeric) {
      key = tag;
      for (let c = 0; c < C; c++) key = key * 16 + row[c]!;
    } else {
      key = `${tag}:${String.fromCharCode(...row)}`;
    }
    const k = this.index.get(key);
    if (k !== undefined) { this.countList[k]! += n; return; }
    const at = this.countList.length;
    this.index.set(key, at);
    if ((at + 1) * C > this.patterns.length) { const grown = new Uint8Array(this.patterns.length * 2 + C); grown.set(this.patterns); this.patterns = grown; }
    this.patterns.set(row, at * C);
    this.tagList.push(tag);
    this.countList.push(n);
  }

  /** The dense counts as a list of patterns (once, when the counts are first read). */
  private settle(): void {
    const dense = this.dense;
    if (!dense) return;
    this.dense = null;
    const C = this.comparisonCount;
    const row = new Uint8Array(C);
    for (let key = 0; key < dense.length; key++) {
      if (dense[key] === 0) continue;
      let rest = key;
      for (let c = C - 1; c >= 0; c--) { const l = this.levelCounts[c]!; row[c] = rest % l; rest = Math.floor(rest / l); }
      this.count(row, rest, dense[key]!);
    }
  }

  /**
   * Levels (row-major) of the pairs whose pattern passes `keep`: each pattern repeated its count times when they
   * number at most `limit`, else scaled to `limit` pairs by largest remainders (so a pattern rarer than one in
   * `limit` may get none, as in any sample of that size; giving it one instead over-weighted rare patterns).
   * `scale` is the factor applied (1 when exact), for callers whose counts are absolute (λ's pair total).
   */
  expand(keep: (k: number) => boolean, limit = TRAINING_PAIRS): { levels: Uint8Array; pairs: number; scale: number } {
    const C = this.comparisonCount;
    const chosen: number[] = [];
    let total = 0;
    for (let k = 0; k < this.size; k++) if (keep(k)) { chosen.push(k); total += this.counts[k]!; }
    const scale = total <= limit ? 1 : limit / total;
    const repeats = chosen.map((k) => Math.floor(this.counts[k]! * scale));
    if (scale < 1) {
      let short = limit - repeats.reduce((a, b) => a + b, 0);
      const order = chosen.map((_, i) => i).sort((a, b) => (this.counts[chosen[b]!]! * scale - repeats[b]!) - (this.counts[chosen[a]!]! * scale - repeats[a]!) || a - b);
      for (const i of order) { if (short <= 0) break; repeats[i]!++; short--; }
    }
    const pairs = repeats.reduce((a, b) => a + b, 0);
    const levels = new Uint8Array(pairs * C);
    let at = 0;
    chosen.forEach((k, i) => {
      const row = this.levelsOf(k);
      for (let r = 0; r < repeats[i]!; r++) { levels.set(row, at); at += C; }
    });
    return { levels, pairs, scale };
  }
}

/** Counts of match weights in bins of 1/64 bit (estimateLambda's own binning), for λ without every weight. */
export class WeightBins {
  private readonly bins = new Map<number, number>();
  total = 0;

  add(weight: number): void {
    const b = Math.round(weight * 64);
    this.bins.set(b, (this.bins.get(b) ?? 0) + 1);
    this.total++;
  }

  /** One weight per pair when there are at most `limit`, else the bins scaled to `limit` (largest remainders). */
  expand(limit = TRAINING_PAIRS): { weights: Float64Array; scale: number } {
    const keys = [...this.bins.keys()];
    const scale = this.total <= limit ? 1 : limit / this.total;
    const repeats = keys.map((b) => Math.floor(this.bins.get(b)! * scale));
    if (scale < 1) {
      let short = limit - repeats.reduce((a, x) => a + x, 0);
      const order = keys.map((_, i) => i).sort((a, c) => (this.bins.get(keys[c]!)! * scale - repeats[c]!) - (this.bins.get(keys[a]!)! * scale - repeats[a]!) || a - c);
      for (const i of order) { if (short <= 0) break; repeats[i]!++; short--; }
    }
    const weights = new Float64Array(repeats.reduce((a, x) => a + x, 0));
    let at = 0;
    keys.forEach((b, i) => { weights.fill(b / 64, at, at + repeats[i]!); at += repeats[i]!; });
    return { weights, scale };
  }
}
