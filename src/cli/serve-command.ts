import type { Command } from 'commander';
import { loadConfig } from '../platform/config.ts';
import { migrateToLatest } from '../platform/db/migrate.ts';
import { openStore } from '../platform/db/store.ts';
import { startAuditSealer } from '../platform/audit.ts';
import { loadMasterKey } from '../platform/crypto/key-provider.ts';
import { startHotspotSchedule } from '../modules/analytics/schedule.ts';
import { startUploadSweep } from '../modules/attachments/cleanup.ts';
import { sealLegacyPlaintext } from '../modules/mrm/sealed-fields.ts';
import { createServer } from '../server.ts';
import { ensureDemo } from './demo-command.ts';

export function registerServeCommands(program: Command): void {
  program.command('serve')
    .description('Run the HTTP server (migrates the store first). HOST and PORT choose where it listens.')
    .option('--demo-if-empty', 'on an empty store, create the demo mission and print one-time passwords')
    .action(async (opts: { demoIfEmpty?: boolean }) => {
      const config = loadConfig();
      const keyProvider = loadMasterKey(config.masterKey, (m) => console.warn(`tutela: ${m}`));
      const store = await openStore(config.store, { keyProvider });
      const sealed = await sealLegacyPlaintext(store.db, (n) => console.log(`sealing the confidential fields of ${n} incident(s) written before field encryption...`));
      if (sealed > 0) console.log(`sealed ${sealed} incident(s)`);
      if (opts.demoIfEmpty) await ensureDemo(store);
      const app = await createServer(store, config);
      // Links new audit rows into each mission's hash chain every few seconds (platform/audit.ts).
      const sealer = startAuditSealer(store.db, { onError: (m) => app.log.error(m) });
      app.addHook('onClose', () => sealer.stop());
      // Deletes uploads begun and never finished for a week (modules/attachments/cleanup.ts).
      const sweep = startUploadSweep(store.db, (m) => app.log.error(m));
      app.addHook('onClose', () => sweep.stop());
      if (config.hotspotScanHour !== null) {
        const scans = startHotspotSchedule(store.db, config.hotspotScanHour, (m) => app.log.error(m));
        app.addHook('onClose', () => scans.stop());
      }
      const shutdown = async (signal: string) => {
        app.log.info({ signal }, 'shutting down');
        await app.close();
        await store.close();
        process.exit(0);
      };
      process.once('SIGINT', () => void shutdown('SIGINT'));
      process.once('SIGTERM', () => void shutdown('SIGTERM'));
      const address = await app.listen({ host: config.http.host, port: config.http.port });
      console.log(`Tutela is serving on ${address} (store: ${describeStore(config.store)})`);
      console.log(`  health: ${address}/api/health   API description: ${address}/api/openapi.json`);
    });

  program.command('migrate')
    .description('Apply pending database migrations and exit (the server also does this at start).')
    .action(async () => {
      const config = loadConfig();
      const store = await openStore(config.store, { migrate: false });
      try {
        const applied = await migrateToLatest(store.db);
        console.log(applied.length ? `applied ${applied.length} migration(s): ${applied.join(', ')}` : 'the store is up to date');
      } finally {
        await store.close();
      }
    });
}

/** Where the data is, never the credentials in DATABASE_URL. */
function describeStore(cfg: ReturnType<typeof loadConfig>['store']): string {
  if (cfg.kind === 'pglite') return `PGlite in ${cfg.dataDir}`;
  const url = new URL(cfg.url);
  return `PostgreSQL ${url.host}${url.pathname}`;
}
