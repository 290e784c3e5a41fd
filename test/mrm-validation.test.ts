import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { auth, incidentBody, newMission, type Mission } from './support/fixtures.ts';
import { describeStores } from './support/matrix.ts';

/** Bad input gets a 4xx naming the field and the rule, and nothing is written. */
describeStores('incident input errors', ({ it, h }) => {
  let m: Mission;
  let app: FastifyInstance;
  const post = (payload: unknown, token = m.tokens.monitor) =>
    app.inject({ method: 'POST', url: '/api/v1/incidents', headers: auth(token), payload: payload as object });
  const count = async () => {
    const res = await app.inject({ method: 'GET', url: '/api/v1/incidents?limit=200', headers: auth(m.tokens.monitor) });
    return res.json().items.length as number;
  };
  const withViolation = (patch: Record<string, unknown>) => {
    const body = incidentBody(m);
    body.violations = [{ ...body.violations[0]!, ...patch }] as typeof body.violations;
    return body;
  };
  const expectError = (res: { statusCode: number; json(): any; body: string }, status: number, code: string, field?: string) => {
    assert.equal(res.statusCode, status, res.body);
    const { error } = res.json();
    assert.equal(error.code, code);
    assert.equal(typeof error.message, 'string');
    if (field) assert.equal(error.details.field, field, res.body);
  };

  it('refuses each kind of bad input with the field named and writes nothing', async () => {
    app = h().app;
    m = await newMission(h().store, app);
    expectError(await post(withViolation({ type: 'bombing' })), 400, 'request.invalid', 'violations.0.type');
    expectError(await post(withViolation({ tallies: [{ age_band: '6-10', boys: -1 }] })), 400, 'request.invalid', 'violations.0.tallies.0.boys');
    expectError(await post(withViolation({ details: { weapon_type: 'spoon' } })), 400, 'request.invalid', 'violations.0.details.weapon_type');
    expectError(await post(withViolation({ perpetrators: [{ party_id: '00000000-0000-4000-8000-000000000000' }] })), 400, 'reference.unknown_party', 'violations.0.perpetrators.0.party_id');
    expectError(await post(incidentBody(m, { location: { admin_pcode: 'CD9999' } })), 400, 'reference.unknown_admin_area', 'location.admin_pcode');
    expectError(await post(incidentBody(m, { date: { start: '2025-02-10', end: '2025-02-01' } })), 400, 'incident.date_invalid', 'date.end');
    expectError(await post(incidentBody(m, { date: { start: '2999-01-01' } })), 400, 'incident.date_invalid', 'date.start');
    expectError(await post(incidentBody(m, { date: { start: '2025-02-30' } })), 400, 'request.invalid', 'date.start');
    expectError(await post(withViolation({ tallies: [] })), 400, 'request.invalid', 'violations.0.tallies');
    expectError(await post(withViolation({ victims: [{ ref: 'V-1', sex: 'female' }, { ref: 'V-2', sex: 'female' }] })), 400, 'request.invalid', 'violations.0.victims');
    expectError(await post(withViolation({ victims: [{ ref: 'V-1', sex: 'male', age: 19 }] })), 400, 'request.invalid', 'violations.0.victims.0.age');
    expectError(await post(incidentBody(m, { surprise: true })), 400, 'request.invalid');
    expectError(await post(incidentBody(m, { location: { admin_pcode: m.areas.beni } })), 403, 'permission.denied', 'location.admin_pcode');
    assert.equal(await count(), 0, 'no incident was written by any refused request');
  });

  it('refuses malformed JSON, a wrong media type and a body over 1 MB', async () => {
    const raw = (payload: string, contentType = 'application/json') =>
      app.inject({ method: 'POST', url: '/api/v1/incidents', headers: { ...auth(m.tokens.monitor), 'content-type': contentType }, payload });
    expectError(await raw('{"title": "x",'), 400, 'request.malformed_json');
    expectError(await raw('title=x', 'application/x-www-form-urlencoded'), 415, 'request.unsupported_media_type');
    const big = JSON.stringify(incidentBody(m, { narrative: { confidential: 'x'.repeat(1_100_000), public: '' } }));
    expectError(await raw(big), 413, 'request.too_large');
    assert.equal(await count(), 0);
  });

  it('answers 409 for a client-chosen id that already exists, keeping the first', async () => {
    const id = '3f1c9a52-8d6e-4b7a-9c0d-2e4f6a8b0c1d';
    assert.equal((await post(incidentBody(m, { id }))).statusCode, 201);
    expectError(await post(incidentBody(m, { id, title: 'Second' })), 409, 'record.conflict', 'id');
    const read = await app.inject({ method: 'GET', url: `/api/v1/incidents/${id}`, headers: auth(m.tokens.monitor) });
    assert.equal(read.json().title, 'Attack on Plaine Savo displacement site');
  });

  it('updates with optimistic concurrency: a stale version gets 409', async () => {
    const created = (await post(incidentBody(m))).json();
    const patch = (body: object) => app.inject({ method: 'PATCH', url: `/api/v1/incidents/${created.id}`, headers: auth(m.tokens.monitor), payload: body });
    const ok = await patch({ version: 1, title: 'Attack on a displacement site near Bule' });
    assert.equal(ok.statusCode, 200, ok.body);
    assert.equal(ok.json().version, 2);
    expectError(await patch({ version: 1, title: 'Lost update' }), 409, 'record.conflict', 'version');
    const read = await app.inject({ method: 'GET', url: `/api/v1/incidents/${created.id}`, headers: auth(m.tokens.monitor) });
    assert.equal(read.json().title, 'Attack on a displacement site near Bule');
  });
});
