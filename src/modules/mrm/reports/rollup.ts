import { sql, type Kysely, type RawBuilder, type Transaction } from 'kysely';
import type { Actor } from '../../../platform/context.ts';
import type { DB } from '../../../platform/db/schema.ts';
import { AGE_BANDS, type ViolationType } from '../vocabulary.ts';
import { emptyBands, type AttributionGroup, type FactGroup, type ReportInput } from './counting.ts';
import type { Period } from './periods.ts';

type Q = Kysely<DB> | Transaction<DB>;

/**
 * The report's input read from the rollups (migration 20261125050000_report_rollups.sql), which
 * triggers keep in step with every write. They are exact for month-aligned periods of at most twelve
 * months (the annual report and the GHN quarter) and for scopes made of level-0/1 areas; `rollupApplies`
 * says when, and the caller falls back to the per-violation query otherwise. Equality with the pure
 * definition is tested in test/report-rollup.test.ts.
 */
export async function rollupApplies(db: Q, actor: Actor, period: Period): Promise<boolean> {
  const from = new Date(`${period.from}T00:00:00Z`);
  const after = new Date(`${period.to}T00:00:00Z`);
  after.setUTCDate(after.getUTCDate() + 1);
  const months = (after.getUTCFullYear() - from.getUTCFullYear()) * 12 + after.getUTCMonth() - from.getUTCMonth();
  if (from.getUTCDate() !== 1 || after.getUTCDate() !== 1 || months < 1 || months > 12) return false;
  if (actor.scope.areas.length === 0) return true;
  const areas = await db.selectFrom('admin_areas').select(['pcode', 'admin_level'])
    .where('mission_id', '=', actor.missionId).where('pcode', 'in', actor.scope.areas).execute();
  return areas.length === new Set(actor.scope.areas).size && areas.every((a) => a.admin_level <= 1);
}

const monthStart = (date: string) => `${date.slice(0, 7)}-01`;

function where(actor: Actor, period: Period): RawBuilder<unknown> {
  const parts = [sql`mission_id = ${actor.missionId} and vmonth between ${monthStart(period.from)}::date and ${monthStart(period.to)}::date`];
  if (actor.scope.country) parts.push(sql`country = ${actor.scope.country}`);
  if (actor.scope.areas.length > 0) parts.push(sql`(${sql.join(actor.scope.areas.map((p) => sql`starts_with(place, ${p})`), sql` or `)})`);
  return sql.join(parts, sql` and `);
}

/** Folds the period's pending deltas into one row per key, so reads stay small. Additive, so safe beside writers. */
export async function compactRollups(db: Q, missionId: string, period: Period): Promise<void> {
  const range = sql`mission_id = ${missionId} and vmonth between ${monthStart(period.from)}::date and ${monthStart(period.to)}::date and not compacted`;
  const { rows } = await sql<{ months: string[] | null }>`
    select array(select distinct vmonth::text from (
      select vmonth from report_roll_groups where ${range} union all select vmonth from report_roll_attr where ${range}
      union all select vmonth from report_roll_victims where ${range}) x) as months`.execute(db);
  const months = rows[0]?.months ?? [];
  if (months.length > 0) await sql`select report_compact(${missionId}, cast(${months} as date[]))`.execute(db);
}

interface GroupRow {
  type: ViolationType; month: string; late: boolean; country: string; admin1: string;
  violations: number; b: number; g: number; u: number; named: number; a0: number; a1: number; a2: number; a3: number; a4: number;
}
interface AttrRow { type: ViolationType; kind: 'p' | 'c' | 'u'; key: string; violations: number; children: number }

export async function loadRollupInput(db: Q, actor: Actor, period: Period): Promise<Omit<ReportInput, 'parties'>> {
  await compactRollups(db, actor.missionId, period);
  const w = where(actor, period);
  const { rows: groups } = await sql<GroupRow>`
    select type, to_char(vmonth, 'YYYY-MM') as month, late, country, admin1,
      sum(violations)::int as violations, sum(boys)::int as b, sum(girls)::int as g, sum(sex_unknown)::int as u, sum(named)::int as named,
      sum(a0)::int as a0, sum(a1)::int as a1, sum(a2)::int as a2, sum(a3)::int as a3, sum(a4)::int as a4
    from (select *, emonth < ${period.from}::date as late from report_roll_groups where ${w}) r
    group by type, vmonth, late, country, admin1
    having sum(violations) <> 0`.execute(db);
  const { rows: attrs } = await sql<AttrRow>`
    select type, kind, key, sum(violations)::int as violations, sum(children)::int as children
    from report_roll_attr where ${w} group by type, kind, key having sum(violations) <> 0`.execute(db);
  const { rows: distinct } = await sql<{ n: number }>`
    select count(*)::int as n from (select victim_key from report_roll_victims where ${w} group by victim_key having sum(n) > 0) k`.execute(db);
  const kinds = { p: 'party', c: 'category', u: 'unattributed' } as const;
  return {
    period,
    groups: groups.map((r): FactGroup => {
      const bands = emptyBands();
      AGE_BANDS.forEach((band, i) => { bands[band] = Number(r[`a${i}` as 'a0']); });
      return { type: r.type, month: r.month, late: Boolean(r.late), country: r.country, admin1: r.admin1 || null, violations: Number(r.violations),
        boys: Number(r.b), girls: Number(r.g), sexUnknown: Number(r.u), named: Number(r.named), bands };
    }),
    attributions: attrs.map((r): AttributionGroup => ({ type: r.type, kind: kinds[r.kind], key: r.key, violations: Number(r.violations), children: Number(r.children) })),
    distinctNamedVictims: Number(distinct[0]?.n ?? 0),
  };
}
