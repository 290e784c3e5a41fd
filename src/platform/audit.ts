import { sql, type Transaction } from 'kysely';
import type { DB } from './db/schema.ts';
import type { RequestContext } from './context.ts';

export interface AuditEntry {
  /** `namespace.verb`, e.g. `incident.create`, `incident.read_confidential`, `auth.login`. */
  action: string;
  targetType?: string;
  targetId?: string;
  details?: Record<string, unknown>;
}

export interface AuditRow extends AuditEntry {
  missionId: string;
  actorId: string | null;
  actorRole: string | null;
  clientAddress: string | null;
  requestId: string | null;
}

export function auditRow(ctx: Pick<RequestContext, 'clientAddress' | 'requestId'> & { actor: RequestContext['actor'] | null }, entry: AuditEntry, missionId?: string): AuditRow {
  return {
    ...entry,
    missionId: missionId ?? ctx.actor?.missionId ?? '*',
    actorId: ctx.actor?.userId ?? null,
    actorRole: ctx.actor?.role ?? null,
    clientAddress: ctx.clientAddress,
    requestId: ctx.requestId,
  };
}

/** Audit rows as insertable values: for `writeAudit`, or for a caller that writes them inside its own statement. */
export function auditValues(rows: AuditRow[]) {
  return rows.map((r) => ({
    mission_id: r.missionId,
    actor_id: r.actorId,
    actor_role: r.actorRole,
    action: r.action,
    target_type: r.targetType ?? null,
    target_id: r.targetId ?? null,
    client_address: r.clientAddress,
    request_id: r.requestId,
    details: sql<string>`cast(${JSON.stringify(r.details ?? {})} as jsonb)`,
  }));
}

/** Writes audit rows in the caller's transaction: the change and its record commit or vanish together. */
export async function writeAudit(trx: Transaction<DB>, rows: AuditRow[]): Promise<void> {
  if (rows.length === 0) return;
  await trx.insertInto('audit_events').values(auditValues(rows)).execute();
}
