import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { aggregateFacts, computeReport, reportFromFacts } from '../src/modules/mrm/reports/counting.ts';
import { annualPeriod, quarterPeriod } from '../src/modules/mrm/reports/periods.ts';
import { EXPECTED_2025, EXPECTED_2025Q1, FIXTURES, PARTIES } from './support/report-fixtures.ts';

describe('MRM counting rules (pure)', () => {
  it('annual 2025 equals the hand-computed figures, field by field', () => {
    const report = reportFromFacts(annualPeriod(2025), FIXTURES, PARTIES);
    assert.deepEqual(report, EXPECTED_2025);
  });

  it('period bounds are inclusive and the quarter has its own late rule', () => {
    const report = reportFromFacts(quarterPeriod('2025Q1'), FIXTURES, PARTIES);
    for (const [k, v] of Object.entries(EXPECTED_2025Q1)) assert.deepEqual(report[k as keyof typeof report], v, k);
  });

  it('late + committed = total, and every breakdown but by_type decomposes the grave total', () => {
    const r = reportFromFacts(annualPeriod(2025), FIXTURES, PARTIES);
    assert.equal(r.late_verified + r.committed_in_period, r.total_verified);
    for (const b of ['by_country', 'by_admin1', 'by_month'] as const) assert.equal(Object.values(r[b]).reduce((a, n) => a + n, 0), r.total_verified, b);
  });

  it('grave/non-grave split: military use and deprivation of liberty never move the total', () => {
    const base = reportFromFacts(annualPeriod(2025), FIXTURES, PARTIES);
    const more = reportFromFacts(annualPeriod(2025), [...FIXTURES, { ...FIXTURES[7]! }, { ...FIXTURES[8]!, victimRefs: ['V9'] }], PARTIES);
    assert.equal(more.total_verified, base.total_verified);
    assert.equal(more.children_verified, base.children_verified);
    assert.equal(more.by_type.military_use.count, 2);
    assert.equal(more.by_type.deprivation_of_liberty.count, 4);
  });

  it('distinct children: a reference repeated across violations and types counts once', () => {
    const p = annualPeriod(2025);
    const killing = FIXTURES[0]!;
    const one = reportFromFacts(p, [{ ...killing, tallies: [{ ageBand: '6-10', boys: 1, girls: 0, sexUnknown: 0 }], victimRefs: ['X'] }], PARTIES);
    const twice = reportFromFacts(p, [
      { ...killing, tallies: [{ ageBand: '6-10', boys: 1, girls: 0, sexUnknown: 0 }], victimRefs: ['X'] },
      { ...killing, type: 'abduction', tallies: [{ ageBand: '6-10', boys: 1, girls: 0, sexUnknown: 0 }], victimRefs: ['X'] },
    ], PARTIES);
    assert.equal(one.children_verified, 1);
    assert.equal(twice.children_verified, 1);
    assert.equal(twice.total_verified, 2, 'the total counts the child in each violation');
  });

  it('the pre-aggregation is the same report whatever the order of the facts', () => {
    const p = annualPeriod(2025);
    const reversed = computeReport(aggregateFacts(p, [...FIXTURES].reverse(), PARTIES));
    assert.deepEqual(reversed, EXPECTED_2025);
  });

  it('refuses malformed periods', () => {
    assert.throws(() => quarterPeriod('2025Q5'));
    assert.throws(() => annualPeriod('25'));
    assert.deepEqual(quarterPeriod('2024Q1'), { from: '2024-01-01', to: '2024-03-31' });
    assert.deepEqual(quarterPeriod('2026q4'), { from: '2026-10-01', to: '2026-12-31' });
  });
});
