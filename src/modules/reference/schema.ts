import { z } from 'zod';

export const PARTY_CATEGORIES = ['state_armed_forces', 'non_state_armed_group', 'international_forces', 'other', 'unknown'] as const;

export const countryInput = z.object({ iso3: z.string().regex(/^[A-Z]{3}$/), name: z.string().min(1).max(200) });

export const adminAreaInput = z.object({
  pcode: z.string().min(2).max(32),
  country_iso3: z.string().regex(/^[A-Z]{3}$/),
  admin_level: z.number().int().min(0).max(5),
  parent_pcode: z.string().min(2).max(32).nullable(),
  name: z.string().min(1).max(200),
  names: z.record(z.string(), z.string()).default({}),
  boundary_version: z.string().min(1).max(100),
});

export const partyInput = z.object({
  id: z.string().uuid().optional(),
  name: z.string().min(1).max(300),
  aliases: z.array(z.string().min(1).max(300)).max(50).default([]),
  category: z.enum(PARTY_CATEGORIES),
  country_iso3: z.string().regex(/^[A-Z]{3}$/),
});

export const countryView = z.object({ iso3: z.string(), name: z.string() });
/** `active: false` is a retired entry: kept for the records that name it, offered for no new one. */
export const adminAreaView = adminAreaInput.extend({ active: z.boolean(), version: z.number().int() });
export const partyView = partyInput.extend({ id: z.string().uuid(), active: z.boolean(), version: z.number().int() });

export type CountryInput = z.infer<typeof countryInput>;
export type AdminAreaInput = z.infer<typeof adminAreaInput>;
export type PartyInput = z.input<typeof partyInput>;

/* Administration (admin role only). Identity fields (a P-code, its level, parent and country; a party's
   id) never change: records and caches rely on them. Everything else may, with the version read. */

const text = (max: number) => z.string().trim().min(1, 'must not be empty').max(max, `at most ${max} characters`);
const iso3 = z.string().regex(/^[A-Z]{3}$/, 'three capital letters (ISO 3166-1 alpha-3), e.g. COD');
const pcode = z.string().trim().min(2, 'at least 2 characters').max(32, 'at most 32 characters')
  .regex(/^[A-Za-z0-9_-]+$/, 'letters, digits, - and _ only');
/** Names of an area in the app's languages (the default name is the boundary file's). */
const areaNames = z.strictObject({ en: text(200).optional(), fr: text(200).optional(), ar: text(200).optional() });
const aliases = z.array(text(300)).max(50, 'at most 50 aliases');
const version = z.number().int().min(1).describe('The version you read; a stale version is refused with 409.');

export const partyCreateBody = z.strictObject({
  name: text(300),
  aliases: aliases.default([]),
  category: z.enum(PARTY_CATEGORIES),
  country_iso3: iso3,
});
export const partyUpdateBody = z.strictObject({
  version,
  name: text(300).optional(),
  aliases: aliases.optional(),
  category: z.enum(PARTY_CATEGORIES).optional(),
  active: z.boolean().optional(),
});

export const adminAreaCreateBody = z.strictObject({
  pcode,
  country_iso3: iso3,
  admin_level: z.number().int().min(0).max(5),
  parent_pcode: pcode.nullable().describe('Required from level 1 on: the area one level up, whose P-code starts this one.'),
  name: text(200),
  names: areaNames.default({}),
  boundary_version: text(100).default('entered by an administrator'),
});
export const adminAreaUpdateBody = z.strictObject({
  version,
  name: text(200).optional(),
  names: areaNames.optional(),
  boundary_version: text(100).optional(),
  active: z.boolean().optional(),
});

export type PartyCreateInput = z.infer<typeof partyCreateBody>;
export type PartyUpdateInput = z.infer<typeof partyUpdateBody>;
export type AdminAreaCreateInput = z.infer<typeof adminAreaCreateBody>;
export type AdminAreaUpdateInput = z.infer<typeof adminAreaUpdateBody>;
