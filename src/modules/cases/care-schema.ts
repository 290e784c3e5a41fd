import { z } from 'zod';
import { SHARE_WITH } from './consent.ts';
import { consentOverride } from './schema.ts';

/** Inputs and views of interim care, reintegration, follow-up, tracing, BIA/BID, export and indicators. */
export const CARE_TYPES = ['family_based', 'community_based', 'interim_care_centre', 'other'] as const;
/** The ten reintegration components of IDDRS 5.20 §8.5 (domain.md §3.4), in its order. */
export const COMPONENT_TYPES = ['health', 'mhpss', 'family_tracing_reunification', 'family_community_support', 'education',
  'life_skills', 'vocational_livelihoods', 'social_protection', 'voice_participation', 'monitoring_follow_up'] as const;
export const COMPONENT_STATUSES = ['planned', 'ongoing', 'completed', 'discontinued'] as const;
export const NOT_SEEN_REASONS = ['abducted', 'at_school', 'in_detention', 'moved_to_street', 'moved_caregiver', 'visiting', 'working', 'other'] as const;
export const TRACING_STATUSES = ['open', 'tracing_in_progress', 'verified', 'reunified', 'closed'] as const;
export const VERIFICATIONS = ['documents', 'mutual_recognition', 'community_confirmation', 'other'] as const;
export const ALTERNATIVE_CARE = ['kinship', 'foster', 'supervised_independent', 'residential', 'other'] as const;
export const BIA_PRIORITIES = ['2_days', '1_week', '30_days', 'non_urgent'] as const;
export const PANEL_ROLES = ['chair', 'case_worker', 'protection_officer', 'community_services', 'legal', 'health', 'psychosocial', 'government', 'ngo', 'other'] as const;

const day = z.iso.date();
const text = (max: number) => z.string().trim().max(max).default('');

export const placementBody = z.strictObject({
  care_type: z.enum(CARE_TYPES), place: text(300), admitted_on: day,
});
export const placementEndBody = z.strictObject({ left_on: day, left_reason: z.string().trim().min(1).max(500) });

export const componentBody = z.strictObject({
  component_type: z.enum(COMPONENT_TYPES), provider: z.string().trim().min(1).max(200), start_on: day, end_on: day.optional(),
  status: z.enum(COMPONENT_STATUSES).default('planned'), outcome: text(2000),
});
export const componentUpdateBody = z.strictObject({
  version: z.number().int().min(1), provider: z.string().trim().min(1).max(200).optional(), end_on: day.nullable().optional(),
  status: z.enum(COMPONENT_STATUSES).optional(), outcome: z.string().trim().max(2000).optional(),
});
export type ComponentInput = z.infer<typeof componentBody>;
export type ComponentUpdate = z.infer<typeof componentUpdateBody>;

export const visitBody = z.strictObject({
  visited_on: day, child_seen: z.boolean(), not_seen_reason: z.enum(NOT_SEEN_REASONS).optional(), actions_taken: text(2000),
  further_visit_needed: z.boolean(), next_due_on: day.optional(), recommend_closure: z.boolean().default(false),
});
export type VisitInput = z.infer<typeof visitBody>;

/** Who is sought and who asks: sealed as one value under the request's own key. */
export const tracingIdentity = z.strictObject({
  child_name: z.string().trim().min(1).max(200),
  other_names: text(200),
  birth: z.union([z.strictObject({ date: z.string().regex(/^\d{4}(-\d{2}(-\d{2})?)?$/, 'YYYY-MM-DD, YYYY-MM or YYYY') }), z.strictObject({ age_estimate: z.number().int().min(0).max(17) })]).optional(),
  father_name: text(200), mother_name: text(200),
  admin1: text(32), admin2: text(32), place_of_origin: text(300),
  requester_name: z.string().trim().min(1).max(200), requester_relationship: z.string().trim().min(1).max(100), requester_contact: text(300),
});
export type TracingIdentity = z.infer<typeof tracingIdentity>;
export const tracingRequestBody = z.strictObject({ sought: tracingIdentity, sex: z.enum(['female', 'male', 'unknown']), separated_on: day.optional() });
export const tracingStepBody = z.strictObject({
  version: z.number().int().min(1), action: z.enum(['start_tracing', 'note', 'close']), note: z.string().trim().max(2000).default(''),
});
/** A candidate as the identity engine scored it: its probability and the per-field explanation. */
export const matchProposalBody = z.strictObject({
  case_id: z.string().uuid(), probability: z.number().min(0).max(1),
  explanation: z.record(z.string(), z.unknown()).refine((e) => JSON.stringify(e).length <= 20_000, 'at most 20,000 characters'),
});
export const matchDecisionBody = z.strictObject({ decision: z.enum(['confirmed', 'rejected']), note: z.string().trim().min(1).max(2000) });
export const reunificationBody = z.discriminatedUnion('outcome', [
  z.strictObject({ outcome: z.literal('reunified'), match_id: z.string().uuid(), verification: z.enum(VERIFICATIONS), verification_note: text(2000), on_date: day }),
  z.strictObject({ outcome: z.literal('alternative_care'), care_type: z.enum(ALTERNATIVE_CARE), verification_note: text(2000), on_date: day }),
]);
export type ReunificationInput = z.infer<typeof reunificationBody>;

export const bestInterestsBody = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('bia'), done_on: day, done_by: z.string().trim().min(1).max(200), priority: z.enum(BIA_PRIORITIES),
    recommendation: z.string().trim().min(1).max(4000), child_views: text(4000), caregiver_views: text(4000), bid_required: z.boolean(), review_on: day.optional(),
  }),
  z.strictObject({
    kind: z.literal('bid'), done_on: day, done_by: z.string().trim().min(1).max(200), panel_members: z.array(z.enum(PANEL_ROLES)).min(1).max(12),
    child_views: z.string().trim().min(1).max(4000), caregiver_views: text(4000), decision: z.string().trim().min(1).max(4000),
    reasoning: z.string().trim().min(1).max(8000), review_on: day, appeal_status: z.enum(['none', 'lodged', 'upheld', 'overturned']).default('none'),
  }),
]);
export type BestInterestsInput = z.infer<typeof bestInterestsBody>;

export const exportBody = z.strictObject({
  recipient: z.enum(SHARE_WITH),
  include_identity: z.boolean().default(false),
  /** Children exported without the consent in force: imminent risk or mandatory reporting, each justified. */
  overrides: z.array(z.strictObject({ case_id: z.string().uuid() }).extend(consentOverride.shape)).max(100).default([]),
});
export type ExportInput = z.infer<typeof exportBody>;

export const indicatorsQuery = z.strictObject({
  released_from: day.optional(), released_to: day.optional(),
  /** Unsuppressed figures, for supervisors; published figures are disclosure-controlled. */
  whole: z.enum(['true', 'false']).optional(),
});

/* ---------- responses ---------- */
export const placementView = z.object({ id: z.string(), care_type: z.string(), place: z.string(), admitted_on: z.string(), left_on: z.string().nullable(), left_reason: z.string(), weeks: z.number() });
export const componentView = z.object({ id: z.string(), component_type: z.string(), provider: z.string(), start_on: z.string(), end_on: z.string().nullable(), status: z.string(), outcome: z.string(), version: z.number() });
export const visitView = z.object({
  id: z.string(), kind: z.string(), sequence: z.number(), due_on: z.string(), visited_on: z.string().nullable(), child_seen: z.boolean().nullable(),
  not_seen_reason: z.string().nullable(), actions_taken: z.string(), further_visit_needed: z.boolean().nullable(), recommend_closure: z.boolean(),
  on_time: z.boolean().nullable(), overdue: z.boolean(),
});
export const reunificationView = z.object({ outcome: z.string(), match_id: z.string().nullable(), care_type: z.string().nullable(), verification: z.string().nullable(), verification_note: z.string(), on_date: z.string() });
export const bestInterestsView = z.object({
  id: z.string(), kind: z.string(), done_on: z.string(), done_by: z.string(), priority: z.string().nullable(), recommendation: z.string(), child_views: z.string(),
  caregiver_views: z.string(), bid_required: z.boolean(), panel_members: z.array(z.string()), decision: z.string(), reasoning: z.string(),
  review_on: z.string().nullable(), appeal_status: z.string(),
});
const soughtView = tracingIdentity.partial();
export const matchView = z.object({
  id: z.string(), request_id: z.string(), case_id: z.string(), probability: z.number(), explanation: z.record(z.string(), z.unknown()),
  status: z.string(), decided_at: z.string().nullable(), decision_note: z.string(),
});
export const careView = z.object({
  case_id: z.string(), placements: z.array(placementView), components: z.array(componentView), followups: z.array(visitView),
  reunification: reunificationView.nullable(), best_interests: z.array(bestInterestsView),
  /** Tracing matches naming this child (candidates, confirmed or rejected), with the engine's explanation. */
  tracing_matches: z.array(matchView),
});
export const tracingRequestView = z.object({
  id: z.string(), agency: z.string(), sex: z.string(), separated_on: z.string().nullable(), status: z.enum(TRACING_STATUSES), closed_reason: z.string(),
  created_at: z.string(), version: z.number(), sought: soughtView.nullable().optional(), matches: z.array(matchView).optional(),
  steps: z.array(z.object({ action: z.string(), from_status: z.string(), to_status: z.string(), note: z.string(), at: z.string() })).optional(),
  permitted_actions: z.array(z.string()),
});
export const tracingPage = z.object({ items: z.array(tracingRequestView) });
export const exportView = z.object({
  recipient: z.string(), exported: z.number(),
  items: z.array(z.object({ case_id: z.string(), sex: z.string(), age: z.number().nullable(), risk_level: z.string(), concerns: z.array(z.string()), step: z.string(), status: z.string(),
    consent_version: z.number().nullable(), override: z.string().nullable(), identity: z.record(z.string(), z.unknown()).nullable().optional() })),
  excluded: z.array(z.object({ case_id: z.string(), rule: z.string() })),
});
export const indicatorsView = z.record(z.string(), z.unknown());
