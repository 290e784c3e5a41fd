import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import pg from 'pg';
import { fieldCrypto, MasterKeyMismatch, SealedFieldShredded } from '../src/platform/crypto/field-crypto.ts';
import { LocalKeyProvider, type KeyProvider } from '../src/platform/crypto/key-provider.ts';
import { KeyOperationRefused, rotateDataKeys, rotateMasterKey, shredMissionKeys } from '../src/platform/crypto/key-rotation.ts';
import { openStore, type Store } from '../src/platform/db/store.ts';
import { auth, incidentBody, newMission, testServer, type Mission } from './support/fixtures.ts';
import { pgliteTemplate, postgresUrl, STORE_KINDS, testKeyProvider, type StoreKind } from './support/stores.ts';

const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '..');

/**
 * A master key rotation touches every mission of a store, so each suite gets a store of its own: a
 * PGlite folder, or a fresh PostgreSQL database (never the shared test database other files use).
 */
interface Isolated {
  open(provider: KeyProvider): Promise<Store>;
  dispose(): Promise<void>;
}

async function isolatedStore(kind: StoreKind): Promise<Isolated> {
  if (kind === 'pglite') {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tutela-keys-'));
    let first = true;
    return {
      open: async (provider) => {
        const store = await openStore({ kind: 'pglite', dataDir: dir }, { keyProvider: provider, ...(first && { loadDataDir: await pgliteTemplate() }) });
        first = false;
        return store;
      },
      dispose: async () => fs.rmSync(dir, { recursive: true, force: true }),
    };
  }
  const name = `tutela_keys_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: postgresUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  const url = new URL(postgresUrl!);
  url.pathname = `/${name}`;
  return {
    open: (provider) => openStore({ kind: 'postgres', url: url.toString(), poolSize: 4 }, { keyProvider: provider }),
    dispose: async () => {
      await admin.query(`drop database if exists ${name} with (force)`);
      await admin.end();
    },
  };
}

const newKey = () => new LocalKeyProvider(randomBytes(32));

async function seed(app: FastifyInstance, m: Mission, marker: string): Promise<string> {
  const res = await app.inject({ method: 'POST', url: '/api/v1/incidents', headers: auth(m.tokens.monitor), payload: incidentBody(m, {
    narrative: { confidential: `Fictional witness ${marker} named the commander.`, public: 'An armed group attacked a site.' },
    location: { admin_pcode: m.areas.djugu, coordinates: { latitude: 1.7345678, longitude: 30.2345678, precision: 'exact' } },
  }) });
  assert.equal(res.statusCode, 201, res.body);
  return res.json().id as string;
}

const readIncident = (app: FastifyInstance, m: Mission, id: string) =>
  app.inject({ method: 'GET', url: `/api/v1/incidents/${id}?include=narrative_confidential`, headers: auth(m.tokens.monitor) });

async function sealedRow(store: Store, missionId: string, id: string) {
  return store.db.selectFrom('incidents').select(['narrative_confidential_sealed', 'coordinates_sealed'])
    .where('mission_id', '=', missionId).where('incident_id', '=', id).executeTakeFirstOrThrow();
}

/** The data key id a sealed value names (bytes 1..17 of the format). */
/**
 * The data key a sealed value depends on: named in the value (format 1), or in the record key the value
 * names (format 2, per-record keys sealed under a data key).
 */
async function dataKeyOf(store: Store, missionId: string, sealed: Buffer | Uint8Array | null): Promise<string> {
  const id = sealedKeyId(sealed);
  if (Buffer.from(sealed!)[0] === 1) return id;
  const row = await store.db.selectFrom('record_keys').select('sealed_key').where('mission_id', '=', missionId).where('record_key_id', '=', id).executeTakeFirstOrThrow();
  return sealedKeyId(row.sealed_key);
}

function sealedKeyId(sealed: Buffer | Uint8Array | null): string {
  const h = Buffer.from(sealed!).subarray(1, 17).toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

async function auditActions(store: Store, missionId: string): Promise<string[]> {
  const rows = await store.db.selectFrom('audit_events').select('action').where('mission_id', '=', missionId).where('action', 'like', 'keys.%').execute();
  return rows.map((r) => r.action);
}

for (const kind of STORE_KINDS) {
  const skip = kind === 'postgres' && !postgresUrl ? 'TUTELA_TEST_DATABASE_URL not set' : false;

  describe(`key management [${kind}]`, { skip }, () => {
    let iso: Isolated;
    let store: Store;
    let app: FastifyInstance;
    let provider: KeyProvider = testKeyProvider;

    const reopen = async (p: KeyProvider) => {
      await app.close();
      await store.close();
      store = await iso.open(p);
      app = await testServer(store);
    };

    before(async () => {
      iso = await isolatedStore(kind);
      store = await iso.open(provider);
      app = await testServer(store);
    });
    after(async () => {
      await app?.close();
      await store?.close();
      await iso?.dispose();
    });

    it(`re-wraps every data key under a new master key; the old key then opens nothing [${kind}]`, async () => {
      const m1 = await newMission(store, app);
      const m2 = await newMission(store, app);
      const a = await seed(app, m1, 'ALPHA');
      const b = await seed(app, m2, 'BRAVO');
      const next = newKey();
      const result = await rotateMasterKey(store.db, provider, next);
      // Three keys per mission: `mrm` (sealed incident fields), `accounts` (TOTP secrets), `pseudonym` (blind indexes).
      assert.deepEqual({ dataKeys: result.dataKeys, missions: result.missions, to: result.to }, { dataKeys: 6, missions: 2, to: next.id });
      provider = next;
      // In this process the store goes on working, and a key created now is wrapped by the new master key.
      assert.match((await readIncident(app, m1, a)).json().narrative.confidential, /ALPHA/);
      const m3 = await newMission(store, app);
      const c = await seed(app, m3, 'CHARLIE');
      const ids = await store.db.selectFrom('data_keys').select('master_key_id').execute();
      assert.ok(ids.length === 9 && ids.every((r) => r.master_key_id === next.id), JSON.stringify(ids));
      assert.deepEqual(await auditActions(store, '*'), ['keys.rotate_master']);

      await reopen(next);
      for (const [m, id, marker] of [[m1, a, 'ALPHA'], [m2, b, 'BRAVO'], [m3, c, 'CHARLIE']] as const) {
        const res = await readIncident(app, m, id);
        assert.equal(res.statusCode, 200, res.body);
        assert.match(res.json().narrative.confidential, new RegExp(marker));
        assert.equal(res.json().location.coordinates.latitude, 1.7345678);
      }

      await reopen(testKeyProvider); // the old key
      const row = await sealedRow(store, m1.id, a);
      await assert.rejects(fieldCrypto(store.db).open(m1.id, row.narrative_confidential_sealed!, `incidents/${a}/narrative_confidential`), MasterKeyMismatch);
      assert.equal((await readIncident(app, m1, a)).statusCode, 500, 'the old key opens nothing');
      // Rotating from the wrong (old) key is refused, and changes nothing.
      const before_ = await store.db.selectFrom('data_keys').select(['key_id', 'wrapped']).orderBy('key_id').execute();
      await assert.rejects(rotateMasterKey(store.db, testKeyProvider, newKey()), (err: Error) =>
        err instanceof KeyOperationRefused && /does not unwrap 9 of 9 data key/.test(err.message) && err.message.includes(next.id));
      assert.deepEqual(await store.db.selectFrom('data_keys').select(['key_id', 'wrapped']).orderBy('key_id').execute(), before_);
      await assert.rejects(rotateDataKeys(store.db, testKeyProvider), KeyOperationRefused);
      await assert.rejects(rotateMasterKey(store.db, next, next), /is the current one/);
      await reopen(next);
    });

    it(`rotates data keys: new writes use the new key, old data opens with the retired one [${kind}]`, async () => {
      const m = await newMission(store, app);
      const other = await newMission(store, app);
      const old = await seed(app, m, 'OLDKEY');
      const otherId = await seed(app, other, 'OTHER');
      const retiredKey = await dataKeyOf(store, m.id, (await sealedRow(store, m.id, old)).narrative_confidential_sealed);
      const otherKey = await dataKeyOf(store, other.id, (await sealedRow(store, other.id, otherId)).narrative_confidential_sealed);

      const all = await rotateDataKeys(store.db, provider, { missionId: m.id });
      assert.deepEqual(all.rotated.map((r) => r.purpose).sort(), ['accounts', 'mrm'], 'every purpose but pseudonyms, which must not change');
      const result = { rotated: all.rotated.filter((r) => r.purpose === 'mrm') };
      assert.deepEqual({ ...result.rotated[0], newKeyId: undefined }, { missionId: m.id, purpose: 'mrm', retiredKeyId: retiredKey, newKeyId: undefined });
      const fresh = await seed(app, m, 'NEWKEY');
      assert.equal(await dataKeyOf(store, m.id, (await sealedRow(store, m.id, fresh)).narrative_confidential_sealed), result.rotated[0]!.newKeyId);
      assert.equal(await dataKeyOf(store, m.id, (await sealedRow(store, m.id, fresh)).coordinates_sealed), result.rotated[0]!.newKeyId);
      assert.match((await readIncident(app, m, old)).json().narrative.confidential, /OLDKEY/);
      assert.match((await readIncident(app, m, fresh)).json().narrative.confidential, /NEWKEY/);
      const keys = await store.db.selectFrom('data_keys').select(['key_id', 'retired_at']).where('mission_id', '=', m.id).where('purpose', '=', 'mrm').execute();
      assert.deepEqual(keys.map((k) => [k.key_id, k.retired_at !== null]).sort(), [[retiredKey, true], [result.rotated[0]!.newKeyId, false]].sort());
      // Another mission is untouched; the audit trail says what happened, in the mission's own chain.
      const seedOther = await seed(app, other, 'OTHER2');
      assert.equal(await dataKeyOf(store, other.id, (await sealedRow(store, other.id, seedOther)).narrative_confidential_sealed), otherKey);
      assert.deepEqual(await auditActions(store, m.id), ['keys.rotate_data']);
      // And after a restart (nothing cached) both still open.
      await reopen(provider);
      assert.match((await readIncident(app, m, old)).json().narrative.confidential, /OLDKEY/);
      assert.match((await readIncident(app, m, fresh)).json().narrative.confidential, /NEWKEY/);
    });

    it(`shreds a mission's keys: sealed fields are gone, the records still answer [${kind}]`, async () => {
      const m = await newMission(store, app);
      const kept = await newMission(store, app);
      const id = await seed(app, m, 'SHREDME');
      await rotateDataKeys(store.db, provider, { missionId: m.id }); // a retired key is shredded as well
      const id2 = await seed(app, m, 'SHREDME2');
      const keptId = await seed(app, kept, 'KEEPME');
      const before_ = await sealedRow(store, m.id, id);

      const result = await shredMissionKeys(store.db, m.id, 'mrm');
      assert.equal(result.deleted.length, 2);
      assert.equal(result.sealedFields, 4);
      assert.equal((await store.db.selectFrom('data_keys').select('key_id').where('mission_id', '=', m.id).where('purpose', '=', 'mrm').execute()).length, 0);
      const row = await sealedRow(store, m.id, id);
      assert.deepEqual(Buffer.from(row.narrative_confidential_sealed!), Buffer.from(before_.narrative_confidential_sealed!), 'the ciphertext is still there');
      await assert.rejects(fieldCrypto(store.db).open(m.id, row.narrative_confidential_sealed!, `incidents/${id}/narrative_confidential`), SealedFieldShredded);

      for (const incident of [id, id2]) {
        const res = await readIncident(app, m, incident);
        assert.equal(res.statusCode, 200, res.body);
        assert.equal(res.json().narrative.confidential, '');
        assert.equal(res.json().narrative.public, 'An armed group attacked a site.');
        assert.equal(res.json().location.coordinates, null);
        assert.deepEqual(res.json().unavailable_fields, ['coordinates', 'narrative_confidential'], 'gone, and said to be gone');
        assert.ok(!res.body.includes('SHREDME') && !res.body.includes('1.7345678'));
      }
      const list = await app.inject({ method: 'GET', url: '/api/v1/incidents', headers: auth(m.tokens.verifier) });
      assert.equal(list.statusCode, 200, list.body);
      assert.equal(list.json().items.length, 2);
      // The other mission still reads; the shredded mission can record again, under a new key.
      assert.match((await readIncident(app, kept, keptId)).json().narrative.confidential, /KEEPME/);
      const later = await seed(app, m, 'AFTERSHRED');
      assert.match((await readIncident(app, m, later)).json().narrative.confidential, /AFTERSHRED/);
      assert.deepEqual(await auditActions(store, m.id), ['keys.rotate_data', 'keys.shred']);

      await reopen(provider); // nothing cached: still unreadable, still answering
      const res = await readIncident(app, m, id);
      assert.equal(res.statusCode, 200, res.body);
      assert.equal(res.json().narrative.confidential, '');
    });
  });
}

/** Every file under a folder that holds `needle`. */
function filesHolding(dir: string, needle: Buffer): string[] {
  const hits: string[] = [];
  const walk = (d: string) => {
    for (const entry of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, entry.name);
      if (entry.isDirectory()) walk(p);
      else if (fs.readFileSync(p).includes(needle)) hits.push(path.relative(dir, p));
    }
  };
  walk(dir);
  return hits;
}

describe('tutela keys (CLI, PGlite folder)', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tutela-keys-cli-'));
  const data = path.join(dir, 'data');
  const keyFile = path.join(dir, 'new.key');
  const next = randomBytes(32).toString('base64');
  const oldKey = testKeyProvider;
  const newProvider = new LocalKeyProvider(Buffer.from(next, 'base64'));
  let m: Mission;
  let id: string;
  const cli = (args: string[], masterKey: string) =>
    run(process.execPath, ['bin/tutela.mjs', 'keys', ...args], { cwd: root, env: { ...process.env, TUTELA_DATA_DIR: data, DATABASE_URL: '', TUTELA_MASTER_KEY: masterKey } });

  before(async () => {
    fs.writeFileSync(keyFile, `${next}\n`, { mode: 0o600 });
    const store = await openStore({ kind: 'pglite', dataDir: data }, { loadDataDir: await pgliteTemplate(), keyProvider: oldKey });
    const app = await testServer(store);
    m = await newMission(store, app);
    id = await seed(app, m, 'CLIMARK');
    await app.close();
    await store.close();
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('rotates the master key, refuses the wrong key, and shreds only when confirmed', async () => {
    const oldB64 = process.env.TUTELA_MASTER_KEY!;
    const { stdout } = await cli(['rotate', '--new-key-file', keyFile], oldB64);
    assert.match(stdout, /master key rotated: 3 data key\(s\) in 1 mission\(s\) re-wrapped from \w+ to \w+/);
    assert.ok(stdout.includes(newProvider.id));

    // The old key is now the wrong key: refused with a sentence, exit 1, nothing changed.
    await assert.rejects(cli(['rotate', '--data-keys'], oldB64), (err: { code: number; stderr: string }) =>
      err.code === 1 && /does not unwrap/.test(err.stderr) && /nothing was changed/.test(err.stderr) && !/\n\s+at /.test(err.stderr));
    await assert.rejects(cli(['rotate', '--new-key-env', 'TUTELA_NO_SUCH_VAR'], next), /TUTELA_NO_SUCH_VAR is not set/);

    const rotated = await cli(['rotate', '--data-keys'], next);
    assert.match(rotated.stdout, new RegExp(`mission ${m.id} mrm +retired [0-9a-f-]+, new [0-9a-f-]+`));
    assert.match(rotated.stdout, /data keys rotated: 2/);

    let store = await openStore({ kind: 'pglite', dataDir: data }, { keyProvider: newProvider });
    let app = await testServer(store);
    let res = await readIncident(app, m, id);
    assert.match(res.json().narrative.confidential, /CLIMARK/, 'the new key reads what the old one sealed');
    const wrapped = (await store.db.selectFrom('data_keys').select('wrapped').where('mission_id', '=', m.id).where('purpose', '=', 'mrm').execute()).map((r) => Buffer.from(r.wrapped));
    assert.equal(wrapped.length, 2);
    const ciphertext = Buffer.from((await sealedRow(store, m.id, id)).narrative_confidential_sealed!);
    await app.close();
    await store.close();

    await assert.rejects(cli(['shred', '--mission', m.id], next), /repeat the command with --yes-destroy-data/);
    const shred = await cli(['shred', '--mission', m.id, '--purpose', 'mrm', '--yes-destroy-data'], next);
    assert.match(shred.stdout, new RegExp(`mission ${m.id}: 2 data key\\(s\\) deleted \\(purpose mrm\\); 2 sealed field\\(s\\) are now unrecoverable`));

    store = await openStore({ kind: 'pglite', dataDir: data }, { keyProvider: newProvider });
    app = await testServer(store);
    try {
      res = await readIncident(app, m, id);
      assert.equal(res.statusCode, 200, res.body);
      assert.equal(res.json().narrative.confidential, '');
      const row = await sealedRow(store, m.id, id);
      assert.ok(row.narrative_confidential_sealed && row.coordinates_sealed, 'the ciphertext stays in the row');
      assert.equal((await store.db.selectFrom('data_keys').select('key_id').where('mission_id', '=', m.id).where('purpose', '=', 'mrm').execute()).length, 0);
      await sql`checkpoint`.execute(store.db);
    } finally {
      await app.close();
      await store.close();
    }
    // The folder: the sealed narrative is still there, the wrapped keys are gone from the table files.
    assert.ok(filesHolding(path.join(data, 'base'), ciphertext).length > 0, 'the sealed narrative is still in the folder');
    for (const w of wrapped) assert.deepEqual(filesHolding(path.join(data, 'base'), w), [], 'no deleted data key left in the table files');
    // What remains is the write-ahead log (until recycled), and only wrapped by the master key: after a shred,
    // rotate the master key and destroy the old one to make those copies (and older backups) useless.
    for (const w of wrapped) assert.deepEqual(filesHolding(data, w).filter((f) => !f.startsWith('pg_wal')), []);
  });
});
