-- Conduct and discipline (issue #10): allegations of sexual exploitation and abuse (SEA) by personnel.
-- Kept apart from MRM and from case management (domain.md §5.4): its own tables, its own data-key
-- purpose ('sea', so it can be rotated or shredded alone), read only by the conduct_officer role.
-- Victims' identities and the narrative are sealed under per-record keys (record_keys); nothing here
-- names a child in clear. audit_ref is a random pseudonym used as the audit rows' target, so the
-- auditor can follow one allegation's trail without learning its id.

create table sea_allegations (
  mission_id text not null references missions,
  allegation_id uuid not null,
  audit_ref uuid not null,
  received_on date not null,
  incident_on date,
  incident_precision text not null default 'day' check (incident_precision in ('day', 'month', 'year', 'unknown')),
  personnel_category text not null check (personnel_category in ('military_contingent', 'formed_police', 'individual_police', 'civilian_staff', 'other')),
  contingent_nationality text check (contingent_nationality ~ '^[A-Z]{3}$'),
  allegation_type text not null check (allegation_type in ('exploitation', 'abuse')),
  allegation_subtype text,
  perpetrators integer not null default 1 check (perpetrators between 0 and 1000),
  urgent boolean not null default false,
  narrative_sealed bytea,
  referral_entity text check (referral_entity in ('tcc', 'oios', 'other')),
  referred_on date,
  ms_response_on date,
  ms_will_investigate boolean,
  nio_appointed_on date,
  outcome text not null default 'pending' check (outcome in ('pending', 'substantiated', 'unsubstantiated', 'closed')),
  outcome_on date,
  actions jsonb not null default '[]',
  actions_reported_on date,
  paternity_claims jsonb not null default '[]',
  created_by uuid not null,
  updated_by uuid not null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  version integer not null default 1,
  primary key (mission_id, allegation_id),
  check (contingent_nationality is null or personnel_category in ('military_contingent', 'formed_police', 'individual_police'))
);
create index sea_allegations_received_idx on sea_allegations (mission_id, received_on);

create table sea_victims (
  mission_id text not null,
  allegation_id uuid not null,
  victim_ref text not null check (length(victim_ref) between 1 and 40),
  age_class text not null check (age_class in ('minor', 'adult', 'unknown')),
  sex text not null check (sex in ('female', 'male', 'unknown')),
  -- name, birth date, contact: sealed under this victim's own record key
  identity_sealed bytea,
  -- a case reference is stored only with the victim's (or caregiver's) consent, and sealed too
  case_link_consent boolean not null default false,
  case_ref_sealed bytea,
  primary key (mission_id, allegation_id, victim_ref),
  foreign key (mission_id, allegation_id) references sea_allegations (mission_id, allegation_id)
);

create table sea_assistance_referrals (
  mission_id text not null,
  allegation_id uuid not null,
  referral_id uuid not null,
  victim_ref text not null,
  kind text not null check (kind in ('medical', 'psychosocial', 'legal', 'material', 'education', 'livelihood')),
  referred_on date not null,
  status text not null default 'referred' check (status in ('referred', 'in_progress', 'completed', 'declined')),
  completed_on date,
  updated_at timestamptz not null default now(),
  primary key (mission_id, allegation_id, referral_id),
  foreign key (mission_id, allegation_id, victim_ref) references sea_victims (mission_id, allegation_id, victim_ref)
);

-- Deadlines per mission (domain.md §5.2); a mission without a row uses the defaults in deadlines.ts.
create table sea_settings (
  mission_id text not null references missions,
  tcc_response_working_days integer not null check (tcc_response_working_days between 1 and 100),
  nio_investigation_days integer not null check (nio_investigation_days between 1 and 730),
  investigation_days integer not null check (investigation_days between 1 and 730),
  urgent_investigation_days integer not null check (urgent_investigation_days between 1 and 730),
  updated_by uuid not null,
  updated_at timestamptz not null default now(),
  primary key (mission_id)
);

-- Overdue alerts for the mission's conduct officers: one per allegation, deadline kind and due date,
-- so raising them again (every check) is idempotent.
create table sea_alerts (
  mission_id text not null,
  alert_id uuid not null,
  allegation_id uuid not null,
  kind text not null check (kind in ('ms_response_overdue', 'investigation_overdue')),
  due_on date not null,
  raised_at timestamptz not null default now(),
  primary key (mission_id, alert_id),
  unique (mission_id, allegation_id, kind, due_on),
  foreign key (mission_id, allegation_id) references sea_allegations (mission_id, allegation_id)
);
