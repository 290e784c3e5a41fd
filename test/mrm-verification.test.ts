import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { auth, incidentBody, newMission, type Mission } from './support/fixtures.ts';
import { describeStores } from './support/matrix.ts';

describeStores('verification workflow', ({ it, h }) => {
  let app: FastifyInstance;
  let m: Mission;
  let violationId: string;
  const verify = (body: object, token = m.tokens.verifier) =>
    app.inject({ method: 'POST', url: `/api/v1/violations/${violationId}/verification`, headers: auth(token), payload: body });

  it('walks focal point → technical → final and keeps every step in the history', async () => {
    app = h().app;
    m = await newMission(h().store, app);
    const incident = (await app.inject({ method: 'POST', url: '/api/v1/incidents', headers: auth(m.tokens.monitor), payload: incidentBody(m) })).json();
    violationId = incident.violations[0].id;
    assert.equal((await verify({ level: 'focal_point', status: 'verified', date: '2025-02-20' }, m.tokens.monitor)).statusCode, 200);
    assert.equal((await verify({ level: 'technical', status: 'verified', date: '2025-03-01' })).statusCode, 200);
    const final = await verify({ level: 'final', status: 'verified', date: '2025-03-15', note: 'CTFMR meeting 15 March' });
    assert.equal(final.statusCode, 200, final.body);
    assert.deepEqual(final.json().verification, {
      focal_point: { status: 'verified', date: '2025-02-20' },
      technical: { status: 'verified', date: '2025-03-01' },
      final: { status: 'verified', date: '2025-03-15' },
    });
    const history = (await app.inject({ method: 'GET', url: `/api/v1/violations/${violationId}/verification`, headers: auth(m.tokens.verifier) })).json();
    assert.deepEqual(history.events.map((e: { level: string; from_status: string; to_status: string }) => `${e.level}:${e.from_status}>${e.to_status}`),
      ['focal_point:pending>verified', 'technical:pending>verified', 'final:pending>verified']);
    assert.equal(history.events[2].note, 'CTFMR meeting 15 March');
  });

  it('refuses illegal transitions, wrong roles and impossible dates, changing nothing', async () => {
    const before = (await app.inject({ method: 'GET', url: `/api/v1/violations/${violationId}`, headers: auth(m.tokens.verifier) })).json();
    const refused = [
      [await verify({ level: 'final', status: 'not_mrm', date: '2025-04-01' }), 409, 'verification.illegal_transition', 'status'],
      [await verify({ level: 'final', status: 'pending', date: '2025-04-01' }), 409, 'verification.illegal_transition', 'note'],
      [await verify({ level: 'technical', status: 'pending', date: '2025-04-01', note: 'new information' }), 409, 'verification.illegal_transition', 'level'],
      [await verify({ level: 'final', status: 'verified', date: '2025-04-01' }, m.tokens.monitor), 403, 'permission.denied', 'level'],
      [await verify({ level: 'bogus', status: 'verified', date: '2025-04-01' }), 400, 'request.invalid', 'level'],
    ] as const;
    for (const [res, status, code, field] of refused) {
      assert.equal(res.statusCode, status, res.body);
      assert.equal(res.json().error.code, code, res.body);
      assert.equal(res.json().error.details.field, field, res.body);
    }
    const after = (await app.inject({ method: 'GET', url: `/api/v1/violations/${violationId}`, headers: auth(m.tokens.verifier) })).json();
    assert.deepEqual(after, before);
  });

  it('refuses a verification date before the incident date', async () => {
    const incident = (await app.inject({ method: 'POST', url: '/api/v1/incidents', headers: auth(m.tokens.monitor), payload: incidentBody(m) })).json();
    violationId = incident.violations[1].id;
    const res = await verify({ level: 'focal_point', status: 'verified', date: '2025-01-31' });
    assert.equal(res.statusCode, 400);
    assert.equal(res.json().error.code, 'verification.date_invalid');
    assert.equal(res.json().error.details.field, 'date');
  });

  it('requires technical verification before final and re-opens top-down with a note', async () => {
    assert.equal((await verify({ level: 'focal_point', status: 'verified', date: '2025-02-12' })).statusCode, 200);
    const early = await verify({ level: 'final', status: 'verified', date: '2025-02-13' });
    assert.equal(early.statusCode, 409);
    assert.match(early.json().error.details.rule, /technical/);
    const techBeforeFocal = await verify({ level: 'technical', status: 'verified', date: '2025-02-11' });
    assert.equal(techBeforeFocal.statusCode, 409, 'a higher level cannot be dated before the lower one');
    assert.equal((await verify({ level: 'technical', status: 'not_verified', date: '2025-02-14' })).statusCode, 200);
    assert.equal((await verify({ level: 'final', status: 'not_verified', date: '2025-02-15' })).statusCode, 200);
    const reopen = await verify({ level: 'final', status: 'pending', date: '2025-05-01', note: 'New testimony from a second witness' });
    assert.equal(reopen.statusCode, 200, reopen.body);
    assert.deepEqual(reopen.json().verification.final, { status: 'pending', date: null });
  });

  it('keeps the history append-only even against direct SQL', async () => {
    const { db } = h().store;
    await assert.rejects(sql`update verification_events set to_status = 'verified' where mission_id = ${m.id}`.execute(db), /append-only/);
    await assert.rejects(sql`delete from verification_events where mission_id = ${m.id}`.execute(db), /append-only/);
    await assert.rejects(sql`delete from audit_events where mission_id = ${m.id}`.execute(db), /append-only/);
  });

  it('writes an audit row for each write and each confidential read, in the same mission', async () => {
    const { db } = h().store;
    const incident = (await app.inject({ method: 'POST', url: '/api/v1/incidents', headers: auth(m.tokens.monitor), payload: incidentBody(m) })).json();
    await app.inject({ method: 'GET', url: `/api/v1/incidents/${incident.id}`, headers: auth(m.tokens.monitor) });
    const secret = await app.inject({ method: 'GET', url: `/api/v1/incidents/${incident.id}?include=narrative_confidential`, headers: auth(m.tokens.monitor) });
    assert.equal(secret.json().narrative.confidential, 'Witness W-17 saw the attackers arrive at dawn.');
    const rows = await db.selectFrom('audit_events').select(['action', 'actor_role']).where('mission_id', '=', m.id).where('target_id', '=', incident.id).orderBy('audit_id').execute();
    assert.deepEqual(rows.map((r) => r.action), ['incident.create', 'incident.read_confidential']);
    assert.equal(rows[0]!.actor_role, 'monitor');
  });
});
