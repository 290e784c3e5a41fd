import { createHash } from 'node:crypto';
import { PGlite } from '@electric-sql/pglite';
import { Kysely, PGliteDialect, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import type { StoreConfig } from '../config.ts';
import { registerFieldCrypto } from '../crypto/field-crypto.ts';
import type { KeyProvider } from '../crypto/key-provider.ts';
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
const ANALYZE_EVERY_MS = 60_000;
/** Per connection; beyond it statements go unnamed, so a stream of one-off SQL texts cannot grow memory without bound. */
const MAX_PREPARED_PER_CONNECTION = 500;

/**
 * Names every parameterised statement after a digest of its text, so PostgreSQL parses and plans it
 * once per connection instead of on every call (a third of the server's CPU on the intake path).
 */
function preparePerConnection(client: pg.PoolClient): void {
  const query = client.query.bind(client) as (...args: unknown[]) => unknown;
  const named = new Set<string>();
  (client as unknown as { query: (...args: unknown[]) => unknown }).query = (text: unknown, values?: unknown, callback?: unknown) => {
    if (typeof text !== 'string' || !Array.isArray(values) || values.length === 0 || callback !== undefined) return query(text, values, callback);
    const name = `t_${createHash('sha1').update(text).digest('base64url')}`;
    if (!named.has(name)) {
      if (named.size >= MAX_PREPARED_PER_CONNECTION) return query(text, values);
      named.add(name);
    }
    return query({ name, text, values });
  };
}

export interface OpenStoreOptions {
  /** Run pending migrations before returning (default true). */
  migrate?: boolean;
  /** PGlite only: start from a dumped data directory (tests use a migrated template). */
  loadDataDir?: Blob;
  /** Wraps the data keys of sealed fields; without it the store opens but cannot seal or open fields. */
  keyProvider?: KeyProvider;
  /**
   * PGlite only: its buffer cache (PostgreSQL's shared_buffers, default 128MB). The WebAssembly heap
   * grows to hold it and never shrinks, so it bounds the process's memory; TUTELA_PGLITE_SHARED_BUFFERS
   * sets it from the environment.
   */
  pgliteSharedBuffers?: string;
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
    // JIT off: every statement here is short, and PostgreSQL's default (jit_above_cost 100000) JIT-compiled
    // the intake's group statement on every execution: 4.2 ms of PostgreSQL CPU per report instead of 0.3,
    // 260 instead of 1,227 reports/s (bench:intake, one report per request). PGOPTIONS still adds to it.
    const pool = new pg.Pool({ connectionString: config.url, max: config.poolSize, options: ['-c jit=off', process.env.PGOPTIONS].filter(Boolean).join(' ') });
    pool.on('connect', preparePerConnection);
    // An idle connection that PostgreSQL ends (a restart, an administrator, a dropped database) is an
    // 'error' event on the pool; unheard, it would crash the whole server. The pool discards that
    // client and the next query connects again; a query in flight still gets its own error.
    pool.on('error', (err) => process.emitWarning(`PostgreSQL closed an idle connection: ${err.message}`, { code: 'TUTELA_PG_IDLE' }));
    const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
    store = { kind: 'postgres', db, close: () => db.destroy() };
  } else {
    const lock = config.dataDir === 'memory://' ? undefined : StoreLock.acquire(config.dataDir);
    try {
      const sharedBuffers = options.pgliteSharedBuffers ?? process.env.TUTELA_PGLITE_SHARED_BUFFERS;
      const pglite = await PGlite.create(config.dataDir === 'memory://' ? undefined : config.dataDir, {
        parsers: { [DATE_OID]: keepText, [INT8_OID]: int8 },
        ...(sharedBuffers ? { startParams: [...PGlite.defaultStartParams, '-c', `shared_buffers=${sharedBuffers}`] } : {}),
        ...(options.loadDataDir ? { loadDataDir: options.loadDataDir } : {}),
      });
      // PGlite runs no autovacuum/autoanalyze, and plans cached while tables were empty (the foreign-key
      // checks among them) stay full scans forever: intake slowed 2x over 2,400 incidents. Custom plans
      // see the tables' real size; a periodic ANALYZE keeps the statistics current.
      await pglite.exec('set plan_cache_mode = force_custom_plan');
      const db = new Kysely<DB>({ dialect: new PGliteDialect({ pglite }) });
      const analyze = setInterval(() => void sql`analyze`.execute(db).catch(() => undefined), ANALYZE_EVERY_MS);
      analyze.unref();
      store = {
        kind: 'pglite',
        db,
        close: async () => {
          clearInterval(analyze);
          await db.destroy();
          lock?.release();
        },
      };
    } catch (err) {
      lock?.release();
      throw err;
    }
  }
  if (options.keyProvider) registerFieldCrypto(store.db, options.keyProvider);
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
