import assert from 'node:assert/strict';
import { auth, type Mission } from './support/fixtures.ts';
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
