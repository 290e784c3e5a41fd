import assert from 'node:assert/strict';
import { auth, incidentBody, login, newMission, PASSWORD } from './support/fixtures.ts';
import { describeStores } from './support/matrix.ts';

describeStores('delta sync', ({ it, h }) => {
  it('sends what the user may see, by cursor, with versions; a moved user gets a reset without the records', async () => {
    const { app, store } = h();
    const m = await newMission(store, app);
    const post = async (token: string, pcode: string) => {
      const res = await app.inject({ method: 'POST', url: '/api/v1/incidents', headers: auth(token), payload: incidentBody(m, { location: { admin_pcode: pcode, location_type: 'village' } }) });
      assert.equal(res.statusCode, 201, res.body);
      return res.json() as { id: string; version: number };
    };
    const pull = async (token: string, cursor?: string, limit = 2) => {
      const res = await app.inject({ method: 'GET', url: `/api/v1/sync/changes?limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, headers: auth(token) });
      assert.equal(res.statusCode, 200, res.body);
      return res.json() as { reset: boolean; changes: { id: string; version: number; record: { title: string } }[]; has_more: boolean; next_cursor: string };
    };
    const beni1 = await post(m.tokens.monitorBeni, m.areas.beni);
    const beni2 = await post(m.tokens.monitorBeni, m.areas.beni);
    const beni3 = await post(m.tokens.monitorBeni, m.areas.beni);
    const djugu = await post(m.tokens.monitor, m.areas.djugu);

    // The North Kivu verifier pages through Beni, never sees Djugu.
    const p1 = await pull(m.tokens.verifierBeni);
    assert.equal(p1.reset, true);
    assert.equal(p1.has_more, true);
    const p2 = await pull(m.tokens.verifierBeni, p1.next_cursor);
    assert.equal(p2.reset, false);
    const seen = [...p1.changes, ...p2.changes].map((c) => c.id);
    assert.deepEqual(new Set(seen), new Set([beni1.id, beni2.id, beni3.id]));
    assert.ok(!seen.includes(djugu.id));
    assert.equal(p2.has_more, false);

    // Nothing changed: an empty delta. An edit: that record again, with its new version.
    assert.deepEqual((await pull(m.tokens.verifierBeni, p2.next_cursor)).changes, []);
    const patch = await app.inject({ method: 'PATCH', url: `/api/v1/incidents/${beni2.id}`, headers: auth(m.tokens.monitorBeni), payload: { version: beni2.version, title: 'Corrected title' } });
    assert.equal(patch.statusCode, 200, patch.body);
    const delta = await pull(m.tokens.verifierBeni, p2.next_cursor);
    assert.deepEqual(delta.changes.map((c) => [c.id, c.version, c.record.title]), [[beni2.id, 2, 'Corrected title']]);

    // The verifier is moved to Ituri: the old cursor restarts the sync, and the Beni records are gone.
    const verifierId = (await app.inject({ method: 'GET', url: '/api/v1/me', headers: auth(m.tokens.verifierBeni) })).json().id as string;
    await store.db.updateTable('users').set({ scope_areas: [m.areas.ituri] }).where('mission_id', '=', m.id).where('user_id', '=', verifierId).execute();
    // A new session reads the new scope (a checked session is cached for a few seconds).
    const fresh = await login(app, m.usernames.verifierBeni, PASSWORD);
    const moved = await pull(fresh, delta.next_cursor, 10);
    assert.equal(moved.reset, true, 'a cursor from the old scope restarts the sync');
    assert.deepEqual(moved.changes.map((c) => c.id), [djugu.id], 'after the reset the device keeps only Ituri');

    // A monitor sees only their own records.
    const own = await pull(m.tokens.monitor, undefined, 50);
    assert.deepEqual(own.changes.map((c) => c.id), [djugu.id]);

    const forged = await app.inject({ method: 'GET', url: '/api/v1/sync/changes?cursor=not-a-cursor', headers: auth(m.tokens.monitor) });
    assert.equal(forged.statusCode, 400);
    const analyst = await app.inject({ method: 'GET', url: '/api/v1/sync/changes', headers: auth(m.tokens.analyst) });
    assert.equal(analyst.statusCode, 403);
  });
});
