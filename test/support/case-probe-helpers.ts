import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { createReferral } from '../../src/modules/cases/referrals.ts';
import { careDb } from '../../src/modules/cases/care-repository.ts';
import { casesDb } from '../../src/modules/cases/repository.ts';
import * as cases from '../../src/modules/cases/service.ts';
import { recordPlacement } from '../../src/modules/cases/interim-care.ts';
import { addComponent } from '../../src/modules/cases/reintegration.ts';
import { createTracingRequest, recordReunification } from '../../src/modules/cases/tracing.ts';
import { proposeTracingMatches } from '../../src/modules/cases/tracing-linkage.ts';
import type { DB } from '../../src/platform/db/schema.ts';

/** Case fixtures made through the services as a case worker of `agency` (no login needed). */
const ctxOf = (missionId: string, userId: string, agency: string) => ({ actor: { userId, missionId, username: 'probe', role: 'case_worker' as const, scope: { country: 'COD', areas: [], agency } }, clientAddress: null, requestId: null });

export async function registerCaseEntry(db: Kysely<DB>, missionId: string, workerId: string, agency: string): Promise<string> {
  return (await cases.registerCase(db, ctxOf(missionId, workerId, agency), { child: { full_name: 'Probe Child', birth: { age_estimate: 16 }, parents_names: '' }, sex: 'male', concerns: [], risk_level: 'medium', urgent: false })).id;
}

export async function recordConsent(db: Kysely<DB>, missionId: string, workerId: string, agency: string, caseId: string): Promise<void> {
  await cases.recordConsent(db, ctxOf(missionId, workerId, agency), caseId, { given_by: 'child', relationship: '', language: '', witness: '', child_assent: 'not_applicable',
    for_services: true, for_reporting_non_identifiable: true, for_tracing: true, share_with: ['other_organisations'], withhold_from: [], withhold_reason: '', opt_out_unhcr_export: false });
}

/** A referral from an SCI case to `toAgency`, accepted and assigned when `assignedTo` is given. */
export async function createReferralEntry(db: Kysely<DB>, missionId: string, toAgency: string, assignedTo: string | null): Promise<string> {
  const worker = randomUUID();
  const caseId = await registerCaseEntry(db, missionId, worker, 'SCI');
  await recordConsent(db, missionId, worker, 'SCI', caseId);
  const ref = await createReferral(db, ctxOf(missionId, worker, 'SCI'), caseId, { to_agency: toAgency, service: 'psychosocial', urgency: 'low', granted_forms: ['concerns'] });
  if (assignedTo) {
    await casesDb(db).updateTable('case_referrals').set({ status: 'accepted', assigned_to: assignedTo, responded_at: new Date() })
      .where('mission_id', '=', missionId).where('referral_id', '=', ref.id).execute();
  }
  return ref.id;
}

/** A case of `agency` worked by `workerId` (a random id for another agency's), with the context that made it. */
export async function careCaseEntry(db: Kysely<DB>, missionId: string, workerId: string, agency: string, opts: { consent?: boolean } = {}) {
  const caseId = await registerCaseEntry(db, missionId, workerId, agency);
  if (opts.consent) await recordConsent(db, missionId, workerId, agency, caseId);
  return { caseId, ctx: ctxOf(missionId, workerId, agency) };
}

export async function placementEntry(db: Kysely<DB>, missionId: string, workerId: string, agency: string) {
  const { caseId, ctx } = await careCaseEntry(db, missionId, workerId, agency);
  const p = await recordPlacement(db, ctx, caseId, { care_type: 'interim_care_centre', place: 'ICC', admitted_on: '2025-01-07' });
  return { caseId, placementId: p.id };
}

export async function componentEntry(db: Kysely<DB>, missionId: string, workerId: string, agency: string) {
  const { caseId, ctx } = await careCaseEntry(db, missionId, workerId, agency);
  const c = await addComponent(db, ctx, caseId, { component_type: 'education', provider: 'AVSI', start_on: '2025-01-10', status: 'planned', outcome: '' });
  return { caseId, componentId: c.id };
}

/** A case in alternative care since today, so its follow-up visits are scheduled. */
export async function visitEntry(db: Kysely<DB>, missionId: string, workerId: string, agency: string) {
  const { caseId, ctx } = await careCaseEntry(db, missionId, workerId, agency);
  await recordReunification(db, ctx, caseId, { outcome: 'alternative_care', care_type: 'kinship', verification_note: '', on_date: new Date().toISOString().slice(0, 10) });
  const visit = await careDb(db).selectFrom('case_followups').select('visit_id').where('mission_id', '=', missionId)
    .where('case_id', '=', caseId).where('sequence', '=', 1).executeTakeFirstOrThrow();
  return { caseId, visitId: visit.visit_id };
}

/** A tracing request of `agency`; with `candidate`, a proposed match on a consenting child of the same agency. */
export async function tracingEntry(db: Kysely<DB>, missionId: string, workerId: string, agency: string, opts: { candidate?: boolean } = {}) {
  const ctx = ctxOf(missionId, workerId, agency);
  const r = await createTracingRequest(db, ctx, { sought: { child_name: 'Probe Child', other_names: '', father_name: '', mother_name: '', admin1: '', admin2: '', place_of_origin: '', requester_name: 'Probe Parent', requester_relationship: 'father', requester_contact: '' }, sex: 'male' });
  if (!opts.candidate) return { requestId: r.id, matchId: '' };
  const { caseId } = await careCaseEntry(db, missionId, workerId, agency, { consent: true });
  const proposed = await proposeTracingMatches(db, ctx, r.id, [{ case_id: caseId, probability: 0.9, explanation: { fields: {} } }]);
  return { requestId: r.id, matchId: proposed.items[0]!.id, caseId };
}
