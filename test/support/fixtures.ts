import { randomBytes, randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { createUser } from '../../src/modules/accounts/service.ts';
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
  const config = { ...loadConfig({}), logLevel: 'silent' as const };
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

export async function login(app: FastifyInstance, username: string, password: string): Promise<string> {
  const res = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username, password } });
  if (res.statusCode !== 200) throw new Error(`login ${username}: ${res.statusCode} ${res.body}`);
  return res.json().token as string;
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
