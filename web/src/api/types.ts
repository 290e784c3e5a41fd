/**
 * Shapes of what the API sends and accepts, taken from the server's own zod schemas (type-only imports,
 * so nothing server-side is bundled here).
 */
import type { z } from 'zod';
import type { incidentCreateBody, incidentPage, incidentUpdateBody, verificationBody, violationPage, violationUpdateBody } from '../../../src/modules/mrm/schema.ts';
export type { IncidentView, ViolationView, ViolationInput } from '../../../src/modules/mrm/schema.ts';
import type { AGE_BANDS, VERIFICATION_LEVELS, VERIFICATION_STATUSES, VIOLATION_TYPES } from '../../../src/modules/mrm/vocabulary.ts';

export type IncidentCreate = z.input<typeof incidentCreateBody>;
export type IncidentUpdate = z.input<typeof incidentUpdateBody>;
export type ViolationUpdate = z.input<typeof violationUpdateBody>;
export type VerificationRequest = z.input<typeof verificationBody>;
export type IncidentPage = z.infer<typeof incidentPage>;
export type IncidentSummary = IncidentPage['items'][number];
export type ViolationPage = z.infer<typeof violationPage>;
export type ViolationType = (typeof VIOLATION_TYPES)[number];
export type VerificationStatus = (typeof VERIFICATION_STATUSES)[number];
export type VerificationLevel = (typeof VERIFICATION_LEVELS)[number];
export type AgeBand = (typeof AGE_BANDS)[number];

export type Role = 'admin' | 'monitor' | 'verifier' | 'case_worker' | 'supervisor' | 'analyst' | 'conduct_officer' | 'auditor';

export interface Scope { country: string | null; areas: string[]; agency: string | null }
export interface Me { id: string; mission_id: string; username: string; role: Role; scope: Scope }
export interface UserView extends Me { display_name: string; disabled: boolean; created_at: string }

export interface LoginResult {
  csrf_token?: string;
  expires_at: string;
  password_change_required: boolean;
  second_factor_enrolment_required: boolean;
  user: UserView;
}

/** `active: false`: retired by an administrator, kept for the records that name it, offered for no new one. */
export interface AdminArea { pcode: string; country_iso3: string; admin_level: number; parent_pcode: string | null; name: string; names: Record<string, string>; active: boolean; version: number }
export interface Party { id: string; name: string; aliases: string[]; category: string; country_iso3: string; active: boolean; version: number }
export interface Country { iso3: string; name: string }

export interface VerificationEvent {
  id: string; level: VerificationLevel; from_status: VerificationStatus; to_status: VerificationStatus;
  date: string; note: string; actor_id: string; recorded_at: string;
}

/** The server's report shape (public and restricted forms share it; suppressed cells are null). */
export type { ReportView } from '../../../src/modules/mrm/reports/schema.ts';

export interface AuditEvent {
  id: number; occurred_at: string; actor_id: string | null; actor_role: string | null; action: string;
  target_type: string | null; target_id: string | null; details: Record<string, unknown>;
}

export interface ListFilters {
  type?: string; status?: string; from?: string; to?: string; admin_pcode?: string; party_id?: string; cursor?: string; limit?: number;
}

/* Conduct (SEA, issue 10): shapes from the server's own schemas (src/modules/sea/schema.ts). */
import type {
  aggregateView as seaAggregateView, alertPage as seaAlertPage, allegationCreateBody as seaAllegationCreateBody, allegationPage as seaAllegationPage,
  allegationUpdateBody as seaAllegationUpdateBody, assistanceCreateBody as seaAssistanceCreateBody, assistanceUpdateBody as seaAssistanceUpdateBody,
  victimAddBody as seaVictimAddBody, victimUpdateBody as seaVictimUpdateBody,
} from '../../../src/modules/sea/schema.ts';
export type { AllegationView } from '../../../src/modules/sea/schema.ts';
export type AllegationCreate = z.input<typeof seaAllegationCreateBody>;
export type AllegationUpdate = z.input<typeof seaAllegationUpdateBody>;
export type AllegationPage = z.infer<typeof seaAllegationPage>;
export type AllegationSummary = AllegationPage['items'][number];
export type ConductAlertPage = z.infer<typeof seaAlertPage>;
export type VictimAdd = z.input<typeof seaVictimAddBody>;
export type VictimUpdate = z.input<typeof seaVictimUpdateBody>;
export type AssistanceCreate = z.input<typeof seaAssistanceCreateBody>;
export type AssistanceUpdate = z.input<typeof seaAssistanceUpdateBody>;
export type AssistanceView = import('../../../src/modules/sea/schema.ts').AllegationView['assistance'][number];
export type ConductAggregateView = z.infer<typeof seaAggregateView>;
