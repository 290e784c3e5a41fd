import type { Actor } from '../../platform/context.ts';
import type { Deadlines } from './deadlines.ts';
import { permittedAllegationActions } from './policy.ts';
import type { AllegationRow, AssistanceRow, VictimRow } from './repository.ts';
import type { AllegationView } from './schema.ts';
import type { SeaIdentity } from './sealed-fields.ts';

/** What was opened on request: absent maps mean "not asked", null values "not recorded or shredded". */
export interface Opened {
  narrative?: string | null;
  identities?: Map<string, SeaIdentity | null>;
  caseRefs?: Map<string, string | null>;
  shredded: string[];
}

const dateStr = (d: string | Date | null): string | null => (d === null ? null : typeof d === 'string' ? d : d.toISOString().slice(0, 10));

export function presentAssistance(a: AssistanceRow) {
  return { id: a.referral_id, victim_ref: a.victim_ref, kind: a.kind, referred_on: dateStr(a.referred_on)!, status: a.status, completed_on: dateStr(a.completed_on) } as AllegationView['assistance'][number];
}

export function presentAllegation(row: AllegationRow, victims: VictimRow[], assistance: AssistanceRow[], deadlines: Deadlines, actor: Actor, opened: Opened): AllegationView {
  return {
    id: row.allegation_id,
    audit_ref: row.audit_ref,
    version: row.version,
    received_on: dateStr(row.received_on)!,
    incident: { date: dateStr(row.incident_on), precision: row.incident_precision },
    personnel_category: row.personnel_category as AllegationView['personnel_category'],
    contingent_nationality: row.contingent_nationality,
    type: row.allegation_type as AllegationView['type'],
    subtype: row.allegation_subtype,
    perpetrators: row.perpetrators,
    urgent: row.urgent,
    narrative: opened.narrative === undefined ? null : opened.narrative ?? '',
    victims: victims.map((v) => ({
      ref: v.victim_ref, age_class: v.age_class, sex: v.sex, case_link_consent: v.case_link_consent,
      identity: opened.identities?.get(v.victim_ref) ?? null,
      case_ref: opened.caseRefs?.get(v.victim_ref) ?? null,
    })),
    paternity_claims: row.paternity_claims as AllegationView['paternity_claims'],
    referral: row.referral_entity && row.referred_on ? {
      entity: row.referral_entity, referred_on: dateStr(row.referred_on)!, ms_response_on: dateStr(row.ms_response_on),
      ms_will_investigate: row.ms_will_investigate, nio_appointed_on: dateStr(row.nio_appointed_on),
    } : null,
    deadlines,
    outcome: { status: row.outcome, on: dateStr(row.outcome_on) },
    actions: row.actions as AllegationView['actions'],
    actions_reported_on: dateStr(row.actions_reported_on),
    assistance: assistance.map(presentAssistance),
    shredded_fields: opened.shredded,
    permitted_actions: permittedAllegationActions(actor),
  };
}

export function presentSummary(row: AllegationRow, victims: VictimRow[], assistance: AssistanceRow[], deadlines: Deadlines) {
  return {
    id: row.allegation_id,
    received_on: dateStr(row.received_on)!,
    personnel_category: row.personnel_category as AllegationView['personnel_category'],
    type: row.allegation_type as AllegationView['type'],
    outcome: row.outcome,
    referral_entity: row.referral_entity,
    victims: victims.length,
    minors: victims.filter((v) => v.age_class === 'minor').length,
    deadlines,
    assistance_open: assistance.filter((a) => a.status === 'referred' || a.status === 'in_progress').length,
  };
}
