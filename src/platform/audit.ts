import { createHash } from 'node:crypto';
import { sql, type Kysely, type Transaction } from 'kysely';
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
export async function writeAudit(trx: Transaction<DB> | Kysely<DB>, rows: AuditRow[]): Promise<void> {
  if (rows.length === 0) return;
  await trx.insertInto('audit_events').values(auditValues(rows)).execute();
}

/* ---------- the hash chain: sealing and verification ---------- */

/**
 * Why a chain and not row hashes alone: a row's hash covers its predecessor's, so a row cannot be
 * changed, removed or moved without breaking every link after it. Rows are inserted unsealed (the
 * intake statement must not queue behind a per-mission lock); `sealAuditTrail` then links them, per
 * mission, under a row lock on that mission's chain head. Hashes are computed here, in one canonical
 * form, so PGlite and PostgreSQL (and a backup restored from one onto the other) agree byte for byte.
 */
const CHAIN_FORMAT = 'tutela.audit.v1';
const GENESIS = '0'.repeat(64);
const SEAL_BATCH = 500;
const VERIFY_BATCH = 2000;

/** The content columns as the chain sees them: timestamps to the microsecond in UTC, jsonb as text. */
const CONTENT = sql`mission_id, audit_id, to_char(occurred_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as occurred_at,
  actor_id::text as actor_id, actor_role, action, target_type, target_id, client_address, request_id, details::text as details`;
const SEAL = sql`seal_seq, encode(prev_hash, 'hex') as prev_hash, encode(content_hash, 'hex') as content_hash, encode(hash, 'hex') as hash`;

export interface AuditContent {
  mission_id: string;
  audit_id: number | string;
  occurred_at: string;
  actor_id: string | null;
  actor_role: string | null;
  action: string;
  target_type: string | null;
  target_id: string | null;
  client_address: string | null;
  request_id: string | null;
  /** jsonb as text; re-serialised with sorted keys so the database's key order does not matter. */
  details: string;
}
interface SealedRow extends AuditContent { seal_seq: number | string; prev_hash: string; content_hash: string; hash: string }

/**
 * JSON with object keys sorted at every depth: one text per value, whichever store produced it. Every
 * offline report is digested through it, so it appends to one string rather than building arrays to
 * join (a quarter faster on an intake payload; the text is the same).
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) {
      if (i > 0) out += ',';
      const item = canonicalJson(value[i]);
      if (item !== undefined) out += item; // as Array.join writes undefined: nothing
    }
    return `${out}]`;
  }
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj).sort();
  let out = '{';
  for (let i = 0; i < keys.length; i++) {
    if (i > 0) out += ',';
    out += `${JSON.stringify(keys[i])}:${canonicalJson(obj[keys[i]!])}`;
  }
  return `${out}}`;
}

export function contentHash(r: AuditContent): string {
  const text = canonicalJson([CHAIN_FORMAT, r.mission_id, String(r.audit_id), r.occurred_at, r.actor_id, r.actor_role, r.action,
    r.target_type, r.target_id, r.client_address, r.request_id, JSON.parse(r.details)]);
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

export function linkHash(prevHash: string, content: string): string {
  return createHash('sha256').update(Buffer.from(prevHash, 'hex')).update(Buffer.from(content, 'hex')).digest('hex');
}

interface Head { last_seq: number; last_hash: string }

async function lockHead(trx: Kysely<DB>, missionId: string): Promise<Head | undefined> {
  const { rows } = await sql<{ last_seq: number | string; last_hash: string }>`select last_seq, encode(last_hash, 'hex') as last_hash
    from audit_chain_heads where mission_id = ${missionId} for update`.execute(trx);
  return rows[0] && { last_seq: Number(rows[0].last_seq), last_hash: rows[0].last_hash };
}

/** Seals up to `limit` rows of one mission in one short transaction; returns how many. */
async function sealBatch(db: Kysely<DB>, missionId: string, limit: number): Promise<number> {
  return db.transaction().execute(async (trx) => {
    let head = await lockHead(trx, missionId);
    if (!head) {
      // A mission's first seal. Sealed rows without a head mean the head was removed: starting a new
      // chain would hide that, so refuse and let verification report it.
      await sql`insert into audit_chain_heads (mission_id) select ${missionId}
        where not exists (select 1 from audit_events where mission_id = ${missionId} and seal_seq is not null)
        on conflict (mission_id) do nothing`.execute(trx);
      head = await lockHead(trx, missionId);
      if (!head) throw new Error(`the audit chain head of mission ${missionId} is missing while sealed rows exist`);
    }
    const { rows } = await sql<AuditContent>`select ${CONTENT} from audit_events
      where mission_id = ${missionId} and seal_seq is null order by audit_id limit ${limit}`.execute(trx);
    if (rows.length === 0) return 0;
    let { last_seq: seq, last_hash: prev } = head;
    const seals = rows.map((r) => {
      const content = contentHash(r);
      const hash = linkHash(prev, content);
      const seal = { audit_id: Number(r.audit_id), seal_seq: ++seq, prev_hash: prev, content_hash: content, hash };
      prev = hash;
      return seal;
    });
    const updated = await sql`update audit_events a set seal_seq = v.seal_seq, prev_hash = decode(v.prev_hash, 'hex'),
        content_hash = decode(v.content_hash, 'hex'), hash = decode(v.hash, 'hex')
      from jsonb_to_recordset(cast(${JSON.stringify(seals)} as jsonb))
        as v(audit_id bigint, seal_seq bigint, prev_hash text, content_hash text, hash text)
      where a.mission_id = ${missionId} and a.audit_id = v.audit_id and a.seal_seq is null`.execute(trx);
    if (Number(updated.numAffectedRows) !== seals.length) throw new Error(`sealing mission ${missionId}: ${updated.numAffectedRows} of ${seals.length} rows updated`);
    await sql`update audit_chain_heads set last_seq = ${seq}, last_hash = decode(${prev}, 'hex'), sealed_at = now()
      where mission_id = ${missionId}`.execute(trx);
    return seals.length;
  });
}

export interface SealResult {
  sealed: number;
  errors: { missionId: string; message: string }[];
}

/**
 * Links every committed unsealed row into its mission's chain. Safe to run from several processes at
 * once (the head row lock orders them); each batch is its own short transaction, so on PGlite other
 * work interleaves between batches.
 */
export async function sealAuditTrail(db: Kysely<DB>, options: { missionId?: string; batchSize?: number } = {}): Promise<SealResult> {
  const missions = options.missionId ? [options.missionId]
    : (await sql<{ mission_id: string }>`select distinct mission_id from audit_events where seal_seq is null`.execute(db)).rows.map((r) => r.mission_id);
  const result: SealResult = { sealed: 0, errors: [] };
  for (const missionId of missions) {
    try {
      for (;;) {
        const n = await sealBatch(db, missionId, options.batchSize ?? SEAL_BATCH);
        result.sealed += n;
        if (n < (options.batchSize ?? SEAL_BATCH)) break;
      }
    } catch (err) {
      result.errors.push({ missionId, message: err instanceof Error ? err.message : String(err) });
    }
  }
  return result;
}

/** Runs the sealer every `intervalMs` in the background; `stop()` waits for a run in progress. */
export function startAuditSealer(db: Kysely<DB>, options: { intervalMs?: number; onError?: (message: string) => void } = {}): { stop(): Promise<void> } {
  const onError = options.onError ?? ((m: string) => console.error(`audit sealer: ${m}`));
  const reported = new Set<string>(); // a broken chain fails every run: say so once, not every interval
  let running: Promise<void> | null = null;
  let stopped = false;
  const report = (message: string) => {
    if (reported.has(message)) return;
    reported.add(message);
    onError(message);
  };
  const timer = setInterval(() => {
    if (running || stopped) return;
    running = sealAuditTrail(db)
      .then((r) => r.errors.forEach((e) => report(e.message)), (err: unknown) => report(err instanceof Error ? err.message : String(err)))
      .finally(() => { running = null; });
  }, options.intervalMs ?? 2000);
  timer.unref();
  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}

export type ChainProblemKind = 'content_modified' | 'row_missing' | 'out_of_order' | 'hash_mismatch';

export interface ChainProblem {
  missionId: string;
  /** The position the problem was found at (for a missing row, the position that is missing). */
  sealSeq: number;
  /** The row found there, or null when no row is there. */
  auditId: number | null;
  kind: ChainProblemKind;
  detail: string;
}

export interface MissionChainReport {
  missionId: string;
  rowsChecked: number;
  headSeq: number;
  /** Record it somewhere else: a chain rewritten from the start matches only if this hash is kept apart. */
  headHash: string;
  problem: ChainProblem | null;
}

/** Walks one mission's chain in seal order up to the head read at the start; stops at the first bad row. */
async function verifyMission(db: Kysely<DB>, missionId: string): Promise<MissionChainReport> {
  const headRow = (await sql<{ last_seq: number | string; last_hash: string }>`select last_seq, encode(last_hash, 'hex') as last_hash
    from audit_chain_heads where mission_id = ${missionId}`.execute(db)).rows[0];
  const head = { seq: Number(headRow?.last_seq ?? 0), hash: headRow?.last_hash ?? GENESIS };
  const report: MissionChainReport = { missionId, rowsChecked: 0, headSeq: head.seq, headHash: head.hash, problem: null };
  const fail = (sealSeq: number, auditId: number | null, kind: ChainProblemKind, detail: string) => {
    report.problem = { missionId, sealSeq, auditId, kind, detail };
    return report;
  };
  let expected = 1;
  let prev = GENESIS;
  for (;;) {
    const { rows } = await sql<SealedRow>`select ${CONTENT}, ${SEAL} from audit_events
      where mission_id = ${missionId} and seal_seq is not null and seal_seq >= ${expected} and seal_seq <= ${head.seq}
      order by seal_seq limit ${VERIFY_BATCH}`.execute(db);
    for (const row of rows) {
      const seq = Number(row.seal_seq);
      const auditId = Number(row.audit_id);
      if (seq !== expected) {
        return fail(expected, null, 'row_missing', seq === expected + 1 ? `the row sealed at ${expected} is gone (the chain goes on at seal_seq ${seq}, audit_id ${auditId})`
          : `the rows sealed at ${expected}–${seq - 1} are gone (the chain goes on at seal_seq ${seq}, audit_id ${auditId})`);
      }
      if (row.prev_hash !== prev) return fail(seq, auditId, 'out_of_order', `its link names a predecessor other than seal_seq ${seq - 1}: rows were reordered or its seal was changed`);
      if (contentHash(row) !== row.content_hash) return fail(seq, auditId, 'content_modified', 'its columns no longer match what was sealed (changed, or swapped with another row)');
      if (linkHash(prev, row.content_hash) !== row.hash) return fail(seq, auditId, 'hash_mismatch', 'its stored hash is not the hash of its link and content');
      prev = row.hash;
      expected++;
      report.rowsChecked++;
    }
    if (rows.length < VERIFY_BATCH) break;
  }
  if (!headRow) {
    const stray = (await sql<{ seal_seq: number | string; audit_id: number | string }>`select seal_seq, audit_id from audit_events
      where mission_id = ${missionId} and seal_seq is not null order by seal_seq limit 1`.execute(db)).rows[0];
    if (stray) return fail(Number(stray.seal_seq), Number(stray.audit_id), 'row_missing', 'the chain head of this mission is gone while sealed rows exist');
    return report;
  }
  if (expected - 1 < head.seq) {
    return fail(expected, null, 'row_missing', expected === head.seq ? `the last sealed row (seal_seq ${expected}) is gone`
      : `the last sealed rows (seal_seq ${expected}–${head.seq}) are gone`);
  }
  if (prev !== head.hash) return fail(head.seq, null, 'hash_mismatch', 'the chain head records a different hash for its last row');
  return report;
}

export interface VerifyResult {
  ok: boolean;
  missions: MissionChainReport[];
  /** Missions the sealer could not extend (their chain is broken; the report says where). */
  sealErrors: SealResult['errors'];
}

/**
 * Seals what is pending (unless told not to), then checks every mission's chain (or one). A row that
 * committed after this started may stay unsealed: it is checked on the next run.
 */
export async function verifyAuditTrail(db: Kysely<DB>, options: { missionId?: string; seal?: boolean } = {}): Promise<VerifyResult> {
  const sealErrors = options.seal === false ? [] : (await sealAuditTrail(db, options.missionId ? { missionId: options.missionId } : {})).errors;
  const missions = options.missionId ? [options.missionId]
    : (await sql<{ mission_id: string }>`select mission_id from audit_chain_heads union select distinct mission_id from audit_events order by 1`.execute(db)).rows.map((r) => r.mission_id);
  const reports: MissionChainReport[] = [];
  for (const missionId of missions) reports.push(await verifyMission(db, missionId));
  return { ok: reports.every((r) => r.problem === null) && sealErrors.length === 0, missions: reports, sealErrors };
}
