import { sql, type Insertable, type Kysely, type Transaction } from 'kysely';
import type { DB } from '../../../platform/db/schema.ts';
import type { KnownReference } from './plan.ts';

type Q = Kysely<DB> | Transaction<DB>;
type Table = 'countries' | 'admin_areas' | 'parties' | 'incidents' | 'violations' | 'violation_tallies' | 'violation_perpetrators'
  | 'violation_victims' | 'verification_events' | 'record_keys';

/** Multi-row INSERTs of at most `size` rows: one round trip per chunk, under PostgreSQL's 65,535 parameters. */
export async function insertChunked<T extends Table>(trx: Q, table: T, rows: Insertable<DB[T]>[], columnsPerRow: number): Promise<void> {
  const size = Math.max(1, Math.floor(30_000 / columnsPerRow));
  for (let i = 0; i < rows.length; i += size) {
    await trx.insertInto(table).values(rows.slice(i, i + size) as never).execute();
  }
}

/** A column of a bulk insert: its name and the PostgreSQL type of its array. */
export type ArrayColumn = readonly [name: string, type: 'text' | 'uuid' | 'date' | 'int' | 'bool' | 'jsonb' | 'float8' | 'bytea'];

/**
 * A PostgreSQL array literal ('{"a","b",NULL}') built here rather than by the driver, whose per-element
 * escaping took a third of the import's own CPU time: elements are quoted, and only a value holding a
 * quote or a backslash is escaped.
 */
export function arrayLiteral(values: readonly unknown[], element: (v: unknown) => string = String): string {
  const parts = new Array<string>(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === null || v === undefined) { parts[i] = 'NULL'; continue; }
    const s = element(v);
    parts[i] = s.includes('"') || s.includes('\\') ? `"${s.replace(/["\\]/g, '\\$&')}"` : `"${s}"`;
  }
  return `{${parts.join(',')}}`;
}

/** One array parameter, sent as its text literal: JSON as text, bytes as PostgreSQL's hex text. */
function arrayParam(type: ArrayColumn[1], values: unknown[]) {
  if (type === 'jsonb') return sql`cast(${arrayLiteral(values, (v) => JSON.stringify(v))} as jsonb[])`;
  if (type === 'bytea') return sql`cast(${arrayLiteral(values, (v) => `\\x${Buffer.from(v as Uint8Array).toString('hex')}`)} as bytea[])`;
  return sql`cast(${arrayLiteral(values)} as ${sql.raw(type)}[])`;
}

/**
 * Bulk INSERT as one array per column (`insert ... select * from unnest($1::uuid[], ...)`): a fixed,
 * small number of parameters whatever the row count, so the query is compiled and parsed once per
 * chunk of 20,000 rows instead of building hundreds of thousands of placeholders.
 */
export async function insertArrays(trx: Q, table: Table, columns: readonly ArrayColumn[], rows: readonly (readonly unknown[])[]): Promise<void> {
  const CHUNK = 20_000;
  for (let i = 0; i < rows.length; i += CHUNK) {
    const chunk = rows.slice(i, i + CHUNK);
    const arrays = columns.map(([, type], c) => arrayParam(type, chunk.map((r) => r[c] ?? null)));
    await sql`insert into ${sql.table(table)} (${sql.join(columns.map(([n]) => sql.id(n)))}) select * from unnest(${sql.join(arrays)})`.execute(trx);
  }
}

/**
 * The columns of an imported violation that differ from row to row; the mission, the author, and the one
 * decision set at every level (status, date) are sent once each rather than as arrays of 100,000 copies,
 * which cost ~0.4 s of literal building and array parsing per 100,000 rows on PGlite.
 */
export const VIOLATION_COLUMNS: readonly ArrayColumn[] = [['violation_id', 'uuid'], ['incident_id', 'uuid'], ['type', 'text'], ['status', 'text'], ['decided_on', 'date']];

/**
 * The violations (rows in VIOLATION_COLUMNS order) and, in the same statement, one verification event
 * for each decided one: what the import did, once. The file gives one decision per violation, which
 * the import sets at every level; the event is written at the authoritative (final) level, pending →
 * the file's status on its verification date, and its note says the file and that every level was set
 * with it. (Three synthetic events, one per level, were 4 of the import's 17 s of PostgreSQL CPU for
 * 100,000 rows, and suggested three separate decisions nobody recorded.) The events are made by the
 * database from the rows it inserts, so they cost no parameters and no round trip.
 */
export async function insertViolationsWithHistory(trx: Q, rows: readonly (readonly unknown[])[], h: { missionId: string; actor: string; note: string }): Promise<void> {
  const CHUNK = 20_000;
  for (let i = 0; i < rows.length; i += CHUNK) {
    const chunk = rows.slice(i, i + CHUNK);
    const arrays = VIOLATION_COLUMNS.map(([, type], c) => arrayParam(type, chunk.map((r) => r[c] ?? null)));
    await sql`with v as (
        insert into violations (mission_id, violation_id, incident_id, type, created_by, status_focal_point, status_technical, status_final,
          date_focal_point, date_technical, date_final)
        select ${h.missionId}, u.violation_id, u.incident_id, u.type, ${h.actor}::uuid, u.status, u.status, u.status, u.decided_on, u.decided_on, u.decided_on
        from unnest(${sql.join(arrays)}) u(${sql.join(VIOLATION_COLUMNS.map(([n]) => sql.id(n)))})
        returning violation_id, status_final, date_final)
      insert into verification_events (mission_id, event_id, violation_id, level, from_status, to_status, status_date, note, actor_id)
      select ${h.missionId}, gen_random_uuid(), v.violation_id, 'final', 'pending', v.status_final, v.date_final, ${h.note}, ${h.actor}::uuid
      from v where v.status_final <> 'pending'
      order by v.violation_id`.execute(trx);
  }
}

/**
 * The report rollups (migration 20261125050000) follow every write through triggers; a bulk writer
 * defers them for its transaction and refreshes the violations it wrote once, at the end.
 */
export async function deferReportRefresh(trx: Q): Promise<void> {
  await sql`select set_config('tutela.report_refresh', 'deferred', true)`.execute(trx);
  // PGlite sessions run with plan_cache_mode = force_custom_plan (platform/db/store.ts), which re-plans
  // every foreign-key check of every inserted row: 60,000 verification events took 17 s. For this
  // transaction only, cached plans may be reused (the tables are not empty by then); the session's
  // setting returns at commit.
  await sql`select set_config('plan_cache_mode', 'auto', true)`.execute(trx);
  // The refresh's sorts and aggregates over 100,000 violations spilled to disk at the default 4 MB.
  await sql`select set_config('work_mem', '64MB', true)`.execute(trx);
}
export async function refreshReportFacts(trx: Q, missionId: string, violationIds: string[]): Promise<void> {
  await sql`select set_config('tutela.report_refresh', '', true)`.execute(trx);
  for (let i = 0; i < violationIds.length; i += 200_000) {
    // fresh: every id is a violation this import created, so there is nothing stored to subtract.
    await sql`select report_refresh(${missionId}, cast(${violationIds.slice(i, i + 200_000)} as uuid[]), true)`.execute(trx);
  }
}

export async function knownReference(trx: Q, missionId: string): Promise<KnownReference> {
  const [countries, areas, parties] = await Promise.all([
    trx.selectFrom('countries').select('iso3').where('mission_id', '=', missionId).execute(),
    trx.selectFrom('admin_areas').select(['pcode', 'country_iso3', 'admin_level']).where('mission_id', '=', missionId).execute(),
    trx.selectFrom('parties').select(['party_id', 'name', 'aliases', 'category']).where('mission_id', '=', missionId).execute(),
  ]);
  const partyMap = new Map<string, { id: string; name: string; category: string }>();
  for (const p of parties) {
    for (const n of [...p.aliases, p.name]) partyMap.set(n.toLowerCase(), { id: p.party_id, name: p.name, category: p.category });
  }
  const countryAreas = new Map<string, string[]>();
  for (const a of areas) if (a.admin_level === 0) countryAreas.set(a.country_iso3, [...(countryAreas.get(a.country_iso3) ?? []), a.pcode]);
  return {
    countries: new Set(countries.map((c) => c.iso3)),
    areas: new Map(areas.map((a) => [a.pcode, { country: a.country_iso3, level: a.admin_level }])),
    parties: partyMap,
    countryAreas,
  };
}

/** Which of these incident ids the mission already holds (a file imported before). */
export async function existingIncidents(trx: Q, missionId: string, ids: string[]): Promise<Set<string>> {
  const found = new Set<string>();
  for (let i = 0; i < ids.length; i += 50_000) {
    const chunk = ids.slice(i, i + 50_000);
    // A join on unnest, not "= any(array)", which searched the array once per index entry (130 ms per 5,000 ids).
    const { rows } = await sql<{ incident_id: string }>`select i.incident_id::text as incident_id
      from unnest(cast(${arrayLiteral(chunk)} as uuid[])) u(id) join incidents i on i.mission_id = ${missionId} and i.incident_id = u.id`.execute(trx);
    for (const r of rows) found.add(r.incident_id);
  }
  return found;
}
