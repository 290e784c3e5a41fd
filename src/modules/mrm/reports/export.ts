import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { RequestContext } from '../../../platform/context.ts';
import type { DB } from '../../../platform/db/schema.ts';
import { runUnitOfWork } from '../../../platform/db/unit-of-work.ts';
import { MRM_COLUMNS } from '../import/columns.ts';
import { arrayLiteral } from '../import/repository.ts';
import { csvLine } from './csv.ts';
import { mayExportRows } from './policy.ts';

const PAGE = 5000;

/** PGlite's buffer cache for `tutela export mrm` (and the bench that measures it): one pass reads each page once. */
export const EXPORT_PGLITE_SHARED_BUFFERS = '16MB';

/**
 * csv.ts's csvField in SQL, for a text value: a leading = + - @ tab or CR neutralised with a quote, then
 * the field quoted when it holds a double quote, a comma or a line break. Numbers are cast to text
 * before, and never neutralised (csvField leaves numbers alone too).
 */
function csvSql(value: RawBuilder<unknown>): RawBuilder<unknown> {
  const v = sql`(case when left(${value}, 1) in ('=', '+', '-', '@', chr(9), chr(13)) then chr(39) || ${value} else coalesce(${value}, '') end)`;
  return sql`(case when strpos(${v}, '"') > 0 or strpos(${v}, ',') > 0 or strpos(${v}, chr(13)) > 0 or strpos(${v}, chr(10)) > 0
    then '"' || replace(${v}, '"', '""') || '"' else ${v} end)`;
}

/**
 * Every violation in the actor's scope as CSV in the import's own columns (so an export imports back),
 * streamed page by page with keyset pagination on the primary key (each page is an index range scan,
 * never a sort of what is left): memory stays flat whatever the size of the store. Rows of one
 * incident need not be adjacent: the import groups by incident_ref.
 * Coordinates are never exported (they are sealed, and a file travels); a victim_ref is written only
 * when it names the violation's one child, as the import format requires.
 */
export async function exportViolationsCsv(db: Kysely<DB>, ctx: RequestContext, out: Writable): Promise<{ rows: number }> {
  mayExportRows(ctx.actor);
  const m = ctx.actor.missionId;
  const scope = sql.join([
    ...(ctx.actor.scope.country ? [sql`and i.country_iso3 = ${ctx.actor.scope.country}`] : []),
    ...(ctx.actor.scope.areas.length ? [sql`and (${sql.join(ctx.actor.scope.areas.map((p) => sql`starts_with(i.admin_pcode, ${p})`), sql` or `)})`] : []),
  ], sql` `);
  const write = async (chunk: string) => { if (!out.write(chunk)) await once(out, 'drain'); };
  return runUnitOfWork(db, ctx, 'write', async (uow) => {
    const areas = await uow.trx.selectFrom('admin_areas').select(['pcode', 'parent_pcode', 'admin_level']).where('mission_id', '=', m).execute();
    const byCode = new Map(areas.map((a) => [a.pcode, a]));
    const ancestorAt = (pcode: string, level: number): string => {
      let a = byCode.get(pcode);
      while (a && a.admin_level > level && a.parent_pcode) a = byCode.get(a.parent_pcode);
      return a && a.admin_level === level ? a.pcode : '';
    };
    // Each area's admin 1 and admin 2 as the import reads them, computed here once and joined by the page query.
    const codes = areas.map((a) => a.pcode);
    const admin1 = areas.map((a) => (a.admin_level <= 1 ? a.pcode : ancestorAt(a.pcode, 1)));
    const admin2 = areas.map((a) => (a.admin_level >= 2 ? ancestorAt(a.pcode, 2) : ''));
    await write(csvLine([...MRM_COLUMNS]));
    let after = '00000000-0000-0000-0000-000000000000';
    let rows = 0;
    // The database writes each page as CSV text (the fields as csv.ts writes them): the process receives
    // one string per page instead of 5,000 row objects, whose garbage was most of its peak memory.
    const fields = [sql`v.incident_id::text`, sql`v.type`,
      sql`to_char(i.date_start, 'YYYY-MM-DD') || coalesce('/' || to_char(i.date_end, 'YYYY-MM-DD'), '')`, sql`i.country_iso3::text`,
      sql`coalesce(anc.admin1, i.admin_pcode)`, sql`coalesce(anc.admin2, '')`, sql`''`, sql`''`,
      sql`p.names`, sql`p.categories`, sql`coalesce(t.b, 0)::text`, sql`coalesce(t.g, 0)::text`, sql`coalesce(t.u, 0)::text`,
      sql`(case when cardinality(x.refs) = 1 and coalesce(t.b, 0) + coalesce(t.g, 0) + coalesce(t.u, 0) = 1 then x.refs[1] else '' end)`,
      sql`v.status_final`, sql`coalesce(to_char(v.date_final, 'YYYY-MM-DD'), '')`].map(csvSql);
    for (;;) {
      const { rows: page } = await sql<{ text: string | null; last: string | null; n: number }>`
        with anc as (select * from unnest(cast(${arrayLiteral(codes)} as text[]), cast(${arrayLiteral(admin1)} as text[]),
          cast(${arrayLiteral(admin2)} as text[])) a(pcode, admin1, admin2)),
        page as (
          select v.violation_id, ${sql.join(fields, sql` || ',' || `)} || chr(13) || chr(10) as line
          from violations v
          join incidents i on i.mission_id = v.mission_id and i.incident_id = v.incident_id
          left join anc on anc.pcode = i.admin_pcode
          left join lateral (select sum(boys)::int as b, sum(girls)::int as g, sum(sex_unknown)::int as u from violation_tallies t
            where t.mission_id = v.mission_id and t.violation_id = v.violation_id) t on true
          left join lateral (select string_agg(pa.name, ';' order by pa.name) as names, string_agg(pa.category, ';' order by pa.name) as categories
            from violation_perpetrators vp join parties pa on pa.mission_id = vp.mission_id and pa.party_id = vp.party_id
            where vp.mission_id = v.mission_id and vp.violation_id = v.violation_id) p on true
          left join lateral (select array_agg(x.victim_ref::text) as refs from violation_victims x
            where x.mission_id = v.mission_id and x.violation_id = v.violation_id) x on true
          where v.mission_id = ${m} and v.violation_id > ${after}::uuid ${scope}
          order by v.violation_id
          limit ${PAGE})
        select string_agg(line, '' order by violation_id) as text, max(violation_id::text) as last, count(*)::int as n from page`.execute(uow.trx);
      const r = page[0];
      if (!r || r.n === 0 || !r.text || !r.last) break;
      await write(r.text);
      rows += r.n;
      after = r.last;
    }
    uow.audit({ action: 'mrm.export', targetType: 'violations', details: { rows, format: 'csv', scope: ctx.actor.scope } });
    return { rows };
  });
}
