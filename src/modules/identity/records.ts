import type { Kysely } from 'kysely';
import type { DB } from '../../platform/db/schema.ts';
import { openChildIdentity, prepareCaseSealing, type ChildIdentity } from '../cases/identities.ts';
import { casesDb } from '../cases/repository.ts';
import type { ViolationChildren } from '../mrm/repository.ts';
import { openIdentities, prepareSealing, type VictimIdentity } from '../mrm/sealed-fields.ts';
import type { Row } from './engine/index.ts';

/**
 * The records a linkage run compares, as rows of the child identity interchange format (issue #5): every
 * child's case and every named MRM victim of the mission. Identities are opened here, in memory, for the run
 * and dropped with it; what leaves this file is a row keyed by a record reference, never stored.
 */

export const caseRef = (caseId: string) => `case:${caseId}`;
export const victimRef = (violationId: string, victimRef: string) => `victim:${violationId}:${victimRef}`;
export type RecordRef = { kind: 'case'; caseId: string } | { kind: 'victim'; violationId: string; victimRef: string };

export function parseRef(ref: string): RecordRef | null {
  const m = /^case:([0-9a-f-]{36})$/.exec(ref);
  if (m) return { kind: 'case', caseId: m[1]! };
  const v = /^victim:([0-9a-f-]{36}):(.{1,100})$/.exec(ref);
  return v ? { kind: 'victim', violationId: v[1]!, victimRef: v[2]! } : null;
}

const SEX: Record<string, string> = { female: 'F', male: 'M', unknown: 'U' };
const EMPTY: Omit<Row, 'record_id'> = {
  given_name: '', family_name: '', other_names: '', sex: 'U', date_of_birth: '', age_years: '', registration_date: '',
  father_name: '', mother_name: '', place_of_origin: '', admin1: '', admin2: '', registering_agency: '',
};

/** A full name as given name and family name: the first part, and the rest (the engine also compares swaps and shared parts). */
export function splitFullName(fullName: string): { given_name: string; family_name: string } {
  const parts = fullName.trim().split(/\s+/).filter(Boolean);
  return { given_name: parts[0] ?? '', family_name: parts.slice(1).join(' ') };
}

/** "Moussa Diallo, Awa Sow" or "Moussa / Awa": the first name given is taken as the father's, the second as the mother's. */
export function splitParents(parents: string): { father_name: string; mother_name: string } {
  const [father = '', mother = ''] = parents.split(/\s*(?:[,;/&]|\bet\b|\band\b)\s*/i).map((s) => s.trim()).filter(Boolean);
  return { father_name: father, mother_name: mother };
}

/** The interchange row of identity fields, as a tracing request or a case gives them. */
export function identityRow(recordId: string, identity: { full_name?: string; given_name?: string; family_name?: string; other_names?: string;
  sex?: string; date_of_birth?: string | null; age_years?: number | null; registration_date?: string; father_name?: string; mother_name?: string;
  parents_names?: string; place_of_origin?: string; admin1?: string; admin2?: string; agency?: string }): Row {
  const names = identity.full_name !== undefined ? splitFullName(identity.full_name) : { given_name: identity.given_name ?? '', family_name: identity.family_name ?? '' };
  const parents = identity.parents_names !== undefined ? splitParents(identity.parents_names) : { father_name: identity.father_name ?? '', mother_name: identity.mother_name ?? '' };
  return {
    ...EMPTY, record_id: recordId, ...names, ...parents, other_names: identity.other_names ?? '',
    sex: SEX[identity.sex ?? 'unknown'] ?? identity.sex ?? 'U', date_of_birth: identity.date_of_birth ?? '',
    age_years: identity.age_years === null || identity.age_years === undefined ? '' : String(identity.age_years),
    registration_date: identity.registration_date ?? '', place_of_origin: identity.place_of_origin ?? '',
    admin1: identity.admin1 ?? '', admin2: identity.admin2 ?? '', registering_agency: identity.agency ?? '',
  };
}

export function caseRow(c: { case_id: string; sex: string; age_years: number | null; age_as_of: string; agency: string }, child: ChildIdentity): Row {
  const birth = child.birth;
  return identityRow(caseRef(c.case_id), {
    full_name: child.full_name, parents_names: child.parents_names, sex: c.sex,
    date_of_birth: 'date' in birth ? birth.date : null, age_years: 'age_estimate' in birth ? birth.age_estimate : null,
    registration_date: c.age_as_of, agency: c.agency,
  });
}

/** Keys of both purposes, before the transaction that opens identities (see FieldCrypto.ensureKey). */
export async function prepareOpening(db: Kysely<DB>, missionId: string): Promise<void> {
  await Promise.all([prepareCaseSealing(db, missionId), prepareSealing(db, missionId)]);
}

export interface CaseFactsRow { case_id: string; agency: string; sex: string; age_years: number | null; age_as_of: string; identity_sealed: Buffer | Uint8Array | null }

export function loadCases(q: Kysely<DB>, missionId: string, caseIds?: string[]): Promise<CaseFactsRow[]> {
  if (caseIds && caseIds.length === 0) return Promise.resolve([]);
  return casesDb(q).selectFrom('cases').select(['case_id', 'agency', 'sex', 'age_years', 'age_as_of', 'identity_sealed'])
    .where('mission_id', '=', missionId).where('identity_sealed', 'is not', null)
    .$if(caseIds !== undefined, (s) => s.where('case_id', 'in', caseIds!)).orderBy('case_id').execute();
}

export async function caseRows(db: Kysely<DB>, q: Kysely<DB>, missionId: string, cases: CaseFactsRow[]): Promise<Row[]> {
  const rows: Row[] = [];
  for (const c of cases) {
    const child = await openChildIdentity(db, missionId, c.case_id, c.identity_sealed, q);
    if (child) rows.push(caseRow(c, child));
  }
  return rows;
}

/** Every named victim of the mission whose identity can still be opened (an erased one is left out). */
export async function victimRows(db: Kysely<DB>, q: Kysely<DB>, missionId: string): Promise<Row[]> {
  const victims = await q.selectFrom('violation_victims as w')
    .innerJoin('violations as v', (j) => j.onRef('v.mission_id', '=', 'w.mission_id').onRef('v.violation_id', '=', 'w.violation_id'))
    .innerJoin('incidents as i', (j) => j.onRef('i.mission_id', '=', 'v.mission_id').onRef('i.incident_id', '=', 'v.incident_id'))
    .selectAll('w').select(['i.date_start', 'i.admin_pcode'])
    .where('w.mission_id', '=', missionId).where('w.identity_sealed', 'is not', null)
    .orderBy('w.violation_id').orderBy('w.victim_ref').execute();
  const rows: Row[] = [];
  for (const v of victims) {
    const { date_start, admin_pcode, ...victim } = v;
    const opened = await openIdentities(db, missionId, { tallies: [], perpetrators: [], victims: [victim], sources: [] } as ViolationChildren, q);
    const identity: VictimIdentity | null | undefined = opened.victims.get(v.victim_ref);
    if (!identity) continue;
    rows.push(identityRow(victimRef(v.violation_id, v.victim_ref), {
      full_name: identity.full_name, parents_names: identity.parents_names, sex: v.sex, date_of_birth: identity.date_of_birth,
      age_years: identity.date_of_birth ? null : v.age, registration_date: String(date_start), admin2: admin_pcode,
    }));
  }
  return rows;
}
