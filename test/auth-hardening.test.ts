import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it as plainIt } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { LOGIN_THROTTLE } from '../src/modules/accounts/login-throttle.ts';
import { containsUsername, isCommonPassword } from '../src/modules/accounts/password-list.ts';
import { checkPasswordRules } from '../src/modules/accounts/passwords.ts';
import * as accounts from '../src/modules/accounts/service.ts';
import { systemContext } from '../src/platform/context.ts';
import { AppError } from '../src/platform/errors.ts';
import { auth, login, newMission, PASSWORD, testServer, totpCodeFor, type Mission } from './support/fixtures.ts';
import { describeStores } from './support/matrix.ts';
import { openTestStore } from './support/stores.ts';

/** A fresh documentation-range IPv6 address per test: address counters never carry over between runs. */
const freshAddress = () => `2001:db8::${randomBytes(2).toString('hex')}:${randomBytes(2).toString('hex')}:${randomBytes(2).toString('hex')}`;

function attempt(app: FastifyInstance, username: string, password: string, remoteAddress: string, totpCode?: string) {
  return app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username, password, ...(totpCode && { totp_code: totpCode }) }, remoteAddress });
}

const MAX = LOGIN_THROTTLE.username.maxFailures;
const LOCK_MS = LOGIN_THROTTLE.username.lockMs;

describeStores('authentication hardening', ({ it, h }) => {
  let app: FastifyInstance;
  let m: Mission;
  const auditOf = (missionIds: string[], action: string) =>
    h().store.db.selectFrom('audit_events').select(['details', 'target_type', 'client_address']).where('mission_id', 'in', missionIds).where('action', '=', action).execute();

  it('locks an account after 10 failures: 20 wrong passwords give 429 with Retry-After, and the right one is refused until the lock ends', async () => {
    app = h().app;
    m = await newMission(h().store, app);
    const ip = freshAddress();
    // An account of its own: the test's clock runs 15 minutes ahead and spends that far ahead's codes.
    const name = `${m.id}.locked`;
    await accounts.createUser(h().store.db, systemContext(m.id), { username: name, display_name: 'locked', role: 'monitor', scope: { country: 'COD', areas: [], agency: null }, password: PASSWORD });
    await login(app, name, PASSWORD);
    const statuses: number[] = [];
    let last;
    for (let i = 0; i < 20; i++) {
      last = await attempt(app, name, `wrong password ${i}`, ip);
      statuses.push(last.statusCode);
    }
    assert.deepEqual(statuses, [...Array(MAX - 1).fill(401), ...Array(20 - MAX + 1).fill(429)]);
    assert.equal(last!.json().error.code, 'auth.locked');
    const retryAfter = Number(last!.headers['retry-after']);
    assert.ok(Number.isInteger(retryAfter) && retryAfter > 0 && retryAfter <= LOCK_MS / 1000, `Retry-After: ${last!.headers['retry-after']}`);
    assert.equal(last!.json().error.details.retry_after_seconds, retryAfter);

    const right = await attempt(app, name, PASSWORD, ip);
    assert.equal(right.statusCode, 429, 'the right password is refused while locked');
    assert.ok(Number(right.headers['retry-after']) > 0);
    const fromElsewhere = await attempt(app, name, PASSWORD, freshAddress());
    assert.equal(fromElsewhere.statusCode, 429, 'the lock is on the account, whatever the address');

    // Every failure and the lockout are on record, in the account's mission.
    const failures = (await auditOf([m.id], 'auth.login_failed')).filter((f) => f.details.username === name);
    assert.equal(failures.length, 22);
    assert.equal(failures.filter((f) => f.details.reason === 'bad_credentials').length, MAX);
    const lockouts = await auditOf([m.id], 'auth.lockout');
    assert.equal(lockouts.length, 1);
    assert.equal(lockouts[0]!.details.username, name);
    assert.equal(lockouts[0]!.client_address, ip);

    // The clock is injectable: a minute before the end still refused, just after it the right password works.
    const meta = { clientAddress: ip, requestId: null };
    const lockedAt = Date.now();
    const rules = { sessionTtlMs: 3_600_000, totpWindowSteps: 1 };
    const at = (ms: number) => new Date(lockedAt + ms);
    await assert.rejects(accounts.login(h().store.db, rules, { username: name, password: PASSWORD, totp_code: totpCodeFor(name, at(LOCK_MS - 60_000), 1) }, meta, at(LOCK_MS - 60_000)),
      (e: AppError) => e.code === 'auth.locked' && e.details.retry_after_seconds as number <= 60);
    const later = await accounts.login(h().store.db, rules, { username: name, password: PASSWORD, totp_code: totpCodeFor(name, at(LOCK_MS + 1_000), 1) }, meta, at(LOCK_MS + 1_000));
    assert.match(later.token, /^tut_/);
    // ... and that success cleared the count: the next wrong password is an ordinary 401 again.
    await assert.rejects(accounts.login(h().store.db, rules, { username: name, password: 'wrong again' }, meta, at(LOCK_MS + 2_000)),
      (e: AppError) => e.code === 'auth.invalid_credentials');
  });

  it('answers an unknown username exactly like a known one, lock included', async () => {
    const known = m.usernames.verifier;
    const unknown = `${m.id}.nobody`;
    const run = async (name: string) => {
      const ip = freshAddress();
      const out: { status: number; code: string; retry: boolean }[] = [];
      for (let i = 0; i < MAX + 1; i++) {
        const res = await attempt(app, name, `wrong password ${i}`, ip);
        out.push({ status: res.statusCode, code: res.json().error.code, retry: 'retry-after' in res.headers });
      }
      return out;
    };
    assert.deepEqual(await run(unknown), await run(known));
    const lockouts = await auditOf(['*'], 'auth.lockout');
    assert.ok(lockouts.some((l) => l.details.username === unknown), 'an unknown name lock is audited under mission *');
  });

  it('a success resets the account count: 9 wrong, right, 9 wrong is not locked', async () => {
    const ip = freshAddress();
    const name = m.usernames.analyst;
    for (let i = 0; i < MAX - 1; i++) assert.equal((await attempt(app, name, `nope ${i}`, ip)).statusCode, 401);
    assert.equal((await attempt(app, name, PASSWORD, ip)).statusCode, 200);
    for (let i = 0; i < MAX - 1; i++) assert.equal((await attempt(app, name, `nope ${i}`, ip)).statusCode, 401);
    assert.equal((await attempt(app, name, PASSWORD, ip)).statusCode, 200);
  });

  it('refuses an address after 30 failures within the window, for every account, and audits the lockout', async () => {
    const ip = freshAddress();
    const limit = LOGIN_THROTTLE.address.maxFailures;
    const statuses: number[] = [];
    for (let i = 0; i < limit; i++) statuses.push((await attempt(app, `${m.id}.spray${i}`, 'Winter2025!!', ip)).statusCode);
    assert.deepEqual(statuses, [...Array(limit - 1).fill(401), 429]);
    const blocked = await attempt(app, m.usernames.verifierBeni, PASSWORD, ip);
    assert.equal(blocked.statusCode, 429);
    assert.equal(blocked.json().error.code, 'auth.locked');
    assert.ok(Number(blocked.headers['retry-after']) > 0);
    assert.equal((await attempt(app, m.usernames.verifierBeni, PASSWORD, freshAddress(), totpCodeFor(m.usernames.verifierBeni))).statusCode, 200, 'other addresses are unaffected');
    const lockouts = (await auditOf(['*'], 'auth.lockout')).filter((l) => l.target_type === 'address' && l.details.address === ip);
    assert.equal(lockouts.length, 1);
    assert.equal(lockouts[0]!.details.failures, limit);
  });

  it('counts failures in the store: two server instances (two connection pools on PostgreSQL) share one count', async () => {
    const otherStore = h().kind === 'postgres' ? await openTestStore('postgres') : h().store;
    const other = await testServer(otherStore);
    try {
      const ip = freshAddress();
      const name = m.usernames.monitorBeni;
      for (let i = 0; i < MAX - 1; i++) assert.equal((await attempt(i % 2 ? app : other, name, `nope ${i}`, ip)).statusCode, 401);
      assert.equal((await attempt(other, name, 'nope last', ip)).statusCode, 429);
      assert.equal((await attempt(app, name, PASSWORD, ip)).statusCode, 429);
      assert.equal((await attempt(other, name, PASSWORD, ip)).statusCode, 429);
    } finally {
      await other.close();
      if (otherStore !== h().store) await otherStore.close();
    }
  });

  it('lets no right password through a lock set by a concurrent burst of wrong ones', async () => {
    const ip = freshAddress();
    const name = `${m.id}.burst`;
    await accounts.createUser(h().store.db, { actor: { userId: '00000000-0000-0000-0000-000000000000', missionId: m.id, username: 'system', role: 'admin', scope: { country: null, areas: [], agency: null } }, clientAddress: null, requestId: null },
      { username: name, display_name: '', role: 'monitor', scope: { country: null, areas: [], agency: null }, password: PASSWORD });
    const burst = await Promise.all(Array.from({ length: 2 * MAX }, (_, i) => attempt(app, name, `burst ${i}`, ip)));
    assert.ok(burst.every((r) => r.statusCode === 401 || r.statusCode === 429));
    assert.ok(burst.some((r) => r.statusCode === 429), 'the burst ended in a lock');
    assert.equal((await attempt(app, name, PASSWORD, ip)).statusCode, 429);
  });

  it('refuses common passwords and passwords containing the username, naming the field', async () => {
    const cases = [
      ['password', 'qwerty123456', 'common'],
      ['password', 'P@ssw0rd2024!', 'common'],
      ['password', 'correct horse battery staple', 'common'],
      ['password', 'Monusco2025!!', 'common'],
      ['password', `my ${m.id}.pwtest pass`, 'username'],
    ] as const;
    for (const [field, password, rule] of cases) {
      const res = await app.inject({ method: 'POST', url: '/api/v1/users', headers: auth(m.tokens.admin), payload: { username: `${m.id}.pwtest`, role: 'monitor', password } });
      assert.equal(res.statusCode, 400, `${password}: ${res.body}`);
      const error = res.json().error;
      assert.equal(error.code, 'auth.password_rejected');
      assert.equal(error.details.field, field);
      assert.match(error.details.rule, new RegExp(rule));
    }
    const ok = await app.inject({ method: 'POST', url: '/api/v1/users', headers: auth(m.tokens.admin), payload: { username: `${m.id}.pwtest`, role: 'monitor', password: 'kettle drum over lake albert' } });
    assert.equal(ok.statusCode, 201, ok.body);
    const token = await login(app, `${m.id}.pwtest`, 'kettle drum over lake albert');
    const change = await app.inject({ method: 'POST', url: '/api/v1/auth/password', headers: auth(token), payload: { current_password: 'kettle drum over lake albert', new_password: 'iloveyou2025!!' } });
    assert.equal(change.statusCode, 400);
    assert.equal(change.json().error.details.field, 'new_password');
  });

  it('lets an admin revoke every session of an account of the mission, effective at once', async () => {
    const name = m.usernames.monitor;
    const tokens = [await login(app, name, PASSWORD), await login(app, name, PASSWORD)];
    const me = (await app.inject({ method: 'GET', url: '/api/v1/me', headers: auth(tokens[0]!) })).json();
    for (const t of tokens) assert.equal((await app.inject({ method: 'GET', url: '/api/v1/me', headers: auth(t) })).statusCode, 200); // now cached
    const url = `/api/v1/users/${me.id}/sessions/revoke`;
    const asVerifier = await app.inject({ method: 'POST', url, headers: auth(m.tokens.verifier) });
    assert.equal(asVerifier.statusCode, 403);
    assert.equal(asVerifier.json().error.code, 'permission.denied');
    const bad = await app.inject({ method: 'POST', url: '/api/v1/users/not-a-uuid/sessions/revoke', headers: auth(m.tokens.admin) });
    assert.equal(bad.statusCode, 400);
    assert.equal(bad.json().error.details.field, 'params.user_id');
    const otherMission = await newMission(h().store, app);
    const foreign = await app.inject({ method: 'POST', url, headers: auth(otherMission.tokens.admin) });
    assert.equal(foreign.statusCode, 404, 'an account of another mission does not exist for this admin');

    const res = await app.inject({ method: 'POST', url, headers: auth(m.tokens.admin) });
    assert.equal(res.statusCode, 200, res.body);
    assert.ok(res.json().revoked_sessions >= 2);
    for (const t of tokens) assert.equal((await app.inject({ method: 'GET', url: '/api/v1/me', headers: auth(t) })).statusCode, 401);
    const audit = await h().store.db.selectFrom('audit_events').select(['target_id', 'details']).where('mission_id', '=', m.id).where('action', '=', 'user.sessions_revoke').execute();
    assert.equal(audit.length, 1);
    assert.equal(audit[0]!.target_id, me.id);
    m.tokens.monitor = await login(app, name, PASSWORD); // a new login works
  });

  it('logout-all ends every session of the caller, this one included', async () => {
    const name = m.usernames.monitor;
    const tokens = [m.tokens.monitor, await login(app, name, PASSWORD)];
    const other = m.tokens.verifier;
    const res = await app.inject({ method: 'POST', url: '/api/v1/auth/logout-all', headers: auth(tokens[1]!) });
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.json().revoked_sessions, 2);
    for (const t of tokens) assert.equal((await app.inject({ method: 'GET', url: '/api/v1/me', headers: auth(t) })).statusCode, 401);
    assert.equal((await app.inject({ method: 'GET', url: '/api/v1/me', headers: auth(other) })).statusCode, 200, 'other users keep theirs');
    assert.equal((await app.inject({ method: 'POST', url: '/api/v1/auth/logout-all' })).statusCode, 401);
  });

  it('sends the security headers on successes and on errors', async () => {
    for (const [url, status, headers] of [['/api/health', 200, {}], ['/api/v1/me', 401, {}], ['/api/v1/nowhere', 404, auth(m.tokens.admin)]] as const) {
      const res = await app.inject({ method: 'GET', url, headers });
      assert.equal(res.statusCode, status);
      const csp = String(res.headers['content-security-policy']);
      assert.match(csp, /default-src 'self'/, url);
      assert.match(csp, /frame-ancestors 'none'/, url);
      assert.equal(res.headers['x-content-type-options'], 'nosniff', url);
      assert.match(String(res.headers['strict-transport-security']), /max-age=31536000; includeSubDomains/, url);
      assert.equal(res.headers['referrer-policy'], 'no-referrer', url);
      assert.equal(res.headers['x-frame-options'], 'DENY', url);
    }
  });
});

describe('password rules (no store)', () => {
  plainIt('catches a listed password behind case, separators, decoration, look-alikes and repetition', () => {
    for (const p of ['Password2025!', 'p@ssw0rd2024', 'monkeymonkey', 'qwerty123456', 'iloveyou!!!!', 'Correct-Horse-Battery-Staple', '!!Sunshine2024']) {
      assert.ok(isCommonPassword(p), p);
    }
    for (const p of ['lantern quarry violet ninety', 'kettle drum over lake albert', 'thunder-mango-42-kettle', '837261948573']) {
      assert.ok(!isCommonPassword(p), p);
    }
  });

  plainIt('finds the username with or without its separators, in any case', () => {
    assert.ok(containsUsername('JaneDoe2025!!x', 'jane.doe'));
    assert.ok(containsUsername('my Jane.Doe pass', 'jane.doe'));
    assert.ok(!containsUsername('a quite unrelated phrase', 'jane.doe'));
    assert.throws(() => checkPasswordRules('jane.doe forever and ever', 'new_password', 'jane.doe'),
      (e: AppError) => e.code === 'auth.password_rejected' && e.details.field === 'new_password' && /username/.test(e.details.rule!));
  });
});
