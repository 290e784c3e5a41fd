/**
 * Hierarchical place comparison in one comparison (record-linkage.md §6: admin levels are correlated, so
 * counting admin1 and admin2 as separate evidence would count the same fact twice). Values are either
 * separate columns from coarse to fine (admin1, admin2, village) or one p-code whose prefixes are the levels
 * (OCHA p-codes: country + 2 digits per level, e.g. SS01 ⊂ SS0102 ⊂ SS010203).
 */
import { translitKey } from './phonetic.ts';
import { compactText } from './normalise.ts';

/** One value per level, coarse to fine; '' where unknown. */
export type PlacePath = readonly string[];

const PCODE = /^[a-z]{2,3}\d+$/;

function placeKey(raw: string | undefined): string {
  const compact = compactText(raw);
  return PCODE.test(compact) ? compact : translitKey(compact);
}

/**
 * Builds the path of a record. With one column and `prefixLengths`, the levels are prefixes of a p-code;
 * otherwise each column is a level.
 */
export function placePath(values: readonly (string | undefined)[], prefixLengths?: readonly number[]): PlacePath {
  if (prefixLengths && values.length === 1) {
    const code = placeKey(values[0]);
    return prefixLengths.map((len) => (code.length >= len ? code.slice(0, len) : ''));
  }
  return values.map(placeKey);
}

/**
 * Labels for a hierarchy of `depth` levels: missing; then, from the finest level to the coarsest, "same <level>"
 * (nothing finer known on both sides) and, below the finest, "same <level>, a finer level differs" (a finer level
 * known on both sides disagrees); then different. A child's village of origin is stable, so two known villages
 * that differ are evidence against, not a tie at the district: namesakes of one district in different villages
 * scored like "same district" before.
 */
export function placeLevels(levelNames: readonly string[]): string[] {
  const labels = ['missing'];
  for (let d = levelNames.length - 1; d >= 0; d--) {
    labels.push(`same ${levelNames[d]}`);
    if (d < levelNames.length - 1) labels.push(`same ${levelNames[d]}, a finer level differs`);
  }
  labels.push('different');
  return labels;
}

/**
 * Comparison level (index into placeLevels): the finest level where both paths are known and agree, with every
 * coarser level known on both sides agreeing too (a "village 17" in another province is another village), and
 * whether a finer level known on both sides disagrees; "different" if none agrees.
 */
export function comparePlaces(a: PlacePath | null, b: PlacePath | null): number {
  if (!a || !b) return 0;
  const depth = Math.min(a.length, b.length);
  let comparable = false;
  let finest = -1;
  let finerDiffers = false;
  for (let d = 0; d < depth; d++) {
    const x = a[d]!;
    const y = b[d]!;
    if (x === '' || y === '') continue;
    comparable = true;
    if (x !== y) { finerDiffers = true; break; }
    finest = d;
  }
  if (finest < 0) return comparable ? 2 * depth : 0;
  if (finest === depth - 1) return 1;
  // Levels after "same <finest>": two per coarser level, "same" then "same, finer differs".
  return 2 * (depth - 1 - finest) + (finerDiffers ? 1 : 0);
}
