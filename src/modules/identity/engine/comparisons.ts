/**
 * Per-field comparisons: each turns two prepared values into a level (0 = missing, then from the strongest
 * agreement to "different"), evaluated like a CASE in order. Missing is never a disagreement: it has weight 0.
 */
import { birthInterval, compareBirthIntervals, DATE_LEVELS, type BirthInterval } from './dates.ts';
import { normaliseText } from './normalise.ts';
import { parseName } from './names.ts';
import { nameKeys } from './phonetic.ts';
import { comparePlaces, placeLevels, placePath, type PlacePath } from './places.ts';
import { columnValue, comparisonColumns, type ComparisonSpec, type Row } from './settings.ts';
import { damerauLevenshtein, jaroWinklerAtLeast, tokenSetSimilarity } from './string-metrics.ts';

export interface Comparator {
  readonly spec: ComparisonSpec;
  readonly name: string;
  readonly columns: readonly string[];
  readonly levels: readonly string[];
  /** Levels whose weight is adjusted by how common the agreeing value is, and the value key used for each. */
  readonly tfLevels: readonly number[];
  prepare(row: Row): unknown;
  tfKey(feature: unknown, tfIndex: number): string;
  level(a: unknown, b: unknown): number;
}

/** A class, not object literals, so every name feature has one shape and the scoring loop stays monomorphic. */
class NameFeature {
  constructor(
    readonly norm: string,
    readonly key: string,
    readonly code: string,
    readonly parts: string[],
    readonly partKeys: string[],
    /** Keys of the other name fields of the record and of their parts (for swapped fields); null when none. */
    readonly cross: readonly string[] | null,
    /** Phonetic codes of the same (a swap written with another spelling: Koulibaly Halimé / Halima Coulibaly). */
    readonly crossCodes: readonly string[] | null,
  ) {}
}

const NAME_LEVELS = [
  'missing', 'exact', 'same transliteration key', 'similar spelling (JW ≥ 0.92)', 'same phonetic code',
  'shares a name part', 'swapped with another name field', 'weakly similar (JW ≥ 0.80)', 'different',
];

function nameFeature(raw: string | undefined, cross: readonly string[] | null, crossCodes: readonly string[] | null = null): NameFeature | null {
  const parsed = parseName(raw);
  if (parsed.parts.length === 0) return null;
  const { key, code } = nameKeys(parsed.compact);
  const partKeys = parsed.parts.length > 1 ? parsed.parts.map((p) => nameKeys(p).key) : [key];
  return new NameFeature(parsed.parts.join(' '), key, code, parsed.parts, partKeys, cross, crossCodes);
}

function sharesPart(a: NameFeature, b: NameFeature): boolean {
  if (a.parts.length < 2 && b.parts.length < 2) return false;
  return tokenSetSimilarity(a.partKeys, b.partKeys) >= 0.95;
}

/**
 * Whether `other`'s name is among the record's other name fields: the same key, or the same phonetic code
 * (the test of the "same phonetic code" level), because the registrar who swapped the fields often spelt them
 * differently too.
 */
function inCross(cross: readonly string[] | null, crossCodes: readonly string[] | null, other: NameFeature): boolean {
  if (cross === null) return false;
  if (cross.includes(other.key)) return true;
  if (other.partKeys.length > 1) for (const k of other.partKeys) if (cross.includes(k)) return true;
  return crossCodes !== null && other.code.length >= 2 && crossCodes.includes(other.code);
}

/**
 * A swap of two name fields: each record's name is found among the other record's other name fields. One
 * direction alone is not a swap: a sibling written "Wamba Safiya" against "Esther Wamba" shares only the
 * family name, in another field. When one record has no other name field, one direction is all there is.
 */
function swappedNames(a: NameFeature, b: NameFeature): boolean {
  if (a.cross === null) return inCross(b.cross, b.crossCodes, a);
  if (b.cross === null) return inCross(a.cross, a.crossCodes, b);
  // Once one direction is found, the other may be a typo away (Christian Moulumba / Moulumba Kristian): a
  // similar spelling there is enough. Checked second, so the common case (no swap) costs no Jaro-Winkler.
  const forward = inCross(a.cross, a.crossCodes, b);
  const backward = inCross(b.cross, b.crossCodes, a);
  if (forward && backward) return true;
  if (forward) return nearCross(b.cross, a);
  if (backward) return nearCross(a.cross, b);
  return false;
}

/** A key of the record's other name fields within Jaro-Winkler 0.9 of `other`'s key (names of 4+ letters). */
function nearCross(cross: readonly string[], other: NameFeature): boolean {
  if (other.key.length < 4) return false;
  for (const k of cross) if (k.length >= 4 && jaroWinklerAtLeast(k, other.key, 0.9) >= 0.9) return true;
  return false;
}

function nameComparator(spec: Extract<ComparisonSpec, { kind: 'name' }>): Comparator {
  const cross = spec.crossColumns ?? [];
  return {
    spec, name: spec.name, columns: comparisonColumns(spec), levels: NAME_LEVELS, tfLevels: spec.tf === false ? [] : [1, 2],
    prepare(row) {
      // A few keys: an array is smaller than a Set, which matters at a million records.
      const crossKeys: string[] = [];
      const crossCodes: string[] = [];
      for (const column of cross) {
        const other = nameFeature(columnValue(row, column), null);
        if (!other) continue;
        for (const k of [other.key, ...other.partKeys]) {
          if (crossKeys.includes(k)) continue;
          crossKeys.push(k);
          const code = nameKeys(k).code;
          if (code.length >= 2 && !crossCodes.includes(code)) crossCodes.push(code);
        }
      }
      return nameFeature(columnValue(row, spec.column), crossKeys.length > 0 ? crossKeys : null, crossCodes.length > 0 ? crossCodes : null);
    },
    tfKey: (f, tfIndex) => (tfIndex === 0 ? (f as NameFeature).norm : (f as NameFeature).key),
    level(fa, fb) {
      if (fa === null || fb === null) return 0;
      const a = fa as NameFeature;
      const b = fb as NameFeature;
      if (a.norm === b.norm) return 1;
      if (a.key === b.key) return 2;
      const short = Math.min(a.key.length, b.key.length) <= 4;
      const jw = jaroWinklerAtLeast(a.key, b.key, 0.8);
      if (jw >= 0.92 && (!short || damerauLevenshtein(a.key, b.key, 1) <= 1)) return 3;
      if (a.code.length >= 2 && a.code === b.code) return 4;
      if (sharesPart(a, b)) return 5;
      if (swappedNames(a, b)) return 6;
      if (jw >= 0.8) return 7;
      return 8;
    },
  };
}

function dateComparator(spec: Extract<ComparisonSpec, { kind: 'date' }>): Comparator {
  return {
    spec, name: spec.name, columns: comparisonColumns(spec), levels: DATE_LEVELS, tfLevels: [],
    prepare: (row) => birthInterval(row[spec.column], spec.ageColumn ? row[spec.ageColumn] : undefined,
      spec.registrationDateColumn ? row[spec.registrationDateColumn] : undefined),
    tfKey: () => '',
    level: (a, b) => compareBirthIntervals(a as BirthInterval | null, b as BirthInterval | null),
  };
}

function placeComparator(spec: Extract<ComparisonSpec, { kind: 'place' }>): Comparator {
  const names = spec.levelNames ?? (spec.prefixLengths ?? spec.columns).map((_, i) => spec.columns[i] ?? `level ${i + 1}`);
  const levels = placeLevels(names);
  return {
    spec, name: spec.name, columns: comparisonColumns(spec), levels, tfLevels: [1],
    prepare(row) {
      const path = placePath(spec.columns.map((c) => row[c]), spec.prefixLengths);
      return path.some((p) => p !== '') ? path : null;
    },
    tfKey: (f) => (f as PlacePath).join('/'),
    level: (a, b) => comparePlaces(a as PlacePath | null, b as PlacePath | null),
  };
}

function exactComparator(spec: Extract<ComparisonSpec, { kind: 'exact' }>): Comparator {
  const missing = new Set((spec.missingValues ?? []).map((v) => normaliseText(v)));
  return {
    spec, name: spec.name, columns: comparisonColumns(spec), levels: ['missing', 'exact', 'different'], tfLevels: spec.tf ? [1] : [],
    prepare(row) {
      const v = normaliseText(columnValue(row, spec.column));
      return v === '' || missing.has(v) ? null : v;
    },
    tfKey: (f) => f as string,
    level: (a, b) => (a === null || b === null ? 0 : a === b ? 1 : 2),
  };
}

function stringComparator(spec: Extract<ComparisonSpec, { kind: 'string' }>): Comparator {
  const edit = spec.metric === 'edit';
  const thresholds = spec.thresholds ?? (edit ? [1, 2] : [0.92, 0.8]);
  const levels = ['missing', 'exact', ...thresholds.map((t) => (edit ? `edit distance ≤ ${t}` : `Jaro-Winkler ≥ ${t}`)), 'different'];
  const maxEdit = Math.max(...thresholds);
  const minSimilarity = Math.min(...thresholds);
  return {
    spec, name: spec.name, columns: comparisonColumns(spec), levels, tfLevels: spec.tf ? [1] : [],
    prepare(row) {
      const v = normaliseText(columnValue(row, spec.column));
      return v === '' ? null : v;
    },
    tfKey: (f) => f as string,
    level(fa, fb) {
      if (fa === null || fb === null) return 0;
      const a = fa as string;
      const b = fb as string;
      if (a === b) return 1;
      if (edit) {
        const d = damerauLevenshtein(a, b, maxEdit);
        for (let i = 0; i < thresholds.length; i++) if (d <= thresholds[i]!) return 2 + i;
      } else {
        const s = jaroWinklerAtLeast(a, b, minSimilarity);
        for (let i = 0; i < thresholds.length; i++) if (s >= thresholds[i]!) return 2 + i;
      }
      return levels.length - 1;
    },
  };
}

function buildPlain(spec: ComparisonSpec): Comparator {
  switch (spec.kind) {
    case 'name': return nameComparator(spec);
    case 'date': return dateComparator(spec);
    case 'place': return placeComparator(spec);
    case 'exact': return exactComparator(spec);
    case 'string': return stringComparator(spec);
  }
}

/** Distinct inputs remembered per comparator; beyond this the memo starts again (bounded memory). */
const MEMO_LIMIT = 400_000;

/**
 * Records share values (a million children have far fewer distinct name/date/place combinations), and a
 * prepared feature is immutable, so records with the same input columns share one feature object: at a million
 * records this is the difference between one feature per record and one per distinct value.
 */
export function buildComparator(spec: ComparisonSpec): Comparator {
  const plain = buildPlain(spec);
  const columns = [...comparisonColumns(spec), ...(spec.kind === 'name' ? spec.crossColumns ?? [] : [])].flatMap((c) => c.split('+'));
  const memo = new Map<string, unknown>();
  const prepare = (row: Row): unknown => {
    let key = '';
    for (const c of columns) key += `${row[c] ?? ''}\u0001`;
    let feature = memo.get(key);
    if (feature === undefined) {
      if (memo.size >= MEMO_LIMIT) memo.clear();
      feature = plain.prepare(row);
      memo.set(key, feature);
    }
    return feature;
  };
  return { spec, name: plain.name, columns: plain.columns, levels: plain.levels, tfLevels: plain.tfLevels, prepare, tfKey: plain.tfKey, level: plain.level };
}
