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
export const adminAreaView = adminAreaInput;
export const partyView = partyInput.extend({ id: z.string().uuid() });

export type CountryInput = z.infer<typeof countryInput>;
export type AdminAreaInput = z.infer<typeof adminAreaInput>;
export type PartyInput = z.input<typeof partyInput>;
