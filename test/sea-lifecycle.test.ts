import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { createUser } from '../src/modules/accounts/service.ts';
import { systemContext } from '../src/platform/context.ts';
import type { Store } from '../src/platform/db/store.ts';
import { auth, login, newMission, PASSWORD } from './support/fixtures.ts';
import { describeStores } from './support/matrix.ts';

/**
 * An allegation through its life after it is recorded: victims who come forward later, the referral
 * to the investigating entity, the Member State's answer, the outcome and the actions taken, and the
 * victims' assistance to completion.
 */
async function conductOfficer(store: Store, app: FastifyInstance) {
  const m = await newMission(store, app);
  const username = `${m.id}.conduct.${randomBytes(3).toString('hex')}`;
  await createUser(store.db, systemContext(m.id), { username, display_name: 'CDT', role: 'conduct_officer', scope: { country: null, areas: [], agency: null }, password: PASSWORD });
  return { m, token: await login(app, username, PASSWORD) };
}

const base = {
  received_on: '2025-03-03', incident: { date: null, precision: 'unknown' }, personnel_category: 'military_contingent', contingent_nationality: 'XYZ',
  type: 'abuse', victims: [{ ref: 'SV-1', age_class: 'minor', sex: 'female' }],
};

describeStores('conduct (SEA) allegation life', ({ it, h }) => {
  it('a victim is added to an allegation on record, identity sealed and opened only on request; nobody else can add one', async () => {
    const { store, app } = h();
    const { m, token } = await conductOfficer(store, app);
    const created = await app.inject({ method: 'POST', url: '/api/v1/conduct/allegations', headers: auth(token), payload: base });
    assert.equal(created.statusCode, 201, created.body);
    const id = created.json().id as string;
    const marker = `V${randomBytes(4).toString('hex')}`;
    const url = `/api/v1/conduct/allegations/${id}/victims`;

    const added = await app.inject({ method: 'POST', url, headers: auth(token), payload: {
      ref: 'SV-2', age_class: 'minor', sex: 'male', identity: { full_name: `Baraka ${marker}`, date_of_birth: '2011', contact: 'via the school' },
      case_link: { consent: true, case_ref: `CASE-${marker}` },
    } });
    assert.equal(added.statusCode, 201, added.body);
    const view = added.json();
    assert.deepEqual(view.victims.map((v: { ref: string }) => v.ref), ['SV-1', 'SV-2']);
    assert.equal(view.version, 2, 'the allegation moved on');
    assert.ok(!added.body.includes(marker), 'the answer does not open the identity');
    assert.ok(view.permitted_actions.includes('add_victim'));

    const opened = await app.inject({ method: 'GET', url: `/api/v1/conduct/allegations/${id}?include=identities`, headers: auth(token) });
    const sv2 = opened.json().victims.find((v: { ref: string }) => v.ref === 'SV-2');
    assert.equal(sv2.identity.full_name, `Baraka ${marker}`);
    assert.equal(sv2.case_ref, `CASE-${marker}`);
    assert.equal(sv2.case_link_consent, true);
    const raw = await sql<{ sealed: boolean; clear: number }>`select identity_sealed is not null and case_ref_sealed is not null as sealed,
      position(convert_to(${marker}, 'UTF8') in identity_sealed) + position(convert_to(${marker}, 'UTF8') in case_ref_sealed) as clear
      from sea_victims where allegation_id = ${id} and victim_ref = 'SV-2'`.execute(store.db);
    assert.deepEqual(raw.rows.map((r) => [r.sealed, Number(r.clear)]), [[true, 0]], 'identity and case reference are sealed in the store');

    // The summary counts the new victim, and assistance can now be arranged for them.
    const list = await app.inject({ method: 'GET', url: '/api/v1/conduct/allegations', headers: auth(token) });
    const summary = list.json().items.find((i: { id: string }) => i.id === id);
    assert.equal(summary.victims, 2);
    assert.equal(summary.minors, 2);
    const help = await app.inject({ method: 'POST', url: `/api/v1/conduct/allegations/${id}/assistance`, headers: auth(token), payload: { victim_ref: 'SV-2', kind: 'education', referred_on: '2025-03-10' } });
    assert.equal(help.statusCode, 201, help.body);

    // Mistakes a person makes get a clear answer, and nothing already stored changes.
    const dup = await app.inject({ method: 'POST', url, headers: auth(token), payload: { ref: 'SV-1', age_class: 'adult', sex: 'female' } });
    assert.equal(dup.statusCode, 400);
    assert.deepEqual([dup.json().error.code, dup.json().error.details.field], ['request.invalid', 'ref']);
    const noConsent = await app.inject({ method: 'POST', url, headers: auth(token), payload: { ref: 'SV-3', age_class: 'minor', sex: 'female', case_link: { consent: false, case_ref: 'C-9' } } });
    assert.equal(noConsent.statusCode, 400);
    assert.equal(noConsent.json().error.code, 'conduct.consent_required');
    const named = await app.inject({ method: 'POST', url, headers: auth(token), payload: { ref: 'Jean Mukendi', age_class: 'minor', sex: 'male' } });
    assert.equal(named.statusCode, 400, 'a reference is a pseudonym, never a name');
    const after = await app.inject({ method: 'GET', url: `/api/v1/conduct/allegations/${id}?include=identities`, headers: auth(token) });
    assert.equal(after.json().victims.length, 2);
    assert.equal(after.json().victims[0].age_class, 'minor', 'the duplicate did not overwrite SV-1');
    assert.equal(after.json().version, 2);

    // Admin and analyst: the same 404 as for an allegation that does not exist, and nothing added.
    for (const t of [m.tokens.admin, m.tokens.analyst, m.tokens.monitor]) {
      const res = await app.inject({ method: 'POST', url, headers: auth(t), payload: { ref: 'SV-9', age_class: 'minor', sex: 'male' } });
      const none = await app.inject({ method: 'POST', url: `/api/v1/conduct/allegations/${randomUUID()}/victims`, headers: auth(t), payload: { ref: 'SV-9', age_class: 'minor', sex: 'male' } });
      assert.equal(res.statusCode, 404);
      assert.deepEqual(res.json(), none.json());
    }
    assert.equal((await app.inject({ method: 'GET', url: `/api/v1/conduct/allegations/${id}`, headers: auth(token) })).json().victims.length, 2);
  });

  it('a victim is corrected: identity learnt later or erased, consent to the case link withdrawn', async () => {
    const { store, app } = h();
    const { m, token } = await conductOfficer(store, app);
    const created = await app.inject({ method: 'POST', url: '/api/v1/conduct/allegations', headers: auth(token), payload: {
      ...base, victims: [{ ref: 'SV-1', age_class: 'unknown', sex: 'female', case_link: { consent: true, case_ref: 'CASE-1' } }],
    } });
    const id = created.json().id as string;
    const url = `/api/v1/conduct/allegations/${id}/victims/SV-1`;
    const read = async () => (await app.inject({ method: 'GET', url: `/api/v1/conduct/allegations/${id}?include=identities`, headers: auth(token) })).json();
    const marker = `I${randomBytes(4).toString('hex')}`;

    const learnt = await app.inject({ method: 'PATCH', url, headers: auth(token), payload: { age_class: 'minor', identity: { full_name: `Amani ${marker}`, date_of_birth: '2012-05' } } });
    assert.equal(learnt.statusCode, 200, learnt.body);
    assert.equal(learnt.json().version, 2);
    let v = (await read()).victims[0];
    assert.deepEqual([v.age_class, v.identity.full_name, v.identity.date_of_birth, v.case_ref], ['minor', `Amani ${marker}`, '2012-05', 'CASE-1']);

    const withdrawn = await app.inject({ method: 'PATCH', url, headers: auth(token), payload: { case_link: null } });
    assert.equal(withdrawn.statusCode, 200, withdrawn.body);
    v = (await read()).victims[0];
    assert.deepEqual([v.case_link_consent, v.case_ref, v.identity.full_name], [false, null, `Amani ${marker}`], 'the link is gone, the identity stays');

    const erased = await app.inject({ method: 'PATCH', url, headers: auth(token), payload: { identity: null } });
    assert.equal(erased.statusCode, 200);
    assert.equal((await read()).victims[0].identity, null);
    const raw = await sql<{ n: number }>`select count(*)::int as n from sea_victims where allegation_id = ${id} and (identity_sealed is not null or case_ref_sealed is not null)`.execute(store.db);
    assert.equal(raw.rows[0]!.n, 0, 'nothing of the identity or the link is left in the row');

    const noConsent = await app.inject({ method: 'PATCH', url, headers: auth(token), payload: { case_link: { consent: false, case_ref: 'CASE-2' } } });
    assert.equal(noConsent.json().error.code, 'conduct.consent_required');
    const nothing = await app.inject({ method: 'PATCH', url, headers: auth(token), payload: {} });
    assert.equal(nothing.statusCode, 400);
    const unknown = await app.inject({ method: 'PATCH', url: `/api/v1/conduct/allegations/${id}/victims/SV-9`, headers: auth(token), payload: { sex: 'male' } });
    assert.equal(unknown.statusCode, 404);
    assert.equal(unknown.json().error.details.field, 'victim_ref');
    const admin = await app.inject({ method: 'PATCH', url, headers: auth(m.tokens.admin), payload: { sex: 'male' } });
    assert.equal(admin.statusCode, 404);
    assert.equal((await read()).victims[0].sex, 'female', 'nothing changed for the refused calls');
  });

  it('the facts first recorded are corrected once known; nationality only for uniformed personnel', async () => {
    const { store, app } = h();
    const { token } = await conductOfficer(store, app);
    const created = await app.inject({ method: 'POST', url: '/api/v1/conduct/allegations', headers: auth(token), payload: { ...base, subtype: 'rape' } });
    const id = created.json().id as string;
    const patch = (payload: Record<string, unknown>) => app.inject({ method: 'PATCH', url: `/api/v1/conduct/allegations/${id}`, headers: auth(token), payload });

    const retyped = await patch({ version: 1, type: 'exploitation', incident: { date: '2025-02', precision: 'month' } });
    assert.equal(retyped.statusCode, 400, 'a month is not a date: the field says so');
    const ok = await patch({ version: 1, type: 'exploitation', incident: { date: '2025-02-01', precision: 'month' }, perpetrators: 2 });
    assert.equal(ok.statusCode, 200, ok.body);
    assert.deepEqual([ok.json().type, ok.json().subtype, ok.json().incident, ok.json().perpetrators], ['exploitation', null, { date: '2025-02-01', precision: 'month' }, 2],
      'the old sub-type belonged to the old type');

    const civ = await patch({ version: 2, personnel_category: 'civilian_staff', contingent_nationality: 'XYZ' });
    assert.equal(civ.statusCode, 400);
    assert.equal(civ.json().error.details.field, 'contingent_nationality');
    const moved = await patch({ version: 2, personnel_category: 'civilian_staff' });
    assert.equal(moved.statusCode, 200, moved.body);
    assert.deepEqual([moved.json().personnel_category, moved.json().contingent_nationality], ['civilian_staff', null], 'the nationality goes with the category');

    const late = await patch({ version: 3, incident: { date: '2025-04-01', precision: 'day' } });
    assert.equal(late.statusCode, 400);
    assert.equal(late.json().error.details.field, 'incident.date', 'an incident after the allegation was received');
  });

  it('the referral, the Member State answer, the outcome and the actions are recorded after the allegation', async () => {
    const { store, app } = h();
    const { token } = await conductOfficer(store, app);
    const created = await app.inject({ method: 'POST', url: '/api/v1/conduct/allegations', headers: auth(token), payload: base });
    const id = created.json().id as string;
    assert.equal(created.json().referral, null);
    assert.deepEqual(created.json().deadlines, { ms_response_due: null, investigation_due: null, overdue: [] }, 'no clock runs before the referral');
    const patch = (payload: Record<string, unknown>) => app.inject({ method: 'PATCH', url: `/api/v1/conduct/allegations/${id}`, headers: auth(token), payload });

    const referred = await patch({ version: 1, referral: { entity: 'tcc', referred_on: '2025-03-05' } });
    assert.equal(referred.statusCode, 200, referred.body);
    assert.equal(referred.json().deadlines.ms_response_due, '2025-03-19');
    assert.equal(referred.json().deadlines.investigation_due, '2025-06-03');
    // Long past (the real clock): both deadlines are missed.
    assert.deepEqual(referred.json().deadlines.overdue, ['ms_response_overdue', 'investigation_overdue']);

    const stale = await patch({ version: 1, urgent: true });
    assert.equal(stale.statusCode, 409, 'a change from an old copy is refused');

    const badDate = await patch({ version: 2, referral: { entity: 'tcc', referred_on: '2025-03-05', nio_appointed_on: '2025-03-01' } });
    assert.equal(badDate.statusCode, 400);
    assert.equal(badDate.json().error.details.field, 'referral.nio_appointed_on');

    const answered = await patch({ version: 2, referral: { entity: 'tcc', referred_on: '2025-03-05', ms_response_on: '2025-03-12', ms_will_investigate: true, nio_appointed_on: '2025-03-20' } });
    assert.equal(answered.statusCode, 200, answered.body);
    assert.equal(answered.json().deadlines.investigation_due, '2025-06-18', 'a NIO has 90 days from appointment');
    assert.deepEqual(answered.json().deadlines.overdue, ['investigation_overdue'], 'the Member State answered in time');

    const noDate = await patch({ version: 3, outcome: { status: 'substantiated', on: null } });
    assert.equal(noDate.statusCode, 400);
    assert.equal(noDate.json().error.details.field, 'outcome.on');

    const done = await patch({
      version: 3, outcome: { status: 'substantiated', on: '2025-06-10' },
      actions: [{ kind: 'repatriation', stage: 'interim', on: '2025-04-01' }, { kind: 'imprisonment', stage: 'final', on: '2025-08-01' }],
      actions_reported_on: '2025-08-15',
    });
    assert.equal(done.statusCode, 200, done.body);
    const v = done.json();
    assert.deepEqual(v.outcome, { status: 'substantiated', on: '2025-06-10' });
    assert.deepEqual(v.actions.map((a: { kind: string }) => a.kind), ['repatriation', 'imprisonment']);
    assert.equal(v.actions_reported_on, '2025-08-15');
    assert.deepEqual(v.deadlines.overdue, [], 'an outcome stops the clocks');
    const alerts = await app.inject({ method: 'GET', url: '/api/v1/conduct/alerts', headers: auth(token) });
    assert.ok(!alerts.json().items.some((a: { allegation_id: string }) => a.allegation_id === id));

    // Assistance tracked to completion; a completion needs its date.
    const help = await app.inject({ method: 'POST', url: `/api/v1/conduct/allegations/${id}/assistance`, headers: auth(token), payload: { victim_ref: 'SV-1', kind: 'psychosocial', referred_on: '2025-03-06' } });
    const rid = help.json().id as string;
    const aUrl = `/api/v1/conduct/allegations/${id}/assistance/${rid}`;
    assert.equal((await app.inject({ method: 'PATCH', url: aUrl, headers: auth(token), payload: { status: 'in_progress' } })).statusCode, 200);
    const undated = await app.inject({ method: 'PATCH', url: aUrl, headers: auth(token), payload: { status: 'completed' } });
    assert.equal(undated.statusCode, 400);
    assert.equal(undated.json().error.details.field, 'completed_on');
    const finished = await app.inject({ method: 'PATCH', url: aUrl, headers: auth(token), payload: { status: 'completed', completed_on: '2025-05-30' } });
    assert.deepEqual([finished.json().status, finished.json().completed_on], ['completed', '2025-05-30']);
    const summary = (await app.inject({ method: 'GET', url: '/api/v1/conduct/allegations', headers: auth(token) })).json().items.find((i: { id: string }) => i.id === id);
    assert.equal(summary.assistance_open, 0);
    assert.equal(summary.outcome, 'substantiated');
  });
});
