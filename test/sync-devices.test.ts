import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createUser } from '../src/modules/accounts/service.ts';
import { systemContext } from '../src/platform/context.ts';
import { auth, login, newMission, PASSWORD } from './support/fixtures.ts';
import { describeStores } from './support/matrix.ts';

/** Issue 7: a supervisor sees, per device and person, how many reports wait and since when. */
describeStores('what waits on the devices', ({ it, h }) => {
  it('keeps the latest summary per device and shows it to supervisors of the agency, longest waiting first', async () => {
    const { app, store } = h();
    const m = await newMission(store, app);
    const phone = randomUUID();
    const tablet = randomUUID();
    const beniPhone = randomUUID();
    const push = (token: string, body: Record<string, unknown>) => app.inject({ method: 'POST', url: '/api/v1/sync/outbox-status', headers: auth(token), payload: body });
    assert.equal((await push(m.tokens.monitor, { device_id: phone, waiting: 5, oldest_queued_at: '2025-02-11T08:00:00Z', conflicts: 1 })).statusCode, 204);
    // The same device again: replaced, not added.
    assert.equal((await push(m.tokens.monitor, { device_id: phone, waiting: 3, oldest_queued_at: '2025-02-12T09:30:00Z' })).statusCode, 204);
    assert.equal((await push(m.tokens.monitor, { device_id: tablet, waiting: 0, oldest_queued_at: null })).statusCode, 204);
    assert.equal((await push(m.tokens.monitorBeni, { device_id: beniPhone, waiting: 7, oldest_queued_at: '2025-02-01T06:00:00Z' })).statusCode, 204);

    // Inconsistent or wrong input is refused with the field named; other roles keep no outbox.
    const bad = await push(m.tokens.monitor, { device_id: phone, waiting: 2, oldest_queued_at: null });
    assert.equal(bad.statusCode, 400);
    assert.equal(bad.json().error.details.field, 'oldest_queued_at');
    assert.equal((await push(m.tokens.monitor, { device_id: 'phone-1', waiting: 0, oldest_queued_at: null })).statusCode, 400);
    assert.equal((await push(m.tokens.analyst, { device_id: phone, waiting: 0, oldest_queued_at: null })).statusCode, 403);

    // The administrator sees the whole mission: Beni's week-old report first, then the Djugu phone, then the idle tablet.
    const all = await app.inject({ method: 'GET', url: '/api/v1/sync/waiting', headers: auth(m.tokens.admin) });
    assert.equal(all.statusCode, 200, all.body);
    const items = all.json().items as { device_id: string; username: string; waiting: number; oldest_queued_at: string | null; conflicts: number }[];
    assert.deepEqual(items.map((i) => [i.device_id, i.username, i.waiting, i.oldest_queued_at, i.conflicts]), [
      [beniPhone, m.usernames.monitorBeni, 7, '2025-02-01T06:00:00.000Z', 0],
      [phone, m.usernames.monitor, 3, '2025-02-12T09:30:00.000Z', 0],
      [tablet, m.usernames.monitor, 0, null, 0],
    ]);

    // A UNICEF supervisor sees the UNICEF monitor's devices only (the Beni monitor is MONUSCO).
    const username = `${m.id}.sup`;
    await createUser(store.db, systemContext(m.id), { username, display_name: 'Supervisor', role: 'supervisor', scope: { country: 'COD', areas: [], agency: 'UNICEF' }, password: PASSWORD });
    const sup = await login(app, username, PASSWORD);
    const mine = await app.inject({ method: 'GET', url: '/api/v1/sync/waiting', headers: auth(sup) });
    assert.equal(mine.statusCode, 200, mine.body);
    assert.deepEqual((mine.json().items as { device_id: string }[]).map((i) => i.device_id), [phone, tablet]);
    // Monitors do not see other people's devices.
    assert.equal((await app.inject({ method: 'GET', url: '/api/v1/sync/waiting', headers: auth(m.tokens.monitor) })).statusCode, 403);
  });
});
