import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { importKoboFile, SHIPPED_MAPPINGS } from '../src/modules/mrm/import/kobo.ts';
import { readReport } from '../src/modules/mrm/reports/service.ts';
import { systemContext } from '../src/platform/context.ts';
import { AppError } from '../src/platform/errors.ts';
import { newMission } from './support/fixtures.ts';
import { describeStores } from './support/matrix.ts';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tutela-kobo-'));
const write = (name: string, text: string) => { const f = path.join(dir, name); fs.writeFileSync(f, text); return f; };

/**
 * A Kobo CSV export ("XML values and headers", groups included in the headers) of the shipped MRM
 * incident form, one submission per violation: metadata columns Kobo adds (_id, _uuid, _submission_time,
 * _index) are ignored; a select_multiple of perpetrators; a geopoint "lat lon alt accuracy"; timestamps.
 */
const HEADER = 'start,end,incident/incident_code,incident/violation_category,incident/incident_date,incident/incident_date_end,location/country,location/admin1,location/admin2,' +
  'location/gps,perpetrators/perpetrator,perpetrators/armed_force_group_type,victims/violation_tally_boys,victims/violation_tally_girls,victims/violation_tally_unknown,' +
  'victims/victim_code,verification/verification_status,verification/date_of_verification,_id,_uuid,_submission_time,_index';
const row = (cells: string[]) => cells.join(',');
const META = (i: number) => [String(1000 + i), `uuid-${i}`, '2025-03-01T10:00:00', String(i)];
const GOOD = [HEADER,
  row(['2025-03-01T09:00:00.000+01:00', '2025-03-01T09:20:00.000+01:00', 'KOBO-1', 'killing', '2025-02-10', '', 'COD', 'CD54', 'CD5402', '1.62 30.25 0 5', 'codeco', 'armed_group',
    '2', '1', '', '', 'verified', '2025-03-01T00:00:00.000+01:00', ...META(1)]),
  row(['', '', 'KOBO-1', 'attack_on_schools', '2025-02-10', '', 'COD', 'CD54', 'CD5402', '1.62 30.25 0 5', 'codeco fardc', 'armed_group armed_force', '', '', '', '', 'verified', '2025-03-02', ...META(2)]),
  row(['', '', 'KOBO-2', 'abduction', '2024-12-20', '2025-01-03', 'COD', 'CD61', '', '', '', '', '', '', '1', 'KV-17', 'unverified', '', ...META(3)]),
].join('\n');

describeStores('tutela import kobo', ({ it, h }) => {
  it('the shipped MRM incident mapping imports a Kobo export: codes translated, groups stripped, ranges and geopoints read', async () => {
    const m = await newMission(h().store, h().app);
    const ctx = systemContext(m.id);
    const summary = await importKoboFile(h().store.db, ctx, write('good.csv', GOOD), SHIPPED_MAPPINGS['kobo-mrm-incident']!);
    assert.deepEqual({ incidents: summary.incidents, violations: summary.violations, parties: summary.created.parties }, { incidents: 2, violations: 3, parties: [] });
    const report = await readReport(h().store.db, ctx, { report: 'ghn', period: '2025Q1', public: false, format: 'json' });
    // killing: 3 children; attack on a school: 1, attributed to CODECO and FARDC; the abduction is pending.
    assert.equal(report.total_verified, 4);
    assert.deepEqual(report.by_party, { CODECO: 4, FARDC: 1 });
    const pending = await h().store.db.selectFrom('violations').innerJoin('incidents', (j) => j.onRef('incidents.incident_id', '=', 'violations.incident_id'))
      .select(['violations.status_final', 'incidents.date_start', 'incidents.date_end']).where('violations.mission_id', '=', m.id).where('violations.type', '=', 'abduction').executeTakeFirstOrThrow();
    assert.deepEqual(pending, { status_final: 'pending', date_start: '2024-12-20', date_end: '2025-01-03' });
  });

  it('a bad export is refused whole, and each error names the line and the form field', async () => {
    const m = await newMission(h().store, h().app);
    const bad = [HEADER,
      row(['', '', 'KOBO-9', 'bombing', '2025-02-10', '', 'COD', 'CD54', '', '', '', '', '1', '', '', '', 'verified', '2025-03-01', ...META(1)]),
      row(['', '', 'KOBO-8', 'maiming', '2025-02-10', '', 'COD', 'CD54', '', '', '', '', '1', '', '', '', 'verified', '2025-01-01', ...META(2)]),
    ].join('\n');
    await assert.rejects(importKoboFile(h().store.db, systemContext(m.id), write('bad.csv', bad), SHIPPED_MAPPINGS['kobo-mrm-incident']!), (err: unknown) => {
      assert.ok(err instanceof AppError);
      const errors = err.details.errors as { line: number; column: string; rule: string }[];
      assert.deepEqual(errors.map((e) => [e.line, e.column]), [[2, 'incident/violation_category (violation_type)'], [3, 'verification/date_of_verification (verification_date)']]);
      return true;
    });
    const n = await h().store.db.selectFrom('incidents').select((eb) => eb.fn.countAll<number>().as('n')).where('mission_id', '=', m.id).executeTakeFirstOrThrow();
    assert.equal(Number(n.n), 0);
  });

  it('a mapping that names a field the export lacks, or is malformed, is refused before anything is read', async () => {
    const m = await newMission(h().store, h().app);
    const mapping = write('map.json', JSON.stringify({ name: 'mine', columns: { incident_ref: { field: 'case_number' }, violation_type: { field: 'violation_category' } } }));
    const rule = (re: RegExp) => (err: unknown) => err instanceof AppError && re.test(String(err.details.rule));
    await assert.rejects(importKoboFile(h().store.db, systemContext(m.id), write('g.csv', GOOD), mapping), rule(/no field case_number/));
    const broken = write('broken.json', JSON.stringify({ name: 'x', columns: { incident_ref: { field: 'a', value: 'b' } } }));
    await assert.rejects(importKoboFile(h().store.db, systemContext(m.id), write('g2.csv', GOOD), broken), rule(/give either field or value/));
  });
});
