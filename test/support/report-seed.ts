import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { ViolationFact } from '../../src/modules/mrm/reports/counting.ts';
import { jsonb } from '../../src/modules/mrm/repository.ts';
import { setupMission } from '../../src/modules/reference/service.ts';
import { systemContext } from '../../src/platform/context.ts';
import type { DB } from '../../src/platform/db/schema.ts';
import type { Store } from '../../src/platform/db/store.ts';
import type { FastifyInstance } from 'fastify';
import { newMission, type Mission } from './fixtures.ts';
import { FIXTURES, PARTY } from './report-fixtures.ts';

/** Adds the Central African Republic (country-level area only) to a test mission. */
export async function addCar(store: Store, m: Mission): Promise<void> {
  await setupMission(store.db, systemContext(m.id), {
    missionId: m.id, name: `Test mission ${m.id}`, countries: [{ iso3: 'CAF', name: 'Central African Republic' }],
    adminAreas: [{ pcode: 'CF', country_iso3: 'CAF', admin_level: 0, parent_pcode: null, name: 'CAR', names: {}, boundary_version: 'test' }], parties: [],
  });
}

/** Writes facts straight into the MRM tables (the report reads tables; how rows got there is not under test here). */
export async function seedFacts(db: Kysely<DB>, missionId: string, facts: (ViolationFact & { pcode: string })[], partyIds: Record<string, string>): Promise<void> {
  const actor = '00000000-0000-0000-0000-000000000000';
  for (const f of facts) {
    const incidentId = randomUUID();
    const violationId = randomUUID();
    await db.insertInto('incidents').values({ mission_id: missionId, incident_id: incidentId, status: 'open', title: 'fixture', date_start: f.incidentStart,
      date_end: f.incidentEnd, date_precision: 'day', date_estimated: false, country_iso3: f.country, admin_pcode: f.pcode, narrative_confidential: '',
      narrative_public: '', created_by: actor, updated_by: actor, version: 1 }).execute();
    await db.insertInto('violations').values({ mission_id: missionId, violation_id: violationId, incident_id: incidentId, type: f.type, details: jsonb({}),
      crossfire: false, crossborder: 'unknown', status_focal_point: f.status, status_technical: f.status, status_final: f.status,
      date_focal_point: f.verifiedOn, date_technical: f.verifiedOn, date_final: f.verifiedOn, created_by: actor, version: 1 }).execute();
    for (const t of f.tallies) {
      await db.insertInto('violation_tallies').values({ mission_id: missionId, violation_id: violationId, age_band: t.ageBand, boys: t.boys, girls: t.girls, sex_unknown: t.sexUnknown }).execute();
    }
    for (const p of f.partyIds) await db.insertInto('violation_perpetrators').values({ mission_id: missionId, violation_id: violationId, party_id: partyIds[p]!, attribution_verified: false }).execute();
    for (const [i, ref] of f.victimRefs.entries()) {
      const sex = f.tallies.some((t) => t.boys > 0) && i === 0 ? 'male' : f.tallies.some((t) => t.girls > 0) ? 'female' : 'unknown';
      await db.insertInto('violation_victims').values({ mission_id: missionId, violation_id: violationId, victim_ref: ref, sex, age: null, age_estimated: false,
        identity_index: f.victimIdentities?.[i] ?? null }).execute();
    }
  }
}

/** A fresh mission holding the hand-computed report fixtures (report-fixtures.ts), for the report tests. */
export async function missionWithFixtures(store: Store, app: FastifyInstance): Promise<Mission> {
  const m = await newMission(store, app);
  await addCar(store, m);
  await seedFacts(store.db, m.id, FIXTURES, { [PARTY.fardc]: m.parties.fardc, [PARTY.codeco]: m.parties.codeco, [PARTY.adf]: m.parties.adf });
  return m;
}
