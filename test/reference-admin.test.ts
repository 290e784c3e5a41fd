import assert from 'node:assert/strict';
import { describeStores } from './support/matrix.ts';
import { auth, incidentBody, newMission } from './support/fixtures.ts';

/**
 * Issue 6, item 8: administrators add, rename and retire parties and admin areas. Never a delete (records
 * name them), each change audited with its before and after, a stale version refused, and every input
 * an administrator can get wrong answered with the field and the rule.
 */
describeStores('reference administration', ({ it, h }) => {
  const call = async (token: string, method: 'POST' | 'PATCH' | 'GET', url: string, payload?: object) => {
    const res = await h().app.inject({ method, url, headers: auth(token), ...(payload && { payload }) });
    return { status: res.statusCode, body: res.json() as Record<string, unknown> & { error?: { code: string; details: { field?: string; rule?: string } } } };
  };
  const auditOf = async (missionId: string, action: string) => h().store.db.selectFrom('audit_events').selectAll()
    .where('mission_id', '=', missionId).where('action', '=', action).execute();

  it('an administrator adds a party, renames and retires it; the change is audited; the party stays listed, marked inactive', async () => {
    const m = await newMission(h().store, h().app);
    const created = await call(m.tokens.admin, 'POST', '/api/v1/reference/parties', { name: 'Zaïre faction', aliases: ['ZF'], category: 'non_state_armed_group', country_iso3: 'COD' });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.equal(created.body.active, true);
    assert.equal(created.body.version, 1);
    const id = created.body.id as string;

    const renamed = await call(m.tokens.admin, 'PATCH', `/api/v1/reference/parties/${id}`, { version: 1, name: 'Zaïre faction (ZF)', category: 'other' });
    assert.equal(renamed.status, 200, JSON.stringify(renamed.body));
    assert.deepEqual([renamed.body.name, renamed.body.category, renamed.body.version], ['Zaïre faction (ZF)', 'other', 2]);

    const stale = await call(m.tokens.admin, 'PATCH', `/api/v1/reference/parties/${id}`, { version: 1, active: false });
    assert.equal(stale.status, 409);
    assert.deepEqual([stale.body.error?.code, stale.body.error?.details.field], ['record.conflict', 'version']);

    const retired = await call(m.tokens.admin, 'PATCH', `/api/v1/reference/parties/${id}`, { version: 2, active: false });
    assert.equal(retired.status, 200);
    const listed = (await call(m.tokens.monitor, 'GET', '/api/v1/reference/parties')).body.items as { id: string; active: boolean }[];
    assert.deepEqual(listed.find((p) => p.id === id)?.active, false);

    const audit = await auditOf(m.id, 'party.update');
    assert.equal(audit.length, 2);
    assert.deepEqual((audit[0]!.details as { changes: Record<string, unknown> }).changes, { name: ['Zaïre faction', 'Zaïre faction (ZF)'], category: ['non_state_armed_group', 'other'] });
    assert.equal((await auditOf(m.id, 'party.create')).length, 1);
  });

  it('a party name taken (in any case), an unknown country and an empty name are refused with the field', async () => {
    const m = await newMission(h().store, h().app);
    const taken = await call(m.tokens.admin, 'POST', '/api/v1/reference/parties', { name: 'codeco', category: 'other', country_iso3: 'COD' });
    assert.deepEqual([taken.status, taken.body.error?.code, taken.body.error?.details.field], [409, 'record.conflict', 'name']);
    const country = await call(m.tokens.admin, 'POST', '/api/v1/reference/parties', { name: 'Elsewhere', category: 'other', country_iso3: 'SSD' });
    assert.deepEqual([country.status, country.body.error?.code, country.body.error?.details.field], [400, 'reference.unknown_country', 'country_iso3']);
    const empty = await call(m.tokens.admin, 'POST', '/api/v1/reference/parties', { name: '   ', category: 'other', country_iso3: 'COD' });
    assert.equal(empty.status, 400);
    assert.equal(empty.body.error?.details.field, 'name');
    const rename = await call(m.tokens.admin, 'PATCH', `/api/v1/reference/parties/${m.parties.adf}`, { version: 1, name: 'FARDC' });
    assert.deepEqual([rename.status, rename.body.error?.details.field], [409, 'name']);
  });

  it('only an administrator changes reference data', async () => {
    const m = await newMission(h().store, h().app);
    for (const role of ['monitor', 'verifier', 'analyst'] as const) {
      const res = await call(m.tokens[role], 'POST', '/api/v1/reference/parties', { name: `By ${role}`, category: 'other', country_iso3: 'COD' });
      assert.deepEqual([role, res.status, res.body.error?.code], [role, 403, 'permission.denied']);
    }
  });

  it('an admin area joins the hierarchy under the rules of P-codes, and a new area is usable for incidents at once', async () => {
    const m = await newMission(h().store, h().app);
    const add = (body: object) => call(m.tokens.admin, 'POST', '/api/v1/reference/admin-areas', body);
    const ok = await add({ pcode: 'CD5404', country_iso3: 'COD', admin_level: 2, parent_pcode: m.areas.ituri, name: 'Mahagi', names: { fr: 'Mahagi', ar: 'ماهاجي' } });
    assert.equal(ok.status, 201, JSON.stringify(ok.body));
    assert.deepEqual([ok.body.active, ok.body.version, ok.body.boundary_version], [true, 1, 'entered by an administrator']);

    const cases: [object, number, string, string][] = [
      [{ pcode: 'CD5404', country_iso3: 'COD', admin_level: 2, parent_pcode: m.areas.ituri, name: 'Again' }, 409, 'record.conflict', 'pcode'],
      [{ pcode: 'CD6199', country_iso3: 'COD', admin_level: 2, parent_pcode: m.areas.ituri, name: 'Wrong prefix' }, 400, 'request.invalid', 'pcode'],
      [{ pcode: 'CD5499', country_iso3: 'COD', admin_level: 3, parent_pcode: m.areas.ituri, name: 'Wrong level' }, 400, 'request.invalid', 'admin_level'],
      [{ pcode: 'CD5498', country_iso3: 'COD', admin_level: 2, parent_pcode: null, name: 'No parent' }, 400, 'request.invalid', 'parent_pcode'],
      [{ pcode: 'XX01', country_iso3: 'COD', admin_level: 1, parent_pcode: 'XX', name: 'Unknown parent' }, 400, 'reference.unknown_admin_area', 'parent_pcode'],
      [{ pcode: 'CD 54', country_iso3: 'COD', admin_level: 2, parent_pcode: m.areas.ituri, name: 'Space' }, 400, 'request.invalid', 'pcode'],
    ];
    for (const [body, status, code, field] of cases) {
      const res = await add(body);
      assert.deepEqual([res.status, res.body.error?.code, res.body.error?.details.field], [status, code, field], JSON.stringify(body));
    }

    const incident = await h().app.inject({ method: 'POST', url: '/api/v1/incidents', headers: auth(m.tokens.verifier),
      payload: incidentBody(m, { location: { admin_pcode: 'CD5404', location_type: 'village' } }) });
    assert.equal(incident.statusCode, 201, incident.body);
    assert.equal((await auditOf(m.id, 'admin_area.create')).length, 1);
  });

  it('an area is renamed and retired, never deleted; one with active sub-areas cannot be retired before them', async () => {
    const m = await newMission(h().store, h().app);
    const patch = (pcode: string, body: object) => call(m.tokens.admin, 'PATCH', `/api/v1/reference/admin-areas/${pcode}`, body);
    const parent = await patch(m.areas.ituri, { version: 1, active: false });
    assert.deepEqual([parent.status, parent.body.error?.code, parent.body.error?.details.field], [409, 'record.conflict', 'active']);
    assert.match(String(parent.body.error?.details.rule), /2 active sub-area/);

    const renamed = await patch(m.areas.irumu, { version: 1, names: { fr: 'Irumu (territoire)' } });
    assert.equal(renamed.status, 200, JSON.stringify(renamed.body));
    assert.deepEqual(renamed.body.names, { fr: 'Irumu (territoire)' });
    assert.equal((await patch(m.areas.irumu, { version: 2, active: false })).status, 200);
    assert.equal((await patch(m.areas.djugu, { version: 1, active: false })).status, 200);
    const retired = await patch(m.areas.ituri, { version: 1, active: false });
    assert.equal(retired.status, 200, JSON.stringify(retired.body));

    // Back in order: a sub-area waits for its parent.
    const early = await patch(m.areas.djugu, { version: 2, active: true });
    assert.deepEqual([early.status, early.body.error?.details.field], [409, 'active']);
    const unknown = await patch('CD9999', { version: 1, name: 'Nowhere' });
    assert.deepEqual([unknown.status, unknown.body.error?.code], [404, 'record.not_found']);
    const fixedField = await patch(m.areas.beni, { version: 1, parent_pcode: m.areas.ituri });
    assert.equal(fixedField.status, 400, 'the hierarchy of an area is not editable');

    const areas = (await call(m.tokens.monitor, 'GET', '/api/v1/reference/admin-areas')).body.items as { pcode: string; active: boolean }[];
    assert.deepEqual(areas.filter((a) => !a.active).map((a) => a.pcode).sort(), [m.areas.ituri, m.areas.djugu, m.areas.irumu].sort());
    const audit = await auditOf(m.id, 'admin_area.update');
    assert.equal(audit.length, 4);
  });
});
