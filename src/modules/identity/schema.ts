import { z } from 'zod';

/** Record references: a case, or a named victim of a violation. Never a name. */
const recordRef = z.string().regex(/^(case:[0-9a-f-]{36}|victim:[0-9a-f-]{36}:[^\s]{1,100})$/, 'case:<case_id> or victim:<violation_id>:<victim_ref>');
const reason = z.string().trim().min(1).max(2000);
const partialDate = z.string().regex(/^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?$/, 'YYYY-MM-DD, YYYY-MM or YYYY');

export const runView = z.object({
  run_id: z.string().uuid(), records: z.number().int(), candidate_pairs: z.number().int(), stored_pairs: z.number().int(),
  review_pairs: z.number().int(), clusters: z.number().int(), records_moved: z.number().int(), decisions_applied: z.number().int(),
  model_source: z.enum(['mission', 'reference']),
});

const fieldBits = z.object({ comparison: z.string(), level: z.string(), bits: z.number() });

export const reviewQuery = z.strictObject({ limit: z.coerce.number().int().min(1).max(500).default(50) });
export const reviewPage = z.object({
  items: z.array(z.object({
    left_ref: z.string(), right_ref: z.string(), probability: z.number(), match_weight: z.number(),
    /** Distance from a coin toss: the queue's order (most uncertain first). */
    uncertainty: z.number(), reason: z.string().nullable(), earlier_decision: z.enum(['unsure']).nullable(), fields: z.array(fieldBits),
  })),
});

export const decisionBody = z.strictObject({ left_ref: recordRef, right_ref: recordRef, decision: z.enum(['match', 'non_match', 'unsure']), reason });
export type DecisionInput = z.infer<typeof decisionBody>;
export const decisionView = z.object({
  decision_id: z.string().uuid(), left_ref: z.string(), right_ref: z.string(), decision: z.enum(['match', 'non_match', 'unsure']),
  /** The latest run's probability for the pair; null when the engine did not score it. */
  probability: z.number().nullable(), takes_effect: z.literal('next run'),
});

export const mergeBody = z.strictObject({ with_ref: recordRef, reason });
export type MergeInput = z.infer<typeof mergeBody>;
export const unmergeBody = z.strictObject({ reason });
export type UnmergeInput = z.infer<typeof unmergeBody>;

export const linksView = z.object({
  case_id: z.string().uuid(),
  cluster_id: z.string().uuid().nullable(),
  cases: z.array(z.object({ case_id: z.string().uuid(), agency: z.string(), probability: z.number().nullable(), since: z.string() })),
  /** The child as an MRM victim: the keyed pseudonym (blind index), the violation and the incident date; no name. */
  victims: z.array(z.object({ victim_pseudonym: z.string().nullable(), violation_id: z.string().uuid(), violation_type: z.string(), incident_id: z.string().uuid(), incident_date: z.string(), probability: z.number().nullable(), since: z.string() })),
  history: z.array(z.object({ record_ref: z.string(), from_cluster: z.string().nullable(), to_cluster: z.string(), cause: z.enum(['run', 'merge', 'unmerge']), by: z.string(), at: z.string() })),
});

export const tracingBody = z.strictObject({
  given_name: z.string().trim().min(1).max(100),
  family_name: z.string().trim().max(200).default(''),
  other_names: z.string().trim().max(200).default(''),
  sex: z.enum(['female', 'male', 'unknown']).default('unknown'),
  date_of_birth: partialDate.nullable().default(null),
  age_years: z.number().int().min(0).max(25).nullable().default(null),
  /** The date the age was given on (default: today). */
  as_of: z.iso.date().optional(),
  father_name: z.string().trim().max(200).default(''),
  mother_name: z.string().trim().max(200).default(''),
  place_of_origin: z.string().trim().max(200).default(''),
  admin1: z.string().trim().max(50).default(''),
  admin2: z.string().trim().max(50).default(''),
});
export type TracingInput = z.infer<typeof tracingBody>;
export const tracingView = z.object({
  children_compared: z.number().int(), children_without_tracing_consent: z.number().int(),
  matches: z.array(z.object({ case_id: z.string().uuid(), agency: z.string(), probability: z.number(), fields: z.array(fieldBits) })),
});
