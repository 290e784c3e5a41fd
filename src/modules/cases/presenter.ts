import type { Actor } from '../../platform/context.ts';
import { permittedCaseActions, type CaseFacts } from './policy.ts';
import type { CaseRow, ConsentRow, ReleaseRow, ReRecruitmentFlagRow } from './repository.ts';
import type { CaseView } from './schema.ts';
import { ageNow } from './consent.ts';
import type { ChildIdentity } from './identities.ts';

/** What leaves the server. Rows never do: each field here is chosen. */
export const caseFacts = (row: Pick<CaseRow, 'assigned_to' | 'agency'>): CaseFacts => ({ assignedTo: row.assigned_to, agency: row.agency });
const iso = (d: Date | null) => (d === null ? null : new Date(d).toISOString());

export function presentConsent(c: ConsentRow) {
  return {
    version: c.version, given_by: c.given_by, child_assent: c.child_assent, for_services: c.for_services, for_tracing: c.for_tracing,
    for_reporting_non_identifiable: c.for_reporting_non_identifiable, share_with: c.share_with, withhold_from: c.withhold_from,
    opt_out_unhcr_export: c.opt_out_unhcr_export, recorded_at: iso(c.recorded_at)!,
  };
}

export function presentRelease(r: ReleaseRow) {
  return {
    encountered_at: iso(r.encountered_at)!, exit_mode: r.exit_mode, place_pcode: r.place_pcode, place: r.place, encountered_by: r.encountered_by,
    party_id: r.party_id, protocol: r.protocol, handover_due_at: iso(r.handover_due_at)!, handed_over_at: iso(r.handed_over_at), handed_over_to: r.handed_over_to,
  };
}

export function presentFlag(f: ReRecruitmentFlagRow) {
  const day = typeof f.recruited_on === 'string' ? f.recruited_on.slice(0, 10) : new Date(f.recruited_on).toISOString().slice(0, 10);
  return { id: f.flag_id, recruited_on: day, party_id: f.party_id, source: f.source as 'flag' | 'case_update', note: f.note, recorded_by: f.recorded_by, recorded_at: iso(f.recorded_at)! };
}

export interface CaseExtras {
  reRecruitment?: ReRecruitmentFlagRow[];
  identity?: ChildIdentity | null; consent?: ConsentRow | null; release?: ReleaseRow | null;
  mrm?: { type: string; status_final: string; date_start: string }[];
  history?: { action: string; from_step: string; to_step: string; note: string; actor_id: string; recorded_at: Date }[];
}

export function presentCase(row: CaseRow, actor: Actor, now: Date, extras: CaseExtras = {}): CaseView {
  return {
    id: row.case_id, agency: row.agency, assigned_to: row.assigned_to, sex: row.sex,
    age: ageNow(row.age_years, row.age_as_of, now), age_estimated: row.age_estimated,
    concerns: row.concerns, risk_level: row.risk_level as CaseView['risk_level'], urgent: row.urgent,
    identified_at: iso(row.identified_at)!, response_due_at: iso(row.response_due_at)!, first_action_at: iso(row.first_action_at),
    overdue: row.status === 'open' && row.first_action_at === null && new Date(row.response_due_at) < now,
    step: row.step as CaseView['step'], status: row.status as CaseView['status'], approval_pending: row.approval_pending,
    closure_reason: row.closure_reason, closed_at: iso(row.closed_at), version: row.version,
    ...(extras.identity !== undefined && { identity: extras.identity }),
    ...(extras.consent !== undefined && { consent: extras.consent && presentConsent(extras.consent) }),
    ...(extras.release !== undefined && { release: extras.release && presentRelease(extras.release) }),
    ...(extras.mrm && { mrm_appearances: extras.mrm.map((m) => ({ violation_type: m.type, incident_date: m.date_start, final_status: m.status_final })) }),
    ...(extras.history && { history: extras.history.map((e) => ({ action: e.action, from_step: e.from_step, to_step: e.to_step, note: e.note, actor_id: e.actor_id, at: iso(e.recorded_at)! })) }),
    ...(extras.reRecruitment && { re_recruitment: extras.reRecruitment.map(presentFlag) }),
    permitted_actions: permittedCaseActions(actor, caseFacts(row), { status: row.status, approvalPending: row.approval_pending }),
  };
}
