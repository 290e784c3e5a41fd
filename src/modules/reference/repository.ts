import { sql, type Kysely, type Transaction } from 'kysely';
import type { DB } from '../../platform/db/schema.ts';
import type { AdminAreaCreateInput, AdminAreaInput, CountryInput, PartyCreateInput } from './schema.ts';

type Q = Kysely<DB> | Transaction<DB>;

export async function upsertMission(db: Q, missionId: string, name: string): Promise<void> {
  await db.insertInto('missions').values({ mission_id: missionId, name })
    .onConflict((oc) => oc.column('mission_id').doUpdateSet({ name })).execute();
}

export function missionExists(db: Q, missionId: string) {
  return db.selectFrom('missions').select('mission_id').where('mission_id', '=', missionId).executeTakeFirst();
}

export async function upsertCountries(db: Q, missionId: string, countries: CountryInput[]): Promise<void> {
  if (countries.length === 0) return;
  await db.insertInto('countries').values(countries.map((c) => ({ mission_id: missionId, iso3: c.iso3, name: c.name })))
    .onConflict((oc) => oc.columns(['mission_id', 'iso3']).doUpdateSet({ name: (eb) => eb.ref('excluded.name') })).execute();
}

/** Parents must come before children in `areas` (the foreign key checks each row). */
export async function upsertAdminAreas(db: Q, missionId: string, areas: AdminAreaInput[]): Promise<void> {
  for (const a of areas) {
    await db.insertInto('admin_areas').values({
      mission_id: missionId, pcode: a.pcode, country_iso3: a.country_iso3, admin_level: a.admin_level, parent_pcode: a.parent_pcode,
      name: a.name, names: sql<string>`cast(${JSON.stringify(a.names)} as jsonb)`, boundary_version: a.boundary_version,
    }).onConflict((oc) => oc.columns(['mission_id', 'pcode']).doUpdateSet({
      name: (eb) => eb.ref('excluded.name'), names: (eb) => eb.ref('excluded.names'), boundary_version: (eb) => eb.ref('excluded.boundary_version'),
      // A reload is a change too: an admin's form read before it must not overwrite it unseen.
      version: sql<number>`admin_areas.version + 1`,
    })).execute();
  }
}

export async function upsertParty(db: Q, missionId: string, p: { id: string; name: string; aliases: string[]; category: string; country_iso3: string }): Promise<void> {
  await db.insertInto('parties').values({ mission_id: missionId, party_id: p.id, name: p.name, aliases: p.aliases, category: p.category, country_iso3: p.country_iso3 })
    .onConflict((oc) => oc.columns(['mission_id', 'name']).doUpdateSet({ aliases: (eb) => eb.ref('excluded.aliases'), category: (eb) => eb.ref('excluded.category'), version: sql<number>`parties.version + 1` }))
    .execute();
}

export function listCountries(db: Q, missionId: string) {
  return db.selectFrom('countries').select(['iso3', 'name']).where('mission_id', '=', missionId).orderBy('iso3').execute();
}

export function listAdminAreas(db: Q, missionId: string, filter: { parent?: string; level?: number }) {
  return db.selectFrom('admin_areas').selectAll().where('mission_id', '=', missionId)
    .$if(filter.parent !== undefined, (q) => q.where('parent_pcode', '=', filter.parent!))
    .$if(filter.level !== undefined, (q) => q.where('admin_level', '=', filter.level!))
    .orderBy('pcode').execute();
}

export function listParties(db: Q, missionId: string) {
  return db.selectFrom('parties').selectAll().where('mission_id', '=', missionId).orderBy('name').execute();
}

export function findAdminArea(db: Q, missionId: string, pcode: string) {
  return db.selectFrom('admin_areas').select(['pcode', 'country_iso3']).where('mission_id', '=', missionId).where('pcode', '=', pcode).executeTakeFirst();
}

export async function findParties(db: Q, missionId: string, ids: string[]) {
  if (ids.length === 0) return [];
  return db.selectFrom('parties').select(['party_id', 'category', 'country_iso3']).where('mission_id', '=', missionId).where('party_id', 'in', ids).execute();
}

/* Administration: single rows, each change guarded by the version the administrator read. */

export function findParty(db: Q, missionId: string, partyId: string, lock = false) {
  return db.selectFrom('parties').selectAll().where('mission_id', '=', missionId).where('party_id', '=', partyId)
    .$if(lock, (q) => q.forUpdate()).executeTakeFirst();
}

export function findPartyByName(db: Q, missionId: string, name: string) {
  return db.selectFrom('parties').select('party_id').where('mission_id', '=', missionId).where(sql<string>`lower(name)`, '=', name.toLowerCase()).executeTakeFirst();
}

export function insertParty(db: Q, missionId: string, partyId: string, p: PartyCreateInput) {
  return db.insertInto('parties').values({ mission_id: missionId, party_id: partyId, name: p.name, aliases: p.aliases, category: p.category, country_iso3: p.country_iso3 })
    .returningAll().executeTakeFirstOrThrow();
}

export function updateParty(db: Q, missionId: string, partyId: string, version: number, set: { name?: string; aliases?: string[]; category?: string; active?: boolean }) {
  return db.updateTable('parties').set({ ...set, version: sql<number>`version + 1` })
    .where('mission_id', '=', missionId).where('party_id', '=', partyId).where('version', '=', version)
    .returningAll().executeTakeFirst();
}

export function findCountry(db: Q, missionId: string, iso3: string) {
  return db.selectFrom('countries').select('iso3').where('mission_id', '=', missionId).where('iso3', '=', iso3).executeTakeFirst();
}

export function findAdminAreaRow(db: Q, missionId: string, pcode: string, lock = false) {
  return db.selectFrom('admin_areas').selectAll().where('mission_id', '=', missionId).where('pcode', '=', pcode)
    .$if(lock, (q) => q.forUpdate()).executeTakeFirst();
}

export async function countActiveChildren(db: Q, missionId: string, pcode: string): Promise<number> {
  const row = await db.selectFrom('admin_areas').select((eb) => eb.fn.countAll<string>().as('n'))
    .where('mission_id', '=', missionId).where('parent_pcode', '=', pcode).where('active', '=', true).executeTakeFirstOrThrow();
  return Number(row.n);
}

export function insertAdminArea(db: Q, missionId: string, a: AdminAreaCreateInput) {
  return db.insertInto('admin_areas').values({
    mission_id: missionId, pcode: a.pcode, country_iso3: a.country_iso3, admin_level: a.admin_level, parent_pcode: a.parent_pcode,
    name: a.name, names: sql<string>`cast(${JSON.stringify(a.names)} as jsonb)`, boundary_version: a.boundary_version,
  }).returningAll().executeTakeFirstOrThrow();
}

export function updateAdminArea(db: Q, missionId: string, pcode: string, version: number,
  set: { name?: string; names?: Record<string, string>; boundary_version?: string; active?: boolean }) {
  const { names, ...rest } = set;
  return db.updateTable('admin_areas')
    .set({ ...rest, ...(names && { names: sql<string>`cast(${JSON.stringify(names)} as jsonb)` }), version: sql<number>`version + 1` })
    .where('mission_id', '=', missionId).where('pcode', '=', pcode).where('version', '=', version)
    .returningAll().executeTakeFirst();
}
