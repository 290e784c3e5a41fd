import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { auditRow, writeAudit } from '../../platform/audit.ts';
import type { Actor, RequestContext, Role } from '../../platform/context.ts';
import type { DB } from '../../platform/db/schema.ts';
import { runUnitOfWork } from '../../platform/db/unit-of-work.ts';
import { AppError, ensure } from '../../platform/errors.ts';
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

export async function login(db: Kysely<DB>, ttlMs: number, username: string, password: string, meta: LoginMeta) {
  const user = await repo.findUserByUsername(db, username.trim().toLowerCase());
  const ok = await verifyPassword(user?.disabled_at ? undefined : user?.password_hash, password);
  if (!ok || !user) {
    await db.transaction().execute((trx) => writeAudit(trx, [auditRow({ actor: null, ...meta },
      { action: 'auth.login_failed', targetType: 'user', details: { username: username.slice(0, 64) } }, user?.mission_id)]));
    throw new AppError('auth.invalid_credentials');
  }
  const token = TOKEN_PREFIX + randomBytes(32).toString('base64url');
  const sessionId = randomUUID();
  const expiresAt = new Date(Date.now() + ttlMs);
  await db.transaction().execute(async (trx) => {
    await repo.insertSession(trx, { mission_id: user.mission_id, session_id: sessionId, user_id: user.user_id, token_hash: digest(token), expires_at: expiresAt, client_address: meta.clientAddress });
    await writeAudit(trx, [auditRow({ actor: toActor(user, sessionId), ...meta }, { action: 'auth.login', targetType: 'session', targetId: sessionId })]);
  });
  return { token, expires_at: expiresAt.toISOString(), password_change_required: user.must_change_password, user: presentUser(user) };
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

/** After a committed change to sessions or passwords: cleared after commit, so no request re-caches the old state. */
function forgetSessions(db: Kysely<DB>): void {
  sessionCacheFor(db).clear();
}

export async function changePassword(db: Kysely<DB>, ctx: RequestContext, current: string, next: string): Promise<void> {
  checkPasswordRules(next, 'new_password');
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
  checkPasswordRules(password);
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
