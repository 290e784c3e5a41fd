import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { Kysely, PGliteDialect } from 'kysely';
import { migrateToLatest } from '../../src/platform/db/migrate.ts';
import { openStore, type Store } from '../../src/platform/db/store.ts';
import { LocalKeyProvider } from '../../src/platform/crypto/key-provider.ts';

export type StoreKind = 'pglite' | 'postgres';

/** A fixed master key for tests; server processes the tests start inherit it through the environment. */
process.env.TUTELA_MASTER_KEY ??= Buffer.alloc(32, 7).toString('base64');
export const testKeyProvider = new LocalKeyProvider(Buffer.from(process.env.TUTELA_MASTER_KEY, 'base64'));
export const STORE_KINDS: StoreKind[] = ['pglite', 'postgres'];

/** PostgreSQL tests run when this is set (.ci/run sets it); otherwise they are reported as skipped. */
export const postgresUrl = process.env.TUTELA_TEST_DATABASE_URL;

const migrationsDir = path.resolve(import.meta.dirname, '../../src/platform/db/migrations');

/**
 * A migrated PGlite data directory, dumped once and reused: loading a dump takes ~1.5 s where a
 * fresh instance plus migrations takes 5–20 s (stack.md §1.1). Keyed by the migrations' content.
 */
export async function pgliteTemplate(): Promise<Blob> {
  const hash = createHash('sha256');
  for (const f of fs.readdirSync(migrationsDir).sort()) hash.update(f).update(fs.readFileSync(path.join(migrationsDir, f)));
  const file = path.join(os.tmpdir(), `tutela-test-template-${hash.digest('hex').slice(0, 16)}.tar.gz`);
  if (!fs.existsSync(file)) {
    const pglite = await PGlite.create();
    const db = new Kysely<any>({ dialect: new PGliteDialect({ pglite }) });
    await migrateToLatest(db);
    const dump = await pglite.dumpDataDir('gzip');
    const tmp = `${file}.${process.pid}`;
    fs.writeFileSync(tmp, Buffer.from(await dump.arrayBuffer()));
    fs.renameSync(tmp, file); // atomic: a parallel test file never reads half a template
    await db.destroy();
  }
  return new Blob([fs.readFileSync(file)]);
}

/** Opens a store of the given kind for one test file. Tests isolate themselves by mission (see fixtures.ts). */
export async function openTestStore(kind: StoreKind): Promise<Store> {
  if (kind === 'postgres') {
    if (!postgresUrl) throw new Error('TUTELA_TEST_DATABASE_URL is not set');
    return openStore({ kind: 'postgres', url: postgresUrl, poolSize: 10 }, { keyProvider: testKeyProvider });
  }
  return openStore({ kind: 'pglite', dataDir: 'memory://' }, { loadDataDir: await pgliteTemplate(), keyProvider: testKeyProvider });
}
