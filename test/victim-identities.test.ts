import assert from 'node:assert/strict';
import { describe, it as plainIt } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { identityKey, normaliseName } from '../src/platform/crypto/pseudonyms.ts';
import { auth, incidentBody, newMission, type Mission } from './support/fixtures.ts';
import { describeStores } from './support/matrix.ts';
import { identityBody } from './support/sensitive-bodies.ts';

/** Issue 3 items 3–4: identities of victims and sources sealed, opened on request and audited; blind-index look-ups. */
describeStores('victim and source identities', ({ it, h }) => {
  let app: FastifyInstance;
  let m: Mission;
  let incidentId: string;
  let killingId: string;

  const get = (url: string, token: string) => app.inject({ method: 'GET', url, headers: auth(token) });
  const lookup = (token: string, full_name: string, date_of_birth: string | null) =>
    app.inject({ method: 'POST', url: '/api/v1/victims/lookup', headers: auth(token), payload: { full_name, date_of_birth } });

  it('shows identities only when asked for, to those who see the record, and audits each opening', async () => {
    app = h().app;
    m = await newMission(h().store, app);
    const created = await app.inject({ method: 'POST', url: '/api/v1/incidents', headers: auth(m.tokens.monitor), payload: identityBody(m, 'ID1') });
    assert.equal(created.statusCode, 201, created.body);
    incidentId = created.json().id;
    const killing = created.json().violations.find((v: { type: string }) => v.type === 'killing');
    killingId = killing.id;
    assert.equal(killing.victims[0].identity, undefined, 'not echoed back unless asked for');

    const plain = await get(`/api/v1/incidents/${incidentId}`, m.tokens.verifier);
    assert.ok(!plain.body.includes('Dieudonn') && !plain.body.includes('Bisimwa'));
    const full = await get(`/api/v1/incidents/${incidentId}?include=identities`, m.tokens.verifier);
    assert.equal(full.statusCode, 200, full.body);
    const v = full.json().violations.find((x: { type: string }) => x.type === 'killing');
    assert.deepEqual(v.victims[0].identity, { full_name: 'Dieudonné ID1Ngoy', date_of_birth: '2016-03-14', parents_names: 'Mère ID1Furaha; père ID1Kasongo' });
    assert.deepEqual(v.sources[0].identity, { full_name: 'Témoin ID1Bisimwa', contact: '+243 810 555 0199' });
    assert.equal(full.json().narrative.confidential, undefined, 'identities do not bring the narrative with them');
    const abduction = full.json().violations.find((x: { type: string }) => x.type === 'abduction');
    assert.deepEqual(abduction.victims, []);
    assert.ok(full.json().permitted_actions.includes('read_identities'));

    const audit = await h().store.db.selectFrom('audit_events').select(['details', 'actor_role']).where('mission_id', '=', m.id)
      .where('action', '=', 'incident.read_identities').execute();
    assert.equal(audit.length, 1);
    assert.deepEqual(audit[0]!.details, { victims: 1, sources: 1 });
    assert.equal(audit[0]!.actor_role, 'verifier');
    assert.equal((await get(`/api/v1/incidents/${incidentId}?include=identities`, m.tokens.monitorBeni)).statusCode, 404, 'out of scope: not even its existence');
  });

  it('keeps a stored identity when an edit resends the victim without one, and removes it on null', async () => {
    const url = `/api/v1/violations/${killingId}`;
    const current = (await get(url, m.tokens.monitor)).json();
    const victimsWithoutIdentity = current.victims.map((x: Record<string, unknown>) => ({ ref: x.ref, sex: x.sex, age: 9, age_estimated: x.age_estimated }));
    const edited = await app.inject({ method: 'PATCH', url, headers: auth(m.tokens.monitor), payload: { version: current.version, victims: victimsWithoutIdentity } });
    assert.equal(edited.statusCode, 200, edited.body);
    const after = (await get(`/api/v1/incidents/${incidentId}?include=identities`, m.tokens.monitor)).json();
    const kept = after.violations.find((x: { id: string }) => x.id === killingId).victims[0];
    assert.equal(kept.age, 9);
    assert.equal(kept.identity.full_name, 'Dieudonné ID1Ngoy', 'the identity survived an edit by someone who never saw it');

    const removed = await app.inject({ method: 'PATCH', url, headers: auth(m.tokens.monitor),
      payload: { version: edited.json().version, victims: [{ ...victimsWithoutIdentity[0], identity: null }] } });
    assert.equal(removed.statusCode, 200, removed.body);
    const gone = (await get(`/api/v1/incidents/${incidentId}?include=identities`, m.tokens.monitor)).json();
    assert.equal(gone.violations.find((x: { id: string }) => x.id === killingId).victims[0].identity, null);
    assert.equal((await lookup(m.tokens.monitor, 'Dieudonné ID1Ngoy', '2016-03-14')).json().items.length, 0, 'and it leaves the index');
  });

  it('finds a child recorded before by name and birth date, whatever the accents, case and name order', async () => {
    const second = await app.inject({ method: 'POST', url: '/api/v1/incidents', headers: auth(m.tokens.monitor), payload: identityBody(m, 'ID2') });
    assert.equal(second.statusCode, 201, second.body);
    for (const spelling of ['Dieudonné ID2Ngoy', 'DIEUDONNE id2ngoy', 'ID2Ngoy, Dieudonne', '  dieudonné   ID2NGOY ']) {
      const res = await lookup(m.tokens.verifier, spelling, '2016-03-14');
      assert.equal(res.statusCode, 200, res.body);
      assert.deepEqual(res.json().items.map((i: { incident_id: string; victim_ref: string }) => [i.incident_id, i.victim_ref]), [[second.json().id, 'V-0001']], spelling);
    }
    assert.equal((await lookup(m.tokens.verifier, 'Dieudonné ID2Ngoy', '2016')).json().items.length, 0, 'a year does not find a full date');
    assert.equal((await lookup(m.tokens.verifier, 'Dieudonné ID2Ngoyi', '2016-03-14')).json().items.length, 0, 'exact, not fuzzy');
    assert.equal((await lookup(m.tokens.monitorBeni, 'Dieudonné ID2Ngoy', '2016-03-14')).json().items.length, 0, 'only incidents the caller may see');
    const analyst = await lookup(m.tokens.analyst, 'Dieudonné ID2Ngoy', '2016-03-14');
    assert.equal(analyst.statusCode, 403);

    const stored = await h().store.db.selectFrom('violation_victims').select(['identity_index']).where('mission_id', '=', m.id).where('identity_index', 'is not', null).execute();
    assert.ok(stored.length > 0 && stored.every((r) => /^p1_[\w-]{22}$/.test(r.identity_index!)));
    const audit = await h().store.db.selectFrom('audit_events').select('details').where('mission_id', '=', m.id).where('action', '=', 'victim.lookup').execute();
    assert.ok(audit.length >= 7);
    assert.ok(audit.every((a) => !JSON.stringify(a.details).includes('ID2')), 'the name looked up is not in the audit trail');
  });

  it('gives the same child different indexes in different missions (keys are per mission)', async () => {
    const other = await newMission(h().store, app);
    const body = identityBody(other, 'ID2');
    const created = await app.inject({ method: 'POST', url: '/api/v1/incidents', headers: auth(other.tokens.monitor), payload: body });
    assert.equal(created.statusCode, 201, created.body);
    const indexOf = async (missionId: string) => (await h().store.db.selectFrom('violation_victims').select('identity_index')
      .where('mission_id', '=', missionId).where('identity_index', 'is not', null).execute()).map((r) => r.identity_index);
    const mine = new Set(await indexOf(m.id));
    assert.ok((await indexOf(other.id)).every((i) => !mine.has(i)));
  });

  it('refuses malformed identities with the field named', async () => {
    const bad = incidentBody(m, {});
    const v = bad.violations[0]!;
    for (const [identity, field] of [
      [{ full_name: '', date_of_birth: null }, 'full_name'],
      [{ full_name: 'Amani', date_of_birth: '2016-02-30' }, 'date_of_birth'],
      [{ full_name: 'Amani', date_of_birth: '14/03/2016' }, 'date_of_birth'],
      [{ full_name: 'Amani', nickname: 'A' }, ''],
    ] as const) {
      const res = await app.inject({ method: 'POST', url: '/api/v1/incidents', headers: auth(m.tokens.monitor),
        payload: { ...bad, violations: [{ ...v, victims: [{ ref: 'V-9', sex: 'male', age: 8, identity }] }] } });
      assert.equal(res.statusCode, 400, JSON.stringify(identity));
      assert.match(res.json().error.details.field, new RegExp(`^violations\\.0\\.victims\\.0\\.identity${field ? `\\.${field}` : ''}`));
    }
  });
});

describe('identity keys', () => {
  plainIt('normalise accents, case, punctuation and name order, and keep the birth date as given', () => {
    assert.equal(normaliseName('NGOY-Kabila, Dieudonné'), normaliseName('dieudonne ngoy kabila'));
    assert.equal(normaliseName('Nyan Deng'), 'deng nyan');
    assert.notEqual(normaliseName('Nyandeng'), normaliseName('Nyan Deng'), 'joined names are the linkage engine\'s work');
    assert.equal(identityKey('Aïcha Walet', '2014'), 'aicha walet|2014');
    assert.equal(identityKey('عائشة', null), 'عايشة|', 'Arabic script is kept; the hamza seat is not a different name');
    assert.equal(normaliseName('عائشة'), normaliseName('عايشة'));
  });
});
