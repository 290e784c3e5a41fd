/**
 * Non-match probabilities conditional on household agreement (issue #5's first lesson). Siblings share family
 * name, parents and place; treating those fields as independent counts one fact ("same household") three or
 * four times and makes every sibling look like the same child. So the household comparisons are ordered
 * (e.g. family name, father, mother, place) and the u of each one is estimated from random pairs separately
 * for pairs that agree on none, one, or two or more of the earlier household fields. Where earlier fields
 * agree, agreeing again is common (siblings, cousins), u is larger and the field adds fewer bits.
 */
import type { Comparator } from './comparisons.ts';

export interface HouseholdConditions {
  /** Per comparison: the earlier household comparisons whose agreement selects its second u row (empty = none). */
  condition: number[][];
  /** Per comparison: levels 1..agreeMax count as agreement for conditioning. */
  agreeMax: number[];
}

/** Which levels of each comparator count as "agrees" (from the strongest down to the last positive kind). */
function agreementLevels(c: Comparator): number {
  switch (c.spec.kind) {
    case 'name': return 4;
    // The finest level, and the next one when nothing finer is known on both sides (a differing village is not a shared home).
    case 'place': return Math.min(2, c.levels.length - 2);
    case 'date': return 4;
    case 'exact': return 1;
    case 'string': return c.levels.length - 2;
  }
}

export function householdConditions(comparators: readonly Comparator[], household: readonly string[] = []): HouseholdConditions {
  const order = household.map((name) => {
    const index = comparators.findIndex((c) => c.name === name);
    if (index < 0) throw new Error(`household comparison "${name}" is not a comparison`);
    return index;
  });
  const condition = comparators.map((_, c) => {
    const position = order.indexOf(c);
    return position > 0 ? order.slice(0, position) : [];
  });
  return { condition, agreeMax: comparators.map(agreementLevels) };
}

/** How many earlier household fields of comparison c the pair (row `levels[offset..]`) agrees on: 0, 1 or 2 (= 2 or more). */
export function conditionIndex(h: HouseholdConditions, c: number, levels: ArrayLike<number>, offset: number): number {
  let agreeing = 0;
  for (const j of h.condition[c]!) {
    const level = levels[offset + j]!;
    if (level >= 1 && level <= h.agreeMax[j]!) agreeing++;
  }
  return agreeing > 2 ? 2 : agreeing;
}

export const CONDITIONS = 3;

const FLOOR = 1e-6;
/** Pseudo-pairs borrowed from the unconditional distribution when few random pairs agree on the household. */
const BACKOFF = 50;

/** u[c][condition][level] from random pairs' levels. Unconditioned comparisons get the same row for every condition. */
export function conditionalU(levels: Uint8Array, levelCounts: readonly number[], h: HouseholdConditions): number[][][] {
  const C = levelCounts.length;
  const counts = levelCounts.map((L) => Array.from({ length: CONDITIONS }, () => new Array<number>(L).fill(0)));
  const pairs = levels.length / C;
  for (let p = 0; p < pairs; p++) {
    for (let c = 0; c < C; c++) counts[c]![conditionIndex(h, c, levels, p * C)]![levels[p * C + c]!]! += 1;
  }
  return counts.map((rows, c) => {
    const all = distribution(rows[0]!.map((_, l) => rows.reduce((sum, row) => sum + row[l]!, 0)));
    if (h.condition[c]!.length === 0) return rows.map(() => all);
    // Each row borrows from the one below it when it has few pairs (agreeing on two household fields is rare).
    const out: number[][] = [distribution(rows[0]!)];
    for (let k = 1; k < rows.length; k++) out.push(distribution(rows[k]!.map((v, l) => v + BACKOFF * out[k - 1]![l]!)));
    return out;
  });
}

function distribution(row: number[]): number[] {
  let total = 0;
  for (let l = 1; l < row.length; l++) total += row[l]!;
  return row.map((v, l) => (l === 0 ? 0 : Math.max(FLOOR, total > 0 ? v / total : 1 / (row.length - 1))));
}

/** Fewer household-member pairs than this leave the random-pair u in place (too few to estimate from). */
const MIN_MEMBER_PAIRS = 100;

/**
 * The u of each conditioned household comparison where two or more earlier household fields agree, taken
 * from the candidate pairs there whose marker comparison (the given name) is at its last level, "different":
 * the household's other children. Random pairs almost never fall in one household (one sibling pair in
 * thousands), so their u there is borrowed from unrelated same-name families and misses that twins share the
 * birth day. The returned table replaces row 2 only; rows 0 and 1 stay as estimated from random pairs.
 */
export function householdMemberU(u: number[][][], candidateLevels: Uint8Array, levelCounts: readonly number[], h: HouseholdConditions, marker: number): number[][][] {
  const C = levelCounts.length;
  const different = levelCounts[marker]! - 1;
  const counts = levelCounts.map((L) => new Array<number>(L).fill(0));
  const pairs = candidateLevels.length / C;
  const members = new Array<number>(C).fill(0);
  for (let p = 0; p < pairs; p++) {
    if (candidateLevels[p * C + marker] !== different) continue;
    for (let c = 0; c < C; c++) {
      if (h.condition[c]!.length === 0 || conditionIndex(h, c, candidateLevels, p * C) < 2) continue;
      const level = candidateLevels[p * C + c]!;
      if (level === 0) continue;
      counts[c]![level]! += 1;
      members[c]! += 1;
    }
  }
  return u.map((rows, c) => (members[c]! < MIN_MEMBER_PAIRS ? rows
    : [rows[0]!, rows[1]!, distribution(counts[c]!.map((v, l) => v + BACKOFF * rows[2]![l]!))]));
}
