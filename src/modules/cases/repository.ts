import { sql, type ColumnType, type Generated, type Kysely, type Selectable, type Transaction } from 'kysely';
import type { DB } from '../../platform/db/schema.ts';
import type { RecordKeyRow } from '../../platform/crypto/field-crypto.ts';

/** Tables of migration 20261125070000_cases, declared here so the module owns its row types. */
type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type TimestampOrNull = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;

export interface CasesTable {
  mission_id: string; case_id: string; agency: string; assigned_to: string; sex: string;
  age_years: number | null; age_as_of: string; age_estimated: boolean;
  identity_sealed: Buffer | Uint8Array | null; identity_index: string | null;
  concerns: string[]; risk_level: string; urgent: boolean;
  identified_at: Timestamp; response_due_at: Timestamp; first_action_at: TimestampOrNull;
  step: Generated<string>; status: Generated<string>; approval_pending: string | null; approval_requested_by: string | null;
  closure_reason: string | null; closed_at: TimestampOrNull;
  created_by: string; created_at: Generated<Date>; updated_at: Generated<Date>; version: Generated<number>;
}
export interface CaseEventsTable {
  mission_id: string; event_id: string; case_id: string; action: string; from_step: string; to_step: string; note: string; actor_id: string; recorded_at: Generated<Date>;
}
export interface CaseConsentsTable {
  mission_id: string; case_id: string; version: number; given_by: string; relationship: string; language: string; witness: string;
  child_assent: string; for_services: boolean; for_reporting_non_identifiable: boolean; for_tracing: boolean;
  share_with: string[]; withhold_from: string[]; withhold_reason: string; opt_out_unhcr_export: boolean;
  child_age_at_consent: number | null; recorded_by: string; recorded_at: Generated<Date>;
}
export interface CaseReferralsTable {
  mission_id: string; referral_id: string; case_id: string; from_agency: string; to_agency: string; service: string; urgency: string;
  consent_version: number | null; consent_override: string | null; granted_forms: string[]; status: Generated<string>;
  assigned_to: string | null; sent_at: Generated<Date>; responded_at: TimestampOrNull; response_note: Generated<string>;
  feedback: Generated<string>; feedback_at: TimestampOrNull; created_by: string;
}
export interface CaseReleasesTable {
  mission_id: string; case_id: string; encountered_at: Timestamp; exit_mode: string; place_pcode: string | null; place: string;
  encountered_by: string; party_id: string | null; protocol: string; handover_due_at: Timestamp;
  handed_over_at: TimestampOrNull; handed_over_to: string | null; recorded_by: string; recorded_at: Generated<Date>;
}
/** Migration 20261125132000_case_rerecruitment: re-recruitment recorded on the case. */
export interface ReRecruitmentFlagsTable {
  mission_id: string; flag_id: string; case_id: string; recruited_on: string; party_id: string | null; source: string; note: string;
  recorded_by: string; recorded_at: Timestamp;
}
type CaseTables = { cases: CasesTable; case_events: CaseEventsTable; case_consents: CaseConsentsTable; case_referrals: CaseReferralsTable; case_releases: CaseReleasesTable; case_rerecruitment_flags: ReRecruitmentFlagsTable }
export type CasesDB = DB & CaseTables;
export type CaseRow = Selectable<CasesTable>;
export type ConsentRow = Selectable<CaseConsentsTable>;
export type ReferralRow = Selectable<CaseReferralsTable>;
export type ReleaseRow = Selectable<CaseReleasesTable>;
export type ReRecruitmentFlagRow = Selectable<ReRecruitmentFlagsTable>;

type Q = Kysely<DB> | Transaction<DB>;
export const casesDb = (db: Q) => db.$extendTables<CaseTables>() as unknown as Kysely<CasesDB>;

export async function insertCase(q: Q, row: Omit<CaseRow, 'step' | 'status' | 'created_at' | 'updated_at' | 'version' | 'approval_pending' | 'approval_requested_by' | 'closure_reason' | 'closed_at' | 'first_action_at'>, keyRow: RecordKeyRow | null): Promise<CaseRow> {
  if (keyRow) await q.insertInto('record_keys').values(keyRow).execute();
  return casesDb(q).insertInto('cases').values(row).returningAll().executeTakeFirstOrThrow();
}

export function findCase(q: Q, missionId: string, caseId: string, lock = false) {
  return casesDb(q).selectFrom('cases').selectAll().where('mission_id', '=', missionId).where('case_id', '=', caseId)
    .$if(lock, (s) => s.forUpdate()).executeTakeFirst();
}

export async function updateCase(q: Q, missionId: string, caseId: string, version: number, set: Partial<Omit<CaseRow, 'mission_id' | 'case_id' | 'version'>>): Promise<CaseRow | undefined> {
  return casesDb(q).updateTable('cases').set({ ...set, updated_at: new Date(), version: sql<number>`version + 1` })
    .where('mission_id', '=', missionId).where('case_id', '=', caseId).where('version', '=', version).returningAll().executeTakeFirst();
}

export async function insertEvent(q: Q, row: Omit<Selectable<CaseEventsTable>, 'recorded_at'>): Promise<void> {
  await casesDb(q).insertInto('case_events').values(row).execute();
}

export function caseHistory(q: Q, missionId: string, caseId: string) {
  return casesDb(q).selectFrom('case_events').select(['action', 'from_step', 'to_step', 'note', 'actor_id', 'recorded_at'])
    .where('mission_id', '=', missionId).where('case_id', '=', caseId).orderBy('recorded_at').orderBy('event_id').execute();
}

export function currentConsent(q: Q, missionId: string, caseId: string): Promise<ConsentRow | undefined> {
  return casesDb(q).selectFrom('case_consents').selectAll().where('mission_id', '=', missionId).where('case_id', '=', caseId)
    .orderBy('version', 'desc').limit(1).executeTakeFirst();
}

export function consentHistory(q: Q, missionId: string, caseId: string): Promise<ConsentRow[]> {
  return casesDb(q).selectFrom('case_consents').selectAll().where('mission_id', '=', missionId).where('case_id', '=', caseId).orderBy('version', 'desc').execute();
}

export function reRecruitmentFlags(q: Q, missionId: string, caseId: string): Promise<ReRecruitmentFlagRow[]> {
  return casesDb(q).selectFrom('case_rerecruitment_flags').selectAll().where('mission_id', '=', missionId).where('case_id', '=', caseId)
    .orderBy('recruited_on').orderBy('flag_id').execute();
}

export async function insertConsent(q: Q, row: Omit<ConsentRow, 'recorded_at'>): Promise<ConsentRow> {
  return casesDb(q).insertInto('case_consents').values(row).returningAll().executeTakeFirstOrThrow();
}

export function countOpenReferrals(q: Q, missionId: string, caseId: string) {
  return casesDb(q).selectFrom('case_referrals').select((eb) => eb.fn.countAll<string>().as('n'))
    .where('mission_id', '=', missionId).where('case_id', '=', caseId).where('status', 'in', ['pending', 'accepted'])
    .executeTakeFirstOrThrow().then((r) => Number(r.n));
}

/** Violations whose named victims carry this blind index: the child as an MRM victim (type and status only). */
export function mrmAppearances(q: Q, missionId: string, identityIndex: string) {
  return q.selectFrom('violation_victims as w')
    .innerJoin('violations as v', (j) => j.onRef('v.mission_id', '=', 'w.mission_id').onRef('v.violation_id', '=', 'w.violation_id'))
    .innerJoin('incidents as i', (j) => j.onRef('i.mission_id', '=', 'v.mission_id').onRef('i.incident_id', '=', 'v.incident_id'))
    .select(['v.type', 'v.status_final', 'i.date_start'])
    .where('w.mission_id', '=', missionId).where('w.identity_index', '=', identityIndex)
    .orderBy('i.date_start').execute();
}
