import { z } from 'zod';
import { ASSENTS, CONSENT_GIVERS, SHARE_WITH } from './consent.ts';
import { CASE_ACTIONS, CASE_STEPS, CLOSURE_REASONS } from './workflow.ts';

/** Protection concerns (CPIMS+ lookup, domain.md §4.2). */
export const PROTECTION_CONCERNS = ['sexually_exploited', 'gbv_survivor', 'trafficked_smuggled', 'statelessness', 'arrested_detained',
  'migrant', 'disabled', 'serious_health_issue', 'refugee', 'caafag', 'street_child', 'child_mother', 'abused',
  'living_with_vulnerable_person', 'worst_forms_child_labour', 'child_headed_household', 'mentally_distressed', 'other'] as const;
export const RISK_LEVELS = ['high', 'medium', 'low'] as const;
/** What a referral may grant the receiving agency to read (the rest of the case stays with the sender). */
export const REFERRAL_FORMS = ['identity', 'concerns', 'risk', 'release'] as const;
export const SERVICES = ['safehouse', 'health_medical', 'psychosocial', 'police_other', 'legal', 'livelihoods', 'child_protection',
  'family_mediation', 'family_reunification', 'education', 'nfi', 'wash', 'registration', 'food', 'other'] as const;
export const EXIT_MODES = ['captured', 'surrendered', 'formal_release', 'escaped', 'handed_over'] as const;
export const HANDOVER_ACTORS = ['civilian_child_protection', 'ministry', 'unicef_partner', 'icrc', 'family', 'national_authorities'] as const;

const partialDate = z.string().regex(/^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?$/, 'YYYY-MM-DD, YYYY-MM or YYYY');
const instant = z.iso.datetime({ offset: true });

/** Who the child is: sealed under a key of the case's own; found again through the blind index. */
export const childIdentity = z.strictObject({
  full_name: z.string().trim().min(1).max(200),
  birth: z.union([z.strictObject({ date: partialDate }), z.strictObject({ age_estimate: z.number().int().min(0).max(17) })]),
  parents_names: z.string().trim().max(400).default(''),
});

export const caseCreateBody = z.strictObject({
  child: childIdentity,
  sex: z.enum(['female', 'male', 'unknown']),
  concerns: z.array(z.enum(PROTECTION_CONCERNS)).max(PROTECTION_CONCERNS.length).default([]),
  risk_level: z.enum(RISK_LEVELS),
  urgent: z.boolean().default(false),
  /** When the child was identified; the response deadline runs from here. Defaults to now. */
  identified_at: instant.optional(),
  /** A supervisor registers for a case worker of their agency; a case worker for themself. */
  assigned_to: z.string().uuid().optional(),
});
export type CaseCreateInput = z.infer<typeof caseCreateBody>;

/** A released child known to be back with an armed force or group (re-recruitment.ts). */
export const reRecruitmentBody = z.strictObject({
  recruited_on: z.iso.date().describe('The day the child was re-recruited, or last known to be with the force or group'),
  party_id: z.string().uuid().optional(),
  note: z.string().trim().max(2000).default(''),
});
export type ReRecruitmentInput = z.infer<typeof reRecruitmentBody>;

export const caseUpdateBody = z.strictObject({
  version: z.number().int().min(1),
  concerns: z.array(z.enum(PROTECTION_CONCERNS)).optional(),
  risk_level: z.enum(RISK_LEVELS).optional(),
  urgent: z.boolean().optional(),
  assigned_to: z.string().uuid().optional(),
  /** The child was re-recruited: recorded as a flag with the change (alert, audit, indicators). */
  re_recruitment: reRecruitmentBody.optional(),
});
export type CaseUpdateInput = z.infer<typeof caseUpdateBody>;

export const transitionBody = z.strictObject({
  version: z.number().int().min(1),
  action: z.enum(CASE_ACTIONS),
  note: z.string().trim().max(2000).default(''),
  closure_reason: z.enum(CLOSURE_REASONS).optional(),
});
export type TransitionInput = z.infer<typeof transitionBody>;

export const caseQuery = z.strictObject({ include: z.enum(['identity']).optional() });
export const caseListQuery = z.strictObject({
  status: z.enum(['open', 'closed']).optional(),
  /** One case worker's cases (a supervisor looking at a caseload). */
  assigned_to: z.string().uuid().optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

export const consentBody = z.strictObject({
  given_by: z.enum(CONSENT_GIVERS),
  relationship: z.string().trim().max(100).default(''),
  language: z.string().trim().max(50).default(''),
  witness: z.string().trim().max(200).default(''),
  child_assent: z.enum(ASSENTS),
  for_services: z.boolean(),
  for_reporting_non_identifiable: z.boolean(),
  for_tracing: z.boolean(),
  share_with: z.array(z.enum(SHARE_WITH)).default([]),
  withhold_from: z.array(z.enum(SHARE_WITH)).default([]),
  withhold_reason: z.string().trim().max(500).default(''),
  opt_out_unhcr_export: z.boolean().default(false),
});
export type ConsentInput = z.infer<typeof consentBody>;

/** Imminent risk to life or mandatory reporting: the consent check is passed, with reasons, on record. */
export const consentOverride = z.strictObject({
  ground: z.enum(['imminent_risk', 'mandatory_reporting']),
  justification: z.string().trim().min(20).max(2000),
});

export const referralCreateBody = z.strictObject({
  to_agency: z.string().trim().min(1).max(100),
  service: z.enum(SERVICES),
  urgency: z.enum(RISK_LEVELS),
  granted_forms: z.array(z.enum(REFERRAL_FORMS)).min(1),
  consent_override: consentOverride.optional(),
});
export type ReferralCreateInput = z.infer<typeof referralCreateBody>;

export const referralStatusBody = z.strictObject({
  status: z.enum(['accepted', 'declined', 'completed']),
  note: z.string().trim().max(2000).default(''),
  /** On acceptance: the case worker of the receiving agency who will deliver the service. */
  assign_to: z.string().uuid().optional(),
});

export const releaseBody = z.strictObject({
  encountered_at: instant,
  exit_mode: z.enum(EXIT_MODES),
  place_pcode: z.string().min(2).max(32).optional(),
  place: z.string().trim().max(300).default(''),
  encountered_by: z.string().trim().min(1).max(200),
  party_id: z.string().uuid().optional(),
  protocol: z.string().regex(/^[a-z0-9_]{2,40}$/).default('default'),
});
export type ReleaseInput = z.infer<typeof releaseBody>;
export const handoverBody = z.strictObject({ handed_over_at: instant, handed_over_to: z.enum(HANDOVER_ACTORS) });

/* ---------- responses ---------- */
const identityView = z.object({ full_name: z.string(), birth: z.object({ date: z.string() }).or(z.object({ age_estimate: z.number() })), parents_names: z.string() });
const consentView = z.object({
  version: z.number(), given_by: z.string(), child_assent: z.string(), for_services: z.boolean(), for_tracing: z.boolean(),
  for_reporting_non_identifiable: z.boolean(), share_with: z.array(z.string()), withhold_from: z.array(z.string()),
  opt_out_unhcr_export: z.boolean(), recorded_at: z.string(),
});
const releaseView = z.object({
  encountered_at: z.string(), exit_mode: z.string(), place_pcode: z.string().nullable(), place: z.string(), encountered_by: z.string(),
  party_id: z.string().nullable(), protocol: z.string(), handover_due_at: z.string(), handed_over_at: z.string().nullable(), handed_over_to: z.string().nullable(),
});
const reRecruitmentView = z.object({ id: z.string(), recruited_on: z.string(), party_id: z.string().nullable(), source: z.enum(['flag', 'case_update']), note: z.string(), recorded_by: z.string(), recorded_at: z.string() });
export const caseView = z.object({
  id: z.string(), agency: z.string(), assigned_to: z.string(), sex: z.string(), age: z.number().nullable(), age_estimated: z.boolean(),
  concerns: z.array(z.string()), risk_level: z.enum(RISK_LEVELS), urgent: z.boolean(),
  identified_at: z.string(), response_due_at: z.string(), first_action_at: z.string().nullable(), overdue: z.boolean(),
  step: z.enum(CASE_STEPS), status: z.enum(['open', 'closed']), approval_pending: z.string().nullable(),
  closure_reason: z.string().nullable(), closed_at: z.string().nullable(), version: z.number(),
  identity: identityView.nullable().optional(),
  consent: consentView.nullable().optional(),
  release: releaseView.nullable().optional(),
  mrm_appearances: z.array(z.object({ violation_type: z.string(), incident_date: z.string(), final_status: z.string() })).optional(),
  history: z.array(z.object({ action: z.string(), from_step: z.string(), to_step: z.string(), note: z.string(), actor_id: z.string(), at: z.string() })).optional(),
  re_recruitment: z.array(reRecruitmentView).optional(),
  permitted_actions: z.array(z.string()),
});
export type CaseView = z.infer<typeof caseView>;
export const casePage = z.object({ items: z.array(caseView) });
export const caseloadView = z.object({
  guidance: z.number(),
  workers: z.array(z.object({ case_worker: z.string(), name: z.string().nullable(), open_cases: z.number(), over_guidance: z.boolean() })),
});
export const alertsView = z.object({ items: z.array(z.object({ kind: z.string(), case_id: z.string(), due_at: z.string().nullable(), details: z.record(z.string(), z.unknown()) })) });
export const referralView = z.object({
  id: z.string(), case_id: z.string(), from_agency: z.string(), to_agency: z.string(), service: z.string(), urgency: z.string(),
  consent_version: z.number().nullable(), consent_overridden: z.boolean(), granted_forms: z.array(z.string()), status: z.string(),
  assigned_to: z.string().nullable(), sent_at: z.string(), responded_at: z.string().nullable(), response_note: z.string(),
  feedback: z.string(), feedback_at: z.string().nullable(),
  /** Only the granted forms, and only while the consent in force still allows it. */
  granted: z.object({
    identity: identityView.nullable().optional(), concerns: z.array(z.string()).optional(),
    risk: z.object({ risk_level: z.string(), urgent: z.boolean() }).optional(), release: releaseView.nullable().optional(),
  }).optional(),
  permitted_actions: z.array(z.string()),
});
export const referralPage = z.object({ items: z.array(referralView) });
export const referralListQuery = z.strictObject({ case_id: z.string().uuid().optional() });
export const consentHistoryView = z.object({ case_id: z.string(), items: z.array(consentView) });
