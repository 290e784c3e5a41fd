import assert from 'node:assert/strict';
import { createUser } from '../src/modules/accounts/service.ts';
import { caseAlerts } from '../src/modules/cases/release.ts';
import { systemContext, type Role } from '../src/platform/context.ts';
import { auth, login, newMission, PASSWORD } from './support/fixtures.ts';
import { describeStores } from './support/matrix.ts';

/**
 * Issue #8 acceptance walk: one child from encounter to handover (alert when late), interim care (length of
 * stay alert), tracing match confirmed by a person, reunification, three follow-up visits and closure with
 * goals met; with the refusals the issue names. Time limits go through the services' injected `now`.
 */
describeStores('case care: release to reunification', ({ it, h }) => {
  async function staff(m: { id: string }, role: Role, agency: string, tag = '') {
    const username = `${m.id}.${role.replace('_', '')}.${agency.toLowerCase()}${tag}`;
    const { user } = await createUser(h().store.db, systemContext(m.id), { username, display_name: username, role, scope: { country: 'COD', areas: [], agency }, password: PASSWORD });
    return { id: user.id, token: await login(h().app, username, PASSWORD), actor: { userId: user.id, missionId: m.id, username, role, scope: { country: 'COD', areas: [], agency } } };
  }
  const call = async (token: string, method: 'GET' | 'POST' | 'PATCH', url: string, payload?: object) => {
    const res = await h().app.inject({ method, url, headers: auth(token), ...(payload && { payload }) });
    return { status: res.statusCode, body: res.json() };
  };
  const ctxOf = (actor: { userId: string; missionId: string; username: string; role: Role; scope: { country: string; areas: string[]; agency: string } }) => ({ actor, clientAddress: null, requestId: null });
  const HOUR = 3_600_000;
  const consent = { given_by: 'child', child_assent: 'not_applicable', for_services: true, for_reporting_non_identifiable: true, for_tracing: true, share_with: ['other_organisations'] };

  it('walks one child from encounter to closure with goals met, refusing what the rules forbid', async () => {
    const { app, store } = h();
    const m = await newMission(store, app);
    const worker = await staff(m, 'case_worker', 'UNICEF');
    const sup = await staff(m, 'supervisor', 'UNICEF');

    const c = (await call(worker.token, 'POST', '/api/v1/cases', {
      child: { full_name: 'Espoir Kambale', birth: { date: '2010-06-01' }, parents_names: 'Paluku Kambale, Kavira Masika' }, sex: 'male', risk_level: 'high',
      concerns: ['caafag'], identified_at: '2025-01-05T08:00:00Z',
    })).body;
    assert.equal((await call(worker.token, 'POST', `/api/v1/cases/${c.id}/consents`, consent)).status, 201);

    // Encounter 2025-01-05 08:00; default protocol 48 h. The alert is "due soon" 40 h in, "overdue" at 49 h.
    assert.equal((await call(worker.token, 'POST', `/api/v1/cases/${c.id}/release`, { encountered_at: '2025-01-05T08:00:00Z', exit_mode: 'escaped', encountered_by: 'MONUSCO patrol' })).status, 201);
    const t0 = Date.parse('2025-01-05T08:00:00Z');
    const at = async (hours: number) => (await caseAlerts(store.db, ctxOf(worker.actor), new Date(t0 + hours * HOUR))).items.filter((a) => a.case_id === c.id).map((a) => a.kind);
    assert.ok((await at(40)).includes('handover_due_soon'));
    assert.ok((await at(49)).includes('handover_overdue'));
    assert.equal((await call(worker.token, 'POST', `/api/v1/cases/${c.id}/release/handover`, { handed_over_at: '2025-01-07T10:00:00Z', handed_over_to: 'civilian_child_protection' })).status, 200);
    assert.ok(!(await at(60)).some((k) => k.startsWith('handover')), 'handed over: no handover alert');

    // Interim care centre from 7 January: 4-week alert on 6 February, 8-week alert on 6 March.
    const placed = await call(worker.token, 'POST', `/api/v1/cases/${c.id}/interim-care`, { care_type: 'interim_care_centre', place: 'CTO Bunia', admitted_on: '2025-01-07' });
    assert.equal(placed.status, 201, JSON.stringify(placed.body));
    assert.equal((await call(worker.token, 'POST', `/api/v1/cases/${c.id}/interim-care`, { care_type: 'family_based', admitted_on: '2025-01-08' })).body.error.code, 'case.illegal_transition');
    const stay = async (day: string) => (await caseAlerts(store.db, ctxOf(worker.actor), new Date(`${day}T12:00:00Z`))).items.find((a) => a.case_id === c.id && a.kind === 'interim_care_stay');
    assert.equal(await stay('2025-02-03'), undefined);
    assert.equal((await stay('2025-02-04'))?.details.threshold_weeks, 4);
    assert.equal((await stay('2025-03-04'))?.details.threshold_weeks, 8);

    // A family asks; the request is sealed; the candidate carries the engine's explanation.
    const req = await call(sup.token, 'POST', '/api/v1/tracing-requests', {
      sought: { child_name: 'Kambale Espoir', birth: { date: '2010' }, father_name: 'Paluku Kambale', requester_name: 'Kavira Masika', requester_relationship: 'mother', requester_contact: '+243 000' },
      sex: 'male', separated_on: '2024-03-01',
    });
    assert.equal(req.status, 201, JSON.stringify(req.body));
    assert.ok(!JSON.stringify(req.body).includes('Kavira'), 'who asks is not shown without include=identity');
    const r = req.body;
    assert.equal((await call(worker.token, 'POST', `/api/v1/tracing-requests/${r.id}/steps`, { version: r.version, action: 'start_tracing', note: 'radio message' })).body.status, 'tracing_in_progress');
    const proposed = await call(worker.token, 'POST', `/api/v1/tracing-requests/${r.id}/matches`, { case_id: c.id, probability: 0.97, explanation: { fields: { 'family name': 'exact', 'date of birth': 'year' } } });
    assert.equal(proposed.status, 201, JSON.stringify(proposed.body));
    const match = proposed.body.items[0];

    // Reunification before a person confirmed the match: refused with the rule named, nothing stored.
    const early = await call(worker.token, 'POST', `/api/v1/cases/${c.id}/reunification`, { outcome: 'reunified', match_id: match.id, verification: 'mutual_recognition', on_date: '2025-03-05' });
    assert.equal(early.body.error.code, 'tracing.match_unverified');
    assert.equal((await call(worker.token, 'GET', `/api/v1/cases/${c.id}/care`)).body.reunification, null);
    assert.equal((await call(sup.token, 'POST', `/api/v1/tracing-requests/${r.id}/matches/${match.id}/decision`, { decision: 'confirmed', note: 'mother recognised the photo; names and village agree' })).body.status, 'confirmed');
    assert.equal((await call(sup.token, 'GET', `/api/v1/tracing-requests/${r.id}`)).body.status, 'verified');

    const left = await call(worker.token, 'POST', `/api/v1/cases/${c.id}/interim-care/${placed.body.id}/end`, { left_on: '2025-03-05', left_reason: 'reunified' });
    assert.equal(left.body.weeks, 8);
    const reunited = await call(worker.token, 'POST', `/api/v1/cases/${c.id}/reunification`, { outcome: 'reunified', match_id: match.id, verification: 'mutual_recognition', verification_note: 'home visit', on_date: '2025-03-05' });
    assert.equal(reunited.status, 201, JSON.stringify(reunited.body));
    assert.equal((await call(sup.token, 'GET', `/api/v1/tracing-requests/${r.id}`)).body.status, 'reunified');

    // Follow-up schedule from the reunification: 2 weeks, 1, 3, 6, 12 and 24 months.
    let care = (await call(worker.token, 'GET', `/api/v1/cases/${c.id}/care`)).body;
    assert.deepEqual(care.followups.map((v: { due_on: string }) => v.due_on), ['2025-03-19', '2025-04-05', '2025-06-05', '2025-09-05', '2026-03-05', '2027-03-05']);
    const visit = (i: number) => care.followups[i].id as string;
    const before = await call(worker.token, 'POST', `/api/v1/cases/${c.id}/followups/${visit(0)}`, { visited_on: '2025-03-01', child_seen: true, further_visit_needed: false });
    assert.equal(before.status, 400);
    assert.equal(before.body.error.details.field, 'visited_on');
    const notSeen = await call(worker.token, 'POST', `/api/v1/cases/${c.id}/followups/${visit(0)}`, { visited_on: '2025-03-18', child_seen: false, further_visit_needed: false });
    assert.equal(notSeen.body.error.details.field, 'not_seen_reason');
    for (const [i, d] of [[0, '2025-03-18'], [1, '2025-04-05'], [2, '2025-06-10']] as const) {
      const v = await call(worker.token, 'POST', `/api/v1/cases/${c.id}/followups/${visit(i)}`, { visited_on: d, child_seen: true, actions_taken: 'home visit', further_visit_needed: false, recommend_closure: i === 2 });
      assert.equal(v.status, 200, JSON.stringify(v.body));
      assert.equal(v.body.on_time, i !== 2);
    }
    const overdue = (await caseAlerts(store.db, ctxOf(worker.actor), new Date('2025-09-10T12:00:00Z'))).items.filter((a) => a.kind === 'followup_overdue' && a.case_id === c.id);
    assert.deepEqual(overdue.map((a) => a.details.sequence), [4]);

    // Reintegration plan: a completed component needs its end date.
    const edu = await call(worker.token, 'POST', `/api/v1/cases/${c.id}/reintegration`, { component_type: 'education', provider: 'AVSI', start_on: '2025-03-10' });
    assert.equal(edu.status, 201);
    const noEnd = await call(worker.token, 'PATCH', `/api/v1/cases/${c.id}/reintegration/${edu.body.id}`, { version: 1, status: 'completed' });
    assert.equal(noEnd.body.error.details.field, 'end_on');
    const done = await call(worker.token, 'PATCH', `/api/v1/cases/${c.id}/reintegration/${edu.body.id}`, { version: 1, status: 'completed', end_on: '2025-07-01', outcome: 'catch-up class finished' });
    assert.equal(done.body.status, 'completed');

    // Best interests: a BIA by the worker; a BID only by a supervisor, with a panel of at least three.
    assert.equal((await call(worker.token, 'POST', `/api/v1/cases/${c.id}/best-interests`, { kind: 'bia', done_on: '2025-01-10', done_by: 'case worker', priority: '1_week', recommendation: 'trace family', bid_required: false })).status, 201);
    const bid = { kind: 'bid', done_on: '2025-02-20', done_by: 'BID panel', panel_members: ['chair', 'legal'], child_views: 'wants to go home', decision: 'reunify', reasoning: 'family traced and willing', review_on: '2025-08-20' };
    assert.equal((await call(worker.token, 'POST', `/api/v1/cases/${c.id}/best-interests`, { ...bid, panel_members: ['chair', 'legal', 'health'] })).status, 403);
    assert.equal((await call(sup.token, 'POST', `/api/v1/cases/${c.id}/best-interests`, bid)).body.error.details.field, 'panel_members');
    assert.equal((await call(sup.token, 'POST', `/api/v1/cases/${c.id}/best-interests`, { ...bid, panel_members: ['chair', 'legal', 'health'] })).status, 201);
    care = (await call(worker.token, 'GET', `/api/v1/cases/${c.id}/care`)).body;
    assert.deepEqual(care.best_interests.map((b: { kind: string }) => b.kind), ['bia', 'bid']);

    // Closure with goals met through the approvals.
    let v = (await call(worker.token, 'GET', `/api/v1/cases/${c.id}`)).body.version;
    const step = async (token: string, action: string, extra: object = {}) => {
      const res = await call(token, 'POST', `/api/v1/cases/${c.id}/transitions`, { version: v, action, ...extra });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      v = res.body.version;
      return res.body;
    };
    await step(worker.token, 'advance'); await step(worker.token, 'request_approval'); await step(sup.token, 'approve');
    await step(worker.token, 'request_approval'); await step(sup.token, 'approve'); await step(worker.token, 'advance');
    await step(worker.token, 'request_approval', { closure_reason: 'goals_met' });
    const closed = await step(sup.token, 'approve');
    assert.deepEqual([closed.status, closed.closure_reason], ['closed', 'goals_met']);
  });

  it('exports only children whose consent allows it, with a justified override logged; indicators as hand-computed', async () => {
    const { app, store } = h();
    const m = await newMission(store, app);
    const worker = await staff(m, 'case_worker', 'UNICEF');
    const sup = await staff(m, 'supervisor', 'UNICEF');
    const register = async (name: string, sex: string, age: number) => (await call(worker.token, 'POST', '/api/v1/cases', { child: { full_name: name, birth: { age_estimate: age } }, sex, risk_level: 'medium', identified_at: '2025-01-01T00:00:00Z' })).body.id as string;
    const a = await register('Alpha One', 'female', 16);
    const b = await register('Bravo Two', 'male', 16);
    const c = await register('Charlie Three', 'male', 12);
    await call(worker.token, 'POST', `/api/v1/cases/${a}/consents`, consent);
    await call(worker.token, 'POST', `/api/v1/cases/${b}/consents`, { ...consent, share_with: [] });

    const plain = await call(worker.token, 'POST', '/api/v1/cases/export', { recipient: 'other_organisations' });
    assert.deepEqual(plain.body.items.map((i: { case_id: string }) => i.case_id), [a]);
    assert.deepEqual(plain.body.excluded.map((e: { case_id: string }) => e.case_id).sort(), [b, c].sort());
    const short = await call(worker.token, 'POST', '/api/v1/cases/export', { recipient: 'other_organisations', overrides: [{ case_id: c, ground: 'imminent_risk', justification: 'urgent' }] });
    assert.equal(short.status, 400);
    const over = await call(worker.token, 'POST', '/api/v1/cases/export', { recipient: 'other_organisations', include_identity: true, overrides: [{ case_id: c, ground: 'imminent_risk', justification: 'the child was seen with an armed group recruiter yesterday' }] });
    assert.deepEqual(over.body.items.map((i: { case_id: string; override: string | null }) => [i.case_id, i.override]).sort(), [[a, null], [c, 'imminent_risk']].sort());
    assert.equal(over.body.items.find((i: { case_id: string }) => i.case_id === c).identity.full_name, 'Charlie Three');
    const logged = await store.db.selectFrom('audit_events').select(['action', 'details']).where('mission_id', '=', m.id).where('action', '=', 'case.consent_override').execute();
    assert.equal(logged.length, 1);
    assert.match(JSON.stringify(logged[0]!.details), /armed group recruiter/);

    // Indicators by hand: released a (handover in 30 h, within 48), b (60 h, late), c (not handed over).
    const rel = async (id: string, exit: string, handoverHours: number | null) => {
      await call(worker.token, 'POST', `/api/v1/cases/${id}/release`, { encountered_at: '2025-01-02T00:00:00Z', exit_mode: exit, encountered_by: 'patrol' });
      if (handoverHours !== null) await call(worker.token, 'POST', `/api/v1/cases/${id}/release/handover`, { handed_over_at: new Date(Date.parse('2025-01-02T00:00:00Z') + handoverHours * HOUR).toISOString(), handed_over_to: 'unicef_partner' });
    };
    await rel(a, 'escaped', 30); await rel(b, 'surrendered', 60); await rel(c, 'escaped', null);
    await call(worker.token, 'POST', `/api/v1/cases/${a}/reintegration`, { component_type: 'health', provider: 'MSF', start_on: '2025-01-10' });
    await call(worker.token, 'POST', `/api/v1/cases/${b}/reunification`, { outcome: 'alternative_care', care_type: 'foster', on_date: '2025-02-01' });
    const whole = (await call(sup.token, 'GET', '/api/v1/cases/indicators?whole=true')).body;
    assert.equal(whole.released.total, 3);
    assert.deepEqual([whole.released.sex.female, whole.released.sex.male, whole.released.exit_mode.escaped, whole.released.age_band['15-17'], whole.released.age_band['10-14']], [1, 2, 2, 2, 1]);
    assert.equal(whole.handover.median_hours.value, 45);
    assert.deepEqual([whole.handover.within_limit.numerator, whole.handover.within_limit.denominator, whole.handover.within_limit.percent], [1, 2, 50]);
    assert.equal(whole.reunification_rate.percent, 0);
    assert.equal(whole.alternative_care_rate.percent, 33.3);
    assert.equal(whole.receiving_component.health.percent, 33.3);
    // Published: three children are below the threshold of 5, so every count and rate is withheld.
    const analyst = await call(m.tokens.analyst, 'GET', '/api/v1/cases/indicators');
    assert.equal(analyst.status, 200);
    assert.equal(analyst.body.released.total, null);
    assert.equal(analyst.body.handover.within_limit.suppressed, true);
    assert.equal((await call(m.tokens.analyst, 'GET', '/api/v1/cases/indicators?whole=true')).status, 403);
    assert.equal((await call(worker.token, 'GET', '/api/v1/cases/indicators')).status, 403);
    assert.equal((await call(m.tokens.analyst, 'GET', `/api/v1/cases/${a}/care`)).status, 403);
  });

  it('matches a tracing request through the identity engine, reading only children whose consent covers tracing', async () => {
    const { app, store } = h();
    const m = await newMission(store, app);
    const worker = await staff(m, 'case_worker', 'UNICEF');
    const sup = await staff(m, 'supervisor', 'UNICEF');
    const reg = async (name: string, parents: string) => (await call(worker.token, 'POST', '/api/v1/cases', { child: { full_name: name, birth: { date: '2011-02-03' }, parents_names: parents }, sex: 'female', risk_level: 'low' })).body.id as string;
    const consenting = await reg('Grace Mapendo', 'Jean Mapendo, Esther Kahindo');
    const silent = await reg('Grace Mapendo', 'Jean Mapendo, Esther Kahindo');
    await call(worker.token, 'POST', `/api/v1/cases/${consenting}/consents`, consent);
    await call(worker.token, 'POST', `/api/v1/cases/${silent}/consents`, { ...consent, for_tracing: false });
    const r = (await call(sup.token, 'POST', '/api/v1/tracing-requests', {
      sought: { child_name: 'Grace Mapendo', birth: { date: '2011-02-03' }, father_name: 'Jean Mapendo', mother_name: 'Esther Kahindo', requester_name: 'Esther Kahindo', requester_relationship: 'mother' }, sex: 'female',
    })).body;
    const found = await call(worker.token, 'POST', `/api/v1/tracing-requests/${r.id}/match`);
    assert.equal(found.status, 200, JSON.stringify(found.body));
    assert.equal(found.body.children_without_tracing_consent, 1);
    assert.deepEqual(found.body.items.map((i: { case_id: string }) => i.case_id), [consenting]);
    assert.ok(found.body.items[0].probability > 0.5);
    assert.ok(!JSON.stringify(found.body).includes('Mapendo'), 'candidates carry no identity');
    // Proposing the child without tracing consent by hand is refused too.
    const forced = await call(worker.token, 'POST', `/api/v1/tracing-requests/${r.id}/matches`, { case_id: silent, probability: 0.99, explanation: {} });
    assert.equal(forced.body.error.code, 'consent.required');
  });
});
