import type { Kysely } from 'kysely';
import { fieldCrypto, SealedFieldShredded, type RecordKeyRow } from '../../platform/crypto/field-crypto.ts';
import { preparePseudonyms } from '../../platform/crypto/pseudonyms.ts';
import type { DB } from '../../platform/db/schema.ts';
import { childIdentityIndex } from '../mrm/sealed-fields.ts';
import type { CaseCreateInput } from './schema.ts';

/**
 * A child's identity in a case: sealed under a key of the case's own (so one child's record can be
 * crypto-shredded alone), and indexed with the same blind index as MRM victims so a child recorded in
 * an incident is found from the case, and a released child's re-recruitment is seen.
 */
const PURPOSE = 'cases';
export type ChildIdentity = CaseCreateInput['child'];
const identityContext = (caseId: string) => `cases/${caseId}/identity`;

/** Before any transaction that seals case identities or computes their index. */
export async function prepareCaseSealing(db: Kysely<DB>, missionId: string): Promise<void> {
  await Promise.all([fieldCrypto(db).ensureKey(missionId, PURPOSE), preparePseudonyms(db, missionId)]);
}

/** The birth date as the index takes it (MRM's `date_of_birth`): the date as known, or none for an estimate. */
const indexedBirthDate = (child: ChildIdentity) => ('date' in child.birth ? child.birth.date : null);

export function sealChildIdentity(db: Kysely<DB>, missionId: string, caseId: string, child: ChildIdentity): { identity_sealed: Buffer; identity_index: string; keyRow: RecordKeyRow } {
  const sealer = fieldCrypto(db).recordSealer(missionId, PURPOSE, 'child_case', `cases/${caseId}`);
  return {
    identity_sealed: sealer.seal(JSON.stringify(child), identityContext(caseId)),
    identity_index: childIdentityIndex(db, missionId, child.full_name, indexedBirthDate(child)),
    keyRow: sealer.row,
  };
}

/** The opened identity; null when none was recorded or its key was shredded. `q` is the open transaction. */
export async function openChildIdentity(db: Kysely<DB>, missionId: string, caseId: string, sealed: Buffer | Uint8Array | null, q: Kysely<DB>): Promise<ChildIdentity | null> {
  if (!sealed) return null;
  try {
    return JSON.parse(await fieldCrypto(db).open(missionId, sealed, identityContext(caseId), q)) as ChildIdentity;
  } catch (err) {
    if (err instanceof SealedFieldShredded) return null;
    throw err;
  }
}

/** Age in whole years on `asOf` from a (partial) birth date or an estimate; a partial date counts from its start. */
export function ageOn(child: ChildIdentity, asOf: Date): number | null {
  if ('age_estimate' in child.birth) return child.birth.age_estimate;
  const [y, m = '01', d = '01'] = child.birth.date.split('-');
  const born = new Date(`${y}-${m}-${d}T00:00:00Z`);
  let years = asOf.getUTCFullYear() - born.getUTCFullYear();
  if (asOf.getUTCMonth() < born.getUTCMonth() || (asOf.getUTCMonth() === born.getUTCMonth() && asOf.getUTCDate() < born.getUTCDate())) years--;
  return years;
}
