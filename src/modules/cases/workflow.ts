/**
 * The six case steps (CPWG 2014 guidelines, domain.md §4.1–4.2) as one transition table, enforced by the
 * server. Leaving assessment and case planning, and closing, wait for a supervisor's approval; the
 * approver is never the person who asked (four eyes). Plain data in, no database.
 */
export const CASE_STEPS = ['registration', 'assessment', 'case_plan', 'implementation', 'follow_up', 'closure'] as const;
export type CaseStep = (typeof CASE_STEPS)[number];
export const APPROVAL_GATES = ['assessment', 'case_plan', 'closure'] as const;
export type ApprovalGate = (typeof APPROVAL_GATES)[number];
export const CASE_ACTIONS = ['first_action', 'advance', 'request_approval', 'approve', 'reject', 'reopen'] as const;
export type CaseAction = (typeof CASE_ACTIONS)[number];
export const CLOSURE_REASONS = ['goals_met', 'turned_18_transitioned', 'declined_services', 'relocated_transferred',
  'lost_contact', 'death', 'other'] as const;

export interface CaseState { step: CaseStep; status: 'open' | 'closed'; approvalPending: ApprovalGate | null; approvalRequestedBy: string | null; firstActionAt: Date | null }
export type Who = 'worker' | 'supervisor';

/** Where `advance` leads from each step, when no approval is needed. */
const ADVANCE: Partial<Record<CaseStep, CaseStep>> = { registration: 'assessment', implementation: 'follow_up' };
/** What approval a step asks for, and where approval leads. */
const GATE_OF: Partial<Record<CaseStep, ApprovalGate>> = { assessment: 'assessment', case_plan: 'case_plan', follow_up: 'closure' };
const APPROVED_TO: Record<ApprovalGate, CaseStep> = { assessment: 'case_plan', case_plan: 'implementation', closure: 'closure' };

export type Move =
  | { ok: true; next: { step: CaseStep; status: 'open' | 'closed'; approvalPending: ApprovalGate | null; firstAction: boolean } }
  | { ok: false; rule: string; forbidden?: boolean };

/** The effect of `action` by `who` (`actorId`) on a case in `state`, or the rule it breaks. */
export function nextState(state: CaseState, action: CaseAction, who: Who, actorId: string): Move {
  const same = { step: state.step, status: state.status, approvalPending: state.approvalPending, firstAction: false };
  if (state.status === 'closed' && action !== 'reopen') return { ok: false, rule: 'the case is closed: reopen it first' };
  switch (action) {
    case 'first_action':
      if (state.firstActionAt) return { ok: false, rule: 'the first action is already recorded' };
      return { ok: true, next: { ...same, firstAction: true } };
    case 'advance': {
      const to = ADVANCE[state.step];
      if (!to) return { ok: false, rule: GATE_OF[state.step] ? `leaving ${state.step} needs a supervisor's approval: request_approval` : `no step follows ${state.step}` };
      // Starting the assessment is the first action when none was recorded (a visit is how it starts).
      return { ok: true, next: { ...same, step: to, firstAction: !state.firstActionAt } };
    }
    case 'request_approval': {
      const gate = GATE_OF[state.step];
      if (!gate) return { ok: false, rule: `${state.step} needs no approval: advance` };
      if (state.approvalPending) return { ok: false, rule: `approval of ${state.approvalPending} is already pending` };
      return { ok: true, next: { ...same, approvalPending: gate } };
    }
    case 'approve':
    case 'reject': {
      if (who !== 'supervisor') return { ok: false, rule: 'only a supervisor approves assessments, case plans and closures', forbidden: true };
      if (!state.approvalPending) return { ok: false, rule: 'no approval is pending' };
      if (state.approvalRequestedBy === actorId) return { ok: false, rule: 'the approver must not be the person who asked for approval', forbidden: true };
      if (action === 'reject') return { ok: true, next: { ...same, approvalPending: null } };
      const to = APPROVED_TO[state.approvalPending];
      return { ok: true, next: { step: to, status: to === 'closure' ? 'closed' : 'open', approvalPending: null, firstAction: false } };
    }
    case 'reopen':
      if (state.status !== 'closed') return { ok: false, rule: 'only a closed case can be reopened' };
      if (who !== 'supervisor') return { ok: false, rule: 'only a supervisor reopens a case', forbidden: true };
      // A reopened case is assessed again: what brought it back is new information.
      return { ok: true, next: { step: 'assessment', status: 'open', approvalPending: null, firstAction: false } };
  }
}
