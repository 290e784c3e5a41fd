import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { createUser } from '../src/modules/accounts/service.ts';
import { ROLES, systemContext, type Role } from '../src/platform/context.ts';
import type { Store } from '../src/platform/db/store.ts';
import { auth, login, newMission, PASSWORD } from './support/fixtures.ts';
import { describeStores } from './support/matrix.ts';

/** A signed-in account of each role in a fresh mission. */
async function roleTokens(store: Store, app: FastifyInstance, missionId: string): Promise<Record<Role, string>> {
  const tokens = {} as Record<Role, string>;
  for (const role of ROLES) {
    const username = `${missionId}.${role.replace('_', '')}.${randomBytes(3).toString('hex')}`;
    await createUser(store.db, systemContext(missionId), { username, display_name: role, role, scope: { country: 'COD', areas: [], agency: null }, password: PASSWORD });
    tokens[role] = await login(app, username, PASSWORD);
  }
  return tokens;
}

const allegationBody = (marker: string, overrides: Record<string, unknown> = {}) => ({
  received_on: '2025-03-03',
  incident: { date: '2025-02-20', precision: 'day' },
  personnel_category: 'military_contingent',
  contingent_nationality: 'XYZ',
  type: 'abuse',
  subtype: 'sexual_activity_with_minor',
  narrative: `The girl ${marker} told the officer what happened near the base.`,
  victims: [{ ref: 'SV-1', age_class: 'minor', sex: 'female', identity: { full_name: `Neema ${marker}Kahindo`, date_of_birth: '2009-07-21', contact: 'via caregiver' },
    case_link: { consent: true, case_ref: `CASE-${marker}` } }],
  paternity_claims: [{ ref: 'PC-1', victim_ref: 'SV-1', status: 'lodged', child_support: 'claimed', lodged_on: '2025-03-10' }],
  referral: { entity: 'tcc', referred_on: '2025-03-05' },
  ...overrides,
});

describeStores('conduct (SEA) access', ({ it, h }) => {
  it('no role but the conduct officer, admin included, reads an allegation or learns that one exists', async () => {
    const { store, app } = h();
    const m = await newMission(store, app);
    const tokens = await roleTokens(store, app, m.id);
    const marker = `SEA${randomBytes(4).toString('hex')}`;
    const created = await app.inject({ method: 'POST', url: '/api/v1/conduct/allegations', headers: auth(tokens.conduct_officer), payload: allegationBody(marker) });
    assert.equal(created.statusCode, 201, created.body);
    const a = created.json();
    assert.equal(a.victims[0].identity.full_name, `Neema ${marker}Kahindo`);
    assert.equal(a.victims[0].case_ref, `CASE-${marker}`);

    const own = await app.inject({ method: 'GET', url: `/api/v1/conduct/allegations/${a.id}?include=all`, headers: auth(tokens.conduct_officer) });
    assert.equal(own.statusCode, 200);
    assert.match(own.json().narrative, new RegExp(marker));

    const routes = (id: string) => [
      { method: 'GET' as const, url: `/api/v1/conduct/allegations/${id}` },
      { method: 'GET' as const, url: `/api/v1/conduct/allegations/${id}?include=all` },
      { method: 'PATCH' as const, url: `/api/v1/conduct/allegations/${id}`, payload: { version: 1, urgent: true } },
      { method: 'POST' as const, url: `/api/v1/conduct/allegations/${id}/assistance`, payload: { victim_ref: 'SV-1', kind: 'medical', referred_on: '2025-03-06' } },
      { method: 'PATCH' as const, url: `/api/v1/conduct/allegations/${id}/assistance/${randomUUID()}`, payload: { status: 'completed', completed_on: '2025-03-07' } },
    ];
    for (const role of ROLES.filter((r) => r !== 'conduct_officer')) {
      const real = routes(a.id);
      const fake = routes(randomUUID());
      for (const [i, r] of real.entries()) {
        const res = await app.inject({ ...r, headers: auth(tokens[role]) });
        const none = await app.inject({ ...fake[i]!, headers: auth(tokens[role]) });
        assert.equal(res.statusCode, 404, `${role} ${r.method} ${r.url}: ${res.body}`);
        assert.equal(res.json().error.code, 'record.not_found');
        // The same answer as for an id that does not exist: nothing tells the two apart.
        assert.deepEqual(res.json(), none.json(), `${role} ${r.method}`);
        assert.ok(!res.body.includes(marker));
      }
      for (const url of ['/api/v1/conduct/allegations', '/api/v1/conduct/alerts']) {
        const list = await app.inject({ method: 'GET', url, headers: auth(tokens[role]) });
        assert.equal(list.statusCode, 200, `${role} ${url}`);
        assert.deepEqual(list.json().items, [], `${role} ${url} lists nothing`);
      }
      const create = await app.inject({ method: 'POST', url: '/api/v1/conduct/allegations', headers: auth(tokens[role]), payload: allegationBody(marker) });
      assert.equal(create.statusCode, 403, `${role} may not record allegations`);
    }
    // The update the others tried changed nothing.
    const after = await app.inject({ method: 'GET', url: `/api/v1/conduct/allegations/${a.id}`, headers: auth(tokens.conduct_officer) });
    assert.equal(after.json().version, 1);
    assert.equal(after.json().narrative, null, 'the narrative is opened only on request');
    assert.equal(after.json().victims[0].identity, null, 'identities are opened only on request');

    // A conduct officer of another mission does not see it either.
    const other = await newMission(store, app);
    const otherTokens = await roleTokens(store, app, other.id);
    const foreign = await app.inject({ method: 'GET', url: `/api/v1/conduct/allegations/${a.id}`, headers: auth(otherTokens.conduct_officer) });
    assert.equal(foreign.statusCode, 404);

    // The auditor follows the conduct trail by pseudonym: no allegation id, name, case reference or narrative.
    const trail = await app.inject({ method: 'GET', url: '/api/v1/audit?action=sea.*&limit=100', headers: auth(tokens.auditor) });
    assert.equal(trail.statusCode, 200, trail.body);
    const items = trail.json().items as { action: string; target_type: string; target_id: string }[];
    assert.ok(items.some((e) => e.action === 'sea.allegation.create' && e.target_type === 'sea_allegation' && e.target_id === a.audit_ref));
    assert.ok(items.some((e) => e.action === 'sea.allegation.read_identities'));
    assert.ok(!trail.body.includes(a.id) && !trail.body.includes(marker) && !trail.body.includes('XYZ'), trail.body.slice(0, 400));
  });

  it('a link to a case needs consent; nationality only for uniformed personnel', async () => {
    const { store, app } = h();
    const m = await newMission(store, app);
    const tokens = await roleTokens(store, app, m.id);
    const body = allegationBody('X', { victims: [{ ref: 'SV-1', age_class: 'minor', sex: 'female', case_link: { consent: false, case_ref: 'CASE-1' } }], paternity_claims: [] });
    const res = await app.inject({ method: 'POST', url: '/api/v1/conduct/allegations', headers: auth(tokens.conduct_officer), payload: body });
    assert.equal(res.statusCode, 400);
    assert.equal(res.json().error.code, 'conduct.consent_required');
    const civ = await app.inject({ method: 'POST', url: '/api/v1/conduct/allegations', headers: auth(tokens.conduct_officer),
      payload: allegationBody('X', { personnel_category: 'civilian_staff' }) });
    assert.equal(civ.statusCode, 400);
    assert.equal(civ.json().error.details.field, 'contingent_nationality');
  });

  it('the analyst gets the aggregate only, suppressed below the threshold; the conduct officer may see it whole', async () => {
    const { store, app } = h();
    const m = await newMission(store, app);
    const tokens = await roleTokens(store, app, m.id);
    const post = (overrides: Record<string, unknown>) => app.inject({ method: 'POST', url: '/api/v1/conduct/allegations', headers: auth(tokens.conduct_officer), payload: allegationBody('A', overrides) });
    // 2024: three allegations, all under the threshold. 2025: six abuse by contingents; 2023: six of them plus two by civilians.
    for (let i = 0; i < 3; i++) assert.equal((await post({ received_on: '2024-05-02', incident: { date: null, precision: 'unknown' }, referral: null })).statusCode, 201);
    for (let i = 0; i < 6; i++) assert.equal((await post({})).statusCode, 201);
    const y2023 = { received_on: '2023-06-01', incident: { date: null, precision: 'unknown' }, referral: null, paternity_claims: [] };
    for (let i = 0; i < 6; i++) assert.equal((await post(y2023)).statusCode, 201);
    for (let i = 0; i < 2; i++) {
      assert.equal((await post({ ...y2023, personnel_category: 'civilian_staff', contingent_nationality: null, type: 'exploitation', subtype: 'transactional_sex' })).statusCode, 201);
    }
    const read = async (token: string, query: string) => {
      const res = await app.inject({ method: 'GET', url: `/api/v1/conduct/aggregate?${query}`, headers: auth(token) });
      assert.equal(res.statusCode, 200, res.body);
      return res.json();
    };
    /** Every figure an analyst receives is 0, at least the threshold, or suppressed (null). */
    const published = (view: Record<string, unknown>): number[] => Object.entries(view).flatMap(([k, v]) =>
      k === 'year' || k === 'disclosure' ? [] : typeof v === 'number' ? [v] : v && typeof v === 'object' ? published(v as Record<string, unknown>) : []);
    const small = await read(tokens.analyst, 'year=2024&public=false');
    assert.equal(small.public, true, 'an analyst gets the public form whatever they ask');
    assert.equal(small.allegations, null);
    assert.equal(small.victims, null);
    assert.equal(small.by_nationality.XYZ, null);
    assert.equal(small.by_type.abuse, null);

    const big = await read(tokens.analyst, 'year=2025');
    assert.equal(big.allegations, 6, 'six allegations are published');
    assert.equal(big.by_type.abuse, 6);
    assert.equal(big.victims_by_age_class.minor, 6);

    const mixed = await read(tokens.analyst, 'year=2023');
    assert.equal(mixed.by_type.exploitation, null, 'two is below the threshold');
    assert.equal(mixed.by_personnel_category.civilian_staff, null);
    assert.ok(mixed.disclosure.suppressed_cells >= 4, 'and cells that would give them away are suppressed with them');
    for (const view of [small, big, mixed]) {
      assert.deepEqual(published(view).filter((n) => n > 0 && n < 5), [], JSON.stringify(view));
      assert.ok(!JSON.stringify(view).includes('SV-1') && !JSON.stringify(view).includes('Neema'));
    }

    const whole = await read(tokens.conduct_officer, 'year=2023&public=false');
    assert.equal(whole.public, false);
    assert.equal(whole.by_type.exploitation, 2);
    assert.equal(whole.by_nationality.XYZ, 6);

    for (const role of ['admin', 'monitor', 'verifier', 'case_worker', 'supervisor', 'auditor'] as const) {
      const res = await app.inject({ method: 'GET', url: '/api/v1/conduct/aggregate?year=2025', headers: auth(tokens[role]) });
      assert.equal(res.statusCode, 403, role);
    }
  });
});
