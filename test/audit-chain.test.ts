import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it as plainIt } from 'node:test';
import { promisify } from 'node:util';
import { sql, type Kysely } from 'kysely';
import { createUser } from '../src/modules/accounts/service.ts';
import { auditRow, contentHash, sealAuditTrail, startAuditSealer, verifyAuditTrail, writeAudit, type ChainProblem } from '../src/platform/audit.ts';
import { systemContext } from '../src/platform/context.ts';
import type { DB } from '../src/platform/db/schema.ts';
import { openStore } from '../src/platform/db/store.ts';
import { auth, incidentBody, login, newMission, PASSWORD } from './support/fixtures.ts';
import { describeStores } from './support/matrix.ts';
import { pgliteTemplate } from './support/stores.ts';

const run = promisify(execFile);
const repoRoot = path.resolve(import.meta.dirname, '..');

/** A trail of its own for each test: audit rows carry mission_id and need no mission row. */
async function seedTrail(db: Kysely<DB>, n: number, missionId = `a${randomBytes(5).toString('hex')}`): Promise<string> {
  for (let i = 0; i < n; i += 3) {
    // Several transactions of up to three rows, as the services write them.
    await db.transaction().execute((trx) => writeAudit(trx, Array.from({ length: Math.min(3, n - i) }, (_, j) =>
      auditRow(systemContext(missionId), { action: 'test.event', targetType: 'thing', targetId: `t${i + j}`, details: { i: i + j, nested: { z: 1, a: [1, 'x'] } } }))));
  }
  return missionId;
}

/** The chain in seal order: position → audit_id. */
async function chain(db: Kysely<DB>, missionId: string): Promise<number[]> {
  const { rows } = await sql<{ audit_id: number; seal_seq: number }>`select audit_id, seal_seq from audit_events
    where mission_id = ${missionId} and seal_seq is not null order by seal_seq`.execute(db);
  rows.forEach((r, i) => assert.equal(Number(r.seal_seq), i + 1, 'seal_seq runs 1, 2, 3, … without gaps'));
  return rows.map((r) => Number(r.audit_id));
}

/** Direct SQL as a superuser who switches the triggers off for this transaction only. */
async function tamper(db: Kysely<DB>, fn: (trx: Kysely<DB>) => Promise<unknown>): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await sql`set local session_replication_role = replica`.execute(trx);
    await fn(trx);
  });
}

async function problemOf(db: Kysely<DB>, missionId: string): Promise<ChainProblem> {
  const result = await verifyAuditTrail(db, { missionId });
  assert.equal(result.ok, false, 'the tampered trail must not verify');
  const problem = result.missions[0]?.problem;
  assert.ok(problem, JSON.stringify(result));
  return problem;
}

describeStores('audit hash chain', ({ it, h }) => {
  it('seals rows per mission in audit_id order, and an untouched trail verifies', async () => {
    const { db } = h().store;
    const m = await seedTrail(db, 10);
    const other = await seedTrail(db, 4);
    assert.deepEqual((await sealAuditTrail(db, { missionId: m, batchSize: 4 })).errors, []);
    const ids = await chain(db, m);
    assert.equal(ids.length, 10);
    assert.deepEqual(ids, [...ids].sort((a, b) => a - b));
    assert.deepEqual(await chain(db, other), [], 'another mission is not touched by a one-mission seal');
    await seedTrail(db, 5, m); // rows arriving later extend the chain
    const result = await verifyAuditTrail(db, { missionId: m });
    assert.equal(result.ok, true, JSON.stringify(result));
    assert.equal(result.missions[0]!.rowsChecked, 15);
    assert.equal(result.missions[0]!.headSeq, 15);
    assert.match(result.missions[0]!.headHash, /^[0-9a-f]{64}$/);
    assert.equal((await verifyAuditTrail(db, { missionId: other })).missions[0]!.rowsChecked, 4);
  });

  it('chains a row whose transaction commits after later rows were sealed', async () => {
    if (h().kind === 'pglite') return; // one connection: no second transaction can be open beside the sealer
    const { db } = h().store;
    const m = await seedTrail(db, 2);
    let release!: () => void;
    const gate = new Promise<void>((resolve) => { release = resolve; });
    let inserted!: () => void;
    const insertedYet = new Promise<void>((resolve) => { inserted = resolve; });
    const late = db.transaction().execute(async (trx) => {
      await writeAudit(trx, [auditRow(systemContext(m), { action: 'test.late' })]);
      inserted();
      await gate;
    });
    await insertedYet;
    await seedTrail(db, 3, m);
    await sealAuditTrail(db, { missionId: m });
    assert.equal((await chain(db, m)).length, 5, 'the open transaction\'s row is invisible, not waited for');
    release();
    await late;
    await sealAuditTrail(db, { missionId: m });
    const ids = await chain(db, m);
    assert.equal(ids.length, 6);
    assert.ok(ids[5]! < ids[4]!, 'the late row has a lower audit_id but the last seal position');
    assert.equal((await verifyAuditTrail(db, { missionId: m })).ok, true);
  });

  it('seals in the background while rows keep arriving, and stops cleanly', async () => {
    const { db } = h().store;
    const errors: string[] = [];
    const sealer = startAuditSealer(db, { intervalMs: 20, onError: (e) => errors.push(e) });
    const m = await seedTrail(db, 9);
    await seedTrail(db, 9, m);
    for (let i = 0; i < 200 && (await chain(db, m)).length < 18; i++) await new Promise((r) => setTimeout(r, 20));
    await sealer.stop();
    assert.equal((await chain(db, m)).length, 18);
    // A shared test database holds chains broken on purpose by earlier runs: only this mission's count.
    assert.deepEqual(errors.filter((e) => e.includes(m)), []);
    assert.equal((await verifyAuditTrail(db, { missionId: m, seal: false })).ok, true);
  });

  it('refuses every change to an audit row except sealing it once', async () => {
    const { db } = h().store;
    const m = await seedTrail(db, 2);
    await assert.rejects(sql`update audit_events set action = 'x' where mission_id = ${m}`.execute(db), /append-only/);
    await sealAuditTrail(db, { missionId: m });
    await assert.rejects(sql`update audit_events set action = 'x' where mission_id = ${m}`.execute(db), /append-only/);
    await assert.rejects(sql`update audit_events set seal_seq = seal_seq + 10 where mission_id = ${m}`.execute(db), /append-only/);
    await assert.rejects(sql`delete from audit_events where mission_id = ${m}`.execute(db), /append-only/);
    await assert.rejects(sql`update audit_chain_heads set last_seq = 0 where mission_id = ${m}`.execute(db), /only moves forward/);
    await assert.rejects(sql`delete from audit_chain_heads where mission_id = ${m}`.execute(db), /only moves forward/);
    // Inside a transaction that is rolled back whatever happens: a shared database keeps its trail.
    await assert.rejects(db.transaction().execute(async (trx) => {
      await sql`truncate audit_events`.execute(trx);
      throw new Error('truncate went through');
    }), /append-only/);
    assert.equal((await verifyAuditTrail(db, { missionId: m })).ok, true);
  });

  it('refuses a seal that changes anything else, and the rule covers every column the table has', async () => {
    const { db } = h().store;
    const m = await seedTrail(db, 1);
    const seal = sql`seal_seq = 1, prev_hash = decode(repeat('00', 32), 'hex'), content_hash = decode(repeat('00', 32), 'hex'), hash = decode(repeat('00', 32), 'hex')`;
    await assert.rejects(sql`update audit_events set ${seal}, details = '{"i": 99}' where mission_id = ${m}`.execute(db), /append-only/);
    await assert.rejects(sql`update audit_events set ${seal}, occurred_at = occurred_at + interval '1 microsecond' where mission_id = ${m}`.execute(db), /append-only/);
    await assert.rejects(sql`update audit_events set ${seal}, target_id = null where mission_id = ${m}`.execute(db), /append-only/);
    // The trigger compares a list of columns (migration 20261125134000): a column added to the table
    // and not to that list could be rewritten while a row is sealed.
    const { rows: columns } = await sql<{ name: string }>`select column_name as name from information_schema.columns
      where table_schema = current_schema() and table_name = 'audit_events'`.execute(db);
    const { rows: [trigger] } = await sql<{ def: string }>`select pg_get_triggerdef(t.oid) as def from pg_trigger t
      where t.tgrelid = 'audit_events'::regclass and t.tgname = 'audit_events_seal_once'`.execute(db);
    const sealColumns = new Set(['seal_seq', 'prev_hash', 'content_hash', 'hash']);
    const others = columns.map((c) => c.name).filter((c) => !sealColumns.has(c));
    assert.ok(others.length >= 11, `columns read: ${others.join(', ')}`);
    for (const name of others) {
      assert.match(trigger!.def, new RegExp(`old\\.${name}\\b`), `the append-only trigger does not compare ${name}`);
      assert.match(trigger!.def, new RegExp(`new\\.${name}\\b`), `the append-only trigger does not compare ${name}`);
    }
  });

  it('names an updated row: content modified', async () => {
    const { db } = h().store;
    const m = await seedTrail(db, 8);
    await sealAuditTrail(db, { missionId: m });
    const ids = await chain(db, m);
    await tamper(db, (trx) => sql`update audit_events set details = '{"i": 99}'::jsonb where mission_id = ${m} and audit_id = ${ids[2]!}`.execute(trx));
    assert.deepEqual(pick(await problemOf(db, m)), { sealSeq: 3, auditId: ids[2]!, kind: 'content_modified' });
  });

  it('notices a timestamp moved by one microsecond', async () => {
    const { db } = h().store;
    const m = await seedTrail(db, 3);
    await sealAuditTrail(db, { missionId: m });
    const ids = await chain(db, m);
    await tamper(db, (trx) => sql`update audit_events set occurred_at = occurred_at + interval '1 microsecond' where mission_id = ${m} and audit_id = ${ids[1]!}`.execute(trx));
    assert.deepEqual(pick(await problemOf(db, m)), { sealSeq: 2, auditId: ids[1]!, kind: 'content_modified' });
  });

  it('names a deleted row: row missing, at its position', async () => {
    const { db } = h().store;
    const m = await seedTrail(db, 8);
    await sealAuditTrail(db, { missionId: m });
    const ids = await chain(db, m);
    await tamper(db, (trx) => sql`delete from audit_events where mission_id = ${m} and audit_id = ${ids[3]!}`.execute(trx));
    const problem = await problemOf(db, m);
    assert.deepEqual(pick(problem), { sealSeq: 4, auditId: null, kind: 'row_missing' });
    assert.match(problem.detail, new RegExp(`seal_seq 5, audit_id ${ids[4]}`));
  });

  it('names rows deleted from the end of a chain, which no link would show', async () => {
    const { db } = h().store;
    const m = await seedTrail(db, 6);
    await sealAuditTrail(db, { missionId: m });
    await tamper(db, (trx) => sql`delete from audit_events where mission_id = ${m} and seal_seq >= 5`.execute(trx));
    assert.deepEqual(pick(await problemOf(db, m)), { sealSeq: 5, auditId: null, kind: 'row_missing' });
  });

  it('names the first of two rows whose contents were swapped', async () => {
    const { db } = h().store;
    const m = await seedTrail(db, 8);
    await sealAuditTrail(db, { missionId: m });
    const ids = await chain(db, m);
    await tamper(db, async (trx) => {
      const { rows } = await sql<{ audit_id: number; action: string; target_id: string; details: string; occurred_at: string }>`select audit_id,
        action, target_id, details::text as details, occurred_at::text as occurred_at from audit_events
        where mission_id = ${m} and audit_id in (${ids[1]!}, ${ids[5]!})`.execute(trx);
      for (const [from, to] of [[rows[0]!, rows[1]!], [rows[1]!, rows[0]!]] as const) {
        await sql`update audit_events set action = ${from.action}, target_id = ${from.target_id}, details = cast(${from.details} as jsonb),
          occurred_at = cast(${from.occurred_at} as timestamptz) where mission_id = ${m} and audit_id = ${to.audit_id}`.execute(trx);
      }
    });
    const { rows } = await sql<{ target_id: string }>`select target_id from audit_events where mission_id = ${m} and audit_id = ${ids[1]!}`.execute(db);
    assert.equal(rows[0]!.target_id, 't5', 'the swap happened');
    assert.deepEqual(pick(await problemOf(db, m)), { sealSeq: 2, auditId: ids[1]!, kind: 'content_modified' });
  });

  it('names two rows whose places in the chain were swapped: out of order', async () => {
    const { db } = h().store;
    const m = await seedTrail(db, 8);
    await sealAuditTrail(db, { missionId: m });
    const ids = await chain(db, m);
    await tamper(db, async (trx) => {
      const move = (id: number, seq: number) => sql`update audit_events set seal_seq = ${seq} where mission_id = ${m} and audit_id = ${id}`.execute(trx);
      await move(ids[2]!, 1000);
      await move(ids[3]!, 3);
      await move(ids[2]!, 4);
    });
    assert.deepEqual(pick(await problemOf(db, m)), { sealSeq: 3, auditId: ids[3]!, kind: 'out_of_order' });
  });

  it('names a row whose stored hash was replaced: hash mismatch; and reports only the first bad row', async () => {
    const { db } = h().store;
    const m = await seedTrail(db, 8);
    await sealAuditTrail(db, { missionId: m });
    const ids = await chain(db, m);
    await tamper(db, async (trx) => {
      await sql`update audit_events set hash = decode(repeat('ab', 32), 'hex') where mission_id = ${m} and audit_id = ${ids[5]!}`.execute(trx);
      await sql`update audit_events set action = 'test.forged' where mission_id = ${m} and audit_id = ${ids[6]!}`.execute(trx);
    });
    assert.deepEqual(pick(await problemOf(db, m)), { sealSeq: 6, auditId: ids[5]!, kind: 'hash_mismatch' });
  });

  it('reports a removed chain head instead of starting the chain again', async () => {
    const { db } = h().store;
    const m = await seedTrail(db, 3);
    await sealAuditTrail(db, { missionId: m });
    await tamper(db, (trx) => sql`delete from audit_chain_heads where mission_id = ${m}`.execute(trx));
    await seedTrail(db, 1, m);
    const result = await verifyAuditTrail(db, { missionId: m });
    assert.equal(result.ok, false);
    assert.equal(result.missions[0]!.problem?.kind, 'row_missing');
    assert.match(result.sealErrors[0]?.message ?? '', /head .* is missing/);
  });
});

describeStores('auditor API', ({ it, h }) => {
  it('lists the mission\'s trail to an auditor, filtered and paged, and records each read', async () => {
    const { app, store } = h();
    const m = await newMission(store, app);
    const username = `${m.id}.auditor`;
    await createUser(store.db, systemContext(m.id), { username, display_name: 'Auditor', role: 'auditor', scope: { country: null, areas: [], agency: null }, password: PASSWORD });
    const token = await login(app, username, PASSWORD);
    const incident = (await app.inject({ method: 'POST', url: '/api/v1/incidents', headers: auth(m.tokens.monitor), payload: incidentBody(m) })).json();
    await app.inject({ method: 'GET', url: `/api/v1/incidents/${incident.id}?include=narrative_confidential`, headers: auth(m.tokens.verifier) });
    const get = (query: string) => app.inject({ method: 'GET', url: `/api/v1/audit${query}`, headers: auth(token) });

    const all = await get('?limit=500');
    assert.equal(all.statusCode, 200, all.body);
    const actions = all.json().items.map((e: { action: string }) => e.action);
    assert.deepEqual(actions.slice(0, 2), ['incident.read_confidential', 'incident.create'], 'newest first');
    assert.ok(actions.includes('mission.setup') && actions.includes('auth.login'));

    const byTarget = (await get(`?target_type=incident&target_id=${incident.id}`)).json().items;
    assert.deepEqual(byTarget.map((e: { action: string; actor_role: string }) => `${e.action}/${e.actor_role}`),
      ['incident.read_confidential/verifier', 'incident.create/monitor']);
    const family = (await get('?action=incident.*')).json().items;
    assert.equal(family.length, 2);
    const verifierId = byTarget[0].actor_id as string;
    assert.deepEqual((await get(`?actor_id=${verifierId}&action=incident.read_confidential`)).json().items.map((e: { id: number }) => e.id), [byTarget[0].id]);
    const at = Date.parse(byTarget[0].occurred_at);
    assert.equal((await get(`?target_id=${incident.id}&from=${new Date(at).toISOString()}`)).json().items.length, 1);
    assert.equal((await get(`?target_id=${incident.id}&to=${new Date(at).toISOString()}`)).json().items.length, 1);

    // Pages of 3 give the same rows as one page, without repeats.
    const seen: number[] = [];
    let cursor: string | null = '';
    while (cursor !== null) {
      const page: { items: { id: number }[]; next_cursor: string | null } = (await get(`?limit=3${cursor ? `&cursor=${cursor}` : ''}`)).json();
      seen.push(...page.items.map((e) => e.id));
      cursor = page.next_cursor;
      if (seen.length > 200) break;
    }
    // Reads recorded meanwhile are newer than every cursor: they lead the first page and never repeat.
    const firstIds = all.json().items.map((e: { id: number }) => e.id);
    assert.equal(new Set(seen).size, seen.length, 'no row twice');
    assert.deepEqual(seen.slice(-firstIds.length), firstIds);

    await sealAuditTrail(store.db, { missionId: m.id });
    const sealed = (await get(`?target_id=${incident.id}`)).json().items[0];
    assert.match(sealed.seal.hash, /^[0-9a-f]{64}$/);
    assert.ok(sealed.seal.seq > 0);

    const reads = await store.db.selectFrom('audit_events').select(['actor_role', 'details']).where('mission_id', '=', m.id).where('action', '=', 'audit.read').execute();
    assert.ok(reads.length >= 8, `${reads.length} reads recorded`);
    assert.ok(reads.every((r) => r.actor_role === 'auditor'));
    assert.ok(reads.some((r) => (r.details as { filters?: { target_id?: string } }).filters?.target_id === incident.id));
    assert.equal((await verifyAuditTrail(store.db, { missionId: m.id })).ok, true);
  });

  it('refuses everyone but the auditor with 403, records the attempt, and rejects a forged cursor', async () => {
    const { app, store } = h();
    const m = await newMission(store, app);
    for (const who of ['admin', 'monitor', 'verifier', 'analyst'] as const) {
      const res = await app.inject({ method: 'GET', url: '/api/v1/audit', headers: auth(m.tokens[who]) });
      assert.equal(res.statusCode, 403, who);
      assert.equal(res.json().error.code, 'permission.denied');
    }
    const denied = await store.db.selectFrom('audit_events').select('actor_role').where('mission_id', '=', m.id).where('action', '=', 'audit.read_denied').execute();
    assert.deepEqual(denied.map((r) => r.actor_role).sort(), ['admin', 'analyst', 'monitor', 'verifier']);
    assert.equal((await app.inject({ method: 'GET', url: '/api/v1/audit' })).statusCode, 401);
    const username = `${m.id}.auditor`;
    await createUser(store.db, systemContext(m.id), { username, display_name: 'Auditor', role: 'auditor', scope: { country: null, areas: [], agency: null }, password: PASSWORD });
    const token = await login(app, username, PASSWORD);
    for (const query of ['?cursor=bm9wZQ', '?action=incident;drop', '?from=yesterday', '?limit=0']) {
      const res = await app.inject({ method: 'GET', url: `/api/v1/audit${query}`, headers: auth(token) });
      assert.equal(res.statusCode, 400, query);
    }
  });
});

describe('audit chain format', () => {
  plainIt('hashes one canonical form, whatever the jsonb key order (a change here breaks every stored chain)', () => {
    const row = { mission_id: 'monusco', audit_id: 42, occurred_at: '2026-01-02T03:04:05.123456Z', actor_id: null, actor_role: null,
      action: 'auth.login_failed', target_type: 'user', target_id: null, client_address: '127.0.0.1', request_id: null, details: '{"b": [1, {"y": 2, "x": 1}], "a": "é"}' };
    const same = { ...row, details: '{"a": "é", "b": [1, {"x": 1, "y": 2}]}' };
    assert.equal(contentHash(row), contentHash(same));
    assert.equal(contentHash(row), 'f78b0a5eddb79b493ce7d7bfe3b7815ceed082d97814314eed282aed02f6c699');
  });
});

describe('tutela audit verify [pglite]', () => {
  plainIt('exits 0 on an untouched trail and non-zero naming a swapped row', { timeout: 120_000 }, async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tutela-audit-'));
    const env = { ...process.env, TUTELA_DATA_DIR: dir, TUTELA_LOG_LEVEL: 'silent' };
    delete (env as Record<string, string | undefined>).DATABASE_URL;
    const cli = () => run(process.execPath, ['bin/tutela.mjs', 'audit', 'verify'], { cwd: repoRoot, env }).then(
      (r) => ({ code: 0, out: r.stdout + r.stderr }),
      (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, out: e.stdout + e.stderr }));
    try {
      let store = await openStore({ kind: 'pglite', dataDir: dir }, { loadDataDir: await pgliteTemplate() });
      const m = await seedTrail(store.db, 6);
      await store.close(); // the folder is locked to one process: the CLI opens it next
      const ok = await cli();
      assert.equal(ok.code, 0, ok.out);
      assert.match(ok.out, new RegExp(`mission ${m}: 6 row\\(s\\) verified`));

      store = await openStore({ kind: 'pglite', dataDir: dir });
      const ids = await chain(store.db, m);
      await tamper(store.db, async (trx) => {
        await sql`update audit_events set target_id = 'tX' where mission_id = ${m} and audit_id = ${ids[1]!}`.execute(trx);
        await sql`update audit_events set target_id = 't1' where mission_id = ${m} and audit_id = ${ids[4]!}`.execute(trx);
      });
      await store.close();
      const bad = await cli();
      assert.equal(bad.code, 2, bad.out);
      assert.match(bad.out, new RegExp(`TAMPERED mission ${m}: seal_seq 2, audit_id ${ids[1]}: content modified`));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

function pick(p: ChainProblem) {
  return { sealSeq: p.sealSeq, auditId: p.auditId, kind: p.kind };
}
