import { z } from 'zod';
import { AGE_BANDS, DETAILS_BY_TYPE, VERIFICATION_LEVELS, VERIFICATION_STATUSES, VIOLATION_TYPES, YNU, type ViolationType } from './vocabulary.ts';

const isoDate = z.iso.date();
const count = z.number().int().min(0, 'must not be negative').max(100000);
const pseudonym = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{1,63}$/, 'a pseudonymous reference (letters, digits, . _ : -), never a name');

export const tallyInput = z.strictObject({
  age_band: z.enum(AGE_BANDS),
  boys: count.default(0),
  girls: count.default(0),
  sex_unknown: count.default(0),
});

export const perpetratorInput = z.strictObject({
  party_id: z.string().uuid(),
  attribution_verified: z.boolean().default(false),
});

/** A birth date as known: a day, a month or only a year. */
const partialDate = z.string().regex(/^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?$/, 'YYYY-MM-DD, YYYY-MM or YYYY')
  .refine((d) => d.length < 10 || !Number.isNaN(Date.parse(`${d}T00:00:00Z`)) && new Date(`${d}T00:00:00Z`).toISOString().startsWith(d), 'not a calendar date');

/** Who the child is. Sealed in the store; shown only to those who may see the record, on request, and audited. */
export const victimIdentity = z.strictObject({
  full_name: z.string().trim().min(1).max(200),
  date_of_birth: partialDate.nullable().default(null),
  parents_names: z.string().trim().max(400).default(''),
});

/** Who the source is and how to reach them again: sealed like a victim's identity. */
export const sourceIdentity = z.strictObject({
  full_name: z.string().trim().min(1).max(200),
  contact: z.string().trim().max(200).default(''),
});

export const victimInput = z.strictObject({
  ref: pseudonym,
  sex: z.enum(['female', 'male', 'unknown']),
  age: z.number().int().min(0).max(17, 'victims are children: under 18 at the time of the violation').nullable().default(null),
  age_estimated: z.boolean().default(false),
  /** On an edit: absent keeps the stored identity, null removes it. */
  identity: victimIdentity.nullable().optional(),
});

export const sourceInput = z.strictObject({
  ref: pseudonym,
  category: z.enum(['primary_victim', 'primary_witness', 'primary_alleged_perpetrator', 'secondary']),
  type: z.enum(['oral_testimony', 'written_statement', 'document', 'photo', 'video', 'direct_observation', 'satellite_imagery',
    'physical_evidence', 'injuries', 'other']),
  un_trained_monitor: z.boolean(),
  reliability: z.enum(['high', 'medium', 'low']).nullable().default(null),
  credibility: z.enum(['high', 'medium', 'low']).nullable().default(null),
  identity: sourceIdentity.nullable().optional(),
});

const violationCommon = {
  id: z.string().uuid().optional(),
  crossfire: z.boolean().default(false),
  crossborder: YNU.default('unknown'),
  tallies: z.array(tallyInput).max(AGE_BANDS.length).default([]),
  perpetrators: z.array(perpetratorInput).max(20).default([]),
  victims: z.array(victimInput).max(500).default([]),
  sources: z.array(sourceInput).max(100).default([]),
};

const variant = (type: ViolationType) =>
  z.strictObject({ type: z.literal(type), details: (DETAILS_BY_TYPE[type] as z.ZodObject).default({}), ...violationCommon });
type Variant = ReturnType<typeof variant>;

/** One variant per type, so an unknown type is refused at `type` and a foreign detail at `details.<name>`. */
export const violationInput = z.discriminatedUnion('type', VIOLATION_TYPES.map(variant) as [Variant, ...Variant[]]);
export type ViolationInput = z.infer<typeof violationInput>;

const coordinates = z.strictObject({
  latitude: z.number().min(-90).max(90),
  longitude: z.number().min(-180).max(180),
  precision: z.enum(['exact', 'approximate', 'admin_centroid']),
});

const incidentFields = {
  title: z.string().trim().min(1).max(300),
  status: z.enum(['open', 'closed', 'duplicate']).default('open'),
  date: z.strictObject({
    start: isoDate,
    end: isoDate.nullable().default(null),
    precision: z.enum(['day', 'month', 'year']).default('day'),
    estimated: z.boolean().default(false),
  }),
  first_reported_on: isoDate.nullable().default(null),
  location: z.strictObject({
    admin_pcode: z.string().min(2).max(32),
    location_type: z.string().min(1).max(64).nullable().default(null),
    coordinates: coordinates.nullable().default(null),
  }),
  narrative: z.strictObject({
    confidential: z.string().max(20000).default(''),
    public: z.string().max(5000).default(''),
  }).default({ confidential: '', public: '' }),
};

export const incidentCreateBody = z.strictObject({
  id: z.string().uuid().optional(),
  ...incidentFields,
  violations: z.array(violationInput).max(50).default([]),
});
export type IncidentCreateInput = z.infer<typeof incidentCreateBody>;

export const incidentUpdateBody = z.strictObject({
  version: z.number().int().min(1).describe('The version you read; a stale version is refused with 409.'),
  title: incidentFields.title.optional(),
  status: z.enum(['open', 'closed', 'duplicate']).optional(),
  date: incidentFields.date.optional(),
  first_reported_on: isoDate.nullable().optional(),
  location: incidentFields.location.optional(),
  narrative: z.strictObject({ confidential: z.string().max(20000).optional(), public: z.string().max(5000).optional() }).optional(),
});
export type IncidentUpdateInput = z.infer<typeof incidentUpdateBody>;

export const violationUpdateBody = z.strictObject({
  version: z.number().int().min(1),
  details: z.record(z.string(), z.unknown()).optional(),
  crossfire: z.boolean().optional(),
  crossborder: YNU.optional(),
  tallies: z.array(tallyInput).max(AGE_BANDS.length).optional(),
  perpetrators: z.array(perpetratorInput).max(20).optional(),
  victims: z.array(victimInput).max(500).optional(),
  sources: z.array(sourceInput).max(100).optional(),
});
export type ViolationUpdateInput = z.infer<typeof violationUpdateBody>;

export const verificationBody = z.strictObject({
  level: z.enum(VERIFICATION_LEVELS),
  status: z.enum(VERIFICATION_STATUSES),
  date: isoDate.describe('The date the status was decided at this level.'),
  note: z.string().max(5000).default(''),
});
export type VerificationInput = z.infer<typeof verificationBody>;

const csv = <T extends readonly [string, ...string[]]>(values: T) =>
  z.string().transform((s) => s.split(',').map((v) => v.trim()).filter(Boolean)).pipe(z.array(z.enum(values)).min(1));

export const listQuery = z.strictObject({
  type: csv(VIOLATION_TYPES).optional(),
  status: csv(VERIFICATION_STATUSES).optional().describe('Authoritative (final-level) status.'),
  from: isoDate.optional().describe('Incident date on or after.'),
  to: isoDate.optional().describe('Incident date on or before.'),
  admin_pcode: z.string().min(2).max(32).optional().describe('This area and every area inside it.'),
  party_id: z.string().uuid().optional(),
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
export type ListQuery = z.infer<typeof listQuery>;

export const incidentQuery = z.strictObject({
  include: z.enum(['narrative_confidential', 'identities', 'all']).optional()
    .describe('Ask for the confidential narrative, the identities of victims and sources, or both (`all`); every such read is audited.'),
});

/* ---------- responses ---------- */

const levelView = z.object({ status: z.enum(VERIFICATION_STATUSES), date: isoDate.nullable() });

export const violationView = z.object({
  id: z.string().uuid(),
  incident_id: z.string().uuid(),
  type: z.enum(VIOLATION_TYPES),
  details: z.record(z.string(), z.unknown()),
  crossfire: z.boolean(),
  crossborder: YNU,
  tallies: z.array(z.object({ age_band: z.enum(AGE_BANDS), boys: z.number(), girls: z.number(), sex_unknown: z.number() })),
  totals: z.object({ boys: z.number(), girls: z.number(), sex_unknown: z.number(), total: z.number() }),
  perpetrators: z.array(z.object({ party_id: z.string().uuid(), attribution_verified: z.boolean() })),
  victims: z.array(z.object({
    ref: z.string(), sex: z.string(), age: z.number().nullable(), age_estimated: z.boolean(),
    /** Present only when asked for (`include=identities`): null when none was recorded or its key was shredded. */
    identity: z.object({ full_name: z.string(), date_of_birth: z.string().nullable(), parents_names: z.string() }).nullable().optional(),
  })),
  sources: z.array(z.object({
    ref: z.string(), category: z.string(), type: z.string(), un_trained_monitor: z.boolean(), reliability: z.string().nullable(), credibility: z.string().nullable(),
    identity: z.object({ full_name: z.string(), contact: z.string() }).nullable().optional(),
  })),
  verification: z.object({ focal_point: levelView, technical: levelView, final: levelView }),
  version: z.number(),
  permitted_actions: z.array(z.string()),
});
export type ViolationView = z.infer<typeof violationView>;

export const incidentView = z.object({
  id: z.string().uuid(),
  short_id: z.string(),
  mission_id: z.string(),
  status: z.enum(['open', 'closed', 'duplicate']),
  title: z.string(),
  date: z.object({ start: isoDate, end: isoDate.nullable(), precision: z.enum(['day', 'month', 'year']), estimated: z.boolean() }),
  first_reported_on: isoDate.nullable(),
  location: z.object({ admin_pcode: z.string(), country_iso3: z.string(), location_type: z.string().nullable(), coordinates: coordinates.nullable() }),
  narrative: z.object({ public: z.string(), confidential: z.string().optional() }),
  violations: z.array(violationView),
  /** Sealed fields whose data key was destroyed (crypto-shredding): gone, not empty. */
  unavailable_fields: z.array(z.enum(['narrative_confidential', 'coordinates'])),
  created_by: z.string().uuid(),
  created_at: z.string().datetime(),
  updated_at: z.string().datetime(),
  version: z.number(),
  permitted_actions: z.array(z.string()),
});
export type IncidentView = z.infer<typeof incidentView>;

export const incidentSummaryView = incidentView.omit({ violations: true, narrative: true }).extend({
  violation_types: z.array(z.enum(VIOLATION_TYPES)),
});
export const incidentPage = z.object({ items: z.array(incidentSummaryView), next_cursor: z.string().nullable() });
export const violationPage = z.object({ items: z.array(violationView), next_cursor: z.string().nullable() });

export const verificationEventView = z.object({
  id: z.string().uuid(),
  level: z.enum(VERIFICATION_LEVELS),
  from_status: z.enum(VERIFICATION_STATUSES),
  to_status: z.enum(VERIFICATION_STATUSES),
  date: isoDate,
  note: z.string(),
  actor_id: z.string().uuid(),
  recorded_at: z.string().datetime(),
});
export const verificationHistory = z.object({ violation_id: z.string().uuid(), events: z.array(verificationEventView) });

export const victimLookupBody = z.strictObject({
  full_name: victimIdentity.shape.full_name,
  /** As recorded: the same precision must be given (a year does not find a full date). */
  date_of_birth: victimIdentity.shape.date_of_birth,
});
export type VictimLookupInput = z.infer<typeof victimLookupBody>;

export const victimLookupResponse = z.object({
  items: z.array(z.object({
    incident_id: z.string().uuid(), incident_date: isoDate, admin_pcode: z.string(),
    violation_id: z.string().uuid(), violation_type: z.enum(VIOLATION_TYPES), victim_ref: z.string(),
  })),
});

export const victimParams = z.object({ violation_id: z.string().uuid(), victim_ref: pseudonym });
export const eraseIdentityBody = z.strictObject({
  /** Why, for the audit trail: e.g. "consent withdrawn by the child's guardian, form C-12". */
  reason: z.string().trim().min(3).max(500),
});
export const eraseIdentityResponse = z.object({ erased_keys: z.number().int().min(0) });
