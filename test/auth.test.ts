import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { auth, enrolSecondFactor, login, newMission, PASSWORD, totpCodeFor, type Mission } from './support/fixtures.ts';
import { describeStores } from './support/matrix.ts';

describeStores('accounts and sessions', ({ it, h }) => {
  let app: FastifyInstance;
  let m: Mission;

  it('logs in with an expiring token stored only as a digest, and logs out', async () => {
    app = h().app;
    m = await newMission(h().store, app);
    const res = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: m.usernames.monitor, password: PASSWORD, totp_code: totpCodeFor(m.usernames.monitor) } });
    assert.equal(res.statusCode, 200);
    const { token, expires_at } = res.json();
    const hours = (Date.parse(expires_at) - Date.now()) / 3_600_000;
    assert.ok(hours > 11 && hours <= 12, `expires in ${hours} h`);
    const stored = await h().store.db.selectFrom('sessions').select('token_hash').where('mission_id', '=', m.id).execute();
    assert.ok(stored.every((s) => !Buffer.from(s.token_hash).toString('latin1').includes(token)), 'no token in clear');
    assert.equal((await app.inject({ method: 'GET', url: '/api/v1/me', headers: auth(token) })).json().role, 'monitor');
    assert.equal((await app.inject({ method: 'POST', url: '/api/v1/auth/logout', headers: auth(token) })).statusCode, 204);
    const after = await app.inject({ method: 'GET', url: '/api/v1/me', headers: auth(token) });
    assert.equal(after.statusCode, 401);
    assert.equal(after.json().error.code, 'auth.session_invalid');
  });

  it('gives the same 401 for a wrong password and an unknown user, and audits both', async () => {
    const wrong = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: m.usernames.monitor, password: 'not the password' } });
    const unknown = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: `${m.id}.nobody`, password: 'not the password' } });
    assert.equal(wrong.statusCode, 401);
    assert.deepEqual(wrong.json(), unknown.json());
    const failures = await h().store.db.selectFrom('audit_events').select('details').where('action', '=', 'auth.login_failed')
      .where('mission_id', 'in', [m.id, '*']).execute();
    const names = failures.map((f) => f.details.username);
    assert.ok(names.includes(m.usernames.monitor) && names.includes(`${m.id}.nobody`));
    for (const [headers, code] of [[{}, 'auth.required'], [{ authorization: 'Bearer tut_forged' }, 'auth.session_invalid'], [{ authorization: 'Basic abc' }, 'auth.required']] as const) {
      const res = await app.inject({ method: 'GET', url: '/api/v1/incidents', headers });
      assert.equal(res.statusCode, 401);
      assert.equal(res.json().error.code, code);
    }
  });

  it('lets an admin create accounts whose one-time password must be changed first', async () => {
    const created = await app.inject({ method: 'POST', url: '/api/v1/users', headers: auth(m.tokens.admin),
      payload: { username: `${m.id}.newmonitor`, role: 'monitor', scope: { country: 'COD', areas: [m.areas.irumu] } } });
    assert.equal(created.statusCode, 201, created.body);
    const otp = created.json().one_time_password as string;
    assert.match(otp, /^[A-Za-z2-9]{5}(-[A-Za-z2-9]{5}){3}$/);
    const token = await login(app, `${m.id}.newmonitor`, otp);
    const blocked = await app.inject({ method: 'GET', url: '/api/v1/incidents', headers: auth(token) });
    assert.equal(blocked.statusCode, 403);
    assert.equal(blocked.json().error.code, 'auth.password_change_required');
    const weak = await app.inject({ method: 'POST', url: '/api/v1/auth/password', headers: auth(token), payload: { current_password: otp, new_password: 'short' } });
    assert.equal(weak.statusCode, 400);
    assert.equal(weak.json().error.details.field, 'new_password');
    const changed = await app.inject({ method: 'POST', url: '/api/v1/auth/password', headers: auth(token), payload: { current_password: otp, new_password: 'a much longer passphrase' } });
    assert.equal(changed.statusCode, 204, changed.body);
    // A monitor sees identities: next comes the authenticator app, and nothing else until it is set up.
    const noFactor = await app.inject({ method: 'GET', url: '/api/v1/incidents', headers: auth(token) });
    assert.equal(noFactor.statusCode, 403);
    assert.equal(noFactor.json().error.code, 'auth.second_factor_enrolment_required');
    await enrolSecondFactor(app, token, `${m.id}.newmonitor`);
    assert.equal((await app.inject({ method: 'GET', url: '/api/v1/incidents', headers: auth(token) })).statusCode, 200);
    const again = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: `${m.id}.newmonitor`, password: otp } });
    assert.equal(again.statusCode, 401, 'the one-time password no longer works');
  });

  it('refuses account management to non-admins and bad account input with the field named', async () => {
    const asMonitor = await app.inject({ method: 'POST', url: '/api/v1/users', headers: auth(m.tokens.monitor), payload: { username: `${m.id}.x`, role: 'monitor' } });
    assert.equal(asMonitor.statusCode, 403);
    const cases = [
      [{ username: `${m.id}.y`, role: 'superuser' }, 400, 'role'],
      [{ username: m.usernames.monitor, role: 'monitor' }, 409, 'username'],
      [{ username: `${m.id}.z`, role: 'monitor', scope: { areas: ['CD0000'] } }, 400, 'scope.areas'],
      [{ username: `${m.id}.w`, role: 'monitor', scope: { country: 'FRA' } }, 400, 'scope.country'],
    ] as const;
    for (const [payload, status, field] of cases) {
      const res = await app.inject({ method: 'POST', url: '/api/v1/users', headers: auth(m.tokens.admin), payload });
      assert.equal(res.statusCode, status, res.body);
      assert.equal(res.json().error.details.field, field, res.body);
    }
    const list = (await app.inject({ method: 'GET', url: '/api/v1/users', headers: auth(m.tokens.admin) })).json();
    assert.equal(list.items.length, 7);
    assert.ok(list.items.every((u: Record<string, unknown>) => !('password_hash' in u)));
  });
});
