import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describeStores } from './support/matrix.ts';
import { auth, incidentBody, type Mission } from './support/fixtures.ts';
import { buildWorld, collectRoutes, PROBES, rolesOf } from './support/route-table.ts';

/**
 * Issue 3, item 1: an analyst works with aggregates only. Across every route an analyst may call, the
 * whole JSON of each answer carries none of the seeded confidential narrative, victim references and
 * identities (name, birth date, parents), source references and names, or exact coordinate digits; routes closed to analysts are called too and their refusals checked.
 */
describeStores('analyst exposure', ({ it, h }) => {
  it('no analyst-reachable route returns a narrative, a victim or source reference, or exact coordinates', async () => {
    const { store, app } = h();
    const tag = randomBytes(4).toString('hex');
    const secrets = {
      narrative: `CONFIDENTIAL-${tag}-witness-saw-commander`,
      victim: `VREF-${tag}`,
      source: `SREF-${tag}`,
      latitude: '1.6234817',
      longitude: '30.2519463',
      childName: `Amani-${tag} Bahati`,
      birthDate: '2013-04-09',
      parents: `Parent-${tag}`,
      sourceName: `Witness-${tag}`,
    };
    const body = (m: Mission, pcode: string) => {
      const base = incidentBody(m);
      const violations = base.violations.map((v) => ({
        ...v,
        ...('victims' in v && { victims: [{ ref: secrets.victim, sex: 'female', age: 12, age_estimated: false,
          identity: { full_name: secrets.childName, date_of_birth: secrets.birthDate, parents_names: secrets.parents } }] }),
        ...('sources' in v && { sources: (v.sources ?? []).map((s) => ({ ...s, ref: secrets.source, identity: { full_name: secrets.sourceName, contact: '' } })) }),
      }));
      return {
        ...base, violations,
        location: { admin_pcode: pcode, location_type: 'village', coordinates: { latitude: Number(secrets.latitude), longitude: Number(secrets.longitude), precision: 'exact' } },
        narrative: { confidential: secrets.narrative, public: 'An armed group attacked a village.' },
      };
    };
    const world = await buildWorld(store, app, { incidentBody: body });

    // The seeding worked: a verifier with the record in scope does see the sealed content (so the
    // absence below is the analyst's view, not missing data).
    const own = await world.newIncident('monitorBeni');
    const seen = await app.inject({ method: 'GET', url: `/api/v1/incidents/${own.id}?include=all`, headers: auth(world.actors.verifier.token) });
    assert.equal(seen.statusCode, 200);
    for (const s of Object.values(secrets)) assert.ok(seen.body.includes(s), `seeded ${s} should be visible to the verifier`);

    const routes = (await collectRoutes(store)).filter((r) => r.auth !== 'public');
    const reachable = routes.filter((r) => r.access && rolesOf(r.access).includes('analyst'));
    assert.ok(reachable.length >= 8, `saw ${reachable.length} analyst-reachable routes`);
    const leaks: string[] = [];
    const check = (what: string, status: number, text: string) => {
      for (const [kind, s] of Object.entries(secrets)) if (text.includes(s)) leaks.push(`${what} (${status}) carries the ${kind}`);
    };
    for (const route of routes) {
      const probe = PROBES[route.key];
      assert.ok(probe, `${route.key} has no probe`);
      const isReachable = reachable.includes(route);
      for (const scope of route.access?.record ? (['in', 'out'] as const) : (['none'] as const)) {
        const req = await probe(world, 'analyst', scope);
        const res = await app.inject({ method: route.method as 'GET', url: req.url, headers: { ...auth(req.token), ...req.headers }, ...(req.payload !== undefined && { payload: req.payload as object }) });
        if (isReachable) assert.ok(res.statusCode < 300, `${route.key} as analyst: ${res.statusCode} ${res.body.slice(0, 200)}`);
        check(`${route.key} ${scope}`, res.statusCode, res.body);
      }
    }
    // Asking outright for the confidential narrative of a record the analyst can name.
    for (const url of [`/api/v1/incidents/${own.id}?include=narrative_confidential`, `/api/v1/incidents/${own.id}?include=all`, `/api/v1/violations/${own.violations[0]!.id}`,
      `/api/v1/incidents?from=2025-01-01`, `/api/v1/violations?type=killing`, `/api/v1/audit?target_id=${own.id}`]) {
      const res = await app.inject({ method: 'GET', url, headers: auth(world.actors.analyst.token) });
      check(`GET ${url}`, res.statusCode, res.body);
    }
    assert.deepEqual(leaks, []);
  });
});
