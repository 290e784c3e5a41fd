import path from 'node:path';
import { openStore, type Store } from '../../src/platform/db/store.ts';
import { newMission, testServer, type Mission } from './fixtures.ts';
import { openTestStore, pgliteTemplate, postgresUrl, testKeyProvider, type StoreKind } from './stores.ts';

/**
 * A store with one mission and its users, closed again so that a server process (started by the
 * crash and fault tests) can own it: PGlite in a folder under `tmpDir`, or the test PostgreSQL.
 * `storeEnv` is what that process needs to find it.
 */
export async function prepareMissionStore(kind: StoreKind, tmpDir: string): Promise<{ mission: Mission; storeEnv: Record<string, string> }> {
  let store: Store;
  let storeEnv: Record<string, string>;
  if (kind === 'pglite') {
    const dataDir = path.join(tmpDir, 'data');
    store = await openStore({ kind: 'pglite', dataDir }, { loadDataDir: await pgliteTemplate(), keyProvider: testKeyProvider });
    storeEnv = { TUTELA_DATA_DIR: dataDir };
  } else {
    store = await openTestStore('postgres');
    storeEnv = { DATABASE_URL: postgresUrl! };
  }
  try {
    const app = await testServer(store);
    try {
      return { mission: await newMission(store, app), storeEnv };
    } finally {
      await app.close();
    }
  } finally {
    await store.close();
  }
}
