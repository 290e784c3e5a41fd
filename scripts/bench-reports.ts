/**
 * npm run bench:reports — issue #4's performance acceptance, measured:
 *   1,000,000 violations loaded (bulk SQL), the annual report timed on PostgreSQL and PGlite;
 *   an import of 100,000 rows through `tutela import mrm`'s code path; a 1,000,000-row CSV export
 *   streamed to a file by `tutela export mrm` in its own process, whose peak RSS is the figure reported.
 * The data are the harshest case for the report: every violation is verified within the reported year.
 * Environment: TUTELA_BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/tutela_bench_reports, created if
 * missing), BENCH_VIOLATIONS (default 1000000), BENCH_IMPORT_ROWS (default 100000), BENCH_STORES (pglite,postgres),
 * BENCH_REUSE=1 (PostgreSQL only: keep the database of the previous run and its mission, skip the load).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql, type Kysely } from 'kysely';
import { importMrmFile } from '../src/modules/mrm/import/service.ts';
import { readReport } from '../src/modules/mrm/reports/service.ts';
import { setupMission } from '../src/modules/reference/service.ts';
import { systemContext } from '../src/platform/context.ts';
import { LocalKeyProvider } from '../src/platform/crypto/key-provider.ts';
import type { DB } from '../src/platform/db/schema.ts';
import { openStore, type Store } from '../src/platform/db/store.ts';
import { cpuSince, recreatePgDatabase, serverCpu, timed } from './bench-support.ts';

const N = Number(process.env.BENCH_VIOLATIONS ?? 1_000_000);
const IMPORT_ROWS = Number(process.env.BENCH_IMPORT_ROWS ?? 100_000);
const PG_URL = process.env.TUTELA_BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/tutela_bench_reports';
const STORES = (process.env.BENCH_STORES ?? 'pglite,postgres').split(',');
const keyProvider = new LocalKeyProvider(Buffer.alloc(32, 9));
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tutela-bench-reports-'));
const PROVINCES = 26;
/** Incident refs unique to this run: a reused database already holds the previous run's import. */
const RUN = Date.now().toString(36);
const TERRITORIES = 6;
const PARTIES = 20;

const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

async function openBenchStore(kind: string, fresh = false): Promise<Store> {
  if (kind === 'postgres') {
    if (fresh) await recreatePgDatabase(PG_URL);
    return openStore({ kind: 'postgres', url: PG_URL, poolSize: 4 }, { keyProvider });
  }
  return openStore({ kind: 'pglite', dataDir: path.join(tmp, 'pglite') }, { keyProvider });
}

async function setup(db: Kysely<DB>, missionId: string): Promise<void> {
  const areas = [{ pcode: 'CD', country_iso3: 'COD', admin_level: 0, parent_pcode: null, name: 'DRC', names: {}, boundary_version: 'bench' }];
  for (let p = 1; p <= PROVINCES; p++) {
    const a1 = `CD${String(p).padStart(2, '0')}`;
    areas.push({ pcode: a1, country_iso3: 'COD', admin_level: 1, parent_pcode: 'CD' as never, name: a1, names: {}, boundary_version: 'bench' });
    for (let t = 1; t <= TERRITORIES; t++) areas.push({ pcode: `${a1}${t}`, country_iso3: 'COD', admin_level: 2, parent_pcode: a1 as never, name: `${a1}${t}`, names: {}, boundary_version: 'bench' });
  }
  const categories = ['state_armed_forces', 'non_state_armed_group', 'non_state_armed_group', 'international_forces', 'unknown'] as const;
  await setupMission(db, systemContext(missionId), {
    missionId, name: `Bench ${missionId}`, countries: [{ iso3: 'COD', name: 'DR Congo' }], adminAreas: areas,
    parties: Array.from({ length: PARTIES }, (_, i) => ({ name: `Party ${i + 1}`, category: categories[i % categories.length]!, country_iso3: 'COD' })),
  });
}

/** Bulk load with generate_series: a million violations in about 500,000 incidents, in batches of 100,000. */
async function load(db: Kysely<DB>, missionId: string): Promise<void> {
  const actor = '00000000-0000-0000-0000-000000000000';
  const batch = 100_000;
  for (let lo = 1; lo <= N; lo += batch) {
    const hi = Math.min(N, lo + batch - 1);
    await db.transaction().execute(async (trx) => {
      // The report rollups' triggers are deferred for the batch and refreshed once for it, as the import does.
      await sql`select set_config('tutela.report_refresh', 'deferred', true)`.execute(trx);
      // Incident k holds violations 2k-1 and 2k; incidents from 2023 to 2025, every violation verified in 2025.
      await sql`insert into incidents (mission_id, incident_id, status, title, date_start, date_end, date_precision, date_estimated, country_iso3,
          admin_pcode, narrative_confidential, narrative_public, created_by, updated_by)
        select ${missionId}, md5('i' || k)::uuid, 'open', 'bench', date '2023-01-01' + ((k::bigint * 7919) % 1090)::int, null, 'day', false, 'COD',
          'CD' || lpad((1 + k % ${PROVINCES})::text, 2, '0') || (1 + (k / ${PROVINCES}) % ${TERRITORIES})::text, '', '', ${actor}::uuid, ${actor}::uuid
        from generate_series(${Math.ceil(lo / 2)}::int, ${Math.ceil(hi / 2)}::int) k
        on conflict do nothing`.execute(trx);
      await sql`insert into violations (mission_id, violation_id, incident_id, type, details, status_focal_point, status_technical, status_final,
          date_focal_point, date_technical, date_final, created_by)
        select ${missionId}, md5('v' || g)::uuid, md5('i' || ((g + 1) / 2))::uuid,
          (array['killing','maiming','recruitment_use','sexual_violence','abduction','attack_school','attack_hospital','denial_humanitarian_access','military_use','deprivation_of_liberty'])[1 + g % 10],
          '{}'::jsonb, s, s, s, d, d, d, ${actor}::uuid
        from (select g, case when g % 5 = 0 then 'not_verified' else 'verified' end as s,
          greatest(date '2025-01-01' + (g % 365), date '2023-01-01' + ((((g + 1) / 2)::bigint * 7919) % 1090)::int) as d
          from generate_series(${lo}::int, ${hi}::int) g) x`.execute(trx);
      await sql`insert into violation_tallies (mission_id, violation_id, age_band, boys, girls, sex_unknown)
        select ${missionId}, md5('v' || g)::uuid, (array['0-5','6-10','11-13','14-17','unknown'])[1 + g % 5], 1 + g % 3, g % 2, case when g % 7 = 0 then 1 else 0 end
        from generate_series(${lo}::int, ${hi}::int) g where g % 10 in (1, 2, 3, 4, 5, 0)`.execute(trx);
      await sql`insert into violation_perpetrators (mission_id, violation_id, party_id, attribution_verified)
        select ${missionId}, md5('v' || g)::uuid, p.party_id, false
        from generate_series(${lo}::int, ${hi}::int) g
        join (select party_id, row_number() over (order by name) - 1 as n from parties where mission_id = ${missionId}) p
          on p.n = g % ${PARTIES} or (g % 20 = 0 and p.n = (g / 20) % ${PARTIES} and p.n <> g % ${PARTIES})`.execute(trx);
      await sql`insert into violation_victims (mission_id, violation_id, victim_ref, sex, age, age_estimated)
        select ${missionId}, md5('v' || g)::uuid, 'V' || (g % 50000), 'male', null, false
        from generate_series(${lo}::int, ${hi}::int) g where g % 10 in (1, 2, 3, 4, 5) and g % 3 = 0`.execute(trx);
      await sql`select set_config('tutela.report_refresh', '', true)`.execute(trx);
      await sql`select report_refresh(${missionId}, array(select md5('v' || g)::uuid from generate_series(${lo}::int, ${hi}::int) g), true)`.execute(trx);
    });
  }
  await sql`analyze`.execute(db);
}

function importFile(rows: number): string {
  const file = path.join(tmp, `import-${rows}.csv`);
  const out = fs.openSync(file, 'w');
  fs.writeSync(out, 'incident_ref,violation_type,incident_date,country,admin1,admin2,latitude,longitude,perpetrator,perpetrator_category,boys,girls,sex_unknown,victim_ref,verification_status,verification_date\n');
  const types = ['killing', 'maiming', 'abduction', 'attack_school', 'recruitment_use'];
  let chunk = '';
  for (let i = 1; i <= rows; i++) {
    const p = 1 + (i % PROVINCES);
    const a1 = `CD${String(p).padStart(2, '0')}`;
    const day = String(1 + (i % 28)).padStart(2, '0');
    chunk += `IMP${RUN}-${Math.ceil(i / 2)},${types[i % types.length]},2024-03-${day},COD,${a1},${a1}${1 + (i % TERRITORIES)},,,Party ${1 + (i % PARTIES)},,${1 + (i % 3)},${i % 2},0,,verified,2024-06-${day}\n`;
    if (i % 10_000 === 0) { fs.writeSync(out, chunk); chunk = ''; }
  }
  fs.writeSync(out, chunk);
  fs.closeSync(out);
  // Rows of one incident must agree: incident k spans rows 2k-1 and 2k, which the formula above keeps apart; give them one place.
  return fixIncidentRows(file);
}

function fixIncidentRows(file: string): string {
  const lines = fs.readFileSync(file, 'utf8').trimEnd().split('\n');
  for (let i = 2; i < lines.length; i += 2) {
    const a = lines[i - 1]!.split(','), b = lines[i]!.split(',');
    for (const c of [2, 3, 4, 5]) b[c] = a[c]!;
    b[15] = a[15]!;
    lines[i] = b.join(',');
  }
  fs.writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}


/**
 * `tutela export mrm` itself, in its own process (bin/tutela.mjs, as a user runs it): the peak RSS it
 * reports at exit is the figure, so it counts exactly the modules the command loads.
 */
function exportWithCli(kind: string, missionId: string): { rows: number; ms: number; maxRssMb: number; bytes: number } | string {
  const out = path.join(tmp, `export-${kind}.csv`);
  const peak = 'data:text/javascript,process.on("exit",()=>process.stderr.write("peak-rss-kb "+process.resourceUsage().maxRSS+"\\n"))';
  const env = { ...process.env, TUTELA_MASTER_KEY: Buffer.alloc(32, 9).toString('base64'),
    ...(kind === 'postgres' ? { DATABASE_URL: PG_URL } : { DATABASE_URL: '', TUTELA_DATA_DIR: path.join(tmp, 'pglite') }) };
  const t = performance.now();
  const child = spawnSync(process.execPath, ['--import', peak, path.join(import.meta.dirname, '../bin/tutela.mjs'), 'export', 'mrm', '--out', out, '--mission', missionId],
    { encoding: 'utf8', env, maxBuffer: 1 << 24 });
  const ms = performance.now() - t;
  const rows = /exported (\d+) violation/.exec(child.stderr)?.[1];
  const rss = /peak-rss-kb (\d+)/.exec(child.stderr)?.[1];
  if (child.status !== 0 || !rows || !rss) return child.stderr.slice(-2000);
  return { rows: Number(rows), ms, maxRssMb: Number(rss) / 1024, bytes: fs.statSync(out).size };
}

async function benchStore(kind: string): Promise<void> {
  const reuse = process.env.BENCH_REUSE === '1' && kind === 'postgres';
  console.log(`\n== ${kind}: ${N.toLocaleString('en')} violations${reuse ? ' (reused)' : ''}`);
  const store = await openBenchStore(kind, !reuse);
  let missionId = `bench${Date.now().toString(36)}`;
  if (reuse) {
    missionId = (await store.db.selectFrom('missions').select('mission_id').where('mission_id', 'like', 'bench%').executeTakeFirstOrThrow()).mission_id;
  } else {
    await setup(store.db, missionId);
    const [, loadMs] = await timed(() => load(store.db, missionId));
    console.log(`load (bulk SQL)                 ${seconds(loadMs)}`);
  }
  const ctx = systemContext(missionId);
  for (let run = 1; run <= 3; run++) {
    const [view, ms] = await timed(() => readReport(store.db, ctx, { report: 'annual', period: '2025', public: false, format: 'json' }));
    console.log(`annual report 2025, run ${run}      ${seconds(ms)}  (total_verified ${view.total_verified}, children_verified ${view.children_verified})`);
  }
  const [, pubMs] = await timed(() => readReport(store.db, ctx, { report: 'annual', period: '2025', public: true, format: 'json' }));
  console.log(`annual report 2025, public      ${seconds(pubMs)}`);
  const [, ghnMs] = await timed(() => readReport(store.db, ctx, { report: 'ghn', period: '2025Q1', public: false, format: 'json' }));
  console.log(`GHN 2025Q1                      ${seconds(ghnMs)}`);

  const file = importFile(IMPORT_ROWS);
  const serverCpu0 = await serverCpu(store);
  const cpu0 = process.cpuUsage();
  const [summary, importMs] = await timed(() => importMrmFile(store.db, systemContext(missionId), file));
  const cpu = process.cpuUsage(cpu0);
  const serverMs = cpuSince(serverCpu0, await serverCpu(store));
  // CPU beside wall time: on a shared machine the wall time measures the other tenants as much as the import.
  console.log(`import ${summary.rows.toLocaleString('en')} rows (${(fs.statSync(file).size / 1048576).toFixed(1)} MB)   ${seconds(importMs)}` +
    `  (CPU: this process ${seconds((cpu.user + cpu.system) / 1000)}${serverMs === null ? '' : `, PostgreSQL backends ${seconds(serverMs)}`})`);

  if (kind === 'pglite') await store.close(); // one process per PGlite folder: the command opens it next
  const r = exportWithCli(kind, missionId);
  if (typeof r === 'string') console.log(`export failed: ${r}`);
  else {
    console.log(`CSV export ${r.rows.toLocaleString('en')} rows (${(r.bytes / 1048576).toFixed(0)} MB)  ${seconds(r.ms)} (\`tutela export mrm\`, start to exit), peak RSS of that process ${r.maxRssMb.toFixed(0)} MB`);
  }
  if (kind !== 'pglite') await store.close();
}

{
  console.log(`bench:reports on ${os.cpus().length} cores, node ${process.version}; load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}; data in ${tmp}`);
  for (const kind of STORES) await benchStore(kind);
  fs.rmSync(tmp, { recursive: true, force: true });
}
