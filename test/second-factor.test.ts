import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { createUser } from '../src/modules/accounts/service.ts';
import { currentTotpStep, matchTotpStep, totpCodeAt } from '../src/modules/accounts/two-factor.ts';
import { systemContext, type Role } from '../src/platform/context.ts';
import { auth, login, newMission, PASSWORD, type Mission } from './support/fixtures.ts';
import { describeStores } from './support/matrix.ts';

/** Issue 3 item 2: TOTP required for the roles that see identities; codes single-use; a lost phone reset by an admin. */
describeStores('second factor (TOTP)', ({ it, h }) => {
  let app: FastifyInstance;
  let m: Mission;
  const post = (url: string, token: string | null, payload: object = {}) =>
    app.inject({ method: 'POST', url, headers: token ? auth(token) : {}, payload });
  const get = (url: string, token: string) => app.inject({ method: 'GET', url, headers: auth(token) });
  const newAccount = async (role: Role) => {
    const username = `${m.id}.${role.replace('_', '')}.${randomBytes(3).toString('hex')}`;
    const { user } = await createUser(h().store.db, systemContext(m.id), { username, display_name: role, role, scope: { country: 'COD', areas: [], agency: null }, password: PASSWORD });
    return { username, id: user.id };
  };
  const firstLogin = async (username: string) => {
    const res = await post('/api/v1/auth/login', null, { username, password: PASSWORD });
    assert.equal(res.statusCode, 200, res.body);
    return res.json() as { token: string; second_factor_enrolment_required: boolean };
  };

  it('keeps a verifier without a second factor to enrolment only; an analyst needs none', async () => {
    app = h().app;
    m = await newMission(h().store, app);
    const verifier = await firstLogin((await newAccount('verifier')).username);
    assert.equal(verifier.second_factor_enrolment_required, true);
    const refused = await get('/api/v1/violations', verifier.token);
    assert.equal(refused.statusCode, 403);
    assert.equal(refused.json().error.code, 'auth.second_factor_enrolment_required');
    assert.equal((await get('/api/v1/me', verifier.token)).statusCode, 200, 'setup routes stay open');

    const analyst = await firstLogin((await newAccount('analyst')).username);
    assert.equal(analyst.second_factor_enrolment_required, false);
    assert.equal((await get('/api/v1/reference/parties', analyst.token)).statusCode, 200);
  });

  it('enrols with a code from the secret, then every login needs a fresh code; wrong and replayed codes are refused and audited', async () => {
    const { username } = await newAccount('monitor');
    const first = await firstLogin(username);
    const enrol = await post('/api/v1/auth/second-factor/enrol', first.token);
    assert.equal(enrol.statusCode, 200, enrol.body);
    const { secret, otpauth_uri } = enrol.json() as { secret: string; otpauth_uri: string };
    assert.match(otpauth_uri, /^otpauth:\/\/totp\/Tutela:.+\?.*secret=[A-Z2-7]+/);
    const wrongConfirm = await post('/api/v1/auth/second-factor/confirm', first.token, { code: '000000' === totpCodeAt(secret, currentTotpStep(new Date())) ? '111111' : '000000' });
    assert.equal(wrongConfirm.statusCode, 400);
    assert.equal(wrongConfirm.json().error.code, 'auth.second_factor_invalid');
    const step = currentTotpStep(new Date());
    assert.equal((await post('/api/v1/auth/second-factor/confirm', first.token, { code: totpCodeAt(secret, step) })).statusCode, 204);
    assert.equal((await get('/api/v1/incidents', first.token)).statusCode, 200, 'the enrolling session is now proved');
    assert.equal((await post('/api/v1/auth/second-factor/enrol', first.token)).json().error.code, 'auth.second_factor_already_enabled');

    const noCode = await post('/api/v1/auth/login', null, { username, password: PASSWORD });
    assert.equal(noCode.statusCode, 401);
    assert.equal(noCode.json().error.code, 'auth.second_factor_required');
    const replayed = await post('/api/v1/auth/login', null, { username, password: PASSWORD, totp_code: totpCodeAt(secret, step) });
    assert.equal(replayed.statusCode, 401, 'the code used to confirm cannot log in again');
    assert.equal(replayed.json().error.details.field, 'totp_code');
    const next = totpCodeAt(secret, step + 1);
    const ok = await post('/api/v1/auth/login', null, { username, password: PASSWORD, totp_code: next });
    assert.equal(ok.statusCode, 200, ok.body);
    assert.equal(ok.json().second_factor_enrolment_required, false);
    const again = await post('/api/v1/auth/login', null, { username, password: PASSWORD, totp_code: next });
    assert.equal(again.statusCode, 401, 'a code logs in once');
    const reasons = (await h().store.db.selectFrom('audit_events').select('details').where('mission_id', '=', m.id)
      .where('action', '=', 'auth.login_failed').execute()).map((r) => r.details.reason).filter((r) => r !== 'bad_credentials');
    assert.deepEqual(reasons.sort(), ['second_factor_replayed', 'second_factor_replayed']);
  });

  it('counts wrong codes like wrong passwords: 10 lock the account with 429', async () => {
    const { username } = await newAccount('supervisor');
    await login(app, username, PASSWORD); // enrols
    const statuses: number[] = [];
    for (let i = 0; i < 11; i++) {
      const res = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username, password: PASSWORD, totp_code: String(100000 + i) }, remoteAddress: `2001:db8::2f:${i}` });
      statuses.push(res.statusCode);
    }
    assert.deepEqual(statuses.slice(-2), [429, 429]);
    assert.ok(statuses.slice(0, 9).every((s) => s === 401));
  });

  it('seals the secret in the store and lets an admin reset a lost phone, ending the sessions', async () => {
    const { username, id } = await newAccount('case_worker');
    const token = await login(app, username, PASSWORD);
    const row = await h().store.db.selectFrom('users').select(['totp_secret', 'totp_enabled_at']).where('mission_id', '=', m.id).where('user_id', '=', id).executeTakeFirstOrThrow();
    assert.ok(row.totp_enabled_at);
    assert.ok(!/[A-Z2-7]{32}/.test(Buffer.from(row.totp_secret!).toString('latin1')), 'no base32 secret in clear');
    assert.equal((await post(`/api/v1/users/${id}/second-factor/reset`, m.tokens.monitor)).statusCode, 403);
    const reset = await post(`/api/v1/users/${id}/second-factor/reset`, m.tokens.admin);
    assert.equal(reset.statusCode, 200, reset.body);
    assert.equal(reset.json().revoked_sessions, 1);
    assert.equal((await get('/api/v1/me', token)).statusCode, 401);
    const fresh = await firstLogin(username);
    assert.equal(fresh.second_factor_enrolment_required, true, 'the next login enrols a new phone');
    const audit = await h().store.db.selectFrom('audit_events').select('action').where('mission_id', '=', m.id).where('target_id', '=', id).execute();
    assert.ok(audit.some((a) => a.action === 'user.second_factor_reset'));
    assert.ok(audit.some((a) => a.action === 'auth.second_factor_enabled'));
  });

  it('accepts codes from a phone clock off by one step, not by two (the default window)', async () => {
    const secret = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
    const now = new Date('2026-11-25T06:00:10Z');
    const step = currentTotpStep(now);
    assert.equal(matchTotpStep(secret, totpCodeAt(secret, step - 1), now, 1), step - 1);
    assert.equal(matchTotpStep(secret, totpCodeAt(secret, step + 1), now, 1), step + 1);
    assert.equal(matchTotpStep(secret, totpCodeAt(secret, step - 2), now, 1), null);
    assert.equal(matchTotpStep(secret, 'abcdef', now, 1), null);
    // RFC 6238 appendix B, SHA-1, T = 59 s: 94287082 (8 digits), so 287082 with 6.
    assert.equal(totpCodeAt('GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ', 1), '287082');
  });
});
