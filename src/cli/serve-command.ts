import cluster from 'node:cluster';
import type { Command } from 'commander';
import { loadConfig, type Config } from '../platform/config.ts';
import { migrateToLatest } from '../platform/db/migrate.ts';
import { openStore, type Store } from '../platform/db/store.ts';
import { startAuditSealer } from '../platform/audit.ts';
import { fieldCrypto } from '../platform/crypto/field-crypto.ts';
import { loadMasterKey } from '../platform/crypto/key-provider.ts';
import { listenToPeers, relayBetweenWorkers } from '../platform/peers.ts';
import { forgetSessions } from '../modules/accounts/service.ts';
import { startHotspotSchedule } from '../modules/analytics/schedule.ts';
import { startUploadSweep } from '../modules/attachments/cleanup.ts';
import { sealLegacyPlaintext } from '../modules/mrm/sealed-fields.ts';
import { createServer } from '../server.ts';
import { ensureDemo } from './demo-command.ts';

export function registerServeCommands(program: Command): void {
  program.command('serve')
    .description('Run the HTTP server (migrates the store first). HOST and PORT choose where it listens; TUTELA_WORKERS how many processes share it.')
    .option('--demo-if-empty', 'on an empty store, create the demo mission and print one-time passwords')
    .action(async (opts: { demoIfEmpty?: boolean }) => {
      const config = loadConfig();
      if (config.workers > 1 && cluster.isPrimary) return runPrimary(config, opts);
      if (cluster.isWorker) return runServer(config, false);
      const store = await openReadyStore(config, opts);
      return runServer(config, true, store);
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

/** How long a stopping server process may take to answer the requests it holds. */
const SHUTDOWN_GRACE_MS = 30_000;

/** The background jobs; `stop()` waits for runs in progress. */
function startJobs(store: Store, config: Config, onError: (message: string) => void): { stop(): Promise<void> } {
  // Links new audit rows into each mission's hash chain every few seconds (platform/audit.ts).
  const running: { stop(): Promise<void> | void }[] = [startAuditSealer(store.db, { onError })];
  // Deletes uploads begun and never finished for a week (modules/attachments/cleanup.ts).
  running.push(startUploadSweep(store.db, onError));
  if (config.hotspotScanHour !== null) running.push(startHotspotSchedule(store.db, config.hotspotScanHour, onError));
  return { stop: async () => { await Promise.all(running.map(async (j) => j.stop())); } };
}

/** Migrated, legacy plaintext sealed, demo created if asked: what must happen once, before any request. */
async function openReadyStore(config: Config, opts: { demoIfEmpty?: boolean }): Promise<Store> {
  const keyProvider = loadMasterKey(config.masterKey, (m) => console.warn(`tutela: ${m}`));
  const store = await openStore(config.store, { keyProvider });
  const sealed = await sealLegacyPlaintext(store.db, (n) => console.log(`sealing the confidential fields of ${n} incident(s) written before field encryption...`));
  if (sealed > 0) console.log(`sealed ${sealed} incident(s)`);
  if (opts.demoIfEmpty) await ensureDemo(store);
  return store;
}

/** `alone`: the only server process, which also runs the jobs and says where it listens (a worker does neither). */
async function runServer(config: Config, alone: boolean, ready?: Store): Promise<void> {
  const store = ready ?? await openStore(config.store, { keyProvider: loadMasterKey(config.masterKey, () => {}), migrate: false });
  const app = await createServer(store, config);
  if (alone) {
    const jobs = startJobs(store, config, (m) => app.log.error(m));
    app.addHook('onClose', () => jobs.stop());
  }
  if (cluster.isWorker) {
    listenToPeers((news) => {
      if (news.tutela === 'forget-record-keys') fieldCrypto(store.db).forgetRecordKeys(news.missionId, news.keyIds, false);
      else if (news.tutela === 'forget-data-keys') fieldCrypto(store.db).forget(news.missionId ?? undefined, false);
      else forgetSessions(store.db, false);
    });
  }
  // Once only, whichever comes first and however often: a service manager signals every process of the
  // group and the primary then signals its workers again; a second signal must not cut the first
  // shutdown short (in-flight requests are answered, then the pool closes). Bounded, so a hung
  // request cannot keep a stopped server alive.
  let closing: Promise<void> | null = null;
  const shutdown = (signal: string) => {
    closing ??= (async () => {
      app.log.info({ signal }, 'shutting down');
      setTimeout(() => process.exit(1), SHUTDOWN_GRACE_MS).unref();
      await app.close();
      await store.close();
      process.exit(0);
    })();
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  // A worker whose primary is gone (killed) must not serve on alone, unsupervised.
  if (cluster.isWorker) process.once('disconnect', () => shutdown('primary gone'));
  const address = await app.listen({ host: config.http.host, port: config.http.port });
  if (alone) announce(address, config);
}

function announce(address: string, config: Config): void {
  const processes = config.workers > 1 ? `, ${config.workers} server processes` : '';
  console.log(`Tutela is serving on ${address} (store: ${describeStore(config.store)}${processes})`);
  console.log(`  health: ${address}/api/health   API description: ${address}/api/openapi.json`);
}

/**
 * Several server processes on one port (node:cluster), for PostgreSQL: one Node process uses one core,
 * and on a 2-core server the intake's own CPU (parsing, checks, sealing) was the first limit. The primary
 * migrates and prepares the store once, then supervises (a worker that dies is replaced) and runs the
 * background jobs itself, so a sealing run or a nightly scan never holds up a request.
 */
async function runPrimary(config: Config, opts: { demoIfEmpty?: boolean }): Promise<void> {
  // A few connections are enough for the jobs; the workers each open TUTELA_DB_POOL_SIZE.
  const store = await openReadyStore({ ...config, store: config.store.kind === 'postgres' ? { ...config.store, poolSize: Math.min(3, config.store.poolSize) } : config.store }, opts);
  relayBetweenWorkers();
  const jobs = startJobs(store, config, (m) => console.error(`tutela: ${m}`));
  let stopping = false;
  let listening = 0;
  // A larger young generation: a request allocates a lot that dies young, and with V8's default
  // 16 MB semi-space, collection was 12% of a server process's CPU under intake load; at 64 MB, 5%.
  if (!process.execArgv.some((a) => a.startsWith('--max-semi-space-size'))) {
    cluster.setupPrimary({ execArgv: [...process.execArgv, '--max-semi-space-size=64'] });
  }
  for (let i = 0; i < config.workers; i++) cluster.fork();
  cluster.on('listening', (_worker, where) => {
    if (++listening !== config.workers) return;
    const host = where.address && where.address !== '::' && where.address !== '0.0.0.0' ? where.address : config.http.host;
    announce(`http://${host.includes(':') ? `[${host}]` : host}:${where.port}`, config);
  });
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    // Workers still running after their own grace are killed, so a stop always ends.
    setTimeout(() => { for (const w of Object.values(cluster.workers ?? {})) w?.process.kill('SIGKILL'); }, SHUTDOWN_GRACE_MS + 2_000).unref();
    const workers = Object.values(cluster.workers ?? {}).filter((w) => w !== undefined);
    await Promise.all(workers.map((w) => new Promise<void>((resolve) => {
      if (w.isDead()) return resolve();
      w.once('exit', () => resolve());
      w.process.kill('SIGTERM');
    })));
    await jobs.stop();
    await store.close();
    process.exit(code);
  };
  const recentExits: number[] = [];
  cluster.on('exit', (worker, code, signal) => {
    if (stopping) return;
    console.error(`tutela: server process ${worker.process.pid} stopped (${signal ?? `exit ${code}`}); starting another`);
    // A process that cannot run (the database unreachable, say) must not be restarted forever.
    const now = Date.now();
    recentExits.push(now);
    while (recentExits[0]! < now - 60_000) recentExits.shift();
    if (recentExits.length > 10) {
      console.error('tutela: more than 10 server processes stopped within a minute; giving up');
      void stop(1);
      return;
    }
    cluster.fork();
  });
  process.on('SIGINT', () => void stop(0));
  process.on('SIGTERM', () => void stop(0));
}
