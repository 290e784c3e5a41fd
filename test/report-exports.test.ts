import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { MRM_COLUMNS } from '../src/modules/mrm/import/columns.ts';
import { importedIncidentId } from '../src/modules/mrm/import/plan.ts';
import { importMrmFile } from '../src/modules/mrm/import/service.ts';
import { csvLine } from '../src/modules/mrm/reports/csv.ts';
import { exportViolationsCsv } from '../src/modules/mrm/reports/export.ts';
import { systemContext } from '../src/platform/context.ts';
import { auth, newMission, type Mission } from './support/fixtures.ts';
import { describeStores } from './support/matrix.ts';
import { missionWithFixtures } from './support/report-seed.ts';

describeStores('MRM report exports', ({ it, h }) => {
  let m: Mission;
  const seeded = async () => (m ??= await missionWithFixtures(h().store, h().app));

  it('GeoJSON: admin-1 features keyed by P-code, null geometry, always disclosure-controlled, whoever asks', async () => {
    const mission = await seeded();
    const res = await h().app.inject({ method: 'GET', url: '/api/v1/reports/annual?year=2025&format=geojson', headers: auth(mission.tokens.admin) });
    assert.equal(res.statusCode, 200, res.body);
    assert.match(res.headers['content-type'] as string, /application\/geo\+json/);
    const fc = res.json();
    assert.equal(fc.type, 'FeatureCollection');
    assert.equal(fc.metadata.public, true, 'an admin asking for GeoJSON still gets the public figures');
    // By hand (EXPECTED_2025.by_admin1): CD54 9, CD61 3 (suppressed: below 5, and then its complement).
    const byPcode = Object.fromEntries(fc.features.map((f: { id: string; geometry: unknown; properties: { name: string; total_verified: number | null } }) =>
      [f.id, { geometry: f.geometry, name: f.properties.name, value: f.properties.total_verified }]));
    assert.deepEqual(Object.keys(byPcode).sort(), ['CD54', 'CD61']);
    assert.equal(byPcode.CD54.name, 'Ituri');
    assert.equal(byPcode.CD54.geometry, null);
    assert.equal(byPcode.CD61.value, null, 'a cell of 3 is never published');
    const numbers = (JSON.stringify(fc).match(/(?<=":)\d+(?=[,}])/g) ?? []).map(Number);
    assert.deepEqual(numbers.filter((n) => n >= 1 && n <= 4), []);
    assert.ok(!/latitude|longitude/.test(res.body));
  });
});

describeStores('MRM row export (tutela export mrm)', ({ it, h }) => {
  it('writes every violation in the import\'s columns, each field as csv.ts writes it: quoted, formulas neutralised, no coordinates', async () => {
    const { store, app } = h();
    const m = await newMission(store, app);
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'tutela-export-')), 'in.csv');
    fs.writeFileSync(file, [
      'incident_ref,violation_type,incident_date,country,admin1,admin2,latitude,longitude,perpetrator,perpetrator_category,boys,girls,sex_unknown,victim_ref,verification_status,verification_date',
      'E-1,killing,2025-02-03,COD,CD54,CD5402,1.5,30.2,"=Evil, ""Group""",non_state_armed_group,0,1,0,V-7,verified,2025-03-01',
      'E-1,attack_school,2025-02-03,COD,CD54,CD5402,1.5,30.2,"=Evil, ""Group"";=Zed",non_state_armed_group;state_armed_forces,2,0,1,,not_verified,2025-03-02',
      'E-2,abduction,2025-01-10/2025-01-20,COD,CD61,,,,-Minus,state_armed_forces,0,0,2,,pending,',
    ].join('\n'));
    await importMrmFile(store.db, systemContext(m.id), file);
    const chunks: string[] = [];
    const out = new Writable({ write(chunk, _enc, done) { chunks.push(String(chunk)); done(); } });
    const { rows } = await exportViolationsCsv(store.db, systemContext(m.id), out);
    assert.equal(rows, 3);
    const [e1, e2] = [importedIncidentId(m.id, 'E-1'), importedIncidentId(m.id, 'E-2')];
    // Names in the order of the store's collation: here one order in every collation (same first character).
    // Violations come out in id order, which is the file's order (plan.ts gives time-ordered ids).
    assert.equal(chunks.join(''), [
      csvLine([...MRM_COLUMNS]),
      csvLine([e1, 'killing', '2025-02-03', 'COD', 'CD54', 'CD5402', '', '', '=Evil, "Group"', 'non_state_armed_group', 0, 1, 0, 'V-7', 'verified', '2025-03-01']),
      csvLine([e1, 'attack_school', '2025-02-03', 'COD', 'CD54', 'CD5402', '', '', '=Evil, "Group";=Zed', 'non_state_armed_group;state_armed_forces', 2, 0, 1, '', 'not_verified', '2025-03-02']),
      csvLine([e2, 'abduction', '2025-01-10/2025-01-20', 'COD', 'CD61', '', '', '', '-Minus', 'state_armed_forces', 0, 0, 2, '', 'pending', '']),
    ].join(''));
  });
});
