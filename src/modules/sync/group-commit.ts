import { sql, type Kysely, type RawBuilder } from 'kysely';
import { auditRow, type AuditEntry } from '../../platform/audit.ts';
import type { RequestContext } from '../../platform/context.ts';
import type { DB } from '../../platform/db/schema.ts';
import type { buildIncidentGraph } from '../mrm/service.ts';
import type { ReceiptRow } from './repository.ts';

/**
 * Group commit for offline intake. Reports that arrive within the same few milliseconds, from any
 * number of requests, are written by ONE statement (a statement is its own transaction: one commit,
 * one WAL flush) with one multi-row insert per table; each request is answered only when that statement
 * has returned, i.e. after the commit is durable. On a 2-core server the per-statement costs (round
 * trips, socket writes, planning, the fsync) were most of a report's price; here they are shared.
 *
 * Rows travel as one JSON array per table (`jsonb_populate_recordset`): the statement text does not
 * grow with the batch, so it stays one prepared statement, and no per-row query building is needed.
 *
 * A batch either commits whole or not at all. Any failure (an id already received, a bad reference)
 * sends its reports back to the caller, which takes the one-transaction-per-report path; that path
 * answers repeats (200), conflicts (409) and refusals one by one. Ids already received are found
 * first, so one retried report does not send a whole batch down the slow path.
 */

type IncidentGraph = Awaited<ReturnType<typeof buildIncidentGraph>>;

export interface PreparedReport {
  ctx: RequestContext;
  receipt: Omit<ReceiptRow, 'received_at'>;
  graph: IncidentGraph;
  /** The violations' `details` as given (the graph holds them as SQL expressions). */
  details: unknown[];
  /** Audit rows besides the graph's own `incident.create`. */
  audit: AuditEntry[];
}

/** The batch could not take this report: run it alone, in a transaction of its own. */
export class TakeSlowPath extends Error {
  constructor(readonly reason: unknown) {
    super('group commit declined this report');
  }
}

interface Pending { report: PreparedReport; retried: boolean; resolve: (r: ReceiptRow) => void; reject: (e: unknown) => void }

// A few hundred parameters' worth of rows per report; 100 keeps a batch's JSON near 200 kB.
const MAX_BATCH = 100;
// Two statements in flight: one commits while the next batch is being sent.
const MAX_IN_FLIGHT = 2;

const committers = new WeakMap<Kysely<DB>, GroupCommit>();
export function groupCommit(db: Kysely<DB>): GroupCommit {
  let g = committers.get(db);
  if (!g) committers.set(db, (g = new GroupCommit(db)));
  return g;
}

export class GroupCommit {
  #queue: Pending[] = [];
  #inFlight = 0;
  #scheduled = false;
  constructor(private readonly db: Kysely<DB>) {}

  /** Resolves with the stored receipt once the statement holding this report has committed. */
  submit(report: PreparedReport): Promise<ReceiptRow> {
    return new Promise((resolve, reject) => {
      this.#queue.push({ report, retried: false, resolve, reject });
      this.#schedule();
    });
  }

  // Reports pushed in the same turn of the event loop (a device's batch) go out together.
  #schedule(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    setImmediate(() => {
      this.#scheduled = false;
      this.#drain();
    });
  }

  #drain(): void {
    while (this.#inFlight < MAX_IN_FLIGHT && this.#queue.length > 0) {
      const batch = takeDistinct(this.#queue, MAX_BATCH);
      this.#inFlight++;
      void this.#flush(batch).finally(() => {
        this.#inFlight--;
        this.#drain();
      });
    }
  }

  async #flush(batch: Pending[]): Promise<void> {
    try {
      const stored = await insertReports(this.db, batch.map((p) => p.report));
      const byId = new Map(stored.map((r) => [`${r.mission_id}/${r.report_id}`, r]));
      for (const p of batch) {
        const row = byId.get(`${p.report.receipt.mission_id}/${p.report.receipt.report_id}`);
        if (row) p.resolve(row);
        else p.reject(new TakeSlowPath(new Error('receipt missing from the batch result')));
      }
    } catch (err) {
      await this.#afterFailure(batch, err);
    }
  }

  /** Ids received before go the slow path (it answers 200 or 409); the rest try one more batch. */
  async #afterFailure(batch: Pending[], err: unknown): Promise<void> {
    if (batch.length === 1 || batch.some((p) => p.retried)) {
      for (const p of batch) p.reject(new TakeSlowPath(err));
      return;
    }
    let known: Set<string>;
    try {
      known = await receivedBefore(this.db, batch.map((p) => p.report.receipt));
    } catch {
      known = new Set(batch.map((p) => `${p.report.receipt.mission_id}/${p.report.receipt.report_id}`));
    }
    const again: Pending[] = [];
    for (const p of batch) {
      if (known.has(`${p.report.receipt.mission_id}/${p.report.receipt.report_id}`) || known.size === 0) p.reject(new TakeSlowPath(err));
      else again.push({ ...p, retried: true });
    }
    this.#queue.unshift(...again);
    this.#schedule();
  }
}

/** Up to `max` reports with distinct ids, in arrival order; a repeated id waits for the next batch. */
function takeDistinct(queue: Pending[], max: number): Pending[] {
  const seen = new Set<string>();
  const batch: Pending[] = [];
  for (let i = 0; i < queue.length && batch.length < max;) {
    const key = `${queue[i]!.report.receipt.mission_id}/${queue[i]!.report.receipt.report_id}`;
    if (seen.has(key)) { i++; continue; }
    seen.add(key);
    batch.push(queue.splice(i, 1)[0]!);
  }
  return batch;
}

async function receivedBefore(db: Kysely<DB>, receipts: PreparedReport['receipt'][]): Promise<Set<string>> {
  const { rows } = await sql<{ mission_id: string; report_id: string }>`select r.mission_id, r.report_id
    from report_receipts r join jsonb_to_recordset(cast(${JSON.stringify(receipts.map((x) => ({ m: x.mission_id, id: x.report_id })))} as jsonb)) as q(m text, id uuid)
    on r.mission_id = q.m and r.report_id = q.id`.execute(db);
  return new Set(rows.map((r) => `${r.mission_id}/${r.report_id}`));
}

/** JSON the way `jsonb_populate_recordset` reads it back into each column type (bytea as `\x` hex). */
function toJsonValue(v: unknown): unknown {
  if (Buffer.isBuffer(v) || v instanceof Uint8Array) return `\\x${Buffer.from(v).toString('hex')}`;
  if (v instanceof Date) return v.toISOString();
  return v;
}

/**
 * The rows as one JSON array, written straight into a string: a key missing from a row is NULL to
 * `jsonb_populate_recordset`, so no row is copied to give it every column (copying them was a twentieth
 * of the server's CPU per report).
 */
function rowsJson(rows: Record<string, unknown>[]): string {
  let out = '[';
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i]!;
    let item = '';
    for (const key in row) {
      const v = row[key];
      if (v === undefined) continue;
      item += `${item ? ',' : ''}${JSON.stringify(key)}:${JSON.stringify(toJsonValue(v))}`;
    }
    out += `${i ? ',' : ''}{${item}}`;
  }
  return `${out}]`;
}

/** One table's rows as `insert into t (cols) select cols from jsonb_populate_recordset(...)`, or nothing. */
function insertPart(name: string, table: string, rows: Record<string, unknown>[], returning = sql``): RawBuilder<unknown> | null {
  if (rows.length === 0) return null;
  const seen = new Set<string>();
  for (const r of rows) for (const k in r) seen.add(k);
  // Sorted: the same columns give the same statement text, which the driver prepares once.
  const columns = [...seen].sort();
  const json = rowsJson(rows);
  const cols = sql.join(columns.map((c) => sql.id(c)));
  return sql`${sql.id(name)} as (insert into ${sql.id(table)} (${cols}) select ${cols} from jsonb_populate_recordset(null::${sql.id(table)}, cast(${json} as jsonb)) ${returning})`;
}

/**
 * Every row of every report in one statement: receipts (a plain insert: an id received before aborts
 * the statement, see `#afterFailure`), incidents, violations and their children, record keys and the
 * audit rows. Foreign keys are checked at the end of the statement, so children may reference parents
 * inserted beside them.
 */
async function insertReports(db: Kysely<DB>, reports: PreparedReport[]): Promise<ReceiptRow[]> {
  const graphs = reports.flatMap((r) => r.graph.graphs.map((g, i) => ({ g, details: r.details[i] })));
  const audit = reports.flatMap((r) => [r.graph.audit, ...r.audit].map((e) => {
    const a = auditRow(r.ctx, e);
    return { mission_id: a.missionId, actor_id: a.actorId, actor_role: a.actorRole, action: a.action, target_type: a.targetType ?? null,
      target_id: a.targetId ?? null, client_address: a.clientAddress, request_id: a.requestId, details: a.details ?? {} };
  }));
  const parts = [
    insertPart('i', 'incidents', reports.map((r) => r.graph.incident as Record<string, unknown>)),
    insertPart('v', 'violations', graphs.map(({ g, details }) => ({ ...g.violation, details }) as Record<string, unknown>)),
    insertPart('t', 'violation_tallies', graphs.flatMap(({ g }) => g.tallies as Record<string, unknown>[])),
    insertPart('p', 'violation_perpetrators', graphs.flatMap(({ g }) => g.perpetrators as Record<string, unknown>[])),
    insertPart('vi', 'violation_victims', graphs.flatMap(({ g }) => g.victims as Record<string, unknown>[])),
    insertPart('s', 'violation_sources', graphs.flatMap(({ g }) => g.sources as Record<string, unknown>[])),
    insertPart('k', 'record_keys', reports.flatMap((r) => r.graph.keyRows as unknown as Record<string, unknown>[])),
    insertPart('a', 'audit_events', audit),
  ].filter((p): p is RawBuilder<unknown> => p !== null);
  const receipts = insertPart('r', 'report_receipts', reports.map((r) => r.receipt as unknown as Record<string, unknown>), sql`returning *`)!;
  const { rows } = await sql<ReceiptRow>`with ${sql.join([receipts, ...parts])} select * from r`.execute(db);
  return rows;
}
