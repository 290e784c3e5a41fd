import { sql, type Expression, type ExpressionBuilder, type Generated, type Kysely, type Selectable, type SqlBool, type Transaction } from 'kysely';
import type { DB } from '../../platform/db/schema.ts';
import type { IncidentRow } from '../mrm/repository.ts';

type Q = Kysely<DB> | Transaction<DB>;

/** Row types of this module's tables (migration 20261125060000_report_intake.sql). */
export interface ReportReceiptsTable {
  mission_id: string;
  report_id: string;
  report_type: string;
  sha256: string;
  device_created_at: Date | string | null;
  received_at: Generated<Date | string>;
  received_by: string;
}
export interface ReportConflictsTable {
  mission_id: string;
  report_id: string;
  sha256: string;
  payload_sealed: Buffer;
  device_created_at: Date | string | null;
  received_at: Generated<Date | string>;
  received_by: string;
  resolved_at: Date | string | null;
  resolved_by: string | null;
}
export type ReceiptRow = Selectable<ReportReceiptsTable>;
type SyncDB = DB & { report_receipts: ReportReceiptsTable; report_conflicts: ReportConflictsTable };
const withSync = (db: Q) => db.$extendTables<{ report_receipts: ReportReceiptsTable; report_conflicts: ReportConflictsTable }>() as unknown as Kysely<SyncDB>;

export function findReceipt(db: Q, missionId: string, reportId: string): Promise<ReceiptRow | undefined> {
  return withSync(db).selectFrom('report_receipts').selectAll().where('mission_id', '=', missionId).where('report_id', '=', reportId).executeTakeFirst();
}

/**
 * Claims the id. Under a concurrent claim of the same id this waits on the primary key until the other
 * transaction ends; then it inserts nothing (the other committed) or succeeds (the other rolled back).
 */
export async function claimReceipt(trx: Q, row: Omit<ReceiptRow, 'received_at'>): Promise<ReceiptRow | undefined> {
  return withSync(trx).insertInto('report_receipts').values(row)
    .onConflict((oc) => oc.columns(['mission_id', 'report_id']).doNothing())
    .returningAll().executeTakeFirst();
}

/** Keeps a conflicting version once per distinct content (a retried conflicting push adds nothing). */
export async function keepConflict(trx: Q, row: Omit<Selectable<ReportConflictsTable>, 'received_at' | 'resolved_at' | 'resolved_by'>): Promise<boolean> {
  const r = await withSync(trx).insertInto('report_conflicts').values(row)
    .onConflict((oc) => oc.columns(['mission_id', 'report_id', 'sha256']).doNothing())
    .returning('sha256').executeTakeFirst();
  return r !== undefined;
}

export interface ChangeCursor { at: string; id: string }
type IncidentScope = (eb: ExpressionBuilder<DB & { i: DB['incidents'] }, 'i'>) => Expression<SqlBool>;

/**
 * Records the caller may see whose incident or any of its violations changed after the cursor, in
 * change order. `changed_at` is rendered by PostgreSQL with microseconds so the next cursor compares
 * exactly (a JavaScript Date would cut to milliseconds and send the last row again forever).
 */
export async function changedIncidents(db: Q, scope: IncidentScope, missionId: string, after: ChangeCursor | null, limit: number) {
  const stamp = sql<Date>`greatest(i.updated_at, coalesce((select max(v.updated_at) from violations v where v.mission_id = i.mission_id and v.incident_id = i.incident_id), i.updated_at))`;
  const changed = db.selectFrom('incidents as i').selectAll('i').select(stamp.as('stamp'))
    .where(scope).where('i.mission_id', '=', missionId);
  return db.selectFrom(changed.as('c'))
    .selectAll('c')
    .select(sql<string>`to_char(c.stamp at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`.as('changed_at'))
    .$if(after !== null, (q) => q.where(sql<SqlBool>`(c.stamp, c.incident_id) > (cast(${after!.at} as timestamptz), cast(${after!.id} as uuid))`))
    .orderBy('c.stamp').orderBy('c.incident_id')
    .limit(limit + 1)
    .execute() as Promise<(IncidentRow & { stamp: Date; changed_at: string })[]>;
}

export type ConflictRow = Selectable<ReportConflictsTable>;

/** Unresolved kept versions, oldest first (the partial index report_conflicts_open_idx). */
export function openConflicts(db: Q, missionId: string, limit: number): Promise<ConflictRow[]> {
  return withSync(db).selectFrom('report_conflicts').selectAll().where('mission_id', '=', missionId).where('resolved_at', 'is', null)
    .orderBy('received_at').orderBy('report_id').limit(limit).execute();
}

export function findConflict(db: Q, missionId: string, reportId: string, sha256: string): Promise<ConflictRow | undefined> {
  return withSync(db).selectFrom('report_conflicts').selectAll()
    .where('mission_id', '=', missionId).where('report_id', '=', reportId).where('sha256', '=', sha256).executeTakeFirst();
}

export async function markConflictResolved(trx: Q, missionId: string, reportId: string, sha256: string, by: string): Promise<boolean> {
  const r = await withSync(trx).updateTable('report_conflicts').set({ resolved_at: sql`now()`, resolved_by: by })
    .where('mission_id', '=', missionId).where('report_id', '=', reportId).where('sha256', '=', sha256).where('resolved_at', 'is', null)
    .returning('sha256').executeTakeFirst();
  return r !== undefined;
}

/** What the MRM policy needs to decide about an incident, and its version. */
export function incidentFactsOf(db: Q, missionId: string, incidentId: string) {
  return db.selectFrom('incidents').select(['created_by', 'country_iso3', 'admin_pcode', 'version'])
    .where('mission_id', '=', missionId).where('incident_id', '=', incidentId).executeTakeFirst();
}

/** Row types of the offline edit tables (migration 20261125131000_sync_edits.sql). */
export interface SyncEditsTable {
  mission_id: string;
  edit_id: string;
  incident_id: string;
  base_version: number;
  sha256: string;
  content_sealed: Buffer;
  outcome: unknown;
  device_edited_at: Date | string | null;
  received_at: Generated<Date | string>;
  received_by: string;
}
export interface SyncEditConflictsTable {
  mission_id: string;
  conflict_id: string;
  incident_id: string;
  edit_id: string;
  field: string;
  values_sealed: Buffer;
  detected_version: number;
  detected_at: Generated<Date | string>;
  resolved_at: Date | string | null;
  resolved_by: string | null;
  resolution: 'device' | 'stored' | null;
  resolved_version: number | null;
}
export type SyncEditRow = Selectable<SyncEditsTable>;
export type EditConflictRow = Selectable<SyncEditConflictsTable>;
const withEdits = (db: Q) => db.$extendTables<{ sync_edits: SyncEditsTable; sync_edit_conflicts: SyncEditConflictsTable }>() as unknown as
  Kysely<DB & { sync_edits: SyncEditsTable; sync_edit_conflicts: SyncEditConflictsTable }>;

export function findEdit(db: Q, missionId: string, editId: string): Promise<SyncEditRow | undefined> {
  return withEdits(db).selectFrom('sync_edits').selectAll().where('mission_id', '=', missionId).where('edit_id', '=', editId).executeTakeFirst();
}

export async function insertEdit(trx: Q, row: Omit<SyncEditRow, 'received_at' | 'outcome'> & { outcome: object }, conflicts: Omit<EditConflictRow, 'detected_at' | 'resolved_at' | 'resolved_by' | 'resolution' | 'resolved_version'>[]): Promise<void> {
  await withEdits(trx).insertInto('sync_edits').values({ ...row, outcome: sql`cast(${JSON.stringify(row.outcome)} as jsonb)` }).execute();
  if (conflicts.length > 0) await withEdits(trx).insertInto('sync_edit_conflicts').values(conflicts).execute();
}

/** Open conflicts, oldest first; or every conflict of one incident (its history), resolved or not. */
export function editConflicts(db: Q, missionId: string, filter: { open: true } | { incidentId: string }): Promise<EditConflictRow[]> {
  let q = withEdits(db).selectFrom('sync_edit_conflicts').selectAll().where('mission_id', '=', missionId);
  q = 'incidentId' in filter ? q.where('incident_id', '=', filter.incidentId) : q.where('resolved_at', 'is', null);
  return q.orderBy('detected_at').orderBy('conflict_id').execute();
}

export function editsOf(db: Q, missionId: string, incidentId: string): Promise<SyncEditRow[]> {
  return withEdits(db).selectFrom('sync_edits').selectAll().where('mission_id', '=', missionId).where('incident_id', '=', incidentId)
    .orderBy('received_at').orderBy('edit_id').execute();
}

export function lockEditConflict(trx: Q, missionId: string, conflictId: string): Promise<EditConflictRow | undefined> {
  return withEdits(trx).selectFrom('sync_edit_conflicts').selectAll().where('mission_id', '=', missionId).where('conflict_id', '=', conflictId)
    .forUpdate().executeTakeFirst();
}

export async function markEditConflictResolved(trx: Q, missionId: string, conflictId: string, by: string, resolution: 'device' | 'stored', version: number): Promise<boolean> {
  const r = await withEdits(trx).updateTable('sync_edit_conflicts')
    .set({ resolved_at: sql`now()`, resolved_by: by, resolution, resolved_version: version })
    .where('mission_id', '=', missionId).where('conflict_id', '=', conflictId).where('resolved_at', 'is', null)
    .returning('conflict_id').executeTakeFirst();
  return r !== undefined;
}
