/**
 * The conduct module's vocabularies (domain.md §5.3, §5.4). The personnel categories are the five the
 * mission records; the published SG-report list is longer, and 'other' absorbs the rest until a
 * mission needs them apart.
 */
export const PERSONNEL_CATEGORIES = ['military_contingent', 'formed_police', 'individual_police', 'civilian_staff', 'other'] as const;
export type PersonnelCategory = (typeof PERSONNEL_CATEGORIES)[number];
/** Categories whose members serve in a national contingent: the only ones with a nationality recorded. */
export const UNIFORMED: readonly PersonnelCategory[] = ['military_contingent', 'formed_police', 'individual_police'];

export const ALLEGATION_TYPES = ['exploitation', 'abuse'] as const;
export const ALLEGATION_SUBTYPES = {
  exploitation: ['transactional_sex', 'exploitative_relationship', 'solicitation', 'trafficking'],
  abuse: ['rape', 'sexual_assault', 'sexual_activity_with_minor'],
} as const;

export const AGE_CLASSES = ['minor', 'adult', 'unknown'] as const;
export const SEXES = ['female', 'male', 'unknown'] as const;

export const REFERRAL_ENTITIES = ['tcc', 'oios', 'other'] as const;
export type ReferralEntity = (typeof REFERRAL_ENTITIES)[number];

export const OUTCOMES = ['pending', 'substantiated', 'unsubstantiated', 'closed'] as const;
export type Outcome = (typeof OUTCOMES)[number];

export const ACTION_KINDS = [
  'suspension_of_payments', 'administrative_leave', 'repatriation', // interim
  'dismissal', 'imprisonment', 'other_sanction', 'barred_from_future_service', // final
] as const;

export const PATERNITY_STATUSES = ['lodged', 'dna_requested', 'dna_result', 'under_member_state_process', 'support_ordered', 'closed'] as const;
export const CHILD_SUPPORT_STATUSES = ['not_claimed', 'claimed', 'ordered', 'paid', 'refused'] as const;

export const ASSISTANCE_KINDS = ['medical', 'psychosocial', 'legal', 'material', 'education', 'livelihood'] as const;
export const ASSISTANCE_STATUSES = ['referred', 'in_progress', 'completed', 'declined'] as const;

export const ALERT_KINDS = ['ms_response_overdue', 'investigation_overdue'] as const;
export type AlertKind = (typeof ALERT_KINDS)[number];
