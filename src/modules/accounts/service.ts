import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { auditRow, writeAudit } from '../../platform/audit.ts';
import type { Actor, RequestContext, Role } from '../../platform/context.ts';
import type { DB } from '../../platform/db/schema.ts';
import { runUnitOfWork } from '../../platform/db/unit-of-work.ts';
import { fieldCrypto } from '../../platform/crypto/field-crypto.ts';
import { AppError, ensure } from '../../platform/errors.ts';
import { LOGIN_THROTTLE, retryAfterSeconds, ruleFor, throttleSubjects } from './login-throttle.ts';
import { checkPasswordRules, generatePassword, hashPassword, verifyPassword } from './passwords.ts';
import { authorizeAccounts } from './policy.ts';
import { presentUser } from './presenter.ts';
import * as repo from './repository.ts';
import { sessionCacheFor } from './session-cache.ts';
import type { CreateUserInput, UserView } from './schema.ts';
import { ACCOUNTS_KEY_PURPOSE, matchTotpStep, newTotpSecret, requiresSecondFactor, totpSealContext } from './two-factor.ts';
import { tellPeers } from '../../platform/peers.ts';

type LiveSession = NonNullable<Awaited<ReturnType<typeof repo.findLiveSession>>>;

export interface LoginMeta { clientAddress: string | null; requestId: string | null }

const TOKEN_PREFIX = 'tut_';
const digest = (token: string) => createHash('sha256').update(token).digest();

export interface LoginInput {
  username: string;
  password: string;
  /** The 6-digit code of the authenticator app, once the account has enrolled a second factor. */
  totp_code?: string | undefined;
  /** `cookie` for the web app: the token goes into an HttpOnly cookie and unsafe requests need the CSRF token. */
  session?: 'bearer' | 'cookie' | undefined;
}

/**
 * Logs in, throttled per login name and per client address (login-throttle.ts). A locked name or
 * address is refused before the password hash is computed. The happy path costs two small indexed
 * reads: before the hash, and again in the session's transaction, so a burst of parallel guesses
 * cannot slip a right password past a lock that one of its wrong ones has just set. A wrong or
 * replayed second-factor code counts as a failed login like a wrong password. `now` is injectable so
 * tests can step past a lock.
 */
export interface SessionRules { sessionTtlMs: number; totpWindowSteps: number }

export async function login(db: Kysely<DB>, rules: SessionRules, input: LoginInput, meta: LoginMeta, now = new Date()) {
  const name = input.username.trim().toLowerCase();
  const subjects = throttleSubjects(name, meta.clientAddress);
  const [user, counters] = await Promise.all([repo.findUserByUsername(db, name), repo.findThrottleRows(db, subjects)]);
  const lockedUntil = repo.latestLock(counters, now);
  if (lockedUntil) return refuseLocked(db, name, subjects, user, meta, counters, now);

  const ok = await verifyPassword(user?.disabled_at ? undefined : user?.password_hash, input.password);
  if (!ok || !user) return recordLoginFailure(db, name, subjects, user, meta, now);

  const step = await checkSecondFactor(db, user, input.totp_code, now, rules.totpWindowSteps);
  if (step === 'missing') throw new AppError('auth.second_factor_required', { field: 'totp_code' });
  if (step === 'wrong') return recordLoginFailure(db, name, subjects, user, meta, now, 'bad_second_factor');
  if (step === 'replayed') return recordLoginFailure(db, name, subjects, user, meta, now, 'second_factor_replayed');

  const token = TOKEN_PREFIX + randomBytes(32).toString('base64url');
  const sessionId = randomUUID();
  const expiresAt = new Date(now.getTime() + rules.sessionTtlMs);
  const transport = input.session ?? 'bearer';
  const outcome = await db.transaction().execute(async (trx) => {
    const current = await repo.findThrottleRows(trx, subjects);
    if (repo.latestLock(current, now)) return { locked: current };
    if (step !== 'none' && !(await repo.consumeTotpStep(trx, user.mission_id, user.user_id, step))) return { replayed: true };
    if (current.some((c) => c.subject_kind === 'username')) await repo.clearFailures(trx, subjects[0]!, now);
    await repo.insertSession(trx, {
      mission_id: user.mission_id, session_id: sessionId, user_id: user.user_id, token_hash: digest(token), expires_at: expiresAt,
      client_address: meta.clientAddress, second_factor: step !== 'none', transport,
    });
    await writeAudit(trx, [auditRow({ actor: toActor(user, sessionId), ...meta }, { action: 'auth.login', targetType: 'session', targetId: sessionId, details: { second_factor: step !== 'none', transport } })]);
    return {};
  });
  if (outcome.locked) return refuseLocked(db, name, subjects, user, meta, outcome.locked, now);
  if (outcome.replayed) return recordLoginFailure(db, name, subjects, user, meta, now, 'second_factor_replayed');
  return {
    token, expires_at: expiresAt.toISOString(), transport,
    password_change_required: user.must_change_password,
    second_factor_enrolment_required: step === 'none' && requiresSecondFactor(user.role),
    user: presentUser(user),
  };
}

/**
 * 'none' when the account has no second factor yet; the step of the code otherwise. A step not later
 * than the last accepted one is a replay, refused like a wrong code but audited as what it is.
 */
async function checkSecondFactor(db: Kysely<DB>, user: repo.UserRow, code: string | undefined, now: Date, windowSteps: number): Promise<number | 'none' | 'missing' | 'wrong' | 'replayed'> {
  if (!user.totp_enabled_at || !user.totp_secret) return 'none';
  if (!code) return 'missing';
  const secret = await fieldCrypto(db).open(user.mission_id, user.totp_secret, totpSealContext(user.user_id));
  const step = matchTotpStep(secret, code.trim(), now, windowSteps);
  if (step === null) return 'wrong';
  return step > Number(user.totp_last_step) ? step : 'replayed';
}

type Subjects = ReturnType<typeof throttleSubjects>;
type FailureReason = 'bad_credentials' | 'bad_second_factor' | 'second_factor_replayed';
const failureAudit = (meta: LoginMeta, name: string, reason: FailureReason | 'locked', missionId?: string) =>
  auditRow({ actor: null, ...meta }, { action: 'auth.login_failed', targetType: 'user', details: { username: name, reason } }, missionId);

/**
 * A wrong password (or unknown name, or disabled account): every counter of the attempt goes up in one
 * transaction with its audit rows; the failure that reaches a limit also records the lockout and answers
 * 429 at once. Known and unknown names take the same path, so the answers cannot tell them apart.
 */
async function recordLoginFailure(db: Kysely<DB>, name: string, subjects: Subjects, user: repo.UserRow | undefined, meta: LoginMeta, now: Date,
  reason: FailureReason = 'bad_credentials'): Promise<never> {
  const lockedUntil = await db.transaction().execute(async (trx) => {
    const audit = [failureAudit(meta, name, reason, user?.mission_id)];
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
  if (reason === 'bad_credentials') throw new AppError('auth.invalid_credentials');
  throw new AppError('auth.invalid_credentials', { field: 'totp_code', rule: reason === 'second_factor_replayed'
    ? 'this code was already used: wait for the next one' : 'the code does not match: check the phone\'s clock and the account in the app' });
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

/** What a session must do before anything else: change a one-time password, then enrol a second factor. */
export type PendingSetup = 'password_change' | 'second_factor_enrolment' | null;

/** Resolves a session token to its actor. Unknown, expired and revoked tokens are indistinguishable. */
export async function authenticate(db: Kysely<DB>, token: string): Promise<{ actor: Actor; pending: PendingSetup; transport: 'bearer' | 'cookie' }> {
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
  const pending: PendingSetup = row.must_change_password ? 'password_change'
    : !row.second_factor && requiresSecondFactor(row.role) ? 'second_factor_enrolment' : null;
  return {
    actor: {
      userId: row.user_id, missionId: row.mission_id, username: row.username, role: row.role as Role, sessionId: row.session_id,
      scope: { country: row.scope_country, areas: row.scope_areas, agency: row.scope_agency },
    },
    pending,
    transport: row.transport,
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
export function forgetSessions(db: Kysely<DB>, tell = true): void {
  // The other server processes of this install clear theirs too (platform/peers.ts).
  if (tell) tellPeers({ tutela: 'forget-sessions' });
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

/**
 * Starts (or restarts) enrolment of a TOTP second factor: a new secret, sealed in the store, shown
 * once to be scanned. It guards nothing until `confirmSecondFactor` proves the phone has it.
 */
export async function startSecondFactorEnrolment(db: Kysely<DB>, ctx: RequestContext): Promise<{ secret: string; otpauth_uri: string }> {
  const { actor } = ctx;
  await fieldCrypto(db).ensureKey(actor.missionId, ACCOUNTS_KEY_PURPOSE);
  return runUnitOfWork(db, ctx, 'write', async (uow) => {
    const user = await repo.findUser(uow.trx, actor.missionId, actor.userId);
    ensure(user, 'auth.session_invalid');
    ensure(!user.totp_enabled_at, 'auth.second_factor_already_enabled', { rule: 'ask an admin to reset it if the phone is lost' });
    const { secret, uri } = newTotpSecret(user.username, user.mission_id);
    const sealed = fieldCrypto(db).seal(user.mission_id, ACCOUNTS_KEY_PURPOSE, secret, totpSealContext(user.user_id));
    await repo.setTotpSecret(uow.trx, user.mission_id, user.user_id, sealed);
    uow.audit({ action: 'auth.second_factor_enrolment_started', targetType: 'user', targetId: user.user_id });
    return { secret, otpauth_uri: uri };
  });
}

/** Proves the phone holds the secret; from then on every login needs a code, and this session counts as proved. */
export async function confirmSecondFactor(db: Kysely<DB>, ctx: RequestContext, code: string, windowSteps: number, now = new Date()): Promise<void> {
  const { actor } = ctx;
  await runUnitOfWork(db, ctx, 'write', async (uow) => {
    const user = await repo.findUser(uow.trx, actor.missionId, actor.userId);
    ensure(user, 'auth.session_invalid');
    ensure(!user.totp_enabled_at, 'auth.second_factor_already_enabled');
    ensure(user.totp_secret, 'auth.second_factor_invalid', { field: 'code', rule: 'start enrolment first (POST /api/v1/auth/second-factor/enrol)' });
    const secret = await fieldCrypto(db).open(user.mission_id, user.totp_secret, totpSealContext(user.user_id), uow.trx);
    const step = matchTotpStep(secret, code.trim(), now, windowSteps);
    ensure(step !== null, 'auth.second_factor_invalid', { field: 'code', rule: 'the code does not match: scan the new QR code and check the phone\'s clock' });
    await repo.enableTotp(uow.trx, user.mission_id, user.user_id, step, now);
    if (actor.sessionId) {
      await repo.markSessionSecondFactor(uow.trx, user.mission_id, actor.sessionId);
      // Sessions opened on the password alone end: from now on the account is two-factor only.
      await repo.revokeOtherSessions(uow.trx, user.mission_id, user.user_id, actor.sessionId, now);
    }
    uow.audit({ action: 'auth.second_factor_enabled', targetType: 'user', targetId: user.user_id });
  });
  forgetSessions(db);
}

/** A lost phone: an admin removes the second factor and ends every session; the next login enrols anew. */
export async function resetSecondFactor(db: Kysely<DB>, ctx: RequestContext, userId: string, now = new Date()): Promise<{ revoked_sessions: number }> {
  authorizeAccounts(ctx.actor, 'user.reset_second_factor');
  const revoked = await runUnitOfWork(db, ctx, 'write', async (uow) => {
    const user = await repo.findUser(uow.trx, ctx.actor.missionId, userId);
    ensure(user, 'record.not_found', { field: 'user_id' });
    await repo.setTotpSecret(uow.trx, user.mission_id, user.user_id, null);
    const n = await repo.revokeAllSessions(uow.trx, user.mission_id, user.user_id, now);
    uow.audit({ action: 'user.second_factor_reset', targetType: 'user', targetId: user.user_id, details: { revoked_sessions: n } });
    return n;
  });
  forgetSessions(db);
  return { revoked_sessions: revoked };
}
