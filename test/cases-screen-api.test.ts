import assert from 'node:assert/strict';
import { createUser } from '../src/modules/accounts/service.ts';
import { systemContext, type Role } from '../src/platform/context.ts';
import { auth, login, newMission, PASSWORD } from './support/fixtures.ts';
import { describeStores } from './support/matrix.ts';

/**
 * Issue #8: the reads a web case screen needs, beyond the case itself: the caseload per case worker
 * (named) against the guidance, one worker's cases, every consent version, the referrals of one case, and
 * the tracing matches naming the child on the care record.
 */
describeStores('case screen reads', ({ it, h }) => {
  async function staff(m: { id: string }, role: Role, agency: string, tag = '') {
    const username = `${m.id}.${role.replace('_', '')}.${agency.toLowerCase()}${tag}`;
    const { user } = await createUser(h().store.db, systemContext(m.id), { username, display_name: `${role} ${tag || agency}`, role, scope: { country: 'COD', areas: [], agency }, password: PASSWORD });
    return { id: user.id, token: await login(h().app, username, PASSWORD) };
  }
  const call = async (token: string, method: 'GET' | 'POST', url: string, payload?: object) => {
    const res = await h().app.inject({ method, url, headers: auth(token), ...(payload && { payload }) });
    return { status: res.statusCode, body: res.json() };
  };
  const consent = { given_by: 'child', child_assent: 'not_applicable', for_services: true, for_reporting_non_identifiable: true, for_tracing: true, share_with: ['other_organisations'] };

  it('serves the caseload by name, one worker\'s list, consent versions, a case\'s referrals and its tracing matches', async () => {
    const { app, store } = h();
    const m = await newMission(store, app);
    const ana = await staff(m, 'case_worker', 'UNICEF', 'ana');
    const ben = await staff(m, 'case_worker', 'UNICEF', 'ben');
    const sup = await staff(m, 'supervisor', 'UNICEF');
    await staff(m, 'case_worker', 'UNICEF', 'cleo'); // no case yet: still offered to the supervisor
    await staff(m, 'case_worker', 'IRC', 'dan'); // another agency: never listed
    const register = async (worker: string, name: string) => (await call(sup.token, 'POST', '/api/v1/cases', { child: { full_name: name, birth: { age_estimate: 16 } }, sex: 'female', risk_level: 'low', assigned_to: worker })).body.id as string;
    const a1 = await register(ana.id, 'Alice Masika');
    await register(ana.id, 'Aline Kavira');
    const b1 = await register(ben.id, 'Berthe Kahindo');

    const load = (await call(sup.token, 'GET', '/api/v1/cases/caseload')).body;
    assert.equal(load.guidance, 25);
    assert.deepEqual(load.workers.map((w: { name: string; open_cases: number; over_guidance: boolean }) => [w.name, w.open_cases, w.over_guidance]).sort(),
      [['case_worker ana', 2, false], ['case_worker ben', 1, false], ['case_worker cleo', 0, false]]);
    const anas = (await call(sup.token, 'GET', `/api/v1/cases?assigned_to=${ana.id}`)).body.items.map((c: { id: string }) => c.id);
    assert.equal(anas.length, 2);
    assert.ok(!anas.includes(b1));

    // Consent: every version, the one in force first.
    await call(ana.token, 'POST', `/api/v1/cases/${a1}/consents`, { ...consent, for_tracing: false });
    await call(ana.token, 'POST', `/api/v1/cases/${a1}/consents`, consent);
    const versions = (await call(ana.token, 'GET', `/api/v1/cases/${a1}/consents`)).body.items;
    assert.deepEqual(versions.map((v: { version: number; for_tracing: boolean }) => [v.version, v.for_tracing]), [[2, true], [1, false]]);
    assert.equal((await call(ben.token, 'GET', `/api/v1/cases/${a1}/consents`)).status, 404, 'another worker\'s case is not known to exist');

    // Referrals of one case.
    assert.equal((await call(ana.token, 'POST', `/api/v1/cases/${a1}/referrals`, { to_agency: 'MSF', service: 'health_medical', urgency: 'low', granted_forms: ['concerns'] })).status, 201);
    await call(ben.token, 'POST', `/api/v1/cases/${b1}/consents`, consent);
    assert.equal((await call(ben.token, 'POST', `/api/v1/cases/${b1}/referrals`, { to_agency: 'MSF', service: 'psychosocial', urgency: 'low', granted_forms: ['concerns'] })).status, 201);
    const ofA1 = (await call(sup.token, 'GET', `/api/v1/referrals?case_id=${a1}`)).body.items;
    assert.deepEqual(ofA1.map((r: { case_id: string; service: string }) => [r.case_id, r.service]), [[a1, 'health_medical']]);
    assert.equal((await call(sup.token, 'GET', '/api/v1/referrals')).body.items.length, 2);

    // The care record names the tracing matches of the child, with the engine's explanation.
    const request = (await call(sup.token, 'POST', '/api/v1/tracing-requests', { sought: { child_name: 'Alice Masika', requester_name: 'Kavira', requester_relationship: 'mother' }, sex: 'female' })).body;
    assert.equal((await call(ana.token, 'POST', `/api/v1/tracing-requests/${request.id}/matches`, { case_id: a1, probability: 0.91, explanation: { fields: { name: 'exact' } } })).status, 201);
    const care = (await call(ana.token, 'GET', `/api/v1/cases/${a1}/care`)).body;
    assert.deepEqual(care.tracing_matches.map((x: { request_id: string; status: string; explanation: object }) => [x.request_id, x.status, x.explanation]), [[request.id, 'candidate', { fields: { name: 'exact' } }]]);
  });
});
