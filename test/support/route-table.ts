import { randomBytes, randomUUID } from 'node:crypto';
import type { FastifyInstance, RouteOptions } from 'fastify';
import { createUser } from '../../src/modules/accounts/service.ts';
import { insertAlerts } from '../../src/modules/analytics/repository.ts';
import { setupMission } from '../../src/modules/reference/service.ts';
import { actionPlanBody } from '../../src/modules/mrm/listings/schema.ts';
import { createActionPlan } from '../../src/modules/mrm/listings/service.ts';
import { loadConfig } from '../../src/platform/config.ts';
import { ROLES, systemContext, type Role, type Scope } from '../../src/platform/context.ts';
import type { Store } from '../../src/platform/db/store.ts';
import { createServer } from '../../src/server.ts';
import { currentTotpStep, totpCodeAt } from '../../src/modules/accounts/two-factor.ts';
import { auth, incidentBody, login, newMission, PASSWORD, type Mission } from './fixtures.ts';
import { caseProbes } from './case-probes.ts';
import { identityProbes } from './identity-probes.ts';
import { referenceProbes } from './reference-probes.ts';

/**
 * The server's route table as the route registrations declare it, and one probe per route: how to build
 * a valid request for a given role, against a record in or out of that role's scope. Used by
 * test/authorization-matrix.test.ts (every route × every role × scope) and test/analyst-exposure.test.ts.
 */

/** Routes that need no token. Anything else must declare `config.access`. */
export const PUBLIC_ROUTES = new Set(['POST /api/v1/auth/login', 'GET /api/health', 'GET /api/openapi.json', 'GET /*']);

export interface RouteEntry {
  key: string;
  method: string;
  url: string;
  auth: 'public' | 'user' | 'setup';
  access: NonNullable<RouteOptions['config']>['access'];
}

/** Every route the server registers (HEAD twins of GET routes left out: same handler, same config). */
export async function collectRoutes(store: Store): Promise<RouteEntry[]> {
  const routes: RouteEntry[] = [];
  const app = await createServer(store, { ...loadConfig({}), logLevel: 'silent' }, (a) => a.addHook('onRoute', (r) => {
    for (const method of [r.method].flat()) {
      if (method === 'HEAD') continue;
      const config = (r.config ?? {}) as { auth?: RouteEntry['auth']; access?: RouteEntry['access'] };
      routes.push({ key: `${method} ${r.url}`, method, url: r.url, auth: config.auth ?? 'user', access: config.access });
    }
  }));
  await app.ready();
  await app.close();
  return routes;
}

export type ProbeScope = 'in' | 'out' | 'none';

interface Actor { token: string; username: string; userId: string; scope: Scope }

/** One mission (plus a second one for out-of-mission records) with an actor for every role. */
export interface World {
  app: FastifyInstance;
  store: Store;
  m: Mission;
  actors: Record<Role, Actor>;
  /** A user of the mission with no sessions (revoking them harms no other probe). */
  targetUserId: string;
  /** A user of another mission. */
  foreignUserId: string;
  /** The body of every incident the world records; tests may add sensitive content. */
  incidentBody: (pcode: string) => Record<string, unknown>;
  /** The first session of a new account of `role`: password only, no second factor yet. */
  firstSession(role: Role): Promise<string>;
  /** A fresh incident recorded by `owner` (monitor in Djugu, monitorBeni in Beni). */
  newIncident(owner: 'monitor' | 'monitorBeni'): Promise<{ id: string; version: number; violations: { id: string; version: number; type: string }[] }>;
  /** A throwaway account of the role (for probes that end sessions or change the password). */
  throwawayUser(role: Role): Promise<Actor & { password: string }>;
}

const roleScopes = (m: Mission): Record<Role, Scope> => ({
  admin: { country: null, areas: [], agency: null },
  monitor: { country: 'COD', areas: [m.areas.djugu], agency: 'UNICEF' },
  // The matrix's verifier is the North Kivu one, so a Djugu record is out of its scope.
  verifier: { country: 'COD', areas: [m.areas.northKivu], agency: null },
  case_worker: { country: 'COD', areas: [m.areas.djugu], agency: 'UNICEF' },
  supervisor: { country: 'COD', areas: [], agency: 'UNICEF' },
  analyst: { country: 'COD', areas: [], agency: null },
  conduct_officer: { country: 'COD', areas: [], agency: null },
  auditor: { country: null, areas: [], agency: null },
});

export async function buildWorld(store: Store, app: FastifyInstance, options: { incidentBody?: (m: Mission, pcode: string) => Record<string, unknown> } = {}): Promise<World> {
  const m = await newMission(store, app);
  const scopes = roleScopes(m);
  const sys = systemContext(m.id);
  const me = async (token: string) => (await app.inject({ method: 'GET', url: '/api/v1/me', headers: auth(token) })).json().id as string;
  const fromFixture = async (key: keyof Mission['tokens'], role: Role): Promise<Actor> => ({ token: m.tokens[key], username: m.usernames[key], userId: await me(m.tokens[key]), scope: scopes[role] });
  async function makeUser(role: Role, password = PASSWORD): Promise<Actor & { password: string }> {
    const username = `${m.id}.${role.replace('_', '')}.${randomBytes(3).toString('hex')}`;
    const { user } = await createUser(store.db, sys, { username, display_name: role, role, scope: scopes[role], password });
    return { token: await login(app, username, password), username, userId: user.id, scope: scopes[role], password };
  }
  const [admin, monitor, verifier, analyst, caseWorker, supervisor, conduct, auditor, target] = await Promise.all([
    fromFixture('admin', 'admin'), fromFixture('monitor', 'monitor'), fromFixture('verifierBeni', 'verifier'), fromFixture('analyst', 'analyst'),
    makeUser('case_worker'), makeUser('supervisor'), makeUser('conduct_officer'), makeUser('auditor'),
    createUser(store.db, sys, { username: `${m.id}.target`, display_name: 'target', role: 'monitor', scope: scopes.monitor, password: PASSWORD }),
  ]);
  const actors: Record<Role, Actor> = { admin, monitor, verifier, analyst, case_worker: caseWorker, supervisor, conduct_officer: conduct, auditor };

  const foreignId = `f${randomBytes(5).toString('hex')}`;
  await setupMission(store.db, systemContext(foreignId), { missionId: foreignId, name: `Foreign ${foreignId}`, countries: [{ iso3: 'COD', name: 'DR Congo' }], adminAreas: [], parties: [] });
  const foreign = await createUser(store.db, systemContext(foreignId), { username: `${foreignId}.admin`, display_name: 'x', role: 'admin', scope: scopes.admin, password: PASSWORD });

  const body = (pcode: string) => options.incidentBody ? options.incidentBody(m, pcode) : incidentBody(m, { location: { admin_pcode: pcode, location_type: 'idp_camp', coordinates: { latitude: 1.62, longitude: 30.25, precision: 'approximate' } } });
  async function newIncident(owner: 'monitor' | 'monitorBeni') {
    const pcode = owner === 'monitor' ? m.areas.djugu : m.areas.beni;
    const res = await app.inject({ method: 'POST', url: '/api/v1/incidents', headers: auth(m.tokens[owner]), payload: body(pcode) });
    if (res.statusCode !== 201) throw new Error(`seeding an incident: ${res.statusCode} ${res.body}`);
    const j = res.json();
    return { id: j.id as string, version: j.version as number, violations: (j.violations as { id: string; version: number; type: string }[]).map((v) => ({ id: v.id, version: v.version, type: v.type })) };
  }
  // Data keys are created on the first sealed write: make it once before probes run in parallel.
  await newIncident('monitor');
  await newIncident('monitorBeni');
  async function firstSession(role: Role): Promise<string> {
    const username = `${m.id}.first.${randomBytes(4).toString('hex')}`;
    await createUser(store.db, sys, { username, display_name: role, role, scope: scopes[role], password: PASSWORD });
    const res = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username, password: PASSWORD } });
    if (res.statusCode !== 200) throw new Error(`first login: ${res.statusCode} ${res.body}`);
    return res.json().token as string;
  }
  return { app, store, m, actors, targetUserId: target.user.id, foreignUserId: foreign.user.id, incidentBody: body, newIncident, throwawayUser: (role) => makeUser(role), firstSession };
}

export interface ProbeRequest { token: string; url: string; payload?: unknown; headers?: Record<string, string> }

/**
 * How to call a route as `role`: `scope` is 'in' (a record the role's actor may see), 'out' (one it may
 * not) or 'none' (the route names no record). `write` marks a call that should succeed and change state.
 */
export type Probe = (w: World, role: Role, scope: ProbeScope) => Promise<ProbeRequest>;

/** Whose record is in scope for the role's actor: the Djugu monitor's own, or Beni for the North Kivu verifier. */
function recordOwner(role: Role, scope: ProbeScope): 'monitor' | 'monitorBeni' {
  const home = role === 'verifier' ? 'monitorBeni' : 'monitor';
  if (scope !== 'out') return home;
  return home === 'monitor' ? 'monitorBeni' : 'monitor';
}

const token = (w: World, role: Role) => w.actors[role].token;

/** An offline edit of a fresh incident's title, as a device that pulled it would push it. */
async function titleEdit(w: World, owner: 'monitor' | 'monitorBeni') {
  const inc = await w.newIncident(owner);
  const read = await w.app.inject({ method: 'GET', url: `/api/v1/incidents/${inc.id}`, headers: auth(w.m.tokens[owner]) });
  return { id: randomUUID(), incident_id: inc.id, base_version: inc.version, base: { title: read.json().title }, changes: { title: 'Attack on the site (edited offline)' } };
}

const incidentUrl = async (w: World, role: Role, scope: ProbeScope, suffix = '') => `/api/v1/incidents/${(await w.newIncident(recordOwner(role, scope))).id}${suffix}`;

/** An open hotspot alert over one admin area (the scan itself is tested in test/hotspot-alerts.test.ts). */
async function seedAlert(w: World, pcode: string): Promise<string> {
  const id = randomUUID();
  await insertAlerts(w.store.db, [{
    mission_id: w.m.id, alert_id: id, violation_type: 'abduction', country_iso3: 'COD', study_end: '2025-03-01', cluster_start: '2025-02-20',
    cluster_end: '2025-03-01', observed: 6, expected: 1.2, llr: 5.1, p_value: 0.01, recurrence_days: 100, radius_km: 4,
    admin_pcodes: [pcode], incident_ids: [], detected_at: new Date(), acknowledged_at: null, acknowledged_by: null,
  }]);
  return id;
}

const TUS_BYTES = Buffer.alloc(1000, 7);
const tusCreateHeaders = (incidentId: string) => ({
  'tus-resumable': '1.0.0', 'upload-length': String(TUS_BYTES.length),
  'upload-metadata': `incident_id ${Buffer.from(incidentId).toString('base64')},filetype ${Buffer.from('image/png').toString('base64')}`,
});
/** An upload begun on a record in or out of the role's scope, by the role itself when it may (uploads are their uploader's), else by the record's owner. */
async function seedUpload(w: World, role: Role, scope: ProbeScope, by?: string): Promise<string> {
  const owner = recordOwner(role, scope);
  const incident = await w.newIncident(owner);
  const uploader = by ?? ((role === 'monitor' || role === 'verifier') && scope !== 'out' ? token(w, role) : w.m.tokens[owner]);
  const res = await w.app.inject({ method: 'POST', url: '/api/v1/attachments/uploads', headers: { ...auth(uploader), ...tusCreateHeaders(incident.id) } });
  if (res.statusCode !== 201) throw new Error(`seeding an upload: ${res.statusCode} ${res.body}`);
  return new URL(String(res.headers.location), 'http://x/api/v1/attachments/uploads/').pathname;
}

export const PROBES: Record<string, Probe> = {
  'POST /api/v1/incidents': async (w, role) => ({
    token: token(w, role), url: '/api/v1/incidents', payload: w.incidentBody(role === 'verifier' ? w.m.areas.beni : w.m.areas.djugu),
  }),
  'GET /api/v1/incidents': async (w, role) => ({ token: token(w, role), url: '/api/v1/incidents' }),
  'POST /api/v1/reports': async (w, role) => ({
    token: token(w, role), url: '/api/v1/reports',
    payload: { id: randomUUID(), type: 'incident', created_at: new Date().toISOString(), payload: w.incidentBody(role === 'verifier' ? w.m.areas.beni : w.m.areas.djugu) },
  }),
  'GET /api/v1/sync/changes': async (w, role) => ({ token: token(w, role), url: '/api/v1/sync/changes?limit=5' }),
  'GET /api/v1/sync/conflicts': async (w, role) => ({ token: token(w, role), url: '/api/v1/sync/conflicts' }),
  // A report pushed twice by its owner with other content: the second version is kept as a conflict.
  'POST /api/v1/sync/conflicts/:report_id/:sha256/resolve': async (w, role, scope) => {
    const owner = recordOwner(role, scope);
    const body = w.incidentBody(owner === 'monitor' ? w.m.areas.djugu : w.m.areas.beni);
    const report = { id: randomUUID(), type: 'incident', created_at: new Date().toISOString(), payload: body };
    const push = (payload: unknown) => w.app.inject({ method: 'POST', url: '/api/v1/reports', headers: auth(w.m.tokens[owner]), payload: payload as object });
    const first = await push(report);
    const clash = await push({ ...report, payload: { ...body, title: 'Attack on the site (second device)' } });
    if (first.statusCode !== 201 || clash.statusCode !== 409) throw new Error(`seeding a conflict: ${first.statusCode} ${clash.statusCode} ${clash.body}`);
    return { token: token(w, role), url: `/api/v1/sync/conflicts/${report.id}/${clash.json().error.details.sha256}/resolve`, payload: { version: 1, take: ['title'] } };
  },
  'GET /api/v1/incidents/:incident_id/attachments': async (w, role, scope) => ({ token: token(w, role), url: await incidentUrl(w, role, scope, '/attachments') }),
  'POST /api/v1/sync/edits': async (w, role) => ({ token: token(w, role), url: '/api/v1/sync/edits', payload: { edits: [await titleEdit(w, recordOwner(role, 'in'))] } }),
  'GET /api/v1/sync/edit-conflicts': async (w, role) => ({ token: token(w, role), url: '/api/v1/sync/edit-conflicts' }),
  // Two edits of the title from the same base version: the second is kept as a conflict for a person.
  'POST /api/v1/sync/edit-conflicts/:conflict_id/resolve': async (w, role, scope) => {
    const owner = recordOwner(role, scope);
    const first = await titleEdit(w, owner);
    const second = { ...first, id: randomUUID(), changes: { title: 'Attack on the site (second device)' } };
    const res = await w.app.inject({ method: 'POST', url: '/api/v1/sync/edits', headers: auth(w.m.tokens[owner]), payload: { edits: [first, second] } });
    const conflict = res.json().results?.[1]?.outcome?.conflicts?.[0];
    if (res.statusCode !== 200 || !conflict) throw new Error(`seeding an edit conflict: ${res.statusCode} ${res.body}`);
    return { token: token(w, role), url: `/api/v1/sync/edit-conflicts/${conflict.conflict_id}/resolve`, payload: { version: res.json().results[1].outcome.version, take: 'device' } };
  },
  'GET /api/v1/sync/edit-history/:incident_id': async (w, role, scope) => ({
    token: token(w, role), url: `/api/v1/sync/edit-history/${(await w.newIncident(recordOwner(role, scope))).id}`,
  }),
  'POST /api/v1/sync/outbox-status': async (w, role) => ({
    token: token(w, role), url: '/api/v1/sync/outbox-status', payload: { device_id: randomUUID(), waiting: 2, oldest_queued_at: new Date().toISOString() },
  }),
  'GET /api/v1/sync/waiting': async (w, role) => ({ token: token(w, role), url: '/api/v1/sync/waiting' }),
  // Attachments speak tus: the probes send its headers (the matrix passes `headers` through).
  'POST /api/v1/attachments/uploads': async (w, role) => ({
    token: token(w, role), url: '/api/v1/attachments/uploads', headers: tusCreateHeaders((await w.newIncident(recordOwner(role, 'in'))).id),
  }),
  'PATCH /api/v1/attachments/uploads/:upload_id': async (w, role, scope) => ({
    token: token(w, role), url: await seedUpload(w, role, scope), payload: TUS_BYTES,
    headers: { 'tus-resumable': '1.0.0', 'upload-offset': '0', 'content-type': 'application/offset+octet-stream' },
  }),
  'DELETE /api/v1/attachments/uploads/:upload_id': async (w, role, scope) => ({ token: token(w, role), url: await seedUpload(w, role, scope), headers: { 'tus-resumable': '1.0.0' } }),
  'GET /api/v1/attachments/:attachment_id': async (w, role, scope) => {
    const owner = recordOwner(role, scope);
    const url = await seedUpload(w, role, scope, w.m.tokens[owner]);
    const done = await w.app.inject({ method: 'PATCH', url, payload: TUS_BYTES, headers: { ...auth(w.m.tokens[owner]), 'tus-resumable': '1.0.0', 'upload-offset': '0', 'content-type': 'application/offset+octet-stream' } });
    if (done.statusCode !== 204) throw new Error(`seeding an attachment: ${done.statusCode} ${done.body}`);
    return { token: token(w, role), url: url.replace('/uploads/', '/') };
  },
  'GET /api/v1/incidents/:incident_id': async (w, role, scope) => ({ token: token(w, role), url: await incidentUrl(w, role, scope) }),
  'PATCH /api/v1/incidents/:incident_id': async (w, role, scope) => {
    const inc = await w.newIncident(recordOwner(role, scope));
    return { token: token(w, role), url: `/api/v1/incidents/${inc.id}`, payload: { version: inc.version, title: 'Attack on the site (corrected)' } };
  },
  'POST /api/v1/incidents/:incident_id/violations': async (w, role, scope) => ({
    token: token(w, role), url: await incidentUrl(w, role, scope, '/violations'), payload: (w.incidentBody(w.m.areas.djugu).violations as unknown[])[1],
  }),
  'GET /api/v1/violations': async (w, role) => ({ token: token(w, role), url: '/api/v1/violations' }),
  'POST /api/v1/violations/:violation_id/victims/:victim_ref/erase-identity': async (w, role, scope) => {
    const killing = (await w.newIncident(recordOwner(role, scope))).violations.find((v) => v.type === 'killing')!;
    return { token: token(w, role), url: `/api/v1/violations/${killing.id}/victims/V-0001/erase-identity`, payload: { reason: 'consent withdrawn (probe)' } };
  },
  'POST /api/v1/victims/lookup': async (w, role) => ({ token: token(w, role), url: '/api/v1/victims/lookup', payload: { full_name: 'Amani Bahati', date_of_birth: '2012' } }),
  'GET /api/v1/violations/:violation_id': async (w, role, scope) => ({
    token: token(w, role), url: `/api/v1/violations/${(await w.newIncident(recordOwner(role, scope))).violations[0]!.id}`,
  }),
  'PATCH /api/v1/violations/:violation_id': async (w, role, scope) => {
    const v = (await w.newIncident(recordOwner(role, scope))).violations[0]!;
    return { token: token(w, role), url: `/api/v1/violations/${v.id}`, payload: { version: v.version, crossfire: true } };
  },
  // Focal point: pending → verified is legal on a fresh violation, and both record roles may decide it.
  'POST /api/v1/violations/:violation_id/verification': async (w, role, scope) => ({
    token: token(w, role), url: `/api/v1/violations/${(await w.newIncident(recordOwner(role, scope))).violations[0]!.id}/verification`,
    payload: { level: 'focal_point', status: 'verified', date: '2025-02-12', note: 'two independent primary sources' },
  }),
  'GET /api/v1/violations/:violation_id/verification': async (w, role, scope) => ({
    token: token(w, role), url: `/api/v1/violations/${(await w.newIncident(recordOwner(role, scope))).violations[0]!.id}/verification`,
  }),
  'GET /api/v1/hotspot-alerts': async (w, role) => ({ token: token(w, role), url: '/api/v1/hotspot-alerts' }),
  'POST /api/v1/hotspot-alerts/:alert_id/acknowledge': async (w, role, scope) => ({
    token: token(w, role), url: `/api/v1/hotspot-alerts/${await seedAlert(w, recordOwner(role, scope) === 'monitor' ? w.m.areas.djugu : w.m.areas.beni)}/acknowledge`,
  }),
  'POST /api/v1/hotspot-scans': async (w, role) => ({ token: token(w, role), url: '/api/v1/hotspot-scans', payload: { as_of: '2025-03-01' } }),
  'GET /api/v1/reports/annual': async (w, role) => ({ token: token(w, role), url: '/api/v1/reports/annual?year=2025' }),
  'GET /api/v1/reports/ghn': async (w, role) => ({ token: token(w, role), url: '/api/v1/reports/ghn?quarter=2025Q1&public=true' }),
  'GET /api/v1/reference/countries': async (w, role) => ({ token: token(w, role), url: '/api/v1/reference/countries' }),
  'GET /api/v1/reference/admin-areas': async (w, role) => ({ token: token(w, role), url: '/api/v1/reference/admin-areas' }),
  'GET /api/v1/reference/parties': async (w, role) => ({ token: token(w, role), url: '/api/v1/reference/parties' }),
  'GET /api/v1/audit': async (w, role) => ({ token: token(w, role), url: '/api/v1/audit?limit=5' }),
  'GET /api/v1/me': async (w, role) => ({ token: token(w, role), url: '/api/v1/me' }),
  // Session routes end sessions: a throwaway session (logout) or a throwaway account (the others end every session but one).
  'POST /api/v1/auth/logout': async (w, role) => ({ token: await login(w.app, w.actors[role].username, PASSWORD), url: '/api/v1/auth/logout' }),
  'POST /api/v1/auth/logout-all': async (w, role) => ({ token: (await w.throwawayUser(role)).token, url: '/api/v1/auth/logout-all' }),
  'POST /api/v1/auth/password': async (w, role) => ({
    token: (await w.throwawayUser(role)).token, url: '/api/v1/auth/password',
    payload: { current_password: PASSWORD, new_password: `amber meadow ${randomBytes(4).toString('hex')} harbour` },
  }),
  'GET /api/v1/users': async (w, role) => ({ token: token(w, role), url: '/api/v1/users' }),
  'POST /api/v1/users': async (w, role) => ({
    token: token(w, role), url: '/api/v1/users',
    payload: { username: `${w.m.id}.new.${randomBytes(3).toString('hex')}`, role: 'analyst', scope: { country: 'COD', areas: [], agency: null } },
  }),
  // A new account's first session, before any second factor: what enrolment is for.
  'POST /api/v1/auth/second-factor/enrol': async (w, role) => ({ token: await w.firstSession(role), url: '/api/v1/auth/second-factor/enrol' }),
  'POST /api/v1/auth/second-factor/confirm': async (w, role) => {
    const first = await w.firstSession(role);
    const started = await w.app.inject({ method: 'POST', url: '/api/v1/auth/second-factor/enrol', headers: auth(first) });
    return { token: first, url: '/api/v1/auth/second-factor/confirm', payload: { code: totpCodeAt(started.json().secret, currentTotpStep(new Date())) } };
  },
  'POST /api/v1/users/:user_id/second-factor/reset': async (w, role, scope) => ({
    token: token(w, role), url: `/api/v1/users/${scope === 'out' ? w.foreignUserId : w.targetUserId}/second-factor/reset`,
  }),
  'POST /api/v1/users/:user_id/sessions/revoke': async (w, role, scope) => ({
    token: token(w, role), url: `/api/v1/users/${scope === 'out' ? w.foreignUserId : w.targetUserId}/sessions/revoke`,
  }),  ...caseProbes,
  ...identityProbes,
  ...referenceProbes,
  // Conduct (SEA, src/modules/sea): every probe names an allegation the world's conduct officer recorded;
  // out of scope is one the caller cannot know (the conduct officer sees all of the mission's).
  'POST /api/v1/conduct/allegations': async (w, role) => ({ token: token(w, role), url: '/api/v1/conduct/allegations', payload: conductAllegation }),
  'GET /api/v1/conduct/allegations': async (w, role) => ({ token: token(w, role), url: '/api/v1/conduct/allegations' }),
  'GET /api/v1/conduct/allegations/:allegation_id': async (w, role, scope) => ({ token: token(w, role), url: `/api/v1/conduct/allegations/${scope === 'out' ? randomUUID() : (await newAllegation(w)).id}` }),
  'PATCH /api/v1/conduct/allegations/:allegation_id': async (w, role, scope) => ({
    token: token(w, role), url: `/api/v1/conduct/allegations/${scope === 'out' ? randomUUID() : (await newAllegation(w)).id}`, payload: { version: 1, outcome: { status: 'substantiated', on: '2025-03-20' } },
  }),
  'POST /api/v1/conduct/allegations/:allegation_id/victims': async (w, role, scope) => ({
    token: token(w, role), url: `/api/v1/conduct/allegations/${scope === 'out' ? randomUUID() : (await newAllegation(w)).id}/victims`, payload: { ref: 'SV-2', age_class: 'minor', sex: 'male' },
  }),
  'PATCH /api/v1/conduct/allegations/:allegation_id/victims/:victim_ref': async (w, role, scope) => ({
    token: token(w, role), url: `/api/v1/conduct/allegations/${scope === 'out' ? randomUUID() : (await newAllegation(w)).id}/victims/SV-1`, payload: { case_link: null, sex: 'unknown' },
  }),
  'POST /api/v1/conduct/allegations/:allegation_id/assistance': async (w, role, scope) => ({
    token: token(w, role), url: `/api/v1/conduct/allegations/${scope === 'out' ? randomUUID() : (await newAllegation(w)).id}/assistance`, payload: { victim_ref: 'SV-1', kind: 'medical', referred_on: '2025-03-04' },
  }),
  'PATCH /api/v1/conduct/allegations/:allegation_id/assistance/:referral_id': async (w, role, scope) => {
    if (scope === 'out') return { token: token(w, role), url: `/api/v1/conduct/allegations/${randomUUID()}/assistance/${randomUUID()}`, payload: { status: 'completed', completed_on: '2025-03-10' } };
    const { id } = await newAllegation(w);
    const referral = await w.app.inject({ method: 'POST', url: `/api/v1/conduct/allegations/${id}/assistance`, headers: auth(token(w, 'conduct_officer')),
      payload: { victim_ref: 'SV-1', kind: 'psychosocial', referred_on: '2025-03-04' } });
    return { token: token(w, role), url: `/api/v1/conduct/allegations/${id}/assistance/${referral.json().id}`, payload: { status: 'completed', completed_on: '2025-03-10' } };
  },
  'GET /api/v1/conduct/alerts': async (w, role) => ({ token: token(w, role), url: '/api/v1/conduct/alerts' }),
  'GET /api/v1/conduct/settings': async (w, role) => ({ token: token(w, role), url: '/api/v1/conduct/settings' }),
  'PUT /api/v1/conduct/settings': async (w, role) => ({
    token: token(w, role), url: '/api/v1/conduct/settings',
    payload: { tcc_response_working_days: 10, nio_investigation_days: 90, investigation_days: 180, urgent_investigation_days: 90 },
  }),
  'GET /api/v1/conduct/aggregate': async (w, role) => ({ token: token(w, role), url: '/api/v1/conduct/aggregate?year=2025' }),
  // Listings and action plans (issue #4, item 2): a fresh plan per probe, so a PATCH carries its current version.
  'GET /api/v1/listings': async (w, role) => ({ token: token(w, role), url: '/api/v1/listings?year=2025' }),
  'GET /api/v1/action-plans': async (w, role) => ({ token: token(w, role), url: '/api/v1/action-plans' }),
  'POST /api/v1/action-plans': async (w, role) => ({
    token: token(w, role), url: '/api/v1/action-plans', payload: { party_id: w.m.parties.codeco, title: 'Action plan (probe)', signed_on: '2025-02-01', status: 'signed' },
  }),
  'GET /api/v1/action-plans/:plan_id': async (w, role) => {
    const plan = await createActionPlan(w.store.db, systemContext(w.m.id), actionPlanBody.parse({ party_id: w.m.parties.codeco, title: 'Probe plan' }));
    return { token: token(w, role), url: `/api/v1/action-plans/${plan.plan_id}` };
  },
  'PATCH /api/v1/action-plans/:plan_id': async (w, role) => {
    const plan = await createActionPlan(w.store.db, systemContext(w.m.id), actionPlanBody.parse({ party_id: w.m.parties.codeco, title: 'Probe plan' }));
    return { token: token(w, role), url: `/api/v1/action-plans/${plan.plan_id}`, payload: { version: plan.version, status: 'signed', signed_on: '2025-05-01' } };
  },
};

const conductAllegation = {
  received_on: '2025-03-03', incident: { date: null, precision: 'unknown' }, personnel_category: 'military_contingent', contingent_nationality: 'XYZ',
  type: 'abuse', victims: [{ ref: 'SV-1', age_class: 'minor', sex: 'female' }], referral: { entity: 'tcc', referred_on: '2025-03-05' },
};
/** A fresh allegation recorded by the world's conduct officer (no other role can make one). */
async function newAllegation(w: World): Promise<{ id: string }> {
  const res = await w.app.inject({ method: 'POST', url: '/api/v1/conduct/allegations', headers: auth(token(w, 'conduct_officer')), payload: conductAllegation });
  if (res.statusCode !== 201) throw new Error(`seeding an allegation: ${res.statusCode} ${res.body}`);
  return { id: res.json().id as string };
}

export const rolesOf = (access: NonNullable<RouteEntry['access']>): readonly Role[] => (access.roles === 'any' ? ROLES : access.roles);

/** Runs `tasks` with at most `limit` in flight. */
export async function pool<T>(limit: number, tasks: (() => Promise<T>)[]): Promise<T[]> {
  const results: T[] = new Array(tasks.length);
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, async () => {
    while (next < tasks.length) {
      const i = next++;
      results[i] = await tasks[i]!();
    }
  }));
  return results;
}
