import assert from 'node:assert/strict';
import { snapPoint } from '../src/modules/mrm/presenter.ts';
import { APPROXIMATE_GRID_DEGREES, POINT_GRID_DEGREES } from '../src/modules/mrm/policy.ts';
import { ROLES, type Role } from '../src/platform/context.ts';
import { auth, incidentBody, type Mission } from './support/fixtures.ts';
import { describeStores } from './support/matrix.ts';
import { buildWorld, collectRoutes, pool, PROBES, rolesOf } from './support/route-table.ts';

/**
 * Issue #6: the server blurs incident points, not the browser. Every route × every role that may call it
 * (in and out of scope): each point in a response lies on the role's grid (policy.ts POINT_GRID_DEGREES),
 * and a role without a grid gets no point at all; the exact point appears only beside the confidential
 * narrative (an audited opening, or the writer's own echo). Blurring is a snap, so repeating a request
 * returns the same point; an edit that sends the shown point back keeps the stored exact one.
 */
const EXACT = { latitude: 1.6234817, longitude: 30.2519463 };
const onGrid = (x: number, g: number) => Math.abs(x / g - Math.round(x / g)) < 1e-6;

interface FoundPoint { latitude: number; longitude: number; besideConfidential: boolean }
/** Every {latitude, longitude} in a JSON answer, and whether its incident carries the confidential narrative. */
function pointsIn(json: unknown, besideConfidential = false, out: FoundPoint[] = []): FoundPoint[] {
  if (Array.isArray(json)) for (const x of json) pointsIn(x, besideConfidential, out);
  else if (json !== null && typeof json === 'object') {
    const o = json as Record<string, unknown>;
    const here = besideConfidential || typeof (o.narrative as { confidential?: unknown } | undefined)?.confidential === 'string';
    if (typeof o.latitude === 'number' && typeof o.longitude === 'number') out.push({ latitude: o.latitude, longitude: o.longitude, besideConfidential: here });
    for (const v of Object.values(o)) pointsIn(v, here, out);
  }
  return out;
}

describeStores('map point precision', ({ it, h }) => {
  it('no route sends any role a point finer than its grid, except beside the confidential narrative', async () => {
    const { store, app } = h();
    const body = (m: Mission, pcode: string) => incidentBody(m, { location: { admin_pcode: pcode, location_type: 'village', coordinates: { ...EXACT, precision: 'exact' } } });
    const world = await buildWorld(store, app, { incidentBody: body });
    const routes = (await collectRoutes(store)).filter((r) => r.auth !== 'public' && r.access && PROBES[r.key]);
    const calls = routes.flatMap((route) => ROLES.filter((role) => rolesOf(route.access!).includes(role))
      .flatMap((role) => (route.access!.record ? (['in', 'out'] as const) : (['none'] as const)).map((scope) => ({ route, role, scope }))));
    let blurred = 0;
    const problems = (await pool(8, calls.map((c) => async () => {
      const req = await PROBES[c.route.key]!(world, c.role, c.scope);
      const res = await app.inject({ method: c.route.method as 'GET', url: req.url, headers: { ...auth(req.token), ...req.headers }, ...(req.payload !== undefined && { payload: req.payload as object }) });
      const what = `${c.route.key} as ${c.role} (${c.scope})`;
      let json: unknown;
      try { json = res.json(); } catch { return res.body.includes(String(EXACT.latitude)) ? `${what}: exact digits in a non-JSON answer` : null; }
      const found: string[] = [];
      for (const p of pointsIn(json)) {
        if (p.besideConfidential) continue;
        blurred++;
        const grid = POINT_GRID_DEGREES[c.role];
        if (grid === undefined) found.push(`${what}: a point (${p.latitude}, ${p.longitude}) for a role that sees none`);
        else if (!onGrid(p.latitude, grid) || !onGrid(p.longitude, grid)) found.push(`${what}: (${p.latitude}, ${p.longitude}) is finer than ${grid}°`);
      }
      const raw = JSON.stringify(json);
      if (raw.includes(String(EXACT.latitude)) && !pointsIn(json).some((p) => p.besideConfidential)) found.push(`${what}: the exact digits without the confidential narrative`);
      return found.length ? found.join('\n') : null;
    }))).filter((p): p is string => p !== null);
    assert.deepEqual(problems, []);
    assert.ok(blurred > 0, 'the probes returned points outside an opening, to check');
  });

  it('snaps each role deterministically, opens the exact point only with the narrative, and keeps it through an edit of the shown point', async () => {
    const { store, app } = h();
    const body = (m: Mission, pcode: string) => incidentBody(m, { location: { admin_pcode: pcode, location_type: 'village', coordinates: { ...EXACT, precision: 'exact' } } });
    const world = await buildWorld(store, app, { incidentBody: body });
    const inc = await world.newIncident('monitorBeni');
    const get = async (role: Role, url: string) => app.inject({ method: 'GET', url, headers: auth(world.actors[role].token) });
    const listed = async (role: Role) => ((await get(role, '/api/v1/incidents?limit=200')).json().items as { id: string; location: { coordinates: unknown } }[]).find((i) => i.id === inc.id)?.location.coordinates;

    // The verifier of North Kivu: 0.01° (about 1 km); the same answer on every request.
    const expected = { ...snapPoint(EXACT, POINT_GRID_DEGREES.verifier!), precision: 'approximate' };
    assert.deepEqual(expected, { latitude: 1.62, longitude: 30.25, precision: 'approximate' });
    for (let i = 0; i < 3; i++) assert.deepEqual(await listed('verifier'), expected);
    assert.deepEqual((await get('verifier', `/api/v1/incidents/${inc.id}`)).json().location.coordinates, expected);
    const opened = await get('verifier', `/api/v1/incidents/${inc.id}?include=narrative_confidential`);
    assert.deepEqual(opened.json().location.coordinates, { ...EXACT, precision: 'exact' });
    const audited = await store.db.selectFrom('audit_events').select('action').where('mission_id', '=', world.m.id).where('target_id', '=', inc.id).where('action', '=', 'incident.read_confidential').execute();
    assert.equal(audited.length, 1, 'the exact point came with an audited opening');

    // The Djugu monitor's own record: 0.05° (about 5.5 km); a point recorded as approximate is never finer than 0.05°.
    const own = await world.newIncident('monitor');
    const mine = ((await get('monitor', '/api/v1/incidents?limit=200')).json().items as { id: string; location: { coordinates: unknown } }[]).find((i) => i.id === own.id)!;
    assert.deepEqual(mine.location.coordinates, { latitude: 1.6, longitude: 30.25, precision: 'approximate' });
    assert.equal(APPROXIMATE_GRID_DEGREES, 0.05);
    // Analysts: no incident in the list, and never a point.
    const analystList = await get('analyst', '/api/v1/incidents');
    assert.equal(pointsIn(analystList.json()).length, 0, analystList.body.slice(0, 200));

    // The edit form sends back what it was shown: the stored exact point stays.
    const shown = (await get('monitor', `/api/v1/incidents/${own.id}`)).json();
    const patched = await app.inject({ method: 'PATCH', url: `/api/v1/incidents/${own.id}`, headers: auth(world.actors.monitor.token),
      payload: { version: shown.version, title: 'Attack on the village (edited)', location: { admin_pcode: shown.location.admin_pcode, location_type: shown.location.location_type, coordinates: shown.location.coordinates } } });
    assert.equal(patched.statusCode, 200, patched.body);
    const after = (await get('monitor', `/api/v1/incidents/${own.id}?include=narrative_confidential`)).json();
    assert.deepEqual(after.location.coordinates, { ...EXACT, precision: 'exact' });
    // A real move is stored as sent.
    const moved = await app.inject({ method: 'PATCH', url: `/api/v1/incidents/${own.id}`, headers: auth(world.actors.monitor.token),
      payload: { version: after.version, location: { admin_pcode: after.location.admin_pcode, location_type: after.location.location_type, coordinates: { latitude: 1.7012345, longitude: 30.3012345, precision: 'exact' } } } });
    assert.equal(moved.statusCode, 200, moved.body);
    assert.deepEqual((await get('monitor', `/api/v1/incidents/${own.id}?include=narrative_confidential`)).json().location.coordinates, { latitude: 1.7012345, longitude: 30.3012345, precision: 'exact' });
  });
});
