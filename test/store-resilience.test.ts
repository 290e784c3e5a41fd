import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { sql } from 'kysely';
import pg from 'pg';
import { openStore } from '../src/platform/db/store.ts';
import { postgresUrl } from './support/stores.ts';

/**
 * PostgreSQL ending the server's idle connections (a restart, a failover, an administrator) must not
 * take the Tutela process down: the pool drops those connections and the next request connects again.
 */
describe('PostgreSQL connections ended under the server', { skip: postgresUrl ? false : 'TUTELA_TEST_DATABASE_URL not set' }, () => {
  it('keeps answering after PostgreSQL terminates its idle connections [postgres]', async () => {
    const name = `tutela_resilience_${randomBytes(5).toString('hex')}`;
    const admin = new pg.Client({ connectionString: postgresUrl });
    await admin.connect();
    await admin.query(`create database ${name}`);
    const url = new URL(postgresUrl!);
    url.pathname = `/${name}`;
    const store = await openStore({ kind: 'postgres', url: url.toString(), poolSize: 3 });
    try {
      await Promise.all([1, 2, 3].map(() => sql`select pg_sleep(0.05)`.execute(store.db))); // three idle connections
      const warnings: (Error & { code?: string })[] = [];
      const heard = (w: Error) => warnings.push(w);
      process.on('warning', heard);
      const ended = await admin.query(`select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()`, [name]);
      assert.equal(ended.rowCount, 3, 'the three idle connections were ended');
      // Termination is asynchronous: wait until the pool has heard of each one (the process is still alive to hear them).
      for (let i = 0; i < 100 && warnings.length < 3; i++) await new Promise((r) => setTimeout(r, 20));
      process.off('warning', heard);
      assert.deepEqual(warnings.map((w) => w.code), ['TUTELA_PG_IDLE', 'TUTELA_PG_IDLE', 'TUTELA_PG_IDLE']);
      const again = await sql<{ n: number }>`select 1 as n`.execute(store.db);
      assert.equal(again.rows[0]!.n, 1, 'the next query connects again');
    } finally {
      await store.close();
      await admin.query(`drop database if exists ${name} with (force)`);
      await admin.end();
    }
  });
});
