import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { sql } from 'kysely';
import { openStore } from '../src/platform/db/store.ts';
import { auth, newMission, testServer } from './support/fixtures.ts';
import { identityBody, secretBody } from './support/sensitive-bodies.ts';
import { describeStores } from './support/matrix.ts';
import { pgliteTemplate, postgresUrl, testKeyProvider } from './support/stores.ts';

/** Every file under a folder, searched as bytes for each needle. */
function foundIn(dir: string, needles: string[]): string[] {
  const hits: string[] = [];
  const walk = (d: string) => {
    for (const entry of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, entry.name);
      if (entry.isDirectory()) walk(p);
      else {
        const bytes = fs.readFileSync(p);
        for (const n of needles) if (bytes.includes(Buffer.from(n))) hits.push(`${n} in ${path.relative(dir, p)}`);
      }
    }
  };
  walk(dir);
  return hits;
}


describe('sealed fields in raw storage', () => {
  it('leaves no confidential narrative, exact coordinate, name, birth date or source identity in the PGlite folder', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tutela-raw-'));
    const marker = `MARK${randomBytes(6).toString('hex')}`;
    try {
      const store = await openStore({ kind: 'pglite', dataDir: dir }, { loadDataDir: await pgliteTemplate(), keyProvider: testKeyProvider });
      const app = await testServer(store);
      const m = await newMission(store, app);
      const res = await app.inject({ method: 'POST', url: '/api/v1/incidents', headers: auth(m.tokens.monitor), payload: identityBody(m, marker) });
      assert.equal(res.statusCode, 201, res.body);
      const read = await app.inject({ method: 'GET', url: `/api/v1/incidents/${res.json().id}?include=all`, headers: auth(m.tokens.monitor) });
      assert.match(read.json().narrative.confidential, new RegExp(marker), 'the owner still reads it');
      assert.equal(read.json().location.coordinates.latitude, 1.7345678);
      assert.equal(read.json().violations.find((v: { type: string }) => v.type === 'killing').victims[0].identity.date_of_birth, '2016-03-14');
      await sql`checkpoint`.execute(store.db);
      await app.close();
      await store.close();
      // The marker is in the narrative, the child's name, the parents' names and the source's name.
      assert.deepEqual(foundIn(dir, [marker, '1.7345678', '30.2345678', '2016-03-14', '810 555 0199', 'Dieudonn']), []);
      assert.ok(foundIn(dir, ['An armed group attacked a site.']).length > 0, 'the search does see clear text that is stored in clear');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('leaves none of them in a pg_dump of PostgreSQL', { skip: postgresUrl ? false : 'TUTELA_TEST_DATABASE_URL not set' }, async () => {
    const marker = `MARK${randomBytes(6).toString('hex')}`;
    const store = await openStore({ kind: 'postgres', url: postgresUrl!, poolSize: 2 }, { keyProvider: testKeyProvider });
    const app = await testServer(store);
    try {
      const m = await newMission(store, app);
      // Other tests share this database: a date may be there already, so count what this insert adds.
      const needles = [marker, '1.7345678', '30.2345678', '2016-03-14', '810 555 0199'];
      const dump = () => execFileSync('pg_dump', ['--data-only', postgresUrl!], { maxBuffer: 1024 * 1024 * 1024 }).toString('utf8');
      const count = (text: string) => needles.map((n) => text.split(n).length - 1);
      const before = count(dump());
      const res = await app.inject({ method: 'POST', url: '/api/v1/incidents', headers: auth(m.tokens.monitor), payload: identityBody(m, marker) });
      assert.equal(res.statusCode, 201, res.body);
      const after = dump();
      assert.ok(after.includes(res.json().id), 'the dump holds the new incident');
      assert.deepEqual(count(after), before, `occurrences of ${needles.join(', ')}`);
    } finally {
      await app.close();
      await store.close();
    }
  });
});

describeStores('sealed fields through the API', ({ it, h }) => {
  it('binds each ciphertext to its record: a sealed narrative copied to another incident does not open', async () => {
    const { app, store } = h();
    const m = await newMission(store, app);
    const a = (await app.inject({ method: 'POST', url: '/api/v1/incidents', headers: auth(m.tokens.monitor), payload: secretBody(m, 'A') })).json();
    const b = (await app.inject({ method: 'POST', url: '/api/v1/incidents', headers: auth(m.tokens.monitor), payload: secretBody(m, 'B') })).json();
    const sealedA = await store.db.selectFrom('incidents').select('narrative_confidential_sealed').where('mission_id', '=', m.id).where('incident_id', '=', a.id).executeTakeFirstOrThrow();
    await store.db.updateTable('incidents').set({ narrative_confidential_sealed: sealedA.narrative_confidential_sealed }).where('mission_id', '=', m.id).where('incident_id', '=', b.id).execute();
    const res = await app.inject({ method: 'GET', url: `/api/v1/incidents/${b.id}?include=narrative_confidential`, headers: auth(m.tokens.monitor) });
    assert.equal(res.statusCode, 500, 'refused, not silently shown as another record\'s narrative');
    const plain = await store.db.selectFrom('incidents').select(['narrative_confidential', 'latitude']).where('mission_id', '=', m.id).execute();
    assert.ok(plain.every((r) => r.narrative_confidential === '' && r.latitude === null), 'no clear copy in the legacy columns');
  });

  it('seals and re-opens edits of the narrative and coordinates', async () => {
    const { app, store } = h();
    const m = await newMission(store, app);
    const created = (await app.inject({ method: 'POST', url: '/api/v1/incidents', headers: auth(m.tokens.monitor), payload: secretBody(m, 'C') })).json();
    const patched = await app.inject({ method: 'PATCH', url: `/api/v1/incidents/${created.id}`, headers: auth(m.tokens.monitor),
      payload: { version: 1, narrative: { confidential: 'Corrected account.' }, location: { admin_pcode: m.areas.djugu, coordinates: null } } });
    assert.equal(patched.statusCode, 200, patched.body);
    assert.equal(patched.json().narrative.confidential, 'Corrected account.');
    assert.equal(patched.json().location.coordinates, null);
    const list = (await app.inject({ method: 'GET', url: '/api/v1/incidents', headers: auth(m.tokens.verifier) })).json();
    assert.equal(list.items[0].location.coordinates, null);
  });
});

