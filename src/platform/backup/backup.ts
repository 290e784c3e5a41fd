import fs from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { sql, type Kysely } from 'kysely';
import type { KeyProvider } from '../crypto/key-provider.ts';
import { newFileHeader, type Manifest } from './format.ts';
import { appliedMigrations, BackupError, listTables } from './schema-info.ts';

const FETCH_ROWS = 500;

export interface BackupResult {
  file: string;
  bytes: number;
  manifest: Manifest;
}

/**
 * Writes an encrypted backup of every application table to `file`, read in one REPEATABLE READ
 * transaction (one consistent snapshot on PostgreSQL; PGlite has one connection, so one transaction is
 * consistent too). Rows stream through a cursor, gzip and AES-256-GCM to disk: memory stays at one batch.
 * The file appears only when complete (written beside it, then renamed), readable by its owner only.
 */
export async function backupStore(db: Kysely<any>, kind: 'pglite' | 'postgres', file: string, provider: KeyProvider): Promise<BackupResult> {
  const tmp = `${file}.partial-${process.pid}`;
  const { prefix, cipher, header } = newFileHeader(provider);
  try {
    const manifest = await db.transaction().setIsolationLevel('repeatable read').execute(async (trx) => {
      await sql`set transaction read only`.execute(trx);
      const tables = await listTables(trx);
      const migrations = await appliedMigrations(trx);
      if (migrations.length === 0) throw new BackupError('the store has never been migrated: nothing to back up');
      const counts: Manifest['tables'] = [];
      for (const t of tables) {
        const n = (await sql<{ n: string | number }>`select count(*)::text as n from ${sql.id('public', t.name)}`.execute(trx)).rows[0]!.n;
        counts.push({ name: t.name, rows: Number(n), columns: t.columns });
      }
      const serverVersion = (await sql<{ v: string }>`select current_setting('server_version') as v`.execute(trx)).rows[0]!.v;
      const manifest: Manifest = {
        format: 'tutela-backup', version: 1, created_at: header.created_at, source: { kind, server_version: serverVersion },
        master_key_id: provider.id, migrations, tables: counts,
      };
      async function* lines(): AsyncGenerator<string> {
        yield `${JSON.stringify(manifest)}\n`;
        for (const t of tables) {
          const expected = counts.find((c) => c.name === t.name)!.rows;
          yield `${JSON.stringify({ table: t.name, rows: expected })}\n`;
          const order = sql.join(t.orderBy.map((c) => sql.ref(`backup_row.${c}`)));
          await sql`declare backup_cursor no scroll cursor for
            select to_jsonb(backup_row)::text as j from ${sql.id('public', t.name)} as backup_row order by ${order}`.execute(trx);
          let seen = 0;
          for (;;) {
            const { rows } = await sql<{ j: string }>`fetch forward ${sql.raw(String(FETCH_ROWS))} from backup_cursor`.execute(trx);
            if (rows.length === 0) break;
            seen += rows.length;
            yield `${rows.map((r) => r.j).join('\n')}\n`;
          }
          await sql`close backup_cursor`.execute(trx);
          if (seen !== expected) throw new BackupError(`table ${t.name}: counted ${expected} rows but read ${seen}`);
        }
        yield `${JSON.stringify({ end: true, tables: tables.length })}\n`;
      }
      const out = fs.createWriteStream(tmp, { flags: 'wx', mode: 0o600 });
      out.write(prefix);
      await pipeline(Readable.from(lines()), createGzip({ level: 6 }), cipher, out);
      return manifest;
    });
    fs.appendFileSync(tmp, cipher.getAuthTag());
    const fd = fs.openSync(tmp, 'r');
    try {
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, file);
    return { file, bytes: fs.statSync(file).size, manifest };
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    throw err;
  }
}
