import type { Kysely, Transaction } from 'kysely';
import type { DB } from '../../platform/db/schema.ts';
import * as repo from './repository.ts';

/**
 * Positive look-up caches for the reference checks on every incident write. Admin areas and parties
 * are never deleted (foreign keys forbid it) and an area never changes country, so a fact once seen
 * stays true; unknown codes are always asked of the database, so a new area is usable at once.
 */
export interface ReferenceCache {
  countryOfArea(q: Kysely<DB> | Transaction<DB>, missionId: string, pcode: string): Promise<string | undefined>;
  unknownParties(q: Kysely<DB> | Transaction<DB>, missionId: string, partyIds: string[]): Promise<Set<string>>;
}

// One cache per store: a process that opens two stores (tests do) must not carry facts between them.
const caches = new WeakMap<Kysely<DB>, ReferenceCache>();

export function referenceCache(store: Kysely<DB>): ReferenceCache {
  let cache = caches.get(store);
  if (!cache) {
    const areaCountry = new Map<string, string>();
    const knownParty = new Set<string>();
    cache = {
      countryOfArea: (q, missionId, pcode) => countryOfArea(areaCountry, q, missionId, pcode),
      unknownParties: (q, missionId, ids) => unknownParties(knownParty, q, missionId, ids),
    };
    caches.set(store, cache);
  }
  return cache;
}

async function countryOfArea(areaCountry: Map<string, string>, db: Kysely<DB> | Transaction<DB>, missionId: string, pcode: string): Promise<string | undefined> {
  const key = `${missionId}\u0000${pcode}`;
  const cached = areaCountry.get(key);
  if (cached) return cached;
  const row = await repo.findAdminArea(db, missionId, pcode);
  if (row) areaCountry.set(key, row.country_iso3);
  return row?.country_iso3;
}

/** The subset of `partyIds` unknown to the mission. */
async function unknownParties(knownParty: Set<string>, db: Kysely<DB> | Transaction<DB>, missionId: string, partyIds: string[]): Promise<Set<string>> {
  const missing = [...new Set(partyIds)].filter((id) => !knownParty.has(`${missionId}\u0000${id}`));
  if (missing.length === 0) return new Set();
  const found = await repo.findParties(db, missionId, missing);
  for (const p of found) knownParty.add(`${missionId}\u0000${p.party_id}`);
  const foundIds = new Set(found.map((p) => p.party_id));
  return new Set(missing.filter((id) => !foundIds.has(id)));
}
