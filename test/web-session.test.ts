import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { auth, incidentBody, newMission, PASSWORD, totpCodeFor, type Mission } from './support/fixtures.ts';
import { describeStores } from './support/matrix.ts';

/** Issue 3 item 2: cookie sessions for the web app, with CSRF protection on every unsafe request. */
describeStores('web sessions (cookie + CSRF)', ({ it, h }) => {
  let app: FastifyInstance;
  let m: Mission;
  let cookie: string;
  let csrf: string;

  it('logs in to an HttpOnly, SameSite=Strict cookie; scripts never see the token, only the CSRF token', async () => {
    app = h().app;
    m = await newMission(h().store, app);
    const res = await app.inject({ method: 'POST', url: '/api/v1/auth/login',
      payload: { username: m.usernames.monitor, password: PASSWORD, totp_code: totpCodeFor(m.usernames.monitor), session: 'cookie' } });
    assert.equal(res.statusCode, 200, res.body);
    const body = res.json();
    assert.equal(body.token, undefined);
    assert.match(body.csrf_token, /^[\w-]{43}$/);
    const setCookie = String(res.headers['set-cookie']);
    assert.match(setCookie, /^tutela_session=tut_[\w-]+;/);
    for (const attr of ['HttpOnly', 'SameSite=Strict', 'Path=/api', 'Expires=']) assert.ok(setCookie.includes(attr), `${attr} in ${setCookie}`);
    cookie = setCookie.split(';')[0]!;
    csrf = body.csrf_token;
    assert.equal((await app.inject({ method: 'GET', url: '/api/v1/me', headers: { cookie } })).statusCode, 200, 'reads need no CSRF token');
  });

  it('refuses an unsafe request without the CSRF token, or with a wrong one, audits it and changes nothing', async () => {
    const count = async () => (await h().store.db.selectFrom('incidents').select((eb) => eb.fn.countAll<number>().as('n')).where('mission_id', '=', m.id).executeTakeFirstOrThrow()).n;
    const before = Number(await count());
    for (const headers of [{ cookie }, { cookie, 'x-csrf-token': 'A'.repeat(43) }, { cookie, 'x-csrf-token': csrf.slice(1) }]) {
      const res = await app.inject({ method: 'POST', url: '/api/v1/incidents', headers, payload: incidentBody(m) });
      assert.equal(res.statusCode, 403, res.body);
      assert.equal(res.json().error.code, 'auth.csrf_failed');
    }
    assert.equal(Number(await count()), before);
    const refusals = await h().store.db.selectFrom('audit_events').select('details').where('mission_id', '=', m.id).where('action', '=', 'auth.request_refused').execute();
    assert.equal(refusals.filter((r) => r.details.code === 'auth.csrf_failed').length, 3);
    const ok = await app.inject({ method: 'POST', url: '/api/v1/incidents', headers: { cookie, 'x-csrf-token': csrf }, payload: incidentBody(m) });
    assert.equal(ok.statusCode, 201, ok.body);
    assert.equal(Number(await count()), before + 1);
  });

  it('keeps each session on its channel: a cookie token is not a bearer token', async () => {
    const token = cookie.split('=')[1]!;
    const res = await app.inject({ method: 'GET', url: '/api/v1/me', headers: auth(token) });
    assert.equal(res.statusCode, 401);
    assert.equal(res.json().error.code, 'auth.session_invalid');
    const forged = await app.inject({ method: 'GET', url: '/api/v1/me', headers: { cookie: `tutela_session=${m.tokens.monitor}` } });
    assert.equal(forged.statusCode, 401, 'nor a bearer token a cookie');
    const refused = await h().store.db.selectFrom('audit_events').select('details').where('mission_id', '=', '*').where('action', '=', 'auth.request_refused').execute();
    assert.ok(refused.some((r) => r.details.code === 'auth.session_invalid'), 'refused tokens are audited');
  });

  it('logs out with the CSRF token, clearing the cookie and ending the session', async () => {
    const out = await app.inject({ method: 'POST', url: '/api/v1/auth/logout', headers: { cookie, 'x-csrf-token': csrf } });
    assert.equal(out.statusCode, 204, out.body);
    assert.match(String(out.headers['set-cookie']), /^tutela_session=;.*Expires=Thu, 01 Jan 1970/);
    assert.equal((await app.inject({ method: 'GET', url: '/api/v1/me', headers: { cookie } })).statusCode, 401);
  });
});
