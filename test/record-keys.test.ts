import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { shredIncidentRecord } from '../src/modules/mrm/identities.ts';
import { systemContext } from '../src/platform/context.ts';
import { fieldCrypto } from '../src/platform/crypto/field-crypto.ts';
import { auth, newMission, type Mission } from './support/fixtures.ts';
import { describeStores } from './support/matrix.ts';
import { identityBody } from './support/sensitive-bodies.ts';

/**
 * Issue 3 item 3, crypto-shredding per record: deleting one record's key makes its identifying fields
 * unrecoverable — one child's identity (withdrawn consent) or one incident's sealed fields (retention
 * expiry) — while every other record of the mission keeps opening.
 */
describeStores('per-record keys', ({ it, h }) => {
  let app: FastifyInstance;
  let m: Mission;
  const ids: Record<'a' | 'b', { incident: string; killing: string }> = { a: { incident: '', killing: '' }, b: { incident: '', killing: '' } };
  const read = (incident: string) => app.inject({ method: 'GET', url: `/api/v1/incidents/${incident}?include=all`, headers: auth(m.tokens.verifier) });
  type Identity = { full_name: string } | null;
  const killingOf = (body: { violations: { type: string; victims: { identity: Identity }[]; sources: { identity: Identity }[] }[] }) =>
    body.violations.find((v) => v.type === 'killing')!;
  const lookup = (marker: string) => app.inject({ method: 'POST', url: '/api/v1/victims/lookup', headers: auth(m.tokens.verifier),
    payload: { full_name: `Dieudonné ${marker}Ngoy`, date_of_birth: '2016-03-14' } });

  it('erases one child\'s identity on withdrawn consent, leaving the record, the sources and other children', async () => {
    app = h().app;
    m = await newMission(h().store, app);
    for (const [k, marker] of [['a', 'RKA'], ['b', 'RKB']] as const) {
      const res = await app.inject({ method: 'POST', url: '/api/v1/incidents', headers: auth(m.tokens.monitor), payload: identityBody(m, marker) });
      assert.equal(res.statusCode, 201, res.body);
      ids[k] = { incident: res.json().id, killing: res.json().violations.find((v: { type: string }) => v.type === 'killing').id };
    }
    const keysBefore = await h().store.db.selectFrom('record_keys').select(['record_type', 'record_id']).where('mission_id', '=', m.id).execute();
    assert.deepEqual(keysBefore.map((k) => k.record_type).sort(), ['incident', 'incident', 'sources', 'sources', 'victim', 'victim'], 'a key per incident, per child, per incident\'s sources');

    const erase = await app.inject({ method: 'POST', url: `/api/v1/violations/${ids.a.killing}/victims/V-0001/erase-identity`, headers: auth(m.tokens.verifier),
      payload: { reason: 'consent withdrawn by the guardian, form C-12' } });
    assert.equal(erase.statusCode, 200, erase.body);
    assert.deepEqual(erase.json(), { erased_keys: 1 });

    const a = (await read(ids.a.incident)).json();
    assert.equal(killingOf(a).victims[0]!.identity, null, 'the child\'s identity is gone');
    assert.deepEqual(killingOf(a).sources[0]!.identity, { full_name: 'Témoin RKABisimwa', contact: '+243 810 555 0199' }, 'the source is not');
    assert.match(a.narrative.confidential, /RKA/);
    assert.equal(killingOf(a).victims.length, 1, 'the victim still counts');
    assert.equal((await lookup('RKA')).json().items.length, 0, 'and cannot be found again');
    assert.equal((await lookup('RKB')).json().items.length, 1, 'another child still can');
    assert.equal(killingOf((await read(ids.b.incident)).json()).victims[0]!.identity?.full_name, 'Dieudonné RKBNgoy');

    const audit = await h().store.db.selectFrom('audit_events').select('details').where('mission_id', '=', m.id).where('action', '=', 'victim.identity_erase').execute();
    assert.deepEqual(audit.map((r) => r.details), [{ victim_ref: 'V-0001', reason: 'consent withdrawn by the guardian, form C-12', record_keys: 1 }]);
    const missing = await app.inject({ method: 'POST', url: `/api/v1/violations/${ids.a.killing}/victims/V-9999/erase-identity`, headers: auth(m.tokens.verifier), payload: { reason: 'no such child' } });
    assert.equal(missing.statusCode, 404);
    assert.equal(missing.json().error.details.field, 'ref');
  });

  it('shreds every sealed field of one incident at retention expiry; the mission\'s other incidents still open', async () => {
    const result = await shredIncidentRecord(h().store.db, systemContext(m.id), ids.b.incident, 'retention period expired');
    assert.equal(result.erased_keys, 3, 'the incident\'s key, its sources\' key and its child\'s key');
    const b = await read(ids.b.incident);
    assert.equal(b.statusCode, 200, 'the record still answers');
    assert.equal(b.json().narrative.confidential, '');
    assert.equal(b.json().location.coordinates, null);
    assert.deepEqual(b.json().unavailable_fields, ['coordinates', 'narrative_confidential']);
    assert.equal(killingOf(b.json()).victims[0]!.identity, null);
    assert.equal(killingOf(b.json()).sources[0]!.identity, null);
    assert.ok(!b.body.includes('RKB'));
    assert.equal((await lookup('RKB')).json().items.length, 0);
    assert.match((await read(ids.a.incident)).json().narrative.confidential, /RKA/, 'incident A is untouched');

    // Nothing cached can bring it back: a store that never saw the keys opens nothing either.
    fieldCrypto(h().store.db).forget(m.id);
    assert.equal((await read(ids.b.incident)).json().narrative.confidential, '');
    assert.match((await read(ids.a.incident)).json().narrative.confidential, /RKA/);
  });

  it('still opens values sealed before per-record keys (format 1, under the mission key)', async () => {
    const fc = fieldCrypto(h().store.db);
    await fc.ensureKey(m.id, 'mrm');
    const legacy = fc.seal(m.id, 'mrm', 'Sealed the old way.', `incidents/${ids.a.incident}/narrative_confidential`);
    await h().store.db.updateTable('incidents').set({ narrative_confidential_sealed: legacy }).where('mission_id', '=', m.id).where('incident_id', '=', ids.a.incident).execute();
    assert.equal((await read(ids.a.incident)).json().narrative.confidential, 'Sealed the old way.');
  });
});
