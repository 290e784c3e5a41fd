import { sql, type Kysely, type RawBuilder, type Transaction } from 'kysely';
import type { Actor } from '../../../platform/context.ts';
import type { DB } from '../../../platform/db/schema.ts';
import { AGE_BANDS, type ViolationType } from '../vocabulary.ts';
import { emptyBands, GRAVE_TYPES, isGraveVictimType, type AttributionGroup, type FactGroup, type PartyInfo, type ReportInput } from './counting.ts';
import type { Period } from './periods.ts';
import { loadRollupInput, rollupApplies } from './rollup.ts';

type Q = Kysely<DB> | Transaction<DB>;

/** The report's scope as SQL over `incidents as i`: the actor's country and areas (none for a mission-wide role). */
function scopeCondition(actor: Actor): RawBuilder<unknown> {
  const parts: RawBuilder<unknown>[] = [];
  if (actor.scope.country) parts.push(sql`and i.country_iso3 = ${actor.scope.country}`);
  if (actor.scope.areas.length > 0) parts.push(sql`and (${sql.join(actor.scope.areas.map((p) => sql`starts_with(i.admin_pcode, ${p})`), sql` or `)})`);
  return sql.join(parts, sql` `);
}

const BAND_COLUMNS = AGE_BANDS.map((_, i) => `a${i}`);
const GRAVE_VICTIM_TYPES = [...GRAVE_TYPES].filter((t) => isGraveVictimType(t));

interface Row {
  kind: 'g' | 'p' | 'c' | 'u' | 'd';
  type: ViolationType | null;
  month: string | null;
  late: boolean | null;
  country: string | null;
  admin1: string | null;
  key: string | null;
  violations: number;
  b: number; g: number; u: number; named: number;
  a0: number; a1: number; a2: number; a3: number; a4: number;
}

/**
 * The report's input computed from the violations themselves, in one statement: the counting rules' filters (final
 * status verified, verification date in the period, bounds inclusive) and lateness (incident end date
 * before the period) are applied here exactly as `aggregateFacts` applies them, and every sum is grouped
 * so that a million violations come back as a few hundred rows. The statement is tested against
 * `aggregateFacts` on both stores (test/report-store.test.ts).
 */
export async function loadReportInputFromFacts(db: Q, actor: Actor, period: Period): Promise<ReportInput> {
  const m = actor.missionId;
  const bandSums = sql.join(AGE_BANDS.map((band, i) => sql`sum(case when t.age_band = ${band} then t.boys + t.girls + t.sex_unknown else 0 end) as ${sql.id(BAND_COLUMNS[i]!)}`), sql`, `);
  const bandOut = sql.join(BAND_COLUMNS.map((c) => sql`sum(${sql.id(c)})::int as ${sql.id(c)}`), sql`, `);
  const bandNull = sql.join(BAND_COLUMNS.map((c) => sql`0 as ${sql.id(c)}`), sql`, `);
  const graveVictims = sql.join(GRAVE_VICTIM_TYPES.map((t) => sql`${t}`), sql`, `);
  // The planner's row estimates for the chained CTEs run into millions, past PostgreSQL's JIT threshold:
  // compiling the plan then took 3 s for a query that runs in tens of milliseconds. Local to the transaction.
  await sql`set local jit = off`.execute(db);
  // The per-violation hash aggregates spill to disk at the default 4 MB (a third of the time at 1M rows).
  await sql`set local work_mem = '128MB'`.execute(db);
  const { rows } = await sql<Row>`
    with a1 as (
      select distinct on (c.pcode) c.pcode, p.pcode as admin1
      from admin_areas c join admin_areas p on p.mission_id = c.mission_id and p.admin_level = 1 and starts_with(c.pcode, p.pcode)
      where c.mission_id = ${m}
      order by c.pcode, length(p.pcode) desc
    ), f as materialized (
      select v.violation_id, v.type, to_char(v.date_final, 'YYYY-MM') as month,
        coalesce(i.date_end, i.date_start) < ${period.from}::date as late, i.country_iso3::text as country, coalesce(a1.admin1, '') as admin1
      from violations v
      join incidents i on i.mission_id = v.mission_id and i.incident_id = v.incident_id
      left join a1 on a1.pcode = i.admin_pcode
      where v.mission_id = ${m} and v.status_final = 'verified' and v.date_final between ${period.from}::date and ${period.to}::date ${scopeCondition(actor)}
    ), tv as (
      select t.violation_id, sum(t.boys) as b, sum(t.girls) as g, sum(t.sex_unknown) as u, ${bandSums}
      from violation_tallies t where t.mission_id = ${m} and t.violation_id in (select violation_id from f) group by t.violation_id
    ), nv as (
      select x.violation_id, count(*) as named
      from violation_victims x where x.mission_id = ${m} and x.violation_id in (select violation_id from f) group by x.violation_id
    ), fx as materialized (
      select f.*, coalesce(tv.b, 0) as b, coalesce(tv.g, 0) as g, coalesce(tv.u, 0) as u, coalesce(nv.named, 0) as named,
        ${sql.join(BAND_COLUMNS.map((c) => sql`coalesce(tv.${sql.id(c)}, 0) as ${sql.id(c)}`), sql`, `)}
      from f left join tv on tv.violation_id = f.violation_id left join nv on nv.violation_id = f.violation_id
    ), pv as (
      select fx.violation_id, fx.type, fx.b + fx.g + fx.u as children, p.party_id::text as party_id, pa.category
      from fx
      join violation_perpetrators p on p.mission_id = ${m} and p.violation_id = fx.violation_id
      join parties pa on pa.mission_id = p.mission_id and pa.party_id = p.party_id
    )
    select 'g' as kind, type, month, late, country, admin1, null::text as key, count(*)::int as violations,
      sum(b)::int as b, sum(g)::int as g, sum(u)::int as u, sum(named)::int as named, ${bandOut}
    from fx group by type, month, late, country, admin1
    union all
    select 'p', type, null, null, null, null, party_id, count(*)::int, sum(children)::int, 0, 0, 0, ${bandNull}
    from pv group by type, party_id
    union all
    select 'c', type, null, null, null, null, category, count(*)::int, sum(children)::int, 0, 0, 0, ${bandNull}
    from (select distinct violation_id, type, children, category from pv) d group by type, category
    union all
    select 'u', type, null, null, null, null, null, count(*)::int, sum(b + g + u)::int, 0, 0, 0, ${bandNull}
    from fx where not exists (select 1 from violation_perpetrators p where p.mission_id = ${m} and p.violation_id = fx.violation_id)
    group by type
    union all
    select 'd', null, null, null, null, null, null, count(distinct coalesce('i:' || x.identity_index, 'r:' || x.victim_ref))::int, 0, 0, 0, 0, ${bandNull}
    from fx join violation_victims x on x.mission_id = ${m} and x.violation_id = fx.violation_id
    where fx.type in (${graveVictims})
  `.execute(db);

  const groups: FactGroup[] = [];
  const attributions: AttributionGroup[] = [];
  let distinctNamedVictims = 0;
  for (const r of rows) {
    if (r.kind === 'd') { distinctNamedVictims = Number(r.violations); continue; }
    const type = r.type!;
    if (r.kind === 'g') {
      const bands = emptyBands();
      AGE_BANDS.forEach((band, i) => { bands[band] = Number(r[BAND_COLUMNS[i] as 'a0']); });
      groups.push({ type, month: r.month!, late: Boolean(r.late), country: r.country!, admin1: r.admin1 || null, violations: Number(r.violations),
        boys: Number(r.b), girls: Number(r.g), sexUnknown: Number(r.u), named: Number(r.named), bands });
    } else {
      // For attribution rows the children ride in column b.
      const kind = r.kind === 'p' ? 'party' : r.kind === 'c' ? 'category' : 'unattributed';
      attributions.push({ type, kind, key: r.key ?? '', violations: Number(r.violations), children: Number(r.b) });
    }
  }
  return { period, groups, attributions, distinctNamedVictims, parties: await partiesOf(db, m) };
}

/**
 * The report's input: from the rollups when they answer the question exactly (month-aligned period of
 * at most a year, scope of level-0/1 areas), otherwise from the violations themselves. Both give the
 * same figures (test/report-rollup.test.ts).
 */
export async function loadReportInput(db: Q, actor: Actor, period: Period): Promise<ReportInput> {
  if (!(await rollupApplies(db, actor, period))) return loadReportInputFromFacts(db, actor, period);
  const input = await loadRollupInput(db, actor, period);
  return { ...input, parties: await partiesOf(db, actor.missionId) };
}

export async function partiesOf(db: Q, missionId: string): Promise<Map<string, PartyInfo>> {
  const rows = await db.selectFrom('parties').select(['party_id', 'name', 'category']).where('mission_id', '=', missionId).execute();
  return new Map(rows.map((r) => [r.party_id, { name: r.name, category: r.category }]));
}
