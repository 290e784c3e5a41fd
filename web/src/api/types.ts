/**
 * Shapes of what the API sends and accepts, taken from the server's own zod schemas (type-only imports,
 * so nothing server-side is bundled here).
 */
import type { z } from 'zod';
import type { incidentCreateBody, incidentPage, incidentUpdateBody, verificationBody, violationPage } from '../../../src/modules/mrm/schema.ts';
export type { IncidentView, ViolationView, ViolationInput } from '../../../src/modules/mrm/schema.ts';
import type { AGE_BANDS, VERIFICATION_LEVELS, VERIFICATION_STATUSES, VIOLATION_TYPES } from '../../../src/modules/mrm/vocabulary.ts';

export type IncidentCreate = z.input<typeof incidentCreateBody>;
export type IncidentUpdate = z.input<typeof incidentUpdateBody>;
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

export interface AdminArea { pcode: string; country_iso3: string; admin_level: number; parent_pcode: string | null; name: string; names: Record<string, string> }
export interface Party { id: string; name: string; aliases: string[]; category: string; country_iso3: string }
export interface Country { iso3: string; name: string }

export interface VerificationEvent {
  id: string; level: VerificationLevel; from_status: VerificationStatus; to_status: VerificationStatus;
  date: string; note: string; actor_id: string; recorded_at: string;
}

type Figure = number | null;
export interface ReportView {
  report: 'annual' | 'ghn';
  public: boolean;
  period: { from: string; to: string };
  total_verified: Figure;
  committed_in_period: Figure;
  late_verified: Figure;
  children_verified: Figure;
  by_type: Record<string, { count: Figure; boys: Figure; girls: Figure; sex_unknown: Figure }>;
  by_perpetrator_category: Record<string, Figure>;
  by_country: Record<string, Figure>;
  by_party: Record<string, Figure>;
  by_admin1: Record<string, Figure>;
  by_age_band?: Record<string, Figure>;
  by_month: Record<string, Figure>;
  disclosure?: { threshold: number; sexual_violence_below_admin1: number; suppressed_cells: number; note: string };
}

export interface AuditEvent {
  id: number; occurred_at: string; actor_id: string | null; actor_role: string | null; action: string;
  target_type: string | null; target_id: string | null; details: Record<string, unknown>;
}

export interface ListFilters {
  type?: string; status?: string; from?: string; to?: string; admin_pcode?: string; party_id?: string; cursor?: string; limit?: number;
}
