import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { createReferral } from '../../src/modules/cases/referrals.ts';
import { casesDb } from '../../src/modules/cases/repository.ts';
import * as cases from '../../src/modules/cases/service.ts';
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
