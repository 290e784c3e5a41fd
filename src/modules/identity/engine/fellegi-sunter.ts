/**
 * Fellegi–Sunter parameters (record-linkage.md §1.1, §3.3): u per level from random pairs (almost all of them
 * non-matches, so u is exact up to sampling error), m per level by EM on blocked pairs with u held fixed, and
 * λ (the chance that two random records match) from the expected number of matches among the candidates.
 * Levels are stored row-major (levels[p * C + c]); level 0 is "missing" and is never counted.
 */

import { CONDITIONS, conditionIndex, type HouseholdConditions } from './household.ts';

/** u[c][condition][level]: condition = how many earlier household fields the pair agrees on (household.ts). */
export type UTable = number[][][];

/** A u table with no household conditioning (both rows equal). */
export function unconditional(u: number[][]): UTable {
  return u.map((row) => Array.from({ length: CONDITIONS }, () => row));
}

export interface EmInput {
  levels: Uint8Array;
  /** Number of levels of each comparison, including the missing level 0. */
  levelCounts: readonly number[];
  u: UTable;
  m: number[][];
  lambda: number;
  household?: HouseholdConditions;
  /** Comparisons that enter the likelihood; the others are left out (fixed by blocking). Default: all. */
  active?: readonly boolean[];
  /** Comparisons whose m is re-estimated (a subset of `active`); the others keep the m given. Default: `active`. */
  estimate?: readonly boolean[];
  /** Estimate u too (classic EM); by default u stays as given. */
  estimateU?: boolean;
  maxIterations?: number;
  convergence?: number;
}

export interface EmResult { m: number[][]; u: UTable; lambda: number; iterations: number; converged: boolean }

const FLOOR = 1e-6;
/**
 * Smallest m of a level: a level never seen among matches in training can still occur (one mistyped father's
 * name), and should cost about 10 bits, not decide alone.
 */
const M_FLOOR = 1e-3;

/** A small fast PRNG (mulberry32): deterministic samples for a given seed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `count` random pairs of distinct records (from different sources when linking files). */
export function randomPairs(n: number, count: number, sources: Int32Array | null, seed: number): { left: Uint32Array; right: Uint32Array } {
  const rand = seededRandom(seed);
  const left = new Uint32Array(count);
  const right = new Uint32Array(count);
  let k = 0;
  let attempts = 0;
  while (k < count && attempts < count * 20 && n > 1) {
    attempts++;
    const i = Math.floor(rand() * n);
    const j = Math.floor(rand() * n);
    if (i === j || (sources && sources[i] === sources[j])) continue;
    left[k] = i; right[k] = j; k++;
  }
  return { left: left.subarray(0, k), right: right.subarray(0, k) };
}

/** Level distribution over the non-missing levels, with a floor so no level has probability 0. */
export function levelDistribution(levels: Uint8Array, levelCounts: readonly number[], weights?: Float64Array): number[][] {
  const C = levelCounts.length;
  const counts = levelCounts.map((L) => new Array<number>(L).fill(0));
  const pairs = levels.length / C;
  for (let p = 0; p < pairs; p++) {
    const w = weights ? weights[p]! : 1;
    for (let c = 0; c < C; c++) counts[c]![levels[p * C + c]!]! += w;
  }
  return counts.map((row) => normalise(row));
}

function normalise(row: number[]): number[] {
  let total = 0;
  for (let l = 1; l < row.length; l++) total += row[l]!;
  return row.map((v, l) => (l === 0 ? 0 : Math.max(FLOOR, total > 0 ? v / total : 1 / (row.length - 1))));
}

function floorM(row: number[]): number[] {
  const floored = row.map((v, l) => (l === 0 ? 0 : Math.max(M_FLOOR, v)));
  const total = floored.reduce((a, b) => a + b, 0);
  return floored.map((v) => v / total);
}

/** A starting m that puts most mass on the strongest agreement levels (EM refines it). */
export function initialM(levelCounts: readonly number[]): number[][] {
  return levelCounts.map((L) => {
    const row = new Array<number>(L).fill(0);
    for (let l = 1; l < L - 1; l++) row[l] = 0.9 * Math.pow(0.5, l);
    row[L - 1] = 0.05;
    return normalise(row);
  });
}

/**
 * Pairs with the same level on every comparison are interchangeable in EM, so EM runs over the distinct
 * level patterns with their counts (fastLink's trick): a few thousand patterns instead of millions of pairs.
 */
export function compressPatterns(levels: Uint8Array, comparisonCount: number): { patterns: Uint8Array; counts: Float64Array } {
  const C = comparisonCount;
  const index = new Map<string | number, number>();
  const firstRow: number[] = [];
  const counts: number[] = [];
  const pairs = levels.length / C;
  // Up to 13 comparisons of < 16 levels fit one exact number: a numeric key spares a string per pair.
  let numeric = C <= 13;
  for (let k = 0; numeric && k < levels.length; k++) if (levels[k]! >= 16) numeric = false;
  for (let p = 0; p < pairs; p++) {
    let key: string | number;
    if (numeric) {
      key = 0;
      for (let c = 0; c < C; c++) key = key * 16 + levels[p * C + c]!;
    } else {
      key = String.fromCharCode(...levels.subarray(p * C, p * C + C));
    }
    const k = index.get(key);
    if (k === undefined) { index.set(key, counts.length); counts.push(1); firstRow.push(p); } else counts[k]!++;
  }
  const patterns = new Uint8Array(firstRow.length * C);
  firstRow.forEach((p, k) => patterns.set(levels.subarray(p * C, p * C + C), k * C));
  return { patterns, counts: Float64Array.from(counts) };
}

export function runEm(input: EmInput): EmResult {
  const { levelCounts } = input;
  const C = levelCounts.length;
  const { patterns, counts } = compressPatterns(input.levels, C);
  const patternCount = counts.length;
  let total = 0;
  for (const c of counts) total += c;
  const active = input.active ?? levelCounts.map(() => true);
  const estimate = input.estimate ?? active;
  let m = input.m.map((r) => [...r]);
  let u: UTable = input.u.map((rows) => rows.map((r) => [...r]));
  const conditionOf = new Uint8Array(patterns.length);
  if (input.household) {
    for (let k = 0; k < patternCount; k++) for (let c = 0; c < C; c++) conditionOf[k * C + c] = conditionIndex(input.household, c, patterns, k * C);
  }
  let lambda = input.lambda;
  const maxIterations = input.maxIterations ?? 25;
  const convergence = input.convergence ?? 1e-4;
  const matchMass = new Float64Array(patternCount);
  const nonMatchMass = new Float64Array(patternCount);
  for (let iteration = 1; iteration <= maxIterations; iteration++) {
    const ratio = m.map((row, c) => u[c]!.map((_, cond) => row.map((mv, l) => (l === 0 || !active[c] ? 1 : mv / u[c]![cond]![l]!))));
    const priorOdds = lambda / (1 - lambda);
    let sum = 0;
    for (let k = 0; k < patternCount; k++) {
      let odds = priorOdds;
      for (let c = 0; c < C; c++) odds *= ratio[c]![conditionOf[k * C + c]!]![patterns[k * C + c]!]!;
      const post = Number.isFinite(odds) ? odds / (1 + odds) : 1;
      matchMass[k] = post * counts[k]!;
      nonMatchMass[k] = (1 - post) * counts[k]!;
      sum += matchMass[k]!;
    }
    const nextLambda = Math.min(1 - FLOOR, Math.max(FLOOR, sum / Math.max(1, total)));
    const mNew = levelDistribution(patterns, levelCounts, matchMass).map((row, c) => (active[c] && estimate[c] ? floorM(row) : m[c]!));
    const uNew = input.estimateU ? unconditional(levelDistribution(patterns, levelCounts, nonMatchMass)) : u;
    let change = Math.abs(nextLambda - lambda);
    for (let c = 0; c < C; c++) {
      for (let l = 1; l < levelCounts[c]!; l++) {
        change = Math.max(change, Math.abs(mNew[c]![l]! - m[c]![l]!), Math.abs(uNew[c]![0]![l]! - u[c]![0]![l]!));
      }
    }
    m = mNew; u = uNew; lambda = nextLambda;
    if (change < convergence) return { m, u, lambda, iterations: iteration, converged: true };
  }
  return { m, u, lambda, iterations: maxIterations, converged: false };
}

/** Level weights log2(m/u), capped at ±20 bits so that one rare level never decides alone (§3.3). */
export function levelWeights(m: number[][], u: UTable): number[][][] {
  // A level seen neither among matches nor among random pairs carries no evidence (both are only floors).
  const unseen = (mv: number, uv: number): boolean => mv <= M_FLOOR * 1.5 && uv <= FLOOR * 1.5;
  return m.map((row, c) => u[c]!.map((uRow) => row.map((mv, l) =>
    (l === 0 || unseen(mv, uRow[l]!) ? 0 : Math.max(-20, Math.min(20, Math.log2(mv / uRow[l]!)))))));
}

/**
 * λ over all possible pairs, by fixed point: λ = E[matches among candidates] / all pairs, where the expected
 * count uses λ itself as prior (pairs outside the candidates are assumed non-matches).
 */
export function estimateLambda(candidateWeights: Float64Array, possiblePairs: number, start = 1e-4): number {
  // Weights binned to 1/64 bit: millions of candidates become a few thousand bins, with no visible loss.
  const bins = new Map<number, number>();
  for (const w of candidateWeights) { const b = Math.round(w * 64); bins.set(b, (bins.get(b) ?? 0) + 1); }
  const binWeights = [...bins.keys()].map((b) => b / 64);
  const binCounts = [...bins.values()];
  let lambda = start;
  for (let i = 0; i < 50; i++) {
    const prior = Math.log2(lambda / (1 - lambda));
    let expected = 0;
    for (let k = 0; k < binWeights.length; k++) expected += binCounts[k]! / (1 + Math.pow(2, -(binWeights[k]! + prior)));
    const next = Math.min(0.5, Math.max(1 / Math.max(2, possiblePairs), expected / possiblePairs));
    if (Math.abs(Math.log(next / lambda)) < 1e-4) return next;
    lambda = next;
  }
  return lambda;
}
