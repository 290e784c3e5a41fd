import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { RequestContext } from '../../platform/context.ts';
import type { DB } from '../../platform/db/schema.ts';
import { runUnitOfWork } from '../../platform/db/unit-of-work.ts';
import { ensure } from '../../platform/errors.ts';
import { COMPONENT_TYPES } from './care-schema.ts';
import { RE_RECRUITMENT_MONTHS, reportIndicators, TRAINING_COMPONENTS, type IndicatorCounts } from './indicators.ts';
import { caseSettings, today } from './settings.ts';

/**
 * The indicators as a report. Analysts and supervisors read the mission's figures under disclosure control;
 * a supervisor may ask for the whole (unsuppressed) figures of their own agency's cases. The database
 * counts (one statement, aggregates only): no row of a child leaves it, nor this function.
 */
export const INDICATOR_ROLES = ['analyst', 'supervisor'] as const;

export interface IndicatorScope { missionId: string; agency: string | null; releasedFrom: string | null; releasedTo: string | null; today: string; iccDays: number }

export function caseIndicators(db: Kysely<DB>, ctx: RequestContext, q: { released_from?: string | undefined; released_to?: string | undefined; whole?: 'true' | 'false' | undefined }, now = new Date()) {
  const a = ctx.actor;
  ensure((INDICATOR_ROLES as readonly string[]).includes(a.role), 'permission.denied', { rule: 'indicators are for analysts and supervisors' });
  const whole = q.whole === 'true';
  ensure(!whole || (a.role === 'supervisor' && a.scope.agency), 'permission.denied', { field: 'whole', rule: 'unsuppressed figures are for a supervisor, of their agency\'s cases' });
  ensure(!q.released_from || !q.released_to || q.released_from <= q.released_to, 'request.invalid', { field: 'released_to', rule: 'not before released_from' });
  return runUnitOfWork(db, ctx, 'read', async (uow) => {
    const s = caseSettings();
    const iccWeeks = s.interimCareAlertWeeks[0]!;
    const scope: IndicatorScope = { missionId: a.missionId, agency: whole ? a.scope.agency : null, releasedFrom: q.released_from ?? null, releasedTo: q.released_to ?? null, today: today(now), iccDays: iccWeeks * 7 };
    const counts = await countIndicatorsInStore(uow.trx, scope);
    const result = reportIndicators(counts, { threshold: s.disclosureThreshold, iccWeeks, disclose: !whole });
    uow.audit({ action: 'case.indicators', details: { whole, released_from: scope.releasedFrom, released_to: scope.releasedTo } });
    return { scope: whole ? `agency ${scope.agency}` : 'mission', released_from: scope.releasedFrom, released_to: scope.releasedTo, ...result };
  });
}

const andIf = (on: boolean, clause: () => RawBuilder<unknown>) => (on ? sql`and ${clause()}` : sql``);
const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));

/**
 * The counts of `IndicatorCounts`, in one statement. The cohort is the children whose release (encounter)
 * falls in the period, in the agency when one is named; dates are UTC days. Re-recruitment is the first
 * day on or after the release of a verified MRM recruitment naming the child (blind index) or a case flag.
 */
export async function countIndicatorsInStore(q: Kysely<DB>, s: IndicatorScope): Promise<IndicatorCounts> {
  const { rows } = await indicatorsStatement(s).execute(q);
  const r = rows[0]!;
  const json = <T>(v: unknown): T => (typeof v === 'string' ? JSON.parse(v) : v) as T;
  const totals = json<Record<string, unknown>>(r.totals);
  const icc = json<Record<string, unknown>>(r.icc);
  const visits = json<Record<string, number>>(r.visits);
  const closures = json<Record<string, number>>(r.closures);
  const training = json<Record<string, number>>(r.training);
  return {
    released: json<{ sex: string; age_band: string; party: string; exit_mode: string; n: number }[]>(r.cells).map((c) => ({ ...c, n: Number(c.n) })),
    handover: { handed: Number(totals.handed), within: Number(totals.within), median_hours: num(totals.median_hours) },
    reunified: Number(totals.reunified),
    alternative_care: Number(totals.alternative_care),
    receiving: Object.fromEntries(Object.entries(json<Record<string, number>>(r.receiving)).map(([k, v]) => [k, Number(v)])),
    training: { enrolled: Number(training.enrolled), completed: Number(training.completed) },
    re_recruitment: Object.fromEntries((totals.windows as { months: number; cohort: number; hit: number }[]).map((w) => [w.months, { cohort: Number(w.cohort), hit: Number(w.hit) }])),
    interim_care_centre: { stays: Number(icc.stays), over: Number(icc.over), median_days: num(icc.median_days) },
    visits: { due: Number(visits.due), on_time: Number(visits.on_time), visited: Number(visits.visited), seen: Number(visits.seen) },
    closures: { total: Number(closures.total), goals_met: Number(closures.goals_met) },
  };
}

/** The statement of `countIndicatorsInStore` (exported for EXPLAIN in the benchmark's diagnostics). */
export function indicatorsStatement(s: IndicatorScope) {
  const m = s.missionId;
  const agency = (alias: string) => andIf(s.agency !== null, () => sql`${sql.ref(`${alias}.agency`)} = ${s.agency}`);
  // Rows of a case's care, of the agency's cases: the join to cases only when an agency is named.
  const ofAgency = (alias: string) => andIf(s.agency !== null, () =>
    sql`exists (select 1 from cases c where c.mission_id = ${sql.ref(`${alias}.mission_id`)} and c.case_id = ${sql.ref(`${alias}.case_id`)} and c.agency = ${s.agency})`);
  const from = s.releasedFrom === null ? null : new Date(`${s.releasedFrom}T00:00:00Z`);
  const to = s.releasedTo === null ? null : new Date(Date.parse(`${s.releasedTo}T00:00:00Z`) + 86_400_000);
  const day = sql`cast(${s.today} as date)`;
  const training = sql.join(TRAINING_COMPONENTS.map((t) => sql.lit(t)));
  const windows = RE_RECRUITMENT_MONTHS.map((months) => {
    const end = sql`cast(k.released_on + ${sql.lit(`${months} months`)}::interval as date)`;
    return sql`json_build_object('months', ${sql.lit(months)}, 'cohort', count(*) filter (where ${end} <= ${day}),
      'hit', count(*) filter (where ${end} <= ${day} and x.first_on <= ${end}))`;
  });
  return sql<{ cells: unknown; totals: unknown; receiving: unknown; training: unknown; icc: unknown; visits: unknown; closures: unknown }>`
    with cohort as materialized (
      select c.case_id, c.identity_index, c.sex, coalesce(p.name, 'unknown') as party, r.exit_mode, r.encountered_at, r.handed_over_at, r.handover_due_at, u.outcome,
        cast(r.encountered_at at time zone 'UTC' as date) as released_on,
        case when a.age is null then 'unknown' when a.age <= 4 then '0-4' when a.age <= 9 then '5-9' when a.age <= 14 then '10-14' else '15-17' end as age_band
      from case_releases r
      join cases c on c.mission_id = r.mission_id and c.case_id = r.case_id
      left join parties p on p.mission_id = r.mission_id and p.party_id = r.party_id
      left join case_reunifications u on u.mission_id = r.mission_id and u.case_id = r.case_id
      cross join lateral (select c.age_years + greatest(0, cast(extract(year from age(cast(r.encountered_at at time zone 'UTC' as date), c.age_as_of)) as int)) as age) a
      where r.mission_id = ${m} ${agency('c')} ${andIf(from !== null, () => sql`r.encountered_at >= ${from}`)} ${andIf(to !== null, () => sql`r.encountered_at < ${to}`)}
    ),
    recruited as (
      select k.case_id, i.date_start as on_day from cohort k
      join violation_victims w on w.mission_id = ${m} and w.identity_index = k.identity_index
      join violations v on v.mission_id = w.mission_id and v.violation_id = w.violation_id
      join incidents i on i.mission_id = v.mission_id and i.incident_id = v.incident_id
      where v.type = 'recruitment_use' and v.status_final = 'verified' and i.date_start >= k.released_on
      union all
      select k.case_id, f.recruited_on from cohort k join case_rerecruitment_flags f on f.mission_id = ${m} and f.case_id = k.case_id
      where f.recruited_on >= k.released_on
    ),
    first_recruited as (select case_id, min(on_day) as first_on from recruited group by case_id),
    components as (
      -- Per released child: the component types received (not discontinued) as bits of a mask, and training.
      select k.case_id,
        bit_or(1 << (array_position(array[${sql.join(COMPONENT_TYPES.map((t) => sql.lit(t)))}], g.component_type) - 1)) filter (where g.status <> 'discontinued') as received,
        bool_or(g.component_type in (${training})) as enrolled, bool_or(g.component_type in (${training}) and g.status = 'completed') as completed
      from cohort k join case_reintegration_components g on g.mission_id = ${m} and g.case_id = k.case_id
      group by k.case_id
    )
    select
      (select coalesce(json_agg(t), '[]') from (select sex, age_band, party, exit_mode, count(*) as n from cohort group by 1, 2, 3, 4) t) as cells,
      (select json_build_object(
          'handed', count(k.handed_over_at), 'within', count(*) filter (where k.handed_over_at <= k.handover_due_at),
          'median_hours', percentile_cont(0.5) within group (order by cast(extract(epoch from k.handed_over_at - k.encountered_at) as float8) / 3600),
          'reunified', count(*) filter (where k.outcome = 'reunified'), 'alternative_care', count(*) filter (where k.outcome = 'alternative_care'),
          'windows', json_build_array(${sql.join(windows)}))
        from cohort k left join first_recruited x on x.case_id = k.case_id) as totals,
      (select json_build_object(${sql.join(COMPONENT_TYPES.map((t, i) => sql`${sql.lit(t)}, count(*) filter (where received & ${sql.lit(1 << i)} <> 0)`))}) from components) as receiving,
      (select json_build_object('enrolled', count(*) filter (where enrolled), 'completed', count(*) filter (where completed)) from components) as training,
      (select json_build_object('stays', count(*), 'over', count(*) filter (where d > ${s.iccDays}), 'median_days', percentile_cont(0.5) within group (order by d))
        from (select coalesce(p.left_on, ${day}) - p.admitted_on as d from case_interim_care p
          where p.mission_id = ${m} and p.care_type = 'interim_care_centre' ${ofAgency('p')}) t) as icc,
      (select json_build_object('due', count(*) filter (where f.due_on <= ${day}), 'on_time', count(*) filter (where f.due_on <= ${day} and f.visited_on <= f.due_on),
          'visited', count(f.visited_on), 'seen', count(*) filter (where f.child_seen))
        from case_followups f where f.mission_id = ${m} ${ofAgency('f')}) as visits,
      (select json_build_object('total', count(*), 'goals_met', count(*) filter (where c.closure_reason = 'goals_met'))
        from cases c where c.mission_id = ${m} and c.status = 'closed' ${agency('c')}) as closures`;
}
