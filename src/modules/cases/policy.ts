import { sql, type Expression, type ExpressionBuilder, type SqlBool } from 'kysely';
import type { Actor } from '../../platform/context.ts';
import type { CasesDB } from './repository.ts';

/**
 * Who may do what to case records. Deny by default: a case worker sees the cases assigned to them, a
 * supervisor their agency's; every other role sees none (404 for a named case, nothing in lists). Another
 * agency sees a case only through a referral, and then only the forms it grants (referrals.ts).
 * `visibleCases` is `canSeeCase` as SQL, so lists filter in the database.
 */
export const CASE_ROLES = ['case_worker', 'supervisor'] as const;
export const mayHandleCases = (actor: Actor): boolean => (CASE_ROLES as readonly string[]).includes(actor.role);

export interface CaseFacts { assignedTo: string; agency: string }

export function canSeeCase(actor: Actor, c: CaseFacts): boolean {
  switch (actor.role) {
    case 'case_worker': return c.assignedTo === actor.userId;
    case 'supervisor': return actor.scope.agency !== null && c.agency === actor.scope.agency;
    default: return false;
  }
}

/** Who may approve, reject and reopen: a supervisor of the case's agency. */
export const supervises = (actor: Actor, c: CaseFacts) => actor.role === 'supervisor' && canSeeCase(actor, c);

export function permittedCaseActions(actor: Actor, c: CaseFacts, state: { status: string; approvalPending: string | null }): string[] {
  if (!canSeeCase(actor, c)) return [];
  const actions = ['read', 'read_identity', 'update', 'record_consent', 'refer', 'record_release'];
  if (state.status === 'open') actions.push(state.approvalPending ? 'await_approval' : 'transition');
  if (supervises(actor, c)) {
    actions.push('assign');
    if (state.approvalPending) actions.push('approve', 'reject');
    if (state.status === 'closed') actions.push('reopen');
  }
  return actions;
}

/** `canSeeCase` as a WHERE clause over `cases as c`. */
export function visibleCases(actor: Actor) {
  return (eb: ExpressionBuilder<CasesDB & { c: CasesDB['cases'] }, 'c'>): Expression<SqlBool> => {
    const conditions: Expression<SqlBool>[] = [eb('c.mission_id', '=', actor.missionId)];
    if (actor.role === 'case_worker') conditions.push(eb('c.assigned_to', '=', actor.userId));
    else if (actor.role === 'supervisor' && actor.scope.agency !== null) conditions.push(eb('c.agency', '=', actor.scope.agency));
    else conditions.push(sql<SqlBool>`false`);
    return eb.and(conditions);
  };
}

/** A referral's recipient: the receiving agency's supervisor, or the case worker it was assigned to. */
export interface ReferralFacts { toAgency: string; assignedTo: string | null; status: string }
export function receivesReferral(actor: Actor, r: ReferralFacts): boolean {
  if (r.status === 'declined' && actor.role !== 'supervisor') return false;
  if (actor.role === 'supervisor') return actor.scope.agency !== null && r.toAgency === actor.scope.agency;
  return actor.role === 'case_worker' && r.assignedTo === actor.userId && r.status !== 'declined';
}
