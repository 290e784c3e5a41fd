import { sql, type ColumnType, type Kysely, type Selectable, type Transaction } from 'kysely';
import type { DB } from '../../platform/db/schema.ts';

/** Tables of migration 20261125100000_identity_linkage, declared here so the module owns its row types. */
type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type Json<T> = ColumnType<T, string, string>;

export interface FieldBits { comparison: string; level: string; bits: number }
export type Verdict = 'match' | 'non_match' | 'unsure';

export interface IdentityRunsTable {
  mission_id: string; run_id: string; started_by: string; started_at: Timestamp; records: number; candidate_pairs: number;
  stored_pairs: number; clusters: number; model_source: 'mission' | 'reference'; model: Json<unknown>;
}
export interface IdentityPairsTable {
  mission_id: string; left_ref: string; right_ref: string; run_id: string; probability: number; match_weight: number;
  needs_review: boolean; review_reason: string | null; explanation: Json<FieldBits[]>;
}
export interface IdentityDecisionsTable {
  mission_id: string; decision_id: string; left_ref: string; right_ref: string; decision: Verdict; reason: string;
  source: 'review' | 'merge' | 'unmerge'; probability: number | null; decided_by: string; decided_at: Timestamp;
}
export interface IdentityMembersTable { mission_id: string; record_ref: string; cluster_id: string; since: Timestamp }
export interface IdentityClusterEventsTable {
  mission_id: string; event_id: string; record_ref: string; from_cluster: string | null; to_cluster: string;
  cause: 'run' | 'merge' | 'unmerge'; run_id: string | null; decision_id: string | null; actor_id: string; recorded_at: Timestamp;
}
type IdentityTables = {
  identity_runs: IdentityRunsTable; identity_pairs: IdentityPairsTable; identity_decisions: IdentityDecisionsTable;
  identity_members: IdentityMembersTable; identity_cluster_events: IdentityClusterEventsTable;
};
export type IdentityDB = DB & IdentityTables;
export type PairRow = Selectable<IdentityPairsTable>;
export type DecisionRow = Selectable<IdentityDecisionsTable>;
export type ClusterEventRow = Selectable<IdentityClusterEventsTable>;

type Q = Kysely<DB> | Transaction<DB>;
export const identityDb = (q: Q) => q.$extendTables<IdentityTables>() as unknown as Kysely<IdentityDB>;
const json = (value: unknown) => sql<string>`cast(${JSON.stringify(value)} as jsonb)`;

/** Pairs are stored in one orientation, so a pair has one key whichever side a caller names first. */
export const ordered = (a: string, b: string): [string, string] => (a < b ? [a, b] : [b, a]);

/** The decision in force per pair (the newest), for the pairs of the mission. */
export async function decisionsInForce(q: Q, missionId: string): Promise<DecisionRow[]> {
  const rows = await identityDb(q).selectFrom('identity_decisions').selectAll().where('mission_id', '=', missionId)
    .orderBy('decided_at').orderBy('decision_id').execute();
  const newest = new Map<string, DecisionRow>();
  for (const r of rows) newest.set(`${r.left_ref}\u0000${r.right_ref}`, r);
  return [...newest.values()];
}

export async function insertDecision(q: Q, row: Omit<DecisionRow, 'decided_at'>): Promise<void> {
  await identityDb(q).insertInto('identity_decisions').values(row).execute();
}

export function members(q: Q, missionId: string) {
  return identityDb(q).selectFrom('identity_members').select(['record_ref', 'cluster_id']).where('mission_id', '=', missionId).execute();
}

export function memberOf(q: Q, missionId: string, ref: string) {
  return identityDb(q).selectFrom('identity_members').select(['record_ref', 'cluster_id', 'since'])
    .where('mission_id', '=', missionId).where('record_ref', '=', ref).executeTakeFirst();
}

export function clusterMembers(q: Q, missionId: string, clusterId: string) {
  return identityDb(q).selectFrom('identity_members').select(['record_ref', 'since'])
    .where('mission_id', '=', missionId).where('cluster_id', '=', clusterId).orderBy('record_ref').execute();
}

/** Moves records to clusters, each move kept as a provenance event. */
export async function moveRecords(q: Q, missionId: string, moves: { ref: string; from: string | null; to: string }[],
  cause: ClusterEventRow['cause'], actorId: string, ids: { runId?: string; decisionId?: string; eventId: () => string }): Promise<void> {
  if (moves.length === 0) return;
  const db = identityDb(q);
  for (let i = 0; i < moves.length; i += 500) {
    const chunk = moves.slice(i, i + 500);
    await db.insertInto('identity_members').values(chunk.map((m) => ({ mission_id: missionId, record_ref: m.ref, cluster_id: m.to, since: new Date() })))
      .onConflict((oc) => oc.columns(['mission_id', 'record_ref']).doUpdateSet({ cluster_id: (eb) => eb.ref('excluded.cluster_id'), since: (eb) => eb.ref('excluded.since') }))
      .execute();
    await db.insertInto('identity_cluster_events').values(chunk.map((m) => ({
      mission_id: missionId, event_id: ids.eventId(), record_ref: m.ref, from_cluster: m.from, to_cluster: m.to, cause,
      run_id: ids.runId ?? null, decision_id: ids.decisionId ?? null, actor_id: actorId,
    }))).execute();
  }
}

export function clusterHistory(q: Q, missionId: string, refs: string[]) {
  if (refs.length === 0) return Promise.resolve([]);
  return identityDb(q).selectFrom('identity_cluster_events').select(['record_ref', 'from_cluster', 'to_cluster', 'cause', 'run_id', 'decision_id', 'actor_id', 'recorded_at'])
    .where('mission_id', '=', missionId).where('record_ref', 'in', refs).orderBy('recorded_at').orderBy('event_id').execute();
}

export async function insertRun(q: Q, row: Omit<Selectable<IdentityRunsTable>, 'started_at' | 'model'> & { model: unknown }): Promise<void> {
  await identityDb(q).insertInto('identity_runs').values({ ...row, model: json(row.model) }).execute();
}

export async function latestModel(q: Q, missionId: string): Promise<unknown | null> {
  const row = await identityDb(q).selectFrom('identity_runs').select(['model']).where('mission_id', '=', missionId)
    .orderBy('started_at', 'desc').limit(1).executeTakeFirst();
  return row?.model ?? null;
}

/** The latest run's pairs replace the previous run's (decisions, kept apart, are what lasts). */
export async function replacePairs(q: Q, missionId: string, rows: (Omit<PairRow, 'explanation'> & { explanation: FieldBits[] })[]): Promise<void> {
  const db = identityDb(q);
  await db.deleteFrom('identity_pairs').where('mission_id', '=', missionId).execute();
  for (let i = 0; i < rows.length; i += 500) {
    await db.insertInto('identity_pairs').values(rows.slice(i, i + 500).map((r) => ({ ...r, explanation: json(r.explanation) }))).execute();
  }
}

export function findPair(q: Q, missionId: string, left: string, right: string) {
  return identityDb(q).selectFrom('identity_pairs').selectAll().where('mission_id', '=', missionId)
    .where('left_ref', '=', left).where('right_ref', '=', right).executeTakeFirst();
}

/**
 * The review queue: pairs the run sent to review with no final decision (none, or "unsure"), touching one
 * of `refs` (the records the reviewer may know of), most uncertain first (probability nearest 0.5).
 */
export function reviewQueue(q: Q, missionId: string, refs: string[], limit: number) {
  if (refs.length === 0) return Promise.resolve([]);
  const db = identityDb(q);
  return db.selectFrom('identity_pairs as p')
    .leftJoin(
      (eb) => eb.selectFrom('identity_decisions').select(['left_ref', 'right_ref', 'decision', 'decided_at'])
        .distinctOn(['left_ref', 'right_ref']).where('mission_id', '=', missionId)
        .orderBy('left_ref').orderBy('right_ref').orderBy('decided_at', 'desc').orderBy('decision_id', 'desc').as('d'),
      (j) => j.onRef('d.left_ref', '=', 'p.left_ref').onRef('d.right_ref', '=', 'p.right_ref'))
    .select(['p.left_ref', 'p.right_ref', 'p.probability', 'p.match_weight', 'p.review_reason', 'p.explanation', 'd.decision'])
    .where('p.mission_id', '=', missionId).where('p.needs_review', '=', true)
    .where((eb) => eb.or([eb('d.decision', 'is', null), eb('d.decision', '=', 'unsure')]))
    .where((eb) => eb.or([eb('p.left_ref', 'in', refs), eb('p.right_ref', 'in', refs)]))
    .orderBy(sql`case when d.decision = 'unsure' then 1 else 0 end`)
    .orderBy(sql`abs(p.probability - 0.5)`).orderBy('p.left_ref').orderBy('p.right_ref')
    .limit(limit).execute();
}

/**
 * Serialises the writers of a mission's cluster memberships (runs, merges, unmerges) until the transaction
 * ends: two runs finishing at once would each insert the same new memberships (a unique violation, 409) or
 * undo each other's moves. A transaction-scoped advisory lock, so nothing else waits on it.
 */
export async function lockMembershipWrites(trx: Q, missionId: string): Promise<void> {
  await sql`select pg_advisory_xact_lock(hashtextextended(${'tutela.identity.membership:' + missionId}, 0))`.execute(trx);
}
