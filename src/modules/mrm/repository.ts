import { sql, type Expression, type ExpressionBuilder, type Insertable, type Kysely, type Selectable, type SqlBool, type Transaction } from 'kysely';
import type { DB, IncidentsTable, ViolationPerpetratorsTable, ViolationSourcesTable, ViolationsTable, ViolationTalliesTable, ViolationVictimsTable } from '../../platform/db/schema.ts';
import type { ListQuery } from './schema.ts';

type Q = Kysely<DB> | Transaction<DB>;
export type IncidentRow = Selectable<IncidentsTable>;
export type ViolationRow = Selectable<ViolationsTable>;
type IncidentScope = (eb: ExpressionBuilder<DB & { i: DB['incidents'] }, 'i'>) => Expression<SqlBool>;

export interface ViolationGraph {
  violation: Insertable<ViolationsTable>;
  tallies: Insertable<ViolationTalliesTable>[];
  perpetrators: Insertable<ViolationPerpetratorsTable>[];
  victims: Insertable<ViolationVictimsTable>[];
  sources: Insertable<ViolationSourcesTable>[];
}

export interface ViolationChildren {
  tallies: Selectable<ViolationTalliesTable>[];
  perpetrators: Selectable<ViolationPerpetratorsTable>[];
  victims: Selectable<ViolationVictimsTable>[];
  sources: Selectable<ViolationSourcesTable>[];
}

export const jsonb = (value: unknown) => sql<string>`cast(${JSON.stringify(value)} as jsonb)`;

/**
 * Inserts an incident and all its violations' rows in ONE statement (data-modifying CTEs): intake is
 * the hot path, and on PGlite every round trip costs about a millisecond. Foreign keys are checked at
 * the end of the statement, so children may reference the parent inserted beside them. The audit row
 * rides in the same statement: the record and its audit entry exist together or not at all.
 */
export async function insertIncidentGraph(trx: Q, incident: Insertable<IncidentsTable>, graphs: ViolationGraph[], audit: Insertable<DB['audit_events']>[],
  recordKeys: Insertable<DB['record_keys']>[]): Promise<IncidentRow> {
  const parts: { name: string; query: { toOperationNode(): unknown } }[] = [];
  const add = (name: string, rows: object[], table: 'violations' | 'violation_tallies' | 'violation_perpetrators' | 'violation_victims' | 'violation_sources' | 'record_keys') => {
    if (rows.length > 0) parts.push({ name, query: trx.insertInto(table).values(rows as never) });
  };
  add('v', graphs.map((g) => g.violation), 'violations');
  add('t', graphs.flatMap((g) => g.tallies), 'violation_tallies');
  add('p', graphs.flatMap((g) => g.perpetrators), 'violation_perpetrators');
  add('vi', graphs.flatMap((g) => g.victims), 'violation_victims');
  add('s', graphs.flatMap((g) => g.sources), 'violation_sources');
  add('k', recordKeys, 'record_keys');
  if (audit.length > 0) parts.push({ name: 'a', query: trx.insertInto('audit_events').values(audit) });
  const ctes = parts.map((p) => sql`, ${sql.id(p.name)} as (${p.query as never})`);
  const { rows } = await sql<IncidentRow>`with i as (${trx.insertInto('incidents').values(incident).returningAll()})${sql.join(ctes, sql``)} select * from i`.execute(trx);
  return rows[0]!;
}

/** The keys of the records a change seals (field-crypto record keys), inserted with the change. */
export async function insertRecordKeys(trx: Q, rows: Insertable<DB['record_keys']>[]): Promise<void> {
  if (rows.length > 0) await trx.insertInto('record_keys').values(rows).execute();
}

/** Inserts violations and their children with one multi-row INSERT per table. */
export async function insertViolations(trx: Q, graphs: ViolationGraph[]): Promise<void> {
  if (graphs.length === 0) return;
  await trx.insertInto('violations').values(graphs.map((g) => g.violation)).execute();
  await replaceChildren(trx, graphs);
}

type ChildPart = keyof ViolationChildren;
const ALL_PARTS: ReadonlySet<ChildPart> = new Set(['tallies', 'perpetrators', 'victims', 'sources']);

/** Writes the children of violations; with `replace`, first deletes those parts of that one violation. */
export async function replaceChildren(trx: Q, graphs: Pick<ViolationGraph, ChildPart>[], replace?: { missionId: string; violationId: string; parts: ReadonlySet<ChildPart> }): Promise<void> {
  const parts = replace?.parts ?? ALL_PARTS;
  if (replace) {
    const { missionId, violationId } = replace;
    if (parts.has('tallies')) await trx.deleteFrom('violation_tallies').where('mission_id', '=', missionId).where('violation_id', '=', violationId).execute();
    if (parts.has('perpetrators')) await trx.deleteFrom('violation_perpetrators').where('mission_id', '=', missionId).where('violation_id', '=', violationId).execute();
    if (parts.has('victims')) await trx.deleteFrom('violation_victims').where('mission_id', '=', missionId).where('violation_id', '=', violationId).execute();
    if (parts.has('sources')) await trx.deleteFrom('violation_sources').where('mission_id', '=', missionId).where('violation_id', '=', violationId).execute();
  }
  const tallies = parts.has('tallies') ? graphs.flatMap((g) => g.tallies) : [];
  const perpetrators = parts.has('perpetrators') ? graphs.flatMap((g) => g.perpetrators) : [];
  const victims = parts.has('victims') ? graphs.flatMap((g) => g.victims) : [];
  const sources = parts.has('sources') ? graphs.flatMap((g) => g.sources) : [];
  if (tallies.length > 0) await trx.insertInto('violation_tallies').values(tallies).execute();
  if (perpetrators.length > 0) await trx.insertInto('violation_perpetrators').values(perpetrators).execute();
  if (victims.length > 0) await trx.insertInto('violation_victims').values(victims).execute();
  if (sources.length > 0) await trx.insertInto('violation_sources').values(sources).execute();
}

export function findIncident(db: Q, missionId: string, incidentId: string): Promise<IncidentRow | undefined> {
  return db.selectFrom('incidents').selectAll().where('mission_id', '=', missionId).where('incident_id', '=', incidentId).executeTakeFirst();
}

export function lockIncident(trx: Q, missionId: string, incidentId: string): Promise<IncidentRow | undefined> {
  return trx.selectFrom('incidents').selectAll().where('mission_id', '=', missionId).where('incident_id', '=', incidentId).forUpdate().executeTakeFirst();
}

/** The violation and the facts of its incident that the policy needs, locked for a change. */
export function lockViolation(trx: Q, missionId: string, violationId: string) {
  return trx.selectFrom('violations as v')
    .innerJoin('incidents as i', (j) => j.onRef('i.mission_id', '=', 'v.mission_id').onRef('i.incident_id', '=', 'v.incident_id'))
    .selectAll('v')
    .select(['i.created_by as incident_created_by', 'i.country_iso3', 'i.admin_pcode', 'i.date_start as incident_date_start'])
    .where('v.mission_id', '=', missionId).where('v.violation_id', '=', violationId)
    .forUpdate('v')
    .executeTakeFirst();
}

export function findViolationWithIncident(db: Q, missionId: string, violationId: string) {
  return db.selectFrom('violations as v')
    .innerJoin('incidents as i', (j) => j.onRef('i.mission_id', '=', 'v.mission_id').onRef('i.incident_id', '=', 'v.incident_id'))
    .selectAll('v')
    .select(['i.created_by as incident_created_by', 'i.country_iso3', 'i.admin_pcode', 'i.date_start as incident_date_start'])
    .where('v.mission_id', '=', missionId).where('v.violation_id', '=', violationId)
    .executeTakeFirst();
}

export async function updateIncident(trx: Q, missionId: string, incidentId: string, version: number, changes: Partial<Insertable<IncidentsTable>>): Promise<IncidentRow | undefined> {
  return trx.updateTable('incidents')
    .set({ ...changes, version: version + 1, updated_at: new Date() })
    .where('mission_id', '=', missionId).where('incident_id', '=', incidentId).where('version', '=', version)
    .returningAll().executeTakeFirst();
}

export async function updateViolation(trx: Q, missionId: string, violationId: string, version: number, changes: Partial<Insertable<ViolationsTable>>): Promise<boolean> {
  const r = await trx.updateTable('violations')
    .set({ ...changes, version: version + 1, updated_at: new Date() })
    .where('mission_id', '=', missionId).where('violation_id', '=', violationId).where('version', '=', version)
    .executeTakeFirst();
  return r.numUpdatedRows === 1n;
}

export async function violationsOf(db: Q, missionId: string, incidentIds: string[]): Promise<ViolationRow[]> {
  if (incidentIds.length === 0) return [];
  return db.selectFrom('violations').selectAll().where('mission_id', '=', missionId).where('incident_id', 'in', incidentIds)
    .execute();
}

/** The children of many violations in four queries, grouped by violation id. */
export async function childrenOf(db: Q, missionId: string, violationIds: string[]): Promise<Map<string, ViolationChildren>> {
  const byId = new Map<string, ViolationChildren>(violationIds.map((id) => [id, { tallies: [], perpetrators: [], victims: [], sources: [] }]));
  if (violationIds.length === 0) return byId;
  const [tallies, perpetrators, victims, sources] = await Promise.all([
    db.selectFrom('violation_tallies').selectAll().where('mission_id', '=', missionId).where('violation_id', 'in', violationIds).execute(),
    db.selectFrom('violation_perpetrators').selectAll().where('mission_id', '=', missionId).where('violation_id', 'in', violationIds).execute(),
    db.selectFrom('violation_victims').selectAll().where('mission_id', '=', missionId).where('violation_id', 'in', violationIds).execute(),
    db.selectFrom('violation_sources').selectAll().where('mission_id', '=', missionId).where('violation_id', 'in', violationIds).execute(),
  ]);
  for (const t of tallies) byId.get(t.violation_id)?.tallies.push(t);
  for (const p of perpetrators) byId.get(p.violation_id)?.perpetrators.push(p);
  for (const v of victims) byId.get(v.violation_id)?.victims.push(v);
  for (const s of sources) byId.get(s.violation_id)?.sources.push(s);
  return byId;
}

export async function insertVerificationEvent(trx: Q, row: Insertable<DB['verification_events']>): Promise<void> {
  await trx.insertInto('verification_events').values(row).execute();
}

export function verificationHistory(db: Q, missionId: string, violationId: string) {
  return db.selectFrom('verification_events').selectAll().where('mission_id', '=', missionId).where('violation_id', '=', violationId)
    .orderBy('recorded_at').orderBy('event_id').execute();
}

/** Violation filters shared by both lists, as conditions on `violations as v`. */
function violationConditions(eb: ExpressionBuilder<DB & { v: DB['violations'] }, 'v'>, q: ListQuery): Expression<SqlBool>[] {
  const c: Expression<SqlBool>[] = [];
  if (q.type) c.push(eb('v.type', 'in', q.type));
  if (q.status) c.push(eb('v.status_final', 'in', q.status));
  if (q.party_id) {
    c.push(eb.exists(eb.selectFrom('violation_perpetrators as p').select(sql`1`.as('one'))
      .whereRef('p.mission_id', '=', 'v.mission_id').whereRef('p.violation_id', '=', 'v.violation_id').where('p.party_id', '=', q.party_id)));
  }
  return c;
}

function incidentConditions(eb: ExpressionBuilder<DB & { i: DB['incidents'] }, 'i'>, q: ListQuery): Expression<SqlBool>[] {
  const c: Expression<SqlBool>[] = [];
  // A range overlaps the window: it ends on or after `from` and starts on or before `to`.
  if (q.from) c.push(eb(eb.fn.coalesce('i.date_end', 'i.date_start'), '>=', q.from));
  if (q.to) c.push(eb('i.date_start', '<=', q.to));
  if (q.admin_pcode) c.push(sql<SqlBool>`starts_with(${eb.ref('i.admin_pcode')}, ${q.admin_pcode})`);
  return c;
}

export interface Cursor { date: string; id: string }

export async function listIncidents(db: Q, scope: IncidentScope, q: ListQuery, after: Cursor | null): Promise<IncidentRow[]> {
  const needsViolation = Boolean(q.type || q.status || q.party_id);
  return db.selectFrom('incidents as i').selectAll('i')
    .where(scope)
    .where((eb) => eb.and(incidentConditions(eb, q)))
    .$if(needsViolation, (qb) => qb.where((eb) => eb.exists(
      eb.selectFrom('violations as v').select(sql`1`.as('one'))
        .whereRef('v.mission_id', '=', 'i.mission_id').whereRef('v.incident_id', '=', 'i.incident_id')
        .where((veb) => veb.and(violationConditions(veb, q))))))
    .$if(after !== null, (qb) => qb.where((eb) => eb(eb.refTuple('i.date_start', 'i.incident_id'), '<', eb.tuple(after!.date, after!.id))))
    .orderBy('i.date_start', 'desc').orderBy('i.incident_id', 'desc')
    .limit(q.limit + 1)
    .execute();
}

export async function listViolations(db: Q, scope: IncidentScope, q: ListQuery, after: Cursor | null) {
  return db.selectFrom('violations as v')
    .innerJoin('incidents as i', (j) => j.onRef('i.mission_id', '=', 'v.mission_id').onRef('i.incident_id', '=', 'v.incident_id'))
    .selectAll('v')
    .select(['i.created_by as incident_created_by', 'i.country_iso3', 'i.admin_pcode', 'i.date_start as incident_date_start'])
    .where(scope)
    .where((eb) => eb.and([...incidentConditions(eb, q), ...violationConditions(eb, q)]))
    .$if(after !== null, (qb) => qb.where((eb) => eb(eb.refTuple('i.date_start', 'v.violation_id'), '<', eb.tuple(after!.date, after!.id))))
    .orderBy('i.date_start', 'desc').orderBy('v.violation_id', 'desc')
    .limit(q.limit + 1)
    .execute();
}

export async function violationTypesOf(db: Q, missionId: string, incidentIds: string[]): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  if (incidentIds.length === 0) return out;
  const rows = await db.selectFrom('violations').select(['incident_id', 'type']).distinct()
    .where('mission_id', '=', missionId).where('incident_id', 'in', incidentIds).orderBy('type').execute();
  for (const r of rows) out.set(r.incident_id, [...(out.get(r.incident_id) ?? []), r.type]);
  return out;
}

/** Victims recorded under an identity index, in the incidents `scope` lets the caller see. */
export function findVictimsByIdentity(db: Q, scope: IncidentScope, missionId: string, identityIndex: string) {
  return db.selectFrom('violation_victims as vv')
    .innerJoin('violations as v', (j) => j.onRef('v.mission_id', '=', 'vv.mission_id').onRef('v.violation_id', '=', 'vv.violation_id'))
    .innerJoin('incidents as i', (j) => j.onRef('i.mission_id', '=', 'v.mission_id').onRef('i.incident_id', '=', 'v.incident_id'))
    .select(['i.incident_id', 'i.date_start', 'i.admin_pcode', 'v.violation_id', 'v.type', 'vv.victim_ref'])
    .where('vv.mission_id', '=', missionId).where('vv.identity_index', '=', identityIndex)
    .where(scope)
    .orderBy('i.date_start', 'desc').orderBy('v.violation_id')
    .limit(200)
    .execute();
}

/**
 * Deletes the record keys of an incident (all of them, `whole`) or of one child in it: crypto-shredding.
 * The ciphertext stays where it is and can no longer be opened. Returns the deleted key ids.
 */
export async function deleteRecordKeys(trx: Q, missionId: string, recordId: string, whole: boolean): Promise<string[]> {
  const rows = await trx.deleteFrom('record_keys').where('mission_id', '=', missionId)
    .where((eb) => whole ? eb.or([eb('record_id', '=', recordId), eb('record_id', 'like', `${recordId}/%`)]) : eb('record_id', '=', recordId))
    .returning('record_key_id').execute();
  return rows.map((r) => r.record_key_id);
}

/** A shredded identity must not be found again by its blind index either. */
export async function clearIdentityIndexes(trx: Q, missionId: string, violationIds: string[], victimRef?: string): Promise<void> {
  if (violationIds.length === 0) return;
  await trx.updateTable('violation_victims').set({ identity_index: null })
    .where('mission_id', '=', missionId).where('violation_id', 'in', violationIds)
    .$if(victimRef !== undefined, (q) => q.where('victim_ref', '=', victimRef!))
    .execute();
}
