import { randomBytes, randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { createUser } from '../../src/modules/accounts/service.ts';
import { currentTotpStep, totpCodeAt } from '../../src/modules/accounts/two-factor.ts';
import { setupMission } from '../../src/modules/reference/service.ts';
import { loadConfig } from '../../src/platform/config.ts';
import { systemContext, type Role } from '../../src/platform/context.ts';
import type { Store } from '../../src/platform/db/store.ts';
import { createServer } from '../../src/server.ts';

// Not a listed common password (the famous "correct horse battery staple" is, since issue 3).
export const PASSWORD = 'lantern quarry violet ninety';

export interface Mission {
  id: string;
  areas: { ituri: string; djugu: string; irumu: string; northKivu: string; beni: string };
  parties: { fardc: string; codeco: string; adf: string };
  /** Bearer tokens by fixture user. */
  tokens: Record<'admin' | 'monitor' | 'monitorBeni' | 'verifier' | 'verifierBeni' | 'analyst', string>;
  usernames: Record<'admin' | 'monitor' | 'monitorBeni' | 'verifier' | 'verifierBeni' | 'analyst', string>;
}

export async function testServer(store: Store): Promise<FastifyInstance> {
  // A wide code window: tests log the same account in several times a minute, and each code is single-use.
  const config = { ...loadConfig({ TUTELA_TOTP_WINDOW_STEPS: '10' }), logLevel: 'silent' as const };
  const app = await createServer(store, config);
  await app.ready();
  return app;
}

/**
 * A fresh mission with its own reference data and accounts. Every test that needs isolation makes
 * its own: all rows carry mission_id, so tests never see each other's data and need no truncation.
 */
export async function newMission(store: Store, app: FastifyInstance): Promise<Mission> {
  const id = `t${randomBytes(5).toString('hex')}`;
  const areas = { ituri: 'CD54', djugu: 'CD5402', irumu: 'CD5403', northKivu: 'CD61', beni: 'CD6101' };
  const parties = { fardc: randomUUID(), codeco: randomUUID(), adf: randomUUID() };
  const v = 'test';
  await setupMission(store.db, systemContext(id), {
    missionId: id, name: `Test mission ${id}`,
    countries: [{ iso3: 'COD', name: 'Democratic Republic of the Congo' }],
    adminAreas: [
      { pcode: 'CD', country_iso3: 'COD', admin_level: 0, parent_pcode: null, name: 'DR Congo', names: {}, boundary_version: v },
      { pcode: areas.ituri, country_iso3: 'COD', admin_level: 1, parent_pcode: 'CD', name: 'Ituri', names: {}, boundary_version: v },
      { pcode: areas.djugu, country_iso3: 'COD', admin_level: 2, parent_pcode: areas.ituri, name: 'Djugu', names: {}, boundary_version: v },
      { pcode: areas.irumu, country_iso3: 'COD', admin_level: 2, parent_pcode: areas.ituri, name: 'Irumu', names: {}, boundary_version: v },
      { pcode: areas.northKivu, country_iso3: 'COD', admin_level: 1, parent_pcode: 'CD', name: 'North Kivu', names: {}, boundary_version: v },
      { pcode: areas.beni, country_iso3: 'COD', admin_level: 2, parent_pcode: areas.northKivu, name: 'Beni', names: {}, boundary_version: v },
    ],
    parties: [
      { id: parties.fardc, name: 'FARDC', category: 'state_armed_forces', country_iso3: 'COD' },
      { id: parties.codeco, name: 'CODECO', aliases: ['URDPC'], category: 'non_state_armed_group', country_iso3: 'COD' },
      { id: parties.adf, name: 'ADF', category: 'non_state_armed_group', country_iso3: 'COD' },
    ],
  });
  const users: Record<keyof Mission['tokens'], { role: Role; scope: { country: string | null; areas: string[]; agency: string | null } }> = {
    admin: { role: 'admin', scope: { country: null, areas: [], agency: null } },
    monitor: { role: 'monitor', scope: { country: 'COD', areas: [areas.djugu], agency: 'UNICEF' } },
    monitorBeni: { role: 'monitor', scope: { country: 'COD', areas: [areas.beni], agency: 'MONUSCO' } },
    verifier: { role: 'verifier', scope: { country: 'COD', areas: [], agency: null } },
    verifierBeni: { role: 'verifier', scope: { country: 'COD', areas: [areas.northKivu], agency: null } },
    analyst: { role: 'analyst', scope: { country: 'COD', areas: [], agency: null } },
  };
  const tokens = {} as Mission['tokens'];
  const usernames = {} as Mission['usernames'];
  for (const [key, u] of Object.entries(users) as [keyof Mission['tokens'], (typeof users)[keyof Mission['tokens']]][]) {
    const username = `${id}.${key.toLowerCase()}`;
    await createUser(store.db, systemContext(id), { username, display_name: key, role: u.role, scope: u.scope, password: PASSWORD });
    usernames[key] = username;
    tokens[key] = await login(app, username, PASSWORD);
  }
  return { id, areas, parties, tokens, usernames };
}

/**
 * The authenticator app of every test account that enrolled: its secret and the last step used, so
 * each login gets a fresh code (the server refuses a code twice). Test servers accept ±10 steps.
 */
const authenticators = new Map<string, { secret: string; lastStep: number }>();

/** The next unused code of `username`'s authenticator, as the phone would show it around `now`. */
export function totpCodeFor(username: string, now = new Date(), windowSteps = 10): string {
  const a = authenticators.get(username);
  if (!a) throw new Error(`${username} has no second factor enrolled in this test process`);
  const current = currentTotpStep(now);
  const step = Math.max(a.lastStep + 1, current - windowSteps);
  if (step > current + windowSteps) throw new Error(`no unused code left for ${username} around ${now.toISOString()}`);
  a.lastStep = step;
  return totpCodeAt(a.secret, step);
}

type Send = (path: string, body: unknown, token?: string) => Promise<{ status: number; body: any }>;

/**
 * Logs in as a person would: password, then the authenticator code if the account has one; and, for a
 * role that needs a second factor and has none yet, enrols one (unless a one-time password must be
 * changed first: `login` then returns the restricted token and the test continues from there).
 */
async function loginWith(send: Send, username: string, password: string, windowSteps: number): Promise<string> {
  let res = await send('/api/v1/auth/login', { username, password });
  if (res.status === 401 && res.body?.error?.code === 'auth.second_factor_required') {
    res = await send('/api/v1/auth/login', { username, password, totp_code: totpCodeFor(username, new Date(), windowSteps) });
  }
  if (res.status !== 200) throw new Error(`login ${username}: ${res.status} ${JSON.stringify(res.body)}`);
  const token = res.body.token as string;
  if (res.body.second_factor_enrolment_required && !res.body.password_change_required) await enrolWith(send, token, username);
  return token;
}

async function enrolWith(send: Send, token: string, username: string): Promise<void> {
  const started = await send('/api/v1/auth/second-factor/enrol', {}, token);
  if (started.status !== 200) throw new Error(`enrol ${username}: ${started.status} ${JSON.stringify(started.body)}`);
  const step = currentTotpStep(new Date());
  const confirmed = await send('/api/v1/auth/second-factor/confirm', { code: totpCodeAt(started.body.secret, step) }, token);
  if (confirmed.status !== 204) throw new Error(`confirm ${username}: ${confirmed.status} ${JSON.stringify(confirmed.body)}`);
  authenticators.set(username, { secret: started.body.secret, lastStep: step });
}

const injectSender = (app: FastifyInstance): Send => async (url, payload, token) => {
  const res = await app.inject({ method: 'POST', url, payload: payload as object, headers: token ? auth(token) : {} });
  return { status: res.statusCode, body: res.body ? res.json() : null };
};

export function login(app: FastifyInstance, username: string, password: string): Promise<string> {
  return loginWith(injectSender(app), username, password, 10);
}

/** Sets up the authenticator of a session that was told to (after its password change, say). */
export function enrolSecondFactor(app: FastifyInstance, token: string, username: string): Promise<void> {
  return enrolWith(injectSender(app), token, username);
}

/** The same login against a server process started by server-process.ts (which accepts codes ±10 steps). */
export function loginOverHttp(baseUrl: string, username: string, password: string): Promise<string> {
  return loginWith(async (url, body, token) => {
    const res = await fetch(`${baseUrl}${url}`, {
      method: 'POST', body: JSON.stringify(body),
      headers: { 'content-type': 'application/json', ...(token ? auth(token) : {}) },
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null };
  }, username, password, 10);
}

export const auth = (token: string) => ({ authorization: `Bearer ${token}` });

/** A valid incident with two violations in Djugu, for the given mission. */
export function incidentBody(m: Mission, overrides: Record<string, unknown> = {}) {
  return {
    title: 'Attack on Plaine Savo displacement site',
    date: { start: '2025-02-10', precision: 'day' },
    first_reported_on: '2025-02-11',
    location: { admin_pcode: m.areas.djugu, location_type: 'idp_camp', coordinates: { latitude: 1.62, longitude: 30.25, precision: 'approximate' } },
    narrative: { confidential: 'Witness W-17 saw the attackers arrive at dawn.', public: 'An armed group attacked a displacement site at night.' },
    violations: [
      {
        type: 'killing', details: { attack_type: 'land_based', weapon_type: 'sharp_weapon' },
        tallies: [{ age_band: '6-10', boys: 2, girls: 1 }, { age_band: 'unknown', sex_unknown: 1 }],
        perpetrators: [{ party_id: m.parties.codeco }],
        victims: [{ ref: 'V-0001', sex: 'male', age: 8, age_estimated: true }],
        sources: [{ ref: 'S-0001', category: 'primary_witness', type: 'oral_testimony', un_trained_monitor: true, reliability: 'high', credibility: 'high' }],
      },
      {
        type: 'abduction', details: { purposes: ['recruitment_use'] },
        tallies: [{ age_band: '14-17', boys: 3 }],
        perpetrators: [{ party_id: m.parties.codeco }],
      },
    ],
    ...overrides,
  };
}
