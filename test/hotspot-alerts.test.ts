import assert from 'node:assert/strict';
import { untilNextRun } from '../src/modules/analytics/schedule.ts';
import { scanMission, DEFAULT_HOTSPOT_SETTINGS } from '../src/modules/analytics/service.ts';
import { systemContext } from '../src/platform/context.ts';
import { auth, incidentBody, newMission, type Mission } from './support/fixtures.ts';
import { describeStores } from './support/matrix.ts';

/** Issue 9 item 2: the daily scan raises an alert for an emerging cluster, to the people of that area only. */
describeStores('hotspot alerts', ({ it, h }) => {
  let m: Mission;
  const AS_OF = '2026-06-30';
  const settings = { ...DEFAULT_HOTSPOT_SETTINGS, replications: 99, alertRecurrenceDays: 50 };

  const record = async (token: string, pcode: string, date: string, lat: number, lon: number) => {
    const base = incidentBody(m);
    const res = await h().app.inject({ method: 'POST', url: '/api/v1/incidents', headers: auth(token), payload: {
      ...base, date: { start: date, precision: 'day' }, first_reported_on: date, violations: [base.violations[0]],
      location: { admin_pcode: pcode, location_type: 'village', coordinates: { latitude: lat, longitude: lon, precision: 'exact' } },
    } });
    assert.equal(res.statusCode, 201, res.body);
    return res.json().id as string;
  };

  it('finds a planted cluster of killings in Djugu and alerts Djugu, not Beni', async () => {
    const { app, store } = h();
    m = await newMission(store, app);
    // A year of scattered background killings in both territories, ten places, one every ~9 days.
    for (let i = 0; i < 40; i++) {
      const day = new Date(Date.parse('2025-07-05T00:00:00Z') + i * 9 * 86_400_000).toISOString().slice(0, 10);
      const djugu = i % 2 === 0;
      await record(djugu ? m.tokens.monitor : m.tokens.monitorBeni, djugu ? m.areas.djugu : m.areas.beni, day, (djugu ? 1.6 : 0.5) + (i % 5) * 0.2, (djugu ? 30.2 : 29.4) + (i % 5) * 0.2);
    }
    // Then eight in one village of Djugu within six days.
    const cluster: string[] = [];
    for (let d = 0; d < 8; d++) cluster.push(await record(m.tokens.monitor, m.areas.djugu, `2026-06-${String(24 + (d % 6)).padStart(2, '0')}`, 1.91, 30.41));

    const summary = await scanMission(store.db, systemContext(m.id), AS_OF, settings);
    const killing = summary.find((s) => s.violationType === 'killing')!;
    assert.equal(killing.cases, 48);
    assert.equal(killing.alerts, 1, JSON.stringify(summary));

    const list = (token: string) => app.inject({ method: 'GET', url: '/api/v1/hotspot-alerts', headers: auth(token) });
    const djugu = (await list(m.tokens.monitor)).json().items;
    assert.equal(djugu.length, 1);
    const alert = djugu[0];
    assert.deepEqual(alert.admin_pcodes, [m.areas.djugu]);
    assert.ok(cluster.every((id) => alert.incident_ids.includes(id)), 'the planted incidents are in the alert');
    assert.ok(alert.cluster.observed >= 8 && alert.cluster.observed > alert.cluster.expected * 3);
    assert.ok(alert.cluster.end === AS_OF && alert.cluster.start >= '2026-06-20', `${alert.cluster.start}..${alert.cluster.end}`);
    assert.ok(alert.cluster.recurrence_days >= 50);
    assert.ok(!JSON.stringify(alert).includes('1.91'), 'no coordinates in an alert');

    assert.equal((await list(m.tokens.monitorBeni)).json().items.length, 0, 'Beni is not told about Djugu');
    const analyst = (await list(m.tokens.analyst)).json().items;
    assert.equal(analyst.length, 1);
    assert.equal(analyst[0].incident_ids, undefined, 'analysts see areas and figures, not incidents');
    assert.equal((await list(m.tokens.admin)).statusCode, 403);

    // The same cluster seen again the next day is not a second alert.
    const again = await scanMission(store.db, systemContext(m.id), '2026-07-01', settings);
    assert.equal(again.find((s) => s.violationType === 'killing')!.alerts, 0);

    const ack = await app.inject({ method: 'POST', url: `/api/v1/hotspot-alerts/${alert.id}/acknowledge`, headers: auth(m.tokens.monitor) });
    assert.equal(ack.statusCode, 200, ack.body);
    assert.ok(ack.json().acknowledged_at);
    const notMine = await app.inject({ method: 'POST', url: `/api/v1/hotspot-alerts/${alert.id}/acknowledge`, headers: auth(m.tokens.monitorBeni) });
    assert.equal(notMine.statusCode, 404);
    const audit = await store.db.selectFrom('audit_events').select('action').where('mission_id', '=', m.id).where('action', 'like', 'hotspots.%').execute();
    assert.deepEqual(audit.map((a) => a.action).sort(), ['hotspots.acknowledge', 'hotspots.alert', 'hotspots.scan', 'hotspots.scan']);
  });

  it('schedules the daily scan at the configured UTC hour, today if it is still to come, else tomorrow', async () => {
    assert.equal(untilNextRun(new Date('2026-06-30T01:30:00Z'), 2), 30 * 60_000);
    assert.equal(untilNextRun(new Date('2026-06-30T02:00:00Z'), 2), 24 * 3_600_000);
    assert.equal(untilNextRun(new Date('2026-06-30T23:00:00Z'), 2), 3 * 3_600_000);
  });
});
