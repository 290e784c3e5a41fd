import type { Kysely } from 'kysely';
import { fieldCrypto, SealedFieldShredded, type RecordKeyRow, type RecordSealer } from '../../platform/crypto/field-crypto.ts';
import type { DB } from '../../platform/db/schema.ts';

/**
 * Which conduct fields are sealed, and how. The narrative and each victim's identity and case
 * reference never reach the store in clear. Keys belong to this module's own purpose, `sea`, so the
 * conduct data can be rotated or shredded without touching MRM (and an MRM key opens nothing here).
 * The narrative is under a key of the allegation's own; each victim under one of its own, so one
 * victim's identity can be erased alone on withdrawn consent.
 */
export const SEA_PURPOSE = 'sea';

export type SeaIdentity = { full_name: string; date_of_birth: string | null; contact: string };

const narrativeCtx = (allegationId: string) => `sea_allegations/${allegationId}/narrative`;
const identityCtx = (allegationId: string, ref: string) => `sea_allegations/${allegationId}/victims/${ref}/identity`;
const caseRefCtx = (allegationId: string, ref: string) => `sea_allegations/${allegationId}/victims/${ref}/case_ref`;
/** Record ids begin with the allegation id, so all of an allegation's keys are found by prefix. */
export const victimRecordId = (allegationId: string, ref: string) => `${allegationId}/${ref}`;

/** Before any transaction that seals or opens conduct fields (FieldCrypto.ensureKey). */
export const prepareSeaSealing = (db: Kysely<DB>, missionId: string) => fieldCrypto(db).ensureKey(missionId, SEA_PURPOSE);

/** Collects the record keys made while sealing; insert `keyRows` with the rows they seal. */
export function seaSealer(db: Kysely<DB>, missionId: string, allegationId: string) {
  const fc = fieldCrypto(db);
  const keyRows: RecordKeyRow[] = [];
  const victims = new Map<string, RecordSealer>();
  const victimKey = (ref: string) => {
    let s = victims.get(ref);
    if (!s) {
      s = fc.recordSealer(missionId, SEA_PURPOSE, 'sea_victim', victimRecordId(allegationId, ref));
      victims.set(ref, s);
      keyRows.push(s.row);
    }
    return s;
  };
  return {
    keyRows,
    narrative(text: string): Buffer | null {
      if (text === '') return null;
      const s = fc.recordSealer(missionId, SEA_PURPOSE, 'sea_allegation', allegationId);
      keyRows.push(s.row);
      return s.seal(text, narrativeCtx(allegationId));
    },
    identity: (ref: string, identity: SeaIdentity) => victimKey(ref).seal(JSON.stringify(identity), identityCtx(allegationId, ref)),
    caseRef: (ref: string, caseRef: string) => victimKey(ref).seal(caseRef, caseRefCtx(allegationId, ref)),
  };
}

/** Opens the conduct fields of one allegation; a shredded key reads as absent and is named. */
export function seaOpener(db: Kysely<DB>, missionId: string, allegationId: string, q: Kysely<DB>) {
  const fc = fieldCrypto(db);
  const shredded: string[] = [];
  const open = async (sealed: Buffer | Uint8Array | null, context: string, field: string): Promise<string | null> => {
    if (!sealed) return null;
    try {
      return await fc.open(missionId, sealed, context, q);
    } catch (err) {
      if (!(err instanceof SealedFieldShredded)) throw err;
      shredded.push(field);
      return null;
    }
  };
  return {
    shredded,
    narrative: (sealed: Buffer | Uint8Array | null) => open(sealed, narrativeCtx(allegationId), 'narrative'),
    identity: async (ref: string, sealed: Buffer | Uint8Array | null) => {
      const text = await open(sealed, identityCtx(allegationId, ref), `victims.${ref}.identity`);
      return text === null ? null : JSON.parse(text) as SeaIdentity;
    },
    caseRef: (ref: string, sealed: Buffer | Uint8Array | null) => open(sealed, caseRefCtx(allegationId, ref), `victims.${ref}.case_ref`),
  };
}
