import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { RequestContext } from '../../platform/context.ts';
import type { DB } from '../../platform/db/schema.ts';
import { runUnitOfWork } from '../../platform/db/unit-of-work.ts';
import { AppError } from '../../platform/errors.ts';
import * as repo from './repository.ts';
import { adminAreaInput, countryInput, partyInput, type AdminAreaInput, type CountryInput, type PartyInput } from './schema.ts';

export interface MissionSetup {
  missionId: string;
  name: string;
  countries: CountryInput[];
  adminAreas: AdminAreaInput[];
  parties: PartyInput[];
}

/** Creates or updates a mission and its reference data. Idempotent: running it twice changes nothing. */
export async function setupMission(db: Kysely<DB>, ctx: RequestContext, setup: MissionSetup): Promise<void> {
  const countries = setup.countries.map((c) => countryInput.parse(c));
  const areas = [...setup.adminAreas.map((a) => adminAreaInput.parse(a))].sort((a, b) => a.admin_level - b.admin_level);
  const parties = setup.parties.map((p) => partyInput.parse(p));
  await runUnitOfWork(db, ctx, 'write', async (uow) => {
    await repo.upsertMission(uow.trx, setup.missionId, setup.name);
    await repo.upsertCountries(uow.trx, setup.missionId, countries);
    await repo.upsertAdminAreas(uow.trx, setup.missionId, areas);
    for (const p of parties) await repo.upsertParty(uow.trx, setup.missionId, { ...p, id: p.id ?? randomUUID() });
    uow.audit({ action: 'mission.setup', targetType: 'mission', targetId: setup.missionId,
      details: { countries: countries.length, admin_areas: areas.length, parties: parties.length } });
  });
}

export async function requireMission(db: Kysely<DB>, missionId: string): Promise<void> {
  if (!(await repo.missionExists(db, missionId))) throw new AppError('reference.unknown_mission', { field: 'mission', rule: `no mission '${missionId}'` });
}

export async function listCountries(db: Kysely<DB>, ctx: RequestContext) {
  return repo.listCountries(db, ctx.actor.missionId);
}

export async function listAdminAreas(db: Kysely<DB>, ctx: RequestContext, filter: { parent?: string; level?: number }) {
  const rows = await repo.listAdminAreas(db, ctx.actor.missionId, filter);
  return rows.map((r) => ({ pcode: r.pcode, country_iso3: r.country_iso3, admin_level: r.admin_level, parent_pcode: r.parent_pcode, name: r.name, names: r.names, boundary_version: r.boundary_version }));
}

export async function listParties(db: Kysely<DB>, ctx: RequestContext) {
  const rows = await repo.listParties(db, ctx.actor.missionId);
  return rows.map((r) => ({ id: r.party_id, name: r.name, aliases: r.aliases, category: r.category as PartyInput['category'], country_iso3: r.country_iso3 }));
}
