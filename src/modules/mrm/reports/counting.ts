import { PARTY_CATEGORIES } from '../../reference/schema.ts';
import { AGE_BANDS, VICTIM_COUNTED_TYPES, VIOLATION_TYPES, type VerificationStatus, type ViolationType } from '../vocabulary.ts';
import { inPeriod, monthsOf, type Period } from './periods.ts';

/**
 * The MRM counting rules (issue #4), encoded once. Plain data in, a report out: no database here.
 *
 * - A violation counts in a period when its authoritative (final-level) status is `verified` and its
 *   final verification date falls in the period, bounds inclusive.
 * - Victim-counted types count children (boys + girls + sex unknown); the others count violations.
 * - `total_verified` sums the GRAVE types only (military use and deprivation of liberty are reported in
 *   `by_type` but not in the total).
 * - `late_verified`: the incident date (its end date for a range) is before the period starts;
 *   `committed_in_period`: the rest. Same units as the total, so late + committed = total.
 * - `children_verified`: distinct children over the grave victim-counted types: each pseudonymous
 *   victim reference once, plus the tallied children who carry no reference. A child's identity index
 *   (keyed blind index of name and birth date), when recorded, identifies them across incidents and is
 *   preferred over the reference.
 * - Every breakdown other than `by_type` decomposes `total_verified` (grave types, same units), so a
 *   reader can check each one against the total. A violation attributed to several parties counts once
 *   for each of them (and once per distinct category); one with no party counts as `unattributed`.
 *
 * The store computes `ReportInput` in SQL (repository.ts) for speed; `aggregateFacts` is the same step
 * written over per-violation facts, the definition the SQL is tested against.
 */

export const GRAVE_TYPES: ReadonlySet<ViolationType> = new Set(['killing', 'maiming', 'recruitment_use', 'sexual_violence', 'abduction',
  'attack_school', 'attack_hospital', 'denial_humanitarian_access']);
export const isGrave = (t: ViolationType) => GRAVE_TYPES.has(t);
export const isVictimCounted = (t: ViolationType) => VICTIM_COUNTED_TYPES.has(t);
/** The grave victim-counted types, over which distinct children are counted. */
export const isGraveVictimType = (t: ViolationType) => isGrave(t) && isVictimCounted(t);

export type AgeBand = (typeof AGE_BANDS)[number];
export const UNATTRIBUTED = 'unattributed';
export const UNKNOWN_AREA = 'unknown';

/** One violation as the report sees it. */
export interface ViolationFact {
  type: ViolationType;
  status: VerificationStatus;
  verifiedOn: string | null;
  incidentStart: string;
  incidentEnd: string | null;
  country: string;
  /** P-code of the admin-1 area containing the incident; null when recorded above admin 1. */
  admin1: string | null;
  partyIds: string[];
  tallies: { ageBand: AgeBand; boys: number; girls: number; sexUnknown: number }[];
  victimRefs: string[];
  /**
   * The keyed blind index of each victim's identity (name and birth date), aligned with victimRefs;
   * null or absent when the child has none. The same index in two incidents is one child, whatever the refs.
   */
  victimIdentities?: (string | null)[];
}

/** Who a victim row is, for distinct children: the identity index when there is one, else the reference. */
export const victimKey = (ref: string, identity: string | null | undefined) => (identity ? `i:${identity}` : `r:${ref}`);

/** Counted violations that share every dimension the report breaks down by (except parties), summed. */
export interface FactGroup {
  type: ViolationType;
  /** YYYY-MM of the final verification date. */
  month: string;
  late: boolean;
  country: string;
  admin1: string | null;
  violations: number;
  boys: number;
  girls: number;
  sexUnknown: number;
  /** Individual victim rows (each is also one child of the tallies). */
  named: number;
  bands: Record<AgeBand, number>;
}

/**
 * Counted violations by type and attribution: per party (a violation counts once for each of its
 * parties), per category (once for each distinct category of its parties), or unattributed.
 */
export interface AttributionGroup {
  type: ViolationType;
  kind: 'party' | 'category' | 'unattributed';
  /** Party id, category, or '' when unattributed. */
  key: string;
  violations: number;
  children: number;
}

export interface PartyInfo { name: string; category: string }

export interface ReportInput {
  period: Period;
  groups: FactGroup[];
  attributions: AttributionGroup[];
  /** Distinct victims (victimKey) over counted violations of the grave victim-counted types. */
  distinctNamedVictims: number;
  parties: ReadonlyMap<string, PartyInfo>;
}

export interface TypeFigures { count: number; boys: number; girls: number; sex_unknown: number }

export interface Report {
  period: Period;
  total_verified: number;
  committed_in_period: number;
  late_verified: number;
  children_verified: number;
  by_type: Record<ViolationType, TypeFigures>;
  by_perpetrator_category: Record<string, number>;
  by_country: Record<string, number>;
  by_party: Record<string, number>;
  by_admin1: Record<string, number>;
  by_age_band: Record<AgeBand, number>;
  by_month: Record<string, number>;
}

export const childrenOf = (t: { boys: number; girls: number; sexUnknown: number }) => t.boys + t.girls + t.sexUnknown;
/** The counting unit: children for victim-counted types, the violation itself for the others. */
export const unitsOf = (type: ViolationType, violations: number, children: number) => (isVictimCounted(type) ? children : violations);

export const emptyBands = (): Record<AgeBand, number> => Object.fromEntries(AGE_BANDS.map((b) => [b, 0])) as Record<AgeBand, number>;

/** Whether the violation counts in the period at all. */
export const countsIn = (period: Period, f: Pick<ViolationFact, 'status' | 'verifiedOn'>): f is typeof f & { verifiedOn: string } =>
  f.status === 'verified' && inPeriod(period, f.verifiedOn);
/** Verified in the period for an incident that ended before it. */
export const isLate = (period: Period, f: Pick<ViolationFact, 'incidentStart' | 'incidentEnd'>) => (f.incidentEnd ?? f.incidentStart) < period.from;

/** The pre-aggregation step over per-violation facts: what repository.ts computes in SQL. */
export function aggregateFacts(period: Period, facts: Iterable<ViolationFact>, parties: ReadonlyMap<string, PartyInfo>): ReportInput {
  const groups = new Map<string, FactGroup>();
  const attributions = new Map<string, AttributionGroup>();
  const refs = new Set<string>();
  for (const f of facts) {
    if (!countsIn(period, f)) continue;
    const late = isLate(period, f);
    const month = f.verifiedOn.slice(0, 7);
    const key = JSON.stringify([f.type, month, late, f.country, f.admin1]);
    let g = groups.get(key);
    if (!g) {
      g = { type: f.type, month, late, country: f.country, admin1: f.admin1, violations: 0, boys: 0, girls: 0, sexUnknown: 0, named: 0, bands: emptyBands() };
      groups.set(key, g);
    }
    g.violations += 1;
    g.named += f.victimRefs.length;
    let children = 0;
    for (const t of f.tallies) {
      g.boys += t.boys; g.girls += t.girls; g.sexUnknown += t.sexUnknown;
      g.bands[t.ageBand] += childrenOf(t);
      children += childrenOf(t);
    }
    const ids = new Set(f.partyIds);
    const attribution = (kind: AttributionGroup['kind'], key: string) => {
      const akey = JSON.stringify([f.type, kind, key]);
      const a = attributions.get(akey) ?? { type: f.type, kind, key, violations: 0, children: 0 };
      a.violations += 1;
      a.children += children;
      attributions.set(akey, a);
    };
    if (ids.size === 0) attribution('unattributed', '');
    for (const id of ids) attribution('party', id);
    for (const c of new Set([...ids].map((id) => parties.get(id)?.category ?? 'unknown'))) attribution('category', c);
    if (isGraveVictimType(f.type)) f.victimRefs.forEach((r, i) => refs.add(victimKey(r, f.victimIdentities?.[i])));
  }
  return { period, groups: [...groups.values()], attributions: [...attributions.values()], distinctNamedVictims: refs.size, parties };
}

const add = (record: Record<string, number>, key: string, n: number) => { record[key] = (record[key] ?? 0) + n; };
const sortedKeys = <T>(record: Record<string, T>): Record<string, T> =>
  Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));

/** The report's figures from pre-aggregated input: every counting rule above that is not a filter. */
export function computeReport(input: ReportInput): Report {
  const byType = Object.fromEntries(VIOLATION_TYPES.map((t) => [t, { count: 0, boys: 0, girls: 0, sex_unknown: 0 }])) as Record<ViolationType, TypeFigures>;
  const byCategory: Record<string, number> = Object.fromEntries([...PARTY_CATEGORIES, UNATTRIBUTED].map((c) => [c, 0]));
  const byCountry: Record<string, number> = {};
  const byParty: Record<string, number> = {};
  const byAdmin1: Record<string, number> = {};
  const byBand = emptyBands();
  const byMonth: Record<string, number> = Object.fromEntries(monthsOf(input.period).map((m) => [m, 0]));
  let total = 0;
  let late = 0;
  let anonymousChildren = 0;

  for (const g of input.groups) {
    const children = childrenOf(g);
    const units = unitsOf(g.type, g.violations, children);
    const figures = byType[g.type];
    figures.count += units; figures.boys += g.boys; figures.girls += g.girls; figures.sex_unknown += g.sexUnknown;
    if (!isGrave(g.type)) continue;
    total += units;
    if (g.late) late += units;
    add(byCountry, g.country, units);
    add(byAdmin1, g.admin1 ?? UNKNOWN_AREA, units);
    add(byMonth, g.month, units);
    if (isVictimCounted(g.type)) {
      for (const b of Object.keys(byBand) as AgeBand[]) byBand[b] += g.bands[b];
      // Named victims are children of the tallies too (the service refuses more names than tallied).
      anonymousChildren += Math.max(0, children - g.named);
    }
  }

  for (const a of input.attributions) {
    if (!isGrave(a.type)) continue;
    const units = unitsOf(a.type, a.violations, a.children);
    if (a.kind === 'party') add(byParty, input.parties.get(a.key)?.name ?? a.key, units);
    else if (a.kind === 'category') add(byCategory, a.key, units);
    else {
      add(byParty, UNATTRIBUTED, units);
      add(byCategory, UNATTRIBUTED, units);
    }
  }

  return {
    period: input.period,
    total_verified: total,
    committed_in_period: total - late,
    late_verified: late,
    children_verified: input.distinctNamedVictims + anonymousChildren,
    by_type: byType,
    by_perpetrator_category: byCategory,
    by_country: sortedKeys(byCountry),
    by_party: sortedKeys(byParty),
    by_admin1: sortedKeys(byAdmin1),
    by_age_band: byBand,
    by_month: byMonth,
  };
}

/** The whole definition over per-violation facts: the oracle the SQL path is checked against. */
export const reportFromFacts = (period: Period, facts: Iterable<ViolationFact>, parties: ReadonlyMap<string, PartyInfo>): Report =>
  computeReport(aggregateFacts(period, facts, parties));
