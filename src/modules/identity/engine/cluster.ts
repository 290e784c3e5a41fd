/**
 * Clustering that does not chain. Plain connected components over links turn A~B and B~C into one child even
 * when A and C clearly differ; for children a wrong merge can hand a child to the wrong family
 * (record-linkage.md §3.6). So links at or above the auto-link threshold are merged strongest first, and two
 * groups merge only if every pair across them is at least `floor` likely (pairs never scored are scored on
 * demand). Refused links and links in the review band go to human review instead.
 */

export interface ScoredPairs { left: Uint32Array; right: Uint32Array; probability: Float64Array }

export interface ClusterOptions {
  autoLink: number;
  review: number;
  /** Every pair inside a cluster must be at least this likely. */
  floor: number;
  /** Probability of any pair (default: pairs below the review band count as 0, i.e. never merged). */
  probabilityOf?: (i: number, j: number) => number;
  /** Largest cluster the guard will check pairwise; bigger merges are refused. Default 200. */
  maxClusterSize?: number;
}

export interface ReviewItem { left: number; right: number; probability: number; reason: 'review band' | 'refused: would chain' }

export interface Clustering {
  /** Cluster index per record (records alone get their own cluster). */
  clusterOf: Int32Array;
  clusterCount: number;
  review: ReviewItem[];
}

export function clusterPairs(n: number, pairs: ScoredPairs, options: ClusterOptions): Clustering {
  // Only links (≥ review) are indexed: any other pair is scored on demand, which gives the same probability
  // a candidate below the review band had, without holding millions of pairs in a map.
  const known = new Map<number, number>();
  const order: number[] = [];
  for (let p = 0; p < pairs.left.length; p++) {
    if (pairs.probability[p]! < options.review) continue;
    order.push(p);
    const a = Math.min(pairs.left[p]!, pairs.right[p]!);
    const b = Math.max(pairs.left[p]!, pairs.right[p]!);
    known.set(a * n + b, pairs.probability[p]!);
  }
  order.sort((x, y) => pairs.probability[y]! - pairs.probability[x]! || x - y);
  const lookup = (i: number, j: number): number => {
    const a = Math.min(i, j);
    const b = Math.max(i, j);
    const p = known.get(a * n + b);
    if (p !== undefined) return p;
    const q = options.probabilityOf ? options.probabilityOf(a, b) : 0;
    known.set(a * n + b, q);
    return q;
  };
  const root = new Int32Array(n);
  const members: number[][] = [];
  for (let i = 0; i < n; i++) { root[i] = i; members.push([i]); }
  const maxSize = options.maxClusterSize ?? 200;
  const review: ReviewItem[] = [];
  for (const p of order) {
    const i = pairs.left[p]!;
    const j = pairs.right[p]!;
    const probability = pairs.probability[p]!;
    const ri = root[i]!;
    const rj = root[j]!;
    if (ri === rj) continue;
    if (probability < options.autoLink) {
      review.push({ left: i, right: j, probability, reason: 'review band' });
      continue;
    }
    const a = members[ri]!;
    const b = members[rj]!;
    let allowed = a.length + b.length <= maxSize;
    for (let x = 0; allowed && x < a.length; x++) {
      for (let y = 0; y < b.length; y++) {
        if (lookup(a[x]!, b[y]!) < options.floor) { allowed = false; break; }
      }
    }
    if (!allowed) {
      review.push({ left: i, right: j, probability, reason: 'refused: would chain' });
      continue;
    }
    const [keep, drop] = a.length >= b.length ? [ri, rj] : [rj, ri];
    for (const r of members[drop]!) { root[r] = keep; members[keep]!.push(r); }
    members[drop] = [];
  }
  const clusterOf = new Int32Array(n);
  const index = new Map<number, number>();
  for (let i = 0; i < n; i++) {
    const r = root[i]!;
    if (!index.has(r)) index.set(r, index.size);
    clusterOf[i] = index.get(r)!;
  }
  const stillApart = review.filter((item) => root[item.left] !== root[item.right]);
  return { clusterOf, clusterCount: index.size, review: stillApart };
}
