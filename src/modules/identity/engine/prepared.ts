/**
 * Records turned into per-comparison features once, before any pair is compared, and the comparison levels of
 * a list of pairs. Features are plain data so they can be handed to worker threads.
 */
import { buildComparator, type Comparator } from './comparisons.ts';
import { comparisonColumns, ruleColumns, type LinkageSettings, type Row } from './settings.ts';

export interface PreparedRecords {
  count: number;
  ids: string[];
  /** Source index per record when linking files (pairs inside one source are never compared); else null. */
  sources: Int32Array | null;
  sourceNames: string[];
  /** features[c][i]: comparison c's prepared value of record i (null = missing). */
  features: unknown[][];
  /** termFrequency[c][t][i]: share of records whose value for TF level t of comparison c equals record i's. */
  termFrequency: Float64Array[][];
}

export class LinkageInputError extends Error {
  constructor(message: string, readonly field: string) {
    super(message);
  }
}

/** Refuses, before any work starts, input that would give silently wrong results. */
export function validateInput(rows: readonly Row[], settings: LinkageSettings): void {
  const header = new Set<string>();
  for (const row of rows.slice(0, 1000)) for (const key of Object.keys(row)) header.add(key);
  if (rows.length === 0) return;
  const needed = new Set([settings.idColumn, ...(settings.sourceColumn ? [settings.sourceColumn] : [])]);
  for (const spec of settings.comparisons) for (const c of comparisonColumns(spec)) needed.add(c);
  for (const rule of settings.blocking) for (const c of ruleColumns(rule)) needed.add(c);
  for (const column of needed) {
    if (!header.has(column)) throw new LinkageInputError(`column "${column}" is required by the settings but missing from the input`, column);
  }
  const seen = new Set<string>();
  for (const row of rows) {
    const id = row[settings.idColumn]?.trim();
    if (!id) throw new LinkageInputError(`a record has an empty ${settings.idColumn}`, settings.idColumn);
    if (seen.has(id)) throw new LinkageInputError(`duplicate record id "${id}"`, settings.idColumn);
    seen.add(id);
  }
}

export function buildComparators(settings: LinkageSettings): Comparator[] {
  return settings.comparisons.map(buildComparator);
}

export function prepareRecords(rows: readonly Row[], settings: LinkageSettings, comparators = buildComparators(settings)): PreparedRecords {
  validateInput(rows, settings);
  const n = rows.length;
  const ids = rows.map((r) => r[settings.idColumn]!.trim());
  let sources: Int32Array | null = null;
  const sourceNames: string[] = [];
  if (settings.sourceColumn) {
    const index = new Map<string, number>();
    sources = new Int32Array(n);
    rows.forEach((row, i) => {
      const name = row[settings.sourceColumn!] ?? '';
      if (!index.has(name)) { index.set(name, sourceNames.length); sourceNames.push(name); }
      sources![i] = index.get(name)!;
    });
  }
  const features = comparators.map((c) => rows.map((row) => c.prepare(row)));
  return { count: n, ids, sources, sourceNames, features, termFrequency: termFrequencies(comparators, features) };
}

/** termFrequency[c][t][i] of PreparedRecords, from the features (worker threads compute their own). */
export function termFrequencies(comparators: readonly Comparator[], features: readonly unknown[][]): Float64Array[][] {
  return comparators.map((c, ci) => c.tfLevels.map((_, t) => {
    const counts = new Map<string, number>();
    const keys = features[ci]!.map((f) => (f === null ? null : c.tfKey(f, t)));
    let present = 0;
    for (const k of keys) if (k !== null) { counts.set(k, (counts.get(k) ?? 0) + 1); present++; }
    const out = new Float64Array(keys.length);
    keys.forEach((k, i) => { out[i] = k === null ? 0 : counts.get(k)! / present; });
    return out;
  }));
}

/** Levels of every comparison for each pair, row-major: levels[p * C + c]. */
export function computeLevels(comparators: readonly Comparator[], features: readonly unknown[][], left: Uint32Array, right: Uint32Array): Uint8Array {
  const C = comparators.length;
  const out = new Uint8Array(left.length * C);
  for (let c = 0; c < C; c++) {
    const cmp = comparators[c]!;
    const column = features[c]!;
    for (let p = 0; p < left.length; p++) out[p * C + c] = cmp.level(column[left[p]!], column[right[p]!]);
  }
  return out;
}

/** The left record of each pair, from pairs grouped by left record: perRecord[k] pairs of record first + k. */
export function expandLeft(first: number, perRecord: Uint32Array, pairs: number): Uint32Array {
  const left = new Uint32Array(pairs);
  let at = 0;
  perRecord.forEach((n, k) => { left.fill(first + k, at, at + n); at += n; });
  return left;
}
