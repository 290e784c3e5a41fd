import { suppressCells, type Cell, type Relation } from '../mrm/reports/disclosure.ts';
import { COMPONENT_TYPES } from './care-schema.ts';
import { EXIT_MODES } from './schema.ts';

/**
 * Release and reintegration indicators (domain.md §3.6), no database here. The database counts
 * (indicators-service.ts: only aggregates leave it); `reportIndicators` turns the counts into the report
 * under disclosure control: counts of 1 to threshold − 1 are suppressed together with the complementary
 * cells that would reveal them (mrm/reports/disclosure.ts), and a rate or median is withheld when its base
 * is below the threshold or its numerator would be a small count. `countIndicators` is the same counting
 * over plain rows: the definition the SQL is tested against.
 */

export const AGE_BANDS = ['0-4', '5-9', '10-14', '15-17', 'unknown'] as const;
export const DIMENSIONS = ['sex', 'age_band', 'party', 'exit_mode'] as const;
export type Dimension = (typeof DIMENSIONS)[number];
/** Education and vocational training: the components whose completion is measured. */
export const TRAINING_COMPONENTS = ['education', 'vocational_livelihoods'] as const;
/** Windows of the re-recruitment rate, in months after release. */
export const RE_RECRUITMENT_MONTHS = [12, 24] as const;

export const ageBand = (a: number | null) => (a === null ? 'unknown' : a <= 4 ? '0-4' : a <= 9 ? '5-9' : a <= 14 ? '10-14' : '15-17');

/** What the database answers: counts and medians, no child. */
export interface IndicatorCounts {
  /** Released children per combination of the four dimensions (absent combinations: none). */
  released: { sex: string; age_band: string; party: string; exit_mode: string; n: number }[];
  handover: { handed: number; within: number; median_hours: number | null };
  reunified: number;
  alternative_care: number;
  /** Children with a component of each type that was not discontinued. */
  receiving: Partial<Record<string, number>>;
  training: { enrolled: number; completed: number };
  /** Per window (months): children released at least that long ago, and those re-recruited within it. */
  re_recruitment: Record<number, { cohort: number; hit: number }>;
  interim_care_centre: { stays: number; over: number; median_days: number | null };
  visits: { due: number; on_time: number; visited: number; seen: number };
  closures: { total: number; goals_met: number };
}
export interface IndicatorOptions { threshold: number; iccWeeks: number; disclose: boolean }

export function median(xs: number[]): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}
const round1 = (x: number) => Math.round(x * 10) / 10;

interface Rate { numerator: number | null; denominator: number | null; percent: number | null; suppressed: boolean }

export function reportIndicators(k: IndicatorCounts, opts: IndicatorOptions) {
  const t = opts.threshold;
  const small = (n: number) => opts.disclose && n > 0 && n < t;
  const rate = (num: number, den: number): Rate => {
    const hide = opts.disclose && (den < t || small(num) || small(den - num));
    return hide ? { numerator: null, denominator: null, percent: null, suppressed: true }
      : { numerator: num, denominator: den, percent: den === 0 ? null : round1((100 * num) / den), suppressed: false };
  };
  const med = (value: number | null, n: number) => (opts.disclose && n < t ? { value: null, n: null, suppressed: true } : { value: value === null ? null : round1(value), n, suppressed: false });
  const total = k.released.reduce((s, r) => s + r.n, 0);

  // Released children by each dimension: four one-way tables sharing the total.
  const fixed: Partial<Record<Dimension, readonly string[]>> = { sex: ['female', 'male', 'unknown'], age_band: AGE_BANDS, exit_mode: EXIT_MODES };
  const counts = new Map<string, number>([['total', total]]);
  for (const dim of DIMENSIONS) {
    for (const key of fixed[dim] ?? []) counts.set(`${dim}:${key}`, 0);
    for (const r of k.released) counts.set(`${dim}:${r[dim]}`, (counts.get(`${dim}:${r[dim]}`) ?? 0) + r.n);
  }
  const cells: Cell[] = [...counts].map(([id, value]) => ({ id, value, threshold: opts.disclose ? t : 1 }));
  const relations: Relation[] = DIMENSIONS.map((dim) => ({ terms: [{ id: 'total', coef: -1 }, ...cells.filter((c) => c.id.startsWith(`${dim}:`)).map((c) => ({ id: c.id, coef: 1 }))] }));
  const hidden = opts.disclose ? suppressCells(cells, relations).suppressed : new Set<string>();
  const value = (id: string) => (hidden.has(id) ? null : counts.get(id) ?? 0);
  const released = { total: value('total'), ...Object.fromEntries(DIMENSIONS.map((dim) => [dim, Object.fromEntries(cells.filter((c) => c.id.startsWith(`${dim}:`)).map((c) => [c.id.slice(dim.length + 1), value(c.id)]))])) } as
    { total: number | null } & Record<Dimension, Record<string, number | null>>;

  const h = k.handover;
  const window = (months: number) => rate(k.re_recruitment[months]?.hit ?? 0, k.re_recruitment[months]?.cohort ?? 0);
  return {
    disclosure_control: opts.disclose ? { threshold: t } : null,
    released,
    handover: { median_hours: med(h.median_hours, h.handed), within_limit: rate(h.within, h.handed), awaiting: opts.disclose && small(total - h.handed) ? null : total - h.handed },
    interim_care_centre: { median_days: med(k.interim_care_centre.median_days, k.interim_care_centre.stays), over_weeks: opts.iccWeeks, over: rate(k.interim_care_centre.over, k.interim_care_centre.stays) },
    reunification_rate: rate(k.reunified, total),
    alternative_care_rate: rate(k.alternative_care, total),
    receiving_component: Object.fromEntries(COMPONENT_TYPES.map((type) => [type, rate(k.receiving[type] ?? 0, total)])) as Record<(typeof COMPONENT_TYPES)[number], Rate>,
    completing_education_or_vocational: rate(k.training.completed, k.training.enrolled),
    re_recruitment: { within_12_months: window(12), within_24_months: window(24) },
    followup_visits: { on_time: rate(k.visits.on_time, k.visits.due), child_seen: rate(k.visits.seen, k.visits.visited) },
    closed_goals_met: rate(k.closures.goals_met, k.closures.total),
  };
}

/* ---------- the counting, over plain rows ---------- */

export interface ReleasedChild {
  sex: string; age: number | null; party: string | null; exit_mode: string;
  encountered_at: Date; handed_over_at: Date | null; handover_due_at: Date;
  reunification: 'reunified' | 'alternative_care' | null;
  components: { type: string; status: string }[];
  /** Days (YYYY-MM-DD) of re-recruitment on or after the release: new verified MRM recruitment naming the child, or a case flag. */
  recruited_on: string[];
}
export interface IndicatorRows {
  released: ReleasedChild[];
  /** Interim care centre stays: admitted and (null: still there) left. */
  iccStays: { admitted_on: string; left_on: string | null }[];
  visits: { due_on: string; visited_on: string | null; child_seen: boolean | null }[];
  closures: { reason: string | null }[];
  today: string;
  iccWeeks: number;
}

const DAY = 86_400_000;
const HOUR = 3_600_000;
const days = (from: string, to: string) => Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY);
/** `YYYY-MM-DD` plus calendar months, a month end clamped (as PostgreSQL's `date + interval`). */
export function plusMonths(date: string, months: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  const target = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + months, 1));
  const last = new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0)).getUTCDate();
  target.setUTCDate(Math.min(d.getUTCDate(), last));
  return target.toISOString().slice(0, 10);
}

export function countIndicators(x: IndicatorRows): IndicatorCounts {
  const R = x.released;
  const cells = new Map<string, IndicatorCounts['released'][number]>();
  for (const c of R) {
    const key = { sex: c.sex, age_band: ageBand(c.age), party: c.party ?? 'unknown', exit_mode: c.exit_mode };
    const id = JSON.stringify(key);
    cells.set(id, { ...key, n: (cells.get(id)?.n ?? 0) + 1 });
  }
  const handed = R.filter((c) => c.handed_over_at !== null);
  const has = (c: ReleasedChild, ok: (k: { type: string; status: string }) => boolean) => c.components.some(ok);
  const training = (k: { type: string }) => (TRAINING_COMPONENTS as readonly string[]).includes(k.type);
  const releasedOn = (c: ReleasedChild) => c.encountered_at.toISOString().slice(0, 10);
  const stayDays = x.iccStays.map((s) => days(s.admitted_on, s.left_on ?? x.today));
  const due = x.visits.filter((v) => v.due_on <= x.today);
  const visited = x.visits.filter((v) => v.visited_on !== null);
  return {
    released: [...cells.values()],
    handover: {
      handed: handed.length, within: handed.filter((c) => c.handed_over_at! <= c.handover_due_at).length,
      median_hours: median(handed.map((c) => (c.handed_over_at!.getTime() - c.encountered_at.getTime()) / HOUR)),
    },
    reunified: R.filter((c) => c.reunification === 'reunified').length,
    alternative_care: R.filter((c) => c.reunification === 'alternative_care').length,
    receiving: Object.fromEntries(COMPONENT_TYPES.map((type) => [type, R.filter((c) => has(c, (k) => k.type === type && k.status !== 'discontinued')).length])),
    training: { enrolled: R.filter((c) => has(c, training)).length, completed: R.filter((c) => has(c, (k) => training(k) && k.status === 'completed')).length },
    re_recruitment: Object.fromEntries(RE_RECRUITMENT_MONTHS.map((months) => {
      const cohort = R.filter((c) => plusMonths(releasedOn(c), months) <= x.today);
      return [months, { cohort: cohort.length, hit: cohort.filter((c) => c.recruited_on.some((d) => d >= releasedOn(c) && d <= plusMonths(releasedOn(c), months))).length }];
    })),
    interim_care_centre: { stays: stayDays.length, over: stayDays.filter((d) => d > x.iccWeeks * 7).length, median_days: median(stayDays) },
    visits: { due: due.length, on_time: due.filter((v) => v.visited_on !== null && v.visited_on <= v.due_on).length, visited: visited.length, seen: visited.filter((v) => v.child_seen).length },
    closures: { total: x.closures.length, goals_met: x.closures.filter((c) => c.reason === 'goals_met').length },
  };
}
