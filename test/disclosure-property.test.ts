import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { reportFromFacts, type ViolationFact } from '../src/modules/mrm/reports/counting.ts';
import { cellThreshold, DEFAULT_DISCLOSURE, suppressCells, type Cell, type Relation } from '../src/modules/mrm/reports/disclosure.ts';
import { annualPeriod } from '../src/modules/mrm/reports/periods.ts';
import { publicReport, type PublicReport } from '../src/modules/mrm/reports/public-report.ts';
import { VIOLATION_TYPES } from '../src/modules/mrm/vocabulary.ts';
import { prng } from './support/prng.ts';


/**
 * The oracle for "derivable", written apart from the engine: exact rational elimination (BigInt).
 * A hidden cell is pinned by the published relations iff deleting its column lowers the rank of the
 * relations restricted to hidden cells (no null-space direction moves it). And a reader who knows that
 * hidden cells are >= 1 pins k same-sign hidden cells of one relation that sum to k.
 */
function rank(matrix: bigint[][]): number {
  const m = matrix.map((r) => [...r]);
  let r = 0;
  const cols = m[0]?.length ?? 0;
  for (let c = 0; c < cols && r < m.length; c++) {
    const p = m.findIndex((row, i) => i >= r && row[c] !== 0n);
    if (p < 0) continue;
    [m[r], m[p]] = [m[p]!, m[r]!];
    for (let i = 0; i < m.length; i++) {
      if (i === r || m[i]![c] === 0n) continue;
      const a = m[r]![c]!, b = m[i]![c]!;
      m[i] = m[i]!.map((v, j) => v * a - m[r]![j]! * b); // fraction-free: scale, never divide
    }
    r++;
  }
  return r;
}

function derivableCells(hidden: string[], relations: Relation[], values: Map<string, number>): string[] {
  const matrix = relations.map((rel) => hidden.map((id) => BigInt(rel.terms.filter((t) => t.id === id).reduce((n, t) => n + t.coef, 0))));
  const full = rank(matrix);
  const out = hidden.filter((_, k) => rank(matrix.map((row) => row.filter((__, j) => j !== k))) < full);
  for (const rel of relations) {
    const h = rel.terms.filter((t) => hidden.includes(t.id));
    if (h.length > 0 && h.every((t) => t.coef === h[0]!.coef) && h.reduce((n, t) => n + values.get(t.id)!, 0) === h.length) out.push(...h.map((t) => t.id));
  }
  return [...new Set(out)];
}

/** A rows × cols table with row totals, column totals and a grand total, all published unless hidden. */
function randomTable(rnd: ReturnType<typeof prng>) {
  const rows = rnd.int(1, 6), cols = rnd.int(1, 5);
  const cells: Cell[] = [];
  const v = (r: number, c: number) => `r${r}c${c}`;
  const values = new Map<string, number>();
  const small = rnd.next() < 0.5;
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) {
    const x = rnd.next() < 0.25 ? 0 : small ? rnd.int(1, 6) : rnd.int(1, 40);
    values.set(v(r, c), x);
  }
  const relations: Relation[] = [];
  for (let r = 0; r < rows; r++) {
    let s = 0;
    for (let c = 0; c < cols; c++) s += values.get(v(r, c))!;
    values.set(`row${r}`, s);
    relations.push({ terms: [...Array.from({ length: cols }, (_, c) => ({ id: v(r, c), coef: 1 })), { id: `row${r}`, coef: -1 }] });
  }
  let grand = 0;
  for (let c = 0; c < cols; c++) {
    let s = 0;
    for (let r = 0; r < rows; r++) s += values.get(v(r, c))!;
    values.set(`col${c}`, s);
    grand += s;
    relations.push({ terms: [...Array.from({ length: rows }, (_, r) => ({ id: v(r, c), coef: 1 })), { id: `col${c}`, coef: -1 }] });
  }
  values.set('total', grand);
  relations.push({ terms: [...Array.from({ length: rows }, (_, r) => ({ id: `row${r}`, coef: 1 })), { id: 'total', coef: -1 }] });
  relations.push({ terms: [...Array.from({ length: cols }, (_, c) => ({ id: `col${c}`, coef: 1 })), { id: 'total', coef: -1 }] });
  const threshold = rnd.pick([5, 5, 5, 10]);
  for (const [id, value] of values) cells.push({ id, value, threshold });
  return { cells, relations, values, threshold };
}

describe('disclosure control (property over random tables)', () => {
  it('no published cell is below its threshold and no hidden cell is derivable: 400 random tables', () => {
    let hiddenTotal = 0;
    for (let seed = 1; seed <= 400; seed++) {
      const rnd = prng(seed);
      const { cells, relations, values, threshold } = randomTable(rnd);
      const { suppressed, unprotected } = suppressCells(cells, relations);
      assert.equal(unprotected.size, 0, `seed ${seed}: unprotected ${[...unprotected]}`);
      for (const c of cells) {
        if (!suppressed.has(c.id)) assert.ok(c.value === 0 || c.value >= threshold, `seed ${seed}: ${c.id}=${c.value} published`);
      }
      const leaks = derivableCells([...suppressed], relations, values);
      assert.deepEqual(leaks, [], `seed ${seed}: derivable ${leaks.join(', ')}`);
      hiddenTotal += suppressed.size;
    }
    assert.ok(hiddenTotal > 400, 'the generator produces small cells');
  });

  it('sexual violence below admin 1 uses the higher threshold', () => {
    assert.equal(cellThreshold(DEFAULT_DISCLOSURE, { sexualViolence: true, geography: 'below_admin1' }), 10);
    assert.equal(cellThreshold(DEFAULT_DISCLOSURE, { sexualViolence: true, geography: 'admin1' }), 5);
    assert.equal(cellThreshold(DEFAULT_DISCLOSURE, { sexualViolence: false, geography: 'below_admin1' }), 5);
    const { suppressed } = suppressCells([{ id: 'a', value: 7, threshold: 10 }, { id: 'b', value: 7, threshold: 5 }], []);
    assert.deepEqual([...suppressed], ['a']);
  });
});

/** The relations a reader of a published report can rely on, written from the report's meaning. */
function readerRelations(p: PublicReport, full: ReturnType<typeof reportFromFacts>): Relation[] {
  const sumTo = (ids: string[], total: string[]): Relation => ({ terms: [...ids.map((id) => ({ id, coef: 1 })), ...total.map((id) => ({ id, coef: -1 }))] });
  const grave = ['killing', 'maiming', 'recruitment_use', 'sexual_violence', 'abduction', 'attack_school', 'attack_hospital', 'denial_humanitarian_access'];
  const victim = ['killing', 'maiming', 'recruitment_use', 'sexual_violence', 'abduction', 'deprivation_of_liberty'];
  const rel: Relation[] = [sumTo(['late_verified', 'committed_in_period'], ['total_verified']), sumTo(grave.map((t) => `by_type.${t}.count`), ['total_verified'])];
  for (const t of victim) rel.push(sumTo(['boys', 'girls', 'sex_unknown'].map((k) => `by_type.${t}.${k}`), [`by_type.${t}.count`]));
  for (const b of ['by_country', 'by_admin1', 'by_month', 'by_party', 'by_perpetrator_category'] as const) {
    const keys = Object.keys(p[b]);
    if (Object.values(full[b]).reduce((n, v) => n + v, 0) === full.total_verified) rel.push(sumTo(keys.map((k) => `${b}.${k}`), ['total_verified']));
  }
  rel.push(sumTo(Object.keys(p.by_age_band).map((k) => `by_age_band.${k}`), victim.filter((t) => grave.includes(t)).map((t) => `by_type.${t}.count`)));
  return rel;
}

function flatten(o: unknown, prefix = '', out = new Map<string, number | null>()): Map<string, number | null> {
  for (const [k, v] of Object.entries(o as Record<string, unknown>)) {
    const id = prefix ? `${prefix}.${k}` : k;
    if (v === null || typeof v === 'number') out.set(id, v);
    else if (typeof v === 'object' && k !== 'period' && k !== 'disclosure') flatten(v, id, out);
  }
  return out;
}

describe('disclosure control (property over random reports)', () => {
  it('public reports of 150 random data sets never hold 1..4 and hide nothing derivable', () => {
    const period = annualPeriod(2025);
    const parties = new Map([['a', { name: 'A', category: 'state_armed_forces' }], ['b', { name: 'B', category: 'non_state_armed_group' }], ['c', { name: 'C', category: 'non_state_armed_group' }]]);
    for (let seed = 1; seed <= 150; seed++) {
      const rnd = prng(seed * 7919);
      const facts: ViolationFact[] = Array.from({ length: rnd.int(0, 60) }, () => ({
        type: rnd.pick(VIOLATION_TYPES), status: 'verified', verifiedOn: `2025-${String(rnd.int(1, 12)).padStart(2, '0')}-15`,
        incidentStart: rnd.next() < 0.2 ? '2024-06-01' : '2025-01-01', incidentEnd: null, country: rnd.pick(['COD', 'COD', 'CAF']),
        admin1: rnd.pick(['CD54', 'CD61', null]), partyIds: rnd.next() < 0.1 ? ['a', 'b'] : rnd.next() < 0.1 ? [] : [rnd.pick(['a', 'b', 'c'])],
        tallies: [{ ageBand: rnd.pick(['0-5', '14-17', 'unknown'] as const), boys: rnd.int(0, 3), girls: rnd.int(0, 3), sexUnknown: rnd.int(0, 1) }],
        victimRefs: rnd.next() < 0.3 ? [`V${rnd.int(1, 10)}`] : [],
      }));
      const full = reportFromFacts(period, facts, parties);
      const pub = publicReport(full);
      const published = flatten(pub);
      const actual = flatten(full);
      const hidden: string[] = [];
      for (const [id, v] of published) {
        if (v === null) hidden.push(id);
        else assert.ok(v === 0 || v >= 5, `seed ${seed}: ${id} = ${v} published`);
      }
      // The engine's last resort (hide everything) must not be what makes this pass.
      assert.ok(pub.disclosure.suppressed_cells < published.size, `seed ${seed}: the whole report was suppressed`);
      const values = new Map([...actual].map(([k, v]) => [k, v ?? 0]));
      const leaks = derivableCells(hidden, readerRelations(pub, full), values);
      assert.deepEqual(leaks, [], `seed ${seed}: derivable ${leaks.join(', ')}`);
    }
  });
});
