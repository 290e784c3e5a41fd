import type { Kysely } from 'kysely';
import type { RequestContext } from '../../platform/context.ts';
import { fieldCrypto } from '../../platform/crypto/field-crypto.ts';
import type { DB } from '../../platform/db/schema.ts';
import { runUnitOfWork } from '../../platform/db/unit-of-work.ts';
import { ensure } from '../../platform/errors.ts';
import { canEdit, mayHandleRecords, visibleIncidents } from './policy.ts';
import * as repo from './repository.ts';
import type { VictimLookupInput } from './schema.ts';
import { childIdentityIndex, prepareSealing, victimRecordId } from './sealed-fields.ts';
import { visibleViolation } from './service.ts';
import type { ViolationType } from './vocabulary.ts';

/**
 * Operations on the identities in MRM records: finding a child recorded before (blind index), erasing
 * one child's identity (withdrawn consent) and shredding an incident's sealed fields (retention).
 */

/**
 * "Has this child been recorded before?" An exact look-up by name and birth date through the blind
 * index: nothing is decrypted, the name is not stored or logged, and only incidents the caller may see
 * answer. Spelling variants are the linkage engine's work (identity module).
 */
export async function lookupVictims(db: Kysely<DB>, ctx: RequestContext, input: VictimLookupInput) {
  ensure(mayHandleRecords(ctx.actor), 'permission.denied', { rule: `your role (${ctx.actor.role}) does not work with incident records` });
  await prepareSealing(db, ctx.actor.missionId);
  return runUnitOfWork(db, ctx, 'write', async (uow) => {
    const index = childIdentityIndex(db, ctx.actor.missionId, input.full_name, input.date_of_birth);
    const rows = await repo.findVictimsByIdentity(uow.trx, visibleIncidents(ctx.actor), ctx.actor.missionId, index);
    uow.audit({ action: 'victim.lookup', targetType: 'victim', details: { matches: rows.length, with_birth_date: input.date_of_birth !== null } });
    return {
      items: rows.map((r) => ({ incident_id: r.incident_id, incident_date: r.date_start, admin_pcode: r.admin_pcode, violation_id: r.violation_id, violation_type: r.type as ViolationType, victim_ref: r.victim_ref })),
    };
  });
}

/**
 * Withdrawn consent: one child's identity in one violation becomes unrecoverable (its record key is
 * deleted) and unfindable (its blind index cleared), the rest of the record stays. Who may edit the
 * violation may do this; the reason is kept in the audit trail.
 */
export async function eraseVictimIdentity(db: Kysely<DB>, ctx: RequestContext, violationId: string, ref: string, reason: string) {
  const erased = await runUnitOfWork(db, ctx, 'write', async (uow) => {
    const { row, facts } = await visibleViolation(uow, violationId, true);
    ensure(canEdit(ctx.actor, facts), 'permission.denied', { action: 'erase_identity' });
    const victim = (await repo.childrenOf(uow.trx, ctx.actor.missionId, [violationId])).get(violationId)?.victims.find((v) => v.victim_ref === ref);
    ensure(victim, 'record.not_found', { field: 'ref', rule: `violation ${violationId} has no victim ${ref}` });
    const keys = await repo.deleteRecordKeys(uow.trx, ctx.actor.missionId, victimRecordId(row.incident_id, violationId, ref), false);
    await repo.clearIdentityIndexes(uow.trx, ctx.actor.missionId, [violationId], ref);
    uow.audit({ action: 'victim.identity_erase', targetType: 'violation', targetId: violationId, details: { victim_ref: ref, reason, record_keys: keys.length } });
    return keys;
  });
  fieldCrypto(db).forgetRecordKeys(ctx.actor.missionId, erased);
  return { erased_keys: erased.length };
}

/**
 * Retention expiry: every sealed field of an incident (narrative, coordinates, identities of its
 * victims and sources) becomes unrecoverable; the incident and its counts remain. The installer's
 * operation (`tutela keys shred --incident`), not an API one.
 */
export async function shredIncidentRecord(db: Kysely<DB>, ctx: RequestContext, incidentId: string, reason: string) {
  const erased = await runUnitOfWork(db, ctx, 'write', async (uow) => {
    const incident = await repo.findIncident(uow.trx, ctx.actor.missionId, incidentId);
    ensure(incident, 'record.not_found', { field: 'incident_id' });
    const keys = await repo.deleteRecordKeys(uow.trx, ctx.actor.missionId, incidentId, true);
    const violations = await repo.violationsOf(uow.trx, ctx.actor.missionId, [incidentId]);
    await repo.clearIdentityIndexes(uow.trx, ctx.actor.missionId, violations.map((v) => v.violation_id));
    uow.audit({ action: 'incident.shred', targetType: 'incident', targetId: incidentId, details: { reason, record_keys: keys.length } });
    return keys;
  });
  fieldCrypto(db).forgetRecordKeys(ctx.actor.missionId, erased);
  return { erased_keys: erased.length };
}
