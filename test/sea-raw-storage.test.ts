import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { createUser } from '../src/modules/accounts/service.ts';
import { systemContext } from '../src/platform/context.ts';
import { openStore, type Store } from '../src/platform/db/store.ts';
import { auth, login, newMission, PASSWORD, testServer } from './support/fixtures.ts';
import { pgliteTemplate, postgresUrl, testKeyProvider } from './support/stores.ts';

/** Occurrences of each needle in every file under a folder, as bytes. */
function countIn(dir: string, needles: string[]): number[] {
  const counts = needles.map(() => 0);
  const walk = (d: string) => {
    for (const entry of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, entry.name);
      if (entry.isDirectory()) walk(p);
      else {
        const text = fs.readFileSync(p).toString('latin1');
        needles.forEach((n, i) => { counts[i]! += text.split(n).length - 1; });
      }
    }
  };
  walk(dir);
  return counts;
}

const secrets = (marker: string) => ({
  name: `Esperance ${marker}Mapendo`, birth: '2008-11-29', contact: `+243 99 ${marker.slice(-4)} 77`, caseRef: `CASEREF-${marker}`,
  narrative: `NARR-${marker} she was given food in exchange`,
});

/** Records one allegation with the secrets and checks the conduct officer can read them back. */
async function recordAllegation(store: Store, app: FastifyInstance, marker: string): Promise<string> {
  const m = await newMission(store, app);
  const username = `${m.id}.conduct`;
  await createUser(store.db, systemContext(m.id), { username, display_name: 'CDT', role: 'conduct_officer', scope: { country: null, areas: [], agency: null }, password: PASSWORD });
  const token = await login(app, username, PASSWORD);
  const s = secrets(marker);
  const res = await app.inject({ method: 'POST', url: '/api/v1/conduct/allegations', headers: auth(token), payload: {
    received_on: '2025-04-02', incident: { date: '2025-03-30', precision: 'day' }, personnel_category: 'formed_police', contingent_nationality: 'XYZ',
    type: 'exploitation', narrative: s.narrative,
    victims: [{ ref: 'SV-1', age_class: 'minor', sex: 'female', identity: { full_name: s.name, date_of_birth: s.birth, contact: s.contact }, case_link: { consent: true, case_ref: s.caseRef } }],
  } });
  assert.equal(res.statusCode, 201, res.body);
  const read = await app.inject({ method: 'GET', url: `/api/v1/conduct/allegations/${res.json().id}?include=all`, headers: auth(token) });
  assert.equal(read.json().victims[0].identity.full_name, s.name, 'the conduct officer still reads it');
  assert.equal(read.json().narrative, s.narrative);
  return res.json().id as string;
}

describe('conduct (SEA) fields in raw storage', () => {
  it('leaves no victim identity, case reference or narrative in the PGlite folder', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tutela-sea-raw-'));
    const marker = `M${randomBytes(6).toString('hex')}`;
    try {
      const store = await openStore({ kind: 'pglite', dataDir: dir }, { loadDataDir: await pgliteTemplate(), keyProvider: testKeyProvider });
      const app = await testServer(store);
      const s = secrets(marker);
      const needles = [marker, s.birth, s.contact];
      const before = countIn(dir, needles);
      await recordAllegation(store, app, marker);
      await sql`checkpoint`.execute(store.db);
      await app.close();
      await store.close();
      assert.deepEqual(countIn(dir, needles), before, `occurrences of ${needles.join(', ')}`);
      assert.ok(countIn(dir, ['XYZ'])[0]! > 0, 'the search does see what is stored in clear');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('leaves none of them in a pg_dump of PostgreSQL', { skip: postgresUrl ? false : 'TUTELA_TEST_DATABASE_URL not set' }, async () => {
    const marker = `M${randomBytes(6).toString('hex')}`;
    const store = await openStore({ kind: 'postgres', url: postgresUrl!, poolSize: 2 }, { keyProvider: testKeyProvider });
    const app = await testServer(store);
    try {
      const s = secrets(marker);
      // Other tests share this database: count what this allegation adds.
      const needles = [marker, s.birth, s.contact];
      const dump = () => execFileSync('pg_dump', ['--data-only', postgresUrl!], { maxBuffer: 1024 * 1024 * 1024 }).toString('utf8');
      const count = (text: string) => needles.map((n) => text.split(n).length - 1);
      const before = count(dump());
      const id = await recordAllegation(store, app, marker);
      const after = dump();
      assert.ok(after.includes(id), 'the dump holds the new allegation');
      assert.deepEqual(count(after), before, `occurrences of ${needles.join(', ')}`);
    } finally {
      await app.close();
      await store.close();
    }
  });
});
