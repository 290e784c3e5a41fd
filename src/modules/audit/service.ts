import type { Kysely } from 'kysely';
import { auditRow, writeAudit } from '../../platform/audit.ts';
import type { RequestContext } from '../../platform/context.ts';
import type { DB } from '../../platform/db/schema.ts';
import { runUnitOfWork } from '../../platform/db/unit-of-work.ts';
import { AppError } from '../../platform/errors.ts';
import { canReadAuditTrail } from './policy.ts';
import { presentAuditEvent } from './presenter.ts';
import * as repo from './repository.ts';
import type { AuditQuery } from './schema.ts';

const encodeCursor = (auditId: number) => Buffer.from(JSON.stringify([auditId])).toString('base64url');
function decodeCursor(cursor: string | undefined): number | null {
  if (!cursor) return null;
  try {
    const [id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as [unknown];
    if (typeof id === 'number' && Number.isSafeInteger(id) && id > 0) return id;
  } catch { /* fall through */ }
  throw new AppError('request.invalid', { field: 'cursor', rule: 'not a cursor returned by this list' });
}

/** The caller's mission's trail, newest first. Reading it is itself recorded, with the filters used. */
export async function listAuditEvents(db: Kysely<DB>, ctx: RequestContext, q: AuditQuery) {
  if (!canReadAuditTrail(ctx.actor)) {
    // An insider trying the trail is exactly what an auditor wants to see later: record the refusal in
    // its own transaction, since the refusal itself rolls nothing forward.
    await db.transaction().execute((trx) => writeAudit(trx, [auditRow(ctx, { action: 'audit.read_denied', targetType: 'audit_trail' })]));
    throw new AppError('permission.denied', { rule: 'only an auditor may read the audit trail' });
  }
  const before = decodeCursor(q.cursor);
  return runUnitOfWork(db, ctx, 'write', async (uow) => {
    const rows = await repo.listAuditEvents(uow.trx, ctx.actor.missionId, q, before);
    const page = rows.slice(0, q.limit);
    const { cursor: _cursor, limit: _limit, ...filters } = q;
    uow.audit({ action: 'audit.read', targetType: 'audit_trail', details: { filters, returned: page.length, ...(before !== null && { before }) } });
    const last = page.at(-1);
    return {
      items: page.map(presentAuditEvent),
      next_cursor: rows.length > q.limit && last ? encodeCursor(Number(last.audit_id)) : null,
    };
  });
}
