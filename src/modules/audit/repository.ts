import { sql, type Kysely } from 'kysely';
import type { DB } from '../../platform/db/schema.ts';
import type { AuditQuery } from './schema.ts';

export interface AuditEventRow {
  audit_id: number | string;
  occurred_at: Date;
  actor_id: string | null;
  actor_role: string | null;
  action: string;
  target_type: string | null;
  target_id: string | null;
  client_address: string | null;
  request_id: string | null;
  details: Record<string, unknown>;
  seal_seq: number | string | null;
  hash: string | null;
}

/** One page (plus one row, to know whether another page follows) of a mission's trail, newest first. */
export function listAuditEvents(db: Kysely<DB>, missionId: string, q: AuditQuery, beforeId: number | null): Promise<AuditEventRow[]> {
  let query = db.selectFrom('audit_events')
    .select(['audit_id', 'occurred_at', 'actor_id', 'actor_role', 'action', 'target_type', 'target_id', 'client_address', 'request_id', 'details'])
    // The seal columns are this module's concern and not in the shared table types.
    .select([sql<number | string | null>`seal_seq`.as('seal_seq'), sql<string | null>`encode(hash, 'hex')`.as('hash')])
    .where('mission_id', '=', missionId);
  if (q.action?.endsWith('.*')) query = query.where(sql<boolean>`starts_with(action, ${q.action.slice(0, -1)})`);
  else if (q.action) query = query.where('action', '=', q.action);
  if (q.actor_id) query = query.where('actor_id', '=', q.actor_id);
  if (q.target_type) query = query.where('target_type', '=', q.target_type);
  if (q.target_id) query = query.where('target_id', '=', q.target_id);
  if (q.from) query = query.where('occurred_at', '>=', new Date(q.from));
  if (q.to) query = query.where('occurred_at', '<', new Date(q.to));
  if (beforeId !== null) query = query.where('audit_id', '<', String(beforeId));
  return query.orderBy('audit_id', 'desc').limit(q.limit + 1).execute() as Promise<AuditEventRow[]>;
}
