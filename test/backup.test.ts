import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import type { FastifyInstance } from 'fastify';
import { sql, type Kysely } from 'kysely';
import pg from 'pg';
import { sealAuditTrail, verifyAuditTrail } from '../src/platform/audit.ts';
import { backupStore } from '../src/platform/backup/backup.ts';
import { restoreStore } from '../src/platform/backup/restore.ts';
import { listTables } from '../src/platform/backup/schema-info.ts';
import { openStore, type Store } from '../src/platform/db/store.ts';
import { auth, incidentBody, newMission, testServer, type Mission } from './support/fixtures.ts';
import { openTestStore, pgliteTemplate, postgresUrl, testKeyProvider } from './support/stores.ts';

const run = promisify(execFile);
const DAMAGED = /the backup is damaged or was made with another master key/;

/** Every application table's rows as canonical text (timestamps in UTC), for an exact comparison. */
async function snapshot(db: Kysely<any>): Promise<Record<string, string[]>> {
  return db.transaction().execute(async (trx) => {
    await sql`set local timezone = 'UTC'`.execute(trx);
    const out: Record<string, string[]> = {};
    for (const t of await listTables(trx)) {
      const { rows } = await sql<{ j: string }>`select to_jsonb(r)::text as j from ${sql.id('public', t.name)} r`.execute(trx);
      out[t.name] = rows.map((r) => r.j).sort();
    }
    return out;
  });
}
const counts = (s: Record<string, string[]>) => Object.fromEntries(Object.entries(s).map(([k, v]) => [k, v.length]));

describe('backup and restore', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tutela-backup-'));
  const file = path.join(dir, 'store.backup');
  let source: Store;
  let app: FastifyInstance;
  let m: Mission;
  let incidentId: string;
  let before_: Record<string, string[]>;
  let incidentJson: string;

  const readIncident = (a: FastifyInstance) => a.inject({ method: 'GET', url: `/api/v1/incidents/${incidentId}?include=narrative_confidential`, headers: auth(m.tokens.verifier) });

  before(async () => {
    source = await openTestStore('pglite');
    app = await testServer(source);
    m = await newMission(source, app);
    for (let i = 0; i < 3; i++) {
      const res = await app.inject({ method: 'POST', url: '/api/v1/incidents', headers: auth(m.tokens.monitor), payload: incidentBody(m, { title: `Incident ${i} — “quoted”, ünïcode` }) });
      assert.equal(res.statusCode, 201, res.body);
      incidentId ??= res.json().id;
      const violationId = res.json().violations[0].id;
      const v = await app.inject({ method: 'POST', url: `/api/v1/violations/${violationId}/verification`, headers: auth(m.tokens.monitor), payload: { level: 'focal_point', status: 'verified', date: '2025-02-20' } });
      assert.equal(v.statusCode, 200, v.body);
    }
    await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: m.usernames.analyst, password: 'wrong password here' } });
    incidentJson = (await readIncident(app)).body; // an audited read, before sealing
    const sealed = await sealAuditTrail(source.db);
    assert.deepEqual(sealed.errors, []);
    await readIncident(app); // and one unsealed row after it: both kinds travel
    before_ = await snapshot(source.db);
  });

  after(async () => {
    await app?.close();
    await source?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('writes an encrypted backup of every table [pglite]', async () => {
    const result = await backupStore(source.db, 'pglite', file, testKeyProvider);
    assert.deepEqual(Object.fromEntries(result.manifest.tables.map((t) => [t.name, t.rows])), counts(before_));
    assert.ok(result.manifest.tables.findIndex((t) => t.name === 'missions') < result.manifest.tables.findIndex((t) => t.name === 'incidents'));
    const raw = fs.readFileSync(file);
    for (const secret of ['Witness W-17', m.usernames.monitor, 'Plaine Savo']) assert.equal(raw.includes(secret), false, `${secret} in clear`);
    assert.equal((fs.statSync(file).mode & 0o077), 0, 'owner-only file');
  });

  it('restores onto an empty PGlite folder through the CLI, identically [pglite]', async () => {
    const target = path.join(dir, 'restored');
    const env = { ...process.env, TUTELA_DATA_DIR: target, DATABASE_URL: '' };
    const { stdout } = await run(process.execPath, ['bin/tutela.mjs', 'restore', file], { env, cwd: path.resolve(import.meta.dirname, '..') });
    assert.match(stdout, /audit trail verified/);
    assert.match(stdout, /restored \d+ rows/);
    const store = await openStore({ kind: 'pglite', dataDir: target }, { keyProvider: testKeyProvider });
    try {
      const after_ = await snapshot(store.db);
      const restoreRow = after_.audit_events!.filter((r) => r.includes('"store.restore"'));
      assert.equal(restoreRow.length, 1, 'the CLI records the restore');
      assert.deepEqual({ ...after_, audit_events: after_.audit_events!.filter((r) => !r.includes('"store.restore"')) }, before_);
      const restoredApp = await testServer(store);
      try {
        const res = await readIncident(restoredApp);
        assert.equal(res.statusCode, 200, res.body);
        assert.deepEqual(res.json(), JSON.parse(incidentJson));
        assert.equal(res.json().narrative.confidential, 'Witness W-17 saw the attackers arrive at dawn.');
      } finally {
        await restoredApp.close();
      }
      // While this process holds the folder, the CLI is refused by the store lock.
      await assert.rejects(run(process.execPath, ['bin/tutela.mjs', 'restore', file], { env, cwd: path.resolve(import.meta.dirname, '..') }),
        (e: { stderr: string }) => /in use by another Tutela process/.test(e.stderr));
    } finally {
      await store.close();
    }
    // A second restore onto the now-full folder is refused with a sentence, exit status 1.
    await assert.rejects(run(process.execPath, ['bin/tutela.mjs', 'restore', file], { env, cwd: path.resolve(import.meta.dirname, '..') }),
      (e: { stderr: string; code: number }) => e.code === 1 && /^tutela: the target store is not empty \(rows in /m.test(e.stderr));
  });

  it('refuses a backup with any single byte flipped, writing nothing [pglite]', async () => {
    const good = fs.readFileSync(file);
    const target = await openStore({ kind: 'pglite', dataDir: 'memory://' }, { loadDataDir: await pgliteTemplate(), keyProvider: testKeyProvider, migrate: false });
    try {
      const positions = [0, 8, 10, 30, Math.floor(good.length / 3), Math.floor(good.length / 2), good.length - 20, good.length - 1];
      for (const at of positions) {
        const bad = Buffer.from(good);
        bad[at]! ^= 0x01;
        const badFile = path.join(dir, `flipped-${at}.backup`);
        fs.writeFileSync(badFile, bad);
        await assert.rejects(restoreStore(target.db, badFile, testKeyProvider), (e: Error) => DAMAGED.test(e.message), `byte ${at}`);
      }
      assert.ok(Object.values(await snapshot(target.db)).every((rows) => rows.length === 0), 'the target stays empty');
      // Another master key: the same refusal.
      const { LocalKeyProvider } = await import('../src/platform/crypto/key-provider.ts');
      await assert.rejects(restoreStore(target.db, file, new LocalKeyProvider(randomBytes(32))), (e: Error) => DAMAGED.test(e.message) && /master key id/.test(e.message));
    } finally {
      await target.close();
    }
  });

  it('refuses to restore onto a store that holds data [pglite]', async () => {
    await assert.rejects(restoreStore(source.db, file, testKeyProvider), /the target store is not empty \(rows in .*missions/);
    assert.deepEqual(await snapshot(source.db), before_);
  });

  describe('onto PostgreSQL and back', { skip: postgresUrl ? false : 'TUTELA_TEST_DATABASE_URL not set' }, () => {
    const dbName = `tutela_restore_${randomBytes(6).toString('hex')}`;
    let admin: pg.Client;
    let target: Store | undefined;
    before(async () => {
      admin = new pg.Client({ connectionString: postgresUrl });
      await admin.connect();
      await admin.query(`create database ${dbName}`);
    });
    after(async () => {
      await target?.close();
      await admin.query(`drop database if exists ${dbName}`);
      await admin.end();
    });

    it('restores onto an empty PostgreSQL database with identical rows and a verifying chain [postgres]', async () => {
      const url = new URL(postgresUrl!);
      url.pathname = `/${dbName}`;
      target = await openStore({ kind: 'postgres', url: url.toString(), poolSize: 4 }, { keyProvider: testKeyProvider, migrate: false });
      const result = await restoreStore(target.db, file, testKeyProvider);
      assert.equal(result.audit.ok, true, JSON.stringify(result.audit));
      assert.deepEqual(await snapshot(target.db), before_);
      assert.deepEqual(counts(await snapshot(target.db)), Object.fromEntries(result.manifest.tables.map((t) => [t.name, t.rows])));
      const verify = await verifyAuditTrail(target.db);
      assert.equal(verify.ok, true);
      const pgApp = await testServer(target);
      try {
        const res = await readIncident(pgApp);
        assert.deepEqual(res.json(), JSON.parse(incidentJson));
        // New rows get fresh identity values after the restored ones.
        const created = await pgApp.inject({ method: 'POST', url: '/api/v1/incidents', headers: auth(m.tokens.monitor), payload: incidentBody(m) });
        assert.equal(created.statusCode, 201, created.body);
      } finally {
        await pgApp.close();
      }
    });

    it('backs the PostgreSQL store up and restores it onto PGlite again [postgres]', async () => {
      const again = path.join(path.dirname(file), 'from-postgres.backup');
      await backupStore(target!.db, 'postgres', again, testKeyProvider);
      const expected = await snapshot(target!.db);
      const back = await openStore({ kind: 'pglite', dataDir: 'memory://' }, { loadDataDir: await pgliteTemplate(), keyProvider: testKeyProvider, migrate: false });
      try {
        const result = await restoreStore(back.db, again, testKeyProvider);
        assert.equal(result.audit.ok, true);
        assert.deepEqual(await snapshot(back.db), expected);
      } finally {
        await back.close();
      }
    });
  });
});
