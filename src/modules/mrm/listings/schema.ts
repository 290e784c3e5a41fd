import { z } from 'zod';
import { LISTING_TRIGGERS } from './triggers.ts';

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date written YYYY-MM-DD');
export const PLAN_STATUSES = ['draft', 'signed', 'in_progress', 'completed', 'lapsed'] as const;
export const ACTIVITY_STATUSES = ['planned', 'in_progress', 'done', 'dropped'] as const;

export const listingQuery = z.strictObject({ year: z.coerce.number().int().min(1900).max(2100), format: z.enum(['json', 'csv']).default('json') });

const commitment = z.strictObject({
  id: z.string().min(1).max(40).regex(/^[A-Za-z0-9._-]+$/),
  text: z.string().min(1).max(2000),
  trigger: z.enum(LISTING_TRIGGERS).nullable().default(null),
});
const evidence = z.strictObject({ date: isoDate, description: z.string().min(1).max(2000), reference: z.string().max(300).default('') });
const activity = z.strictObject({
  id: z.string().min(1).max(40).regex(/^[A-Za-z0-9._-]+$/),
  commitment_id: z.string().max(40).nullable().default(null),
  text: z.string().min(1).max(2000),
  due_on: isoDate.nullable().default(null),
  status: z.enum(ACTIVITY_STATUSES).default('planned'),
  evidence: z.array(evidence).max(200).default([]),
});

export const actionPlanBody = z.strictObject({
  party_id: z.string().uuid(),
  title: z.string().min(1).max(300),
  signed_on: isoDate.nullable().default(null),
  status: z.enum(PLAN_STATUSES).default('draft'),
  triggers: z.array(z.enum(LISTING_TRIGGERS)).max(5).default([]),
  commitments: z.array(commitment).max(100).default([]),
  activities: z.array(activity).max(500).default([]),
});
export type ActionPlanInput = z.infer<typeof actionPlanBody>;

// Written out rather than .partial(): a field left out must stay as it is, never take the create default.
export const actionPlanUpdateBody = z.strictObject({
  version: z.number().int().min(1),
  title: z.string().min(1).max(300).optional(),
  signed_on: isoDate.nullable().optional(),
  status: z.enum(PLAN_STATUSES).optional(),
  triggers: z.array(z.enum(LISTING_TRIGGERS)).max(5).optional(),
  commitments: z.array(commitment).max(100).optional(),
  activities: z.array(activity).max(500).optional(),
});
export type ActionPlanUpdate = z.infer<typeof actionPlanUpdateBody>;
export const planParams = z.object({ plan_id: z.string().uuid() });

const counts = z.record(z.string(), z.number().int().nullable());
export const progressView = z.object({
  activities: z.number().int(),
  done: z.number().int(),
  dropped: z.number().int(),
  overdue: z.number().int(),
  share_done: z.number().nullable(),
  by_commitment: z.record(z.string(), z.object({ activities: z.number().int(), done: z.number().int() })),
  evidence_items: z.number().int(),
  /** Verified violations attributed to the party per year since signing, per listing trigger. */
  verified_since_signing: z.record(z.string(), counts),
});
export const actionPlanView = actionPlanBody.extend({
  plan_id: z.string().uuid(), party_name: z.string(), version: z.number().int(), updated_at: z.string(), progress: progressView,
});
export type ActionPlanView = z.infer<typeof actionPlanView>;
export const actionPlanList = z.object({ items: z.array(actionPlanView) });

export const listingView = z.object({
  year: z.number().int(),
  public: z.boolean(),
  triggers: z.array(z.string()),
  parties: z.array(z.object({
    party_id: z.string(), name: z.string(), category: z.string(),
    /** null in the public form: whether a trigger is met is published, not how many. */
    verified: counts,
    triggers: z.array(z.string()),
    action_plans: z.array(z.object({ plan_id: z.string(), status: z.string(), signed_on: z.string().nullable() })),
  })),
});
export type ListingView = z.infer<typeof listingView>;
