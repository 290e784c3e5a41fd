/**
 * The large-input path of a run: blocking and comparison overlap (each chunk of candidate pairs goes to a free
 * worker as soon as blocking yields it), training reads counted level patterns instead of every pair, and
 * scoring keeps only the pairs likely enough to matter. At a million records this is the difference between
 * holding 80 M pairs' levels, weights and probabilities (about 3 GB) and holding their levels only while they
 * are scored.
 */
import { candidateChunks, joinChunks, type CandidateChunk, type CandidatePairs, type FeatureLookup, type RuleStats } from './blocking.ts';
import type { Comparator } from './comparisons.ts';
import { LevelPool, yieldToEvents } from './parallel.ts';
import { PatternCounts, TRAINING_PAIRS, WeightBins } from './patterns.ts';
import { computeLevels, expandLeft, type PreparedRecords } from './prepared.ts';
import { fieldSums, keepLikely, probabilityOf, type FsModel } from './scoring.ts';
import type { LinkageSettings, Row } from './settings.ts';

const NO_MASKS = new Uint32Array(0);

/**
 * One chunk of candidate pairs with their levels (row-major). The left records are held as a count of pairs per
 * record from `first` on (pairs come grouped by left record): at 80 M pairs a left index per pair is 320 MB.
 */
export interface LevelledChunk { first: number; perRecord: Uint32Array; right: Uint32Array; ruleMask: Uint32Array; levels: Uint8Array }

/** The left record of every pair of the chunk. */
export function leftOf(chunk: LevelledChunk): Uint32Array {
  return expandLeft(chunk.first, chunk.perRecord, chunk.right.length);
}

function levelled(chunk: CandidateChunk): LevelledChunk {
  const first = chunk.left[0] ?? 0;
  const perRecord = new Uint32Array(chunk.left.length === 0 ? 0 : chunk.left[chunk.left.length - 1]! - first + 1);
  for (const i of chunk.left) perRecord[i - first]!++;
  return { first, perRecord, right: chunk.right, ruleMask: chunk.ruleMask, levels: new Uint8Array(0) };
}

const EMPTY: LevelledChunk = { first: 0, perRecord: new Uint32Array(0), right: new Uint32Array(0), ruleMask: new Uint32Array(0), levels: new Uint8Array(0) };

export interface Compared {
  chunks: LevelledChunk[];
  stats: RuleStats[];
  candidateCount: number;
  /** Level patterns of every candidate pair, tagged with the training rules that produced the pair (bit s = emRules[s]). */
  patterns: PatternCounts;
}

/** Blocking rule index of each training (EM) rule, in the settings' order. */
export function trainingRules(settings: LinkageSettings): number[] {
  const names = settings.training?.emRules ?? settings.blocking.map((r) => r.name);
  return names.map((name) => {
    const r = settings.blocking.findIndex((rule) => rule.name === name);
    if (r < 0) throw new Error(`training rule "${name}" is not a blocking rule`);
    return r;
  });
}

/**
 * Candidate pairs chunk by chunk, with their levels. With a pool, each chunk is queued for the workers as soon as
 * it is gathered, and this thread joins in once blocking is done; `onBlocked` marks that moment (for timings).
 */
export async function blockAndCompare(rows: readonly Row[], settings: LinkageSettings, prepared: PreparedRecords, comparators: readonly Comparator[],
  featureOf: FeatureLookup, pool: LevelPool | null, keepMasks: boolean, onBlocked: () => void, onCandidates?: (left: Uint32Array, right: Uint32Array) => void): Promise<Compared> {
  const C = comparators.length;
  const local = (left: Uint32Array, right: Uint32Array): Uint8Array => computeLevels(comparators, prepared.features, left, right);
  const ruleOfTag = trainingRules(settings);
  const patterns = new PatternCounts(C, ruleOfTag.length, comparators.map((c) => c.levels.length));
  const count = (chunk: LevelledChunk, levels: Uint8Array): void => {
    const mask = chunk.ruleMask;
    const tags = new Uint32Array(mask.length);
    for (let p = 0; p < mask.length; p++) {
      let tag = 0;
      for (let s = 0; s < ruleOfTag.length; s++) if (mask[p]! & (1 << ruleOfTag[s]!)) tag |= 1 << s;
      tags[p] = tag;
    }
    patterns.add(levels, tags);
    // Training has what it needs from the rule bits; a large run drops them (4 bytes a pair).
    if (!keepMasks) chunk.ruleMask = NO_MASKS;
  };
  const stats: RuleStats[] = [];
  const chunks: LevelledChunk[] = [];
  const pending: Promise<void>[] = [];
  let candidateCount = 0;
  for (const chunk of candidateChunks(rows, settings.blocking, prepared.sources, settings.maxBlockSize, featureOf, stats)) {
    candidateCount += chunk.left.length;
    onCandidates?.(chunk.left, chunk.right);
    const held = levelled(chunk);
    chunks.push(held);
    if (pool) {
      pending.push(pool.submitChunk(held.first, held.perRecord, held.right).then((levels) => { held.levels = levels; count(held, levels); }));
      await yieldToEvents();
    } else {
      held.levels = local(chunk.left, chunk.right);
      count(held, held.levels);
    }
  }
  onBlocked();
  if (pool) await pool.help(local, (first, perRecord, right) => local(expandLeft(first, perRecord, right.length), right));
  await Promise.all(pending);
  return { chunks, stats, candidateCount, patterns };
}

interface KeptChunk extends CandidateChunk { levels: Uint8Array }

/** Chunks scored at once on a pool. */
const SCORE_WAVE = 16;
const noLevels = (): Uint8Array => { throw new Error('only scoring batches are queued while scoring'); };

export interface Scored {
  candidates: CandidatePairs;
  levels: Uint8Array;
  weights: Float64Array;
  probabilities: Float64Array;
}

/**
 * The field sums λ is estimated from, counted in bins: of every candidate pair when they number at most
 * TRAINING_PAIRS, else of every k-th pair (a systematic sample of that size; `scale` = the share sampled), so a
 * large run scores its pairs once more only for the sample, not in full.
 */
export function weightBins(model: FsModel, prepared: PreparedRecords, chunks: readonly LevelledChunk[], candidateCount: number): { weights: Float64Array; scale: number } {
  const bins = new WeightBins();
  const step = Math.max(1, Math.ceil(candidateCount / TRAINING_PAIRS));
  const C = model.comparisons.length;
  let sampled = 0;
  let offset = 0;
  for (const chunk of chunks) {
    const chunkLeft = leftOf(chunk);
    if (step === 1) {
      for (const w of fieldSums(model, prepared, chunk.levels, chunkLeft, chunk.right)) bins.add(w);
    } else {
      const first = (step - (offset % step)) % step;
      const picks = Math.max(0, Math.ceil((chunkLeft.length - first) / step));
      const left = new Uint32Array(picks);
      const right = new Uint32Array(picks);
      const levels = new Uint8Array(picks * C);
      for (let x = 0, p = first; x < picks; x++, p += step) {
        left[x] = chunkLeft[p]!; right[x] = chunk.right[p]!;
        levels.set(chunk.levels.subarray(p * C, p * C + C), x * C);
      }
      for (const w of fieldSums(model, prepared, levels, left, right)) bins.add(w);
    }
    offset += chunkLeft.length;
  }
  sampled = bins.total;
  const expanded = bins.expand(Number.MAX_SAFE_INTEGER);
  return { weights: expanded.weights, scale: sampled / Math.max(1, candidateCount) };
}

/**
 * Every chunk scored with the final model, keeping the pairs whose probability is at least `keepFrom` (0: all),
 * joined into one set. With a pool the chunks are scored on every thread. A chunk's arrays are released as
 * soon as it is scored.
 */
export async function scoreAndKeep(model: FsModel, prepared: PreparedRecords, chunks: LevelledChunk[], stats: RuleStats[], comparisonCount: number, keepFrom: number,
  pool: LevelPool | null): Promise<Scored> {
  const C = comparisonCount;
  const kept: KeptChunk[] = new Array<KeptChunk>(chunks.length);
  const keptWeights: Float64Array[] = new Array<Float64Array>(chunks.length);
  // probability ≥ keepFrom ⇔ weight ≥ log2(keepFrom / (1 − keepFrom)): no power of 2 per pair.
  const least = keepFrom <= 0 ? -Infinity : Math.log2(keepFrom / (1 - keepFrom)) - model.priorWeight;
  const take = (k: number, chunk: LevelledChunk, chunkLeft: Uint32Array, result: { kept: Uint32Array; sums: Float64Array }): void => {
    const n = result.kept.length;
    const part: KeptChunk = { left: new Uint32Array(n), right: new Uint32Array(n), ruleMask: new Uint32Array(n), levels: new Uint8Array(n * C) };
    const weights = new Float64Array(n);
    for (let x = 0; x < n; x++) {
      const p = result.kept[x]!;
      part.left[x] = chunkLeft[p]!; part.right[x] = chunk.right[p]!; part.ruleMask[x] = chunk.ruleMask[p] ?? 0;
      part.levels.set(chunk.levels.subarray(p * C, p * C + C), x * C);
      weights[x] = model.priorWeight + result.sums[x]!;
    }
    kept[k] = part; keptWeights[k] = weights;
    chunks[k] = EMPTY;
  };
  let jobs: Promise<void>[] = [];
  for (let k = 0; k < chunks.length; k++) {
    // In waves, so that only a few chunks' left indexes are spelt out at once.
    if (pool && jobs.length >= SCORE_WAVE) { await pool.help(noLevels); await Promise.all(jobs); jobs = []; }
    const chunk = chunks[k]!;
    const chunkLeft = leftOf(chunk);
    if (keepFrom <= 0) {
      const sums = fieldSums(model, prepared, chunk.levels, chunkLeft, chunk.right);
      for (let p = 0; p < sums.length; p++) sums[p] = model.priorWeight + sums[p]!;
      kept[k] = { left: chunkLeft, right: chunk.right, ruleMask: chunk.ruleMask, levels: chunk.levels }; keptWeights[k] = sums;
      continue;
    }
    const local = (): { kept: Uint32Array; sums: Float64Array } => keepLikely(model, prepared, chunk.levels, chunkLeft, chunk.right, least);
    if (pool) jobs.push(pool.score(model, chunkLeft, chunk.right, chunk.levels, least, local).then((result) => take(k, chunk, chunkLeft, result)));
    else take(k, chunk, chunkLeft, local());
  }
  if (pool && jobs.length > 0) await pool.help(noLevels);
  await Promise.all(jobs);
  const joined = joinChunks(kept);
  const total = kept.reduce((sum, c) => sum + c.left.length, 0);
  const levels = new Uint8Array(total * C);
  const weights = new Float64Array(total);
  let at = 0;
  kept.forEach((c, k) => { levels.set(c.levels, at * C); weights.set(keptWeights[k]!, at); at += c.left.length; });
  return { candidates: { ...joined, stats }, levels, weights, probabilities: weights.map(probabilityOf) };
}
