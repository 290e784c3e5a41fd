import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { importMrmFile } from '../src/modules/mrm/import/service.ts';
import { readReport } from '../src/modules/mrm/reports/service.ts';
import { systemContext } from '../src/platform/context.ts';
import type { Store } from '../src/platform/db/store.ts';
import { AppError } from '../src/platform/errors.ts';
import { newMission } from './support/fixtures.ts';
import { describeStores } from './support/matrix.ts';
import { prng } from './support/prng.ts';

const HEADER = 'incident_ref,violation_type,incident_date,country,admin1,admin2,latitude,longitude,perpetrator,perpetrator_category,boys,girls,sex_unknown,victim_ref,verification_status,verification_date';
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tutela-import-'));
const write = (name: string, text: string | Buffer) => { const f = path.join(dir, name); fs.writeFileSync(f, text); return f; };


interface GenRow { ref: string; type: string; start: string; end: string; country: string; admin1: string; admin2: string; parties: string[]; categories: string[];
  boys: number; girls: number; unknown: number; victim: string; status: string; verified: string }

const PARTY_POOL = [['CODECO', 'non_state_armed_group'], ['FARDC', 'state_armed_forces'], ['ADF', 'non_state_armed_group'], ['Mai-Mai Zaire', 'non_state_armed_group'],
  ['3R', 'non_state_armed_group'], ['FACA', 'state_armed_forces'], ['Unknown armed men', 'unknown']] as const;
const AREAS = [['COD', 'CD54', 'CD5402'], ['COD', 'CD54', 'CD5403'], ['COD', 'CD54', ''], ['COD', 'CD61', 'CD6101'], ['COD', 'CD62', 'CD6201'], ['CAF', 'CF71', 'CF7101'], ['CAF', 'CF72', '']] as const;
const TYPES = ['killing', 'maiming', 'recruitment_use', 'sexual_violence', 'abduction', 'attack_school', 'attack_hospital', 'denial_humanitarian_access', 'military_use', 'deprivation_of_liberty'];
const VICTIM_TYPES = new Set(['killing', 'maiming', 'recruitment_use', 'sexual_violence', 'abduction', 'deprivation_of_liberty']);
const day = (base: string, plus: number) => new Date(Date.parse(`${base}T00:00:00Z`) + plus * 86_400_000).toISOString().slice(0, 10);

/** 5,000 violations in about 2,200 incidents over 2023–2025, with named children recurring across incidents. */
function generate(seed: number, count: number): GenRow[] {
  const rnd = prng(seed);
  const victimSex = new Map<string, 'boys' | 'girls' | 'unknown'>();
  const rows: GenRow[] = [];
  let n = 0;
  while (rows.length < count) {
    n++;
    const [country, admin1, admin2] = rnd.pick(AREAS);
    const start = day('2023-01-01', rnd.int(0, 1000));
    const end = rnd.next() < 0.15 ? day(start, rnd.int(1, 40)) : '';
    for (let k = rnd.int(1, 4); k > 0 && rows.length < count; k--) {
      const type = rnd.pick(TYPES);
      const nParties = rnd.next() < 0.1 ? 0 : rnd.next() < 0.12 ? 2 : 1;
      const parties = [...new Set(Array.from({ length: nParties }, () => rnd.pick(PARTY_POOL)))];
      let boys = 0, girls = 0, unknown = 0, victim = '';
      if (rnd.next() < 0.3 && VICTIM_TYPES.has(type)) {
        victim = `V${rnd.int(1, 400)}`;
        const sex = victimSex.get(victim) ?? rnd.pick(['boys', 'girls', 'unknown'] as const);
        victimSex.set(victim, sex);
        if (sex === 'boys') boys = 1; else if (sex === 'girls') girls = 1; else unknown = 1;
      } else if (VICTIM_TYPES.has(type)) {
        boys = rnd.int(0, 4); girls = rnd.int(0, 3); unknown = rnd.int(0, 1);
        if (boys + girls + unknown === 0) girls = 1;
      } else if (rnd.next() < 0.2) boys = rnd.int(0, 2);
      const status = rnd.pick(['verified', 'verified', 'verified', 'not_verified', 'pending', 'not_mrm']);
      const verified = status === 'pending' ? '' : day(end || start, rnd.int(0, 300));
      rows.push({ ref: `INC-${seed}-${n}`, type, start, end, country, admin1, admin2, parties: parties.map((p) => p[0]), categories: parties.map((p) => p[1]),
        boys, girls, unknown, victim, status, verified: verified > '2025-12-31' ? '2025-12-31' : verified });
    }
  }
  return rows;
}

const csv = (rows: GenRow[]) => [HEADER, ...rows.map((r) => [r.ref, r.type, r.end ? `${r.start}/${r.end}` : r.start, r.country, r.admin1, r.admin2,
  r.admin2 === 'CD5402' ? '1.62' : '', r.admin2 === 'CD5402' ? '30.25' : '', r.parties.join(';'), r.categories.join(';'), r.boys, r.girls, r.unknown, r.victim, r.status, r.verified].join(','))].join('\n');

/**
 * The test's own oracle, written from the rules and nothing else: it reads the generated rows,
 * never the engine. Units, grave total, late, distinct children, breakdowns.
 */
function oracle(rows: GenRow[], from: string, to: string) {
  const grave = ['killing', 'maiming', 'recruitment_use', 'sexual_violence', 'abduction', 'attack_school', 'attack_hospital', 'denial_humanitarian_access'];
  const counted = rows.filter((r) => r.status === 'verified' && r.verified >= from && r.verified <= to);
  const units = (r: GenRow) => (VICTIM_TYPES.has(r.type) ? r.boys + r.girls + r.unknown : 1);
  const g = counted.filter((r) => grave.includes(r.type));
  const sum = (xs: GenRow[]) => xs.reduce((n, r) => n + units(r), 0);
  const tally = (key: (r: GenRow) => string[]) => {
    const out: Record<string, number> = {};
    for (const r of g) for (const k of key(r)) out[k] = (out[k] ?? 0) + units(r);
    return out;
  };
  const refs = new Set(g.filter((r) => r.victim && VICTIM_TYPES.has(r.type)).map((r) => r.victim));
  const anonymous = g.filter((r) => VICTIM_TYPES.has(r.type) && !r.victim).reduce((n, r) => n + r.boys + r.girls + r.unknown, 0);
  const byType: Record<string, number> = {};
  for (const r of counted) byType[r.type] = (byType[r.type] ?? 0) + units(r);
  return {
    total_verified: sum(g),
    late_verified: sum(g.filter((r) => (r.end || r.start) < from)),
    committed_in_period: sum(g.filter((r) => (r.end || r.start) >= from)),
    children_verified: refs.size + anonymous,
    by_type: byType,
    by_country: tally((r) => [r.country]),
    by_admin1: tally((r) => [r.admin1]),
    by_month: tally((r) => [r.verified.slice(0, 7)]),
    by_party: tally((r) => (r.parties.length ? r.parties : ['unattributed'])),
    by_perpetrator_category: tally((r) => (r.categories.length ? [...new Set(r.categories)] : ['unattributed'])),
  };
}

const nonZero = (o: Record<string, number | null>) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== 0));

async function tableCounts(store: Store, missionId: string) {
  const out: Record<string, number> = {};
  for (const t of ['countries', 'admin_areas', 'parties', 'incidents', 'violations', 'violation_tallies', 'violation_perpetrators', 'violation_victims', 'verification_events', 'audit_events'] as const) {
    const r = await store.db.selectFrom(t).select((eb) => eb.fn.countAll<number>().as('n')).where('mission_id', '=', missionId).executeTakeFirstOrThrow();
    out[t] = Number(r.n);
  }
  return out;
}

async function refusal(p: Promise<unknown>): Promise<AppError> {
  try { await p; } catch (err) { if (err instanceof AppError) return err; throw err; }
  throw new Error('expected the import to be refused');
}

describeStores('tutela import mrm', ({ it, h }) => {
  it('round trip: 5,000 generated violations give the figures an independent oracle computes from the file', async () => {
    const { store, app } = h();
    const m = await newMission(store, app);
    const rows = generate(4242, 5000);
    const file = write(`round-trip-${m.id}.csv`, csv(rows));
    const summary = await importMrmFile(store.db, systemContext(m.id), file);
    assert.equal(summary.violations, 5000);
    assert.deepEqual(summary.created.countries, ['CAF']);
    assert.deepEqual([...summary.created.admin_areas].sort(), ['CD62', 'CD6201', 'CF71', 'CF7101', 'CF72']);
    assert.deepEqual(summary.created.parties.map((p) => p.name).sort(), ['3R', 'FACA', 'Mai-Mai Zaire', 'Unknown armed men']);
    for (const [report, period, from, to] of [['annual', '2024', '2024-01-01', '2024-12-31'], ['annual', '2025', '2025-01-01', '2025-12-31'],
      ['ghn', '2024Q3', '2024-07-01', '2024-09-30'], ['ghn', '2023Q1', '2023-01-01', '2023-03-31']] as const) {
      const view = await readReport(store.db, systemContext(m.id), { report, period, public: false, format: 'json' });
      const expected = oracle(rows, from, to);
      const label = `${report} ${period}`;
      assert.ok(expected.total_verified > 0, label);
      for (const k of ['total_verified', 'late_verified', 'committed_in_period', 'children_verified'] as const) assert.equal(view[k], expected[k], `${label} ${k}`);
      assert.deepEqual(nonZero(Object.fromEntries(Object.entries(view.by_type).map(([t, f]) => [t, f.count]))), expected.by_type, `${label} by_type`);
      for (const k of ['by_country', 'by_admin1', 'by_month', 'by_party', 'by_perpetrator_category'] as const) assert.deepEqual(nonZero(view[k]), expected[k], `${label} ${k}`);
    }
    // Imported twice: refused, nothing doubled.
    const before = await tableCounts(store, m.id);
    const again = await refusal(importMrmFile(store.db, systemContext(m.id), file));
    assert.match(JSON.stringify(again.details.errors), /was imported before/);
    assert.deepEqual(await tableCounts(store, m.id), before);
  });

  it('a bad file is refused whole: every bad line named with its column and rule, the store unchanged', async () => {
    const { store, app } = h();
    const m = await newMission(store, app);
    const good = 'A1,killing,2025-02-10,COD,CD54,CD5402,,,CODECO,,1,0,0,V-1,verified,2025-03-01';
    const lines = [HEADER, good,
      'A2,killing,2025-02-30,COD,CD54,,,,CODECO,,1,0,0,,verified,2025-03-01', // 3 malformed date
      'A3,bombing,2025-02-10,COD,CD54,,,,CODECO,,1,0,0,,verified,2025-03-01', // 4 unknown type
      'A4,killing,2025-02-10,COD,CD54,,,,CODECO,,1,0,0,,approved,2025-03-01', // 5 unknown status
      'A5,killing,2025-02-10,COD,CD54,,,,CODECO,,2,1,0,V-2,verified,2025-03-01', // 6 tallies disagree with victim_ref
      'A6,killing,2025-02-10,COD,CD54,,,,CODECO,,1,0,0,,verified,2025-01-01', // 7 verified before the incident
      'A7,killing,2025-02-10,COD,CD54,,,,CODECO,,1,0,0,,verified,2099-01-01', // 8 verified in the future
      'A8,killing,2025-02-10,XYZ,CD54,,,,CODECO,,1,0,0,,verified,2025-03-01', // 9 no such ISO code
      'A9,killing,2025-02-10,COD,CD54,,,,New group,,1,0,0,,verified,2025-03-01', // 10 new party without category
      'A1,maiming,2025-02-11,COD,CD54,CD5402,,,CODECO,,1,0,0,,verified,2025-03-01', // 11 same incident, other date
      good.replace('A1,', 'A10,').replace('V-1', 'V-1').replace(',1,0,0,V-1', ',0,1,0,V-1'), // 12 V-1 a girl here, a boy on line 2
    ];
    const before = await tableCounts(store, m.id);
    const err = await refusal(importMrmFile(store.db, systemContext(m.id), write(`bad-${m.id}.csv`, lines.join('\n'))));
    const errors = err.details.errors as { line: number; column: string; rule: string }[];
    const named = errors.map((e) => `${e.line}:${e.column}`);
    for (const expected of ['3:incident_date', '4:violation_type', '5:verification_status', '6:victim_ref', '7:verification_date', '8:verification_date',
      '9:country', '10:perpetrator_category', '11:incident_date', '12:victim_ref']) {
      assert.ok(named.includes(expected), `${expected} missing from ${named.join(' ')}`);
    }
    assert.ok(!errors.some((e) => e.line === 2), 'the good line is not blamed');
    assert.deepEqual(await tableCounts(store, m.id), before);
  });

  it('refuses clearly: Latin-1, a duplicated header, unknown or missing columns, a file over the size limit', async () => {
    const { store, app } = h();
    const m = await newMission(store, app);
    const ctx = systemContext(m.id);
    const latin1 = Buffer.concat([Buffer.from(`${HEADER}\nB1,killing,2025-02-10,COD,CD54,,,,`), Buffer.from([0x46, 0x4f, 0x52, 0xc9]), Buffer.from(',state_armed_forces,1,0,0,,verified,2025-03-01\n')]);
    assert.match((await refusal(importMrmFile(store.db, ctx, write('latin1.csv', latin1)))).details.rule as string, /line 2.*not UTF-8.*Latin-1/);
    assert.match((await refusal(importMrmFile(store.db, ctx, write('dup.csv', `${HEADER},boys\n`)))).details.rule as string, /line 1: the header names a column twice: boys \(columns 11 and 17\)/);
    assert.match((await refusal(importMrmFile(store.db, ctx, write('cols.csv', `${HEADER.replace('admin2', 'district')}\n`)))).details.rule as string, /missing column\(s\) admin2; unknown column\(s\) district/);
    const big = path.join(dir, 'big.csv');
    fs.writeFileSync(big, HEADER);
    fs.truncateSync(big, 200 * 1024 * 1024); // sparse: 200 MB on paper, nothing on disk
    assert.match((await refusal(importMrmFile(store.db, ctx, big))).details.rule as string, /200 MB; the limit is 100 MB/);
    fs.rmSync(big);
  });

  it('imports an XLSX workbook the same way', async () => {
    const { store, app } = h();
    const m = await newMission(store, app);
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('violations');
    ws.addRow(HEADER.split(','));
    ws.addRow(['X1', 'abduction', new Date(Date.UTC(2025, 4, 2)), 'COD', 'CD54', 'CD5403', null, null, 'CODECO', null, 2, 1, 0, null, 'verified', '2025-05-20']);
    ws.addRow(['X1', 'attack_school', '2025-05-02', 'COD', 'CD54', 'CD5403', null, null, 'FARDC', null, 0, 0, 0, null, 'verified', '2025-05-21']);
    const file = path.join(dir, `wb-${m.id}.xlsx`);
    await wb.xlsx.writeFile(file);
    const summary = await importMrmFile(store.db, systemContext(m.id), file);
    assert.deepEqual([summary.incidents, summary.violations], [1, 2]);
    const view = await readReport(store.db, systemContext(m.id), { report: 'ghn', period: '2025Q2', public: false, format: 'json' });
    assert.equal(view.total_verified, 4);
    assert.equal(view.children_verified, 3);
  });
});
