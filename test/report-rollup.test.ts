import assert from 'node:assert/strict';
import { sql } from 'kysely';
import type { Actor } from '../src/platform/context.ts';
import { computeReport, reportFromFacts, type ViolationFact } from '../src/modules/mrm/reports/counting.ts';
import { annualPeriod, quarterPeriod, type Period } from '../src/modules/mrm/reports/periods.ts';
import { loadReportInput, loadReportInputFromFacts } from '../src/modules/mrm/reports/repository.ts';
import { loadRollupInput, rollupApplies } from '../src/modules/mrm/reports/rollup.ts';
import { systemContext } from '../src/platform/context.ts';
import { newMission, type Mission } from './support/fixtures.ts';
import { describeStores } from './support/matrix.ts';
import { EXPECTED_2025, FIXTURES, PARTIES, PARTY } from './support/report-fixtures.ts';
import { addCar, seedFacts } from './support/report-seed.ts';

/**
 * The rollups (maintained by triggers) against the per-violation query (the definition in SQL, itself
 * tested against counting.ts): equal figures for every period and scope, before and after every kind
 * of write the triggers must follow.
 */

/** Two rows with different refs but one identity index (the same child seen twice), and one without. */
export const IDENTITY_FIXTURES: (ViolationFact & { pcode: string })[] = [
  { type: 'killing', status: 'verified', verifiedOn: '2025-05-05', incidentStart: '2025-05-01', incidentEnd: null, country: 'COD', admin1: 'CD61', pcode: 'CD6101',
    partyIds: [PARTY.adf], tallies: [{ ageBand: '11-13', boys: 1, girls: 0, sexUnknown: 0 }], victimRefs: ['V7'], victimIdentities: ['idx-aaaa'] },
  { type: 'abduction', status: 'verified', verifiedOn: '2025-07-07', incidentStart: '2025-07-01', incidentEnd: null, country: 'COD', admin1: 'CD54', pcode: 'CD5403',
    partyIds: [PARTY.adf], tallies: [{ ageBand: '11-13', boys: 1, girls: 0, sexUnknown: 0 }], victimRefs: ['V8'], victimIdentities: ['idx-aaaa'] },
  { type: 'maiming', status: 'verified', verifiedOn: '2025-10-10', incidentStart: '2025-10-01', incidentEnd: null, country: 'COD', admin1: 'CD54', pcode: 'CD5402',
    partyIds: [], tallies: [{ ageBand: 'unknown', boys: 0, girls: 1, sexUnknown: 0 }], victimRefs: ['V9'], victimIdentities: [null] },
];

const PERIODS: Period[] = [annualPeriod(2024), annualPeriod(2025), annualPeriod(2026), ...[1, 2, 3, 4].map((q) => quarterPeriod(`2025Q${q}`))];
const sorted = <T>(xs: T[]) => xs.map((x) => JSON.stringify(x)).sort();

describeStores('MRM report rollups', ({ it, h }) => {
  let m: Mission;
  const seeded = async () => {
    if (m) return m;
    m = await newMission(h().store, h().app);
    await addCar(h().store, m);
    await seedFacts(h().store.db, m.id, [...FIXTURES, ...IDENTITY_FIXTURES], { [PARTY.fardc]: m.parties.fardc, [PARTY.codeco]: m.parties.codeco, [PARTY.adf]: m.parties.adf });
    return m;
  };
  const actors = (mission: Mission): Actor[] => {
    const admin = systemContext(mission.id).actor;
    return [admin, { ...admin, role: 'verifier', scope: { country: 'COD', areas: [], agency: null } },
      { ...admin, role: 'verifier', scope: { country: 'COD', areas: ['CD61'], agency: null } },
      { ...admin, role: 'verifier', scope: { country: null, areas: ['CD54', 'CF'], agency: null } }];
  };
  const assertSame = async (mission: Mission, label: string) => {
    const db = h().store.db;
    for (const actor of actors(mission)) {
      for (const period of PERIODS) {
        assert.ok(await rollupApplies(db, actor, period), `${label}: rollups answer ${period.from}`);
        const facts = await loadReportInputFromFacts(db, actor, period);
        const roll = await loadRollupInput(db, actor, period);
        const where = `${label}, ${period.from}..${period.to}, scope ${JSON.stringify(actor.scope)}`;
        assert.deepEqual(sorted(roll.groups), sorted(facts.groups), `groups: ${where}`);
        assert.deepEqual(sorted(roll.attributions), sorted(facts.attributions), `attributions: ${where}`);
        assert.equal(roll.distinctNamedVictims, facts.distinctNamedVictims, `distinct victims: ${where}`);
      }
    }
  };

  it('the same child under two references but one identity index counts once, in the pure rules and in the store', async () => {
    const mission = await seeded();
    // By hand: 9 children before; + V7/V8 (one child by identity) + V9 = 11; total 13 + 1 + 1 + 1.
    const ids: Record<string, string> = { [PARTY.fardc]: mission.parties.fardc, [PARTY.codeco]: mission.parties.codeco, [PARTY.adf]: mission.parties.adf };
    const pure = reportFromFacts(annualPeriod(2025), [...FIXTURES, ...IDENTITY_FIXTURES].map((f) => ({ ...f, partyIds: f.partyIds.map((p) => ids[p]!) })),
      new Map([...PARTIES].map(([k, v]) => [ids[k]!, v])));
    assert.equal(pure.children_verified, 11);
    assert.equal(pure.total_verified, EXPECTED_2025.total_verified + 3);
    const stored = computeReport(await loadReportInput(h().store.db, systemContext(mission.id).actor, annualPeriod(2025)));
    assert.deepEqual(stored, pure);
  });

  it('equal to the per-violation query for every period and scope, as seeded', async () => {
    await assertSame(await seeded(), 'seeded');
  });

  it('stay equal through verification changes, edits of children, incidents, parties and areas, and deletions', async () => {
    const mission = await seeded();
    const db = h().store.db;
    const one = async (type: string) => (await db.selectFrom('violations').select(['violation_id', 'incident_id']).where('mission_id', '=', mission.id)
      .where('type', '=', type).orderBy('date_final').executeTakeFirstOrThrow());
    const killing = await one('killing');
    const abduction = await one('abduction');
    const steps: [string, () => Promise<unknown>][] = [
      ['a verified violation is withdrawn', () => db.updateTable('violations').set({ status_final: 'not_verified' }).where('mission_id', '=', mission.id).where('violation_id', '=', abduction.violation_id).execute()],
      ['a pending one is verified', () => db.updateTable('violations').set({ status_final: 'verified', date_final: '2025-11-30' }).where('mission_id', '=', mission.id).where('status_final', '=', 'not_verified').execute()],
      ['a verification date moves across a quarter', () => db.updateTable('violations').set({ date_final: '2025-04-01' }).where('mission_id', '=', mission.id).where('violation_id', '=', killing.violation_id).execute()],
      ['tallies replaced', async () => {
        await db.deleteFrom('violation_tallies').where('mission_id', '=', mission.id).where('violation_id', '=', killing.violation_id).execute();
        await db.insertInto('violation_tallies').values({ mission_id: mission.id, violation_id: killing.violation_id, age_band: '0-5', boys: 0, girls: 6, sex_unknown: 2 }).execute();
      }],
      ['a perpetrator added', () => db.insertInto('violation_perpetrators').values({ mission_id: mission.id, violation_id: killing.violation_id, party_id: mission.parties.fardc, attribution_verified: false }).execute()],
      ['a victim identity recorded', () => db.updateTable('violation_victims').set({ identity_index: 'idx-aaaa' }).where('mission_id', '=', mission.id).where('victim_ref', '=', 'V1').execute()],
      ['the incident moves and its dates change', () => db.updateTable('incidents').set({ admin_pcode: 'CD6101', date_start: '2023-01-01', date_end: '2024-06-30' })
        .where('mission_id', '=', mission.id).where('incident_id', '=', killing.incident_id).execute()],
      ['a party changes category', () => db.updateTable('parties').set({ category: 'other' }).where('mission_id', '=', mission.id).where('party_id', '=', mission.parties.codeco).execute()],
      ['a new admin 1 area takes incidents under it', () => db.insertInto('admin_areas').values({ mission_id: mission.id, pcode: 'CD540', country_iso3: 'COD', admin_level: 1,
        parent_pcode: 'CD', name: 'Split province', names: sql`'{}'::jsonb` as never, boundary_version: 'test' }).execute()],
      ['a violation deleted', () => db.deleteFrom('violations').where('mission_id', '=', mission.id).where('violation_id', '=', abduction.violation_id).execute()],
    ];
    for (const [label, step] of steps) {
      await step();
      await assertSame(mission, label);
    }
  });

  it('a custom period the rollups cannot answer exactly goes to the per-violation query', async () => {
    const mission = await seeded();
    const actor = systemContext(mission.id).actor;
    assert.equal(await rollupApplies(h().store.db, actor, { from: '2025-01-15', to: '2025-03-31' }), false);
    assert.equal(await rollupApplies(h().store.db, actor, { from: '2024-01-01', to: '2025-12-31' }), false);
    assert.equal(await rollupApplies(h().store.db, { ...actor, scope: { country: 'COD', areas: ['CD5402'], agency: null } }, annualPeriod(2025)), false);
  });
});
