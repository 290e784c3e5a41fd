import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import { canonicalJson } from '../../platform/audit.ts';
import type { RequestContext } from '../../platform/context.ts';
import { fieldCrypto } from '../../platform/crypto/field-crypto.ts';
import type { DB } from '../../platform/db/schema.ts';
import { runUnitOfWork } from '../../platform/db/unit-of-work.ts';
import { AppError, ensure } from '../../platform/errors.ts';
import { visibleIncidents } from '../mrm/policy.ts';
import { presentIncident } from '../mrm/presenter.ts';
import * as mrmRepo from '../mrm/repository.ts';
import { incidentCreateBody, type IncidentCreateInput } from '../mrm/schema.ts';
import { openIncidentFields, prepareSealing } from '../mrm/sealed-fields.ts';
import { buildIncidentGraph, createIncident } from '../mrm/service.ts';
import { groupCommit, TakeSlowPath, type PreparedReport } from './group-commit.ts';
import { mayPull, mayPushReports, scopeFingerprint } from './policy.ts';
import { presentReceipt } from './presenter.ts';
import * as repo from './repository.ts';
import type { BatchResult, ChangesQuery, ChangesResponse, Receipt, ReportBody, ReportItem } from './schema.ts';

/** "The same content": the digest of the canonical JSON (sorted keys) of what the device sent. */
export const reportDigest = (item: Pick<ReportItem, 'type' | 'payload'>): string =>
  createHash('sha256').update(canonicalJson({ type: item.type, payload: item.payload })).digest('hex');

/** Thrown inside the claim transaction when another request holds the id: roll back, answer from its receipt. */
class AlreadyClaimed extends Error {}

export interface Outcome { status: 200 | 201; receipt: Receipt }

/**
 * One report: stored (201), already stored with this content (200, same receipt), or an AppError.
 * A new report goes through the group commit (group-commit.ts), in one statement with the reports
 * that arrive beside it; anything the batch cannot take (a repeat, a refusal, a failed statement)
 * is answered by `receiveAlone`, one transaction for this report.
 */
export async function receiveReport(db: Kysely<DB>, ctx: RequestContext, item: ReportItem, together?: Barrier): Promise<Outcome> {
  let step: Awaited<ReturnType<typeof prepareReport>>;
  try {
    step = await prepareReport(db, ctx, item);
  } finally {
    // A batch's reports enter the group commit side by side, once all are prepared: then its request
    // is answered after one or two statements, not after every report that arrived in the meantime.
    await together?.arrive();
  }
  const { parsed, sha256, prepared } = step;
  if (!prepared) return receiveAlone(db, ctx, item, parsed, sha256);
  try {
    return { status: 201, receipt: presentReceipt(await groupCommit(db).submit(prepared)) };
  } catch (err) {
    if (!(err instanceof TakeSlowPath)) throw err;
    return receiveAlone(db, ctx, item, parsed, sha256);
  }
}

/** Resolves for everyone once `n` have arrived. */
interface Barrier { arrive(): Promise<void> }
function barrier(n: number): Barrier {
  let left = n;
  let open!: () => void;
  const all = new Promise<void>((resolve) => (open = resolve));
  return { arrive: () => { if (--left === 0) open(); return all; } };
}

/** Checked, digested and built into rows; `prepared` is absent when only the slow path can answer. */
async function prepareReport(db: Kysely<DB>, ctx: RequestContext, item: ReportItem) {
  const { missionId, userId } = ctx.actor;
  const parsed = checkReport(ctx, item);
  const sha256 = reportDigest(item);
  // Keys load before any transaction opens (on PGlite a second query from inside would wait forever).
  await prepareSealing(db, missionId);
  try {
    // A repeat is answered from its receipt even if its content would no longer pass (scope changed,
    // dates now checked against a later day): the slow path looks for the receipt first.
    const graph = await buildIncidentGraph(db, { trx: db, ctx }, parsed);
    graph.audit.details = { ...graph.audit.details, ...receivedAs(item, sha256) };
    const prepared: PreparedReport = {
      ctx, graph, details: parsed.violations.map((v) => v.details),
      receipt: { mission_id: missionId, report_id: item.id, report_type: item.type, sha256, device_created_at: item.created_at, received_by: userId },
      audit: [],
    };
    return { parsed, sha256, prepared };
  } catch (err) {
    if (!(err instanceof AppError)) throw err;
    return { parsed, sha256, prepared: undefined };
  }
}

/**
 * What the record's `incident.create` audit row says of the report it came in: one row per report, not
 * a second `report.receive` row beside it (every audit row is also sealed into the chain later, and at
 * field intake rates the second row was about a tenth of PostgreSQL's work per report).
 */
const receivedAs = (item: ReportItem, sha256: string) => ({ report: { type: item.type, sha256, device_created_at: item.created_at } });

function checkReport(ctx: RequestContext, item: ReportItem): IncidentCreateInput {
  ensure(mayPushReports(ctx.actor), 'permission.denied', { rule: `your role (${ctx.actor.role}) does not record incidents` });
  if (item.payload.id !== undefined && item.payload.id !== item.id) throw new AppError('request.invalid', { field: 'payload.id', rule: 'must be absent or equal to id' });
  const parsed = incidentCreateBody.safeParse({ ...item.payload, id: item.id });
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new AppError('request.invalid', { field: ['payload', ...issue.path.map(String)].join('.'), rule: issue.message });
  }
  return parsed.data;
}

/** One report in a transaction of its own: the receipt is claimed, then the record written beside it. */
async function receiveAlone(db: Kysely<DB>, ctx: RequestContext, item: ReportItem, input: IncidentCreateInput, sha256: string): Promise<Outcome> {
  const { missionId, userId } = ctx.actor;
  const existing = await repo.findReceipt(db, missionId, item.id);
  if (existing) return answerRepeat(db, ctx, item, sha256, existing);
  try {
    const row = await runUnitOfWork(db, ctx, 'write', async (uow) => {
      const claimed = await repo.claimReceipt(uow.trx, {
        mission_id: missionId, report_id: item.id, report_type: item.type, sha256, device_created_at: item.created_at, received_by: userId,
      });
      if (!claimed) throw new AlreadyClaimed();
      // The record goes through every MRM rule and permission check, in this transaction: the receipt
      // and the record commit together or not at all.
      await createIncident(db, ctx, input, uow, receivedAs(item, sha256));
      return claimed;
    });
    return { status: 201, receipt: presentReceipt(row) };
  } catch (err) {
    if (!(err instanceof AlreadyClaimed)) throw err;
    const winner = await repo.findReceipt(db, missionId, item.id);
    ensure(winner, 'record.conflict', { field: 'id', rule: 'retry: another push of this report was in progress' });
    return answerRepeat(db, ctx, item, sha256, winner);
  }
}

async function answerRepeat(db: Kysely<DB>, ctx: RequestContext, item: ReportItem, sha256: string, existing: repo.ReceiptRow): Promise<Outcome> {
  const { missionId, userId } = ctx.actor;
  // Another user's id: say nothing about that report (ids are random; a clash is an error or a probe).
  ensure(existing.received_by === userId, 'record.conflict', { field: 'id', rule: 'choose another id' });
  if (existing.sha256 === sha256) return { status: 200, receipt: presentReceipt(existing) };
  await prepareSealing(db, missionId);
  const sealed = fieldCrypto(db).seal(missionId, 'mrm', canonicalJson(item.payload), `report_conflicts/${item.id}/${sha256}`);
  await runUnitOfWork(db, ctx, 'write', async (uow) => {
    const added = await repo.keepConflict(uow.trx, {
      mission_id: missionId, report_id: item.id, sha256, payload_sealed: sealed, device_created_at: item.created_at, received_by: userId,
    });
    uow.audit({ action: 'report.conflict', targetType: 'incident', targetId: item.id, details: { stored: existing.sha256, received: sha256, new_version_kept: added } });
  });
  throw new AppError('report.conflict', {
    field: 'id', rule: 'this id was received before with other content; both versions are kept for review', receipt: presentReceipt(existing), sha256,
  });
}

/** A batch answers per item, in order; one report's refusal never blocks the others. */
export async function receiveReports(db: Kysely<DB>, ctx: RequestContext, body: ReportBody): Promise<{ status: 200 | 201; body: Receipt | BatchResult }> {
  if (!('reports' in body)) {
    const one = await receiveReport(db, ctx, body);
    return { status: one.status, body: one.receipt };
  }
  // All at once: the batch's new reports share one group commit.
  const together = barrier(body.reports.length);
  const results: BatchResult['results'] = await Promise.all(body.reports.map(async (item) => {
    try {
      const one = await receiveReport(db, ctx, item, together);
      return { id: item.id, status: one.status, receipt: one.receipt };
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      return { id: item.id, status: err.status, error: { code: err.code, message: err.message, details: err.details } };
    }
  }));
  return { status: 200, body: { results } };
}

interface CursorState { at: string | null; id: string | null; fp: string; since: number }
// Records moved out of this user's sight by someone else's edit leave the device at the next full
// resync; this bounds how long that takes.
const RESYNC_MS = 24 * 3600_000;
const fpHash = (actor: RequestContext['actor']) => createHash('sha256').update(scopeFingerprint(actor)).digest('base64url').slice(0, 22);
const encodeCursor = (c: CursorState) => Buffer.from(JSON.stringify(c)).toString('base64url');
function decodeCursor(cursor: string | undefined): CursorState | null {
  if (!cursor) return null;
  try {
    const c = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as Partial<CursorState>;
    const stampOk = (c.at === null && c.id === null) || (typeof c.at === 'string' && /^\d{4}-\d{2}-\d{2}T[\d:.]+Z$/.test(c.at) && typeof c.id === 'string' && /^[0-9a-f-]{36}$/.test(c.id));
    if (stampOk && typeof c.fp === 'string' && typeof c.since === 'number') return c as CursorState;
  } catch { /* fall through */ }
  throw new AppError('request.invalid', { field: 'cursor', rule: 'not a cursor returned by /sync/changes' });
}

/**
 * What changed since the cursor among the records this user may see (the MRM rule, in SQL). The first
 * page after a change of scope or role, or a day after the last full sync, is a reset: the device
 * keeps only what this sequence sends, which is how a user moved out of an area loses its records.
 */
export function changes(db: Kysely<DB>, ctx: RequestContext, q: ChangesQuery): Promise<ChangesResponse> {
  ensure(mayPull(ctx.actor), 'permission.denied', { rule: `your role (${ctx.actor.role}) does not hold incident records` });
  return runUnitOfWork(db, ctx, 'read', async (uow) => {
    const { missionId } = ctx.actor;
    const fp = fpHash(ctx.actor);
    const given = decodeCursor(q.cursor);
    const reset = !given || given.fp !== fp || Date.now() - given.since > RESYNC_MS;
    const after = !reset && given.at && given.id ? { at: given.at, id: given.id } : null;
    const rows = await repo.changedIncidents(uow.trx, visibleIncidents(ctx.actor), missionId, after, q.limit);
    const page = rows.slice(0, q.limit);
    const violations = await mrmRepo.violationsOf(uow.trx, missionId, page.map((r) => r.incident_id));
    const children = await mrmRepo.childrenOf(uow.trx, missionId, violations.map((v) => v.violation_id));
    const changesOut = await Promise.all(page.map(async ({ stamp: _stamp, changed_at, ...row }) => ({
      id: row.incident_id, version: row.version, changed_at,
      record: presentIncident(await openIncidentFields(db, row, false, uow.trx), violations.filter((v) => v.incident_id === row.incident_id), children, ctx.actor, false),
    })));
    const last = page.at(-1);
    const next: CursorState = {
      at: last?.changed_at ?? after?.at ?? null, id: last?.incident_id ?? after?.id ?? null, fp, since: reset ? Date.now() : given.since,
    };
    return { reset, changes: changesOut, has_more: rows.length > q.limit, next_cursor: encodeCursor(next) };
  });
}
