/**
 * Accuracy measures against known true entities (record-linkage.md §8): blocking pair recall, pairwise
 * precision/recall/F1 of scored pairs at a threshold and of the final clusters, and B-cubed F1.
 * When records carry sources (linking files), only pairs across sources count.
 */

export interface Truth {
  /** True entity of each record (same string = same person). */
  entityOf: readonly string[];
  /** Source index per record when linking files, else null. */
  sources: Int32Array | null;
}

export interface PairMetrics { truePositives: number; predicted: number; actual: number; precision: number; recall: number; f1: number }

function metrics(tp: number, predicted: number, actual: number): PairMetrics {
  const precision = predicted > 0 ? tp / predicted : 1;
  const recall = actual > 0 ? tp / actual : 1;
  const f1 = precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
  return { truePositives: tp, predicted, actual, precision, recall, f1 };
}

/** Pairs of members of a group that count (across sources when linking). */
function pairsWithin(members: readonly number[], sources: Int32Array | null): number {
  const k = members.length;
  if (!sources) return (k * (k - 1)) / 2;
  const perSource = new Map<number, number>();
  for (const i of members) perSource.set(sources[i]!, (perSource.get(sources[i]!) ?? 0) + 1);
  let same = 0;
  for (const s of perSource.values()) same += s * s;
  return (k * k - same) / 2;
}

function groupBy<K>(keys: ArrayLike<K>): Map<K, number[]> {
  const groups = new Map<K, number[]>();
  for (let i = 0; i < keys.length; i++) {
    const g = groups.get(keys[i]!);
    if (g) g.push(i); else groups.set(keys[i]!, [i]);
  }
  return groups;
}

export function truePairCount(truth: Truth): number {
  let total = 0;
  for (const members of groupBy(truth.entityOf).values()) total += pairsWithin(members, truth.sources);
  return total;
}

export function isTruePair(truth: Truth, i: number, j: number): boolean {
  return truth.entityOf[i] === truth.entityOf[j];
}

/** How many of the pairs are true pairs (summed over chunks of candidates, it gives blocking recall's numerator). */
export function truePairsAmong(left: Uint32Array, right: Uint32Array, truth: Truth): number {
  let kept = 0;
  for (let p = 0; p < left.length; p++) if (isTruePair(truth, left[p]!, right[p]!)) kept++;
  return kept;
}

/** Share of true pairs that the candidate pairs keep (pair completeness). */
export function blockingRecall(left: Uint32Array, right: Uint32Array, truth: Truth): { kept: number; actual: number; recall: number } {
  const kept = truePairsAmong(left, right, truth);
  const actual = truePairCount(truth);
  return { kept, actual, recall: actual > 0 ? kept / actual : 1 };
}

/** Pairwise metrics of the candidate pairs whose probability is at least `threshold`. */
export function pairMetricsAt(left: Uint32Array, right: Uint32Array, probabilities: Float64Array, threshold: number, truth: Truth): PairMetrics {
  let tp = 0;
  let predicted = 0;
  for (let p = 0; p < left.length; p++) {
    if (probabilities[p]! < threshold) continue;
    predicted++;
    if (isTruePair(truth, left[p]!, right[p]!)) tp++;
  }
  return metrics(tp, predicted, truePairCount(truth));
}

/** Pairwise metrics of clusters: every pair inside a predicted cluster is a predicted match. */
export function clusterPairMetrics(clusterOf: Int32Array, truth: Truth): PairMetrics {
  let predicted = 0;
  let tp = 0;
  for (const members of groupBy(clusterOf).values()) {
    if (members.length < 2) continue;
    predicted += pairsWithin(members, truth.sources);
    for (const cell of groupBy(members.map((i) => truth.entityOf[i]!)).values()) tp += pairsWithin(cell.map((k) => members[k]!), truth.sources);
  }
  return metrics(tp, predicted, truePairCount(truth));
}

/** B-cubed precision, recall and F1 (per-record averages of cluster purity and completeness). */
export function bcubed(clusterOf: Int32Array, truth: Truth): { precision: number; recall: number; f1: number } {
  const n = clusterOf.length;
  const clusterSize = new Map<number, number>();
  const entitySize = new Map<string, number>();
  const cellSize = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    clusterSize.set(clusterOf[i]!, (clusterSize.get(clusterOf[i]!) ?? 0) + 1);
    entitySize.set(truth.entityOf[i]!, (entitySize.get(truth.entityOf[i]!) ?? 0) + 1);
    const cell = `${clusterOf[i]}\u0001${truth.entityOf[i]}`;
    cellSize.set(cell, (cellSize.get(cell) ?? 0) + 1);
  }
  let precision = 0;
  let recall = 0;
  for (let i = 0; i < n; i++) {
    const cell = cellSize.get(`${clusterOf[i]}\u0001${truth.entityOf[i]}`)!;
    precision += cell / clusterSize.get(clusterOf[i]!)!;
    recall += cell / entitySize.get(truth.entityOf[i]!)!;
  }
  precision /= n;
  recall /= n;
  return { precision, recall, f1: (2 * precision * recall) / (precision + recall) };
}

/** The threshold with the best pairwise F1 among the candidates (an oracle figure: report it as such). */
export function bestThreshold(left: Uint32Array, right: Uint32Array, probabilities: Float64Array, truth: Truth): { threshold: number; metrics: PairMetrics } {
  // Pairs below 0.001 cannot be where F1 peaks (every one of them would be a link); leaving them out keeps a
  // run of tens of millions of candidates to a small sort.
  let kept = 0;
  for (let p = 0; p < probabilities.length; p++) if (probabilities[p]! >= 1e-3) kept++;
  const order = new Uint32Array(kept);
  for (let p = 0, k = 0; p < probabilities.length; p++) if (probabilities[p]! >= 1e-3) order[k++] = p;
  order.sort((a, b) => probabilities[b]! - probabilities[a]!);
  const actual = truePairCount(truth);
  let tp = 0;
  let best = { threshold: 1, metrics: metrics(0, 0, actual) };
  order.forEach((p, k) => {
    if (isTruePair(truth, left[p]!, right[p]!)) tp++;
    const next = order[k + 1];
    if (next !== undefined && probabilities[next] === probabilities[p]) return;
    const m = metrics(tp, k + 1, actual);
    if (m.f1 > best.metrics.f1) best = { threshold: probabilities[p]!, metrics: m };
  });
  return best;
}
