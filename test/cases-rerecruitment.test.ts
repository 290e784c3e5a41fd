import assert from 'node:assert/strict';
import { caseIndicators } from '../src/modules/cases/indicators-service.ts';
import { caseAlerts } from '../src/modules/cases/release.ts';
import { newMission } from './support/fixtures.ts';
import { caseStaff } from './support/case-staff.ts';
import { describeStores } from './support/matrix.ts';

/**
 * Issue #8: re-recruitment flagged from the case itself (domain.md §3.6 "or a case flag"), beside the MRM
 * path of cases-workflow.test.ts. A flag on a released child's open case raises the alert for the case
 * worker and the agency's supervisor on their very next read, is audited, raises the risk, and is counted
 * by the 12- and 24-month re-recruitment rates; a flag without a release, on a closed case, before the
 * release or in the future is refused with the rule named and nothing stored.
 */
describeStores('case re-recruitment flag', ({ it, h }) => {
  const { staff, call, ctxOf } = caseStaff(h);

  it('flags a re-recruited child at once for the responsible people, audits and counts it, and refuses what the rules forbid', async () => {
    const { app, store } = h();
    const m = await newMission(store, app);
    const worker = await staff(m, 'case_worker', 'UNICEF');
    const sup = await staff(m, 'supervisor', 'UNICEF');
    const otherSup = await staff(m, 'supervisor', 'SCI');
    const register = async (name: string, risk = 'medium') => (await call(worker.token, 'POST', '/api/v1/cases', { child: { full_name: name, birth: { age_estimate: 15 } }, sex: 'male', risk_level: risk, identified_at: '2025-01-05T08:00:00Z' })).body;
    const release = async (id: string) => assert.equal((await call(worker.token, 'POST', `/api/v1/cases/${id}/release`, { encountered_at: '2025-01-05T08:00:00Z', exit_mode: 'escaped', encountered_by: 'MONUSCO patrol' })).status, 201);
    const flags = async (id: string) => (await call(worker.token, 'GET', `/api/v1/cases/${id}`)).body.re_recruitment as { source: string; recruited_on: string }[];
    const audited = async () => (await store.db.selectFrom('audit_events').select(['target_id', 'details']).where('mission_id', '=', m.id).where('action', '=', 'case.re_recruitment').execute());

    // No release record: re-recruitment is measured from a release, so there is none to flag.
    const a = await register('Aime Kasereka');
    const unreleased = await call(worker.token, 'POST', `/api/v1/cases/${a.id}/re-recruitment`, { recruited_on: '2025-06-01' });
    assert.equal(unreleased.status, 409);
    assert.equal(unreleased.body.error.code, 'case.illegal_transition');
    assert.match(unreleased.body.error.details.rule, /released child: record the encounter or release first/);
    assert.deepEqual(await flags(a.id), []);
    assert.equal((await audited()).length, 0);

    await release(a.id);
    const early = await call(worker.token, 'POST', `/api/v1/cases/${a.id}/re-recruitment`, { recruited_on: '2025-01-04' });
    assert.deepEqual([early.status, early.body.error.details.field, early.body.error.details.rule], [400, 're_recruitment.recruited_on', 'not before the release (2025-01-05)']);
    const future = await call(worker.token, 'POST', `/api/v1/cases/${a.id}/re-recruitment`, { recruited_on: '2999-01-01' });
    assert.deepEqual([future.status, future.body.error.details.field], [400, 're_recruitment.recruited_on']);
    const party = await call(worker.token, 'POST', `/api/v1/cases/${a.id}/re-recruitment`, { recruited_on: '2025-06-01', party_id: '00000000-0000-4000-8000-000000000000' });
    assert.deepEqual([party.status, party.body.error.details.field], [400, 're_recruitment.party_id']);
    assert.deepEqual(await flags(a.id), []);

    // The flag: at once an alert for the case worker and the agency's supervisor, none for another agency.
    const before = Date.now();
    const flagged = await call(worker.token, 'POST', `/api/v1/cases/${a.id}/re-recruitment`, { recruited_on: '2025-06-01', party_id: m.parties.codeco, note: 'seen at a CODECO checkpoint' });
    assert.equal(flagged.status, 201, JSON.stringify(flagged.body));
    assert.equal(flagged.body.risk_level, 'high', 'a re-recruited child is at high risk');
    assert.deepEqual(flagged.body.re_recruitment.map((f: { source: string; recruited_on: string; party_id: string }) => [f.source, f.recruited_on, f.party_id]), [['flag', '2025-06-01', m.parties.codeco]]);
    for (const who of [worker, sup]) {
      const alert = (await caseAlerts(store.db, ctxOf(who.actor))).items.find((x) => x.kind === 're_recruitment' && x.case_id === a.id);
      assert.ok(alert, `${who.actor.role} is alerted`);
      assert.equal(alert.details.source, 'case_flag');
      assert.equal(alert.details.recruited_on, '2025-06-01');
      assert.ok(Date.parse(String(alert.details.recorded_at)) - before < 60_000, 'flagged within a minute');
    }
    assert.ok(!(await caseAlerts(store.db, ctxOf(otherSup.actor))).items.some((x) => x.case_id === a.id));
    const logged = await audited();
    assert.deepEqual(logged.map((l) => [l.target_id, (l.details as { source: string; risk_raised_from: string }).source, (l.details as { risk_raised_from: string }).risk_raised_from]), [[a.id, 'flag', 'medium']]);

    // Through a case update: the same flag, with the change.
    const b = await register('Bienvenu Muhindo', 'low');
    await release(b.id);
    const version = (await call(worker.token, 'GET', `/api/v1/cases/${b.id}`)).body.version;
    const updated = await call(worker.token, 'PATCH', `/api/v1/cases/${b.id}`, { version, urgent: true, re_recruitment: { recruited_on: '2026-03-01', note: 'mother reports he left with the group' } });
    assert.equal(updated.status, 200, JSON.stringify(updated.body));
    assert.deepEqual([updated.body.risk_level, updated.body.urgent, updated.body.re_recruitment[0].source], ['high', true, 'case_update']);
    assert.ok((await caseAlerts(store.db, ctxOf(sup.actor))).items.some((x) => x.kind === 're_recruitment' && x.case_id === b.id));

    // A closed case: reopened by a supervisor first (what brought it back is assessed again).
    const c = await register('Christian Paluku');
    await release(c.id);
    let v = (await call(worker.token, 'GET', `/api/v1/cases/${c.id}`)).body.version as number;
    const step = async (token: string, action: string, extra: object = {}) => {
      const res = await call(token, 'POST', `/api/v1/cases/${c.id}/transitions`, { version: v, action, ...extra });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      v = res.body.version;
    };
    await step(worker.token, 'advance'); await step(worker.token, 'request_approval'); await step(sup.token, 'approve');
    await step(worker.token, 'request_approval'); await step(sup.token, 'approve'); await step(worker.token, 'advance');
    await step(worker.token, 'request_approval', { closure_reason: 'goals_met' }); await step(sup.token, 'approve');
    const closed = await call(sup.token, 'POST', `/api/v1/cases/${c.id}/re-recruitment`, { recruited_on: '2025-02-01' });
    assert.deepEqual([closed.status, closed.body.error.code], [409, 'case.illegal_transition']);
    assert.match(closed.body.error.details.rule, /closed: a supervisor reopens it/);
    assert.deepEqual(await flags(c.id), []);
    await step(sup.token, 'reopen');
    assert.equal((await call(sup.token, 'POST', `/api/v1/cases/${c.id}/re-recruitment`, { recruited_on: '2025-02-01' })).status, 201);

    // A fourth released child, never re-recruited. As of 1 March 2027 both windows are complete for all four:
    // within 12 months (to 2026-01-05): a and c; within 24 months: a, b and c.
    const d = await register('Dieudonne Kambale');
    await release(d.id);
    const report = await caseIndicators(store.db, ctxOf(sup.actor), { whole: 'true' }, new Date('2027-03-01T12:00:00Z'));
    assert.deepEqual([report.re_recruitment.within_12_months.numerator, report.re_recruitment.within_12_months.denominator, report.re_recruitment.within_12_months.percent], [2, 4, 50]);
    assert.deepEqual([report.re_recruitment.within_24_months.numerator, report.re_recruitment.within_24_months.denominator, report.re_recruitment.within_24_months.percent], [3, 4, 75]);
    // Before the 24-month window has passed for anyone, its cohort is empty; the 12-month one is full.
    const earlier = await caseIndicators(store.db, ctxOf(sup.actor), { whole: 'true' }, new Date('2026-06-01T12:00:00Z'));
    assert.deepEqual([earlier.re_recruitment.within_12_months.numerator, earlier.re_recruitment.within_24_months.denominator], [2, 0]);
    // Other roles cannot flag.
    assert.equal((await call(m.tokens.analyst, 'POST', `/api/v1/cases/${d.id}/re-recruitment`, { recruited_on: '2025-06-01' })).status, 403);
  });
});
