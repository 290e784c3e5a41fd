import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import { fieldCrypto } from './field-crypto.ts';

/**
 * Keyed pseudonyms and blind indexes: HMAC-SHA256 under a per-mission key (data key purpose
 * `pseudonym`) over a normalised identity key. The same child recorded in two incidents, or in an
 * incident and a case, gets the same pseudonym, so records link and exact look-ups work without
 * decrypting anything and with no name in the MRM tables. A plain hash would not do: names and birth
 * dates are few enough to guess, and anyone with the database could hash every name of a village.
 *
 * The key is never rotated (pseudonyms would change); shredding it unlinks the mission for good.
 */
export const PSEUDONYM_KEY_PURPOSE = 'pseudonym';

/** Before a transaction that computes pseudonyms (see FieldCrypto.ensureKey). */
export function preparePseudonyms(db: Kysely<DB>, missionId: string): Promise<void> {
  return fieldCrypto(db).ensureKey(missionId, PSEUDONYM_KEY_PURPOSE);
}

/**
 * The spelling-insensitive form of a name for exact matching: Unicode compatibility decomposition,
 * accents and case dropped, punctuation and particles' hyphens turned into spaces, and the parts
 * sorted so that "NGOY Kabila Dieudonné" and "Dieudonne Ngoy-Kabila" are one key. Transliteration
 * variants (Mohamed / Muhammad) are the linkage engine's work, not an exact index's.
 */
export function normaliseName(name: string): string {
  return name.normalize('NFKD').replace(/\p{M}+/gu, '').toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ').trim().split(' ').filter(Boolean).sort().join(' ');
}

/** Name and (partial) birth date as one identity key; the date as given: `YYYY-MM-DD`, `YYYY-MM` or `YYYY`. */
export function identityKey(fullName: string, dateOfBirth?: string | null): string {
  return `${normaliseName(fullName)}|${dateOfBirth ?? ''}`;
}

/**
 * The pseudonym of `key` in `kind`'s namespace (so a child's index and a source's never coincide):
 * 128 bits, URL-safe, prefixed with the scheme version so a later scheme can live beside it.
 */
export function pseudonym(db: Kysely<DB>, missionId: string, kind: string, key: string): string {
  return `p1_${fieldCrypto(db).mac(missionId, PSEUDONYM_KEY_PURPOSE, `${kind}\u0000${key}`).subarray(0, 16).toString('base64url')}`;
}
