/**
 * Intake benchmark through the real server process, on PGlite and on PostgreSQL.
 * Default (issue 7): 200 concurrent clients pushing offline reports to `POST /api/v1/reports`, each
 * report a new device-chosen UUID v7 carrying an incident with two violations; targets PostgreSQL
 * ≥ 2,000 reports/s and p99 < 200 ms. `--batch 1,10` (the default) runs two scenarios on each store:
 * one report per request, and a device outbox pushing 10 reports per request (`{reports: [...]}`).
 * They are reported separately: requests/s and reports/s, latency per request and per report (a report
 * is answered when its request is, so a batch's reports share its latency), CPU per report. `--endpoint incidents` runs the older direct-create bench
 * (50 clients on `POST /api/v1/incidents`; PostgreSQL ≥ 1,000/s, PGlite ≥ 300/s, p99 < 100 ms).
 * Prints records/s, p50/p95/p99 latency and the load average of the machine, which is shared.
 *
 *   npm run bench:intake [-- --endpoint reports|incidents] [--store pglite|postgres|both] [--duration 10] [--warmup 3] [--connections 200] [--batch 1,10] [--rate N] [--workers N] [--cpu-prof DIR]
 *
 * The clients are a closed loop: each sends its next request when the last is answered, so the mean
 * latency is connections / throughput (Little's law): p99 < 100 ms with 50 clients needs well over
 * 500/s, and p99 < 200 ms with 200 report clients needs well over 1,000/s. `--rate N` caps the
 * offered load at N requests/s instead, to read the latency at that load.
 * Warm-up and measurement are one run on the same connections; only responses inside the measured
 * window count. CPU per incident (server, PostgreSQL, client) comes from /proc over that window.
 * `--cpu-prof DIR` writes a V8 CPU profile of the server process (on its clean SIGTERM exit).
 * `--workers N` runs the PostgreSQL server as N processes sharing the port (TUTELA_WORKERS; default 1);
 * its CPU is the sum over them.
 *
 * Environment: BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/tutela_bench, created
 * if missing), BENCH_DURATION, BENCH_WARMUP, BENCH_CONNECTIONS, BENCH_RATE; TUTELA_DB_POOL_SIZE passes through.
 */
import { createRequire } from 'node:module';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import pg from 'pg';
import { openStore, type Store } from '../src/platform/db/store.ts';
import { incidentBody, loginOverHttp, newMission, PASSWORD, testServer, type Mission } from '../test/support/fixtures.ts';
import { startServer, stopServer } from '../test/support/server-process.ts';
import { pgliteTemplate, testKeyProvider } from '../test/support/stores.ts';
import { uuid7 } from '../web/src/offline/uuid7.ts';

type StoreKind = 'pglite' | 'postgres';
type Endpoint = 'reports' | 'incidents';

/** The part of autocannon 9's API used here (the package ships no types). */
interface AutocannonInstance {
  on(event: 'response', fn: (client: unknown, status: number, bytes: number, ms: number) => void): AutocannonInstance;
  on(event: 'reqError', fn: (err: Error) => void): AutocannonInstance;
  on(event: 'done', fn: (result: { errors: number; statusCodeStats: Record<string, { count: number }> }) => void): AutocannonInstance;
  on(event: 'error', fn: (err: Error) => void): AutocannonInstance;
}
type Autocannon = (opts: {
  url: string; connections: number; duration: number; method: string; headers: Record<string, string>; body: string; overallRate?: number;
  requests?: { setupRequest: (req: Record<string, unknown>) => Record<string, unknown>; onResponse?: (status: number, body: string) => void }[];
}) => AutocannonInstance;
const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

interface Window {
  /** Reports stored (201) by responses inside the window, and the requests answered there. */
  created: number; requests: number; seconds: number; p50: number; p95: number; p99: number;
  /** Per report: each request's latency counted once per report it carried. */
  r50: number; r95: number; r99: number; non201: Record<string, number>; errors: number;
}

/**
 * One autocannon run of warm-up + measured seconds on the same connections; only responses that
 * complete inside the measured window count. (Two separate runs open 50 new connections against a
 * saturated server, and on PGlite new connections then wait seconds to be served, which is a
 * property of the first seconds of a run, not of the intake rate.)
 */
function runLoad(opts: Parameters<Autocannon>[0], warmupSeconds: number, onWindow: (edge: 'start' | 'end') => void,
  perRequest: { reports: number; itemStatuses: (status: number, body: string) => number[] }): Promise<Window & { acked: number; errorsTotal: number }> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const startMs = warmupSeconds * 1000;
    const endMs = startMs + opts.duration * 1000;
    const latencies: number[] = [];
    const non201: Record<string, number> = {};
    let created = 0;
    let acked = 0;
    let errors = 0;
    const at = () => performance.now() - t0;
    const inWindow = () => { const t = at(); return t >= startMs && t <= endMs; };
    // Bodies are read only to count stored reports (a batch answers 200 with one status per report).
    const requests = opts.requests?.map((r) => ({ ...r, onResponse: (status: number, body: string) => {
      const statuses = perRequest.itemStatuses(status, body);
      const n = statuses.filter((x) => x === 201).length;
      acked += n;
      if (!inWindow()) return;
      created += n;
      for (const x of statuses) if (x !== 201) non201[x] = (non201[x] ?? 0) + 1;
    } }));
    const windowStart = setTimeout(() => onWindow('start'), startMs);
    const windowEnd = setTimeout(() => onWindow('end'), endMs);
    autocannon({ ...opts, duration: warmupSeconds + opts.duration, ...(requests ? { requests } : {}) })
      .on('response', (_client, status, _bytes, ms) => {
        if (!requests && status === 201) acked++;
        if (!inWindow()) return;
        latencies.push(ms);
        if (!requests && status === 201) created++;
        else if (!requests) non201[status] = (non201[status] ?? 0) + 1;
      })
      .on('reqError', () => {
        const t = at();
        if (t >= startMs && t <= endMs) errors++;
      })
      .on('done', (result) => {
        clearTimeout(windowStart);
        clearTimeout(windowEnd);
        latencies.sort((a, b) => a - b);
        const pct = (q: number) => (latencies.length ? Math.round(latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]!) : NaN);
        // Every request of a run carries the same number of reports, so weighting by it changes nothing:
        // the per-report figures are the per-request ones, printed apart so no one has to assume it.
        resolve({ created, requests: latencies.length, seconds: opts.duration, p50: pct(0.5), p95: pct(0.95), p99: pct(0.99),
          r50: pct(0.5), r95: pct(0.95), r99: pct(0.99), non201, errors, acked, errorsTotal: result.errors });
      })
      .on('error', reject);
  });
}

const TARGETS: Record<Endpoint, Record<StoreKind, { perSecond: number; p99Ms: number } | undefined>> = {
  // Issue 7 sets no PGlite figure for report intake: its row is printed for comparison only.
  reports: { postgres: { perSecond: 2000, p99Ms: 200 }, pglite: undefined },
  incidents: { postgres: { perSecond: 1000, p99Ms: 100 }, pglite: { perSecond: 300, p99Ms: 100 } },
};


const { values: args } = parseArgs({
  options: {
    store: { type: 'string', default: 'both' },
    endpoint: { type: 'string', default: 'reports' },
    duration: { type: 'string', default: process.env.BENCH_DURATION ?? '10' },
    warmup: { type: 'string', default: process.env.BENCH_WARMUP ?? '3' },
    connections: { type: 'string', default: process.env.BENCH_CONNECTIONS },
    rate: { type: 'string', default: process.env.BENCH_RATE },
    'cpu-prof': { type: 'string' },
    batch: { type: 'string', default: process.env.BENCH_BATCH ?? '1,10' },
    // One server process: on 2 cores shared with PostgreSQL and the load generator, two gave no more
    // (673–742/s against 874/s for one, alternated runs on 2026-11-25); more cores may differ.
    workers: { type: 'string', default: process.env.BENCH_WORKERS ?? '1' },
  },
});
const stores: StoreKind[] = args.store === 'both' ? ['pglite', 'postgres'] : [args.store as StoreKind];
if (!stores.every((s) => s === 'pglite' || s === 'postgres')) {
  console.error(`--store must be pglite, postgres or both (got ${args.store})`);
  process.exit(2);
}
if (args.endpoint !== 'reports' && args.endpoint !== 'incidents') {
  console.error(`--endpoint must be reports or incidents (got ${args.endpoint})`);
  process.exit(2);
}
const endpoint: Endpoint = args.endpoint;
const duration = Number(args.duration);
const warmup = Number(args.warmup);
const connections = Number(args.connections ?? (endpoint === 'reports' ? 200 : 50));
const rate = args.rate ? Number(args.rate) : undefined;
const batches = endpoint === 'reports' ? args.batch.split(',').map(Number) : [1];
// Server processes on PostgreSQL (TUTELA_WORKERS); PGlite is one process's folder, so always 1 there.
const workers = Number(args.workers);
if (!Number.isInteger(workers) || workers < 1 || workers > 16) {
  console.error(`--workers takes server processes, 1 to 16 (got ${args.workers})`);
  process.exit(2);
}
if (!batches.every((b) => Number.isInteger(b) && b >= 1 && b <= 100)) {
  console.error(`--batch takes reports per request, 1 to 100, comma-separated (got ${args.batch})`);
  process.exit(2);
}
const postgresUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/tutela_bench';
const benchDbName = decodeURIComponent(new URL(postgresUrl).pathname.slice(1));

interface Row {
  store: StoreKind;
  batch: number;
  created: number;
  perSecond: number;
  requestsPerSecond: number;
  p50: number;
  p95: number;
  p99: number;
  r50: number;
  r95: number;
  r99: number;
  non201: Record<string, number>;
  errors: number;
  storedCheck: string;
  cpuNote: string;
  load: string;
}

async function ensureDatabase(url: string): Promise<void> {
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.slice(1));
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    const found = await client.query('select 1 from pg_database where datname = $1', [name]);
    if (found.rowCount === 0) {
      await client.query(`create database "${name.replaceAll('"', '""')}"`);
      console.log(`created database ${name}`);
    }
  } finally {
    await client.end();
  }
}

async function openBenchStore(kind: StoreKind, dataDir: string): Promise<Store> {
  if (kind === 'postgres') return openStore({ kind: 'postgres', url: postgresUrl, poolSize: 5 }, { keyProvider: testKeyProvider });
  // A new folder starts from the migrated template (initdb takes 5–20 s); a second open reuses the folder.
  const fresh = !fs.existsSync(path.join(dataDir, 'PG_VERSION'));
  return openStore({ kind: 'pglite', dataDir }, fresh ? { loadDataDir: await pgliteTemplate(), keyProvider: testKeyProvider } : { keyProvider: testKeyProvider });
}

/** A mission with its users, written in-process; the store is closed again so the server can own it. */
async function prepare(kind: StoreKind, dataDir: string): Promise<Mission> {
  if (kind === 'postgres') await ensureDatabase(postgresUrl);
  const store = await openBenchStore(kind, dataDir);
  try {
    const app = await testServer(store);
    try {
      return await newMission(store, app);
    } finally {
      await app.close();
    }
  } finally {
    await store.close();
  }
}

const login = (url: string, username: string) => loginOverHttp(url, username, PASSWORD);

/**
 * CPU seconds used so far by the server process and by PostgreSQL's processes, from /proc (Linux;
 * undefined elsewhere). With client, server and database on 2 cores, this shows who the budget goes to.
 * PostgreSQL counts only the backends serving the bench database (their title names it): other
 * databases on a shared server would otherwise be billed to the bench; WAL writer and checkpointer are left out.
 */
function cpuSeconds(serverPid: number): { server: number; postgres: number } | undefined {
  const ticks = (pid: string) => {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return { comm: stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')), ppid: Number(f[1]), cpu: (Number(f[11]) + Number(f[12])) / 100 };
    } catch {
      return undefined;
    }
  };
  if (!fs.existsSync('/proc/self/stat')) return undefined;
  let postgres = 0;
  let server = ticks(String(serverPid))?.cpu ?? 0;
  for (const pid of fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    const t = ticks(pid);
    // With --workers the server is a primary and its worker processes: all of them are the server.
    if (t && t.ppid === serverPid && t.comm !== 'postgres') server += t.cpu;
    if (t?.comm !== 'postgres') continue;
    let title = '';
    try { title = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8'); } catch { continue; }
    if (title.split(' ').includes(benchDbName)) postgres += t.cpu;
  }
  return { server, postgres };
}

/** Stored incidents; for report intake also the receipts, which must match them one for one. */
async function countStored(kind: StoreKind, dataDir: string, missionId: string): Promise<{ incidents: number; receipts: number }> {
  const store = await openBenchStore(kind, dataDir);
  try {
    const row = await sql<{ n: number; r: number }>`select (select count(*)::int from incidents where mission_id = ${missionId}) as n,
      (select count(*)::int from report_receipts where mission_id = ${missionId}) as r`.execute(store.db);
    return { incidents: Number(row.rows[0]!.n), receipts: Number(row.rows[0]!.r) };
  } finally {
    await store.close();
  }
}

async function bench(kind: StoreKind, batch: number): Promise<Row> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tutela-bench-'));
  const dataDir = path.join(tmp, 'data');
  try {
    const t0 = Date.now();
    const mission = await prepare(kind, dataDir);
    const server = await startServer(kind === 'pglite' ? { TUTELA_DATA_DIR: dataDir } : { DATABASE_URL: postgresUrl, TUTELA_WORKERS: String(workers) }, {
      nodeArgs: args['cpu-prof'] ? ['--cpu-prof', '--cpu-prof-dir', path.resolve(args['cpu-prof'])] : [], startTimeoutMs: 60_000, echoStderr: true,
    });
    if (kind === 'postgres' && workers > 1) console.log(`[${kind}] ${workers} server processes (TUTELA_WORKERS)`);
    console.log(`[${kind}] store ready and server up in ${((Date.now() - t0) / 1000).toFixed(1)} s at ${server.url}`);
    let run: Window & { acked: number; errorsTotal: number };
    let cpuNote = '';
    let load = '';
    try {
      const token = await login(server.url, mission.usernames.monitor);
      const payload = incidentBody(mission);
      // Each report is a new device-chosen id, as a monitor's outbox sends; the body is built per request.
      const report = () => ({ id: uuid7(), type: 'incident', created_at: new Date().toISOString(), payload });
      const reportRequest = (req: Record<string, unknown>) => ({
        ...req, body: JSON.stringify(batch === 1 ? report() : { reports: Array.from({ length: batch }, report) }),
      });
      // A batch answers 200 with one status per report; anything else is the whole request's status.
      const itemStatuses = (status: number, body: string) => (batch === 1 || status !== 200 ? [status]
        : [...body.matchAll(/"status":(\d+)/g)].map((m) => Number(m[1])));
      const opts = {
        url: `${server.url}/api/v1/${endpoint}`, connections, method: 'POST', duration,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(payload),
        ...(endpoint === 'reports' ? { requests: [{ setupRequest: reportRequest }] } : {}),
        ...(rate ? { overallRate: rate } : {}),
      };
      console.log(`[${kind}] ${warmup} s warm-up, then measuring ${duration} s; ${connections} connections, ${batch} report(s) per request${rate ? `, ${rate}/s offered` : ''}`);
      let cpu0: ReturnType<typeof cpuSeconds>;
      let cpu1: ReturnType<typeof cpuSeconds>;
      let client0 = process.cpuUsage();
      let client = process.cpuUsage();
      // On PostgreSQL the bench also reads how many reports the server stored inside the window: when
      // clients time out, the server still commits what they sent, and CPU per report should count it.
      const counter = kind === 'postgres' && endpoint === 'reports' ? new pg.Client({ connectionString: postgresUrl }) : null;
      await counter?.connect();
      const storedNow = async () => Number((await counter!.query('select count(*)::int as n from report_receipts where mission_id = $1', [mission.id])).rows[0].n);
      let stored0: Promise<number> | undefined;
      let stored1: Promise<number> | undefined;
      run = await runLoad(opts, warmup, (edge) => {
        if (edge === 'start') {
          cpu0 = cpuSeconds(server.child.pid!);
          client0 = process.cpuUsage();
          if (counter) stored0 = storedNow();
        } else {
          cpu1 = cpuSeconds(server.child.pid!);
          load = os.loadavg().map((l) => l.toFixed(2)).join(' ');
          client = process.cpuUsage(client0);
          if (counter) stored1 = storedNow();
        }
      }, { reports: batch, itemStatuses });
      const storedInWindow = stored0 && stored1 ? (await stored1) - (await stored0) : undefined;
      await counter?.end();
      const n = Math.max(1, storedInWindow ?? run.created);
      const perIncident = (sec: number) => `${((sec * 1000) / n).toFixed(2)} ms`;
      if (cpu0 && cpu1) {
        cpuNote = `server ${perIncident(cpu1.server - cpu0.server)}, ` +
          (kind === 'postgres' ? `postgres ${perIncident(cpu1.postgres - cpu0.postgres)}, ` : '') +
          `client ${perIncident((client.user + client.system) / 1e6)} CPU per ${storedInWindow === undefined ? 'acknowledged' : 'stored'} report` +
          (storedInWindow === undefined ? '' : ` (${storedInWindow} stored in the window, ${run.created} acknowledged there)`);
        console.log(`[${kind}] ${cpuNote}`);
      }
    } finally {
      await stopServer(server, 10_000);
    }
    // Every 201 must be a stored incident. Requests still in flight when the run stops (at most one
    // per connection) and timed-out ones may have committed too, unacknowledged: allow those, no more.
    const slack = (connections + run.errorsTotal) * batch;
    const counted = await countStored(kind, dataDir, mission.id);
    const stored = counted.incidents;
    const receiptsOk = endpoint === 'incidents' || counted.receipts === stored;
    const storedCheck = receiptsOk && stored >= run.acked && stored <= run.acked + slack ? `ok (${stored} for ${run.acked} acknowledged)`
      : `MISMATCH: ${stored} stored, ${counted.receipts} receipts, ${run.acked} acknowledged`;
    return { store: kind, batch, created: run.created, perSecond: run.created / run.seconds, requestsPerSecond: run.requests / run.seconds,
      p50: run.p50, p95: run.p95, p99: run.p99, r50: run.r50, r95: run.r95, r99: run.r99, non201: run.non201, errors: run.errors, storedCheck, cpuNote, load };
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

const rows: Row[] = [];
for (const batch of batches) for (const kind of stores) rows.push(await bench(kind, batch));

const met = (ok: boolean) => (ok ? 'met' : 'NOT MET');
const table = rows.map((r) => {
  const t = TARGETS[endpoint][r.store];
  const non = Object.entries(r.non201).map(([c, n]) => `${c}×${n}`).join(' ') || '0';
  return {
    store: r.store,
    'per request': String(r.batch),
    'requests/s': String(Math.floor(r.requestsPerSecond)),
    [`${endpoint}/s`]: String(Math.floor(r.perSecond)),
    'request p50/p95/p99 ms': `${r.p50} / ${r.p95} / ${r.p99}`,
    'report p50/p95/p99 ms': `${r.r50} / ${r.r95} / ${r.r99}`,
    'other status': non,
    errors: String(r.errors),
    [`target/s`]: t ? `≥ ${t.perSecond}: ${met(r.perSecond >= t.perSecond)}` : 'none',
    'target p99': t ? `< ${t.p99Ms} ms: ${met(r.r99 < t.p99Ms)}` : 'none',
    stored: r.storedCheck,
  };
});
const cols = Object.keys(table[0] ?? {});
const widths = cols.map((c) => Math.max(c.length, ...table.map((r) => (r as Record<string, string>)[c]!.length)));
const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
const what = endpoint === 'reports' ? 'POST /api/v1/reports (each report an incident with two violations; one per request, or a batch {reports: [...]})' : 'POST /api/v1/incidents (two violations)';
console.log(`\nintake: ${what}, ${connections} connections${rate ? `, offered ${rate}/s` : ''}, ${duration} s after ${warmup} s warm-up, ${os.cpus().length} cores; PostgreSQL server: ${workers} process(es)`);
console.log(line(cols));
console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
for (const r of table) console.log(line(cols.map((c) => (r as Record<string, string>)[c]!)));
for (const r of rows) if (r.cpuNote) console.log(`${r.store}, ${r.batch} per request: ${r.cpuNote}`);
for (const r of rows) console.log(`${r.store}, ${r.batch} per request: load average during its run ${r.load}`);
console.log(`load average now (1/5/15 min): ${os.loadavg().map((l) => l.toFixed(2)).join(' ')} on ${os.cpus().length} cores (shared machine)`);
