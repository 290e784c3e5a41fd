import { sql, type ColumnType, type Generated, type Insertable, type Kysely, type RawBuilder, type Selectable, type Transaction, type Updateable } from 'kysely';
import type { RecordKeyRow } from '../../platform/crypto/field-crypto.ts';
import type { DB } from '../../platform/db/schema.ts';
import type { DeadlineSettings } from './deadlines.ts';
import type { AlertKind, Outcome, ReferralEntity } from './vocabulary.ts';

/* Tables from migration 20261125080000_sea_allegations. Their row types live here, beside their only
   user: no other module has any business with them (and none can query them without these types). */

type Jsonb<T> = ColumnType<T, RawBuilder<string>, RawBuilder<string>>;
type Bytes = Buffer | Uint8Array;
export type ActionTaken = { kind: string; stage: 'interim' | 'final'; on: string };
export type PaternityClaim = { ref: string; victim_ref: string; status: string; child_support: string; lodged_on: string };

export interface SeaAllegationsTable {
  mission_id: string;
  allegation_id: string;
  audit_ref: string;
  received_on: string;
  incident_on: string | null;
  incident_precision: string;
  personnel_category: string;
  contingent_nationality: string | null;
  allegation_type: string;
  allegation_subtype: string | null;
  perpetrators: number;
  urgent: boolean;
  narrative_sealed: Bytes | null;
  referral_entity: ReferralEntity | null;
  referred_on: string | null;
  ms_response_on: string | null;
  ms_will_investigate: boolean | null;
  nio_appointed_on: string | null;
  outcome: Outcome;
  outcome_on: string | null;
  actions: Jsonb<ActionTaken[]>;
  actions_reported_on: string | null;
  paternity_claims: Jsonb<PaternityClaim[]>;
  created_by: string;
  updated_by: string;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
  version: number;
}
export interface SeaVictimsTable {
  mission_id: string;
  allegation_id: string;
  victim_ref: string;
  age_class: 'minor' | 'adult' | 'unknown';
  sex: 'female' | 'male' | 'unknown';
  identity_sealed: Bytes | null;
  case_link_consent: boolean;
  case_ref_sealed: Bytes | null;
}
export interface SeaAssistanceTable {
  mission_id: string;
  allegation_id: string;
  referral_id: string;
  victim_ref: string;
  kind: string;
  referred_on: string;
  status: string;
  completed_on: string | null;
  updated_at: Generated<Date>;
}
export interface SeaSettingsTable extends DeadlineSettings { mission_id: string; updated_by: string; updated_at: Generated<Date> }
export interface SeaAlertsTable { mission_id: string; alert_id: string; allegation_id: string; kind: AlertKind; due_on: string; raised_at: Generated<Date> }

type SeaTables = {
  sea_allegations: SeaAllegationsTable; sea_victims: SeaVictimsTable; sea_assistance_referrals: SeaAssistanceTable;
  sea_settings: SeaSettingsTable; sea_alerts: SeaAlertsTable;
};
type Q = Kysely<DB> | Transaction<DB>;
const sea = (q: Q) => q.$extendTables<SeaTables>() as unknown as Kysely<DB & SeaTables>;

export type AllegationRow = Selectable<SeaAllegationsTable>;
export type VictimRow = Selectable<SeaVictimsTable>;
export type AssistanceRow = Selectable<SeaAssistanceTable>;
export type AlertRow = Selectable<SeaAlertsTable>;
export type AllegationInsert = Insertable<SeaAllegationsTable>;
export type AllegationUpdate = Updateable<SeaAllegationsTable>;

/** jsonb written through an explicit cast, so PGlite and PostgreSQL take it the same way. */
export const jsonb = <T>(value: T) => sql<string>`cast(${JSON.stringify(value)} as jsonb)`;

export async function insertAllegation(q: Q, row: AllegationInsert, victims: Insertable<SeaVictimsTable>[], keys: RecordKeyRow[]): Promise<void> {
  if (keys.length > 0) await q.insertInto('record_keys').values(keys).execute();
  await sea(q).insertInto('sea_allegations').values(row).execute();
  if (victims.length > 0) await sea(q).insertInto('sea_victims').values(victims).execute();
}

export function findAllegation(q: Q, missionId: string, allegationId: string, lock = false): Promise<AllegationRow | undefined> {
  const query = sea(q).selectFrom('sea_allegations').selectAll().where('mission_id', '=', missionId).where('allegation_id', '=', allegationId);
  return (lock ? query.forUpdate() : query).executeTakeFirst();
}

export function listAllegations(q: Q, missionId: string, limit: number): Promise<AllegationRow[]> {
  return sea(q).selectFrom('sea_allegations').selectAll().where('mission_id', '=', missionId)
    .orderBy('received_on', 'desc').orderBy('allegation_id').limit(limit).execute();
}

/** Every allegation of the mission received in [from, to): for the aggregate. */
export function allegationsReceived(q: Q, missionId: string, from: string, to: string): Promise<AllegationRow[]> {
  return sea(q).selectFrom('sea_allegations').selectAll().where('mission_id', '=', missionId)
    .where('received_on', '>=', from).where('received_on', '<', to).execute();
}

/** Allegations whose clocks still run (no outcome yet): the only ones that can be overdue. */
export function openAllegations(q: Q, missionId: string): Promise<AllegationRow[]> {
  return sea(q).selectFrom('sea_allegations').selectAll().where('mission_id', '=', missionId).where('outcome', '=', 'pending').execute();
}

export async function updateAllegation(q: Q, missionId: string, allegationId: string, version: number, set: AllegationUpdate): Promise<boolean> {
  const res = await sea(q).updateTable('sea_allegations').set({ ...set, version: version + 1, updated_at: new Date() })
    .where('mission_id', '=', missionId).where('allegation_id', '=', allegationId).where('version', '=', version).executeTakeFirst();
  return Number(res.numUpdatedRows) === 1;
}

export function victimsOf(q: Q, missionId: string, allegationIds: string[]): Promise<VictimRow[]> {
  if (allegationIds.length === 0) return Promise.resolve([]);
  return sea(q).selectFrom('sea_victims').selectAll().where('mission_id', '=', missionId).where('allegation_id', 'in', allegationIds)
    .orderBy('allegation_id').orderBy('victim_ref').execute();
}

/** One more victim of an allegation already on record, with the record key that seals their identity. */
export async function insertVictim(q: Q, victim: Insertable<SeaVictimsTable>, keys: RecordKeyRow[]): Promise<void> {
  if (keys.length > 0) await q.insertInto('record_keys').values(keys).execute();
  await sea(q).insertInto('sea_victims').values(victim).execute();
}

export async function updateVictim(q: Q, missionId: string, allegationId: string, victimRef: string, set: Updateable<SeaVictimsTable>): Promise<boolean> {
  const res = await sea(q).updateTable('sea_victims').set(set)
    .where('mission_id', '=', missionId).where('allegation_id', '=', allegationId).where('victim_ref', '=', victimRef).executeTakeFirst();
  return Number(res.numUpdatedRows) === 1;
}

export async function insertKeys(q: Q, keys: RecordKeyRow[]): Promise<void> {
  if (keys.length > 0) await q.insertInto('record_keys').values(keys).execute();
}

export async function setCaseLink(q: Q, missionId: string, allegationId: string, victimRef: string, consent: boolean, sealed: Bytes | null): Promise<boolean> {
  const res = await sea(q).updateTable('sea_victims').set({ case_link_consent: consent, case_ref_sealed: sealed })
    .where('mission_id', '=', missionId).where('allegation_id', '=', allegationId).where('victim_ref', '=', victimRef).executeTakeFirst();
  return Number(res.numUpdatedRows) === 1;
}

export function assistanceOf(q: Q, missionId: string, allegationIds: string[]): Promise<AssistanceRow[]> {
  if (allegationIds.length === 0) return Promise.resolve([]);
  return sea(q).selectFrom('sea_assistance_referrals').selectAll().where('mission_id', '=', missionId).where('allegation_id', 'in', allegationIds)
    .orderBy('referred_on').orderBy('referral_id').execute();
}

export async function insertAssistance(q: Q, row: Insertable<SeaAssistanceTable>): Promise<void> {
  await sea(q).insertInto('sea_assistance_referrals').values(row).execute();
}

export async function updateAssistance(q: Q, missionId: string, allegationId: string, referralId: string, set: { status: string; completed_on: string | null }): Promise<boolean> {
  const res = await sea(q).updateTable('sea_assistance_referrals').set({ ...set, updated_at: new Date() })
    .where('mission_id', '=', missionId).where('allegation_id', '=', allegationId).where('referral_id', '=', referralId).executeTakeFirst();
  return Number(res.numUpdatedRows) === 1;
}

export function findSettings(q: Q, missionId: string): Promise<SeaSettingsTable | undefined> {
  return sea(q).selectFrom('sea_settings').selectAll().where('mission_id', '=', missionId).executeTakeFirst() as Promise<SeaSettingsTable | undefined>;
}

export async function saveSettings(q: Q, row: Insertable<SeaSettingsTable>): Promise<void> {
  const { mission_id: _m, ...rest } = row;
  await sea(q).insertInto('sea_settings').values(row).onConflict((oc) => oc.column('mission_id').doUpdateSet({ ...rest, updated_at: new Date() })).execute();
}

/** Inserts the alerts not raised before; returns those that are new. */
export function raiseAlerts(q: Q, rows: Insertable<SeaAlertsTable>[]): Promise<AlertRow[]> {
  if (rows.length === 0) return Promise.resolve([]);
  return sea(q).insertInto('sea_alerts').values(rows)
    .onConflict((oc) => oc.columns(['mission_id', 'allegation_id', 'kind', 'due_on']).doNothing()).returningAll().execute();
}

/** Alerts whose allegation is still without an outcome: a met deadline silences its alert. */
export function openAlerts(q: Q, missionId: string): Promise<AlertRow[]> {
  return sea(q).selectFrom('sea_alerts as a')
    .innerJoin('sea_allegations as g', (j) => j.onRef('g.mission_id', '=', 'a.mission_id').onRef('g.allegation_id', '=', 'a.allegation_id'))
    .selectAll('a').where('a.mission_id', '=', missionId).where('g.outcome', '=', 'pending')
    .orderBy('a.due_on').orderBy('a.alert_id').execute();
}
