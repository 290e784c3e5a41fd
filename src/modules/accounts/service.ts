import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { auditRow, writeAudit } from '../../platform/audit.ts';
import type { Actor, RequestContext, Role } from '../../platform/context.ts';
import type { DB } from '../../platform/db/schema.ts';
import { runUnitOfWork } from '../../platform/db/unit-of-work.ts';
import { AppError, ensure } from '../../platform/errors.ts';
import { LOGIN_THROTTLE, retryAfterSeconds, ruleFor, throttleSubjects } from './login-throttle.ts';
import { checkPasswordRules, generatePassword, hashPassword, verifyPassword } from './passwords.ts';
import { authorizeAccounts } from './policy.ts';
import { presentUser } from './presenter.ts';
import * as repo from './repository.ts';
import { sessionCacheFor } from './session-cache.ts';
import type { CreateUserInput, UserView } from './schema.ts';

type LiveSession = NonNullable<Awaited<ReturnType<typeof repo.findLiveSession>>>;

export interface LoginMeta { clientAddress: string | null; requestId: string | null }

const TOKEN_PREFIX = 'tut_';
const digest = (token: string) => createHash('sha256').update(token).digest();

/**
 * Logs in, throttled per login name and per client address (login-throttle.ts). A locked name or
 * address is refused before the password hash is computed. The happy path costs two small indexed
 * reads: before the hash, and again in the session's transaction, so a burst of parallel guesses
 * cannot slip a right password past a lock that one of its wrong ones has just set. `now` is
 * injectable so tests can step past a lock.
 */
export async function login(db: Kysely<DB>, ttlMs: number, username: string, password: string, meta: LoginMeta, now = new Date()) {
  const name = username.trim().toLowerCase();
  const subjects = throttleSubjects(name, meta.clientAddress);
  const [user, counters] = await Promise.all([repo.findUserByUsername(db, name), repo.findThrottleRows(db, subjects)]);
  const lockedUntil = repo.latestLock(counters, now);
  if (lockedUntil) return refuseLocked(db, name, subjects, user, meta, counters, now);

  const ok = await verifyPassword(user?.disabled_at ? undefined : user?.password_hash, password);
  if (!ok || !user) return recordLoginFailure(db, name, subjects, user, meta, now);

  const token = TOKEN_PREFIX + randomBytes(32).toString('base64url');
  const sessionId = randomUUID();
  const expiresAt = new Date(now.getTime() + ttlMs);
  const lockedMeanwhile = await db.transaction().execute(async (trx) => {
    const current = await repo.findThrottleRows(trx, subjects);
    if (repo.latestLock(current, now)) return current;
    if (current.some((c) => c.subject_kind === 'username')) await repo.clearFailures(trx, subjects[0]!, now);
    await repo.insertSession(trx, { mission_id: user.mission_id, session_id: sessionId, user_id: user.user_id, token_hash: digest(token), expires_at: expiresAt, client_address: meta.clientAddress });
    await writeAudit(trx, [auditRow({ actor: toActor(user, sessionId), ...meta }, { action: 'auth.login', targetType: 'session', targetId: sessionId })]);
    return null;
  });
  if (lockedMeanwhile) return refuseLocked(db, name, subjects, user, meta, lockedMeanwhile, now);
  return { token, expires_at: expiresAt.toISOString(), password_change_required: user.must_change_password, user: presentUser(user) };
}

type Subjects = ReturnType<typeof throttleSubjects>;
const failureAudit = (meta: LoginMeta, name: string, reason: 'bad_credentials' | 'locked', missionId?: string) =>
  auditRow({ actor: null, ...meta }, { action: 'auth.login_failed', targetType: 'user', details: { username: name, reason } }, missionId);

/**
 * A wrong password (or unknown name, or disabled account): every counter of the attempt goes up in one
 * transaction with its audit rows; the failure that reaches a limit also records the lockout and answers
 * 429 at once. Known and unknown names take the same path, so the answers cannot tell them apart.
 */
async function recordLoginFailure(db: Kysely<DB>, name: string, subjects: Subjects, user: repo.UserRow | undefined, meta: LoginMeta, now: Date): Promise<never> {
  const lockedUntil = await db.transaction().execute(async (trx) => {
    const audit = [failureAudit(meta, name, 'bad_credentials', user?.mission_id)];
    let end: Date | null = null;
    for (const s of subjects) {
      const rule = ruleFor(s.kind);
      const row = await repo.recordFailure(trx, s, rule, now);
      const until = repo.latestLock([row], now);
      if (until && (!end || until > end)) end = until;
      if (until && row.failures === rule.maxFailures) audit.push(lockoutAudit(meta, s, row.failures, until, s.kind === 'username' ? user?.mission_id : undefined));
    }
    if (audit.length > 1) await repo.pruneThrottle(trx, now, LOGIN_THROTTLE.forgetAfterMs);
    await writeAudit(trx, audit);
    return end;
  });
  if (lockedUntil) throw lockedError(lockedUntil, now);
  throw new AppError('auth.invalid_credentials');
}

const lockoutAudit = (meta: LoginMeta, s: Subjects[number], failures: number, until: Date, missionId?: string) =>
  auditRow({ actor: null, ...meta }, { action: 'auth.lockout', targetType: s.kind, details: { [s.kind]: s.subject, failures, locked_until: until.toISOString() } }, missionId);

/**
 * Refused without looking at the password. Still audited, and still a failure of the address (unless
 * the address is itself the lock), so spraying guesses over locked names also runs out the address.
 */
async function refuseLocked(db: Kysely<DB>, name: string, subjects: Subjects, user: repo.UserRow | undefined, meta: LoginMeta, counters: repo.ThrottleRow[], now: Date): Promise<never> {
  const lockedUntil = repo.latestLock(counters, now)!;
  const address = subjects.find((s) => s.kind === 'address');
  const addressLocked = counters.some((c) => c.subject_kind === 'address' && repo.latestLock([c], now));
  await db.transaction().execute(async (trx) => {
    const audit = [failureAudit(meta, name, 'locked', user?.mission_id)];
    if (address && !addressLocked) {
      const rule = ruleFor('address');
      const row = await repo.recordFailure(trx, address, rule, now);
      const until = repo.latestLock([row], now);
      if (until && row.failures === rule.maxFailures) audit.push(lockoutAudit(meta, address, row.failures, until));
    }
    await writeAudit(trx, audit);
  });
  throw lockedError(lockedUntil, now);
}

function lockedError(until: Date, now: Date): AppError {
  return new AppError('auth.locked', { rule: 'too many failed logins: wait before trying again', retry_after_seconds: retryAfterSeconds(until, now) });
}

/** Resolves a bearer token to its actor. Unknown, expired and revoked tokens are indistinguishable. */
export async function authenticate(db: Kysely<DB>, token: string): Promise<{ actor: Actor; mustChangePassword: boolean }> {
  ensure(token.startsWith(TOKEN_PREFIX) && token.length < 200, 'auth.session_invalid');
  const tokenHash = digest(token);
  const cache = sessionCacheFor<LiveSession>(db);
  const key = tokenHash.toString('base64');
  let row = cache.get(key);
  if (!row) {
    const generation = cache.generation;
    row = await repo.findLiveSession(db, tokenHash, new Date());
    ensure(row, 'auth.session_invalid');
    cache.set(key, row, new Date(row.expires_at).getTime(), generation);
  }
  return {
    actor: {
      userId: row.user_id, missionId: row.mission_id, username: row.username, role: row.role as Role, sessionId: row.session_id,
      scope: { country: row.scope_country, areas: row.scope_areas, agency: row.scope_agency },
    },
    mustChangePassword: row.must_change_password,
  };
}

export async function logout(db: Kysely<DB>, ctx: RequestContext): Promise<void> {
  await runUnitOfWork(db, ctx, 'write', async (uow) => {
    ensure(ctx.actor.sessionId, 'auth.session_invalid');
    await repo.revokeSession(uow.trx, ctx.actor.missionId, ctx.actor.sessionId, new Date());
    uow.audit({ action: 'auth.logout', targetType: 'session', targetId: ctx.actor.sessionId });
  });
  forgetSessions(db);
}

/** Ends every session of the caller, this one included (a lost or shared device). */
export async function logoutAll(db: Kysely<DB>, ctx: RequestContext, now = new Date()): Promise<{ revoked_sessions: number }> {
  const revoked = await runUnitOfWork(db, ctx, 'write', async (uow) => {
    const n = await repo.revokeAllSessions(uow.trx, ctx.actor.missionId, ctx.actor.userId, now);
    uow.audit({ action: 'auth.logout_all', targetType: 'user', targetId: ctx.actor.userId, details: { revoked_sessions: n } });
    return n;
  });
  forgetSessions(db);
  return { revoked_sessions: revoked };
}

/** An admin ends every session of an account of their own mission (a seized device, a departure). */
export async function revokeUserSessions(db: Kysely<DB>, ctx: RequestContext, userId: string, now = new Date()): Promise<{ revoked_sessions: number }> {
  authorizeAccounts(ctx.actor, 'user.revoke_sessions');
  const revoked = await runUnitOfWork(db, ctx, 'write', async (uow) => {
    const user = await repo.findUser(uow.trx, ctx.actor.missionId, userId);
    ensure(user, 'record.not_found', { field: 'user_id' });
    const n = await repo.revokeAllSessions(uow.trx, user.mission_id, user.user_id, now);
    uow.audit({ action: 'user.sessions_revoke', targetType: 'user', targetId: user.user_id, details: { revoked_sessions: n } });
    return n;
  });
  forgetSessions(db);
  return { revoked_sessions: revoked };
}

/** After a committed change to sessions or passwords: cleared after commit, so no request re-caches the old state. */
function forgetSessions(db: Kysely<DB>): void {
  sessionCacheFor(db).clear();
}

export async function changePassword(db: Kysely<DB>, ctx: RequestContext, current: string, next: string): Promise<void> {
  checkPasswordRules(next, 'new_password', ctx.actor.username);
  ensure(next !== current, 'auth.password_rejected', { field: 'new_password', rule: 'must differ from the current password' });
  const user = await repo.findUser(db, ctx.actor.missionId, ctx.actor.userId);
  if (!user || !(await verifyPassword(user.password_hash, current))) {
    throw new AppError('auth.invalid_credentials', { field: 'current_password' });
  }
  const newHash = await hashPassword(next);
  await runUnitOfWork(db, ctx, 'write', async (uow) => {
    await repo.setPassword(uow.trx, user.mission_id, user.user_id, newHash, false);
    // Whoever else held a session on the old password loses it.
    await repo.revokeOtherSessions(uow.trx, user.mission_id, user.user_id, ctx.actor.sessionId, new Date());
    uow.audit({ action: 'user.password_change', targetType: 'user', targetId: user.user_id });
  });
  forgetSessions(db);
}

export async function createUser(db: Kysely<DB>, ctx: RequestContext, input: CreateUserInput): Promise<{ user: UserView; one_time_password?: string }> {
  authorizeAccounts(ctx.actor, 'user.create');
  const oneTime = input.password === undefined ? generatePassword() : undefined;
  const password = input.password ?? oneTime!;
  checkPasswordRules(password, 'password', input.username);
  const passwordHash = await hashPassword(password);
  return runUnitOfWork(db, ctx, 'write', async (uow) => {
    const missionId = ctx.actor.missionId;
    if (input.scope.country) {
      const country = await uow.trx.selectFrom('countries').select('iso3').where('mission_id', '=', missionId).where('iso3', '=', input.scope.country).executeTakeFirst();
      ensure(country, 'reference.unknown_country', { field: 'scope.country', rule: `${input.scope.country} is not a country of mission ${missionId}` });
    }
    if (input.scope.areas.length > 0) {
      const known = await uow.trx.selectFrom('admin_areas').select('pcode').where('mission_id', '=', missionId).where('pcode', 'in', input.scope.areas).execute();
      const missing = input.scope.areas.filter((a) => !known.some((k) => k.pcode === a));
      ensure(missing.length === 0, 'reference.unknown_admin_area', { field: 'scope.areas', rule: `unknown P-codes: ${missing.join(', ')}` });
    }
    const existing = await repo.findUserByUsername(uow.trx, input.username);
    ensure(!existing, 'account.username_taken', { field: 'username' });
    const row = await repo.insertUser(uow.trx, {
      mission_id: missionId, user_id: randomUUID(), username: input.username, display_name: input.display_name, role: input.role,
      scope_country: input.scope.country, scope_areas: input.scope.areas, scope_agency: input.scope.agency,
      password_hash: passwordHash, must_change_password: oneTime !== undefined,
    });
    uow.audit({ action: 'user.create', targetType: 'user', targetId: row.user_id, details: { username: row.username, role: row.role, scope: input.scope } });
    return { user: presentUser(row), ...(oneTime ? { one_time_password: oneTime } : {}) };
  });
}

export async function resetPassword(db: Kysely<DB>, ctx: RequestContext, username: string): Promise<string> {
  authorizeAccounts(ctx.actor, 'user.create');
  const oneTime = generatePassword();
  const passwordHash = await hashPassword(oneTime);
  await runUnitOfWork(db, ctx, 'write', async (uow) => {
    const user = await repo.findUserByUsername(uow.trx, username);
    ensure(user && user.mission_id === ctx.actor.missionId, 'record.not_found', { field: 'username' });
    await repo.setPassword(uow.trx, user.mission_id, user.user_id, passwordHash, true);
    await repo.revokeOtherSessions(uow.trx, user.mission_id, user.user_id, undefined, new Date());
    uow.audit({ action: 'user.password_reset', targetType: 'user', targetId: user.user_id });
  });
  forgetSessions(db);
  return oneTime;
}

export async function listUsers(db: Kysely<DB>, ctx: RequestContext): Promise<UserView[]> {
  authorizeAccounts(ctx.actor, 'user.list');
  return (await repo.listUsers(db, ctx.actor.missionId)).map(presentUser);
}

function toActor(user: repo.UserRow, sessionId: string): Actor {
  return {
    userId: user.user_id, missionId: user.mission_id, username: user.username, role: user.role as Role, sessionId,
    scope: { country: user.scope_country, areas: user.scope_areas, agency: user.scope_agency },
  };
}
