import { z } from 'zod';

/**
 * Controlled vocabularies of the MRM, from the MRM IMS+ global defaults (domain.md §1.3–1.5).
 * Task forces configure their own lookups in time; these are the codes stored and exported.
 */
export const VIOLATION_TYPES = ['killing', 'maiming', 'recruitment_use', 'sexual_violence', 'abduction', 'attack_school',
  'attack_hospital', 'denial_humanitarian_access', 'military_use', 'deprivation_of_liberty'] as const;
export type ViolationType = (typeof VIOLATION_TYPES)[number];

/**
 * Counted by children (boys/girls/unknown), not by incidents (domain.md §1.3 "Counting unit"). MRM IMS+
 * counts deprivation of liberty by incident; the SG reports give detained children as a number of
 * children, and the report rules Tutela follows (issue #4) count it by victims, so it is here.
 */
export const VICTIM_COUNTED_TYPES: ReadonlySet<ViolationType> = new Set(['killing', 'maiming', 'recruitment_use', 'sexual_violence', 'abduction', 'deprivation_of_liberty']);

export const VERIFICATION_STATUSES = ['pending', 'verified', 'not_verified', 'not_mrm', 'did_not_occur'] as const;
export type VerificationStatus = (typeof VERIFICATION_STATUSES)[number];
export const VERIFICATION_LEVELS = ['focal_point', 'technical', 'final'] as const;
export type VerificationLevel = (typeof VERIFICATION_LEVELS)[number];

export const AGE_BANDS = ['0-5', '6-10', '11-13', '14-17', 'unknown'] as const;
export const YNU = z.enum(['yes', 'no', 'unknown']);

const many = <T extends readonly [string, ...string[]]>(values: T) => z.array(z.enum(values)).max(values.length);

const WEAPONS = ['aerial_bomb', 'barrel_bomb', 'baton', 'beheading', 'burned_alive', 'booby_trap', 'biological', 'chemical',
  'erw', 'ied', 'landmine', 'light_weapon', 'missile', 'mortar_rocket', 'sharp_weapon', 'small_arm', 'submunition',
  'stoning', 'tear_gas', 'uav', 'water_cannon', 'hanging', 'other', 'unknown'] as const;
const ATTACK_TYPES = ['aerial', 'arson', 'land_based', 'sea_based', 'shooting', 'suicide', 'other'] as const;

const killingDetails = z.strictObject({
  context: z.enum(['military_clashes', 'erw', 'political_violence', 'arrest_search_operation', 'single_murder', 'torture_result']).optional(),
  attack_type: z.enum(ATTACK_TYPES).optional(),
  weapon_type: z.enum(WEAPONS).optional(),
  directly_targeted: YNU.optional(),
  participating_in_hostilities: YNU.optional(),
  indiscriminate: YNU.optional(),
});

const facilityBase = {
  attack_type: z.enum(ATTACK_TYPES).optional(),
  weapon_type: z.enum(WEAPONS).optional(),
  recurrent: YNU.optional(),
  facility_impact: z.enum(['total_destruction', 'serious_damage', 'minor_damage', 'none']).optional(),
  facility_closed: z.enum(['yes', 'no', 'partially', 'unknown']).optional(),
  days_closed: z.number().int().min(0).max(36500).optional(),
  personnel_killed: z.number().int().min(0).max(100000).optional(),
  personnel_injured: z.number().int().min(0).max(100000).optional(),
};

/** Type-specific details ("sub-types"), one strict schema per violation type. */
export const DETAILS_BY_TYPE = {
  killing: killingDetails,
  maiming: killingDetails.extend({ consequences: z.enum(['permanent_disability', 'serious_injury', 'other']).optional() }),
  recruitment_use: z.strictObject({
    factors: many(['abduction', 'conscription', 'family_pressure', 'family_problems', 'financial', 'idealism', 'intimidation',
      'lack_of_services', 'security', 'friends', 'revenge', 'unknown', 'other']).optional(),
    child_role: z.enum(['combatant', 'non_combatant', 'unknown']).optional(),
    roles: many(['fighter', 'mine_laying', 'intelligence', 'cook', 'human_shield', 'porter', 'sexual_purposes', 'other']).optional(),
    re_recruitment: YNU.optional(),
    released: YNU.optional(),
    how_left: z.enum(['captured', 'surrendered', 'community_brokered', 'group_dissolved', 'informal_release', 'formal_release']).optional(),
  }),
  sexual_violence: z.strictObject({
    forms: many(['rape', 'gang_rape', 'sexual_assault', 'sexual_slavery_trafficking', 'enforced_prostitution', 'enforced_sterilization',
      'forced_pregnancy', 'forced_abortion', 'forced_marriage', 'sexual_mutilation']).optional(),
    during_military_operations: YNU.optional(),
  }),
  abduction: z.strictObject({
    purposes: many(['extortion', 'forced_marriage', 'indoctrination', 'intimidation', 'killing_maiming', 'punishment', 'recruitment_use',
      'sexual_violence', 'forced_labour', 'sale', 'trafficking', 'enslavement', 'unknown', 'other']).optional(),
    regained_freedom: YNU.optional(),
    how_ended: z.enum(['released', 'ransom_paid', 'escape', 'military_operation', 'group_dissolved', 'formal_handover', 'other']).optional(),
  }),
  attack_school: z.strictObject({
    ...facilityBase,
    attack_kind: z.enum(['attack_on_school', 'attack_on_education_personnel', 'threat_of_attack', 'other_interference']).optional(),
    school_type: z.enum(['early_childhood', 'primary', 'secondary', 'vocational', 'religious', 'informal', 'other']).optional(),
  }),
  attack_hospital: z.strictObject({
    ...facilityBase,
    attack_kind: z.enum(['attack_on_hospital', 'attack_on_medical_personnel', 'threat_of_attack', 'other_interference']).optional(),
    facility_type: z.enum(['hospital', 'health_centre', 'dispensary', 'mobile_health_unit', 'ambulance', 'other']).optional(),
  }),
  denial_humanitarian_access: z.strictObject({
    methods: many(['abduction_of_personnel', 'besiegement', 'entry_restrictions', 'import_restrictions', 'financial_restrictions',
      'property_damage', 'theft', 'beneficiary_access_restrictions', 'threats_against_beneficiaries', 'threats_against_personnel',
      'travel_restrictions', 'vehicle_hijacking', 'other']).optional(),
    organisations: many(['governmental', 'international', 'international_ngo', 'national_ngo', 'de_facto_authorities', 'red_cross',
      'faith_based', 'community', 'private', 'unknown', 'other']).optional(),
    aid_types: many(['food', 'medical_care', 'medical_equipment', 'school_supplies', 'wash', 'other']).optional(),
  }),
  military_use: z.strictObject({
    use_type: z.enum(['school', 'hospital']).optional(),
    purposes: many(['barracks', 'command_post', 'sniper_position', 'storage', 'weapons_depot', 'unknown', 'other']).optional(),
  }),
  deprivation_of_liberty: z.strictObject({
    facility: z.enum(['civilian_infrastructure', 'informal_detention', 'intelligence_premises', 'juvenile_detention', 'military_facility',
      'prison', 'other']).optional(),
    still_detained: YNU.optional(),
    torture_or_ill_treatment: YNU.optional(),
  }),
} as const satisfies Record<ViolationType, z.ZodType>;
