import type { ColumnType, Generated, RawBuilder } from 'kysely';

/**
 * The tables as Kysely sees them. Migrations are plain SQL and never import this file:
 * the schema history must not change when these types do.
 */
type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
/** `date` columns are read back as 'YYYY-MM-DD' strings on every driver (see store.ts). */
type DateString = string;
/** jsonb is written through `jsonb()` (a cast that every driver passes the same way) and read as an object. */
type Jsonb<T> = ColumnType<T, RawBuilder<string>, RawBuilder<string>>;

export interface MissionsTable { mission_id: string; name: string; created_at: Timestamp }
export interface CountriesTable { mission_id: string; iso3: string; name: string }

export interface AdminAreasTable {
  mission_id: string;
  pcode: string;
  country_iso3: string;
  admin_level: number;
  parent_pcode: string | null;
  name: string;
  names: Jsonb<Record<string, string>>;
  boundary_version: string;
  active: Generated<boolean>;
  version: Generated<number>;
}

export interface PartiesTable {
  mission_id: string;
  party_id: string;
  name: string;
  aliases: string[];
  category: string;
  country_iso3: string;
  active: Generated<boolean>;
  version: Generated<number>;
}

export interface UsersTable {
  mission_id: string;
  user_id: string;
  username: string;
  display_name: string;
  role: string;
  scope_country: string | null;
  scope_areas: string[];
  scope_agency: string | null;
  password_hash: string;
  must_change_password: boolean;
  disabled_at: Date | null;
  created_at: Timestamp;
  /** Sealed TOTP secret (purpose `accounts`); null until enrolment starts. */
  totp_secret: Generated<Buffer | Uint8Array | null>;
  totp_enabled_at: Generated<Date | null>;
  totp_last_step: Generated<string>;
}

export interface SessionsTable {
  mission_id: string;
  session_id: string;
  user_id: string;
  token_hash: Buffer | Uint8Array;
  created_at: Timestamp;
  expires_at: Timestamp;
  revoked_at: Date | null;
  client_address: string | null;
  second_factor: Generated<boolean>;
  transport: Generated<'bearer' | 'cookie'>;
}

export interface IncidentsTable {
  mission_id: string;
  incident_id: string;
  status: string;
  title: string;
  date_start: DateString;
  date_end: DateString | null;
  date_precision: string;
  date_estimated: boolean;
  first_reported_on: DateString | null;
  country_iso3: string;
  admin_pcode: string;
  location_type: string | null;
  latitude: number | null;
  longitude: number | null;
  coordinate_precision: string | null;
  /** Legacy plaintext, emptied at start once sealed (see mrm/sealed-fields.ts). */
  narrative_confidential: string;
  narrative_public: string;
  narrative_confidential_sealed: Buffer | Uint8Array | null;
  coordinates_sealed: Buffer | Uint8Array | null;
  created_by: string;
  created_at: Timestamp;
  updated_by: string;
  updated_at: Timestamp;
  version: number;
}

export interface ViolationsTable {
  mission_id: string;
  violation_id: string;
  incident_id: string;
  type: string;
  details: Jsonb<Record<string, unknown>>;
  crossfire: boolean;
  crossborder: string;
  status_focal_point: string;
  status_technical: string;
  status_final: string;
  date_focal_point: DateString | null;
  date_technical: DateString | null;
  date_final: DateString | null;
  created_by: string;
  created_at: Timestamp;
  updated_at: Timestamp;
  version: number;
}

export interface ViolationTalliesTable {
  mission_id: string;
  violation_id: string;
  age_band: string;
  boys: number;
  girls: number;
  sex_unknown: number;
}

export interface ViolationPerpetratorsTable {
  mission_id: string;
  violation_id: string;
  party_id: string;
  attribution_verified: boolean;
}

export interface ViolationVictimsTable {
  mission_id: string;
  violation_id: string;
  victim_ref: string;
  sex: string;
  age: number | null;
  age_estimated: boolean;
  /** Sealed JSON {full_name, date_of_birth?, parents_names?} (purpose `mrm`). */
  identity_sealed: Generated<Buffer | Uint8Array | null>;
  /** Blind index: keyed HMAC of the normalised name and birth date (platform/crypto/pseudonyms.ts). */
  identity_index: Generated<string | null>;
}

export interface ViolationSourcesTable {
  mission_id: string;
  violation_id: string;
  source_ref: string;
  category: string;
  source_type: string;
  un_trained_monitor: boolean;
  reliability: string | null;
  credibility: string | null;
  /** Sealed JSON {full_name, contact?} (purpose `mrm`). */
  identity_sealed: Generated<Buffer | Uint8Array | null>;
}

export interface VerificationEventsTable {
  mission_id: string;
  event_id: string;
  violation_id: string;
  level: string;
  from_status: string;
  to_status: string;
  status_date: DateString;
  note: string;
  actor_id: string;
  recorded_at: Timestamp;
}

export interface AuditEventsTable {
  mission_id: string;
  audit_id: Generated<string>;
  occurred_at: Timestamp;
  actor_id: string | null;
  actor_role: string | null;
  action: string;
  target_type: string | null;
  target_id: string | null;
  client_address: string | null;
  request_id: string | null;
  details: Jsonb<Record<string, unknown>>;
}

export interface DataKeysTable {
  mission_id: string;
  key_id: string;
  purpose: string;
  wrapped: Buffer | Uint8Array;
  master_key_id: string;
  created_at: Timestamp;
  retired_at: Date | null;
}

export interface RecordKeysTable {
  mission_id: string;
  record_key_id: string;
  record_type: string;
  record_id: string;
  /** The record's key, sealed (format 1) under the mission's data key. */
  sealed_key: Buffer | Uint8Array;
  created_at: Generated<Date>;
}

export interface DB {
  data_keys: DataKeysTable;
  record_keys: RecordKeysTable;
  missions: MissionsTable;
  countries: CountriesTable;
  admin_areas: AdminAreasTable;
  parties: PartiesTable;
  users: UsersTable;
  sessions: SessionsTable;
  incidents: IncidentsTable;
  violations: ViolationsTable;
  violation_tallies: ViolationTalliesTable;
  violation_perpetrators: ViolationPerpetratorsTable;
  violation_victims: ViolationVictimsTable;
  violation_sources: ViolationSourcesTable;
  verification_events: VerificationEventsTable;
  audit_events: AuditEventsTable;
}
