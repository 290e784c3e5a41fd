import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { mergeEdit, type EditValues } from '../src/modules/sync/edit-merge.ts';
import { auth, incidentBody, newMission, type Mission } from './support/fixtures.ts';
import { describeStores } from './support/matrix.ts';
import type { FastifyInstance } from 'fastify';

interface Pulled { id: string; version: number; record: { title: string; date: EditValues['date']; narrative: { public: string }; location: EditValues['location'] } }

/** What a device holds after a pull: the record and its version, as /sync/changes sends them. */
async function pull(app: FastifyInstance, token: string, id: string): Promise<Pulled> {
  const res = await app.inject({ method: 'GET', url: '/api/v1/sync/changes?limit=200', headers: auth(token) });
  assert.equal(res.statusCode, 200, res.body);
  const found = (res.json().changes as Pulled[]).find((c) => c.id === id);
  assert.ok(found, 'the record is in the pull');
  return found;
}

const push = async (app: FastifyInstance, token: string, edits: unknown[]) => {
  const res = await app.inject({ method: 'POST', url: '/api/v1/sync/edits', headers: auth(token), payload: { edits } });
  assert.equal(res.statusCode, 200, res.body);
  return res.json().results as { id: string; status: number; outcome?: { status: string; version: number; applied: string[]; unchanged: string[]; conflicts: { conflict_id: string; field: string }[] }; error?: { code: string } }[];
};

async function newIncident(app: FastifyInstance, m: Mission): Promise<string> {
  const id = randomUUID();
  const res = await app.inject({ method: 'POST', url: '/api/v1/reports', headers: auth(m.tokens.monitor), payload: { id, type: 'incident', created_at: '2025-02-11T08:00:00Z', payload: incidentBody(m) } });
  assert.equal(res.statusCode, 201, res.body);
  return id;
}

/**
 * Issue 7, the acceptance's conflict test: two devices edit the same field offline; both sync; the
 * conflict is listed with both values and resolved by a person; the history keeps both. Edits of
 * different fields merge; the same field is never last-write-wins.
 */
describeStores('sync edit conflicts', ({ it, h }) => {
  it('two devices edit the same field offline: listed with both values, resolved by a person, both kept', async () => {
    const { app, store } = h();
    const m = await newMission(store, app);
    const incidentId = await newIncident(app, m);
    // Both devices pull version 1, then go offline.
    const onA = await pull(app, m.tokens.monitor, incidentId);
    const onB = await pull(app, m.tokens.verifier, incidentId);
    assert.equal(onA.version, 1);
    assert.equal(onB.version, 1);
    const original = onA.record.title;

    // Device A: the title and the public narrative. Device B: the title (otherwise) and the date.
    const editA = { id: randomUUID(), incident_id: incidentId, base_version: onA.version, edited_at: '2025-02-12T09:00:00Z',
      base: { title: original, narrative_public: onA.record.narrative.public },
      changes: { title: 'Attack on Plaine Savo site (device A)', narrative_public: 'Attack at night on the displacement site.' } };
    const newDate = { ...onB.record.date, start: '2025-02-09' };
    const editB = { id: randomUUID(), incident_id: incidentId, base_version: onB.version, edited_at: '2025-02-12T10:00:00Z',
      base: { title: original, date: onB.record.date }, changes: { title: 'Attack on Savo camp (device B)', date: newDate } };

    const [a] = await push(app, m.tokens.monitor, [editA]);
    assert.equal(a!.status, 200);
    assert.deepEqual({ status: a!.outcome!.status, version: a!.outcome!.version, applied: a!.outcome!.applied }, { status: 'applied', version: 2, applied: ['title', 'narrative_public'] });

    // B syncs second: its date merges (only B changed it); its title is NOT written over A's.
    const [b] = await push(app, m.tokens.verifier, [editB]);
    assert.equal(b!.status, 200);
    const ob = b!.outcome!;
    assert.equal(ob.status, 'conflict');
    assert.deepEqual(ob.applied, ['date']);
    assert.deepEqual(ob.conflicts.map((c) => c.field), ['title']);
    assert.equal(ob.version, 3);
    const read = (await app.inject({ method: 'GET', url: `/api/v1/incidents/${incidentId}`, headers: auth(m.tokens.monitor) })).json();
    assert.equal(read.title, 'Attack on Plaine Savo site (device A)', 'no last-write-wins: the title waits for a person');
    assert.equal(read.date.start, '2025-02-09');
    assert.equal(read.narrative.public, 'Attack at night on the displacement site.');

    // A retried push of B's edit answers the same outcome and adds nothing.
    const [again] = await push(app, m.tokens.verifier, [editB]);
    assert.deepEqual(again!.outcome, ob);
    const [reused] = await push(app, m.tokens.verifier, [{ ...editB, changes: { title: 'something else' } }]);
    assert.equal(reused!.status, 409);

    // The conflict is listed with both values and the common one; out of scope, nothing is listed.
    const list = await app.inject({ method: 'GET', url: '/api/v1/sync/edit-conflicts', headers: auth(m.tokens.monitor) });
    assert.equal(list.statusCode, 200, list.body);
    const items = list.json().items as { conflict_id: string; field: string; base: unknown; device: unknown; stored: unknown; version: number; resolution: unknown }[];
    assert.equal(items.length, 1);
    const c = items[0]!;
    assert.deepEqual({ field: c.field, base: c.base, device: c.device, stored: c.stored, version: c.version, resolution: c.resolution },
      { field: 'title', base: original, device: 'Attack on Savo camp (device B)', stored: 'Attack on Plaine Savo site (device A)', version: 3, resolution: null });
    assert.deepEqual((await app.inject({ method: 'GET', url: '/api/v1/sync/edit-conflicts', headers: auth(m.tokens.monitorBeni) })).json().items, []);
    const url = `/api/v1/sync/edit-conflicts/${c.conflict_id}/resolve`;
    assert.equal((await app.inject({ method: 'POST', url, headers: auth(m.tokens.monitorBeni), payload: { version: 3, take: 'device' } })).statusCode, 404);
    assert.equal((await app.inject({ method: 'POST', url, headers: auth(m.tokens.monitor), payload: { version: 2, take: 'device' } })).statusCode, 409);

    // A person takes device B's title.
    const done = await app.inject({ method: 'POST', url, headers: auth(m.tokens.monitor), payload: { version: 3, take: 'device' } });
    assert.equal(done.statusCode, 200, done.body);
    assert.deepEqual(done.json(), { conflict_id: c.conflict_id, incident_id: incidentId, field: 'title', resolution: 'device', version: 4 });
    const after = (await app.inject({ method: 'GET', url: `/api/v1/incidents/${incidentId}`, headers: auth(m.tokens.monitor) })).json();
    assert.equal(after.title, 'Attack on Savo camp (device B)');
    assert.equal((await app.inject({ method: 'POST', url, headers: auth(m.tokens.monitor), payload: { version: 4, take: 'stored' } })).statusCode, 409);
    assert.deepEqual((await app.inject({ method: 'GET', url: '/api/v1/sync/edit-conflicts', headers: auth(m.tokens.monitor) })).json().items, []);

    // The history keeps both values of the title, both edits as pushed, and who chose what.
    const hist = await app.inject({ method: 'GET', url: `/api/v1/sync/edit-history/${incidentId}`, headers: auth(m.tokens.monitor) });
    assert.equal(hist.statusCode, 200, hist.body);
    const hj = hist.json();
    assert.deepEqual(hj.edits.map((e: { id: string; changes: { title: string } }) => [e.id, e.changes.title]),
      [[editA.id, 'Attack on Plaine Savo site (device A)'], [editB.id, 'Attack on Savo camp (device B)']]);
    assert.equal(hj.conflicts.length, 1);
    assert.deepEqual({ device: hj.conflicts[0].device, stored: hj.conflicts[0].stored, resolution: hj.conflicts[0].resolution, resolved_version: hj.conflicts[0].resolved_version },
      { device: 'Attack on Savo camp (device B)', stored: 'Attack on Plaine Savo site (device A)', resolution: 'device', resolved_version: 4 });

    // Stored sealed: neither title is in clear in the edit tables; the history rows cannot be rewritten.
    const raw = await sql<{ t: string }>`select coalesce(string_agg(encode(content_sealed, 'escape'), ''), '') || coalesce((select string_agg(encode(values_sealed, 'escape'), '')
      from sync_edit_conflicts where mission_id = ${m.id}), '') as t from sync_edits where mission_id = ${m.id}`.execute(store.db);
    assert.ok(!raw.rows[0]!.t.includes('device B'));
    await assert.rejects(sql`delete from sync_edit_conflicts where mission_id = ${m.id}`.execute(store.db), /kept/);
    await assert.rejects(sql`update sync_edits set base_version = 9 where mission_id = ${m.id}`.execute(store.db), /kept/);

    // Every step is audited.
    const actions = await sql<{ action: string }>`select action from audit_events where mission_id = ${m.id} and action like 'sync.edit%' order by audit_id`.execute(store.db);
    assert.deepEqual([...new Set(actions.rows.map((r) => r.action))].sort(), ['sync.edit', 'sync.edit_conflict_resolve', 'sync.edit_conflicts_read', 'sync.edit_history_read', 'sync.edit_repeat']);
  });

  it('a location conflict shows points on the viewer\'s grid, and taking the device\'s side keeps the exact point it never moved', async () => {
    const { app } = h();
    const m = await newMission(h().store, app);
    const id = randomUUID();
    const body = { ...incidentBody(m), location: { admin_pcode: m.areas.djugu, location_type: 'idp_camp', coordinates: { latitude: 1.623456, longitude: 30.251234, precision: 'exact' } } };
    assert.equal((await app.inject({ method: 'POST', url: '/api/v1/reports', headers: auth(m.tokens.monitor), payload: { id, type: 'incident', created_at: '2025-02-11T08:00:00Z', payload: body } })).statusCode, 201);
    const onA = await pull(app, m.tokens.monitor, id);
    const onB = await pull(app, m.tokens.verifier, id);
    assert.deepEqual(onA.record.location!.coordinates, { latitude: 1.6, longitude: 30.25, precision: 'approximate' }, 'the monitor holds the 0.05° point');
    // Both devices change the kind of place, not the point: the same field, two values.
    const place = (on: Pulled) => { const { country_iso3: _country, ...rest } = on.record.location as NonNullable<EditValues['location']> & { country_iso3?: string }; return rest; };
    const edit = (on: Pulled, type: string) => ({ id: randomUUID(), incident_id: id, base_version: on.version, base: { location: place(on) }, changes: { location: { ...place(on), location_type: type } } });
    assert.equal((await push(app, m.tokens.verifier, [edit(onB, 'school')]))[0]!.outcome!.status, 'applied');
    const [late] = await push(app, m.tokens.monitor, [edit(onA, 'village')]);
    assert.equal(late!.outcome!.status, 'conflict');

    // The verifier resolves: what it is shown is on its own 0.01° grid, never the exact stored point.
    const list = (await app.inject({ method: 'GET', url: '/api/v1/sync/edit-conflicts', headers: auth(m.tokens.verifier) })).json().items as { conflict_id: string; stored: { coordinates: unknown }; version: number }[];
    assert.equal(list.length, 1);
    assert.deepEqual(list[0]!.stored.coordinates, { latitude: 1.62, longitude: 30.25, precision: 'approximate' });
    assert.ok(!JSON.stringify(list).includes('1.623456'), 'no exact point in the conflict list');
    const done = await app.inject({ method: 'POST', url: `/api/v1/sync/edit-conflicts/${list[0]!.conflict_id}/resolve`, headers: auth(m.tokens.verifier), payload: { version: list[0]!.version, take: 'device' } });
    assert.equal(done.statusCode, 200, done.body);
    const full = (await app.inject({ method: 'GET', url: `/api/v1/incidents/${id}?include=narrative_confidential`, headers: auth(m.tokens.monitor) })).json();
    assert.equal(full.location.location_type, 'village', 'the device\'s kind of place was taken');
    assert.deepEqual(full.location.coordinates, { latitude: 1.623456, longitude: 30.251234, precision: 'exact' }, 'the exact point was not replaced by the device\'s snapped copy');
  });

  it('keeping the stored value changes nothing but the conflict; the same change on both devices is no conflict', async () => {
    const { app, store } = h();
    const m = await newMission(store, app);
    const incidentId = await newIncident(app, m);
    const onA = await pull(app, m.tokens.monitor, incidentId);
    const title = onA.record.title;
    const e = (changes: Record<string, unknown>, base: Record<string, unknown>) => ({ id: randomUUID(), incident_id: incidentId, base_version: 1, base, changes });
    assert.equal((await push(app, m.tokens.monitor, [e({ title: 'Same fix' }, { title })]))[0]!.outcome!.status, 'applied');
    const [same] = await push(app, m.tokens.verifier, [e({ title: 'Same fix' }, { title })]);
    assert.deepEqual({ status: same!.outcome!.status, unchanged: same!.outcome!.unchanged, version: same!.outcome!.version }, { status: 'merged', unchanged: ['title'], version: 2 });
    const [clash] = await push(app, m.tokens.verifier, [e({ title: 'Other fix' }, { title })]);
    const conflictId = clash!.outcome!.conflicts[0]!.conflict_id;
    const keep = await app.inject({ method: 'POST', url: `/api/v1/sync/edit-conflicts/${conflictId}/resolve`, headers: auth(m.tokens.verifier), payload: { version: 2, take: 'stored' } });
    assert.equal(keep.statusCode, 200, keep.body);
    assert.equal(keep.json().version, 2);
    const read = (await app.inject({ method: 'GET', url: `/api/v1/incidents/${incidentId}`, headers: auth(m.tokens.monitor) })).json();
    assert.equal(read.title, 'Same fix');
    // A base newer than the record, or a record out of the caller's area, is refused on its own line.
    const [ahead] = await push(app, m.tokens.monitor, [{ ...e({ title: 'x' }, { title }), base_version: 9 }]);
    assert.equal(ahead!.status, 400);
    const [foreign] = await push(app, m.tokens.monitorBeni, [e({ title: 'x' }, { title })]);
    assert.equal(foreign!.error!.code, 'record.not_found');
  });

  it('merges field by field: one side\'s change applies, both sides\' different changes conflict, an unknown base never overwrites', async () => {
    const values = { title: 'T2', status: 'open', date: { start: '2025-02-10', end: null, precision: 'day', estimated: false }, first_reported_on: null,
      location: { admin_pcode: 'CD5402', location_type: null, coordinates: null }, narrative_public: 'P', narrative_confidential: 'C' } as const;
    const current = { version: 2, values: values as unknown as Required<EditValues> };
    const r = mergeEdit({ baseVersion: 1, base: { title: 'T1', narrative_public: 'P' }, changes: { title: 'T3', narrative_public: 'P2', narrative_confidential: 'C2' } }, current);
    assert.deepEqual(r.apply, { narrative_public: 'P2' });
    assert.deepEqual(r.conflicts.map((c) => [c.field, c.base, c.device, c.stored]), [['title', 'T1', 'T3', 'T2'], ['narrative_confidential', null, 'C2', 'C']]);
    const upToDate = mergeEdit({ baseVersion: 2, base: {}, changes: { narrative_confidential: 'C2' } }, current);
    assert.deepEqual(upToDate.apply, { narrative_confidential: 'C2' });
  });
});
