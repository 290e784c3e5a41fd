import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createUser } from '../src/modules/accounts/service.ts';
import { checkOverdue, listAlerts } from '../src/modules/sea/alerts.ts';
import { addWorkingDays, DEFAULT_DEADLINES, deadlinesOf } from '../src/modules/sea/deadlines.ts';
import { createAllegation, updateAllegation } from '../src/modules/sea/service.ts';
import { systemContext, type RequestContext } from '../src/platform/context.ts';
import { auth, login, newMission, PASSWORD } from './support/fixtures.ts';
import { describeStores } from './support/matrix.ts';

/** An injectable clock: the services take `now`, so "six months later" needs no waiting. */
const allegationBody = (marker: string, overrides: Record<string, unknown> = {}) => ({
  received_on: '2025-03-03', incident: { date: null, precision: 'unknown' }, personnel_category: 'military_contingent', contingent_nationality: 'XYZ',
  type: 'abuse', subtype: null, perpetrators: 1, urgent: false, narrative: `Narrative ${marker}`, paternity_claims: [],
  victims: [{ ref: 'SV-1', age_class: 'minor', sex: 'female' }], referral: { entity: 'tcc', referred_on: '2025-03-05', ms_response_on: null, ms_will_investigate: null, nio_appointed_on: null },
  ...overrides,
}) as Parameters<typeof createAllegation>[2];

const at = (iso: string) => new Date(`${iso}T09:00:00Z`);

describeStores('conduct (SEA) deadlines', ({ it, h }) => {
  it('an allegation past its investigation deadline is overdue and alerts the conduct officer', async () => {
    const { store, app } = h();
    const m = await newMission(store, app);
    const username = `${m.id}.conduct.${randomBytes(3).toString('hex')}`;
    const { user } = await createUser(store.db, systemContext(m.id), { username, display_name: 'CDT', role: 'conduct_officer', scope: { country: null, areas: [], agency: null }, password: PASSWORD });
    const token = await login(app, username, PASSWORD);
    const ctx: RequestContext = { actor: { userId: user.id, missionId: m.id, username, role: 'conduct_officer', scope: { country: null, areas: [], agency: null } }, clientAddress: null, requestId: null };

    // Referred to OIOS on 10 January: due 180 days later (9 July). A TCC referral of the same day
    // must say within 10 working days whether it will investigate (24 January).
    const oios = await createAllegation(store.db, ctx, allegationBody('D', { received_on: '2025-01-08', referral: { entity: 'oios', referred_on: '2025-01-10', ms_response_on: null, ms_will_investigate: null, nio_appointed_on: null },
      personnel_category: 'civilian_staff', contingent_nationality: null }), at('2025-01-10'));
    const tcc = await createAllegation(store.db, ctx, allegationBody('D', { received_on: '2025-01-08', referral: { entity: 'tcc', referred_on: '2025-01-10', ms_response_on: null, ms_will_investigate: null, nio_appointed_on: null } }), at('2025-01-10'));
    assert.equal(oios.deadlines.investigation_due, '2025-07-09');
    assert.equal(tcc.deadlines.ms_response_due, '2025-01-24');
    assert.equal(tcc.deadlines.investigation_due, '2025-04-10', 'a NIO investigation: 90 days');

    const early = await checkOverdue(store.db, ctx, at('2025-01-20'));
    assert.deepEqual(early.overdue, [], 'nothing is due yet');

    const feb = await checkOverdue(store.db, ctx, at('2025-02-01'));
    assert.deepEqual(feb.overdue.map((o) => [o.allegation_id, o.kind]), [[tcc.id, 'ms_response_overdue']]);
    assert.equal(feb.raised, 1);
    assert.equal((await checkOverdue(store.db, ctx, at('2025-02-02'))).raised, 0, 'an alert is raised once');

    const late = await checkOverdue(store.db, ctx, at('2025-07-10'));
    assert.deepEqual(late.overdue.map((o) => o.kind).sort(), ['investigation_overdue', 'investigation_overdue', 'ms_response_overdue']);
    const alerts = await listAlerts(store.db, ctx, at('2025-07-10'));
    assert.deepEqual(alerts.items.map((a) => [a.allegation_id, a.kind, a.due_on]).sort(), [
      [oios.id, 'investigation_overdue', '2025-07-09'], [tcc.id, 'investigation_overdue', '2025-04-10'], [tcc.id, 'ms_response_overdue', '2025-01-24'],
    ].sort());

    // The conduct officer sees them through the API (real clock: long past July 2025); nobody else does.
    const api = await app.inject({ method: 'GET', url: '/api/v1/conduct/alerts', headers: auth(token) });
    assert.equal(api.statusCode, 200);
    assert.equal(api.json().items.length, 3);
    const list = await app.inject({ method: 'GET', url: '/api/v1/conduct/allegations', headers: auth(token) });
    assert.ok(list.json().items.find((i: { id: string }) => i.id === oios.id).deadlines.overdue.includes('investigation_overdue'));
    const admin = await app.inject({ method: 'GET', url: '/api/v1/conduct/alerts', headers: auth(m.tokens.admin) });
    assert.deepEqual(admin.json().items, []);

    // An outcome stops the clock and silences the alerts.
    await updateAllegation(store.db, ctx, oios.id, { version: 1, outcome: { status: 'substantiated', on: '2025-07-10' } }, at('2025-07-11'));
    const after = await listAlerts(store.db, ctx, at('2025-07-11'));
    assert.ok(!after.items.some((a) => a.allegation_id === oios.id));
  });

  it('deadlines are configurable per mission', async () => {
    const { store, app } = h();
    const m = await newMission(store, app);
    const username = `${m.id}.conduct.${randomBytes(3).toString('hex')}`;
    await createUser(store.db, systemContext(m.id), { username, display_name: 'CDT', role: 'conduct_officer', scope: { country: null, areas: [], agency: null }, password: PASSWORD });
    const token = await login(app, username, PASSWORD);
    const get = await app.inject({ method: 'GET', url: '/api/v1/conduct/settings', headers: auth(token) });
    assert.deepEqual(get.json(), { ...DEFAULT_DEADLINES, defaults: true });
    const put = await app.inject({ method: 'PUT', url: '/api/v1/conduct/settings', headers: auth(token), payload: { ...DEFAULT_DEADLINES, investigation_days: 30 } });
    assert.equal(put.statusCode, 200, put.body);
    const created = await app.inject({ method: 'POST', url: '/api/v1/conduct/allegations', headers: auth(token),
      payload: allegationBody('C', { personnel_category: 'other', contingent_nationality: null, referral: { entity: 'other', referred_on: '2025-03-05' } }) });
    assert.equal(created.json().deadlines.investigation_due, '2025-04-04');
    assert.equal((await app.inject({ method: 'GET', url: '/api/v1/conduct/settings', headers: auth(m.tokens.admin) })).statusCode, 403);
  });

  it('working days skip weekends; urgent cases get the shorter deadline', async () => {
    assert.equal(addWorkingDays('2025-01-10', 10), '2025-01-24'); // a Friday: two weeks of working days
    const d = deadlinesOf({ referral_entity: 'oios', referred_on: '2025-01-10', ms_response_on: null, nio_appointed_on: null, urgent: true, outcome: 'pending' }, DEFAULT_DEADLINES, '2025-05-01');
    assert.equal(d.investigation_due, '2025-04-10');
    assert.deepEqual(d.overdue, ['investigation_overdue']);
  });
});
