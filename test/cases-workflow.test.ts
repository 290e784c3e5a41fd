import assert from 'node:assert/strict';
import { caseAlerts } from '../src/modules/cases/release.ts';
import { overdueCases } from '../src/modules/cases/service.ts';
import { incidentBody, newMission } from './support/fixtures.ts';
import { caseStaff } from './support/case-staff.ts';
import { describeStores } from './support/matrix.ts';

/**
 * Issue #8 core: registration with a sealed identity linked to MRM by blind index, the six steps with
 * supervisor approvals, consent by age, referrals that show only granted forms, the handover timer and
 * re-recruitment. Deadlines are checked through the services' `now`, never by waiting.
 */
describeStores('case management', ({ it, h }) => {
  const { staff, call, ctxOf } = caseStaff(h);

  it('walks a released child from registration to closure, with approvals, consent, referral and handover', async () => {
    const { app, store } = h();
    const m = await newMission(store, app);
    const worker = await staff(m, 'case_worker', 'UNICEF');
    const sup = await staff(m, 'supervisor', 'UNICEF');
    const otherWorker = await staff(m, 'case_worker', 'SCI');
    const otherSup = await staff(m, 'supervisor', 'SCI');

    // The same child as an MRM victim: found from the case through the shared blind index.
    const body = incidentBody(m) as { violations: { victims?: unknown[] }[] };
    body.violations[0]!.victims = [{ ref: 'V-0001', sex: 'male', age: 16, age_estimated: false, identity: { full_name: 'Amani Bahati', date_of_birth: '2009-03-04', parents_names: '' } }];
    assert.equal((await call(m.tokens.monitor, 'POST', '/api/v1/incidents', body)).status, 201);

    const created = await call(worker.token, 'POST', '/api/v1/cases', {
      child: { full_name: 'BAHATI amani', birth: { date: '2009-03-04' }, parents_names: 'Furaha' }, sex: 'male', concerns: ['caafag'], risk_level: 'high',
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const c = created.body;
    assert.equal(c.step, 'registration');
    assert.equal(c.mrm_appearances.length, 1);
    assert.equal(Date.parse(c.response_due_at) - Date.parse(c.identified_at), 24 * 3600_000);
    assert.ok(!JSON.stringify(c).includes('Bahati'), 'no identity without include=identity');

    // Another agency's staff cannot see it; reading the identity is audited.
    assert.equal((await call(otherWorker.token, 'GET', `/api/v1/cases/${c.id}`)).status, 404);
    assert.equal((await call(otherSup.token, 'GET', `/api/v1/cases/${c.id}`)).status, 404);
    assert.equal((await call(m.tokens.analyst, 'GET', `/api/v1/cases/${c.id}`)).status, 403);
    const withId = await call(sup.token, 'GET', `/api/v1/cases/${c.id}?include=identity`);
    assert.equal(withId.body.identity.full_name, 'BAHATI amani');

    // Overdue 25 hours later (injected clock), for the worker and the supervisor, not for another agency.
    const later = new Date(Date.now() + 25 * 3600_000);
    assert.deepEqual((await overdueCases(store.db, ctxOf(worker.actor), later)).items.map((x) => x.id), [c.id]);
    assert.equal((await overdueCases(store.db, ctxOf(otherSup.actor), later)).items.length, 0);

    // Release and handover timer: alert before it lapses, overdue after.
    const encountered = new Date(Date.now() - 40 * 3600_000).toISOString();
    assert.equal((await call(worker.token, 'POST', `/api/v1/cases/${c.id}/release`, { encountered_at: encountered, exit_mode: 'escaped', encountered_by: 'MONUSCO patrol' })).status, 201);
    const soon = await caseAlerts(store.db, ctxOf(worker.actor), new Date());
    assert.ok(soon.items.some((a) => a.kind === 'handover_due_soon' && a.case_id === c.id));
    const lapsed = await caseAlerts(store.db, ctxOf(worker.actor), new Date(Date.now() + 9 * 3600_000));
    assert.ok(lapsed.items.some((a) => a.kind === 'handover_overdue' && a.case_id === c.id));
    assert.equal((await call(worker.token, 'POST', `/api/v1/cases/${c.id}/release/handover`, { handed_over_at: new Date().toISOString(), handed_over_to: 'civilian_child_protection' })).status, 200);

    // Steps: approval gates, four eyes, a worker cannot approve.
    let v = (await call(worker.token, 'GET', `/api/v1/cases/${c.id}`)).body.version;
    const step = async (token: string, action: string, extra: object = {}) => {
      const res = await call(token, 'POST', `/api/v1/cases/${c.id}/transitions`, { version: v, action, ...extra });
      if (res.status === 200) v = res.body.version;
      return res;
    };
    assert.equal((await step(worker.token, 'advance')).body.step, 'assessment');
    assert.equal((await step(worker.token, 'advance')).body.error.code, 'case.illegal_transition');
    assert.equal((await step(worker.token, 'request_approval')).body.approval_pending, 'assessment');
    assert.equal((await step(worker.token, 'approve')).status, 403);
    assert.equal((await step(sup.token, 'approve')).body.step, 'case_plan');
    await step(worker.token, 'request_approval');
    assert.equal((await step(sup.token, 'reject')).body.step, 'case_plan');
    await step(worker.token, 'request_approval');
    assert.equal((await step(sup.token, 'approve')).body.step, 'implementation');

    // Consent by age: a 16-year-old may consent alone; a referral then needs sharing consent.
    const refer = { to_agency: 'SCI', service: 'psychosocial', urgency: 'high', granted_forms: ['concerns', 'risk'] };
    assert.equal((await call(worker.token, 'POST', `/api/v1/cases/${c.id}/referrals`, refer)).body.error.code, 'consent.required');
    assert.equal((await call(worker.token, 'POST', `/api/v1/cases/${c.id}/consents`, {
      given_by: 'child', child_assent: 'not_applicable', for_services: true, for_reporting_non_identifiable: true, for_tracing: true, share_with: ['other_organisations'],
    })).status, 201);
    const ref = await call(worker.token, 'POST', `/api/v1/cases/${c.id}/referrals`, refer);
    assert.equal(ref.status, 201, JSON.stringify(ref.body));
    // The receiving supervisor sees only the granted forms; its case worker nothing until assigned.
    const seen = await call(otherSup.token, 'GET', `/api/v1/referrals/${ref.body.id}`);
    assert.deepEqual(Object.keys(seen.body.granted).sort(), ['concerns', 'risk']);
    assert.equal((await call(otherWorker.token, 'GET', `/api/v1/referrals/${ref.body.id}`)).status, 404);
    assert.equal((await call(otherSup.token, 'POST', `/api/v1/referrals/${ref.body.id}/status`, { status: 'accepted', assign_to: otherWorker.id })).status, 200);
    assert.equal((await call(otherWorker.token, 'GET', `/api/v1/referrals/${ref.body.id}`)).status, 200);

    // Closing with an open referral is refused; after the feedback, closure with goals met.
    await step(worker.token, 'advance');
    assert.equal((await step(worker.token, 'request_approval', { closure_reason: 'goals_met' })).body.error.code, 'case.open_referrals');
    assert.equal((await call(otherWorker.token, 'POST', `/api/v1/referrals/${ref.body.id}/status`, { status: 'completed', note: 'eight sessions held' })).status, 200);
    await step(worker.token, 'request_approval', { closure_reason: 'goals_met' });
    const closed = await step(sup.token, 'approve');
    assert.equal(closed.body.status, 'closed');
    assert.equal(closed.body.closure_reason, 'goals_met');
    assert.equal((await step(worker.token, 'reopen')).status, 403);
    assert.equal((await step(sup.token, 'reopen')).body.step, 'assessment');
  });

  it('refuses a child under the consent age consenting alone, and flags re-recruitment from a new MRM recruitment', async () => {
    const { app, store } = h();
    const m = await newMission(store, app);
    const worker = await staff(m, 'case_worker', 'UNICEF');
    const c = (await call(worker.token, 'POST', '/api/v1/cases', { child: { full_name: 'Neema Kahindo', birth: { age_estimate: 11 } }, sex: 'female', risk_level: 'medium' })).body;
    const alone = await call(worker.token, 'POST', `/api/v1/cases/${c.id}/consents`, { given_by: 'child', child_assent: 'verbal', for_services: true, for_reporting_non_identifiable: false, for_tracing: false });
    assert.equal(alone.status, 400);
    assert.equal(alone.body.error.code, 'consent.invalid');
    const noAssent = await call(worker.token, 'POST', `/api/v1/cases/${c.id}/consents`, { given_by: 'caregiver', child_assent: 'not_sought', for_services: true, for_reporting_non_identifiable: false, for_tracing: false });
    assert.equal(noAssent.body.error.code, 'consent.invalid');

    const d = (await call(worker.token, 'POST', '/api/v1/cases', { child: { full_name: 'Jean Mumbere', birth: { date: '2010' } }, sex: 'male', risk_level: 'high', concerns: ['caafag'] })).body;
    await call(worker.token, 'POST', `/api/v1/cases/${d.id}/release`, { encountered_at: '2025-01-05T08:00:00Z', exit_mode: 'formal_release', encountered_by: 'DDR site' });
    const before = await caseAlerts(store.db, ctxOf(worker.actor));
    assert.ok(!before.items.some((a) => a.kind === 're_recruitment'));
    const body = incidentBody(m, { date: { start: '2025-03-01', precision: 'day' }, first_reported_on: '2025-03-02' }) as { violations: unknown[] };
    body.violations = [{ type: 'recruitment_use', details: {}, tallies: [{ age_band: '14-17', boys: 1 }], perpetrators: [{ party_id: m.parties.codeco }],
      victims: [{ ref: 'V-0001', sex: 'male', age: 15, identity: { full_name: 'MUMBERE Jean', date_of_birth: '2010', parents_names: '' } }] }];
    const inc = await call(m.tokens.monitor, 'POST', '/api/v1/incidents', body);
    assert.equal(inc.status, 201, JSON.stringify(inc.body));
    const after = await caseAlerts(store.db, ctxOf(worker.actor));
    assert.deepEqual(after.items.filter((a) => a.kind === 're_recruitment').map((a) => a.case_id), [d.id]);
  });
});
