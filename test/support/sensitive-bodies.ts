import { incidentBody } from './fixtures.ts';

/** Bodies carrying content that must never be stored in clear: for the raw-storage and exposure tests. */
export const secretBody = (m: Parameters<typeof incidentBody>[0], marker: string) => incidentBody(m, {
  narrative: { confidential: `Fictional witness ${marker} named the commander.`, public: 'An armed group attacked a site.' },
  location: { admin_pcode: m.areas.djugu, coordinates: { latitude: 1.7345678, longitude: 30.2345678, precision: 'exact' } },
});

/** A victim and a source with identities, for the raw-storage tests: names with accents, a birth date, parents. */
export const identityBody = (m: Parameters<typeof incidentBody>[0], marker: string) => {
  const base = secretBody(m, marker);
  const [killing, abduction] = base.violations;
  return {
    ...base,
    violations: [{
      ...killing!,
      victims: [{ ref: 'V-0001', sex: 'male', age: 8, age_estimated: true,
        identity: { full_name: `Dieudonné ${marker}Ngoy`, date_of_birth: '2016-03-14', parents_names: `Mère ${marker}Furaha; père ${marker}Kasongo` } }],
      sources: [{ ...killing!.sources![0]!, identity: { full_name: `Témoin ${marker}Bisimwa`, contact: '+243 810 555 0199' } }],
    }, abduction!],
  };
};
