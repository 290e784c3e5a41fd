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

/** Each record's keys under one rule part, as ids of key strings (compressed rows: start[i]..start[i + 1]). */
interface PartIds { start: Int32Array; ids: Int32Array }

/**
 * The keys of one rule part for every record, as ids in `table` (one table for every part, so an unordered rule
 * can sort keys from different parts). Each distinct input value is turned into keys once.
 */
function partIds(rows: readonly Row[], part: string, table: Map<string, number>, featureOf?: FeatureLookup): PartIds {
  const n = rows.length;
  const colon = part.indexOf(':');
  const column = colon < 0 ? part : part.slice(0, colon);
  const transform = colon < 0 ? '' : part.slice(colon + 1);
  if (part.startsWith('@') && (!featureOf || transform !== 'years')) throw new Error(`blocking part "${part}": only "@<date comparison>:years" is supported`);
  const idOf = (key: string): number => {
    let id = table.get(key);
    if (id === undefined) { id = table.size; table.set(key, id); }
    return id;
  };
  const byValue = new Map<string, number[]>();
  const start = new Int32Array(n + 1);
  let ids = new Int32Array(Math.max(16, n));
  let count = 0;
  for (let i = 0; i < n; i++) {
    let keys: readonly number[];
    if (part.startsWith('@')) {
      keys = intervalYears(featureOf!(column.slice(1), i) as BirthInterval | null).map(idOf);
    } else {
      const value = columnValue(rows[i]!, column);
      if (value === undefined) keys = [];
      else {
        let known = byValue.get(value);
        if (!known) { known = computePartKeys(value, transform).filter((k) => k !== '').map(idOf); byValue.set(value, known); }
        keys = known;
      }
    }
    if (count + keys.length > ids.length) { const grown = new Int32Array(ids.length * 2 + keys.length); grown.set(ids); ids = grown; }
    for (const k of keys) ids[count++] = k;
    start[i + 1] = count;
  }
  return { start, ids: ids.subarray(0, count) };
}

/**
 * Every rule's index. Keys are numbers built from the ids of the parts' key strings (the same blocks as the
 * strings ruleKeys joins: equal ids are equal strings): at a million records and a dozen rules, building and
 * hashing a joined string per record and rule was most of the blocking time.
 */
function indexRules(rows: readonly Row[], rules: readonly BlockingRule[], maxBlockSize: number, stats: RuleStats[], featureOf?: FeatureLookup): RuleIndex[] {
  const table = new Map<string, number>();
  const parts = new Map<string, PartIds>();
  for (const rule of rules) for (const part of rule.parts) if (!parts.has(part)) parts.set(part, partIds(rows, part, table, featureOf));
  const K = Math.max(2, table.size);
  table.clear();
  return rules.map((rule, r) => indexRule(rows.length, rule, rule.parts.map((part) => parts.get(part)!), K, rule.maxBlockSize ?? maxBlockSize, stats[r]!));
}

function indexRule(n: number, rule: BlockingRule, parts: readonly PartIds[], K: number, limit: number, stat: RuleStats): RuleIndex {
  const blockOf = new Map<number, number>();
  // Parts beyond two: the first ones' combination gets a small id of its own, so keys stay below 2^53.
  const combined = parts.map(() => new Map<number, number>());
  const recordStart = new Int32Array(n + 1);
  let entries = new Int32Array(Math.max(16, n));
  let count = 0;
  const tuple: number[] = new Array<number>(parts.length).fill(0);
  const emit = (): void => {
    const key = rule.unordered ? [...tuple].sort((x, y) => x - y) : tuple;
    let code = key[0]!;
    for (let q = 1; q < key.length; q++) {
      const wide = code * K + key[q]!;
      if (q === key.length - 1) { code = wide; break; }
      let small = combined[q]!.get(wide);
      if (small === undefined) { small = combined[q]!.size; combined[q]!.set(wide, small); }
      code = small;
    }
    let b = blockOf.get(code);
    if (b === undefined) { b = blockOf.size; blockOf.set(code, b); }
    if (count === entries.length) { const grown = new Int32Array(entries.length * 2); grown.set(entries); entries = grown; }
    entries[count++] = b;
  };
  // Every combination of the parts' keys, first part outermost (the order ruleKeys gives).
  const combine = (i: number, q: number): void => {
    if (q === parts.length) { emit(); return; }
    const part = parts[q]!;
    for (let k = part.start[i]!; k < part.start[i + 1]!; k++) { tuple[q] = part.ids[k]!; combine(i, q + 1); }
  };
  for (let i = 0; i < n; i++) {
    combine(i, 0);
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

/** The candidate pairs of a run of consecutive left records: left ascending, then right ascending. */
export interface CandidateChunk { left: Uint32Array; right: Uint32Array; ruleMask: Uint32Array }

/**
 * The union of the rules' pairs, each pair once with a bit per rule, one chunk of left records at a time (so
 * comparison can start while later chunks are still being gathered, and a caller need never hold every pair).
 * Each rule is indexed first (record → blocks → members, typed arrays). A record's partners are then gathered
 * over every rule and de-duplicated with a per-partner stamp (no sort of all hits: that sort was most of the
 * gathering time at a million records), and only the record's own partner list is sorted.
 * `stats` is filled in as chunks are produced; it is complete when the generator is done.
 */
export function* candidateChunks(rows: readonly Row[], rules: readonly BlockingRule[], sources: Int32Array | null, maxBlockSize = 3000,
  featureOf?: FeatureLookup, stats: RuleStats[] = []): Generator<CandidateChunk> {
  if (rules.length > 32) throw new Error('at most 32 blocking rules');
  const n = rows.length;
  stats.length = 0;
  for (const rule of rules) stats.push({ rule: rule.name, keys: 0, largestBlock: 0, skippedBlocks: 0, pairs: 0, newPairs: 0 });
  const indexes = indexRules(rows, rules, maxBlockSize, stats, featureOf);
  // stamp[j] = i + 1 while record i's partners are gathered: j is already listed, and bits[j] holds its rules.
  const stamp = new Int32Array(n);
  const bits = new Uint32Array(n);
  let partners = new Uint32Array(1024);
  for (let start = 0; start < n; start += CHUNK_RECORDS) {
    const end = Math.min(n, start + CHUNK_RECORDS);
    const left = new GrowingU32();
    const right = new GrowingU32();
    const mask = new GrowingU32();
    for (let i = start; i < end; i++) {
      let count = 0;
      for (let r = 0; r < indexes.length; r++) {
        const index = indexes[r]!;
        const bit = 1 << r;
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
            if (stamp[j] !== i + 1) {
              stamp[j] = i + 1;
              bits[j] = bit;
              if (count === partners.length) { const grown = new Uint32Array(partners.length * 2); grown.set(partners); partners = grown; }
              partners[count++] = j;
            } else bits[j]! |= bit;
          }
        }
      }
      const sorted = partners.subarray(0, count).sort();
      for (let k = 0; k < count; k++) {
        const j = sorted[k]!;
        const m = bits[j]!;
        left.push(i); right.push(j); mask.push(m);
        // A pair is "new" for the first rule (in the given order) that produced it.
        stats[31 - Math.clz32(m & -m)]!.newPairs++;
        for (let r = m; r !== 0; r &= r - 1) stats[31 - Math.clz32(r & -r)]!.pairs++;
      }
    }
    if (left.length > 0) yield { left: left.done(), right: right.done(), ruleMask: mask.done() };
  }
}

/** Every candidate pair at once (small inputs, tests): the chunks of candidateChunks joined. */
export function generateCandidates(rows: readonly Row[], rules: readonly BlockingRule[], sources: Int32Array | null, maxBlockSize = 3000, featureOf?: FeatureLookup): CandidatePairs {
  const stats: RuleStats[] = [];
  const chunks = [...candidateChunks(rows, rules, sources, maxBlockSize, featureOf, stats)];
  return { ...joinChunks(chunks), stats };
}

/** One CandidateChunk of several, in order. */
export function joinChunks(chunks: readonly CandidateChunk[]): CandidateChunk {
  const total = chunks.reduce((sum, c) => sum + c.left.length, 0);
  const out = { left: new Uint32Array(total), right: new Uint32Array(total), ruleMask: new Uint32Array(total) };
  let at = 0;
  for (const c of chunks) {
    out.left.set(c.left, at); out.right.set(c.right, at); out.ruleMask.set(c.ruleMask, at);
    at += c.left.length;
  }
  return out;
}
