import path from 'node:path';
import type { Command } from 'commander';
import { auditRow, writeAudit } from '../platform/audit.ts';
import { loadConfig } from '../platform/config.ts';
import { systemContext } from '../platform/context.ts';
import { loadMasterKey } from '../platform/crypto/key-provider.ts';
import { openStore, type Store } from '../platform/db/store.ts';
import { backupStore } from '../platform/backup/backup.ts';
import { restoreStore } from '../platform/backup/restore.ts';
import { BackupError } from '../platform/backup/schema-info.ts';
import { formatVerifyResult } from './audit-command.ts';
import { withStore } from './users-command.ts';

/** Like withStore, but without migrating: a restore migrates the target to the backup's level itself. */
async function withUnmigratedStore<T>(fn: (store: Store, keys: ReturnType<typeof loadMasterKey>) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const keys = loadMasterKey(config.masterKey, (m) => console.warn(`tutela: ${m}`));
  const store = await openStore(config.store, { keyProvider: keys, migrate: false });
  try {
    return await fn(store, keys);
  } finally {
    await store.close();
  }
}

/** A refused backup or restore is a sentence for the operator, not a stack trace. */
async function reported(fn: () => Promise<void>): Promise<void> {
  try {
    await fn();
  } catch (err) {
    if (!(err instanceof BackupError)) throw err;
    console.error(`tutela: ${err.message}`);
    process.exitCode = 1;
  }
}

export function registerBackupCommands(program: Command): void {
  program.command('backup')
    .description('Write an encrypted, integrity-checked backup of the whole store (a consistent snapshot) to FILE. ' +
      'It can be restored only with the same master key. With PGlite, stop the server first (the folder is locked).')
    .requiredOption('--out <file>', 'where to write the backup (must not exist)')
    .action(async (opts: { out: string }) => reported(async () => {
      const config = loadConfig();
      const keys = loadMasterKey(config.masterKey, (m) => console.warn(`tutela: ${m}`));
      await withStore(async (store) => {
        const out = path.resolve(opts.out);
        const result = await backupStore(store.db, store.kind, out, keys);
        const total = result.manifest.tables.reduce((n, t) => n + t.rows, 0);
        await store.db.transaction().execute((trx) => writeAudit(trx, [auditRow({ ...systemContext('*') },
          { action: 'store.backup', targetType: 'store', details: { rows: total, tables: result.manifest.tables.length, migration: result.manifest.migrations.at(-1) } })]));
        for (const t of result.manifest.tables) console.log(`${t.name.padEnd(24)} ${String(t.rows).padStart(9)}`);
        console.log(`backup written: ${out} (${result.bytes} bytes, ${total} rows in ${result.manifest.tables.length} tables, ` +
          `migration ${result.manifest.migrations.at(-1)}, master key ${keys.id})`);
      });
    }));

  program.command('restore')
    .description('Restore a backup onto an EMPTY store (a new PGlite folder or an empty PostgreSQL database), then verify the audit trail. ' +
      'The whole file is checked before anything is written; a damaged file or another master key is refused.')
    .argument('<file>', 'a file written by `tutela backup`')
    .action(async (file: string) => reported(async () => {
      await withUnmigratedStore(async (store, keys) => {
        const result = await restoreStore(store.db, path.resolve(file), keys);
        for (const t of result.manifest.tables) console.log(`${t.name.padEnd(24)} ${String(result.rows[t.name] ?? 0).padStart(9)}`);
        if (result.upgradedWith.length) console.log(`then migrated: ${result.upgradedWith.join(', ')}`);
        for (const line of formatVerifyResult(result.audit)) (/^(TAMPERED|sealer|audit trail BROKEN)/.test(line) ? console.error : console.log)(line);
        // On record in the restored store, after the check (so the check saw exactly the backup).
        await store.db.transaction().execute((trx) => writeAudit(trx, [auditRow({ ...systemContext('*') },
          { action: 'store.restore', targetType: 'store', details: { backup_created_at: result.manifest.created_at, audit_ok: result.audit.ok } })]));
        const total = Object.values(result.rows).reduce((n, r) => n + r, 0);
        console.log(`restored ${total} rows in ${result.manifest.tables.length} tables from a backup of ${result.manifest.created_at}`);
        if (!result.audit.ok) process.exitCode = 2;
      });
    }));
}
