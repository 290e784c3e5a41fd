import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { sql, type Kysely } from 'kysely';
import type { RequestContext } from '../../../platform/context.ts';
import type { DB } from '../../../platform/db/schema.ts';
import { runUnitOfWork } from '../../../platform/db/unit-of-work.ts';
import { MRM_COLUMNS } from '../import/columns.ts';
import { csvLine } from './formats.ts';
import { mayExportRows } from './policy.ts';

const PAGE = 5000;

/** PGlite's buffer cache for `tutela export mrm` (and the bench that measures it): one pass reads each page once. */
export const EXPORT_PGLITE_SHARED_BUFFERS = '16MB';

interface ExportRow {
  incident_id: string; violation_id: string; type: string; status_final: string; date_final: string | null;
  date_start: string; date_end: string | null; country_iso3: string; admin_pcode: string;
  b: number | null; g: number | null; u: number | null; names: string | null; categories: string | null; refs: string[] | null;
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
    await write(csvLine([...MRM_COLUMNS]));
    let after = '00000000-0000-0000-0000-000000000000';
    let rows = 0;
    for (;;) {
      const { rows: page } = await sql<ExportRow>`
        select v.incident_id::text as incident_id, v.violation_id::text as violation_id, v.type, v.status_final, v.date_final,
          i.date_start, i.date_end, i.country_iso3::text as country_iso3, i.admin_pcode, t.b, t.g, t.u, p.names, p.categories, x.refs
        from violations v
        join incidents i on i.mission_id = v.mission_id and i.incident_id = v.incident_id
        left join lateral (select sum(boys)::int as b, sum(girls)::int as g, sum(sex_unknown)::int as u from violation_tallies t
          where t.mission_id = v.mission_id and t.violation_id = v.violation_id) t on true
        left join lateral (select string_agg(pa.name, ';' order by pa.name) as names, string_agg(pa.category, ';' order by pa.name) as categories
          from violation_perpetrators vp join parties pa on pa.mission_id = vp.mission_id and pa.party_id = vp.party_id
          where vp.mission_id = v.mission_id and vp.violation_id = v.violation_id) p on true
        left join lateral (select array_agg(x.victim_ref::text) as refs from violation_victims x
          where x.mission_id = v.mission_id and x.violation_id = v.violation_id) x on true
        where v.mission_id = ${m} and v.violation_id > ${after}::uuid ${scope}
        order by v.violation_id
        limit ${PAGE}`.execute(uow.trx);
      if (page.length === 0) break;
      const lines: string[] = [];
      for (const r of page) {
        const level = byCode.get(r.admin_pcode)?.admin_level ?? 1;
        const children = (r.b ?? 0) + (r.g ?? 0) + (r.u ?? 0);
        const ref = r.refs?.length === 1 && children === 1 ? r.refs[0]! : '';
        lines.push(csvLine([r.incident_id, r.type, r.date_end ? `${r.date_start}/${r.date_end}` : r.date_start, r.country_iso3,
          level <= 1 ? r.admin_pcode : ancestorAt(r.admin_pcode, 1), level >= 2 ? ancestorAt(r.admin_pcode, 2) : '', '', '',
          r.names ?? '', r.categories ?? '', r.b ?? 0, r.g ?? 0, r.u ?? 0, ref, r.status_final, r.date_final ?? '']));
      }
      await write(lines.join(''));
      rows += page.length;
      const last = page[page.length - 1]!;
      after = last.violation_id;
    }
    uow.audit({ action: 'mrm.export', targetType: 'violations', details: { rows, format: 'csv', scope: ctx.actor.scope } });
    return { rows };
  });
}
