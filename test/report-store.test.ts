import assert from 'node:assert/strict';
import { aggregateFacts, computeReport } from '../src/modules/mrm/reports/counting.ts';
import { annualPeriod, quarterPeriod } from '../src/modules/mrm/reports/periods.ts';
import { loadReportInput } from '../src/modules/mrm/reports/repository.ts';
import { systemContext } from '../src/platform/context.ts';
import { auth, type Mission } from './support/fixtures.ts';
import { describeStores } from './support/matrix.ts';
import { EXPECTED_2025, EXPECTED_2025Q1, FIXTURES, PARTY } from './support/report-fixtures.ts';
import { missionWithFixtures } from './support/report-seed.ts';

const sortGroups = <T>(xs: T[]) => [...xs].map((x) => JSON.stringify(x)).sort();

describeStores('MRM reports from the store', ({ it, h }) => {
  let m: Mission;
  const seeded = async () => (m ??= await missionWithFixtures(h().store, h().app));

  it('the SQL aggregation gives the hand-computed annual and quarterly figures', async () => {
    const mission = await seeded();
    const actor = systemContext(mission.id).actor;
    const annual = computeReport(await loadReportInput(h().store.db, actor, annualPeriod(2025)));
    assert.deepEqual(annual, EXPECTED_2025);
    const q1 = computeReport(await loadReportInput(h().store.db, actor, quarterPeriod('2025Q1')));
    for (const [k, v] of Object.entries(EXPECTED_2025Q1)) assert.deepEqual(q1[k as keyof typeof q1], v, k);
  });

  it('the SQL pre-aggregation equals the pure definition group by group', async () => {
    const mission = await seeded();
    const period = annualPeriod(2025);
    const fromSql = await loadReportInput(h().store.db, systemContext(mission.id).actor, period);
    const ids: Record<string, string> = { [PARTY.fardc]: mission.parties.fardc, [PARTY.codeco]: mission.parties.codeco, [PARTY.adf]: mission.parties.adf };
    const facts = FIXTURES.map((f) => ({ ...f, partyIds: f.partyIds.map((p) => ids[p]!) }));
    const pure = aggregateFacts(period, facts, fromSql.parties);
    assert.deepEqual(sortGroups(fromSql.groups), sortGroups(pure.groups));
    assert.deepEqual(sortGroups(fromSql.attributions), sortGroups(pure.attributions));
    assert.equal(fromSql.distinctNamedVictims, pure.distinctNamedVictims);
  });

  it('API: admin reads the full figures, a verifier their country, an analyst only the public form, a monitor nothing', async () => {
    const mission = await seeded();
    const app = h().app;
    const admin = await app.inject({ method: 'GET', url: '/api/v1/reports/annual?year=2025', headers: auth(mission.tokens.admin) });
    assert.equal(admin.statusCode, 200, admin.body);
    const { report, public: isPublic, ...figures } = admin.json();
    assert.equal(report, 'annual');
    assert.equal(isPublic, false);
    assert.deepEqual(figures, EXPECTED_2025);

    const verifier = await app.inject({ method: 'GET', url: '/api/v1/reports/annual?year=2025', headers: auth(mission.tokens.verifier) });
    assert.equal(verifier.json().total_verified, 12, 'the verifier of COD does not see the CAR recruitment');
    assert.deepEqual(verifier.json().by_country, { COD: 12 });

    const analyst = await app.inject({ method: 'GET', url: '/api/v1/reports/ghn?quarter=2025Q1', headers: auth(mission.tokens.analyst) });
    assert.equal(analyst.statusCode, 200, analyst.body);
    assert.equal(analyst.json().public, true, 'analysts always get the disclosure-controlled form');
    const numbers = JSON.stringify(analyst.json()).match(/(?<=":)\d+(?=[,}])/g) ?? [];
    assert.deepEqual(numbers.map(Number).filter((n) => n >= 1 && n <= 4), [], `small values published: ${analyst.body}`);

    const monitor = await app.inject({ method: 'GET', url: '/api/v1/reports/annual?year=2025', headers: auth(mission.tokens.monitor) });
    assert.equal(monitor.statusCode, 403);
    assert.equal(monitor.json().error.code, 'permission.denied');
  });

  it('API: csv, hxl and xlsx formats, and every read is on the audit trail', async () => {
    const mission = await seeded();
    const app = h().app;
    const csv = await app.inject({ method: 'GET', url: '/api/v1/reports/annual?year=2025&format=csv', headers: auth(mission.tokens.admin) });
    assert.match(csv.headers['content-type'] as string, /text\/csv/);
    assert.ok(csv.body.includes('2025-01-01,2025-12-31,summary,total_verified,n,13,'), csv.body.slice(0, 300));
    const hxl = await app.inject({ method: 'GET', url: '/api/v1/reports/ghn?quarter=2025Q1&format=hxl&public=true', headers: auth(mission.tokens.admin) });
    assert.equal(hxl.body.split('\r\n')[1], '#date+start,#date+end,#meta+table,#category,#indicator+measure,#indicator+num,#status');
    const xlsx = await app.inject({ method: 'GET', url: '/api/v1/reports/annual?year=2025&format=xlsx', headers: auth(mission.tokens.admin) });
    assert.equal(xlsx.statusCode, 200);
    assert.equal(xlsx.rawPayload.subarray(0, 2).toString(), 'PK');
    const audit = await h().store.db.selectFrom('audit_events').select(['action', 'target_id']).where('mission_id', '=', mission.id).where('action', '=', 'report.read').execute();
    assert.ok(audit.length >= 3, `report reads audited: ${audit.length}`);
    const bad = await app.inject({ method: 'GET', url: '/api/v1/reports/ghn?quarter=2025Q5', headers: auth(mission.tokens.admin) });
    assert.equal(bad.statusCode, 400);
  });
});
