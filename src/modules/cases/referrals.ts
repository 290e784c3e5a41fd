import { randomUUID } from 'node:crypto';
import { sql, type Kysely, type SqlBool } from 'kysely';
import type { Actor, RequestContext } from '../../platform/context.ts';
import type { DB } from '../../platform/db/schema.ts';
import { runUnitOfWork, type UnitOfWork } from '../../platform/db/unit-of-work.ts';
import { ensure } from '../../platform/errors.ts';
import { consentRefusal } from './consent.ts';
import { openChildIdentity } from './identities.ts';
import { canSeeCase, mayHandleCases, receivesReferral, visibleCases } from './policy.ts';
import { caseFacts, presentRelease } from './presenter.ts';
import * as repo from './repository.ts';
import type { ReferralCreateInput } from './schema.ts';
import { visibleCase } from './service.ts';

/**
 * Referrals between agencies (domain.md §4.6): only with the consent in force (or a justified
 * imminent-risk override, on record), and the receiving agency reads only the forms granted, and only
 * while the consent still allows it.
 */

export async function createReferral(db: Kysely<DB>, ctx: RequestContext, caseId: string, input: ReferralCreateInput) {
  return runUnitOfWork(db, ctx, 'write', async (uow) => {
    const row = await visibleCase(uow, caseId, true);
    ensure(row.status === 'open', 'case.illegal_transition', { rule: 'a closed case is not referred' });
    ensure(input.to_agency !== row.agency, 'request.invalid', { field: 'to_agency', rule: 'another agency' });
    const consent = await repo.currentConsent(uow.trx, row.mission_id, caseId);
    const refusal = consentRefusal(consent ?? null, 'referral');
    ensure(refusal === null || input.consent_override, 'consent.required', { field: 'consent', rule: `${refusal}; an imminent risk needs consent_override with its justification` });
    const referral = await repo.casesDb(uow.trx).insertInto('case_referrals').values({
      mission_id: row.mission_id, referral_id: randomUUID(), case_id: caseId, from_agency: row.agency, to_agency: input.to_agency,
      service: input.service, urgency: input.urgency, consent_version: refusal === null ? consent!.version : null,
      consent_override: refusal === null ? null : JSON.stringify(input.consent_override), granted_forms: input.granted_forms, created_by: ctx.actor.userId,
    }).returningAll().executeTakeFirstOrThrow();
    if (refusal !== null) {
      uow.audit({ action: 'case.consent_override', targetType: 'case', targetId: caseId, details: { purpose: 'referral', refusal, ...input.consent_override } });
    }
    uow.audit({ action: 'referral.create', targetType: 'referral', targetId: referral.referral_id, details: { case_id: caseId, to_agency: input.to_agency, service: input.service, granted_forms: input.granted_forms } });
    return presentReferral(referral, ctx.actor, true);
  });
}

function presentReferral(r: repo.ReferralRow, actor: Actor, sender: boolean, granted?: Record<string, unknown>) {
  const iso = (d: Date | null) => (d === null ? null : new Date(d).toISOString());
  const actions = ['read'];
  if (!sender && actor.role === 'supervisor' && r.status === 'pending') actions.push('accept', 'decline');
  if (!sender && r.status === 'accepted') actions.push('complete');
  return {
    id: r.referral_id, case_id: r.case_id, from_agency: r.from_agency, to_agency: r.to_agency, service: r.service, urgency: r.urgency,
    consent_version: r.consent_version, consent_overridden: r.consent_override !== null, granted_forms: r.granted_forms, status: r.status,
    assigned_to: r.assigned_to, sent_at: iso(r.sent_at)!, responded_at: iso(r.responded_at), response_note: r.response_note,
    feedback: r.feedback, feedback_at: iso(r.feedback_at), ...(granted && { granted }), permitted_actions: actions,
  };
}

/** The referral, the caller's side of it (sender: may see the case; recipient), or 404. */
async function visibleReferral(uow: UnitOfWork, referralId: string, lock: boolean) {
  ensure(mayHandleCases(uow.ctx.actor), 'permission.denied', { rule: `your role (${uow.ctx.actor.role}) does not work with case records` });
  const r = await repo.casesDb(uow.trx).selectFrom('case_referrals').selectAll()
    .where('mission_id', '=', uow.ctx.actor.missionId).where('referral_id', '=', referralId).$if(lock, (s) => s.forUpdate()).executeTakeFirst();
  const c = r && await repo.findCase(uow.trx, r.mission_id, r.case_id);
  const sender = Boolean(c && canSeeCase(uow.ctx.actor, caseFacts(c)));
  const recipient = Boolean(r && receivesReferral(uow.ctx.actor, { toAgency: r.to_agency, assignedTo: r.assigned_to, status: r.status }));
  ensure(r && c && (sender || recipient), 'record.not_found', { field: 'referral_id' });
  return { r, c, sender };
}

export function getReferral(db: Kysely<DB>, ctx: RequestContext, referralId: string) {
  return runUnitOfWork(db, ctx, 'read', async (uow) => {
    const { r, c, sender } = await visibleReferral(uow, referralId, false);
    if (sender) return presentReferral(r, ctx.actor, true);
    // The recipient reads the granted forms, and only while consent (or the recorded override) holds.
    const consent = await repo.currentConsent(uow.trx, r.mission_id, r.case_id);
    const refusal = r.consent_override !== null ? null : consentRefusal(consent ?? null, 'referral');
    if (refusal !== null || r.status === 'declined') {
      uow.audit({ action: 'referral.read_withheld', targetType: 'referral', targetId: referralId, details: { rule: refusal ?? 'declined' } });
      return presentReferral(r, ctx.actor, false, {});
    }
    const granted: Record<string, unknown> = {};
    if (r.granted_forms.includes('identity')) granted.identity = await openChildIdentity(db, r.mission_id, r.case_id, c.identity_sealed, uow.trx);
    if (r.granted_forms.includes('concerns')) granted.concerns = c.concerns;
    if (r.granted_forms.includes('risk')) granted.risk = { risk_level: c.risk_level, urgent: c.urgent };
    if (r.granted_forms.includes('release')) {
      const rel = await repo.casesDb(uow.trx).selectFrom('case_releases').selectAll().where('mission_id', '=', r.mission_id).where('case_id', '=', r.case_id).executeTakeFirst();
      granted.release = rel ? presentRelease(rel) : null;
    }
    uow.audit({ action: 'referral.read', targetType: 'referral', targetId: referralId, details: { forms: r.granted_forms } });
    return presentReferral(r, ctx.actor, false, granted);
  });
}

/** Referrals the caller sent (cases they may see) or receives. */
export function listReferrals(db: Kysely<DB>, ctx: RequestContext, q: { case_id?: string | undefined } = {}) {
  return runUnitOfWork(db, ctx, 'read', async (uow) => {
    if (!mayHandleCases(ctx.actor)) return { items: [] };
    const a = ctx.actor;
    const rows = await repo.casesDb(uow.trx).selectFrom('case_referrals as r')
      .innerJoin('cases as c', (j) => j.onRef('c.mission_id', '=', 'r.mission_id').onRef('c.case_id', '=', 'r.case_id'))
      .selectAll('r').select(['c.assigned_to as case_assigned_to', 'c.agency as case_agency'])
      .where('r.mission_id', '=', a.missionId)
      .$if(q.case_id !== undefined, (s) => s.where('r.case_id', '=', q.case_id!))
      .where((eb) => eb.or([
        visibleCases(a)(eb as never),
        a.role === 'supervisor' && a.scope.agency ? eb('r.to_agency', '=', a.scope.agency) : sql<SqlBool>`false`,
        a.role === 'case_worker' ? eb.and([eb('r.assigned_to', '=', a.userId), eb('r.status', '!=', 'declined')]) : sql<SqlBool>`false`,
      ])).orderBy('r.sent_at', 'desc').orderBy('r.referral_id').limit(500).execute();
    return { items: rows.map((r) => presentReferral(r, a, canSeeCase(a, { assignedTo: r.case_assigned_to, agency: r.case_agency }))) };
  });
}

/** The recipient answers: a supervisor accepts (assigning a case worker) or declines; the service's end is its feedback. */
export function respondToReferral(db: Kysely<DB>, ctx: RequestContext, referralId: string, input: { status: 'accepted' | 'declined' | 'completed'; note: string; assign_to?: string | undefined }, now = new Date()) {
  return runUnitOfWork(db, ctx, 'write', async (uow) => {
    const { r, sender } = await visibleReferral(uow, referralId, true);
    const recipient = receivesReferral(ctx.actor, { toAgency: r.to_agency, assignedTo: r.assigned_to, status: r.status });
    ensure(recipient && !sender, 'permission.denied', { rule: 'the receiving agency answers a referral' });
    const q = repo.casesDb(uow.trx).updateTable('case_referrals').where('mission_id', '=', r.mission_id).where('referral_id', '=', referralId);
    if (input.status === 'completed') {
      ensure(r.status === 'accepted', 'case.illegal_transition', { field: 'status', rule: 'only an accepted referral is completed' });
      await q.set({ status: 'completed', feedback: input.note, feedback_at: now }).execute();
    } else {
      ensure(ctx.actor.role === 'supervisor', 'permission.denied', { rule: 'a supervisor of the receiving agency accepts or declines' });
      ensure(r.status === 'pending', 'case.illegal_transition', { field: 'status', rule: `the referral is already ${r.status}` });
      if (input.status === 'accepted') {
        ensure(input.assign_to, 'request.invalid', { field: 'assign_to', rule: 'accepting names the case worker who will deliver the service' });
        const u = await uow.trx.selectFrom('users').select(['role', 'scope_agency']).where('mission_id', '=', r.mission_id).where('user_id', '=', input.assign_to).executeTakeFirst();
        ensure(u && u.role === 'case_worker' && u.scope_agency === r.to_agency, 'request.invalid', { field: 'assign_to', rule: `a case worker of ${r.to_agency}` });
      }
      await q.set({ status: input.status, response_note: input.note, responded_at: now, ...(input.assign_to && input.status === 'accepted' && { assigned_to: input.assign_to }) }).execute();
    }
    uow.audit({ action: `referral.${input.status}`, targetType: 'referral', targetId: referralId, details: { case_id: r.case_id } });
    const updated = await repo.casesDb(uow.trx).selectFrom('case_referrals').selectAll().where('mission_id', '=', r.mission_id).where('referral_id', '=', referralId).executeTakeFirstOrThrow();
    return presentReferral(updated, ctx.actor, false);
  });
}
