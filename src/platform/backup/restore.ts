import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { sql, type Kysely } from 'kysely';
import { verifyAuditTrail, type VerifyResult } from '../audit.ts';
import type { KeyProvider } from '../crypto/key-provider.ts';
import { migrateToLatest } from '../db/migrate.ts';
import type { DB } from '../db/schema.ts';
import { asDamaged, ciphertextStream, openBackupFile, type Manifest, type OpenedFile } from './format.ts';
import { appliedMigrations, BackupError, knownMigrations, listTables, migrateTo, type TableInfo } from './schema-info.ts';

/** Rows per INSERT, and characters of JSON per INSERT, whichever is reached first. */
const BATCH_ROWS = 1000;
const BATCH_CHARS = 4 * 1024 * 1024;

/** Splits a byte stream into lines (UTF-8 safe: only ever cut at '\n'). */
async function* splitLines(source: AsyncIterable<Buffer>): AsyncGenerator<string> {
  let rest = '';
  const decoder = new TextDecoder('utf-8', { fatal: true });
  for await (const chunk of source) {
    const text = rest + decoder.decode(chunk, { stream: true });
    const parts = text.split('\n');
    rest = parts.pop()!;
    yield* parts;
  }
  rest += decoder.decode();
  if (rest) yield rest;
}

/** Pass one: decrypts the whole file without keeping it, so a damaged backup is refused before anything is written. */
async function authenticate(file: string, opened: OpenedFile): Promise<void> {
  try {
    await pipeline(ciphertextStream(file, opened), opened.decipher(), new Writable({ write: (_c, _e, done) => done() }));
  } catch (err) {
    throw asDamaged(err);
  }
}

/** The manifest: the first line of the (already authenticated) plaintext. */
async function readManifest(file: string, opened: OpenedFile): Promise<Manifest> {
  let manifest: Manifest | undefined;
  const source = ciphertextStream(file, opened);
  const decipher = opened.decipher();
  const gunzip = createGunzip();
  source.on('error', (e) => gunzip.destroy(e));
  decipher.on('error', (e) => gunzip.destroy(e));
  source.pipe(decipher).pipe(gunzip);
  try {
    for await (const line of splitLines(gunzip)) {
      manifest = JSON.parse(line) as Manifest;
      break; // the rest is read by the restore itself
    }
  } catch (err) {
    throw asDamaged(err);
  } finally {
    source.destroy();
    decipher.destroy();
    gunzip.destroy();
  }
  if (!manifest || manifest.format !== 'tutela-backup' || manifest.version !== 1 || !Array.isArray(manifest.tables) || !Array.isArray(manifest.migrations)) {
    throw asDamaged(new Error('its manifest is missing'));
  }
  return manifest;
}

export interface BackupSummary {
  header: OpenedFile['header'];
  manifest: Manifest;
}

/** Checks a backup end to end (key, every byte) and returns what it holds, writing nothing anywhere. */
export async function inspectBackup(file: string, provider: KeyProvider): Promise<BackupSummary> {
  const opened = openBackupFile(file, provider);
  await authenticate(file, opened);
  return { header: opened.header, manifest: await readManifest(file, opened) };
}

export interface RestoreResult extends BackupSummary {
  rows: Record<string, number>;
  /** Migrations applied after the data, to bring the store up to this version of Tutela. */
  upgradedWith: string[];
  audit: VerifyResult;
}

async function nonEmptyTables(db: Kysely<any>): Promise<string[]> {
  const found: string[] = [];
  for (const t of await listTables(db)) {
    const { rows } = await sql<{ one: number }>`select 1 as one from ${sql.id('public', t.name)} limit 1`.execute(db);
    if (rows.length > 0) found.push(t.name);
  }
  return found;
}

/**
 * Restores a backup onto an empty store (opened without migrating): checks the whole file first,
 * migrates the store to the backup's migration level, inserts every table in one transaction (parents
 * first, identity values kept, sequences moved past them), applies any newer migrations, then verifies
 * the audit chain without sealing anything, so the store holds exactly what the backup held.
 */
export async function restoreStore(db: Kysely<DB>, file: string, provider: KeyProvider): Promise<RestoreResult> {
  const opened = openBackupFile(file, provider);
  await authenticate(file, opened);
  const manifest = await readManifest(file, opened);

  const known = await knownMigrations();
  const unknown = manifest.migrations.filter((m) => !known.includes(m));
  if (unknown.length) {
    throw new BackupError(`the backup was made by a newer Tutela: it names migration(s) this version does not know (${unknown.join(', ')}). Restore it with that version or later.`);
  }
  if (manifest.migrations.join('\n') !== known.slice(0, manifest.migrations.length).join('\n')) {
    throw new BackupError('the backup\'s migrations are not a prefix of this version\'s: it comes from another line of Tutela');
  }
  const busy = await nonEmptyTables(db);
  if (busy.length) {
    throw new BackupError(`the target store is not empty (rows in ${busy.join(', ')}): restore only onto an empty PGlite folder or PostgreSQL database`);
  }
  const applied = await appliedMigrations(db);
  const ahead = applied.filter((m) => !manifest.migrations.includes(m));
  if (ahead.length) {
    throw new BackupError(`the target store is already migrated past the backup (${ahead.join(', ')}): restore onto a new, unmigrated store`);
  }
  await migrateTo(db, manifest.migrations.at(-1)!);

  const tables = new Map((await listTables(db)).map((t) => [t.name, t] as const));
  const missing = manifest.tables.filter((t) => !tables.has(t.name)).map((t) => t.name);
  const extra = [...tables.keys()].filter((n) => !manifest.tables.some((t) => t.name === n));
  if (missing.length || extra.length) {
    throw new BackupError(`the schema at ${manifest.migrations.at(-1)} does not match the backup's tables (missing: ${missing.join(', ') || 'none'}; not in the backup: ${extra.join(', ') || 'none'})`);
  }

  const rows: Record<string, number> = {};
  await db.transaction().execute(async (trx) => {
    const insert = async (t: TableInfo, batch: string[]) => {
      const cols = sql.join(t.columns.map((c) => sql.id(c)));
      const json = `[${batch.join(',')}]`;
      await sql`insert into ${sql.id('public', t.name)} (${cols}) ${t.identityAlways ? sql`overriding system value` : sql``}
        select ${cols} from jsonb_populate_recordset(null::${sql.id('public', t.name)}, cast(cast(${json} as text) as jsonb))`.execute(trx);
    };
    try {
      await pipeline(ciphertextStream(file, opened), opened.decipher(), createGunzip(), async (source: AsyncIterable<Buffer>) => {
        let current: { table: TableInfo; expected: number } | undefined;
        let batch: string[] = [];
        let chars = 0;
        let ended = false;
        const flush = async () => {
          if (current && batch.length) await insert(current.table, batch);
          batch = [];
          chars = 0;
        };
        const finishTable = async () => {
          await flush();
          if (current && rows[current.table.name] !== current.expected) {
            throw new BackupError(`table ${current.table.name}: the backup announces ${current.expected} rows but holds ${rows[current.table.name]}`);
          }
        };
        let first = true;
        for await (const line of splitLines(source)) {
          if (first) { first = false; continue; } // the manifest, read already
          if (ended) throw new BackupError('data after the end of the backup');
          if (line.startsWith('{"table":') || line.startsWith('{"end":')) {
            const marker = JSON.parse(line) as { table?: string; rows?: number; end?: boolean };
            await finishTable();
            if (marker.end) { ended = true; current = undefined; continue; }
            const table = tables.get(marker.table ?? '');
            if (!table) throw new BackupError(`the backup holds table ${marker.table}, which the schema does not have`);
            current = { table, expected: Number(marker.rows) };
            rows[table.name] = 0;
            continue;
          }
          if (!current) throw new BackupError('a row outside any table');
          batch.push(line);
          chars += line.length;
          rows[current.table.name]!++;
          if (batch.length >= BATCH_ROWS || chars >= BATCH_CHARS) await flush();
        }
        if (!ended) throw new BackupError('the backup ends early');
      });
    } catch (err) {
      // GCM, zlib and JSON errors mean a damaged file; a database error is the database's.
      if (err instanceof BackupError || /authenticate|zlib|incorrect header|unexpected end|JSON/i.test(String((err as Error)?.message ?? err))) throw asDamaged(err);
      throw err;
    }
    for (const t of manifest.tables) {
      if ((rows[t.name] ?? 0) !== t.rows) throw new BackupError(`table ${t.name}: the manifest lists ${t.rows} rows, the backup holds ${rows[t.name] ?? 0}`);
    }
    for (const t of tables.values()) {
      for (const c of t.sequenceColumns) {
        await sql`select setval(pg_get_serial_sequence(${`public.${t.name}`}, ${c}), max_value)
          from (select max(${sql.id(c)}) as max_value from ${sql.id('public', t.name)}) m where max_value is not null`.execute(trx);
      }
    }
  });
  const upgradedWith = await migrateToLatest(db);
  const audit = await verifyAuditTrail(db, { seal: false });
  return { header: opened.header, manifest, rows, upgradedWith, audit };
}
