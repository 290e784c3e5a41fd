/**
 * npm run bench:cases — issue #8's performance acceptance, measured:
 *   200,000 children's cases in one mission (bulk SQL, identities sealed under per-record keys by the real
 *   sealer), with releases, handovers, interim care, reintegration components, tracing matches, reunifications,
 *   follow-up visits and some re-recruitment; then, through the service functions, the overdue list of one case
 *   worker (target < 200 ms) and the indicators report (target < 2 s), three runs each.
 * Environment: TUTELA_BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/tutela_bench_cases, recreated),
 * BENCH_CASES (default 200000), BENCH_STORES (default postgres; add pglite to measure it too),
 * BENCH_REUSE=1 (PostgreSQL only: keep the previous run's database and mission, skip the load).
 */
import { createHash } from 'node:crypto';
import { execSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql, type Kysely } from 'kysely';
import { fieldCrypto } from '../src/platform/crypto/field-crypto.ts';
import { caseIndicators } from '../src/modules/cases/indicators-service.ts';
import { ageOn, prepareCaseSealing, sealChildIdentity } from '../src/modules/cases/identities.ts';
import { overdueCases } from '../src/modules/cases/service.ts';
import { childIdentityIndex } from '../src/modules/mrm/sealed-fields.ts';
import { setupMission } from '../src/modules/reference/service.ts';
import { systemContext, type RequestContext, type Role } from '../src/platform/context.ts';
import { LocalKeyProvider } from '../src/platform/crypto/key-provider.ts';
import type { DB } from '../src/platform/db/schema.ts';
import { openStore, type Store } from '../src/platform/db/store.ts';
import { cpuSince, recreatePgDatabase, serverCpu, timed } from './bench-support.ts';

const N = Number(process.env.BENCH_CASES ?? 200_000);
const PG_URL = process.env.TUTELA_BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/tutela_bench_cases';
const STORES = (process.env.BENCH_STORES ?? 'postgres').split(',');
const keyProvider = new LocalKeyProvider(Buffer.alloc(32, 8));
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tutela-bench-cases-'));
const AGENCIES = 8;
/** 1,999 case workers (prime, so a worker's cases spread over every other g-derived trait): about 100 cases each over two years, some 25 of them open (the ~25-case guidance). */
const WORKERS = 1999;
const PARTIES = 12;
const DAY = 86_400_000;
const FIRST = ['Amani', 'Bahati', 'Chance', 'Dieu-Merci', 'Esperance', 'Furaha', 'Grace', 'Heritier', 'Imani', 'Josue', 'Kavira', 'Lumiere', 'Masika', 'Neema', 'Orphee', 'Pendo'];
const LAST = ['Kabila', 'Mukendi', 'Ngoy', 'Ilunga', 'Kasongo', 'Mbuyi', 'Tshibangu', 'Kalala', 'Banza', 'Mulumba', 'Kitenge', 'Lukusa', 'Mwamba', 'Nsimba', 'Kahindo', 'Paluku', 'Sikuli', 'Muhindo', 'Kambale', 'Mumbere'];

const ms = (t: number) => `${t.toFixed(1)} ms`;
/** md5(text)::uuid as PostgreSQL computes it, so JS and SQL name the same rows. */
const md5uuid = (s: string) => createHash('md5').update(s).digest('hex').replace(/^(.{8})(.{4})(.{4})(.{4})(.{12})$/, '$1-$2-$3-$4-$5');
const load1 = () => os.loadavg()[0]!.toFixed(2);

async function openBenchStore(kind: string, fresh: boolean): Promise<Store> {
  if (kind === 'postgres') {
    if (fresh) await recreatePgDatabase(PG_URL);
    return openStore({ kind: 'postgres', url: PG_URL, poolSize: 4 }, { keyProvider });
  }
  return openStore({ kind: 'pglite', dataDir: path.join(tmp, 'pglite') }, { keyProvider });
}

async function setup(db: Kysely<DB>, missionId: string): Promise<void> {
  const categories = ['state_armed_forces', 'non_state_armed_group', 'non_state_armed_group', 'unknown'] as const;
  await setupMission(db, systemContext(missionId), {
    missionId, name: `Bench ${missionId}`, countries: [{ iso3: 'COD', name: 'DR Congo' }],
    adminAreas: [{ pcode: 'CD', country_iso3: 'COD', admin_level: 0, parent_pcode: null, name: 'DRC', names: {}, boundary_version: 'bench' }],
    parties: Array.from({ length: PARTIES }, (_, i) => ({ name: `Party ${i + 1}`, category: categories[i % categories.length]!, country_iso3: 'COD' })),
  });
  // Case workers (agency = worker % AGENCIES), one supervisor per agency and an analyst; no one logs in.
  await sql`insert into users (mission_id, user_id, username, role, scope_agency, password_hash)
    select ${missionId}, md5('w' || w)::uuid, ${missionId} || '.cw' || w, 'case_worker', 'agency_' || (w % ${AGENCIES}), 'bench-no-login'
    from generate_series(0, ${WORKERS - 1}) w
    union all select ${missionId}, md5('s' || a)::uuid, ${missionId} || '.sup' || a, 'supervisor', 'agency_' || a, 'bench-no-login' from generate_series(0, ${AGENCIES - 1}) a
    union all select ${missionId}, md5('analyst')::uuid, ${missionId} || '.analyst', 'analyst', null, 'bench-no-login'`.execute(db);
}

/** Days ago case g was identified (0..729) and its hour: the same formula in JS and SQL. */
const daysAgo = (g: number) => (g * 7919) % 730;
const identifiedAt = (g: number, now: Date) => new Date(now.getTime() - daysAgo(g) * DAY - (g % 24) * 3_600_000);

/** Seals each case's identity (and, for reunified children, the tracing request's) with the real sealers. */
function sealBatch(db: Kysely<DB>, missionId: string, lo: number, hi: number, now: Date) {
  const c = { g: [] as number[], id: [] as string[], sealed: [] as Buffer[], idx: [] as string[], age: [] as (number | null)[], keyId: [] as string[], keyRecord: [] as string[], keyType: [] as string[], key: [] as Buffer[] };
  const t = { g: [] as number[], sealed: [] as Buffer[] };
  for (let g = lo; g <= hi; g++) {
    const at = identifiedAt(g, now);
    const y = at.getUTCFullYear() - (g % 18) - 1;
    const name = `${FIRST[g % FIRST.length]} ${LAST[Math.floor(g / FIRST.length) % LAST.length]} ${g}`;
    const child = { full_name: name, parents_names: `${LAST[g % LAST.length]} family`,
      birth: g % 5 === 0 ? { age_estimate: g % 18 } : { date: `${y}-${String(1 + (g % 12)).padStart(2, '0')}-${String(1 + (g % 28)).padStart(2, '0')}` } };
    const caseId = md5uuid(`c${g}`);
    const s = sealChildIdentity(db, missionId, caseId, child);
    c.g.push(g); c.id.push(caseId); c.sealed.push(s.identity_sealed); c.idx.push(s.identity_index); c.age.push(Math.max(0, Math.min(17, ageOn(child, at) ?? 0)));
    c.keyId.push(s.keyRow.record_key_id); c.keyRecord.push(s.keyRow.record_id); c.keyType.push(s.keyRow.record_type); c.key.push(s.keyRow.sealed_key);
    if (g % 21 === 0) {
      const requestId = md5uuid(`t${g}`);
      const sealer = fieldCrypto(db).recordSealer(missionId, 'cases', 'tracing_request', `tracing/${requestId}`);
      t.g.push(g); t.sealed.push(sealer.seal(JSON.stringify({ child_name: name, requester: `${LAST[g % LAST.length]} (mother)` }), `tracing/${requestId}/sought`));
      c.keyId.push(sealer.row.record_key_id); c.keyRecord.push(sealer.row.record_id); c.keyType.push(sealer.row.record_type); c.key.push(sealer.row.sealed_key);
    }
  }
  return { c, t };
}

/** Bulk load in batches of 20,000 cases: JS seals the identities, set-based SQL derives every other column from g. */
async function load(db: Kysely<DB>, missionId: string, now: Date): Promise<void> {
  await prepareCaseSealing(db, missionId);
  const batch = 20_000;
  const nowIso = now.toISOString();
  for (let lo = 1; lo <= N; lo += batch) {
    const hi = Math.min(N, lo + batch - 1);
    const { c, t } = sealBatch(db, missionId, lo, hi, now);
    await db.transaction().execute(async (trx) => {
      await sql`insert into record_keys (mission_id, record_key_id, record_type, record_id, sealed_key)
        select ${missionId}, k, ty, r, s from unnest(${c.keyId}::uuid[], ${c.keyType}::text[], ${c.keyRecord}::text[], ${c.key}::bytea[]) as x(k, ty, r, s)`.execute(trx);
      // Case g: worker g % WORKERS; open when identified in the last 120 days (or one in ten older ones); a quarter
      // of open cases still await their first action, so most of those are overdue.
      await sql`insert into cases (mission_id, case_id, agency, assigned_to, sex, age_years, age_as_of, age_estimated, identity_sealed, identity_index,
          concerns, risk_level, urgent, identified_at, response_due_at, first_action_at, step, status, approval_pending, approval_requested_by,
          closure_reason, closed_at, created_by, created_at, updated_at)
        select ${missionId}, x.id, 'agency_' || ((x.g % ${WORKERS}) % ${AGENCIES}), md5('w' || (x.g % ${WORKERS}))::uuid,
          case when x.g % 11 = 0 then 'unknown' when x.g % 2 = 0 then 'female' else 'male' end, x.age, x.at::date, x.g % 5 = 0, x.sealed, x.idx,
          case when x.g % 7 = 0 then array['caafag', (${sql.raw(`array['sexually_exploited','gbv_survivor','mentally_distressed','abused','serious_health_issue']`)})[1 + x.g % 5]]
            else array[(${sql.raw(`array['gbv_survivor','street_child','abused','migrant','disabled','refugee','child_mother','worst_forms_child_labour','other']`)})[1 + x.g % 9]] end,
          x.risk, x.g % 17 = 0, x.at, x.at + make_interval(hours => case when x.g % 17 = 0 or x.risk = 'high' then 24 when x.risk = 'medium' then 72 else 168 end),
          case when x.open and x.g % 4 = 0 then null else x.at + make_interval(hours => 1 + x.g % 20) end,
          case when not x.open then 'closure' when x.g % 4 = 0 then 'registration' else (array['assessment','case_plan','implementation','follow_up'])[1 + (x.g / 4) % 4] end,
          case when x.open then 'open' else 'closed' end,
          case when x.open and x.g % 4 <> 0 and (x.g / 4) % 4 = 0 and x.g % 9 = 0 then 'assessment' end,
          case when x.open and x.g % 4 <> 0 and (x.g / 4) % 4 = 0 and x.g % 9 = 0 then md5('w' || (x.g % ${WORKERS}))::uuid end,
          case when not x.open then (array['goals_met','goals_met','goals_met','relocated_transferred','lost_contact','turned_18_transitioned','declined_services','other'])[1 + x.g % 8] end,
          case when not x.open then least(${nowIso}::timestamptz, x.at + make_interval(days => 30 + x.g % 90)) end,
          md5('w' || (x.g % ${WORKERS}))::uuid, x.at, x.at
        from (select u.*, (${nowIso}::timestamptz - make_interval(days => (u.g * 7919) % 730, hours => u.g % 24)) as at,
            ((u.g * 7919) % 730 < 120 or u.g % 10 = 0) as open,
            case when (u.g / 7) % 10 < 2 then 'high' when (u.g / 7) % 10 < 5 then 'medium' else 'low' end as risk
          from unnest(${c.g}::int[], ${c.id}::uuid[], ${c.sealed}::bytea[], ${c.idx}::text[], ${c.age}::int[]) as u(g, id, sealed, idx, age)) x`.execute(trx);
      // History: registration, the first action, and the closure approval of closed cases.
      await sql`insert into case_events (mission_id, event_id, case_id, action, from_step, to_step, note, actor_id, recorded_at)
        select c.mission_id, md5('e' || c.case_id || e.action)::uuid, c.case_id, e.action, e.f, e.t, '', c.assigned_to, e.at
        from cases c cross join lateral (values ('register', 'registration', 'registration', c.identified_at), ('first_action', 'registration', 'registration', c.first_action_at),
          ('approve', 'follow_up', 'closure', c.closed_at)) e(action, f, t, at)
        where c.mission_id = ${missionId} and c.case_id = any(${c.id}::uuid[]) and e.at is not null`.execute(trx);
      // Released children (one case in seven): encounter a day or two before identification, handover within 4..64 h (some late), one in 49 pending.
      await sql`insert into case_releases (mission_id, case_id, encountered_at, exit_mode, place, encountered_by, party_id, protocol, handover_due_at, handed_over_at, handed_over_to, recorded_by)
        select c.mission_id, c.case_id, c.identified_at - make_interval(days => 1 + g % 2), (array['captured','surrendered','formal_release','escaped','handed_over'])[1 + g % 5],
          'Site ' || (g % 40), 'MONUSCO child protection', p.party_id, 'default', c.identified_at - make_interval(days => 1 + g % 2) + interval '48 hours',
          case when g % 49 <> 0 then c.identified_at - make_interval(days => 1 + g % 2) + make_interval(hours => 4 + g % 61) end,
          case when g % 49 <> 0 then (array['civilian_child_protection','unicef_partner','ministry','icrc'])[1 + g % 4] end, c.assigned_to
        from unnest(${c.g}::int[], ${c.id}::uuid[]) u(g, id)
        join cases c on c.mission_id = ${missionId} and c.case_id = u.id
        join (select party_id, row_number() over (order by name) - 1 as n from parties where mission_id = ${missionId}) p on p.n = g % ${PARTIES}
        where g % 7 = 0`.execute(trx);
      await sql`insert into case_interim_care (mission_id, placement_id, case_id, care_type, place, admitted_on, left_on, left_reason, recorded_by)
        select r.mission_id, md5('p' || r.case_id)::uuid, r.case_id, case when g % 3 = 0 then 'interim_care_centre' else 'family_based' end, 'ICC ' || (g % 15),
          r.encountered_at::date + 2, case when r.encountered_at::date + 2 + 14 + g % 60 <= ${nowIso}::date then r.encountered_at::date + 2 + 14 + g % 60 end,
          case when r.encountered_at::date + 2 + 14 + g % 60 <= ${nowIso}::date then 'reunified' else '' end, r.recorded_by
        from unnest(${c.g}::int[], ${c.id}::uuid[]) u(g, id) join case_releases r on r.mission_id = ${missionId} and r.case_id = u.id where g % 14 = 0`.execute(trx);
      await sql`insert into case_reintegration_components (mission_id, component_id, case_id, component_type, provider, start_on, end_on, status, outcome, updated_by, updated_at)
        select r.mission_id, md5('k' || r.case_id || j)::uuid, r.case_id,
          (array['health','mhpss','family_tracing_reunification','family_community_support','education','life_skills','vocational_livelihoods','social_protection','voice_participation','monitoring_follow_up'])[1 + (g + 3 * j) % 10],
          'Partner ' || (g % 9), r.encountered_at::date + 7, null, (array['planned','ongoing','completed','discontinued'])[1 + (g + j) % 4], '', r.recorded_by, r.encountered_at
        from unnest(${c.g}::int[], ${c.id}::uuid[]) u(g, id) join case_releases r on r.mission_id = ${missionId} and r.case_id = u.id cross join generate_series(1, 3) j`.execute(trx);
      // Reunified children (one in 21): a sealed tracing request, a confirmed match, the reunification.
      await sql`insert into tracing_requests (mission_id, request_id, agency, identity_sealed, identity_index, sex, separated_on, status, created_by)
        select c.mission_id, md5('t' || u.g)::uuid, c.agency, u.sealed, c.identity_index, c.sex, c.identified_at::date - 60, 'reunified', c.assigned_to
        from unnest(${t.g}::int[], ${t.sealed}::bytea[]) u(g, sealed) join cases c on c.mission_id = ${missionId} and c.case_id = md5('c' || u.g)::uuid`.execute(trx);
      await sql`insert into tracing_matches (mission_id, match_id, request_id, case_id, probability, explanation, status, proposed_by, decided_by, decided_at)
        select mission_id, md5('m' || u.g)::uuid, md5('t' || u.g)::uuid, md5('c' || u.g)::uuid, 0.94, '{"name":0.97,"birth":0.9,"place":0.8}'::jsonb, 'confirmed', created_by, created_by, created_at
        from unnest(${t.g}::int[]) u(g) join tracing_requests r on r.mission_id = ${missionId} and r.request_id = md5('t' || u.g)::uuid`.execute(trx);
      await sql`insert into case_reunifications (mission_id, case_id, outcome, match_id, care_type, verification, on_date, recorded_by)
        select r.mission_id, r.case_id, case when g % 21 = 0 then 'reunified' else 'alternative_care' end, case when g % 21 = 0 then md5('m' || g)::uuid end,
          case when g % 21 <> 0 then 'kinship' end, case when g % 21 = 0 then 'documents' end, least(${nowIso}::date, r.encountered_at::date + 30), r.recorded_by
        from unnest(${c.g}::int[], ${c.id}::uuid[]) u(g, id) join case_releases r on r.mission_id = ${missionId} and r.case_id = u.id where g % 21 = 0 or g % 5 = 0`.execute(trx);
      // The follow-up schedule (2 weeks, 1, 3, 6, 12, 24 months) from the reunification; visits from 6 days early to 3 days late, one in six missed.
      await sql`insert into case_followups (mission_id, visit_id, case_id, kind, sequence, due_on, visited_on, child_seen, not_seen_reason, actions_taken, further_visit_needed, recorded_by, recorded_at)
        select mission_id, md5('f' || case_id || seq)::uuid, case_id, 'after_reunification', seq, due, visited, case when visited is not null then (g + seq) % 9 <> 0 end,
          case when visited is not null and (g + seq) % 9 = 0 then 'visiting' end, '', case when visited is not null then seq < 6 end,
          case when visited is not null then recorded_by end, visited
        from (select u.g, s.seq, x.mission_id, x.case_id, x.recorded_by, (x.on_date + s.off)::date as due,
            case when (x.on_date + s.off)::date + (u.g + s.seq) % 10 - 6 <= ${nowIso}::date and (u.g + s.seq) % 6 <> 0 then (x.on_date + s.off)::date + (u.g + s.seq) % 10 - 6 end as visited
          from unnest(${c.g}::int[], ${c.id}::uuid[]) u(g, id) join case_reunifications x on x.mission_id = ${missionId} and x.case_id = u.id
          cross join (values (1, interval '14 days'), (2, interval '1 month'), (3, interval '3 months'), (4, interval '6 months'), (5, interval '12 months'), (6, interval '24 months')) s(seq, off)) f`.execute(trx);
    });
  }
  await rerecruit(db, missionId, now);
  // As autovacuum leaves insert-only tables in service (PG 13+): statistics and the visibility map set.
  await sql`vacuum analyze`.execute(db);
}

/** One released child in 70 re-recruited: a verified recruitment violation after the release naming the child by blind index; one in 70 more flagged on the case. */
async function rerecruit(db: Kysely<DB>, missionId: string, now: Date): Promise<void> {
  const gs: number[] = [];
  const idx: string[] = [];
  for (let g = 70; g <= N; g += 70) {
    const at = identifiedAt(g, now);
    const y = at.getUTCFullYear() - (g % 18) - 1;
    const name = `${FIRST[g % FIRST.length]} ${LAST[Math.floor(g / FIRST.length) % LAST.length]} ${g}`;
    gs.push(g); idx.push(childIdentityIndex(db, missionId, name, g % 5 === 0 ? null : `${y}-${String(1 + (g % 12)).padStart(2, '0')}-${String(1 + (g % 28)).padStart(2, '0')}`));
  }
  const actor = '00000000-0000-0000-0000-000000000000';
  await db.transaction().execute(async (trx) => {
    await sql`select set_config('tutela.report_refresh', 'deferred', true)`.execute(trx);
    await sql`insert into incidents (mission_id, incident_id, status, title, date_start, date_end, date_precision, date_estimated, country_iso3, admin_pcode,
        narrative_confidential, narrative_public, created_by, updated_by)
      select ${missionId}, md5('ri' || g)::uuid, 'open', 'bench re-recruitment', least(current_date, r.encountered_at::date + 90), null, 'day', false, 'COD', 'CD', '', '', ${actor}::uuid, ${actor}::uuid
      from unnest(${gs}::int[]) g join case_releases r on r.mission_id = ${missionId} and r.case_id = md5('c' || g)::uuid`.execute(trx);
    await sql`insert into violations (mission_id, violation_id, incident_id, type, details, status_focal_point, status_technical, status_final, date_focal_point, date_technical, date_final, created_by)
      select ${missionId}, md5('rv' || g)::uuid, incident_id, 'recruitment_use', '{}'::jsonb, 'verified', 'verified', 'verified', date_start, date_start, date_start, ${actor}::uuid
      from unnest(${gs}::int[]) g join incidents i on i.mission_id = ${missionId} and i.incident_id = md5('ri' || g)::uuid`.execute(trx);
    await sql`insert into violation_victims (mission_id, violation_id, victim_ref, sex, age, age_estimated, identity_index)
      select ${missionId}, v.violation_id, 'V1', 'male', null, false, u.idx
      from unnest(${gs}::int[], ${idx}::text[]) u(g, idx) join violations v on v.mission_id = ${missionId} and v.violation_id = md5('rv' || u.g)::uuid`.execute(trx);
    await sql`select set_config('tutela.report_refresh', '', true)`.execute(trx);
    await sql`select report_refresh(${missionId}, array(select md5('rv' || g)::uuid from unnest(${gs}::int[]) g), true)`.execute(trx);
    // And one in 70 others flagged on the case by their case worker (re-recruitment.ts), some 200 days after release.
    await sql`insert into case_rerecruitment_flags (mission_id, flag_id, case_id, recruited_on, source, note, recorded_by)
      select r.mission_id, md5('rf' || g)::uuid, r.case_id, least(current_date, r.encountered_at::date + 200), 'flag', '', r.recorded_by
      from generate_series(35, ${N}, 70) g join case_releases r on r.mission_id = ${missionId} and r.case_id = md5('c' || g)::uuid`.execute(trx);
  });
}


/** Wall time, and the CPU this process and the PostgreSQL backends spent: on a shared machine the wall time measures the other tenants too. */
async function measured<T>(store: Store, fn: () => Promise<T>): Promise<[T, number, string]> {
  const server0 = await serverCpu(store);
  const cpu0 = process.cpuUsage();
  const [r, t] = await timed(fn);
  const cpu = process.cpuUsage(cpu0);
  const server1 = await serverCpu(store);
  const serverMs = cpuSince(server0, server1);
  return [r, t, `CPU: node ${((cpu.user + cpu.system) / 1000).toFixed(0)} ms${serverMs === null ? '' : `, PostgreSQL ${serverMs.toFixed(0)} ms`}`];
}

const actorCtx = (missionId: string, userId: string, role: Role, agency: string | null): RequestContext =>
  ({ actor: { userId, missionId, username: role, role, scope: { country: null, areas: [], agency } }, clientAddress: null, requestId: null });

async function dataSize(store: Store): Promise<string> {
  const tables = ['cases', 'case_events', 'case_releases', 'case_interim_care', 'case_reintegration_components', 'case_followups', 'case_reunifications', 'tracing_requests', 'tracing_matches', 'case_rerecruitment_flags', 'record_keys'];
  const { rows } = await sql<{ t: string; n: string; b: string }>`select c.relname as t, c.reltuples::bigint::text as n, pg_total_relation_size(c.oid)::text as b
    from pg_class c where c.relname = any(${tables}::text[]) and c.relkind = 'r'`.execute(store.db);
  const total = rows.reduce((s, r) => s + Number(r.b), 0);
  return `${rows.sort((a, b) => tables.indexOf(a.t) - tables.indexOf(b.t)).map((r) => `${r.t} ${Number(r.n).toLocaleString('en')}`).join(', ')}; case tables ${(total / 1048576).toFixed(0)} MB`;
}

async function benchStore(kind: string): Promise<void> {
  const reuse = process.env.BENCH_REUSE === '1' && kind === 'postgres';
  console.log(`\n== ${kind}: ${N.toLocaleString('en')} cases${reuse ? ' (reused)' : ''}`);
  const store = await openBenchStore(kind, !reuse);
  let missionId = `bench${Date.now().toString(36)}`;
  let now = new Date();
  if (reuse) {
    missionId = (await store.db.selectFrom('missions').select('mission_id').where('mission_id', 'like', 'bench%').executeTakeFirstOrThrow()).mission_id;
    // The data's clock: the newest identification is (about) the moment of the load.
    now = (await sql<{ t: Date }>`select max(identified_at) as t from cases`.execute(store.db)).rows[0]!.t;
  } else {
    await setup(store.db, missionId);
    const [, loadMs] = await timed(() => load(store.db, missionId, now));
    console.log(`load (sealing in JS + bulk SQL) ${(loadMs / 1000).toFixed(1)} s, load average ${load1()}`);
  }
  console.log(`data: ${await dataSize(store)}`);
  const worker = md5uuid(`w${N % WORKERS}`);
  const open = (await sql<{ n: string }>`select count(*)::text as n from cases where mission_id = ${missionId} and assigned_to = ${worker} and status = 'open'`.execute(store.db)).rows[0]!.n;
  for (let run = 1; run <= 3; run++) {
    const [r, t, cpu] = await measured(store, () => overdueCases(store.db, actorCtx(missionId, worker, 'case_worker', `agency_${(N % WORKERS) % AGENCIES}`), now));
    console.log(`overdue list, one case worker, run ${run}   ${ms(t)}  (${r.items.length} overdue of ${open} open; target < 200 ms; ${cpu}; load ${load1()})`);
  }
  const sup = actorCtx(missionId, md5uuid('s0'), 'supervisor', 'agency_0');
  const [rs, ts] = await timed(() => overdueCases(store.db, sup, now));
  console.log(`overdue list, one agency's supervisor ${ms(ts)}  (${rs.items.length} items, capped at 500)`);
  const analyst = actorCtx(missionId, md5uuid('analyst'), 'analyst', null);
  for (let run = 1; run <= 3; run++) {
    const [r, t, cpu] = await measured(store, () => caseIndicators(store.db, analyst, {}, now));
    console.log(`indicators, whole mission, run ${run}      ${ms(t)}  (target < 2000 ms; ${cpu}; load ${load1()})`);
    if (run === 1) console.log(`  released ${r.released.total}, handover within limit ${r.handover.within_limit.percent}% (median ${r.handover.median_hours.value} h), reunified ${r.reunification_rate.percent}%,` +
      ` re-recruited within 12 months ${r.re_recruitment.within_12_months.percent}%, follow-ups on time ${r.followup_visits.on_time.percent}%, closed with goals met ${r.closed_goals_met.percent}%`);
  }
  const [, tw] = await timed(() => caseIndicators(store.db, sup, { whole: 'true' }, now));
  console.log(`indicators, agency_0 unsuppressed     ${ms(tw)}`);
  const [, ty] = await timed(() => caseIndicators(store.db, analyst, { released_from: new Date(now.getTime() - 365 * DAY).toISOString().slice(0, 10) }, now));
  console.log(`indicators, released last 12 months   ${ms(ty)}`);
  await store.close();
}

let uptime = '';
try { uptime = execSync('uptime', { encoding: 'utf8' }).trim(); } catch { uptime = `load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`; }
console.log(`bench:cases on ${os.cpus().length} cores, node ${process.version}; ${uptime}`);
for (const kind of STORES) await benchStore(kind);
try { console.log(`after: ${execSync('uptime', { encoding: 'utf8' }).trim()}`); } catch { /* no uptime binary */ }
fs.rmSync(tmp, { recursive: true, force: true });
