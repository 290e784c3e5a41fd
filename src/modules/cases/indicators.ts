import { suppressCells, type Cell, type Relation } from '../mrm/reports/disclosure.ts';
import { COMPONENT_TYPES } from './care-schema.ts';
import { EXIT_MODES } from './schema.ts';

/**
 * Release and reintegration indicators (domain.md §3.6) computed from plain rows: no database here. The
 * cohort is the children released (encounter recorded) in the period. With disclosure control on, counts
 * of 1 to threshold − 1 are suppressed together with the complementary cells that would reveal them
 * (mrm/reports/disclosure.ts), and a rate or median is withheld when its base is below the threshold or
 * its numerator would be a small count.
 */
export interface ReleasedChild {
  case_id: string; sex: string; age: number | null; party: string | null; exit_mode: string;
  encountered_at: Date; handed_over_at: Date | null; handover_due_at: Date;
  reunification: 'reunified' | 'alternative_care' | null;
  components: { type: string; status: string }[];
  /** Dates of new verified recruitment violations naming the child (blind index), after the release. */
  recruited_on: string[];
}
export interface IndicatorInput {
  released: ReleasedChild[];
  /** Interim care centre stays (days; ongoing stays count to today). */
  iccStays: { days: number }[];
  /** Visits due by today: when done (null: not yet) and whether the child was seen. */
  visits: { due_on: string; visited_on: string | null; child_seen: boolean | null }[];
  closures: { reason: string | null }[];
  today: string;
}
export interface IndicatorOptions { threshold: number; iccWeeks: number; disclose: boolean }

export const AGE_BANDS = ['0-4', '5-9', '10-14', '15-17', 'unknown'] as const;
const ageBand = (a: number | null) => (a === null ? 'unknown' : a <= 4 ? '0-4' : a <= 9 ? '5-9' : a <= 14 ? '10-14' : '15-17');
const HOUR = 3_600_000;

export function median(xs: number[]): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}
const round1 = (x: number) => Math.round(x * 10) / 10;
const addMonthsIso = (iso: string, months: number) => {
  const d = new Date(`${iso.slice(0, 10)}T00:00:00Z`);
  d.setUTCMonth(d.getUTCMonth() + months);
  return d.toISOString().slice(0, 10);
};

interface Rate { numerator: number | null; denominator: number | null; percent: number | null; suppressed: boolean }

export function computeIndicators(input: IndicatorInput, opts: IndicatorOptions) {
  const t = opts.threshold;
  const small = (n: number) => opts.disclose && n > 0 && n < t;
  const rate = (num: number, den: number): Rate => {
    const hide = opts.disclose && (den < t || small(num) || small(den - num));
    return hide ? { numerator: null, denominator: null, percent: null, suppressed: true }
      : { numerator: num, denominator: den, percent: den === 0 ? null : round1((100 * num) / den), suppressed: false };
  };
  const med = (xs: number[]) => (opts.disclose && xs.length < t ? { value: null, n: null, suppressed: true } : { value: median(xs) === null ? null : round1(median(xs)!), n: xs.length, suppressed: false });
  const R = input.released;

  // Released children by each dimension: four one-way tables sharing the total.
  const dims: Record<string, (c: ReleasedChild) => string> = { sex: (c) => c.sex, age_band: (c) => ageBand(c.age), party: (c) => c.party ?? 'unknown', exit_mode: (c) => c.exit_mode };
  const fixed: Record<string, readonly string[]> = { sex: ['female', 'male', 'unknown'], age_band: AGE_BANDS, exit_mode: EXIT_MODES };
  const counts = new Map<string, number>([['total', R.length]]);
  for (const [dim, key] of Object.entries(dims)) {
    for (const k of fixed[dim] ?? []) counts.set(`${dim}:${k}`, 0);
    for (const c of R) counts.set(`${dim}:${key(c)}`, (counts.get(`${dim}:${key(c)}`) ?? 0) + 1);
  }
  const cells: Cell[] = [...counts].map(([id, value]) => ({ id, value, threshold: opts.disclose ? t : 1 }));
  const relations: Relation[] = Object.keys(dims).map((dim) => ({ terms: [{ id: 'total', coef: -1 }, ...cells.filter((c) => c.id.startsWith(`${dim}:`)).map((c) => ({ id: c.id, coef: 1 }))] }));
  const hidden = opts.disclose ? suppressCells(cells, relations).suppressed : new Set<string>();
  const value = (id: string) => (hidden.has(id) ? null : counts.get(id) ?? 0);
  const released = { total: value('total'), ...Object.fromEntries(Object.keys(dims).map((dim) => [dim, Object.fromEntries(cells.filter((c) => c.id.startsWith(`${dim}:`)).map((c) => [c.id.slice(dim.length + 1), value(c.id)]))])) };

  const handed = R.filter((c) => c.handed_over_at !== null);
  const within = handed.filter((c) => c.handed_over_at! <= c.handover_due_at).length;
  const reunified = R.filter((c) => c.reunification === 'reunified').length;
  const altCare = R.filter((c) => c.reunification === 'alternative_care').length;
  const components = Object.fromEntries(COMPONENT_TYPES.map((type) => [type, rate(R.filter((c) => c.components.some((k) => k.type === type && k.status !== 'discontinued')).length, R.length)]));
  const inTraining = R.filter((c) => c.components.some((k) => k.type === 'education' || k.type === 'vocational_livelihoods'));
  const completed = inTraining.filter((c) => c.components.some((k) => (k.type === 'education' || k.type === 'vocational_livelihoods') && k.status === 'completed')).length;

  // Re-recruitment within N months of release, among children released at least N months ago (a full window).
  const reRecruitment = (months: number) => {
    const cohort = R.filter((c) => addMonthsIso(c.encountered_at.toISOString(), months) <= input.today);
    const hit = cohort.filter((c) => c.recruited_on.some((d) => d <= addMonthsIso(c.encountered_at.toISOString(), months))).length;
    return rate(hit, cohort.length);
  };
  const due = input.visits.filter((v) => v.due_on <= input.today);
  const onTime = due.filter((v) => v.visited_on !== null && v.visited_on <= v.due_on).length;
  const visited = input.visits.filter((v) => v.visited_on !== null);
  const goalsMet = input.closures.filter((c) => c.reason === 'goals_met').length;

  return {
    disclosure_control: opts.disclose ? { threshold: t } : null,
    released,
    handover: { median_hours: med(handed.map((c) => (c.handed_over_at!.getTime() - c.encountered_at.getTime()) / HOUR)), within_limit: rate(within, handed.length), awaiting: opts.disclose && small(R.length - handed.length) ? null : R.length - handed.length },
    interim_care_centre: { median_days: med(input.iccStays.map((s) => s.days)), over_weeks: opts.iccWeeks, over: rate(input.iccStays.filter((s) => s.days > opts.iccWeeks * 7).length, input.iccStays.length) },
    reunification_rate: rate(reunified, R.length),
    alternative_care_rate: rate(altCare, R.length),
    receiving_component: components,
    completing_education_or_vocational: rate(completed, inTraining.length),
    re_recruitment: { within_12_months: reRecruitment(12), within_24_months: reRecruitment(24) },
    followup_visits: { on_time: rate(onTime, due.length), child_seen: rate(visited.filter((v) => v.child_seen).length, visited.length) },
    closed_goals_met: rate(goalsMet, input.closures.length),
  };
}
