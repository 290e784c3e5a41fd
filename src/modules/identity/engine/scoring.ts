/**
 * Match weight and probability of a pair, with the per-field explanation a reviewer sees: which level each
 * comparison reached and how many bits it contributed (the bits plus the prior sum to the pair's weight).
 */
import { conditionIndex, type HouseholdConditions } from './household.ts';
import type { PreparedRecords } from './prepared.ts';

export interface ComparisonModel {
  name: string;
  levels: readonly string[];
  m: number[];
  /** u per level, by how many earlier household fields the pair agrees on (0, 1, 2+; household.ts). */
  u: number[][];
  /** log2(m/u) per level, by the same household condition; 0 for the missing level. */
  weights: number[][];
  tfLevels: readonly number[];
}

export interface FsModel {
  comparisons: ComparisonModel[];
  /** Probability that two random records are the same child. */
  lambda: number;
  /** log2(λ / (1 − λ)): where every pair starts. */
  priorWeight: number;
  household: HouseholdConditions;
}

export interface FieldExplanation {
  comparison: string;
  level: number;
  label: string;
  /** Level weight plus the term-frequency adjustment, in bits. */
  weight: number;
  /** Part of `weight` due to how common the agreeing value is (negative for common names). */
  termFrequencyAdjustment: number;
  /** How many earlier household fields agreed, which chose this field's non-match probability (0 = none). */
  householdAgreement: number;
}

export interface PairExplanation { priorWeight: number; fields: FieldExplanation[]; weight: number; probability: number }

/** Smallest frequency credited to a value: a value seen once in a small file is not infinitely rare. */
const TF_MINIMUM = 1e-4;
/**
 * Fewer records than this give no term frequencies: in a mission's five records one repeated "Fatima" has a
 * frequency of 0.4 and took 3 of the 5 bits a same-spelling given name is worth. The model's u stands instead.
 */
const TF_MIN_RECORDS = 500;
/** The first TF level of a comparison (exact agreement) gets the full adjustment, fuzzier ones half. */
const TF_SHARE = [1, 0.5];
const CAP = 20;

export function probabilityOf(weight: number): number {
  return 1 / (1 + Math.pow(2, -weight));
}

function tfAdjustment(model: FsModel, prepared: PreparedRecords, c: number, level: number, cond: number, i: number, j: number): number {
  const cm = model.comparisons[c]!;
  const t = cm.tfLevels.indexOf(level);
  // Where earlier household fields agree, siblings share even a rare value: the conditional u already says how
  // much agreeing is worth, and a rarity bonus would count the household again.
  if (t < 0 || cond > 0 || prepared.count < TF_MIN_RECORDS) return 0;
  const column = prepared.termFrequency[c]![t]!;
  const tf = Math.max(column[i]!, column[j]!, TF_MINIMUM);
  return (TF_SHARE[t] ?? 0.5) * (Math.log2(cm.u[cond]![level]!) - Math.log2(tf));
}

/** [weight, its TF part, household condition] of comparison c for a pair whose levels start at `offset`. */
function fieldWeight(model: FsModel, prepared: PreparedRecords, levels: ArrayLike<number>, offset: number, c: number, i: number, j: number): [number, number, number] {
  const level = levels[offset + c]!;
  if (level === 0) return [0, 0, 0];
  const cond = conditionIndex(model.household, c, levels, offset);
  const base = model.comparisons[c]!.weights[cond]![level]!;
  const adjustment = tfAdjustment(model, prepared, c, level, cond, i, j);
  const total = Math.max(-CAP, Math.min(CAP, base + adjustment));
  return [total, total - base, cond];
}

/** Match weights (bits, prior included) of pairs whose levels are known. */
export function scorePairs(model: FsModel, prepared: PreparedRecords, levels: Uint8Array, left: Uint32Array, right: Uint32Array): Float64Array {
  const out = fieldSums(model, prepared, levels, left, right);
  for (let p = 0; p < out.length; p++) out[p] = model.priorWeight + out[p]!;
  return out;
}

/** log2(max(frequency, TF_MINIMUM)) per record, per comparison and TF level, computed once per prepared set. */
const logFrequencies = new WeakMap<PreparedRecords, Float64Array[][]>();

function logFrequencyOf(prepared: PreparedRecords): Float64Array[][] {
  let out = logFrequencies.get(prepared);
  if (!out) {
    out = prepared.termFrequency.map((levels) => levels.map((column) => column.map((tf) => Math.log2(Math.max(tf, TF_MINIMUM)))));
    logFrequencies.set(prepared, out);
  }
  return out;
}

/**
 * The sum of the field weights of each pair, without the prior (λ is estimated from these, and changing λ only
 * moves the prior). The same numbers as fieldWeight, with the lookups hoisted out of the loop: log2 of a record's
 * term frequency is taken once per record (log2 of the larger frequency = the larger log2), not once per pair.
 */
export function fieldSums(model: FsModel, prepared: PreparedRecords, levels: Uint8Array, left: Uint32Array, right: Uint32Array): Float64Array {
  const C = model.comparisons.length;
  const out = new Float64Array(left.length);
  const useTf = prepared.count >= TF_MIN_RECORDS;
  const logTf = useTf ? logFrequencyOf(prepared) : [];
  const plan = model.comparisons.map((cm, c) => ({
    simple: cm.tfLevels.length === 0 && model.household.condition[c]!.length === 0,
    weights: cm.weights,
    // tfOf[level]: the TF level index of a level, or -1.
    tfOf: cm.levels.map((_, level) => (useTf ? cm.tfLevels.indexOf(level) : -1)),
    logU: cm.u[0]!.map((u) => Math.log2(u)),
    logTf: useTf ? logTf[c]! : [],
  }));
  const household = model.household;
  for (let p = 0; p < left.length; p++) {
    let w = 0;
    const offset = p * C;
    const i = left[p]!;
    const j = right[p]!;
    for (let c = 0; c < C; c++) {
      const level = levels[offset + c]!;
      if (level === 0) continue;
      const step = plan[c]!;
      if (step.simple) { w += step.weights[0]![level]!; continue; }
      const cond = household.condition[c]!.length === 0 ? 0 : conditionIndex(household, c, levels, offset);
      let total = step.weights[cond]![level]!;
      const t = cond === 0 ? step.tfOf[level]! : -1;
      if (t >= 0) {
        const column = step.logTf[t]!;
        const a = column[i]!;
        const b = column[j]!;
        total += (TF_SHARE[t] ?? 0.5) * (step.logU[level]! - (a > b ? a : b));
      }
      w += total > CAP ? CAP : total < -CAP ? -CAP : total;
    }
    out[p] = w;
  }
  return out;
}

export function explainLevels(model: FsModel, prepared: PreparedRecords, levels: ArrayLike<number>, i: number, j: number): PairExplanation {
  let weight = model.priorWeight;
  const fields = model.comparisons.map((cm, c) => {
    const level = levels[c]!;
    const [w, tf, cond] = fieldWeight(model, prepared, levels, 0, c, i, j);
    weight += w;
    return { comparison: cm.name, level, label: cm.levels[level]!, weight: w, termFrequencyAdjustment: tf, householdAgreement: cond };
  });
  return { priorWeight: model.priorWeight, fields, weight, probability: probabilityOf(weight) };
}

/** The pairs whose field sum is at least `least` (their index in the batch), with those sums. */
export function keepLikely(model: FsModel, prepared: PreparedRecords, levels: Uint8Array, left: Uint32Array, right: Uint32Array, least: number): { kept: Uint32Array; sums: Float64Array } {
  const sums = fieldSums(model, prepared, levels, left, right);
  let count = 0;
  for (let p = 0; p < sums.length; p++) if (sums[p]! >= least) count++;
  const kept = new Uint32Array(count);
  const keptSums = new Float64Array(count);
  for (let p = 0, k = 0; p < sums.length; p++) if (sums[p]! >= least) { kept[k] = p; keptSums[k++] = sums[p]!; }
  return { kept, sums: keptSums };
}
