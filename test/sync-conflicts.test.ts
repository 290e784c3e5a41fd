import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { auth, incidentBody, newMission } from './support/fixtures.ts';
import { describeStores } from './support/matrix.ts';

const report = (payload: Record<string, unknown>, id = randomUUID()) => ({ id, type: 'incident', created_at: '2025-02-11T08:00:00Z', payload });

/**
 * Issue 7, conflicts: one report edited on two devices (or edited on the device after a push whose
 * answer was lost) reaches the server twice with different content. Both versions are kept; a person
 * sees both values of each differing field, chooses, and the record changes only as chosen.
 */
describeStores('sync conflicts', ({ it, h }) => {
  it('lists both values of each differing field and applies the person\'s choice; the history keeps both', async () => {
    const { app, store } = h();
    const m = await newMission(store, app);
    const first = report(incidentBody(m));
    const p = first.payload as ReturnType<typeof incidentBody>;
    assert.equal((await app.inject({ method: 'POST', url: '/api/v1/reports', headers: auth(m.tokens.monitor), payload: first })).statusCode, 201);
    // The second device changed the title and the confidential narrative of the same report.
    const second = { ...first, payload: { ...p, title: 'Attack on Plaine Savo site (second device)', narrative: { ...p.narrative, confidential: 'Witness W-17 and W-18 saw the attackers.' } } };
    const clash = await app.inject({ method: 'POST', url: '/api/v1/reports', headers: auth(m.tokens.monitor), payload: second });
    assert.equal(clash.statusCode, 409, clash.body);

    const list = await app.inject({ method: 'GET', url: '/api/v1/sync/conflicts', headers: auth(m.tokens.monitor) });
    assert.equal(list.statusCode, 200, list.body);
    const items = list.json().items as { report_id: string; sha256: string; version: number; fields: { field: string; stored: unknown; kept: unknown }[]; violations_differ: boolean }[];
    assert.equal(items.length, 1);
    const c = items[0]!;
    assert.equal(c.report_id, first.id);
    assert.equal(c.violations_differ, false);
    assert.deepEqual(c.fields, [
      { field: 'title', stored: p.title, kept: 'Attack on Plaine Savo site (second device)' },
      { field: 'narrative_confidential', stored: p.narrative.confidential, kept: 'Witness W-17 and W-18 saw the attackers.' },
    ]);

    // Out of scope: the Beni monitor neither sees it listed nor may resolve it; the analyst holds no records.
    const beni = await app.inject({ method: 'GET', url: '/api/v1/sync/conflicts', headers: auth(m.tokens.monitorBeni) });
    assert.deepEqual(beni.json().items, []);
    const url = `/api/v1/sync/conflicts/${c.report_id}/${c.sha256}/resolve`;
    const foreign = await app.inject({ method: 'POST', url, headers: auth(m.tokens.monitorBeni), payload: { version: c.version, take: ['title'] } });
    assert.equal(foreign.statusCode, 404, foreign.body);
    assert.equal((await app.inject({ method: 'GET', url: '/api/v1/sync/conflicts', headers: auth(m.tokens.analyst) })).statusCode, 403);

    // A stale version is refused and changes nothing.
    const stale = await app.inject({ method: 'POST', url, headers: auth(m.tokens.monitor), payload: { version: c.version + 1, take: ['title'] } });
    assert.equal(stale.statusCode, 409, stale.body);
    const bad = await app.inject({ method: 'POST', url, headers: auth(m.tokens.monitor), payload: { version: c.version, take: ['violations'] } });
    assert.equal(bad.statusCode, 400, bad.body);

    // The person takes the second device's title and keeps the stored narrative.
    const done = await app.inject({ method: 'POST', url, headers: auth(m.tokens.monitor), payload: { version: c.version, take: ['title'] } });
    assert.equal(done.statusCode, 200, done.body);
    assert.equal(done.json().version, c.version + 1);
    const read = await app.inject({ method: 'GET', url: `/api/v1/incidents/${first.id}?include=narrative_confidential`, headers: auth(m.tokens.monitor) });
    assert.equal(read.statusCode, 200, read.body);
    assert.equal(read.json().title, 'Attack on Plaine Savo site (second device)');
    assert.equal(read.json().narrative.confidential, p.narrative.confidential);

    assert.deepEqual((await app.inject({ method: 'GET', url: '/api/v1/sync/conflicts', headers: auth(m.tokens.monitor) })).json().items, [], 'resolved: no longer listed');
    const again = await app.inject({ method: 'POST', url, headers: auth(m.tokens.monitor), payload: { version: c.version + 1, take: [] } });
    assert.equal(again.statusCode, 409, 'resolved once only');

    // History: the kept version is still there (sealed, marked resolved by whom), and the audit trail has every step.
    const kept = await sql<{ n: number; resolved: number }>`select count(*)::int as n, count(resolved_by)::int as resolved from report_conflicts where mission_id = ${m.id} and report_id = ${first.id}`.execute(store.db);
    assert.deepEqual(kept.rows[0], { n: 1, resolved: 1 });
    const audit = await store.db.selectFrom('audit_events').select('action').where('mission_id', '=', m.id).where('target_id', '=', first.id).execute();
    for (const a of ['incident.create', 'report.conflict', 'incident.update', 'report.conflict_resolve']) assert.ok(audit.some((x) => x.action === a), a);
  });

  it('keeping the stored version everywhere only marks the conflict resolved', async () => {
    const { app, store } = h();
    const m = await newMission(store, app);
    const first = report(incidentBody(m));
    await app.inject({ method: 'POST', url: '/api/v1/reports', headers: auth(m.tokens.monitor), payload: first });
    const p = first.payload as ReturnType<typeof incidentBody>;
    const clash = await app.inject({ method: 'POST', url: '/api/v1/reports', headers: auth(m.tokens.monitor), payload: { ...first, payload: { ...p, violations: [p.violations[1]] } } });
    assert.equal(clash.statusCode, 409);
    const c = (await app.inject({ method: 'GET', url: '/api/v1/sync/conflicts', headers: auth(m.tokens.monitor) })).json().items[0];
    assert.deepEqual(c.fields, [], 'no incident field differs');
    assert.equal(c.violations_differ, true, 'but the violations do: shown for the person to edit');
    const done = await app.inject({ method: 'POST', url: `/api/v1/sync/conflicts/${c.report_id}/${c.sha256}/resolve`, headers: auth(m.tokens.monitor), payload: { version: c.version, take: [] } });
    assert.equal(done.statusCode, 200, done.body);
    assert.equal(done.json().version, 1, 'the record is untouched');
    const inc = await store.db.selectFrom('incidents').select('version').where('mission_id', '=', m.id).where('incident_id', '=', first.id).executeTakeFirstOrThrow();
    assert.equal(inc.version, 1);
  });
});
