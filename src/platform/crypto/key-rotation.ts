import { randomBytes, randomUUID } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import { auditRow, writeAudit } from '../audit.ts';
import { systemContext } from '../context.ts';
import type { DB } from '../db/schema.ts';
import { fieldCrypto, MasterKeyMismatch, unwrapDataKey } from './field-crypto.ts';
import { PSEUDONYM_KEY_PURPOSE } from './pseudonyms.ts';
import type { KeyProvider } from './key-provider.ts';

/**
 * Key management for sealed fields: re-wrapping every data key under a new master key, retiring data
 * keys, and crypto-shredding a mission's keys. Each operation is one transaction with its audit rows.
 *
 * These functions update this process's FieldCrypto. Another process holding the same store open (a
 * server on PostgreSQL) keeps its cached keys until it restarts: stop servers before running them.
 */

/** Refused before anything changed; the message is for the operator. */
export class KeyOperationRefused extends Error {
  override readonly name = 'KeyOperationRefused';
}

export interface MasterRotationResult {
  dataKeys: number;
  missions: number;
  from: string;
  to: string;
}

/**
 * Re-wraps every data key (all missions, active and retired) from `current` to `next`, in one
 * transaction, recording `next.id` as each key's master_key_id. Refused, with nothing changed, when
 * any stored key does not unwrap with `current`.
 */
export async function rotateMasterKey(db: Kysely<DB>, current: KeyProvider, next: KeyProvider): Promise<MasterRotationResult> {
  if (current.id === next.id) throw new KeyOperationRefused(`the new master key is the current one (${current.id}): give a different key`);
  const result = await db.transaction().execute(async (trx) => {
    // Lock the whole table: a data key created while we re-wrap would stay under the old master key.
    await sql`lock table data_keys in share row exclusive mode`.execute(trx);
    const rows = await trx.selectFrom('data_keys').select(['mission_id', 'key_id', 'wrapped', 'master_key_id']).execute();
    const failed: MasterKeyMismatch[] = [];
    const rewrapped: { mission_id: string; key_id: string; wrapped: Buffer }[] = [];
    for (const row of rows) {
      try {
        rewrapped.push({ mission_id: row.mission_id, key_id: row.key_id, wrapped: next.wrap(unwrapDataKey(current, row)) });
      } catch (err) {
        if (!(err instanceof MasterKeyMismatch)) throw err;
        failed.push(err);
      }
    }
    if (failed.length > 0) {
      const wrappedBy = [...new Set(failed.map((f) => f.wrappedBy))].join(', ');
      throw new KeyOperationRefused(`the current master key (${current.id}) does not unwrap ${failed.length} of ${rows.length} data key(s) ` +
        `(wrapped by master key ${wrappedBy}; first: mission ${failed[0]!.missionId}, key ${failed[0]!.keyId}). ` +
        'Give the master key the store was written with (TUTELA_MASTER_KEY or TUTELA_MASTER_KEY_FILE); nothing was changed.');
    }
    for (const r of rewrapped) {
      await trx.updateTable('data_keys').set({ wrapped: r.wrapped, master_key_id: next.id })
        .where('mission_id', '=', r.mission_id).where('key_id', '=', r.key_id).execute();
    }
    const missions = new Set(rewrapped.map((r) => r.mission_id)).size;
    await writeAudit(trx, [auditRow(systemContext('*'), { action: 'keys.rotate_master', targetType: 'master_key', targetId: next.id,
      details: { from: current.id, to: next.id, data_keys: rewrapped.length, missions } })]);
    return { dataKeys: rewrapped.length, missions, from: current.id, to: next.id };
  });
  fieldCryptoOrNull(db)?.useProvider(next);
  return result;
}

export interface DataKeyRotationResult {
  /** One entry per mission and purpose whose active key was retired and replaced. */
  rotated: { missionId: string; purpose: string; retiredKeyId: string; newKeyId: string }[];
}

/**
 * Retires the active data key of each mission and purpose (or of one mission / purpose) and creates a
 * new one: new writes seal under it, old ciphertexts still open with the retired key (nothing is
 * re-encrypted). Refused when `provider` does not unwrap the keys it retires.
 */
export async function rotateDataKeys(db: Kysely<DB>, provider: KeyProvider, filter: { missionId?: string; purpose?: string } = {}): Promise<DataKeyRotationResult> {
  const rotated = await db.transaction().execute(async (trx) => {
    let q = trx.selectFrom('data_keys').select(['mission_id', 'key_id', 'purpose', 'wrapped', 'master_key_id']).where('retired_at', 'is', null);
    if (filter.missionId) q = q.where('mission_id', '=', filter.missionId);
    if (filter.purpose) q = q.where('purpose', '=', filter.purpose);
    // A pseudonym key is not rotated: a new key would give the same child a new pseudonym, and the old
    // ones could not be recomputed without opening every identity. Crypto-shredding still deletes it.
    q = q.where('purpose', '!=', PSEUDONYM_KEY_PURPOSE);
    const active = await q.orderBy('mission_id').orderBy('purpose').forUpdate().execute();
    for (const row of active) {
      try {
        unwrapDataKey(provider, row);
      } catch (err) {
        if (err instanceof MasterKeyMismatch) throw new KeyOperationRefused(`${err.message}; nothing was changed`);
        throw err;
      }
    }
    const out: DataKeyRotationResult['rotated'] = [];
    for (const row of active) {
      const newKeyId = randomUUID();
      await trx.updateTable('data_keys').set({ retired_at: new Date() }).where('mission_id', '=', row.mission_id).where('key_id', '=', row.key_id).execute();
      await trx.insertInto('data_keys').values({ mission_id: row.mission_id, key_id: newKeyId, purpose: row.purpose,
        wrapped: provider.wrap(randomBytes(32)), master_key_id: provider.id }).execute();
      out.push({ missionId: row.mission_id, purpose: row.purpose, retiredKeyId: row.key_id, newKeyId });
    }
    const byMission = new Map<string, typeof out>();
    for (const r of out) byMission.set(r.missionId, [...(byMission.get(r.missionId) ?? []), r]);
    await writeAudit(trx, [...byMission].map(([missionId, keys]) => auditRow(systemContext(missionId), { action: 'keys.rotate_data',
      targetType: 'data_keys', details: { keys: keys.map((k) => ({ purpose: k.purpose, retired: k.retiredKeyId, created: k.newKeyId })) } })));
    return out;
  });
  const fc = fieldCryptoOrNull(db);
  for (const missionId of new Set(rotated.map((r) => r.missionId))) fc?.forget(missionId);
  return { rotated };
}

export interface ShredResult {
  missionId: string;
  purpose: string | null;
  /** The deleted keys, by purpose. */
  deleted: { keyId: string; purpose: string }[];
  /** Sealed incident fields (narratives, coordinates) of the mission that can no longer be opened. */
  sealedFields: number;
}

/**
 * Crypto-shredding: deletes a mission's data keys (all purposes, or one), so every field they sealed
 * is unrecoverable while the records themselves remain. New writes to the mission get a new key.
 * Audited in the mission's trail. Then VACUUM FULL rewrites `data_keys`, so the deleted wrapped keys
 * do not stay behind as dead rows in the table's files (the write-ahead log and backups taken before
 * may still hold them, wrapped by the master key: rotate the master key afterwards and destroy the old
 * one to make those copies useless too).
 */
export async function shredMissionKeys(db: Kysely<DB>, missionId: string, purpose?: string): Promise<ShredResult> {
  const result = await db.transaction().execute(async (trx) => {
    let del = trx.deleteFrom('data_keys').where('mission_id', '=', missionId);
    if (purpose) del = del.where('purpose', '=', purpose);
    const deleted = await del.returning(['key_id', 'purpose']).execute();
    // Only MRM seals today; count what became unreadable so the operator sees the effect.
    const sealed = !purpose || purpose === 'mrm'
      ? await trx.selectFrom('incidents').select((eb) => [
        eb.fn.count<number>('narrative_confidential_sealed').as('n'), eb.fn.count<number>('coordinates_sealed').as('c')])
        .where('mission_id', '=', missionId).executeTakeFirstOrThrow()
      : { n: 0, c: 0 };
    const sealedFields = Number(sealed.n) + Number(sealed.c);
    await writeAudit(trx, [auditRow(systemContext(missionId), { action: 'keys.shred', targetType: 'data_keys',
      details: { purpose: purpose ?? null, keys: deleted.map((d) => ({ key_id: d.key_id, purpose: d.purpose })), sealed_fields: sealedFields } })]);
    return { missionId, purpose: purpose ?? null, deleted: deleted.map((d) => ({ keyId: d.key_id, purpose: d.purpose })), sealedFields };
  });
  fieldCryptoOrNull(db)?.forget(missionId);
  await sql`vacuum full data_keys`.execute(db);
  return result;
}

function fieldCryptoOrNull(db: Kysely<DB>) {
  try {
    return fieldCrypto(db);
  } catch {
    return null;
  }
}
