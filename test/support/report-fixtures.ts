import type { ViolationFact } from '../../src/modules/mrm/reports/counting.ts';

/**
 * Hand-computed fixtures for the counting rules (issue #4). Each fact says why it is there; the expected
 * figures below were worked out by hand from these lines, not by running the engine.
 */
export const PARTY = { fardc: 'p-fardc', codeco: 'p-codeco', adf: 'p-adf' } as const;
export const PARTIES = new Map([
  [PARTY.fardc, { name: 'FARDC', category: 'state_armed_forces' }],
  [PARTY.codeco, { name: 'CODECO', category: 'non_state_armed_group' }],
  [PARTY.adf, { name: 'ADF', category: 'non_state_armed_group' }],
]);

type Fixture = ViolationFact & { why: string; pcode: string };
const t = (ageBand: ViolationFact['tallies'][number]['ageBand'], boys: number, girls: number, sexUnknown: number) => ({ ageBand, boys, girls, sexUnknown });

export const FIXTURES: Fixture[] = [
  { why: 'lower bound inclusive; late (incident in 2024); named V1 among 4 children', type: 'killing', status: 'verified', verifiedOn: '2025-01-01',
    incidentStart: '2024-12-20', incidentEnd: null, country: 'COD', admin1: 'CD54', pcode: 'CD5402', partyIds: [PARTY.codeco],
    tallies: [t('6-10', 2, 1, 0), t('unknown', 0, 0, 1)], victimRefs: ['V1'] },
  { why: 'upper bound inclusive; a range ending in the period is committed in it; joint attribution', type: 'maiming', status: 'verified', verifiedOn: '2025-12-31',
    incidentStart: '2024-12-01', incidentEnd: '2025-01-05', country: 'COD', admin1: 'CD61', pcode: 'CD6101', partyIds: [PARTY.fardc, PARTY.codeco],
    tallies: [t('14-17', 0, 2, 0)], victimRefs: ['V2'] },
  { why: 'V1 again: one distinct child', type: 'abduction', status: 'verified', verifiedOn: '2025-06-15',
    incidentStart: '2025-06-01', incidentEnd: null, country: 'COD', admin1: 'CD54', pcode: 'CD5403', partyIds: [PARTY.codeco],
    tallies: [t('14-17', 3, 0, 0)], victimRefs: ['V1'] },
  { why: 'violation-counted grave type', type: 'attack_school', status: 'verified', verifiedOn: '2025-03-10',
    incidentStart: '2025-03-01', incidentEnd: null, country: 'COD', admin1: 'CD54', pcode: 'CD5402', partyIds: [PARTY.fardc], tallies: [], victimRefs: [] },
  { why: 'verified the day before the period: out', type: 'attack_school', status: 'verified', verifiedOn: '2024-12-31',
    incidentStart: '2024-12-01', incidentEnd: null, country: 'COD', admin1: 'CD54', pcode: 'CD5402', partyIds: [PARTY.fardc], tallies: [], victimRefs: [] },
  { why: 'verified the day after the period: out', type: 'killing', status: 'verified', verifiedOn: '2026-01-01',
    incidentStart: '2025-12-30', incidentEnd: null, country: 'COD', admin1: 'CD54', pcode: 'CD5402', partyIds: [PARTY.codeco], tallies: [t('0-5', 1, 0, 0)], victimRefs: [] },
  { why: 'not verified at the final level: out', type: 'killing', status: 'not_verified', verifiedOn: '2025-05-01',
    incidentStart: '2025-04-01', incidentEnd: null, country: 'COD', admin1: 'CD54', pcode: 'CD5402', partyIds: [PARTY.codeco], tallies: [t('0-5', 5, 0, 0)], victimRefs: [] },
  { why: 'non-grave, counted by violation, outside the total', type: 'military_use', status: 'verified', verifiedOn: '2025-04-01',
    incidentStart: '2025-03-20', incidentEnd: null, country: 'COD', admin1: 'CD61', pcode: 'CD6101', partyIds: [PARTY.fardc], tallies: [], victimRefs: [] },
  { why: 'non-grave, counted by children, outside the total and outside distinct children', type: 'deprivation_of_liberty', status: 'verified', verifiedOn: '2025-04-02',
    incidentStart: '2025-03-20', incidentEnd: null, country: 'COD', admin1: 'CD61', pcode: 'CD6101', partyIds: [PARTY.fardc], tallies: [t('14-17', 2, 0, 0)], victimRefs: ['V3'] },
  { why: 'late by two years; another country; recorded at country level; no party', type: 'recruitment_use', status: 'verified', verifiedOn: '2025-08-20',
    incidentStart: '2023-05-05', incidentEnd: null, country: 'CAF', admin1: null, pcode: 'CF', partyIds: [], tallies: [t('unknown', 0, 0, 1)], victimRefs: [] },
  { why: 'violation-counted grave type', type: 'denial_humanitarian_access', status: 'verified', verifiedOn: '2025-02-02',
    incidentStart: '2025-02-01', incidentEnd: null, country: 'COD', admin1: 'CD61', pcode: 'CD6101', partyIds: [PARTY.adf], tallies: [], victimRefs: [] },
  { why: 'V2 again', type: 'sexual_violence', status: 'verified', verifiedOn: '2025-09-09',
    incidentStart: '2025-09-01', incidentEnd: null, country: 'COD', admin1: 'CD54', pcode: 'CD5402', partyIds: [PARTY.codeco], tallies: [t('11-13', 0, 1, 0)], victimRefs: ['V2'] },
];

const zeros = { count: 0, boys: 0, girls: 0, sex_unknown: 0 };

/** The 2025 annual report of FIXTURES, by hand. */
export const EXPECTED_2025 = {
  period: { from: '2025-01-01', to: '2025-12-31' },
  // killing 4 + maiming 2 + abduction 3 + attack_school 1 + recruitment 1 + denial 1 + sexual violence 1
  total_verified: 13,
  // killing (4, incident 2024-12-20) + recruitment (1, incident 2023)
  late_verified: 5,
  committed_in_period: 8,
  // distinct refs {V1, V2} = 2; unnamed: killing 4-1, maiming 2-1, abduction 3-1, recruitment 1-0, sexual violence 1-1 = 7
  children_verified: 9,
  by_type: {
    killing: { count: 4, boys: 2, girls: 1, sex_unknown: 1 },
    maiming: { count: 2, boys: 0, girls: 2, sex_unknown: 0 },
    recruitment_use: { count: 1, boys: 0, girls: 0, sex_unknown: 1 },
    sexual_violence: { count: 1, boys: 0, girls: 1, sex_unknown: 0 },
    abduction: { count: 3, boys: 3, girls: 0, sex_unknown: 0 },
    attack_school: { ...zeros, count: 1 },
    attack_hospital: zeros,
    denial_humanitarian_access: { ...zeros, count: 1 },
    military_use: { ...zeros, count: 1 },
    deprivation_of_liberty: { count: 2, boys: 2, girls: 0, sex_unknown: 0 },
  },
  // the joint maiming (2) counts for FARDC (state) and for CODECO (non-state): state = 2 + school 1; non-state = CODECO 10 + ADF 1
  by_perpetrator_category: { state_armed_forces: 3, non_state_armed_group: 11, international_forces: 0, other: 0, unknown: 0, unattributed: 1 },
  by_country: { CAF: 1, COD: 12 },
  by_party: { ADF: 1, CODECO: 10, FARDC: 3, unattributed: 1 },
  by_admin1: { CD54: 9, CD61: 3, unknown: 1 },
  by_age_band: { '0-5': 0, '6-10': 3, '11-13': 1, '14-17': 5, unknown: 2 },
  by_month: { '2025-01': 4, '2025-02': 1, '2025-03': 1, '2025-04': 0, '2025-05': 0, '2025-06': 3, '2025-07': 0, '2025-08': 1, '2025-09': 1,
    '2025-10': 0, '2025-11': 0, '2025-12': 2 },
};

/** The 2025Q1 GHN figures: killing on 1 January (4, late), attack on a school (1), denial (1). */
export const EXPECTED_2025Q1 = { total_verified: 6, late_verified: 4, committed_in_period: 2, children_verified: 4,
  by_month: { '2025-01': 4, '2025-02': 1, '2025-03': 1 } };
