import type { Kysely, Selectable, Transaction } from 'kysely';
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

export async function insertUser(db: Q, row: Omit<UserRow, 'created_at' | 'disabled_at'>): Promise<UserRow> {
  return db.insertInto('users').values(row).returningAll().executeTakeFirstOrThrow();
}

export async function setPassword(db: Q, missionId: string, userId: string, passwordHash: string, mustChange: boolean): Promise<void> {
  await db.updateTable('users')
    .set({ password_hash: passwordHash, must_change_password: mustChange })
    .where('mission_id', '=', missionId).where('user_id', '=', userId)
    .execute();
}

export async function insertSession(db: Q, row: { mission_id: string; session_id: string; user_id: string; token_hash: Buffer; expires_at: Date; client_address: string | null }): Promise<void> {
  await db.insertInto('sessions').values(row).execute();
}

/** The live session for a token digest, with its user, in one query: this runs on every request. */
export function findLiveSession(db: Q, tokenHash: Buffer, now: Date) {
  return db.selectFrom('sessions as s')
    .innerJoin('users as u', (j) => j.onRef('u.mission_id', '=', 's.mission_id').onRef('u.user_id', '=', 's.user_id'))
    .select(['s.session_id', 's.mission_id', 's.expires_at', 'u.user_id', 'u.username', 'u.role', 'u.scope_country', 'u.scope_areas', 'u.scope_agency', 'u.must_change_password'])
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
