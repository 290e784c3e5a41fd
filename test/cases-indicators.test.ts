import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it as plainIt } from 'node:test';
import { sql } from 'kysely';
import { COMPONENT_TYPES } from '../src/modules/cases/care-schema.ts';
import { ageNow } from '../src/modules/cases/consent.ts';
import { countIndicatorsInStore, type IndicatorScope } from '../src/modules/cases/indicators-service.ts';
import { countIndicators, reportIndicators, type IndicatorCounts, type IndicatorRows, type ReleasedChild } from '../src/modules/cases/indicators.ts';
import { EXIT_MODES } from '../src/modules/cases/schema.ts';
import { newMission } from './support/fixtures.ts';
import { describeStores } from './support/matrix.ts';

/**
 * Issue #8 indicators. The database counts (indicators-service.ts) and must agree with the counting
 * definition over plain rows (indicators.ts `countIndicators`) on a generated caseload, on both stores;
 * the report's disclosure control is checked on hand-made counts.
 */

const empty = (): IndicatorCounts => ({
  released: [], handover: { handed: 0, within: 0, median_hours: null }, reunified: 0, alternative_care: 0, receiving: {}, training: { enrolled: 0, completed: 0 },
  re_recruitment: { 12: { cohort: 0, hit: 0 }, 24: { cohort: 0, hit: 0 } }, interim_care_centre: { stays: 0, over: 0, median_days: null },
  visits: { due: 0, on_time: 0, visited: 0, seen: 0 }, closures: { total: 0, goals_met: 0 },
});

describe('case indicators report (pure)', () => {
  plainIt('suppresses small cells and their complements, and withholds rates and medians on small bases', () => {
    const counts: IndicatorCounts = {
      ...empty(),
      // 12 released: 9 girls and 3 boys (3 < 5: suppressed, and girls with it, since total − girls = boys).
      released: [
        { sex: 'female', age_band: '15-17', party: 'CODECO', exit_mode: 'escaped', n: 6 },
        { sex: 'female', age_band: '10-14', party: 'CODECO', exit_mode: 'escaped', n: 3 },
        { sex: 'male', age_band: '15-17', party: 'CODECO', exit_mode: 'escaped', n: 3 },
      ],
      handover: { handed: 10, within: 8, median_hours: 30.25 },
      reunified: 6, alternative_care: 2,
      receiving: { health: 12 },
      re_recruitment: { 12: { cohort: 10, hit: 5 }, 24: { cohort: 4, hit: 1 } },
      interim_care_centre: { stays: 4, over: 1, median_days: 20 },
      visits: { due: 20, on_time: 15, visited: 18, seen: 18 },
      closures: { total: 10, goals_met: 7 },
    };
    const open = reportIndicators(counts, { threshold: 5, iccWeeks: 4, disclose: false });
    assert.deepEqual(open.released.sex, { female: 9, male: 3, unknown: 0 });
    assert.deepEqual([open.handover.median_hours.value, open.handover.within_limit.percent, open.handover.awaiting], [30.3, 80, 2]);
    assert.deepEqual([open.reunification_rate.percent, open.alternative_care_rate.percent, open.receiving_component.health.percent, open.receiving_component.education.percent], [50, 16.7, 100, 0]);
    assert.deepEqual([open.re_recruitment.within_12_months.percent, open.re_recruitment.within_24_months.percent], [50, 25]);
    assert.deepEqual([open.followup_visits.on_time.percent, open.closed_goals_met.percent, open.interim_care_centre.over.percent], [75, 70, 25]);

    const shown = reportIndicators(counts, { threshold: 5, iccWeeks: 4, disclose: true });
    assert.equal(shown.released.total, 12);
    assert.deepEqual(shown.released.sex, { female: null, male: null, unknown: 0 });
    assert.deepEqual(shown.released.age_band['10-14'], null);
    assert.equal(shown.handover.awaiting, null, '2 awaiting is a small count');
    assert.equal(shown.handover.within_limit.suppressed, true, '10 − 8 = 2 not within the limit is small');
    assert.equal(shown.reunification_rate.percent, 50);
    assert.equal(shown.re_recruitment.within_12_months.percent, 50);
    assert.equal(shown.re_recruitment.within_24_months.suppressed, true, 'a base of 4 is below the threshold');
    assert.deepEqual(shown.interim_care_centre.median_days, { value: null, n: null, suppressed: true });
    assert.equal(shown.followup_visits.child_seen.percent, 100);
  });
});

/** A small deterministic generator (LCG), so a failure can be replayed. */
function rng(seed: number) {
  let s = seed >>> 0;
  const next = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  return { next, int: (n: number) => Math.floor(next() * n), pick: <T>(xs: readonly T[]) => xs[Math.floor(next() * xs.length)]! };
}
const DAY = 86_400_000;
const iso = (d: Date) => d.toISOString().slice(0, 10);
const addDays = (day: string, n: number) => iso(new Date(Date.parse(`${day}T00:00:00Z`) + n * DAY));

describeStores('case indicators counted in the store', ({ it, h }) => {
  it('counts in SQL what countIndicators counts over the same rows, for the mission, an agency and a period', async () => {
    const { store, app } = h();
    const db = store.db;
    const m = await newMission(store, app);
    const r = rng(20261125);
    const parties = [{ id: m.parties.fardc, name: 'FARDC' }, { id: m.parties.codeco, name: 'CODECO' }, { id: m.parties.adf, name: 'ADF' }];
    const today = '2026-11-25';
    const user = randomUUID();
    type Gen = { agency: string; child: ReleasedChild | null; icc: { admitted_on: string; left_on: string | null }[]; visits: { due_on: string; visited_on: string | null; child_seen: boolean | null }[]; closure: string | null };
    const gen: Gen[] = [];
    for (let i = 0; i < 90; i++) {
      const caseId = randomUUID();
      const agency = r.pick(['UNICEF', 'SCI']);
      const ageYears = r.next() < 0.15 ? null : r.int(18);
      const asOf = addDays('2023-01-01', r.int(900));
      const closure = r.next() < 0.3 ? r.pick(['goals_met', 'goals_met', 'lost_contact', 'other']) : null;
      const sex = r.pick(['female', 'male', 'unknown']);
      const identified = new Date(Date.parse(`${asOf}T00:00:00Z`) + r.int(86_400) * 1000);
      await sql`insert into cases (mission_id, case_id, agency, assigned_to, sex, age_years, age_as_of, age_estimated, concerns, risk_level, urgent, identified_at, response_due_at,
          step, status, closure_reason, closed_at, created_by)
        values (${m.id}, ${caseId}, ${agency}, ${user}, ${sex}, ${ageYears}, ${asOf}, false, '{}', 'medium', false, ${identified}, ${identified},
          ${closure ? 'closure' : 'registration'}, ${closure ? 'closed' : 'open'}, ${closure}, ${closure ? identified : null}, ${user})`.execute(db);
      const g: Gen = { agency, child: null, icc: [], visits: [], closure };
      if (r.next() < 0.75) {
        // Released within a few months of the age record; some midnight-near encounters test the UTC day.
        const enc = new Date(Date.parse(`${asOf}T00:00:00Z`) + r.int(200) * DAY + r.pick([0, 30 * 60_000, 23.5 * 3_600_000, r.int(86_400) * 1000]));
        const party = r.next() < 0.2 ? null : r.pick(parties);
        const handed = r.next() < 0.15 ? null : new Date(enc.getTime() + r.int(100 * 60) * 60_000);
        const exit = r.pick(EXIT_MODES);
        await sql`insert into case_releases (mission_id, case_id, encountered_at, exit_mode, encountered_by, party_id, protocol, handover_due_at, handed_over_at, handed_over_to, recorded_by)
          values (${m.id}, ${caseId}, ${enc}, ${exit}, 'patrol', ${party?.id ?? null}, 'default', ${new Date(enc.getTime() + 48 * 3_600_000)}, ${handed}, ${handed ? 'icrc' : null}, ${user})`.execute(db);
        const releasedOn = iso(enc);
        let reunification: ReleasedChild['reunification'] = null;
        if (r.next() < 0.4) {
          reunification = r.pick(['reunified', 'alternative_care'] as const);
          let matchId: string | null = null;
          if (reunification === 'reunified') {
            const requestId = randomUUID();
            matchId = randomUUID();
            await sql`insert into tracing_requests (mission_id, request_id, agency, identity_sealed, sex, created_by) values (${m.id}, ${requestId}, ${agency}, ${Buffer.from([1])}, 'unknown', ${user})`.execute(db);
            await sql`insert into tracing_matches (mission_id, match_id, request_id, case_id, probability, explanation, status, proposed_by) values (${m.id}, ${matchId}, ${requestId}, ${caseId}, 0.9, cast('{}' as jsonb), 'confirmed', ${user})`.execute(db);
          }
          await sql`insert into case_reunifications (mission_id, case_id, outcome, match_id, care_type, verification, on_date, recorded_by)
            values (${m.id}, ${caseId}, ${reunification}, ${matchId}, ${reunification === 'alternative_care' ? 'kinship' : null}, ${reunification === 'reunified' ? 'documents' : null}, ${addDays(releasedOn, 30)}, ${user})`.execute(db);
        }
        const components: { type: string; status: string }[] = [];
        for (let k = r.int(4); k > 0; k--) {
          const c = { type: r.pick(COMPONENT_TYPES), status: r.pick(['planned', 'ongoing', 'completed', 'discontinued']) };
          components.push(c);
          await sql`insert into case_reintegration_components (mission_id, component_id, case_id, component_type, provider, start_on, end_on, status, updated_by)
            values (${m.id}, ${randomUUID()}, ${caseId}, ${c.type}, 'NGO', ${releasedOn}, ${c.status === 'completed' ? addDays(releasedOn, 90) : null}, ${c.status}, ${user})`.execute(db);
        }
        const recruited: string[] = [];
        for (let k = r.next() < 0.35 ? 1 + r.int(2) : 0; k > 0; k--) {
          const on = addDays(releasedOn, r.pick([0, r.int(400), r.int(800), 365, 366]));
          if (on > today) continue;
          recruited.push(on);
          await sql`insert into case_rerecruitment_flags (mission_id, flag_id, case_id, recruited_on, source, recorded_by) values (${m.id}, ${randomUUID()}, ${caseId}, ${on}, 'flag', ${user})`.execute(db);
        }
        g.child = { sex, age: ageNow(ageYears, asOf, enc), party: party?.name ?? null, exit_mode: exit, encountered_at: enc, handed_over_at: handed,
          handover_due_at: new Date(enc.getTime() + 48 * 3_600_000), reunification, components, recruited_on: recruited };
      }
      for (let k = r.next() < 0.3 ? 1 : 0; k > 0; k--) {
        const admitted = addDays(asOf, r.int(700));
        const stay = { admitted_on: admitted > today ? today : admitted, left_on: r.next() < 0.3 ? null : addDays(admitted > today ? today : admitted, r.int(90)) };
        g.icc.push(stay);
        await sql`insert into case_interim_care (mission_id, placement_id, case_id, care_type, admitted_on, left_on, recorded_by)
          values (${m.id}, ${randomUUID()}, ${caseId}, 'interim_care_centre', ${stay.admitted_on}, ${stay.left_on}, ${user})`.execute(db);
      }
      // A family-based placement: not an interim care centre stay.
      if (r.next() < 0.2) await sql`insert into case_interim_care (mission_id, placement_id, case_id, care_type, admitted_on, recorded_by) values (${m.id}, ${randomUUID()}, ${caseId}, 'family_based', ${asOf}, ${user})`.execute(db);
      for (let seq = 1, n = r.int(4); seq <= n; seq++) {
        const due = addDays(asOf, r.int(1400));
        const visitedOn = r.next() < 0.3 ? null : addDays(due, r.int(9) - 5);
        const v = { due_on: due, visited_on: visitedOn !== null && visitedOn <= today ? visitedOn : null, child_seen: null as boolean | null };
        if (v.visited_on !== null) v.child_seen = r.next() < 0.8;
        g.visits.push(v);
        await sql`insert into case_followups (mission_id, visit_id, case_id, kind, sequence, due_on, visited_on, child_seen, not_seen_reason)
          values (${m.id}, ${randomUUID()}, ${caseId}, 'after_reunification', ${seq}, ${v.due_on}, ${v.visited_on}, ${v.child_seen}, ${v.child_seen === false ? 'visiting' : null})`.execute(db);
      }
      gen.push(g);
    }

    const rowsFor = (keep: (g: Gen) => boolean, released: (c: ReleasedChild) => boolean): IndicatorRows => ({
      released: gen.filter(keep).flatMap((g) => (g.child && released(g.child) ? [g.child] : [])),
      iccStays: gen.filter(keep).flatMap((g) => g.icc), visits: gen.filter(keep).flatMap((g) => g.visits),
      closures: gen.filter(keep).flatMap((g) => (g.closure ? [{ reason: g.closure }] : [])), today, iccWeeks: 4,
    });
    const normal = (k: IndicatorCounts) => ({
      ...k,
      released: [...k.released].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))),
      handover: { ...k.handover, median_hours: k.handover.median_hours === null ? null : Math.round(k.handover.median_hours * 1e6) / 1e6 },
      receiving: Object.fromEntries(COMPONENT_TYPES.map((t) => [t, k.receiving[t] ?? 0])),
    });
    const scope = (over: Partial<IndicatorScope>): IndicatorScope => ({ missionId: m.id, agency: null, releasedFrom: null, releasedTo: null, today, iccDays: 28, ...over });
    const mission = countIndicators(rowsFor(() => true, () => true));
    assert.ok(mission.released.length > 10 && mission.re_recruitment[12]!.hit > 0 && mission.re_recruitment[24]!.cohort > mission.re_recruitment[24]!.hit && mission.training.enrolled > 0,
      'the generated caseload exercises every count');
    assert.deepEqual(normal(await countIndicatorsInStore(db, scope({}))), normal(mission));
    assert.deepEqual(normal(await countIndicatorsInStore(db, scope({ agency: 'SCI' }))), normal(countIndicators(rowsFor((g) => g.agency === 'SCI', () => true))));
    // A period of release days (UTC), bounds included.
    const within = (c: ReleasedChild) => iso(c.encountered_at) >= '2023-06-01' && iso(c.encountered_at) <= '2024-03-31';
    assert.deepEqual(normal(await countIndicatorsInStore(db, scope({ releasedFrom: '2023-06-01', releasedTo: '2024-03-31' }))), normal(countIndicators(rowsFor(() => true, within))));
  });
});
