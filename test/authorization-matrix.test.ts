import assert from 'node:assert/strict';
import { ROLES, type Role } from '../src/platform/context.ts';
import { describeStores } from './support/matrix.ts';
import { auth } from './support/fixtures.ts';
import { buildWorld, collectRoutes, pool, PROBES, PUBLIC_ROUTES, rolesOf, type ProbeScope, type RouteEntry } from './support/route-table.ts';

/**
 * Issue 3, item 1: every route × every role × a record in scope and one out of scope, generated from the
 * route table. A route registered without `config.access`, or without a probe here, fails the test.
 * Expected: 403 (`permission.denied`) for a role the route does not admit, whatever the record (404 when the
 * route is `concealed`: its records' existence is itself secret);
 * 404 (`record.not_found`) for an admitted role on a record outside its scope; 2xx otherwise.
 */
describeStores('authorization matrix', ({ it, h }) => {
  let routes: RouteEntry[] = [];

  it('every route is public by name or declares who may call it, and has a probe', async () => {
    routes = await collectRoutes(h().store);
    assert.ok(routes.length >= 20, `saw ${routes.length} routes`);
    const problems: string[] = [];
    for (const r of routes) {
      if (r.auth === 'public') {
        if (!PUBLIC_ROUTES.has(r.key)) problems.push(`${r.key} is public but not in PUBLIC_ROUTES`);
        continue;
      }
      if (!r.access) problems.push(`${r.key} declares no config.access`);
      else if (r.access.roles !== 'any' && r.access.roles.some((role) => !ROLES.includes(role))) problems.push(`${r.key} names an unknown role`);
      if (!PROBES[r.key]) problems.push(`${r.key} has no probe in test/support/route-table.ts`);
    }
    for (const key of Object.keys(PROBES)) if (!routes.some((r) => r.key === key)) problems.push(`probe for ${key}, which the server does not serve`);
    assert.deepEqual(problems, []);
  });

  it('every route answers every role as its access declares, in scope and out of scope', async () => {
    const { store, app } = h();
    if (routes.length === 0) routes = await collectRoutes(store);
    const world = await buildWorld(store, app);
    const cases: { route: RouteEntry; role: Role; scope: ProbeScope; expect: 'ok' | 403 | 404 }[] = [];
    for (const route of routes) {
      if (route.auth === 'public' || !route.access || !PROBES[route.key]) continue;
      const admitted = rolesOf(route.access);
      for (const role of ROLES) {
        for (const scope of route.access.record ? (['in', 'out'] as const) : (['none'] as const)) {
          cases.push({ route, role, scope, expect: !admitted.includes(role) ? (route.access.concealed ? 404 : 403) : scope === 'out' ? 404 : 'ok' });
        }
      }
    }
    const started = Date.now();
    const failures = (await pool(12, cases.map((c) => async () => {
      const req = await PROBES[c.route.key]!(world, c.role, c.scope);
      const res = await app.inject({ method: c.route.method as 'GET', url: req.url, headers: { ...auth(req.token), ...req.headers }, ...(req.payload !== undefined && { payload: req.payload as object }) });
      const code = res.statusCode >= 400 ? (res.json() as { error?: { code?: string } }).error?.code : undefined;
      const ok = c.expect === 'ok' ? res.statusCode >= 200 && res.statusCode < 300
        : c.expect === 403 ? res.statusCode === 403 && code === 'permission.denied'
          : res.statusCode === 404 && code === 'record.not_found';
      return ok ? null : `${c.route.key} as ${c.role} (${c.scope}): expected ${c.expect}, got ${res.statusCode} ${res.body.slice(0, 200)}`;
    }))).filter((f): f is string => f !== null);
    const size = `${routes.filter((r) => r.access).length} routes × ${ROLES.length} roles → ${cases.length} calls in ${Date.now() - started} ms`;
    console.log(`authorization matrix [${h().kind}]: ${size}`);
    assert.deepEqual(failures, [], size);
  });
});
