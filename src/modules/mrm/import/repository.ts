import { sql, type Insertable, type Kysely, type Transaction } from 'kysely';
import type { DB } from '../../../platform/db/schema.ts';
import type { KnownReference } from './plan.ts';

type Q = Kysely<DB> | Transaction<DB>;
type Table = 'countries' | 'admin_areas' | 'parties' | 'incidents' | 'violations' | 'violation_tallies' | 'violation_perpetrators'
  | 'violation_victims' | 'verification_events' | 'record_keys';

/** Multi-row INSERTs of at most `size` rows: one round trip per chunk, under PostgreSQL's 65,535 parameters. */
export async function insertChunked<T extends Table>(trx: Q, table: T, rows: Insertable<DB[T]>[], columnsPerRow: number): Promise<void> {
  const size = Math.max(1, Math.floor(30_000 / columnsPerRow));
  for (let i = 0; i < rows.length; i += size) {
    await trx.insertInto(table).values(rows.slice(i, i + size) as never).execute();
  }
}

export async function knownReference(trx: Q, missionId: string): Promise<KnownReference> {
  const [countries, areas, parties] = await Promise.all([
    trx.selectFrom('countries').select('iso3').where('mission_id', '=', missionId).execute(),
    trx.selectFrom('admin_areas').select(['pcode', 'country_iso3', 'admin_level']).where('mission_id', '=', missionId).execute(),
    trx.selectFrom('parties').select(['party_id', 'name', 'aliases', 'category']).where('mission_id', '=', missionId).execute(),
  ]);
  const partyMap = new Map<string, { id: string; name: string; category: string }>();
  for (const p of parties) {
    for (const n of [...p.aliases, p.name]) partyMap.set(n.toLowerCase(), { id: p.party_id, name: p.name, category: p.category });
  }
  const countryAreas = new Map<string, string[]>();
  for (const a of areas) if (a.admin_level === 0) countryAreas.set(a.country_iso3, [...(countryAreas.get(a.country_iso3) ?? []), a.pcode]);
  return {
    countries: new Set(countries.map((c) => c.iso3)),
    areas: new Map(areas.map((a) => [a.pcode, { country: a.country_iso3, level: a.admin_level }])),
    parties: partyMap,
    countryAreas,
  };
}

/** Which of these incident ids the mission already holds (a file imported before). */
export async function existingIncidents(trx: Q, missionId: string, ids: string[]): Promise<Set<string>> {
  const found = new Set<string>();
  for (let i = 0; i < ids.length; i += 5000) {
    const chunk = ids.slice(i, i + 5000);
    const { rows } = await sql<{ incident_id: string }>`select incident_id::text as incident_id from incidents
      where mission_id = ${missionId} and incident_id = any(cast(${chunk} as uuid[]))`.execute(trx);
    for (const r of rows) found.add(r.incident_id);
  }
  return found;
}
