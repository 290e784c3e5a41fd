import type { ColumnType, Generated, Kysely, Selectable, Transaction } from 'kysely';
import type { DB } from '../../platform/db/schema.ts';
import type { CasesDB } from './repository.ts';

/** Tables of migration 20261125120000_case_reintegration (interim care, reintegration, follow-up, tracing, BIA/BID). */
type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type TimestampOrNull = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;

export interface InterimCareTable {
  mission_id: string; placement_id: string; case_id: string; care_type: string; place: string; admitted_on: string;
  left_on: string | null; left_reason: string; recorded_by: string; recorded_at: Generated<Date>;
}
export interface ReintegrationTable {
  mission_id: string; component_id: string; case_id: string; component_type: string; provider: string; start_on: string;
  end_on: string | null; status: string; outcome: string; updated_by: string; updated_at: Timestamp; version: Generated<number>;
}
export interface FollowupsTable {
  mission_id: string; visit_id: string; case_id: string; kind: string; sequence: number; due_on: string; visited_on: string | null;
  child_seen: boolean | null; not_seen_reason: string | null; actions_taken: string; further_visit_needed: boolean | null;
  recommend_closure: boolean; recorded_by: string | null; recorded_at: TimestampOrNull;
}
export interface TracingRequestsTable {
  mission_id: string; request_id: string; agency: string; identity_sealed: Buffer | Uint8Array; identity_index: string | null; sex: string;
  separated_on: string | null; status: Generated<string>; closed_reason: Generated<string>; created_by: string; created_at: Generated<Date>; version: Generated<number>;
}
export interface TracingMatchesTable {
  mission_id: string; match_id: string; request_id: string; case_id: string; probability: number; explanation: unknown;
  status: Generated<string>; proposed_by: string; proposed_at: Generated<Date>; decided_by: string | null; decided_at: TimestampOrNull; decision_note: Generated<string>;
}
export interface TracingStepsTable {
  mission_id: string; step_id: string; request_id: string; action: string; from_status: string; to_status: string; note: string; actor_id: string; recorded_at: Generated<Date>;
}
export interface ReunificationsTable {
  mission_id: string; case_id: string; outcome: string; match_id: string | null; care_type: string | null; verification: string | null;
  verification_note: string; on_date: string; recorded_by: string; recorded_at: Generated<Date>;
}
export interface BestInterestsTable {
  mission_id: string; record_id: string; case_id: string; kind: string; done_on: string; done_by: string; priority: string | null;
  recommendation: string; child_views: string; caregiver_views: string; bid_required: boolean; panel_members: string[];
  decision: string; reasoning: string; review_on: string | null; appeal_status: string; recorded_by: string; recorded_at: Generated<Date>;
}

interface CareTables {
  case_interim_care: InterimCareTable; case_reintegration_components: ReintegrationTable; case_followups: FollowupsTable;
  tracing_requests: TracingRequestsTable; tracing_matches: TracingMatchesTable; tracing_steps: TracingStepsTable;
  case_reunifications: ReunificationsTable; case_best_interests: BestInterestsTable;
}
export type CareDB = CasesDB & CareTables;
export type InterimCareRow = Selectable<InterimCareTable>;
export type ReintegrationRow = Selectable<ReintegrationTable>;
export type FollowupRow = Selectable<FollowupsTable>;
export type TracingRequestRow = Selectable<TracingRequestsTable>;
export type TracingMatchRow = Selectable<TracingMatchesTable>;
export type ReunificationRow = Selectable<ReunificationsTable>;
export type BestInterestsRow = Selectable<BestInterestsTable>;

type Q = Kysely<DB> | Transaction<DB>;
export const careDb = (db: Q) => db as unknown as Kysely<CareDB>;

/** `date` columns come back as `YYYY-MM-DD` strings on both drivers (architecture.md); a Date is normalised here anyway. */
export const dateOf = (d: string | Date | null): string | null => (d === null ? null : typeof d === 'string' ? d.slice(0, 10) : d.toISOString().slice(0, 10));
export const isoOf = (d: Date | string | null): string | null => (d === null ? null : new Date(d).toISOString());
