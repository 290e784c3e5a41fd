import assert from 'node:assert/strict';
import { auth, incidentBody, newMission } from './support/fixtures.ts';
import { describeStores } from './support/matrix.ts';

/** Issue 3, "what bad input gets": probing is refused with the catalogue's code, audited, and changes nothing. */
describeStores('refusals are audited', ({ it, h }) => {
  it('records an out-of-scope read, a denied action and a forged mission_id, and changes nothing', async () => {
    const { app, store } = h();
    const m = await newMission(store, app);
    const created = await app.inject({ method: 'POST', url: '/api/v1/incidents', headers: auth(m.tokens.monitor), payload: incidentBody(m) });
    assert.equal(created.statusCode, 201);
    const id = created.json().id as string;
    const count = async () => Number((await store.db.selectFrom('incidents').select((eb) => eb.fn.countAll<number>().as('n')).where('mission_id', '=', m.id).executeTakeFirstOrThrow()).n);
    const before = await count();

    const outOfScope = await app.inject({ method: 'GET', url: `/api/v1/incidents/${id}`, headers: auth(m.tokens.monitorBeni) });
    assert.equal(outOfScope.statusCode, 404);
    assert.equal(outOfScope.json().error.code, 'record.not_found');
    const denied = await app.inject({ method: 'GET', url: '/api/v1/users', headers: auth(m.tokens.monitor) });
    assert.equal(denied.statusCode, 403);
    const forged = await app.inject({ method: 'POST', url: '/api/v1/incidents', headers: auth(m.tokens.monitor), payload: { ...incidentBody(m), mission_id: 'unmiss' } });
    assert.equal(forged.statusCode, 400);
    assert.equal(forged.json().error.code, 'request.invalid');
    assert.equal(await count(), before, 'nothing was written');

    const rows = await store.db.selectFrom('audit_events').select(['details', 'actor_role']).where('mission_id', '=', m.id)
      .where('action', '=', 'auth.request_refused').execute();
    const seen = rows.map((r) => [r.details.code, r.details.route, r.actor_role]);
    assert.deepEqual(seen.sort(), [
      ['permission.denied', '/api/v1/users', 'monitor'],
      ['record.not_found', '/api/v1/incidents/:incident_id', 'monitor'],
      ['request.invalid', '/api/v1/incidents', 'monitor'],
    ]);
    assert.deepEqual(rows.find((r) => r.details.code === 'record.not_found')!.details.params, { incident_id: id });
  });
});
