-- Case management (issue #8): children's cases, their step history and approvals, versioned consent,
-- referrals between agencies, and release/handover of children associated with armed forces or groups.
-- Identities are sealed (per-record key, record_keys) and found through the same blind index as MRM
-- victims (violation_victims.identity_index), so a child links across incidents and cases.
-- mission_id is first in every primary and foreign key (distribution by mission).

create table cases (
  mission_id text not null references missions,
  case_id uuid not null,
  agency text not null check (length(agency) between 1 and 100),
  assigned_to uuid not null,
  sex text not null check (sex in ('female', 'male', 'unknown')),
  -- Age in whole years on age_as_of (from the birth date or an estimate): consent rules need an age
  -- without opening the sealed identity.
  age_years smallint check (age_years between 0 and 17),
  age_as_of date not null,
  age_estimated boolean not null default false,
  identity_sealed bytea,
  identity_index text,
  concerns text[] not null default '{}',
  risk_level text not null check (risk_level in ('high', 'medium', 'low')),
  urgent boolean not null default false,
  identified_at timestamptz not null,
  response_due_at timestamptz not null,
  first_action_at timestamptz,
  step text not null default 'registration' check (step in
    ('registration', 'assessment', 'case_plan', 'implementation', 'follow_up', 'closure')),
  status text not null default 'open' check (status in ('open', 'closed')),
  approval_pending text check (approval_pending in ('assessment', 'case_plan', 'closure')),
  approval_requested_by uuid,
  closure_reason text,
  closed_at timestamptz,
  created_by uuid not null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  version integer not null default 1,
  primary key (mission_id, case_id),
  check ((status = 'closed') = (closed_at is not null))
);
create index cases_assigned_idx on cases (mission_id, assigned_to, status, response_due_at);
create index cases_agency_idx on cases (mission_id, agency, status, response_due_at);
create index cases_identity_idx on cases (mission_id, identity_index) where identity_index is not null;

-- Every step change, approval request and decision: the case's history is never rewritten.
create table case_events (
  mission_id text not null,
  event_id uuid not null,
  case_id uuid not null,
  action text not null,
  from_step text not null,
  to_step text not null,
  note text not null default '',
  actor_id uuid not null,
  recorded_at timestamptz not null default now(),
  primary key (mission_id, event_id),
  foreign key (mission_id, case_id) references cases (mission_id, case_id)
);
create index case_events_case_idx on case_events (mission_id, case_id, recorded_at);

-- Consent and assent, one row per version (domain.md §4.5): the newest version is in force.
create table case_consents (
  mission_id text not null,
  case_id uuid not null,
  version integer not null check (version >= 1),
  given_by text not null check (given_by in ('child', 'caregiver', 'trusted_adult', 'caseworker')),
  relationship text not null default '',
  language text not null default '',
  witness text not null default '',
  child_assent text not null check (child_assent in ('not_sought', 'verbal', 'written', 'refused', 'not_applicable')),
  for_services boolean not null,
  for_reporting_non_identifiable boolean not null,
  for_tracing boolean not null,
  share_with text[] not null default '{}',
  withhold_from text[] not null default '{}',
  withhold_reason text not null default '',
  opt_out_unhcr_export boolean not null default false,
  child_age_at_consent smallint,
  recorded_by uuid not null,
  recorded_at timestamptz not null default now(),
  primary key (mission_id, case_id, version),
  foreign key (mission_id, case_id) references cases (mission_id, case_id)
);

create table case_referrals (
  mission_id text not null,
  referral_id uuid not null,
  case_id uuid not null,
  from_agency text not null,
  to_agency text not null,
  service text not null,
  urgency text not null check (urgency in ('high', 'medium', 'low')),
  -- The consent version that allowed the referral; null only with an imminent-risk override.
  consent_version integer,
  consent_override text,
  granted_forms text[] not null,
  status text not null default 'pending' check (status in ('pending', 'accepted', 'declined', 'completed')),
  assigned_to uuid,
  sent_at timestamptz not null default now(),
  responded_at timestamptz,
  response_note text not null default '',
  feedback text not null default '',
  feedback_at timestamptz,
  created_by uuid not null,
  primary key (mission_id, referral_id),
  foreign key (mission_id, case_id) references cases (mission_id, case_id),
  foreign key (mission_id, case_id, consent_version) references case_consents (mission_id, case_id, version),
  check (consent_version is not null or consent_override is not null)
);
create index case_referrals_case_idx on case_referrals (mission_id, case_id);
create index case_referrals_to_idx on case_referrals (mission_id, to_agency, status);

-- Encounter or separation of a child associated with an armed force or group, and the handover to
-- civilian child protection actors, timed by the protocol in force (domain.md §2.3, §3.3).
create table case_releases (
  mission_id text not null,
  case_id uuid not null,
  encountered_at timestamptz not null,
  exit_mode text not null check (exit_mode in ('captured', 'surrendered', 'formal_release', 'escaped', 'handed_over')),
  place_pcode text,
  place text not null default '',
  encountered_by text not null,
  party_id uuid,
  protocol text not null,
  handover_due_at timestamptz not null,
  handed_over_at timestamptz,
  handed_over_to text check (handed_over_to in
    ('civilian_child_protection', 'ministry', 'unicef_partner', 'icrc', 'family', 'national_authorities')),
  recorded_by uuid not null,
  recorded_at timestamptz not null default now(),
  primary key (mission_id, case_id),
  foreign key (mission_id, case_id) references cases (mission_id, case_id),
  foreign key (mission_id, place_pcode) references admin_areas (mission_id, pcode),
  foreign key (mission_id, party_id) references parties (mission_id, party_id),
  check (handed_over_at is null or handed_over_at >= encountered_at),
  check ((handed_over_at is null) = (handed_over_to is null))
);
create index case_releases_pending_idx on case_releases (mission_id, handover_due_at) where handed_over_at is null;
