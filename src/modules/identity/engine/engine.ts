/**
 * One linkage run: prepare the records, block, estimate u (random pairs), m (EM per training rule) and λ,
 * score every candidate pair with its explanation, and cluster without chaining. Pure: rows in, results out.
 */
import { availableParallelism } from 'node:os';
import type { CandidatePairs } from './blocking.ts';
import { clusterPairs, type Clustering } from './cluster.ts';
import type { Comparator } from './comparisons.ts';
import { estimateLambda, initialM, levelWeights, randomPairs, runEm, type UTable } from './fellegi-sunter.ts';
import { conditionalU, conditionIndex, householdConditions, householdMemberU, type HouseholdConditions } from './household.ts';
import { LevelPool } from './parallel.ts';
import type { PatternCounts } from './patterns.ts';
import { blockAndCompare, scoreAndKeep, trainingRules, weightBins } from './pipeline.ts';
import { buildComparators, computeLevels, prepareRecords, validateInput, type PreparedRecords } from './prepared.ts';
import { explainLevels, probabilityOf, scorePairs, type FsModel, type PairExplanation } from './scoring.ts';
import { DEFAULT_THRESHOLDS, validateSettings, type BlockingRule, type LinkageSettings, type Row } from './settings.ts';

export interface Decision { leftId: string; rightId: string; match: boolean }

export interface LinkOptions {
  /**
   * Threads computing comparison levels, this one included: 0 or 1 = this thread only; n = this thread plus
   * n − 1 workers. Default: one per core for large inputs, else this thread only.
   */
  threads?: number;
  /** A model trained earlier (e.g. stored by the service): skips training. */
  model?: FsModel;
  /**
   * Reviewer decisions: an accepted pair is linked and a rejected pair is never in one cluster. When training,
   * accepted pairs are also labels that m is blended with.
   */
  decisions?: readonly Decision[];
  /**
   * Keep in the result only the candidate pairs at least this likely (0: every candidate pair). Default: every
   * pair below KEEP_ALL_MAX_RECORDS records, else KEPT_PROBABILITY. Clustering is the same either way: it links
   * pairs in the review band and above only, and scores any other pair it needs again on demand.
   */
  keepPairsFrom?: number;
  /** Called with every chunk of candidate pairs as blocking produces it (e.g. to measure blocking recall when pairs are not all kept). */
  onCandidates?: (left: Uint32Array, right: Uint32Array) => void;
}

export interface EmSession { rule: string; pairs: number; iterations: number; converged: boolean; lambda: number; estimated: string[] }

export interface LinkageResult {
  prepared: PreparedRecords;
  model: FsModel;
  /**
   * The candidate pairs kept (every one unless LinkOptions.keepPairsFrom applies), with the rule stats of all.
   * When not every pair is kept, ruleMask is 0: the rule bits were used for training and dropped.
   */
  candidates: CandidatePairs;
  /** How many candidate pairs blocking produced and were scored (kept or not). */
  candidateCount: number;
  /** Levels of the kept candidate pairs, row-major (levels[p * comparisons + c]). */
  levels: Uint8Array;
  weights: Float64Array;
  probabilities: Float64Array;
  clustering: Clustering;
  emSessions: EmSession[];
  possiblePairs: number;
  timings: Record<string, number>;
  /** Threads that computed comparison levels, this one included. */
  threads: number;
  /** Why candidate pair p scored what it did. */
  explain(p: number): PairExplanation;
  /** Score and explanation of any two records, candidates or not (by record index). */
  explainRecords(i: number, j: number): PairExplanation;
}

/** Below this many records one thread is faster than starting workers. */
const PARALLEL_MIN_RECORDS = 20_000;
/** From this many records on, a run keeps only the pairs at least KEPT_PROBABILITY likely (tens of millions of candidates otherwise). */
export const KEEP_ALL_MAX_RECORDS = 200_000;
/** Below the cluster floor (0.01) and where no best-threshold search looks: such a pair never links or reaches review. */
export const KEPT_PROBABILITY = 1e-3;

function possiblePairCount(prepared: PreparedRecords): number {
  if (!prepared.sources) return (prepared.count * (prepared.count - 1)) / 2;
  const sizes = new Map<number, number>();
  for (const s of prepared.sources) sizes.set(s, (sizes.get(s) ?? 0) + 1);
  let total = 0;
  let seen = 0;
  for (const size of sizes.values()) { total += seen * size; seen += size; }
  return total;
}

/** Transforms after which a rule leaves its comparison's level free (a shared birth year says little about the day). */
const LOOSE_TRANSFORMS = new Set(['years', 'year', 'first3', 'part-codes']);

function columnsFixedBy(rule: BlockingRule): Set<string> {
  const fixed = new Set<string>();
  for (const part of rule.parts) {
    const [column, transform = ''] = part.split(':') as [string, string?];
    if (!LOOSE_TRANSFORMS.has(transform)) for (const c of column.split('+')) fixed.add(c);
  }
  return fixed;
}

/**
 * m by EM, one session per training rule, in order. A session leaves out the comparisons its rule fixes, and
 * estimates only the comparisons no earlier session has estimated; the m of those earlier ones is used as
 * fixed evidence. This is the anchor that keeps EM on "same child" rather than "same household" (issue #5):
 * the first rule should block on names, so siblings (different given names) are not in it and the
 * household fields and the date of birth are learnt from true matches; later sessions, which do contain
 * siblings, then separate them with that knowledge instead of learning "same family" as the match class.
 */
function estimateM(settings: LinkageSettings, comparators: readonly Comparator[], patterns: PatternCounts, u: UTable, household: HouseholdConditions, recordCount: number): { m: number[][]; sessions: EmSession[] } {
  const C = comparators.length;
  const levelCounts = comparators.map((c) => c.levels.length);
  const m = initialM(levelCounts);
  const known = new Array<boolean>(C).fill(false);
  const sessions: EmSession[] = [];
  const names = settings.training?.emRules ?? settings.blocking.map((r) => r.name);
  const rules = trainingRules(settings);
  const marker = settings.siblingMarker === undefined ? -1 : comparators.findIndex((c) => c.name === settings.siblingMarker);
  const householdOrder = (settings.household ?? []).map((h) => comparators.findIndex((c) => c.name === h));
  const lastHousehold = householdOrder.length > 1 ? householdOrder[householdOrder.length - 1]! : -1;
  names.forEach((name, s) => {
    const r = rules[s]!;
    const fixed = columnsFixedBy(settings.blocking[r]!);
    const active = comparators.map((c) => !c.columns.some((col) => fixed.has(col)));
    const estimate = active.map((a, c) => a && !known[c]);
    if (!estimate.some(Boolean)) return;
    // Patterns are tagged with the training rules (bit s = the s-th training rule) that produced their pairs.
    // When the session estimates the sibling marker, the household's other children (household agrees, marker
    // differs: the pairs that gave u there) are left out; kept, twins taught EM that one child's given name
    // differs 9% of the time (labelled pairs: under 1%).
    const dropMembers = marker >= 0 && estimate[marker]! && lastHousehold >= 0;
    const markerDifferent = marker >= 0 ? comparators[marker]!.levels.length - 1 : -1;
    const inSession = (k: number): boolean => {
      if ((patterns.tags[k]! & (1 << s)) === 0) return false;
      const levels = patterns.levelsOf(k);
      return !(dropMembers && levels[marker] === markerDifferent && conditionIndex(household, lastHousehold, levels, 0) >= 2);
    };
    let count = 0;
    for (let k = 0; k < patterns.size; k++) if (inSession(k)) count += patterns.counts[k]!;
    if (count < 10) return;
    // Every session pair's levels, or (beyond TRAINING_PAIRS) the same proportions of fewer: EM reads proportions only.
    const sample = patterns.expand(inSession).levels;
    const result = runEm({
      levels: sample, levelCounts, u, m, active, estimate, household,
      lambda: Math.min(0.5, Math.max(1e-3, (0.5 * recordCount) / count)),
      maxIterations: settings.training?.maxIterations ?? 25, convergence: settings.training?.convergence ?? 1e-4,
    });
    sessions.push({ rule: name, pairs: count, iterations: result.iterations, converged: result.converged, lambda: result.lambda,
      estimated: comparators.filter((_, c) => estimate[c]).map((c) => c.name) });
    for (let c = 0; c < C; c++) {
      if (!estimate[c]) continue;
      m[c] = result.m[c]!;
      known[c] = true;
    }
  });
  shareSwapRate(comparators, m, u);
  return { m, sessions };
}

/**
 * A swap of two name fields shows at the "swapped" level of both name comparisons at once, but a session
 * blocked on one of the fields cannot see swaps at all and learns m ≈ 0 for the other. The first crossing
 * comparison gets the larger of the learnt swap rates; the others get m = u at that level (0 bits), because
 * one swap is one fact and counting it on both fields gave unrelated "Deng Kabila" / "Kabila Deng" 16 bits.
 */
function shareSwapRate(comparators: readonly Comparator[], m: number[][], u: UTable): void {
  const swapLevel = (c: Comparator): number => c.levels.indexOf('swapped with another name field');
  const crossing = comparators.map((_, i) => i).filter((i) => comparators[i]!.spec.kind === 'name' && swapLevel(comparators[i]!) > 0
    && ((comparators[i]!.spec as { crossColumns?: string[] }).crossColumns ?? []).length > 0);
  const rate = Math.max(0, ...crossing.map((i) => m[i]![swapLevel(comparators[i]!)]!));
  crossing.forEach((i, k) => {
    const level = swapLevel(comparators[i]!);
    // The others: only what a swap on both fields adds to a swap seen from one side (the other side's second
    // name blank), P(both | one, match) ≈ 1 over P(both | one, non-match) = u(both) / u(one): m = u(one).
    const target = k === 0 ? Math.max(rate, m[i]![level]!) : Math.min(0.5, u[crossing[0]!]![0]![swapLevel(comparators[crossing[0]!]!)]!);
    const old = m[i]![level]!;
    const scale = (1 - target) / (1 - old);
    m[i] = m[i]!.map((v, l) => (l === 0 ? 0 : l === level ? target : v * scale));
  });
}

/**
 * Whether a model trained earlier (stored by the service) still fits these settings: the same comparisons
 * with the same levels, and u by household condition. A model from an older engine would score with
 * weights for other levels (NaN or, worse, plausible but wrong numbers), so it is not used.
 */
export function modelFits(model: unknown, settings: LinkageSettings): model is FsModel {
  const m = model as Partial<FsModel> | null;
  if (!m || !Array.isArray(m.comparisons) || typeof m.lambda !== 'number' || !m.household) return false;
  const comparators = buildComparators(settings);
  return m.comparisons.length === comparators.length && comparators.every((c, i) => {
    const stored = m.comparisons![i]!;
    return stored.name === c.name && Array.isArray(stored.levels) && stored.levels.length === c.levels.length && stored.levels.every((l, k) => l === c.levels[k])
      && Array.isArray(stored.u) && stored.u.every((row) => Array.isArray(row) && row.length === c.levels.length);
  });
}

export async function linkRecords(rows: readonly Row[], settings: LinkageSettings, options: LinkOptions = {}): Promise<LinkageResult> {
  const timings: Record<string, number> = {};
  let t = performance.now();
  const lap = (name: string): void => { const now = performance.now(); timings[name] = now - t; t = now; };
  validateSettings(settings);
  const comparators = buildComparators(settings);
  validateInput(rows, settings);
  // Workers start first so that their start-up and feature preparation overlap with blocking here.
  const threads = options.threads ?? (rows.length >= PARALLEL_MIN_RECORDS ? availableParallelism() : 1);
  const pool = threads <= 1 ? null : LevelPool.start(settings.comparisons, rows, threads - 1);
  try {
    const prepared = prepareRecords(rows, settings, comparators);
    lap('prepare');
    const byName = new Map(comparators.map((c, i) => [c.name, i]));
    const featureOf = (name: string, record: number): unknown => {
      const c = byName.get(name);
      if (c === undefined) throw new Error(`blocking names an unknown comparison "${name}"`);
      return prepared.features[c]![record];
    };
    const C = comparators.length;
    const local = (left: Uint32Array, right: Uint32Array): Uint8Array => computeLevels(comparators, prepared.features, left, right);
    const levelsOf = (left: Uint32Array, right: Uint32Array): Promise<Uint8Array> | Uint8Array => (pool ? pool.levels(left, right, C, local) : local(left, right));
    const keepFrom = options.keepPairsFrom ?? (rows.length >= KEEP_ALL_MAX_RECORDS ? KEPT_PROBABILITY : 0);
    const compared = await blockAndCompare(rows, settings, prepared, comparators, featureOf, pool, keepFrom <= 0, () => lap('block'), options.onCandidates);
    lap('compare');
    let model = options.model;
    let emSessions: EmSession[] = [];
    const possiblePairs = possiblePairCount(prepared);
    if (!model) {
      const levelCounts = comparators.map((c) => c.levels.length);
      const sampleSize = Math.min(settings.training?.randomPairs ?? 300_000, Math.max(1000, possiblePairs));
      const random = randomPairs(prepared.count, sampleSize, prepared.sources, settings.training?.seed ?? 1);
      const household = householdConditions(comparators, settings.household);
      const randomU = conditionalU(await levelsOf(random.left, random.right), levelCounts, household);
      const marker = settings.siblingMarker === undefined ? -1 : comparators.findIndex((c) => c.name === settings.siblingMarker);
      const u = marker < 0 ? randomU : householdMemberU(randomU, compared.patterns.expand(() => true).levels, levelCounts, household, marker);
      lap('train u');
      const estimated = estimateM(settings, comparators, compared.patterns, u, household, prepared.count);
      emSessions = estimated.sessions;
      const m = withLabelledMatches(estimated.m, acceptedLevels(prepared, comparators, options.decisions ?? []), levelCounts);
      const weights = levelWeights(m, u);
      const draft: FsModel = {
        comparisons: comparators.map((c, i) => ({ name: c.name, levels: c.levels, m: m[i]!, u: u[i]!, weights: weights[i]!, tfLevels: c.tfLevels })),
        lambda: 0.5, priorWeight: 0, household,
      };
      // λ moves only the prior, so it is estimated from the field sums (counted in bins when there are millions).
      const bins = weightBins(draft, prepared, compared.chunks, compared.candidateCount);
      const lambda = estimateLambda(bins.weights, possiblePairs * bins.scale);
      model = { ...draft, lambda, priorWeight: Math.log2(lambda / (1 - lambda)) };
      lap('train m, λ');
    }
    const trained = model;
    const { candidates, levels, weights, probabilities } = await scoreAndKeep(trained, prepared, compared.chunks, compared.stats, C, keepFrom, pool);
    lap('score');
    const explainRecords = (i: number, j: number): PairExplanation =>
      explainLevels(trained, prepared, computeLevels(comparators, prepared.features, Uint32Array.of(i), Uint32Array.of(j)), i, j);
    const probabilityOfPair = (i: number, j: number): number => {
      const left = Uint32Array.of(i);
      const right = Uint32Array.of(j);
      return probabilityOf(scorePairs(trained, prepared, computeLevels(comparators, prepared.features, left, right), left, right)[0]!);
    };
    const clustering = clusterWithDecisions(prepared, candidates, probabilities, settings, options.decisions ?? [], probabilityOfPair);
    lap('cluster');
    return {
      prepared, model: trained, candidates, candidateCount: compared.candidateCount, levels, weights, probabilities, clustering, emSessions, possiblePairs, timings,
      threads: (pool?.threads ?? 0) + 1,
      explain: (p) => explainLevels(trained, prepared, levels.subarray(p * C, p * C + C), candidates.left[p]!, candidates.right[p]!),
      explainRecords,
    };
  } finally {
    await pool?.close();
  }
}

/** Levels of the pairs reviewers accepted as the same child: known matches. */
function acceptedLevels(prepared: PreparedRecords, comparators: readonly Comparator[], decisions: readonly Decision[]): Uint8Array {
  const index = new Map(prepared.ids.map((id, i) => [id, i]));
  const accepted = decisions.filter((d) => d.match && index.has(d.leftId) && index.has(d.rightId));
  const left = Uint32Array.from(accepted.map((d) => index.get(d.leftId)!));
  const right = Uint32Array.from(accepted.map((d) => index.get(d.rightId)!));
  return computeLevels(comparators, prepared.features, left, right);
}

/** How many labelled pairs EM's estimate of m counts as when blended with reviewers' accepted pairs. */
const EM_PSEUDO_PAIRS = 100;

/**
 * Reviewer decisions feed back as labels: the level distribution of accepted pairs is blended into m, EM's
 * estimate counting as EM_PSEUDO_PAIRS labelled pairs, so a few labels nudge m and many labels decide it.
 * (Rejected pairs are not used for u: reviewers see hard cases, not random non-matches.)
 */
function withLabelledMatches(m: number[][], labelled: Uint8Array, levelCounts: readonly number[]): number[][] {
  const C = levelCounts.length;
  if (labelled.length === 0) return m;
  return m.map((row, c) => {
    const counts = new Array<number>(levelCounts[c]!).fill(0);
    for (let p = 0; p < labelled.length / C; p++) counts[labelled[p * C + c]!]!++;
    const observed = counts.reduce((a, b, l) => (l === 0 ? a : a + b), 0);
    if (observed === 0) return row;
    return row.map((v, l) => (l === 0 ? 0 : (v * EM_PSEUDO_PAIRS + counts[l]!) / (EM_PSEUDO_PAIRS + observed)));
  });
}

/** Reviewer decisions override the model: accepted = certain, rejected = impossible (also for the no-chain guard). */
function clusterWithDecisions(prepared: PreparedRecords, candidates: CandidatePairs, probabilities: Float64Array, settings: LinkageSettings,
  decisions: readonly Decision[], scoreOnDemand: (i: number, j: number) => number): Clustering {
  const thresholds = { ...DEFAULT_THRESHOLDS, ...settings.thresholds };
  const index = new Map(prepared.ids.map((id, i) => [id, i]));
  const decided = new Map<number, number>();
  const n = prepared.count;
  for (const d of decisions) {
    const i = index.get(d.leftId);
    const j = index.get(d.rightId);
    if (i === undefined || j === undefined) throw new Error(`decision names an unknown record: ${i === undefined ? d.leftId : d.rightId}`);
    decided.set(Math.min(i, j) * n + Math.max(i, j), d.match ? 1 : 0);
  }
  // The no-chain guard scores missing pairs on demand; a decision must win there too.
  const probabilityOf = (i: number, j: number): number => decided.get(Math.min(i, j) * n + Math.max(i, j)) ?? scoreOnDemand(i, j);
  const options = { autoLink: thresholds.autoLink, review: thresholds.review, floor: thresholds.clusterFloor, probabilityOf };
  if (decided.size === 0) return clusterPairs(n, { left: candidates.left, right: candidates.right, probability: probabilities }, options);
  const left = [...candidates.left];
  const right = [...candidates.right];
  const probability = [...probabilities];
  const added = new Map(decided);
  for (let p = 0; p < left.length; p++) {
    const v = decided.get(left[p]! * n + right[p]!);
    if (v !== undefined) { probability[p] = v; added.delete(left[p]! * n + right[p]!); }
  }
  for (const [code, v] of added) { left.push(Math.floor(code / n)); right.push(code % n); probability.push(v); }
  return clusterPairs(n, { left: Uint32Array.from(left), right: Uint32Array.from(right), probability: Float64Array.from(probability) }, options);
}
