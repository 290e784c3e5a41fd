import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { auth, incidentBody, newMission, type Mission } from './support/fixtures.ts';
import { describeStores } from './support/matrix.ts';

describeStores('MRM need-to-know and lists', ({ it, h }) => {
  let app: FastifyInstance;
  let m: Mission;
  const ids: string[] = [];
  const get = (url: string, token: string) => app.inject({ method: 'GET', url, headers: auth(token) });

  it('lists only what each role may see, filtered in the database', async () => {
    app = h().app;
    m = await newMission(h().store, app);
    const dates = ['2024-03-01', '2024-07-15', '2024-11-30', '2025-01-05', '2025-02-10'];
    for (const [i, start] of dates.entries()) {
      const body = incidentBody(m, { date: { start }, title: `Incident ${i}` });
      if (i === 4) body.violations = [{ type: 'attack_school', details: { attack_kind: 'attack_on_school' }, perpetrators: [{ party_id: m.parties.fardc }] }] as never;
      const res = await app.inject({ method: 'POST', url: '/api/v1/incidents', headers: auth(m.tokens.monitor), payload: body });
      assert.equal(res.statusCode, 201, res.body);
      ids.push(res.json().id);
    }
    const beni = await app.inject({ method: 'POST', url: '/api/v1/incidents', headers: auth(m.tokens.monitorBeni),
      payload: incidentBody(m, { location: { admin_pcode: m.areas.beni }, date: { start: '2025-01-20' } }) });
    assert.equal(beni.statusCode, 201, beni.body);
    ids.push(beni.json().id);

    const titles = async (token: string, query = '') => (await get(`/api/v1/incidents${query}`, token)).json().items.map((i: { title: string }) => i.title);
    assert.equal((await titles(m.tokens.monitor)).length, 5, 'a monitor sees what they recorded');
    assert.equal((await titles(m.tokens.monitorBeni)).length, 1);
    assert.equal((await titles(m.tokens.verifier)).length, 6, 'a country verifier sees the whole country');
    assert.equal((await titles(m.tokens.verifierBeni)).length, 1, 'an area-scoped verifier sees only North Kivu');
    assert.equal((await get('/api/v1/incidents', m.tokens.analyst)).json().items.length, 0, 'an analyst sees no incident records');
    assert.deepEqual(await titles(m.tokens.verifier, '?type=attack_school'), ['Incident 4']);
    assert.deepEqual(await titles(m.tokens.verifier, `?party_id=${m.parties.fardc}`), ['Incident 4']);
    assert.deepEqual(await titles(m.tokens.verifier, '?from=2024-07-01&to=2024-12-31'), ['Incident 2', 'Incident 1']);
    assert.equal((await titles(m.tokens.verifier, `?admin_pcode=${m.areas.ituri}`)).length, 5);
    assert.equal((await titles(m.tokens.verifier, '?status=pending&type=killing,abduction')).length, 5);
    assert.equal((await titles(m.tokens.verifier, '?status=verified')).length, 0);
    const bad = await get('/api/v1/incidents?type=bombing', m.tokens.verifier);
    assert.equal(bad.statusCode, 400);
    assert.equal(bad.json().error.details.field, 'querystring.type.0');
  });

  it('pages with a cursor without gaps or repeats', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { items: { id: string }[]; next_cursor: string | null } = (await get(`/api/v1/incidents?limit=2${cursor ? `&cursor=${cursor}` : ''}`, m.tokens.verifier)).json();
      assert.ok(page.items.length <= 2);
      seen.push(...page.items.map((i) => i.id));
      cursor = page.next_cursor;
    } while (cursor);
    assert.deepEqual([...seen].sort(), [...ids].sort());
    const violations = (await get('/api/v1/violations?limit=200', m.tokens.verifier)).json();
    assert.equal(violations.items.length, 4 * 2 + 1 + 2);
    assert.equal((await get('/api/v1/incidents?cursor=not-a-cursor', m.tokens.verifier)).json().error.details.field, 'cursor');
  });

  it('answers 404 to whoever may not know a record exists, 403 to whoever may but cannot act', async () => {
    const djugu = ids[0]!;
    assert.equal((await get(`/api/v1/incidents/${djugu}`, m.tokens.monitorBeni)).statusCode, 404);
    assert.equal((await get(`/api/v1/incidents/${djugu}`, m.tokens.verifierBeni)).statusCode, 404);
    // Roles that never work with records are refused by role, before any look-up: the same 403 whether
    // the record exists or not, so it reveals nothing (test/authorization-matrix.test.ts checks every route).
    assert.equal((await get(`/api/v1/incidents/${djugu}`, m.tokens.analyst)).statusCode, 403);
    assert.equal((await get(`/api/v1/incidents/${djugu}`, m.tokens.admin)).statusCode, 403, 'admin sees no records by default');
    assert.equal((await get(`/api/v1/incidents/${crypto.randomUUID()}`, m.tokens.admin)).statusCode, 403, 'the same answer for a record that does not exist');
    const incident = (await get(`/api/v1/incidents/${djugu}`, m.tokens.verifier)).json();
    const violationId = incident.violations[0].id;
    assert.equal((await get(`/api/v1/violations/${violationId}`, m.tokens.monitorBeni)).statusCode, 404);
    assert.deepEqual(incident.violations[0].permitted_actions, ['update', 'erase_identity', 'verify_focal_point', 'verify_technical', 'verify_final']);
    const asMonitor = (await get(`/api/v1/incidents/${djugu}`, m.tokens.monitor)).json();
    assert.deepEqual(asMonitor.violations[0].permitted_actions, ['update', 'erase_identity', 'verify_focal_point']);
    const res = await app.inject({ method: 'POST', url: `/api/v1/violations/${violationId}/verification`, headers: auth(m.tokens.monitor),
      payload: { level: 'technical', status: 'verified', date: '2025-03-01' } });
    assert.equal(res.statusCode, 403);
    const other = await newMission(h().store, app);
    assert.equal((await get(`/api/v1/incidents/${djugu}`, other.tokens.verifier)).statusCode, 404, 'another mission never sees it');
  });

  it('adds and edits violations, re-checking tallies against named victims', async () => {
    const incidentId = ids[0]!;
    const added = await app.inject({ method: 'POST', url: `/api/v1/incidents/${incidentId}/violations`, headers: auth(m.tokens.monitor),
      payload: { type: 'recruitment_use', details: { child_role: 'combatant', roles: ['fighter'] }, tallies: [{ age_band: '14-17', boys: 2 }], perpetrators: [{ party_id: m.parties.codeco }] } });
    assert.equal(added.statusCode, 201, added.body);
    const v = added.json();
    const patch = (body: object) => app.inject({ method: 'PATCH', url: `/api/v1/violations/${v.id}`, headers: auth(m.tokens.monitor), payload: body });
    const tooMany = await patch({ version: 1, victims: [{ ref: 'V-9', sex: 'male' }, { ref: 'V-10', sex: 'male' }, { ref: 'V-11', sex: 'male' }] });
    assert.equal(tooMany.statusCode, 400);
    assert.equal(tooMany.json().error.details.field, 'victims');
    const ok = await patch({ version: 1, victims: [{ ref: 'V-9', sex: 'male', age: 15 }], details: { child_role: 'non_combatant', roles: ['porter'] } });
    assert.equal(ok.statusCode, 200, ok.body);
    assert.deepEqual(ok.json().details, { child_role: 'non_combatant', roles: ['porter'] });
    assert.equal(ok.json().victims.length, 1);
    assert.equal(ok.json().totals.total, 2, 'tallies kept when not sent');
    const wrongDetail = await patch({ version: 2, details: { purposes: ['extortion'] } });
    assert.equal(wrongDetail.statusCode, 400);
    assert.equal(wrongDetail.json().error.details.field, 'details');
  });
});
