import { sql, type Kysely, type Selectable, type Transaction } from 'kysely';
import type { DB, UsersTable } from '../../platform/db/schema.ts';

export type UserRow = Selectable<UsersTable>;
type Q = Kysely<DB> | Transaction<DB>;

export function findUserByUsername(db: Q, username: string): Promise<UserRow | undefined> {
  return db.selectFrom('users').selectAll().where('username', '=', username).executeTakeFirst();
}

export function findUser(db: Q, missionId: string, userId: string): Promise<UserRow | undefined> {
  return db.selectFrom('users').selectAll().where('mission_id', '=', missionId).where('user_id', '=', userId).executeTakeFirst();
}

export function listUsers(db: Q, missionId: string): Promise<UserRow[]> {
  return db.selectFrom('users').selectAll().where('mission_id', '=', missionId).orderBy('username').execute();
}

export async function insertUser(db: Q, row: Omit<UserRow, 'created_at' | 'disabled_at' | 'totp_secret' | 'totp_enabled_at' | 'totp_last_step'>): Promise<UserRow> {
  return db.insertInto('users').values(row).returningAll().executeTakeFirstOrThrow();
}

export async function setPassword(db: Q, missionId: string, userId: string, passwordHash: string, mustChange: boolean): Promise<void> {
  await db.updateTable('users')
    .set({ password_hash: passwordHash, must_change_password: mustChange })
    .where('mission_id', '=', missionId).where('user_id', '=', userId)
    .execute();
}

export async function insertSession(db: Q, row: {
  mission_id: string; session_id: string; user_id: string; token_hash: Buffer; expires_at: Date; client_address: string | null;
  second_factor: boolean; transport: 'bearer' | 'cookie';
}): Promise<void> {
  await db.insertInto('sessions').values(row).execute();
}

/** The live session for a token digest, with its user, in one query: this runs on every request. */
export function findLiveSession(db: Q, tokenHash: Buffer, now: Date) {
  return db.selectFrom('sessions as s')
    .innerJoin('users as u', (j) => j.onRef('u.mission_id', '=', 's.mission_id').onRef('u.user_id', '=', 's.user_id'))
    .select(['s.session_id', 's.mission_id', 's.expires_at', 's.second_factor', 's.transport',
      'u.user_id', 'u.username', 'u.role', 'u.scope_country', 'u.scope_areas', 'u.scope_agency', 'u.must_change_password'])
    .where('s.token_hash', '=', tokenHash)
    .where('s.revoked_at', 'is', null)
    .where('s.expires_at', '>', now)
    .where('u.disabled_at', 'is', null)
    .executeTakeFirst();
}

export async function revokeSession(db: Q, missionId: string, sessionId: string, now: Date): Promise<void> {
  await db.updateTable('sessions').set({ revoked_at: now })
    .where('mission_id', '=', missionId).where('session_id', '=', sessionId).where('revoked_at', 'is', null)
    .execute();
}

export async function revokeOtherSessions(db: Q, missionId: string, userId: string, keepSessionId: string | undefined, now: Date): Promise<void> {
  await db.updateTable('sessions').set({ revoked_at: now })
    .where('mission_id', '=', missionId).where('user_id', '=', userId).where('revoked_at', 'is', null)
    .$if(keepSessionId !== undefined, (q) => q.where('session_id', '!=', keepSessionId!))
    .execute();
}

/* ---------- second factor (migration 20261125044000_two_factor) ---------- */

/**
 * Accepts a TOTP step only if it is later than the last one accepted, atomically: of two logins racing
 * with the same code, one wins and the other finds no row. True when this step was accepted.
 */
export async function consumeTotpStep(db: Q, missionId: string, userId: string, step: number): Promise<boolean> {
  const row = await db.updateTable('users').set({ totp_last_step: String(step) })
    .where('mission_id', '=', missionId).where('user_id', '=', userId)
    .where('totp_last_step', '<', String(step))
    .returning('user_id').executeTakeFirst();
  return row !== undefined;
}

export async function setTotpSecret(db: Q, missionId: string, userId: string, sealed: Buffer | null): Promise<void> {
  await db.updateTable('users').set({ totp_secret: sealed, totp_enabled_at: null })
    .where('mission_id', '=', missionId).where('user_id', '=', userId).execute();
}

export async function enableTotp(db: Q, missionId: string, userId: string, step: number, now: Date): Promise<void> {
  await db.updateTable('users').set({ totp_enabled_at: now, totp_last_step: String(step) })
    .where('mission_id', '=', missionId).where('user_id', '=', userId).execute();
}

export async function markSessionSecondFactor(db: Q, missionId: string, sessionId: string): Promise<void> {
  await db.updateTable('sessions').set({ second_factor: true })
    .where('mission_id', '=', missionId).where('session_id', '=', sessionId).execute();
}

/* ---------- login throttle (table from migration 20261125041000_login_throttle) ---------- */

/** Its row type lives here, beside its only user, until platform/db/schema.ts takes it in. */
export interface LoginThrottleTable {
  subject_kind: 'username' | 'address';
  subject: string;
  failures: number;
  window_started_at: Date;
  last_failure_at: Date;
  locked_until: Date | null;
}
type ThrottleDB = DB & { login_throttle: LoginThrottleTable };
export type ThrottleSubject = { kind: LoginThrottleTable['subject_kind']; subject: string };
export type ThrottleRow = Pick<LoginThrottleTable, 'subject_kind' | 'subject' | 'failures' | 'locked_until'>;

const withThrottle = (db: Q) => db.$extendTables<{ login_throttle: LoginThrottleTable }>() as Kysely<ThrottleDB>;

/** The counters of a login attempt's name and address, in one indexed read (the only cost on the happy path). */
export function findThrottleRows(db: Q, subjects: ThrottleSubject[]): Promise<ThrottleRow[]> {
  return withThrottle(db).selectFrom('login_throttle')
    .select(['subject_kind', 'subject', 'failures', 'locked_until'])
    .where((eb) => eb.or(subjects.map((s) => eb.and([eb('subject_kind', '=', s.kind), eb('subject', '=', s.subject)]))))
    .execute();
}

export interface FailureRule { maxFailures: number; windowMs: number; lockMs: number }

/**
 * Counts one failure, atomically (one upsert: concurrent failures from several processes all count).
 * A window that has run out, or a lock that has ended, starts the count again at 1; the failure that
 * reaches `maxFailures` sets the lock. The clock is the caller's, so tests need not wait.
 */
export async function recordFailure(db: Q, s: ThrottleSubject, rule: FailureRule, now: Date): Promise<ThrottleRow> {
  const restart = sql<boolean>`(login_throttle.window_started_at <= ${new Date(now.getTime() - rule.windowMs)}
    or login_throttle.locked_until <= ${now})`;
  const count = sql<number>`case when ${restart} then 1 else login_throttle.failures + 1 end`;
  const lockUntil = new Date(now.getTime() + rule.lockMs);
  return withThrottle(db).insertInto('login_throttle')
    .values({
      subject_kind: s.kind, subject: s.subject, failures: 1, window_started_at: now, last_failure_at: now,
      locked_until: rule.maxFailures <= 1 ? lockUntil : null,
    })
    .onConflict((oc) => oc.columns(['subject_kind', 'subject']).doUpdateSet({
      failures: count,
      window_started_at: sql<Date>`case when ${restart} then ${now} else login_throttle.window_started_at end`,
      last_failure_at: now,
      // A lock still running is kept as it is: failing again while locked does not lengthen it.
      locked_until: sql<Date | null>`case when login_throttle.locked_until > ${now} then login_throttle.locked_until
        when ${count} >= ${rule.maxFailures} then ${lockUntil} else null end`,
    }))
    .returning(['subject_kind', 'subject', 'failures', 'locked_until'])
    .executeTakeFirstOrThrow();
}

/** A success forgets the name's failures, unless a lock set meanwhile by a concurrent failure is running. */
export async function clearFailures(db: Q, s: ThrottleSubject, now: Date): Promise<void> {
  await withThrottle(db).deleteFrom('login_throttle')
    .where('subject_kind', '=', s.kind).where('subject', '=', s.subject)
    .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<=', now)]))
    .execute();
}

/** The latest lock end among `subjects` still running at `now`, read inside the login's transaction. */
export async function runningLockEnd(db: Q, subjects: ThrottleSubject[], now: Date): Promise<Date | null> {
  const rows = await findThrottleRows(db, subjects);
  return latestLock(rows, now);
}

export function latestLock(rows: ThrottleRow[], now: Date): Date | null {
  let end: Date | null = null;
  for (const r of rows) {
    const until = r.locked_until && new Date(r.locked_until);
    if (until && until > now && (!end || until > end)) end = until;
  }
  return end;
}

/** Rows nobody failed on for `olderThanMs` (every lock has ended by then). Occasional housekeeping. */
export async function pruneThrottle(db: Q, now: Date, olderThanMs: number): Promise<void> {
  const cutoff = new Date(now.getTime() - olderThanMs);
  await withThrottle(db).deleteFrom('login_throttle').where('last_failure_at', '<', cutoff)
    .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<=', now)]))
    .execute();
}

/** Revokes every live session of a user; returns how many were live. */
export async function revokeAllSessions(db: Q, missionId: string, userId: string, now: Date): Promise<number> {
  const rows = await db.updateTable('sessions').set({ revoked_at: now })
    .where('mission_id', '=', missionId).where('user_id', '=', userId)
    .where('revoked_at', 'is', null).where('expires_at', '>', now)
    .returning('session_id')
    .execute();
  return rows.length;
}
