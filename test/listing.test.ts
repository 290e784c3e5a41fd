import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { listingFromAttributions } from '../src/modules/mrm/listings/triggers.ts';
import { aggregateFacts } from '../src/modules/mrm/reports/counting.ts';
import { annualPeriod } from '../src/modules/mrm/reports/periods.ts';
import { auth, type Mission } from './support/fixtures.ts';
import { describeStores } from './support/matrix.ts';
import { FIXTURES, PARTIES } from './support/report-fixtures.ts';
import { missionWithFixtures } from './support/report-seed.ts';

/**
 * The 2025 listing of FIXTURES, by hand. CODECO: killing 4 (1 January) + the joint maiming 2 = 6;
 * abduction 3; sexual violence 1. FARDC: the joint maiming 2; attack on a school 1 (the one of
 * 31 December 2024 is out). ADF: denial of humanitarian access only, which is not a trigger.
 */
const EXPECTED = {
  ADF: { verified: { killing_maiming: 0, recruitment_use: 0, sexual_violence: 0, attacks_schools_hospitals: 0, abduction: 0 }, triggers: [] },
  CODECO: { verified: { killing_maiming: 6, recruitment_use: 0, sexual_violence: 1, attacks_schools_hospitals: 0, abduction: 3 }, triggers: ['killing_maiming', 'sexual_violence', 'abduction'] },
  FARDC: { verified: { killing_maiming: 2, recruitment_use: 0, sexual_violence: 0, attacks_schools_hospitals: 1, abduction: 0 }, triggers: ['killing_maiming', 'attacks_schools_hospitals'] },
};

describe('listing triggers (pure)', () => {
  it('per party and year, which triggers have verified violations, by hand', () => {
    const input = aggregateFacts(annualPeriod(2025), FIXTURES, PARTIES);
    const listing = listingFromAttributions(input.attributions, PARTIES);
    assert.deepEqual(Object.fromEntries(listing.map((p) => [p.name, { verified: p.verified, triggers: p.triggers }])), EXPECTED);
  });
});

describeStores('listings and action plans', ({ it, h }) => {
  let m: Mission;
  const seeded = async () => (m ??= await missionWithFixtures(h().store, h().app));

  it('API: the listing by hand for an admin; an analyst sees which triggers, not how many; a monitor nothing', async () => {
    const mission = await seeded();
    const admin = await h().app.inject({ method: 'GET', url: '/api/v1/listings?year=2025', headers: auth(mission.tokens.admin) });
    assert.equal(admin.statusCode, 200, admin.body);
    const byName = Object.fromEntries(admin.json().parties.map((p: { name: string; verified: unknown; triggers: unknown }) => [p.name, { verified: p.verified, triggers: p.triggers }]));
    assert.deepEqual(byName, EXPECTED);
    const analyst = await h().app.inject({ method: 'GET', url: '/api/v1/listings?year=2025', headers: auth(mission.tokens.analyst) });
    assert.equal(analyst.statusCode, 200, analyst.body);
    const codeco = analyst.json().parties.find((p: { name: string }) => p.name === 'CODECO');
    assert.deepEqual(codeco.triggers, EXPECTED.CODECO.triggers);
    assert.ok(Object.values(codeco.verified).every((v) => v === null), 'no counts in the public form');
    const csv = await h().app.inject({ method: 'GET', url: '/api/v1/listings?year=2025&format=csv', headers: auth(mission.tokens.admin) });
    assert.ok(csv.body.includes('2025,CODECO,non_state_armed_group,killing_maiming,yes,6,'), csv.body);
    const monitor = await h().app.inject({ method: 'GET', url: '/api/v1/listings?year=2025', headers: auth(mission.tokens.monitor) });
    assert.equal(monitor.statusCode, 403);
  });

  it('API: an action plan is recorded, its progress follows its activities and the verified violations since signing', async () => {
    const mission = await seeded();
    const app = h().app;
    const body = {
      party_id: mission.parties.codeco, title: 'Action plan to end and prevent the recruitment and use, killing and maiming of children', signed_on: '2025-02-01',
      status: 'signed', triggers: ['killing_maiming', 'abduction'],
      commitments: [{ id: 'c1', text: 'Release all children from its ranks', trigger: null }, { id: 'c2', text: 'Issue command orders prohibiting killing and maiming', trigger: 'killing_maiming' }],
      activities: [
        { id: 'a1', commitment_id: 'c1', text: 'Screening of troops', due_on: '2025-06-30', status: 'done', evidence: [{ date: '2025-06-20', description: 'Joint screening report', reference: 'TF/2025/17' }] },
        { id: 'a2', commitment_id: 'c2', text: 'Command order issued and disseminated', due_on: '2025-03-31', status: 'in_progress' },
        { id: 'a3', commitment_id: 'c2', text: 'Focal point appointed', status: 'dropped' },
      ],
    };
    const monitor = await app.inject({ method: 'POST', url: '/api/v1/action-plans', headers: auth(mission.tokens.monitor), payload: body });
    assert.equal(monitor.statusCode, 403);
    const created = await app.inject({ method: 'POST', url: '/api/v1/action-plans', headers: auth(mission.tokens.verifier), payload: body });
    assert.equal(created.statusCode, 201, created.body);
    const plan = created.json();
    assert.equal(plan.party_name, 'CODECO');
    assert.deepEqual({ ...plan.progress, verified_since_signing: plan.progress.verified_since_signing['2025'] }, {
      activities: 2, done: 1, dropped: 1, overdue: 1, share_done: 0.5, evidence_items: 1,
      by_commitment: { c1: { activities: 1, done: 1 }, c2: { activities: 2, done: 0 } },
      verified_since_signing: { killing_maiming: 6, abduction: 3 },
    });

    const stale = await app.inject({ method: 'PATCH', url: `/api/v1/action-plans/${plan.plan_id}`, headers: auth(mission.tokens.admin), payload: { version: plan.version + 1, status: 'completed' } });
    assert.equal(stale.statusCode, 409, stale.body);
    const bad = await app.inject({ method: 'PATCH', url: `/api/v1/action-plans/${plan.plan_id}`, headers: auth(mission.tokens.admin),
      payload: { version: plan.version, activities: [{ id: 'a9', commitment_id: 'nope', text: 'x' }] } });
    assert.equal(bad.statusCode, 400);
    const done = await app.inject({ method: 'PATCH', url: `/api/v1/action-plans/${plan.plan_id}`, headers: auth(mission.tokens.admin),
      payload: { version: plan.version, status: 'in_progress', activities: body.activities.map((a) => ({ ...a, status: a.status === 'dropped' ? 'dropped' : 'done' })) } });
    assert.equal(done.statusCode, 200, done.body);
    assert.equal(done.json().progress.share_done, 1);
    assert.equal(done.json().version, plan.version + 1);

    const listing = await app.inject({ method: 'GET', url: '/api/v1/listings?year=2025', headers: auth(mission.tokens.admin) });
    assert.deepEqual(listing.json().parties.find((p: { name: string }) => p.name === 'CODECO').action_plans, [{ plan_id: plan.plan_id, status: 'in_progress', signed_on: '2025-02-01' }]);
    const analyst = await app.inject({ method: 'GET', url: `/api/v1/action-plans/${plan.plan_id}`, headers: auth(mission.tokens.analyst) });
    assert.equal(analyst.statusCode, 200, analyst.body);
    assert.equal(analyst.json().progress.verified_since_signing['2025'].killing_maiming, null);
    const list = await app.inject({ method: 'GET', url: `/api/v1/action-plans?party_id=${mission.parties.codeco}`, headers: auth(mission.tokens.admin) });
    assert.equal(list.json().items.length, 1);
    const missing = await app.inject({ method: 'GET', url: '/api/v1/action-plans/00000000-0000-4000-8000-000000000000', headers: auth(mission.tokens.admin) });
    assert.equal(missing.statusCode, 404);
    const audit = await h().store.db.selectFrom('audit_events').select('action').where('mission_id', '=', mission.id).where('action', 'like', 'action_plan.%').execute();
    assert.ok(audit.some((a) => a.action === 'action_plan.create') && audit.some((a) => a.action === 'action_plan.update'));
  });
});
