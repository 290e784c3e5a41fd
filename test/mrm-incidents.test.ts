import assert from 'node:assert/strict';
import { auth, incidentBody, newMission } from './support/fixtures.ts';
import { describeStores } from './support/matrix.ts';

describeStores('incidents API', ({ it, h }) => {
  it('creates an incident with two violations and reads it back', async () => {
    const { app } = h();
    const m = await newMission(h().store, app);
    const created = await app.inject({ method: 'POST', url: '/api/v1/incidents', headers: auth(m.tokens.monitor), payload: incidentBody(m) });
    assert.equal(created.statusCode, 201, created.body);
    const incident = created.json();
    assert.equal(incident.violations.length, 2);
    const read = await app.inject({ method: 'GET', url: `/api/v1/incidents/${incident.id}`, headers: auth(m.tokens.monitor) });
    assert.equal(read.statusCode, 200, read.body);
    const body = read.json();
    assert.equal(body.title, 'Attack on Plaine Savo displacement site');
    assert.equal(body.location.country_iso3, 'COD');
    assert.deepEqual(body.date, { start: '2025-02-10', end: null, precision: 'day', estimated: false });
    assert.equal(body.narrative.confidential, undefined, 'the confidential narrative is not sent unless asked for');
    const killing = body.violations.find((v: { type: string }) => v.type === 'killing');
    assert.deepEqual(killing.totals, { boys: 2, girls: 1, sex_unknown: 1, total: 4 });
    assert.deepEqual(killing.verification.final, { status: 'pending', date: null });
    assert.equal(killing.victims[0].ref, 'V-0001');
    assert.deepEqual(body.permitted_actions, ['read', 'read_confidential', 'read_identities', 'update', 'add_violation']);
  });
});
