/**
 * Candidate pairs from a union of blocking rules (record-linkage.md §3.1: several cheap keys rather than one
 * loose key; a missed pair can never be found again). Each pair is kept once, with a bit per rule that
 * produced it, so EM sessions can tell which comparisons a rule already forced to agree.
 */
import { parseBirthDate, type BirthInterval } from './dates.ts';
import { parseName } from './names.ts';
import { compactText, normaliseText } from './normalise.ts';
import { nameKeys } from './phonetic.ts';
import { columnValue, type BlockingRule, type Row } from './settings.ts';

export interface RuleStats { rule: string; keys: number; largestBlock: number; skippedBlocks: number; pairs: number; newPairs: number }

export interface CandidatePairs {
  left: Uint32Array;
  right: Uint32Array;
  /** Bit r set when blocking rule r produced the pair. */
  ruleMask: Uint32Array;
  stats: RuleStats[];
}

const YEAR_DAYS = 365.25;

/** Year numbers an interval touches, widened by a year on each side (at most 8: a vaguer date is no key). */
function intervalYears(d: BirthInterval | null): string[] {
  if (!d) return [];
  const first = Math.floor(d.lo / YEAR_DAYS) - 1;
  const last = Math.floor(d.hi / YEAR_DAYS) + 1;
  if (last - first > 8) return [];
  const out: string[] = [];
  for (let y = first; y <= last; y++) out.push(String(y));
  return out;
}

/** Gives a comparison's prepared value of record i, for rule parts written "@comparison name:transform". */
export type FeatureLookup = (comparison: string, record: number) => unknown;

const NO_KEYS: string[] = [];
/** Per transform, the keys of each distinct value: values repeat across records and rules. */
const keyMemo = new Map<string, Map<string, string[]>>();

function partKeys(value: string | undefined, transform: string): string[] {
  if (value === undefined) return NO_KEYS;
  let memo = keyMemo.get(transform);
  if (!memo) { memo = new Map(); keyMemo.set(transform, memo); }
  let keys = memo.get(value);
  if (keys === undefined) {
    if (memo.size > 200_000) memo.clear();
    keys = computePartKeys(value, transform).filter((k) => k !== '');
    memo.set(value, keys);
  }
  return keys;
}

function computePartKeys(value: string, transform: string): string[] {
  switch (transform) {
    case '': return [normaliseText(value)];
    case 'key': return [nameKeys(parseName(value).compact).key];
    case 'code': return [nameKeys(parseName(value).compact).code];
    case 'part-codes': return [...new Set(parseName(value).parts.map((p) => nameKeys(p).code).filter((c) => c.length >= 2))];
    case 'first3': return [compactText(value).slice(0, 3)];
    case 'year': {
      const d = parseBirthDate(value);
      return d && d.precision !== 'age' ? [String(new Date(d.lo * 86_400_000).getUTCFullYear())] : [];
    }
    case 'years': return intervalYears(parseBirthDate(value));
    default: throw new Error(`unknown blocking transform "${transform}"`);
  }
}

/** The blocking keys of one record under one rule (several when a part yields several values). */
export function ruleKeys(row: Row, rule: BlockingRule, record = -1, featureOf?: FeatureLookup): string[] {
  const values: string[][] = [];
  let single = true;
  for (const part of rule.parts) {
    const colon = part.indexOf(':');
    let keys: string[];
    if (part.startsWith('@')) {
      if (!featureOf || part.slice(colon + 1) !== 'years') throw new Error(`blocking part "${part}": only "@<date comparison>:years" is supported`);
      keys = intervalYears(featureOf(part.slice(1, colon), record) as BirthInterval | null);
    } else {
      keys = colon < 0 ? partKeys(columnValue(row, part), '') : partKeys(columnValue(row, part.slice(0, colon)), part.slice(colon + 1));
    }
    if (keys.length === 0) return NO_KEYS;
    if (keys.length > 1) single = false;
    values.push(keys);
  }
  if (single) {
    const parts = values.map((v) => v[0]!);
    return [(rule.unordered ? parts.sort() : parts).join('\u0001')];
  }
  let combos: string[][] = [[]];
  for (const keys of values) combos = combos.flatMap((c) => keys.map((v) => [...c, v]));
  return combos.map((c) => (rule.unordered ? c.sort() : c).join('\u0001'));
}

/** Records per chunk of left records whose pairs are gathered, de-duplicated and appended at once. */
const CHUNK_RECORDS = 4096;

/** One rule's blocks as compressed rows: the blocks of each record, and the members of each block (ascending). */
interface RuleIndex { recordStart: Int32Array; recordBlocks: Int32Array; blockStart: Int32Array; members: Int32Array }

function indexRule(rows: readonly Row[], rule: BlockingRule, limit: number, stat: RuleStats, featureOf?: FeatureLookup): RuleIndex {
  const n = rows.length;
  const blockOf = new Map<string, number>();
  const recordStart = new Int32Array(n + 1);
  let entries = new Int32Array(Math.max(16, n));
  let count = 0;
  for (let i = 0; i < n; i++) {
    for (const key of ruleKeys(rows[i]!, rule, i, featureOf)) {
      let b = blockOf.get(key);
      if (b === undefined) { b = blockOf.size; blockOf.set(key, b); }
      if (count === entries.length) { const grown = new Int32Array(entries.length * 2); grown.set(entries); entries = grown; }
      entries[count++] = b;
    }
    recordStart[i + 1] = count;
  }
  stat.keys = blockOf.size;
  blockOf.clear();
  const sizes = new Int32Array(stat.keys);
  for (let k = 0; k < count; k++) sizes[entries[k]!]!++;
  // A block too large to compare in full, or of one record, gets no members: it yields no pairs.
  const blockStart = new Int32Array(stat.keys + 1);
  for (let b = 0; b < stat.keys; b++) {
    const size = sizes[b]!;
    if (size > limit) { stat.skippedBlocks++; sizes[b] = 0; } else if (size < 2) sizes[b] = 0; else stat.largestBlock = Math.max(stat.largestBlock, size);
    blockStart[b + 1] = blockStart[b]! + sizes[b]!;
  }
  const members = new Int32Array(blockStart[stat.keys]!);
  const fill = blockStart.slice(0, stat.keys);
  for (let i = 0; i < n; i++) {
    for (let k = recordStart[i]!; k < recordStart[i + 1]!; k++) {
      const b = entries[k]!;
      if (sizes[b]! > 0) members[fill[b]!++] = i;
    }
  }
  return { recordStart, recordBlocks: entries.subarray(0, count), blockStart, members };
}

/** A Uint32Array that grows by doubling. */
class GrowingU32 {
  data = new Uint32Array(1 << 16);
  length = 0;
  push(v: number): void {
    if (this.length === this.data.length) { const grown = new Uint32Array(this.data.length * 2); grown.set(this.data); this.data = grown; }
    this.data[this.length++] = v;
  }
  /** A copy of exactly the pushed values (so the spare capacity is freed). */
  done(): Uint32Array { return this.data.slice(0, this.length); }
}

/**
 * The union of the rules' pairs, each pair once with a bit per rule. Each rule is indexed first (record →
 * blocks → members, typed arrays); then the pairs are gathered for a chunk of left records at a time, sorted and
 * de-duplicated there, and appended. So only one chunk's (pair, rule) hits are ever in memory, never all of them.
 */
export function generateCandidates(rows: readonly Row[], rules: readonly BlockingRule[], sources: Int32Array | null, maxBlockSize = 3000, featureOf?: FeatureLookup): CandidatePairs {
  if (rules.length > 32) throw new Error('at most 32 blocking rules');
  const n = rows.length;
  const stats: RuleStats[] = rules.map((rule) => ({ rule: rule.name, keys: 0, largestBlock: 0, skippedBlocks: 0, pairs: 0, newPairs: 0 }));
  const indexes = rules.map((rule, r) => indexRule(rows, rule, rule.maxBlockSize ?? maxBlockSize, stats[r]!, featureOf));
  const left = new GrowingU32();
  const right = new GrowingU32();
  const mask = new GrowingU32();
  let hits = new Float64Array(1 << 16);
  for (let start = 0; start < n; start += CHUNK_RECORDS) {
    const end = Math.min(n, start + CHUNK_RECORDS);
    let hitCount = 0;
    indexes.forEach((index, r) => {
      for (let i = start; i < end; i++) {
        for (let k = index.recordStart[i]!; k < index.recordStart[i + 1]!; k++) {
          const b = index.recordBlocks[k]!;
          const last = index.blockStart[b + 1]!;
          // Members are ascending: the partners of i are the ones after it.
          let lo = index.blockStart[b]!;
          let hi = last;
          while (lo < hi) { const mid = (lo + hi) >>> 1; if (index.members[mid]! <= i) lo = mid + 1; else hi = mid; }
          for (let x = lo; x < last; x++) {
            const j = index.members[x]!;
            if (sources && sources[i] === sources[j]) continue;
            if (hitCount === hits.length) { const grown = new Float64Array(hits.length * 2); grown.set(hits); hits = grown; }
            hits[hitCount++] = ((i - start) * n + j) * 32 + r;
          }
        }
      }
    });
    const sorted = hits.subarray(0, hitCount).sort();
    let previous = -1;
    let current = 0;
    for (let k = 0; k < sorted.length; k++) {
      const code = Math.floor(sorted[k]! / 32);
      const r = sorted[k]! - code * 32;
      if (code !== previous) {
        if (previous >= 0) mask.push(current);
        left.push(start + Math.floor(code / n)); right.push(code % n); current = 0;
        previous = code;
      }
      if (!(current & (1 << r))) { current |= 1 << r; stats[r]!.pairs++; }
    }
    if (previous >= 0) mask.push(current);
  }
  const ruleMask = mask.done();
  // A pair is "new" for the first rule (in the given order) that produced it.
  for (const m of ruleMask) stats[31 - Math.clz32(m & -m)]!.newPairs++;
  return { left: left.done(), right: right.done(), ruleMask, stats };
}
