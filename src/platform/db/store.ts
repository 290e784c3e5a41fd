import { PGlite } from '@electric-sql/pglite';
import { Kysely, PGliteDialect, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { StoreConfig } from '../config.ts';
import { migrateToLatest } from './migrate.ts';
import type { DB } from './schema.ts';
import { StoreLock } from './store-lock.ts';

export interface Store {
  readonly kind: StoreConfig['kind'];
  readonly db: Kysely<DB>;
  close(): Promise<void>;
}

const DATE_OID = 1082;
const INT8_OID = 20;
// Dates stay 'YYYY-MM-DD' strings: a JS Date at local midnight shifts a day in any timezone west of UTC.
const keepText = (v: string) => v;
// Identity columns are bigint; below 2^53 (always, for audit ids) a number is exact and JSON-safe.
const int8 = (v: string) => Number(v);

let pgParsersSet = false;

export interface OpenStoreOptions {
  /** Run pending migrations before returning (default true). */
  migrate?: boolean;
  /** PGlite only: start from a dumped data directory (tests use a migrated template). */
  loadDataDir?: Blob;
}

/** Opens the configured store: PGlite in a locked folder, or a PostgreSQL pool. */
export async function openStore(config: StoreConfig, options: OpenStoreOptions = {}): Promise<Store> {
  let store: Store;
  if (config.kind === 'postgres') {
    if (!pgParsersSet) {
      pg.types.setTypeParser(DATE_OID, keepText);
      pg.types.setTypeParser(INT8_OID, int8);
      pgParsersSet = true;
    }
    const pool = new pg.Pool({ connectionString: config.url, max: config.poolSize });
    const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
    store = { kind: 'postgres', db, close: () => db.destroy() };
  } else {
    const lock = config.dataDir === 'memory://' ? undefined : StoreLock.acquire(config.dataDir);
    try {
      const pglite = await PGlite.create(config.dataDir === 'memory://' ? undefined : config.dataDir, {
        parsers: { [DATE_OID]: keepText, [INT8_OID]: int8 },
        ...(options.loadDataDir ? { loadDataDir: options.loadDataDir } : {}),
      });
      const db = new Kysely<DB>({ dialect: new PGliteDialect({ pglite }) });
      store = {
        kind: 'pglite',
        db,
        close: async () => {
          await db.destroy();
          lock?.release();
        },
      };
    } catch (err) {
      lock?.release();
      throw err;
    }
  }
  if (options.migrate !== false) {
    try {
      await migrateToLatest(store.db);
    } catch (err) {
      await store.close();
      throw err;
    }
  }
  return store;
}
