/**
 * Settings for the child identity interchange CSV (issue #5) and for the public benchmark sets the engine is
 * measured on (FEBRL, Splink fake_1000 and historical_50k; record-linkage.md §8). One settings object per data
 * set, fixed before looking at results.
 */
import type { BlockingRule, LinkageSettings } from './settings.ts';

/** record_id, given_name, family_name, other_names, sex, date_of_birth, age_years, registration_date, father_name, mother_name, place_of_origin, admin1, admin2, registering_agency */
export const CHILD_IDENTITY_SETTINGS: LinkageSettings = {
  idColumn: 'record_id',
  comparisons: [
    { kind: 'name', name: 'given name', column: 'given_name', crossColumns: ['family_name', 'other_names'], tf: true },
    { kind: 'name', name: 'family name', column: 'family_name', crossColumns: ['given_name', 'other_names'], tf: true },
    { kind: 'exact', name: 'sex', column: 'sex', missingValues: ['U', 'unknown'] },
    { kind: 'date', name: 'date of birth', column: 'date_of_birth', ageColumn: 'age_years', registrationDateColumn: 'registration_date' },
    { kind: 'name', name: "father's name", column: 'father_name', tf: true },
    { kind: 'name', name: "mother's name", column: 'mother_name', tf: true },
    { kind: 'place', name: 'place of origin', columns: ['admin1', 'admin2', 'place_of_origin'], levelNames: ['admin1', 'admin2', 'place of origin'] },
  ],
  // Union measured on the generated children (docs/linkage.md): pair recall 0.9963 at 33.8 pairs per record
  // (realistic profile), 0.9973 at 58.8 (sparse profile); at 100,000 records 0.9858 at 65.6 (realistic).
  blocking: [
    { name: 'family + birth date', parts: ['family_name:code', 'date_of_birth'] },
    { name: 'given+family sound', parts: ['given_name:code', 'family_name:code'], unordered: true },
    { name: 'any name part + father', parts: ['given_name+family_name+other_names:part-codes', 'father_name:code'] },
    { name: 'given + mother', parts: ['given_name:code', 'mother_name:code'] },
    { name: 'family + mother', parts: ['family_name:code', 'mother_name:code'] },
    { name: 'given + admin2', parts: ['given_name:code', 'admin2'] },
    { name: 'parents', parts: ['father_name:code', 'mother_name:code'] },
    { name: 'given start + village', parts: ['given_name:first3', 'place_of_origin'] },
    // The loosest rule (any name part, birth years from a date or an age, province): its blocks on common
    // names are skipped, the other rules cover those. The rule before it had sex instead of the province:
    // more pairs for less recall, and it lost the 5% of records whose sex is not recorded.
    { name: 'name part + birth years + province', parts: ['given_name+family_name+other_names:part-codes', '@date of birth:years', 'admin1'], maxBlockSize: 40 },
    // A full mother's name on one form and her given name alone on another: any part of it. (The same rule for
    // the father, with the given name, added 0.0006 recall for 15% more pairs at 100,000 records: left out.)
    { name: 'mother part + admin2', parts: ['mother_name:part-codes', 'admin2'] },
    { name: 'family + admin2', parts: ['family_name:code', 'admin2'] },
    { name: 'name part + village', parts: ['given_name+family_name+other_names:part-codes', 'place_of_origin'] },
    { name: 'given + birth date', parts: ['given_name:code', 'date_of_birth'] },
    { name: 'name part + admin2 + birth years', parts: ['given_name+family_name+other_names:part-codes', 'admin2', '@date of birth:years'] },
    // A typo in the given name changes its code, not its spelling-folded key or its first letters.
    { name: 'given key + birth years + sex', parts: ['given_name:key', '@date of birth:years', 'sex'], maxBlockSize: 40 },
    { name: 'given start + admin2 + birth years', parts: ['given_name:first3', 'admin2', '@date of birth:years'] },
  ],
  // Near-certain pairs first (same family and the same written birth date: the same child, or twins), so
  // that the given name's m is learnt from them and not from siblings (see estimateM in engine.ts).
  training: { emRules: ['family + birth date', 'given+family sound', 'any name part + father'] },
  // The date of birth last: where the household agrees, a shared birth day is a twin as often as the same child.
  household: ['family name', "father's name", "mother's name", 'place of origin', 'date of birth'],
  siblingMarker: 'given name',
  // A block of more than 200 records is a common name or a large place: the other rules cover its pairs
  // (the 5,000-children set's largest block is 67; a million records would otherwise give billions of pairs).
  maxBlockSize: 200,
  thresholds: { autoLink: 0.95, review: 0.5, clusterFloor: 0.01 },
};

const FEBRL_BLOCKING: BlockingRule[] = [
  { name: 'name sounds', parts: ['given_name:code', 'surname:code'], unordered: true },
  { name: 'date of birth', parts: ['date_of_birth'] },
  { name: 'street', parts: ['street_number', 'address_1:first3'] },
  { name: 'state + address', parts: ['state', 'address_1'] },
  { name: 'postcode', parts: ['postcode'] },
  { name: 'given + birth year', parts: ['given_name:code', 'date_of_birth:year'] },
  { name: 'surname + birth year', parts: ['surname:code', 'date_of_birth:year'] },
  { name: 'suburb + initial', parts: ['suburb', 'given_name:first3'] },
];

/** FEBRL 1–4. `withId` adds the soc_sec_id column, a quasi-unique id children do not have. */
export function febrlSettings(options: { withId: boolean; link: boolean }): LinkageSettings {
  return {
    idColumn: 'rec_id',
    ...(options.link ? { sourceColumn: 'source' } : {}),
    comparisons: [
      { kind: 'name', name: 'given name', column: 'given_name', crossColumns: ['surname'], tf: true },
      { kind: 'name', name: 'surname', column: 'surname', crossColumns: ['given_name'], tf: true },
      { kind: 'date', name: 'date of birth', column: 'date_of_birth' },
      { kind: 'string', name: 'street number', column: 'street_number', metric: 'edit', thresholds: [1] },
      { kind: 'string', name: 'address 1', column: 'address_1', thresholds: [0.92, 0.8], tf: true },
      { kind: 'string', name: 'address 2', column: 'address_2', thresholds: [0.92, 0.8], tf: true },
      { kind: 'string', name: 'suburb', column: 'suburb', thresholds: [0.92, 0.8], tf: true },
      { kind: 'string', name: 'postcode', column: 'postcode', metric: 'edit', thresholds: [1, 2] },
      { kind: 'exact', name: 'state', column: 'state' },
      ...(options.withId ? [{ kind: 'string' as const, name: 'soc_sec_id', column: 'soc_sec_id', metric: 'edit' as const, thresholds: [1, 2] }] : []),
    ],
    blocking: [...FEBRL_BLOCKING, ...(options.withId ? [{ name: 'soc_sec_id', parts: ['soc_sec_id'] }] : [])],
    // 100,000 random pairs give the same F1 as 300,000 (0.9993 / 0.9994 on FEBRL4) at 0.6 s CPU instead of 1.0 s.
    training: { randomPairs: 100_000 },
    thresholds: { autoLink: 0.95, review: 0.5, clusterFloor: 0.01 },
  };
}

export const FAKE_1000_SETTINGS: LinkageSettings = {
  idColumn: 'unique_id',
  comparisons: [
    { kind: 'name', name: 'first name', column: 'first_name', crossColumns: ['surname'], tf: true },
    { kind: 'name', name: 'surname', column: 'surname', crossColumns: ['first_name'], tf: true },
    { kind: 'date', name: 'date of birth', column: 'dob' },
    { kind: 'string', name: 'city', column: 'city', thresholds: [0.9], tf: true },
    { kind: 'string', name: 'email', column: 'email', thresholds: [0.88] },
  ],
  blocking: [
    { name: 'name sounds', parts: ['first_name:code', 'surname:code'], unordered: true },
    { name: 'date of birth', parts: ['dob'] },
    { name: 'email', parts: ['email'] },
    { name: 'first name + birth year', parts: ['first_name:code', 'dob:year'] },
    { name: 'surname + birth year', parts: ['surname:code', 'dob:year'] },
    { name: 'surname sound', parts: ['surname:code'] },
    { name: 'first name sound', parts: ['first_name:code'] },
    { name: 'city + birth years', parts: ['city:code', 'dob:years'] },
    { name: 'email start', parts: ['email:first3', 'dob:years'] },
  ],
  thresholds: { autoLink: 0.95, review: 0.5, clusterFloor: 0.01 },
};

export const HISTORICAL_50K_SETTINGS: LinkageSettings = {
  idColumn: 'unique_id',
  comparisons: [
    { kind: 'name', name: 'first name', column: 'first_name', crossColumns: ['surname'], tf: true },
    { kind: 'name', name: 'surname', column: 'surname', crossColumns: ['first_name'], tf: true },
    { kind: 'date', name: 'date of birth', column: 'dob' },
    { kind: 'string', name: 'birth place', column: 'birth_place', thresholds: [0.9], tf: true },
    { kind: 'string', name: 'postcode', column: 'postcode_fake', metric: 'edit', thresholds: [1, 2], tf: true },
    { kind: 'exact', name: 'gender', column: 'gender' },
    { kind: 'exact', name: 'occupation', column: 'occupation', tf: true },
  ],
  blocking: [
    { name: 'name sounds', parts: ['first_name:code', 'surname:code'], unordered: true },
    { name: 'surname + birth year', parts: ['surname:code', 'dob:year'] },
    { name: 'postcode', parts: ['postcode_fake'] },
    { name: 'birth place + first3', parts: ['birth_place', 'first_name:first3'] },
    { name: 'surname + birth place', parts: ['surname:code', 'birth_place'] },
    { name: 'first3 + surname3', parts: ['first_name:first3', 'surname:first3'] },
    { name: 'birth year + place', parts: ['dob:year', 'birth_place'] },
    { name: 'name part + birth year', parts: ['full_name:part-codes', 'dob:year'] },
    { name: 'name part + birth place', parts: ['full_name:part-codes', 'birth_place'] },
    { name: 'name part + postcode area', parts: ['full_name:part-codes', 'postcode_fake:first3'] },
  ],
  maxBlockSize: 3000,
  thresholds: { autoLink: 0.95, review: 0.5, clusterFloor: 0.01 },
};
