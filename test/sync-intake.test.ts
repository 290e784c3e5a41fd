import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { auth, incidentBody, newMission } from './support/fixtures.ts';
import { describeStores } from './support/matrix.ts';

const report = (payload: Record<string, unknown>, id = randomUUID()) => ({ id, type: 'incident', created_at: '2025-02-11T08:00:00Z', payload });

describeStores('offline report intake', ({ it, h }) => {
  it('stores a new report once: 201 with a receipt, then 200 with the same receipt', async () => {
    const { app, store } = h();
    const m = await newMission(store, app);
    const r = report(incidentBody(m));
    const first = await app.inject({ method: 'POST', url: '/api/v1/reports', headers: auth(m.tokens.monitor), payload: r });
    assert.equal(first.statusCode, 201, first.body);
    const receipt = first.json();
    assert.deepEqual(Object.keys(receipt).sort(), ['id', 'received_at', 'sha256']);
    assert.equal(receipt.id, r.id);
    assert.match(receipt.sha256, /^[0-9a-f]{64}$/);
    // Key order does not change the content: the digest is of canonical JSON.
    const reordered = { ...r, payload: Object.fromEntries(Object.entries(r.payload).reverse()) };
    const again = await app.inject({ method: 'POST', url: '/api/v1/reports', headers: auth(m.tokens.monitor), payload: reordered });
    assert.equal(again.statusCode, 200, again.body);
    assert.deepEqual(again.json(), receipt);
    const read = await app.inject({ method: 'GET', url: `/api/v1/incidents/${r.id}`, headers: auth(m.tokens.monitor) });
    assert.equal(read.statusCode, 200, read.body);
    // One audit row for the report: the record's creation, naming the report it came in and its digest.
    const audit = await store.db.selectFrom('audit_events').select(['action', 'details']).where('mission_id', '=', m.id).where('target_id', '=', r.id).execute();
    assert.deepEqual(audit.map((a) => a.action), ['incident.create']);
    assert.deepEqual((audit[0]!.details as { report: unknown }).report, { type: 'incident', sha256: receipt.sha256, device_created_at: r.created_at });
  });

  it('answers 409 to the same id with other content and keeps both versions, sealed', async () => {
    const { app, store } = h();
    const m = await newMission(store, app);
    const r = report(incidentBody(m));
    assert.equal((await app.inject({ method: 'POST', url: '/api/v1/reports', headers: auth(m.tokens.monitor), payload: r })).statusCode, 201);
    const changed = { ...r, payload: { ...r.payload, narrative: { confidential: 'Second witness W-18 named the commander.', public: 'x' } } };
    const clash = await app.inject({ method: 'POST', url: '/api/v1/reports', headers: auth(m.tokens.monitor), payload: changed });
    assert.equal(clash.statusCode, 409, clash.body);
    assert.equal(clash.json().error.code, 'report.conflict');
    const again = await app.inject({ method: 'POST', url: '/api/v1/reports', headers: auth(m.tokens.monitor), payload: changed });
    assert.equal(again.statusCode, 409);
    const kept = await sql<{ n: number; payload: string }>`select count(*)::int as n, max(encode(payload_sealed, 'escape')) as payload from report_conflicts where mission_id = ${m.id} and report_id = ${r.id}`.execute(store.db);
    assert.equal(kept.rows[0]!.n, 1, 'one kept version per distinct content');
    assert.ok(!kept.rows[0]!.payload.includes('W-18'), 'the conflicting version is sealed');
    const incident = await store.db.selectFrom('incidents').select('version').where('mission_id', '=', m.id).where('incident_id', '=', r.id).executeTakeFirstOrThrow();
    assert.equal(incident.version, 1, 'the stored record is untouched');
  });

  it('applies the MRM rules: out-of-area and invalid reports are refused, nothing is claimed', async () => {
    const { app, store } = h();
    const m = await newMission(store, app);
    const outside = report(incidentBody(m, { location: { admin_pcode: m.areas.beni, location_type: 'village' } }));
    const refused = await app.inject({ method: 'POST', url: '/api/v1/reports', headers: auth(m.tokens.monitor), payload: outside });
    assert.equal(refused.statusCode, 403, refused.body);
    const invalid = report({ ...incidentBody(m), title: '' });
    const bad = await app.inject({ method: 'POST', url: '/api/v1/reports', headers: auth(m.tokens.monitor), payload: invalid });
    assert.equal(bad.statusCode, 400, bad.body);
    assert.equal(bad.json().error.details.field, 'payload.title');
    const receipts = await sql<{ n: number }>`select count(*)::int as n from report_receipts where mission_id = ${m.id}`.execute(store.db);
    assert.equal(receipts.rows[0]!.n, 0);
    // The refused report can be fixed and sent again under the same id.
    const fixed = await app.inject({ method: 'POST', url: '/api/v1/reports', headers: auth(m.tokens.monitor), payload: { ...invalid, payload: incidentBody(m) } });
    assert.equal(fixed.statusCode, 201, fixed.body);
  });

  it('a report whose batch failed for another report is stored alone, with one audit row', async () => {
    const { app, store } = h();
    const m = await newMission(store, app);
    // An incident created directly with an id a device then also uses: the group statement fails on it
    // (no receipt names it), so every report of that batch is taken one by one.
    const taken = randomUUID();
    const direct = await app.inject({ method: 'POST', url: '/api/v1/incidents', headers: auth(m.tokens.monitor), payload: { ...incidentBody(m), id: taken } });
    assert.equal(direct.statusCode, 201, direct.body);
    const fresh = report(incidentBody(m));
    const res = await app.inject({ method: 'POST', url: '/api/v1/reports', headers: auth(m.tokens.monitor),
      payload: { reports: [fresh, report(incidentBody(m), taken)] } });
    assert.equal(res.statusCode, 200, res.body);
    const [a, b] = res.json().results;
    assert.equal(a.status, 201, JSON.stringify(a));
    assert.equal(b.status, 409, JSON.stringify(b));
    const audit = await store.db.selectFrom('audit_events').select(['action', 'details']).where('mission_id', '=', m.id).where('target_id', '=', fresh.id).execute();
    assert.deepEqual(audit.map((x) => x.action), ['incident.create']);
    assert.equal((audit[0]!.details as { report: { sha256: string } }).report.sha256, a.receipt.sha256);
  });

  it('answers a batch per item', async () => {
    const { app, store } = h();
    const m = await newMission(store, app);
    const a = report(incidentBody(m));
    await app.inject({ method: 'POST', url: '/api/v1/reports', headers: auth(m.tokens.monitor), payload: a });
    const b = report(incidentBody(m));
    const c = report(incidentBody(m, { location: { admin_pcode: m.areas.beni, location_type: 'village' } }));
    const res = await app.inject({ method: 'POST', url: '/api/v1/reports', headers: auth(m.tokens.monitor), payload: { reports: [a, b, c, { ...a, payload: { ...a.payload, title: 'other' } }] } });
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(res.json().results.map((x: { status: number }) => x.status), [200, 201, 403, 409]);
    assert.equal(res.json().results[1].receipt.id, b.id);
  });

  it('the same report posted 20 times in parallel makes one record and one receipt', async () => {
    const { app, store } = h();
    const m = await newMission(store, app);
    const r = report(incidentBody(m));
    const answers = await Promise.all(Array.from({ length: 20 }, () => app.inject({ method: 'POST', url: '/api/v1/reports', headers: auth(m.tokens.monitor), payload: r })));
    const statuses = answers.map((a) => a.statusCode).sort();
    assert.deepEqual(statuses, [...Array<number>(19).fill(200), 201], answers.map((a) => a.body).join('\n'));
    const receipts = new Set(answers.map((a) => a.body));
    assert.equal(receipts.size, 1, 'every answer carries the same receipt');
    const n = await sql<{ i: number; r: number; a: number }>`select (select count(*)::int from incidents where mission_id = ${m.id}) as i,
      (select count(*)::int from report_receipts where mission_id = ${m.id}) as r,
      (select count(*)::int from audit_events where mission_id = ${m.id} and action = 'incident.create') as a`.execute(store.db);
    assert.deepEqual(n.rows[0], { i: 1, r: 1, a: 1 });
  });
});
