import type { AuditEventRow } from './repository.ts';
import type { AuditEventView } from './schema.ts';

/** What leaves the server: every recorded column of the row, and its place in the chain once sealed. */
export function presentAuditEvent(row: AuditEventRow): AuditEventView {
  return {
    id: Number(row.audit_id),
    occurred_at: new Date(row.occurred_at).toISOString(),
    actor_id: row.actor_id,
    actor_role: row.actor_role,
    action: row.action,
    target_type: row.target_type,
    target_id: row.target_id,
    client_address: row.client_address,
    request_id: row.request_id,
    details: row.details,
    seal: row.seal_seq === null || row.hash === null ? null : { seq: Number(row.seal_seq), hash: row.hash },
  };
}
