/**
 * What a linkage run is told: plain JSON, so the same settings drive the main thread and the worker threads,
 * and a settings file can be stored next to a data set. A column reference may join several columns with
 * "+" ("given_name+family_name+other_names" = every name part of the record).
 */

export type Row = Readonly<Record<string, string | undefined>>;

export type ComparisonSpec =
  | { kind: 'name'; name: string; column: string; crossColumns?: string[]; tf?: boolean }
  | { kind: 'date'; name: string; column: string; ageColumn?: string; registrationDateColumn?: string }
  | { kind: 'place'; name: string; columns: string[]; levelNames?: string[]; prefixLengths?: number[] }
  | { kind: 'exact'; name: string; column: string; missingValues?: string[]; tf?: boolean }
  | { kind: 'string'; name: string; column: string; metric?: 'jaro-winkler' | 'edit'; thresholds?: number[]; tf?: boolean };

/**
 * A blocking rule: records are candidates when every part of the key is equal. A part is
 * "column" (normalised text) or "column:transform" with transform one of
 *   key | code        transliteration key / phonetic code of the whole name
 *   part-codes        phonetic code of each name part (several keys per record)
 *   first3            first three letters of the normalised text
 *   years             each birth year the date interval touches, widened by one year on each side
 *   year              the birth year of an exact or placeholder date
 * A part "@<date comparison name>:years" uses that comparison's birth interval, so dates derived from an
 * estimated age block too.
 * `unordered` sorts the parts first, so a rule on (given, family) also catches the two swapped.
 */
export interface BlockingRule {
  name: string;
  parts: string[];
  unordered?: boolean;
  /** Blocks of this rule larger than this are skipped (a loose rule on common names); default: the settings'. */
  maxBlockSize?: number;
}

export interface LinkageSettings {
  idColumn: string;
  /** Set for linking two or more files: only pairs from different sources are compared. */
  sourceColumn?: string;
  comparisons: ComparisonSpec[];
  blocking: BlockingRule[];
  training?: {
    /** Random pairs drawn to estimate u (default 300,000). */
    randomPairs?: number;
    /** Blocking rules whose pairs train m by EM (default: every blocking rule). */
    emRules?: string[];
    maxIterations?: number;
    convergence?: number;
    seed?: number;
  };
  /**
   * Comparisons describing the household, in order (e.g. family name, father, mother, place): the u of each is
   * conditional on agreement on the earlier ones, so siblings are not scored as one child (household.ts).
   */
  household?: string[];
  /**
   * The comparison whose disagreement tells a household member from the same child (the given name: siblings
   * and twins share everything else). Candidate pairs that agree on two or more earlier household fields but
   * disagree on it are the household's other children; they, not random pairs, give the u of the later
   * household fields under household agreement (a twin shares the birth day; household.ts).
   */
  siblingMarker?: string;
  /** Blocks larger than this are skipped (a key shared by thousands of records says little). Default 3,000. */
  maxBlockSize?: number;
  thresholds?: { autoLink?: number; review?: number; clusterFloor?: number };
}

export const DEFAULT_THRESHOLDS = { autoLink: 0.95, review: 0.5, clusterFloor: 0.01 } as const;

export function columnValue(row: Row, column: string): string | undefined {
  if (!column.includes('+')) return row[column];
  const joined = column.split('+').map((c) => row[c] ?? '').filter((v) => v.trim() !== '').join(' ');
  return joined === '' ? undefined : joined;
}

/** Every input column a comparison reads (used to tell which comparisons a blocking rule already fixes). */
export function comparisonColumns(spec: ComparisonSpec): string[] {
  const cols = spec.kind === 'place' ? spec.columns : [spec.column];
  const extra = spec.kind === 'date' ? [spec.ageColumn, spec.registrationDateColumn] : [];
  return [...cols, ...extra].filter((c): c is string => !!c).flatMap((c) => c.split('+'));
}

export function ruleColumns(rule: BlockingRule): string[] {
  return rule.parts.filter((p) => !p.startsWith('@')).flatMap((p) => p.split(':')[0]!.split('+'));
}

const SETTINGS_KEYS = new Set(['idColumn', 'sourceColumn', 'comparisons', 'blocking', 'training', 'household', 'siblingMarker', 'maxBlockSize', 'thresholds']);
const TRAINING_KEYS = new Set(['randomPairs', 'emRules', 'maxIterations', 'convergence', 'seed']);
const THRESHOLD_KEYS = new Set(['autoLink', 'review', 'clusterFloor']);
const KINDS = new Set(['name', 'date', 'place', 'exact', 'string']);
const TRANSFORMS = new Set(['', 'key', 'code', 'part-codes', 'first3', 'year', 'years']);
const COMPARISON_KEYS: Record<string, Set<string>> = {
  name: new Set(['kind', 'name', 'column', 'crossColumns', 'tf']),
  date: new Set(['kind', 'name', 'column', 'ageColumn', 'registrationDateColumn']),
  place: new Set(['kind', 'name', 'columns', 'levelNames', 'prefixLengths']),
  exact: new Set(['kind', 'name', 'column', 'missingValues', 'tf']),
  string: new Set(['kind', 'name', 'column', 'metric', 'thresholds', 'tf']),
};
const RULE_KEYS = new Set(['name', 'parts', 'unordered', 'maxBlockSize']);

/** Refuses settings with an unknown key, kind, transform or name, saying which (e.g. a settings file typo). */
export function validateSettings(settings: LinkageSettings): void {
  const fail = (message: string): never => { throw new Error(`settings: ${message}`); };
  const unknown = (object: object | undefined, allowed: Set<string>, where: string): void => {
    for (const key of Object.keys(object ?? {})) if (!allowed.has(key)) fail(`unknown key "${key}" in ${where}`);
  };
  unknown(settings, SETTINGS_KEYS, 'settings');
  unknown(settings.training, TRAINING_KEYS, 'training');
  unknown(settings.thresholds, THRESHOLD_KEYS, 'thresholds');
  if (typeof settings.idColumn !== 'string' || settings.idColumn === '') fail('"idColumn" (the column of record ids) is required');
  if (!Array.isArray(settings.comparisons) || settings.comparisons.length === 0) fail('"comparisons" must be a non-empty list');
  if (!Array.isArray(settings.blocking) || settings.blocking.length === 0) fail('"blocking" must be a non-empty list of rules');
  const names = new Set<string>();
  for (const c of settings.comparisons) {
    if (!KINDS.has(c.kind)) fail(`comparison "${c.name}" has unknown kind "${c.kind}"`);
    unknown(c, COMPARISON_KEYS[c.kind]!, `comparison "${c.name}"`);
    const columns = c.kind === 'place' ? c.columns : [c.column];
    if (!Array.isArray(columns) || columns.length === 0 || columns.some((col) => typeof col !== 'string' || col === '')) fail(`comparison "${c.name}" names no column`);
    if (names.has(c.name)) fail(`two comparisons are named "${c.name}"`);
    names.add(c.name);
  }
  const rules = new Set<string>();
  for (const rule of settings.blocking) {
    unknown(rule, RULE_KEYS, `blocking rule "${rule.name}"`);
    if (!Array.isArray(rule.parts) || rule.parts.length === 0) fail(`blocking rule "${rule.name}" has no parts`);
    rules.add(rule.name);
    for (const part of rule.parts) {
      const [column, transform = ''] = part.split(':') as [string, string?];
      if (!TRANSFORMS.has(transform)) fail(`blocking rule "${rule.name}": unknown transform "${transform}"`);
      if (column.startsWith('@') && !names.has(column.slice(1))) fail(`blocking rule "${rule.name}" names no comparison "${column.slice(1)}"`);
    }
  }
  for (const r of settings.training?.emRules ?? []) if (!rules.has(r)) fail(`training rule "${r}" is not a blocking rule`);
  for (const h of settings.household ?? []) if (!names.has(h)) fail(`household comparison "${h}" is not a comparison`);
  if (settings.siblingMarker !== undefined && !names.has(settings.siblingMarker)) fail(`sibling marker "${settings.siblingMarker}" is not a comparison`);
  if (settings.siblingMarker !== undefined && (settings.household ?? []).includes(settings.siblingMarker)) fail(`sibling marker "${settings.siblingMarker}" cannot be a household comparison`);
  const t = { ...DEFAULT_THRESHOLDS, ...settings.thresholds };
  if (!(t.clusterFloor <= t.review && t.review <= t.autoLink && t.autoLink <= 1)) fail('thresholds must satisfy clusterFloor ≤ review ≤ autoLink ≤ 1');
}
