import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { sql } from 'kysely';
import { openStore } from '../src/platform/db/store.ts';
import { auth, loginOverHttp, newMission, PASSWORD, testServer, totpCodeFor } from './support/fixtures.ts';
import { identityBody } from './support/sensitive-bodies.ts';
import { startServer, stopServer } from './support/server-process.ts';
import { pgliteTemplate, testKeyProvider } from './support/stores.ts';

/**
 * ASVS V7.1.1–V7.1.2: no credentials, session tokens or sensitive record content in logs. A real server
 * process at the most talkative level that still runs in production (`debug`: one line per request)
 * logs in every way there is, fails a login, records and reads sealed content; neither what it prints
 * nor the audit trail carries any of the secrets involved.
 */
describe('secrets stay out of logs and the audit trail', () => {
  it('prints no password, token, CSRF token, narrative or identity at log level debug', async () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tutela-logs-'));
    const dataDir = path.join(tmp, 'data');
    const marker = `LOGMARK${Date.now()}`;
    try {
      let store = await openStore({ kind: 'pglite', dataDir }, { loadDataDir: await pgliteTemplate(), keyProvider: testKeyProvider });
      const app = await testServer(store);
      const m = await newMission(store, app);
      await app.close();
      await store.close();

      const server = await startServer({ TUTELA_DATA_DIR: dataDir, TUTELA_LOG_LEVEL: 'debug' });
      const secrets: string[] = [PASSWORD, marker];
      try {
        const token = await loginOverHttp(server.url, m.usernames.monitor, PASSWORD);
        secrets.push(token);
        const post = (url: string, body: unknown, headers: Record<string, string> = {}) =>
          fetch(`${server.url}${url}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
        assert.equal((await post('/api/v1/auth/login', { username: m.usernames.verifier, password: 'Wrong Passphrase 4711' })).status, 401);
        secrets.push('Wrong Passphrase 4711');
        const cookieLogin = await post('/api/v1/auth/login', { username: m.usernames.verifier, password: PASSWORD, totp_code: totpCodeFor(m.usernames.verifier), session: 'cookie' });
        assert.equal(cookieLogin.status, 200);
        const cookieToken = /tutela_session=([^;]+)/.exec(cookieLogin.headers.get('set-cookie') ?? '')![1]!;
        secrets.push(cookieToken, ((await cookieLogin.json()) as { csrf_token: string }).csrf_token);

        const created = await post('/api/v1/incidents', identityBody(m, marker), auth(token));
        assert.equal(created.status, 201, await created.clone().text());
        const id = ((await created.json()) as { id: string }).id;
        const read = await fetch(`${server.url}/api/v1/incidents/${id}?include=all`, { headers: auth(token) });
        assert.ok((await read.text()).includes(marker), 'the content was really there to leak');
        const lookup = await post('/api/v1/victims/lookup', { full_name: `Dieudonné ${marker}Ngoy`, date_of_birth: '2016-03-14' }, auth(token));
        assert.equal(lookup.status, 200);
      } finally {
        await stopServer(server);
      }
      const printed = server.output();
      assert.match(printed, /"reqId"|"req"/, 'debug logging did print request lines');
      for (const s of secrets) assert.ok(!printed.includes(s), `the server printed a secret (${s.slice(0, 6)}…)`);

      store = await openStore({ kind: 'pglite', dataDir }, { keyProvider: testKeyProvider });
      try {
        const audit = JSON.stringify((await sql`select * from audit_events`.execute(store.db)).rows);
        assert.ok(audit.includes('auth.login') && audit.includes('victim.lookup'));
        for (const s of secrets) assert.ok(!audit.includes(s), `the audit trail holds a secret (${s.slice(0, 6)}…)`);
      } finally {
        await store.close();
      }
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });
});
