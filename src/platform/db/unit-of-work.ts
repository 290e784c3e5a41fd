import type { Kysely, Transaction } from 'kysely';
import { auditRow, writeAudit, type AuditEntry, type AuditRow } from '../audit.ts';
import type { RequestContext } from '../context.ts';
import type { DB } from './schema.ts';

export interface UnitOfWork {
  readonly trx: Transaction<DB>;
  readonly ctx: RequestContext;
  /** Records an audit row, written in this transaction just before it commits. */
  audit(entry: AuditEntry): void;
  /**
   * Hands the pending audit rows to the caller, who inserts them inside its own statement (the intake
   * path saves a round trip this way). They still count as this unit's audit rows.
   */
  takeAudit(): AuditRow[];
}

/**
 * One transaction per operation. A `write` that records no audit row is a programming error and
 * rolls back: auditing is not something a call site may forget (aesthetics.md §6.3).
 */
export async function runUnitOfWork<T>(
  db: Kysely<DB>,
  ctx: RequestContext,
  mode: 'read' | 'write',
  work: (uow: UnitOfWork) => Promise<T>,
): Promise<T> {
  return db.transaction().execute(async (trx) => {
    let rows: AuditRow[] = [];
    let taken = 0;
    const result = await work({
      trx, ctx,
      audit: (entry) => rows.push(auditRow(ctx, entry)),
      takeAudit: () => {
        const pending = rows;
        rows = [];
        taken += pending.length;
        return pending;
      },
    });
    if (mode === 'write' && rows.length + taken === 0) throw new Error('write without an audit row: refusing to commit');
    await writeAudit(trx, rows);
    return result;
  });
}
