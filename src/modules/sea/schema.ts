import { z } from 'zod';
import {
  ACTION_KINDS, AGE_CLASSES, ALERT_KINDS, ALLEGATION_TYPES, ASSISTANCE_KINDS, ASSISTANCE_STATUSES, CHILD_SUPPORT_STATUSES, OUTCOMES,
  PATERNITY_STATUSES, PERSONNEL_CATEGORIES, REFERRAL_ENTITIES, SEXES,
} from './vocabulary.ts';

const isoDate = z.iso.date();
const ref = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{1,39}$/, 'a pseudonymous reference (letters, digits, . _ : -), never a name');
const iso3 = z.string().regex(/^[A-Z]{3}$/, 'ISO 3166-1 alpha-3, e.g. NPL');

/** Who the victim is: sealed under the victim's own key, opened only for the conduct team, audited. */
export const seaVictimIdentity = z.strictObject({
  full_name: z.string().trim().min(1).max(200),
  date_of_birth: z.string().regex(/^\d{4}(-\d{2}(-\d{2})?)?$/, 'YYYY-MM-DD, YYYY-MM or YYYY').nullable().default(null),
  contact: z.string().trim().max(200).default(''),
});

/** A link to a child-protection case, for assistance only: refused unless consent is recorded. */
export const caseLinkInput = z.strictObject({
  consent: z.boolean().describe('The victim (or, for a child, the parent or caregiver) agreed to the link.'),
  case_ref: z.string().trim().min(1).max(80).describe('The case\'s reference in case management; opaque here.'),
});

export const seaVictimInput = z.strictObject({
  ref,
  age_class: z.enum(AGE_CLASSES),
  sex: z.enum(SEXES),
  identity: seaVictimIdentity.optional(),
  case_link: caseLinkInput.optional(),
});

export const paternityClaim = z.strictObject({
  ref,
  victim_ref: ref,
  status: z.enum(PATERNITY_STATUSES),
  child_support: z.enum(CHILD_SUPPORT_STATUSES).default('not_claimed'),
  lodged_on: isoDate,
});

export const actionTaken = z.strictObject({
  kind: z.enum(ACTION_KINDS),
  stage: z.enum(['interim', 'final']),
  on: isoDate,
});

export const referralInput = z.strictObject({
  entity: z.enum(REFERRAL_ENTITIES).describe('tcc: the troop- or police-contributing country (NIO); oios; other.'),
  referred_on: isoDate,
  ms_response_on: isoDate.nullable().default(null).describe('When the Member State said whether it will investigate.'),
  ms_will_investigate: z.boolean().nullable().default(null),
  nio_appointed_on: isoDate.nullable().default(null),
});

export const allegationCreateBody = z.strictObject({
  id: z.string().uuid().optional(),
  received_on: isoDate,
  incident: z.strictObject({ date: isoDate.nullable(), precision: z.enum(['day', 'month', 'year', 'unknown']).default('day') }),
  personnel_category: z.enum(PERSONNEL_CATEGORIES),
  contingent_nationality: iso3.nullable().default(null),
  type: z.enum(ALLEGATION_TYPES),
  subtype: z.string().regex(/^[a-z_]{2,40}$/).nullable().default(null),
  perpetrators: z.number().int().min(0).max(1000).default(1),
  urgent: z.boolean().default(false),
  narrative: z.string().max(20000).default('').describe('Sealed; returned only with include=narrative or include=all.'),
  victims: z.array(seaVictimInput).max(200).default([]),
  paternity_claims: z.array(paternityClaim).max(50).default([]),
  referral: referralInput.nullable().default(null),
});
export type AllegationCreateInput = z.infer<typeof allegationCreateBody>;

export const allegationUpdateBody = z.strictObject({
  version: z.number().int().min(1),
  // Corrections of the facts as first recorded (a category or type often changes once investigated).
  incident: z.strictObject({ date: isoDate.nullable(), precision: z.enum(['day', 'month', 'year', 'unknown']) }).optional(),
  personnel_category: z.enum(PERSONNEL_CATEGORIES).optional(),
  contingent_nationality: iso3.nullable().optional(),
  type: z.enum(ALLEGATION_TYPES).optional(),
  subtype: z.string().regex(/^[a-z_]{2,40}$/).nullable().optional().describe('Dropped when the type changes without one.'),
  perpetrators: z.number().int().min(0).max(1000).optional(),
  urgent: z.boolean().optional(),
  narrative: z.string().max(20000).optional(),
  referral: referralInput.nullable().optional(),
  outcome: z.strictObject({ status: z.enum(OUTCOMES), on: isoDate.nullable() }).optional(),
  actions: z.array(actionTaken).max(50).optional().describe('Replaces the actions recorded so far.'),
  actions_reported_on: isoDate.nullable().optional(),
  paternity_claims: z.array(paternityClaim).max(50).optional().describe('Replaces the claims recorded so far.'),
  case_links: z.array(caseLinkInput.extend({ victim_ref: ref })).max(200).optional(),
});
export type AllegationUpdateInput = z.infer<typeof allegationUpdateBody>;

/** A victim who came forward, or was identified, after the allegation was recorded. */
export const victimAddBody = seaVictimInput;
export type VictimAddInput = z.infer<typeof victimAddBody>;

/** Corrections to a victim on record. identity null erases it; case_link null records withdrawn consent and drops the link. */
export const victimUpdateBody = z.strictObject({
  age_class: z.enum(AGE_CLASSES).optional(),
  sex: z.enum(SEXES).optional(),
  identity: seaVictimIdentity.nullable().optional(),
  case_link: caseLinkInput.nullable().optional(),
});
export type VictimUpdateInput = z.infer<typeof victimUpdateBody>;
export const victimRefParam = ref;

export const allegationQuery = z.strictObject({
  include: z.enum(['none', 'identities', 'narrative', 'all']).default('none'),
});

export const assistanceCreateBody = z.strictObject({
  victim_ref: ref,
  kind: z.enum(ASSISTANCE_KINDS),
  referred_on: isoDate,
});
export const assistanceUpdateBody = z.strictObject({
  status: z.enum(ASSISTANCE_STATUSES),
  completed_on: isoDate.nullable().default(null),
});

const deadlinesView = z.object({
  ms_response_due: isoDate.nullable(),
  investigation_due: isoDate.nullable(),
  overdue: z.array(z.enum(ALERT_KINDS)),
});

export const assistanceView = z.object({
  id: z.string().uuid(),
  victim_ref: z.string(),
  kind: z.enum(ASSISTANCE_KINDS),
  referred_on: isoDate,
  status: z.enum(ASSISTANCE_STATUSES),
  completed_on: isoDate.nullable(),
});

export const allegationView = z.object({
  id: z.string().uuid(),
  audit_ref: z.string().uuid().describe('The pseudonym this allegation\'s audit rows carry (the auditor sees only this).'),
  version: z.number().int(),
  received_on: isoDate,
  incident: z.object({ date: isoDate.nullable(), precision: z.string() }),
  personnel_category: z.enum(PERSONNEL_CATEGORIES),
  contingent_nationality: z.string().nullable(),
  type: z.enum(ALLEGATION_TYPES),
  subtype: z.string().nullable(),
  perpetrators: z.number().int(),
  urgent: z.boolean(),
  narrative: z.string().nullable().describe('null unless asked for (include=narrative or all).'),
  victims: z.array(z.object({
    ref: z.string(), age_class: z.enum(AGE_CLASSES), sex: z.enum(SEXES), case_link_consent: z.boolean(),
    identity: z.object({ full_name: z.string(), date_of_birth: z.string().nullable(), contact: z.string() }).nullable(),
    case_ref: z.string().nullable(),
  })),
  paternity_claims: z.array(paternityClaim),
  referral: z.object({
    entity: z.enum(REFERRAL_ENTITIES), referred_on: isoDate, ms_response_on: isoDate.nullable(),
    ms_will_investigate: z.boolean().nullable(), nio_appointed_on: isoDate.nullable(),
  }).nullable(),
  deadlines: deadlinesView,
  outcome: z.object({ status: z.enum(OUTCOMES), on: isoDate.nullable() }),
  actions: z.array(actionTaken),
  actions_reported_on: isoDate.nullable(),
  assistance: z.array(assistanceView),
  shredded_fields: z.array(z.string()),
  permitted_actions: z.array(z.string()),
});
export type AllegationView = z.infer<typeof allegationView>;

export const allegationSummary = z.object({
  id: z.string().uuid(),
  received_on: isoDate,
  personnel_category: z.enum(PERSONNEL_CATEGORIES),
  type: z.enum(ALLEGATION_TYPES),
  outcome: z.enum(OUTCOMES),
  referral_entity: z.enum(REFERRAL_ENTITIES).nullable(),
  victims: z.number().int(),
  minors: z.number().int(),
  deadlines: deadlinesView,
  assistance_open: z.number().int(),
});
export const allegationPage = z.object({ items: z.array(allegationSummary) });

export const alertView = z.object({
  id: z.string().uuid(),
  allegation_id: z.string().uuid(),
  kind: z.enum(ALERT_KINDS),
  due_on: isoDate,
  raised_at: z.string().datetime(),
});
export const alertPage = z.object({ items: z.array(alertView) });

export const settingsBody = z.strictObject({
  tcc_response_working_days: z.number().int().min(1).max(100),
  nio_investigation_days: z.number().int().min(1).max(730),
  investigation_days: z.number().int().min(1).max(730),
  urgent_investigation_days: z.number().int().min(1).max(730),
});
export const settingsView = settingsBody.extend({ defaults: z.boolean() });

export const aggregateQuery = z.strictObject({
  year: z.coerce.number().int().min(2000).max(2100),
  public: z.enum(['true', 'false']).default('true').transform((v) => v === 'true')
    .describe('Analysts always receive the disclosure-controlled form.'),
});
const published = z.number().int().nullable();
export const aggregateView = z.object({
  year: z.number().int(),
  public: z.boolean(),
  allegations: published,
  by_type: z.record(z.string(), published),
  by_personnel_category: z.record(z.string(), published),
  by_nationality: z.record(z.string(), published),
  by_investigation_status: z.record(z.string(), published),
  by_investigating_entity: z.record(z.string(), published),
  by_quarter: z.record(z.string(), published),
  victims: published,
  victims_by_age_class: z.record(z.string(), published),
  paternity_claims: published,
  disclosure: z.object({ threshold: z.number().int(), suppressed_cells: z.number().int(), note: z.string() }).nullable(),
});
export type AggregateView = z.infer<typeof aggregateView>;
