import type { Kysely, Transaction } from 'kysely';
import { auditRow, writeAudit, type AuditEntry, type AuditRow } from '../audit.ts';
import type { RequestContext } from '../context.ts';
import type { DB } from './schema.ts';

export interface UnitOfWork {
  /** Where this unit's statements go: an open transaction, or (single-statement units) the store itself. */
  readonly trx: Kysely<DB>;
  readonly ctx: RequestContext;
  /** Records an audit row, written in this transaction just before it commits. */
  audit(entry: AuditEntry): void;
  /**
   * Hands the pending audit rows to the caller, who inserts them inside its own statement (the intake
   * path saves a round trip this way). They still count as this unit's audit rows.
   */
  takeAudit(): AuditRow[];
}

function auditCollector(ctx: RequestContext) {
  let rows: AuditRow[] = [];
  let taken = 0;
  return {
    audit: (entry: AuditEntry) => void rows.push(auditRow(ctx, entry)),
    takeAudit: () => {
      const pending = rows;
      rows = [];
      taken += pending.length;
      return pending;
    },
    pending: () => rows,
    recorded: () => rows.length + taken,
  };
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
  return db.transaction().execute(async (trx: Transaction<DB>) => {
    const audit = auditCollector(ctx);
    const result = await work({ trx, ctx, audit: audit.audit, takeAudit: audit.takeAudit });
    if (mode === 'write' && audit.recorded() === 0) throw new Error('write without an audit row: refusing to commit');
    await writeAudit(trx, audit.pending());
    return result;
  });
}

/**
 * A write made of exactly one statement, which PostgreSQL runs as its own transaction: no BEGIN and
 * COMMIT round trips (intake's hot path). Reads before it see committed data only, so they must be of
 * facts that cannot change underneath (reference data). The statement must carry the audit rows
 * (`takeAudit`); rows left behind would have no transaction to go in, so they are an error.
 */
export async function runSingleStatementWrite<T>(db: Kysely<DB>, ctx: RequestContext, work: (uow: UnitOfWork) => Promise<T>): Promise<T> {
  const audit = auditCollector(ctx);
  const result = await work({ trx: db, ctx, audit: audit.audit, takeAudit: audit.takeAudit });
  // Too late to undo here: these guard the code's shape and fail every test that breaks it.
  if (audit.pending().length > 0) throw new Error('single-statement write left audit rows unwritten');
  if (audit.recorded() === 0) throw new Error('write without an audit row');
  return result;
}
