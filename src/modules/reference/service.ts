import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { RequestContext } from '../../platform/context.ts';
import type { DB } from '../../platform/db/schema.ts';
import { runUnitOfWork } from '../../platform/db/unit-of-work.ts';
import { AppError, ensure } from '../../platform/errors.ts';
import { ensureMayAdminister } from './policy.ts';
import * as repo from './repository.ts';
import {
  adminAreaInput, countryInput, partyInput, type AdminAreaCreateInput, type AdminAreaInput, type AdminAreaUpdateInput, type CountryInput,
  type PartyCreateInput, type PartyInput, type PartyUpdateInput,
} from './schema.ts';

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
  return rows.map(presentArea);
}

export async function listParties(db: Kysely<DB>, ctx: RequestContext) {
  const rows = await repo.listParties(db, ctx.actor.missionId);
  return rows.map(presentParty);
}

type PartyRow = Awaited<ReturnType<typeof repo.listParties>>[number];
type AreaRow = Awaited<ReturnType<typeof repo.listAdminAreas>>[number];

const presentParty = (r: PartyRow) => ({
  id: r.party_id, name: r.name, aliases: r.aliases, category: r.category as PartyInput['category'], country_iso3: r.country_iso3, active: r.active, version: r.version,
});
const presentArea = (r: AreaRow) => ({
  pcode: r.pcode, country_iso3: r.country_iso3, admin_level: r.admin_level, parent_pcode: r.parent_pcode, name: r.name, names: r.names,
  boundary_version: r.boundary_version, active: r.active, version: r.version,
});

/** The fields of `input` that differ from `row`, as { field: [before, after] } for the audit row (reference data names no person). */
function changes(row: Record<string, unknown>, input: Record<string, unknown>): Record<string, [unknown, unknown]> {
  const out: Record<string, [unknown, unknown]> = {};
  for (const [k, v] of Object.entries(input)) if (k !== 'version' && v !== undefined && JSON.stringify(row[k]) !== JSON.stringify(v)) out[k] = [row[k], v];
  return out;
}

/** A unique key taken by a concurrent request between the check and the insert is the same conflict. */
const uniqueOr = (field: string, rule: string) => (err: { code?: string }) => {
  throw err.code === '23505' ? new AppError('record.conflict', { field, rule }) : err;
};

const stale = (what: string, version: number) => new AppError('record.conflict', { field: 'version', rule: `the ${what} is at version ${version}; reload it and apply your change again` });

export async function createParty(db: Kysely<DB>, ctx: RequestContext, input: PartyCreateInput) {
  ensureMayAdminister(ctx.actor, 'party.create');
  return runUnitOfWork(db, ctx, 'write', async (uow) => {
    const { missionId } = ctx.actor;
    ensure(await repo.findCountry(uow.trx, missionId, input.country_iso3), 'reference.unknown_country',
      { field: 'country_iso3', rule: `${input.country_iso3} is not a country of this mission` });
    ensure(!(await repo.findPartyByName(uow.trx, missionId, input.name)), 'record.conflict', { field: 'name', rule: `a party named '${input.name}' exists` });
    const row = await repo.insertParty(uow.trx, missionId, randomUUID(), input).catch(uniqueOr('name', `a party named '${input.name}' exists`));
    uow.audit({ action: 'party.create', targetType: 'party', targetId: row.party_id, details: { name: row.name, category: row.category, country_iso3: row.country_iso3, aliases: row.aliases } });
    return presentParty(row);
  });
}

export async function updateParty(db: Kysely<DB>, ctx: RequestContext, partyId: string, input: PartyUpdateInput) {
  ensureMayAdminister(ctx.actor, 'party.update');
  return runUnitOfWork(db, ctx, 'write', async (uow) => {
    const { missionId } = ctx.actor;
    const row = await repo.findParty(uow.trx, missionId, partyId, true);
    ensure(row, 'record.not_found', { field: 'party_id' });
    if (row.version !== input.version) throw stale('party', row.version);
    if (input.name !== undefined && input.name.toLowerCase() !== row.name.toLowerCase()) {
      ensure(!(await repo.findPartyByName(uow.trx, missionId, input.name)), 'record.conflict', { field: 'name', rule: `a party named '${input.name}' exists` });
    }
    const { version, ...set } = input;
    const updated = await repo.updateParty(uow.trx, missionId, partyId, version, set).catch(uniqueOr('name', `a party named '${input.name}' exists`));
    if (!updated) throw stale('party', row.version + 1);
    uow.audit({ action: 'party.update', targetType: 'party', targetId: partyId, details: { changes: changes(row, set) } });
    return presentParty(updated);
  });
}

export async function createAdminArea(db: Kysely<DB>, ctx: RequestContext, input: AdminAreaCreateInput) {
  ensureMayAdminister(ctx.actor, 'admin_area.create');
  return runUnitOfWork(db, ctx, 'write', async (uow) => {
    const { missionId } = ctx.actor;
    ensure(await repo.findCountry(uow.trx, missionId, input.country_iso3), 'reference.unknown_country',
      { field: 'country_iso3', rule: `${input.country_iso3} is not a country of this mission` });
    if (input.admin_level === 0) {
      ensure(input.parent_pcode === null, 'request.invalid', { field: 'parent_pcode', rule: 'a level-0 area (a country) has no parent' });
    } else {
      ensure(input.parent_pcode !== null, 'request.invalid', { field: 'parent_pcode', rule: `a level-${input.admin_level} area needs its level-${input.admin_level - 1} parent` });
      // Locked: retiring the parent at the same moment counts its active sub-areas under the same lock.
      const parent = await repo.findAdminAreaRow(uow.trx, missionId, input.parent_pcode, true);
      ensure(parent, 'reference.unknown_admin_area', { field: 'parent_pcode', rule: `no area '${input.parent_pcode}' in this mission` });
      ensure(parent.admin_level === input.admin_level - 1, 'request.invalid',
        { field: 'admin_level', rule: `the parent ${parent.pcode} is at level ${parent.admin_level}, so its sub-areas are at level ${parent.admin_level + 1}` });
      ensure(parent.country_iso3 === input.country_iso3, 'request.invalid', { field: 'country_iso3', rule: `the parent ${parent.pcode} is in ${parent.country_iso3}` });
      ensure(input.pcode.startsWith(parent.pcode), 'request.invalid', { field: 'pcode', rule: `a sub-area's P-code starts with its parent's (${parent.pcode})` });
      ensure(parent.active, 'request.invalid', { field: 'parent_pcode', rule: `the parent ${parent.pcode} is deactivated` });
    }
    ensure(!(await repo.findAdminAreaRow(uow.trx, missionId, input.pcode)), 'record.conflict', { field: 'pcode', rule: `an area with P-code ${input.pcode} exists` });
    const row = await repo.insertAdminArea(uow.trx, missionId, input).catch(uniqueOr('pcode', `an area with P-code ${input.pcode} exists`));
    uow.audit({ action: 'admin_area.create', targetType: 'admin_area', targetId: row.pcode,
      details: { name: row.name, admin_level: row.admin_level, parent_pcode: row.parent_pcode, country_iso3: row.country_iso3 } });
    return presentArea(row);
  });
}

export async function updateAdminArea(db: Kysely<DB>, ctx: RequestContext, pcode: string, input: AdminAreaUpdateInput) {
  ensureMayAdminister(ctx.actor, 'admin_area.update');
  return runUnitOfWork(db, ctx, 'write', async (uow) => {
    const { missionId } = ctx.actor;
    const row = await repo.findAdminAreaRow(uow.trx, missionId, pcode, true);
    ensure(row, 'record.not_found', { field: 'pcode' });
    if (row.version !== input.version) throw stale('area', row.version);
    if (input.active === false && row.active) {
      // A retired area with live sub-areas would leave pickers offering places under nothing.
      const children = await repo.countActiveChildren(uow.trx, missionId, pcode);
      ensure(children === 0, 'record.conflict', { field: 'active', rule: `deactivate its ${children} active sub-area(s) first` });
    }
    if (input.active === true && !row.active && row.parent_pcode) {
      const parent = await repo.findAdminAreaRow(uow.trx, missionId, row.parent_pcode, true);
      ensure(parent?.active, 'record.conflict', { field: 'active', rule: `reactivate its parent ${row.parent_pcode} first` });
    }
    const { version, ...set } = input;
    const updated = await repo.updateAdminArea(uow.trx, missionId, pcode, version, set);
    if (!updated) throw stale('area', row.version + 1);
    uow.audit({ action: 'admin_area.update', targetType: 'admin_area', targetId: pcode, details: { changes: changes(row, set) } });
    return presentArea(updated);
  });
}
