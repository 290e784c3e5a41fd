import { sql, type Kysely, type Transaction } from 'kysely';
import type { DB } from '../../platform/db/schema.ts';
import type { AdminAreaInput, CountryInput } from './schema.ts';

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
    })).execute();
  }
}

export async function upsertParty(db: Q, missionId: string, p: { id: string; name: string; aliases: string[]; category: string; country_iso3: string }): Promise<void> {
  await db.insertInto('parties').values({ mission_id: missionId, party_id: p.id, name: p.name, aliases: p.aliases, category: p.category, country_iso3: p.country_iso3 })
    .onConflict((oc) => oc.columns(['mission_id', 'name']).doUpdateSet({ aliases: (eb) => eb.ref('excluded.aliases'), category: (eb) => eb.ref('excluded.category') }))
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
