import type { CaseSettings } from './settings.ts';

/**
 * Consent and assent by the age gradient of domain.md §4.5, and what a consent version allows. Plain
 * data in, no database: the service loads the version in force and asks here.
 */
export const CONSENT_GIVERS = ['child', 'caregiver', 'trusted_adult', 'caseworker'] as const;
export const ASSENTS = ['not_sought', 'verbal', 'written', 'refused', 'not_applicable'] as const;
export const SHARE_WITH = ['family', 'authorities', 'unhcr', 'other_organisations', 'others'] as const;
export type ConsentPurpose = 'referral' | 'sharing' | 'export' | 'tracing';

export interface ConsentGiven { given_by: (typeof CONSENT_GIVERS)[number]; child_assent: (typeof ASSENTS)[number] }

/** The child's age in whole years today, from the age recorded on a date; null when unknown. */
export function ageNow(ageYears: number | null, ageAsOf: string, now: Date): number | null {
  if (ageYears === null) return null;
  const asOf = new Date(`${ageAsOf}T00:00:00Z`);
  let years = now.getUTCFullYear() - asOf.getUTCFullYear();
  if (now.getUTCMonth() < asOf.getUTCMonth() || (now.getUTCMonth() === asOf.getUTCMonth() && now.getUTCDate() < asOf.getUTCDate())) years--;
  return ageYears + Math.max(0, years);
}

/**
 * Null when who gave consent and the child's assent fit the child's age; otherwise the rule broken. An
 * unknown age gets the youngest rule that could apply to a child who can speak for themself: a
 * caregiver's consent with the child's assent (benefit of the doubt goes to protection).
 */
export function consentRuleBroken(s: CaseSettings, age: number | null, c: ConsentGiven): string | null {
  if (c.given_by === 'child') {
    if (age === null || age < s.childConsentAge) {
      return `a child ${age === null ? 'of unknown age' : `of ${age}`} does not consent alone: consent is given by a caregiver from under ${s.childConsentAge}, with the child's assent`;
    }
    return null;
  }
  if (c.given_by === 'caseworker' && age !== null && age >= s.verbalAssentAge) {
    return `a case worker consents only for a child under ${s.verbalAssentAge} whose caregiver is inappropriate`;
  }
  if (age !== null && age < s.verbalAssentAge) return null;
  if (age !== null && age >= s.childConsentAge) return null; // a caregiver may consent with a mature child's involvement
  if (c.child_assent === 'refused') return 'the child refused assent: the case goes ahead only under a best-interests override';
  if (c.child_assent !== 'verbal' && c.child_assent !== 'written') {
    return `the assent of a child ${age === null ? 'of unknown age' : `of ${age}`} is sought (verbal from ${s.verbalAssentAge}, written where possible from ${s.writtenAssentAge})`;
  }
  return null;
}

export interface ConsentInForce {
  version: number; for_services: boolean; for_tracing: boolean; for_reporting_non_identifiable: boolean;
  share_with: string[]; withhold_from: string[]; opt_out_unhcr_export: boolean;
}

/** Null when the consent in force allows `purpose` (towards `recipient`, one of SHARE_WITH); otherwise why not. */
export function consentRefusal(consent: ConsentInForce | null, purpose: ConsentPurpose, recipient: (typeof SHARE_WITH)[number] = 'other_organisations'): string | null {
  if (!consent) return 'no consent is recorded for this child';
  switch (purpose) {
    case 'tracing':
      return consent.for_tracing ? null : `consent version ${consent.version} does not cover family tracing`;
    case 'referral':
    case 'sharing':
    case 'export':
      if (purpose === 'referral' && !consent.for_services) return `consent version ${consent.version} does not cover services`;
      if (consent.withhold_from.includes(recipient)) return `consent version ${consent.version} withholds the record from ${recipient}`;
      if (purpose === 'export' && recipient === 'unhcr' && consent.opt_out_unhcr_export) return `consent version ${consent.version} opts out of export to UNHCR`;
      return consent.share_with.includes(recipient) ? null : `consent version ${consent.version} does not allow sharing with ${recipient}`;
  }
}
