import type { Kysely } from 'kysely';
import { fieldCrypto, SealedFieldShredded, type RecordKeyRow, type RecordSealer } from '../../platform/crypto/field-crypto.ts';
import { identityKey, preparePseudonyms, pseudonym } from '../../platform/crypto/pseudonyms.ts';
import type { DB } from '../../platform/db/schema.ts';
import type { IncidentRow, ViolationChildren } from './repository.ts';

/**
 * Which MRM fields are sealed, and how. The confidential narrative, exact coordinates and the
 * identities of victims and sources never reach the store in clear: a stolen database or seized
 * laptop shows ciphertext (domain.md §6.5).
 */
const PURPOSE = 'mrm';
type Coordinates = { latitude: number; longitude: number; precision: 'exact' | 'approximate' | 'admin_centroid' };

const ctx = (incidentId: string, field: string) => `incidents/${incidentId}/${field}`;

/** Before any transaction that seals MRM fields or computes identity indexes (see FieldCrypto.ensureKey). */
export async function prepareSealing(db: Kysely<DB>, missionId: string): Promise<void> {
  await Promise.all([fieldCrypto(db).ensureKey(missionId, PURPOSE), preparePseudonyms(db, missionId)]);
}

export type VictimIdentity = { full_name: string; date_of_birth: string | null; parents_names: string };
export type SourceIdentity = { full_name: string; contact: string };
const victimCtx = (violationId: string, ref: string) => `violations/${violationId}/victims/${ref}/identity`;
const sourceCtx = (violationId: string, ref: string) => `violations/${violationId}/sources/${ref}/identity`;

/** The index a child's identity is found by; `kind` 'child' is shared with case records (issue #8). */
export const childIdentityIndex = (db: Kysely<DB>, missionId: string, fullName: string, dateOfBirth: string | null) =>
  pseudonym(db, missionId, 'child', identityKey(fullName, dateOfBirth));

/**
 * Seals the identities of victims and sources as their rows are built (violation-graph.ts): each
 * child under a key of its own (so one child's identity can be erased alone, on withdrawn consent),
 * the sources of an incident under one key. `keyRows` are to be inserted with the rows.
 */
export interface IdentitySealer {
  victim(violationId: string, ref: string, identity: VictimIdentity): { identity_sealed: Buffer; identity_index: string };
  source(violationId: string, ref: string, identity: SourceIdentity): { identity_sealed: Buffer };
  readonly keyRows: RecordKeyRow[];
}

/** The record id of one child's key: found by the incident's prefix when the incident is shredded. */
export const victimRecordId = (incidentId: string, violationId: string, ref: string) => `${incidentId}/${violationId}/${ref}`;

export function identitySealer(db: Kysely<DB>, missionId: string, incidentId: string): IdentitySealer {
  const fc = fieldCrypto(db);
  const keyRows: RecordKeyRow[] = [];
  let sources: RecordSealer | null = null;
  const track = (s: RecordSealer) => (keyRows.push(s.row), s);
  return {
    keyRows,
    victim: (violationId, ref, identity) => ({
      identity_sealed: track(fc.recordSealer(missionId, PURPOSE, 'victim', victimRecordId(incidentId, violationId, ref)))
        .seal(JSON.stringify(identity), victimCtx(violationId, ref)),
      identity_index: childIdentityIndex(db, missionId, identity.full_name, identity.date_of_birth),
    }),
    source: (violationId, ref, identity) => ({
      identity_sealed: (sources ??= track(fc.recordSealer(missionId, PURPOSE, 'sources', incidentId))).seal(JSON.stringify(identity), sourceCtx(violationId, ref)),
    }),
  };
}

/**
 * Opens the identities of a violation's victims and sources; `q` is the open transaction. A shredded
 * key gives null, like an identity never recorded.
 */
export async function openIdentities(db: Kysely<DB>, missionId: string, children: ViolationChildren, q: Kysely<DB> = db): Promise<{
  victims: Map<string, VictimIdentity | null>; sources: Map<string, SourceIdentity | null>;
}> {
  const fc = fieldCrypto(db);
  const open = async <T>(sealed: Buffer | Uint8Array | null, context: string): Promise<T | null> => {
    if (!sealed) return null;
    try {
      return JSON.parse(await fc.open(missionId, sealed, context, q)) as T;
    } catch (err) {
      if (err instanceof SealedFieldShredded) return null;
      throw err;
    }
  };
  const victims = new Map<string, VictimIdentity | null>();
  for (const v of children.victims) victims.set(v.victim_ref, await open<VictimIdentity>(v.identity_sealed, victimCtx(v.violation_id, v.victim_ref)));
  const sources = new Map<string, SourceIdentity | null>();
  for (const s of children.sources) sources.set(s.source_ref, await open<SourceIdentity>(s.identity_sealed, sourceCtx(s.violation_id, s.source_ref)));
  return { victims, sources };
}

/**
 * The incident's sealed columns, under a fresh key of the incident's own (`keyRow`, to be inserted with
 * the change; null when nothing needed sealing). Keys of earlier versions stay until the incident is
 * shredded, which deletes them all.
 */
export function sealIncidentRecord(db: Kysely<DB>, missionId: string, incidentId: string, fields: { confidential?: string; coordinates?: Coordinates | null }) {
  let sealer: RecordSealer | null = null;
  const seal = (plaintext: string, field: string) => (sealer ??= fieldCrypto(db).recordSealer(missionId, PURPOSE, 'incident', incidentId)).seal(plaintext, ctx(incidentId, field));
  const set: Partial<Pick<IncidentRow, 'narrative_confidential_sealed' | 'coordinates_sealed' | 'narrative_confidential' | 'latitude' | 'longitude' | 'coordinate_precision'>> = {};
  if (fields.confidential !== undefined) {
    set.narrative_confidential = '';
    set.narrative_confidential_sealed = fields.confidential === '' ? null : seal(fields.confidential, 'narrative_confidential');
  }
  if (fields.coordinates !== undefined) {
    Object.assign(set, { latitude: null, longitude: null, coordinate_precision: null });
    set.coordinates_sealed = fields.coordinates === null ? null : seal(JSON.stringify(fields.coordinates), 'coordinates');
  }
  return { set, keyRow: (sealer as RecordSealer | null)?.row ?? null };
}

/**
 * The row with its sealed fields opened into the plaintext columns the presenter reads; `q` is the open
 * transaction. A field whose data key was shredded reads as absent ('' narrative, no coordinates) and is
 * named in `shredded_fields`; the record itself still answers.
 */
export async function openIncidentFields(db: Kysely<DB>, row: IncidentRow, withNarrative: boolean, q: Kysely<DB> = db): Promise<IncidentRow & { shredded_fields: string[] }> {
  const fc = fieldCrypto(db);
  const opened = { ...row, shredded_fields: [] as string[] };
  const open = async (sealed: Buffer | Uint8Array, field: string): Promise<string | null> => {
    try {
      return await fc.open(row.mission_id, sealed, ctx(row.incident_id, field), q);
    } catch (err) {
      if (!(err instanceof SealedFieldShredded)) throw err;
      opened.shredded_fields.push(field);
      return null;
    }
  };
  if (row.coordinates_sealed) {
    const text = await open(row.coordinates_sealed, 'coordinates');
    const c = text === null ? null : JSON.parse(text) as Coordinates;
    Object.assign(opened, { latitude: c?.latitude ?? null, longitude: c?.longitude ?? null, coordinate_precision: c?.precision ?? null });
  }
  opened.narrative_confidential = withNarrative && row.narrative_confidential_sealed
    ? await open(row.narrative_confidential_sealed, 'narrative_confidential') ?? ''
    : withNarrative ? row.narrative_confidential : '';
  return opened;
}

/**
 * Seals what a store written before field encryption still holds in clear, then empties the clear
 * columns. Runs at server start; batch by batch, so a large store is never held in one transaction.
 */
export async function sealLegacyPlaintext(db: Kysely<DB>, onStart?: (pending: number) => void): Promise<number> {
  const { pending } = await db.selectFrom('incidents').select((eb) => eb.fn.countAll<number>().as('pending'))
    .where((eb) => eb.or([eb('narrative_confidential', '!=', ''), eb('latitude', 'is not', null)])).executeTakeFirstOrThrow();
  if (Number(pending) === 0) return 0;
  onStart?.(Number(pending));
  let sealed = 0;
  for (;;) {
    const batch = await db.selectFrom('incidents').selectAll()
      .where((eb) => eb.or([eb('narrative_confidential', '!=', ''), eb('latitude', 'is not', null)]))
      .limit(200).execute();
    if (batch.length === 0) return sealed;
    for (const row of batch) {
      const coordinates = row.latitude !== null && row.longitude !== null
        ? { latitude: row.latitude, longitude: row.longitude, precision: (row.coordinate_precision ?? 'approximate') as Coordinates['precision'] }
        : null;
      await prepareSealing(db, row.mission_id);
      const { set, keyRow } = sealIncidentRecord(db, row.mission_id, row.incident_id, {
        ...(row.narrative_confidential !== '' && { confidential: row.narrative_confidential }),
        ...(coordinates && { coordinates }),
      });
      await db.transaction().execute(async (trx) => {
        if (keyRow) await trx.insertInto('record_keys').values(keyRow).execute();
        await trx.updateTable('incidents').set(set).where('mission_id', '=', row.mission_id).where('incident_id', '=', row.incident_id).execute();
      });
      sealed++;
    }
  }
}
