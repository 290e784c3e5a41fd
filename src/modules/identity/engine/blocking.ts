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

export function generateCandidates(rows: readonly Row[], rules: readonly BlockingRule[], sources: Int32Array | null, maxBlockSize = 3000, featureOf?: FeatureLookup): CandidatePairs {
  if (rules.length > 32) throw new Error('at most 32 blocking rules');
  const n = rows.length;
  // Every (pair, rule) hit is one number, pair code × 32 + rule; sorting them groups each pair's rules
  // together. This is several times faster than a Map when a rule set yields millions of pairs.
  let hits = new Float64Array(1 << 16);
  let hitCount = 0;
  const stats: RuleStats[] = [];
  rules.forEach((rule, r) => {
    const blocks = new Map<string, number[]>();
    rows.forEach((row, i) => {
      for (const key of ruleKeys(row, rule, i, featureOf)) {
        const block = blocks.get(key);
        if (block) block.push(i); else blocks.set(key, [i]);
      }
    });
    const stat: RuleStats = { rule: rule.name, keys: blocks.size, largestBlock: 0, skippedBlocks: 0, pairs: 0, newPairs: 0 };
    for (const members of blocks.values()) {
      if (members.length < 2) continue;
      if (members.length > (rule.maxBlockSize ?? maxBlockSize)) { stat.skippedBlocks++; continue; }
      stat.largestBlock = Math.max(stat.largestBlock, members.length);
      for (let x = 0; x < members.length; x++) {
        const i = members[x]!;
        for (let y = x + 1; y < members.length; y++) {
          const j = members[y]!;
          if (i === j || (sources && sources[i] === sources[j])) continue;
          if (hitCount === hits.length) { const grown = new Float64Array(hits.length * 2); grown.set(hits); hits = grown; }
          hits[hitCount++] = ((i < j ? i : j) * n + (i < j ? j : i)) * 32 + r;
        }
      }
    }
    stats.push(stat);
  });
  const sorted = hits.subarray(0, hitCount).sort();
  const left: number[] = [];
  const right: number[] = [];
  const mask: number[] = [];
  let previous = -1;
  for (let k = 0; k < sorted.length; k++) {
    const code = Math.floor(sorted[k]! / 32);
    const r = sorted[k]! - code * 32;
    if (code !== previous) {
      left.push(Math.floor(code / n)); right.push(code % n); mask.push(0);
      previous = code;
    }
    if (!(mask[mask.length - 1]! & (1 << r))) { mask[mask.length - 1]! |= 1 << r; stats[r]!.pairs++; }
  }
  // A pair is "new" for the first rule (in the given order) that produced it.
  for (const m of mask) stats[31 - Math.clz32(m & -m)]!.newPairs++;
  return { left: Uint32Array.from(left), right: Uint32Array.from(right), ruleMask: Uint32Array.from(mask), stats };
}
