-- Case management, second part (issue #8): interim care, the reintegration plan, follow-up visits,
-- family tracing and reunification, and best-interests assessments and determinations.
-- Every limit and list is configuration (src/modules/cases/settings.ts); the checks here are the
-- vocabularies the reports count by. mission_id is first in every primary and foreign key.

-- Interim care placements (domain.md §3.3): family- or community-based first, an interim care centre as
-- a last resort, "weeks, not months": length-of-stay alerts run from admitted_on.
create table case_interim_care (
  mission_id text not null,
  placement_id uuid not null,
  case_id uuid not null,
  care_type text not null check (care_type in ('family_based', 'community_based', 'interim_care_centre', 'other')),
  place text not null default '',
  admitted_on date not null,
  left_on date,
  left_reason text not null default '',
  recorded_by uuid not null,
  recorded_at timestamptz not null default now(),
  primary key (mission_id, placement_id),
  foreign key (mission_id, case_id) references cases (mission_id, case_id),
  check (left_on is null or left_on >= admitted_on)
);
create index case_interim_care_case_idx on case_interim_care (mission_id, case_id);
create index case_interim_care_open_idx on case_interim_care (mission_id, admitted_on) where left_on is null;

-- The reintegration plan: one row per component of the ten types of IDDRS 5.20 §8.5 (domain.md §3.4).
create table case_reintegration_components (
  mission_id text not null,
  component_id uuid not null,
  case_id uuid not null,
  component_type text not null check (component_type in ('health', 'mhpss', 'family_tracing_reunification',
    'family_community_support', 'education', 'life_skills', 'vocational_livelihoods', 'social_protection',
    'voice_participation', 'monitoring_follow_up')),
  provider text not null,
  start_on date not null,
  end_on date,
  status text not null check (status in ('planned', 'ongoing', 'completed', 'discontinued')),
  outcome text not null default '',
  updated_by uuid not null,
  updated_at timestamptz not null default now(),
  version integer not null default 1,
  primary key (mission_id, component_id),
  foreign key (mission_id, case_id) references cases (mission_id, case_id),
  check (end_on is null or end_on >= start_on)
);
create index case_reintegration_case_idx on case_reintegration_components (mission_id, case_id);

-- Follow-up visits (domain.md §3.5): scheduled from the reunification (or placement) date by the
-- configured offsets; a visit record fills the row in.
create table case_followups (
  mission_id text not null,
  visit_id uuid not null,
  case_id uuid not null,
  kind text not null check (kind in ('after_reunification', 'in_care', 'for_service', 'for_assessment')),
  sequence smallint not null check (sequence >= 1),
  due_on date not null,
  visited_on date,
  child_seen boolean,
  not_seen_reason text check (not_seen_reason in ('abducted', 'at_school', 'in_detention', 'moved_to_street',
    'moved_caregiver', 'visiting', 'working', 'other')),
  actions_taken text not null default '',
  further_visit_needed boolean,
  recommend_closure boolean not null default false,
  recorded_by uuid,
  recorded_at timestamptz,
  primary key (mission_id, visit_id),
  unique (mission_id, case_id, kind, sequence),
  foreign key (mission_id, case_id) references cases (mission_id, case_id),
  check ((visited_on is null) = (child_seen is null)),
  check (child_seen is not false or not_seen_reason is not null)
);
create index case_followups_due_idx on case_followups (mission_id, due_on) where visited_on is null;

-- Tracing requests from families (CPIMS+ tracing statuses, domain.md §3.3). Who is sought and who asks
-- are sealed under a key of the request's own; identity_index is the blind index of the sought child.
create table tracing_requests (
  mission_id text not null,
  request_id uuid not null,
  agency text not null,
  identity_sealed bytea not null,
  identity_index text,
  sex text not null check (sex in ('female', 'male', 'unknown')),
  separated_on date,
  status text not null default 'open' check (status in ('open', 'tracing_in_progress', 'verified', 'reunified', 'closed')),
  closed_reason text not null default '',
  created_by uuid not null,
  created_at timestamptz not null default now(),
  version integer not null default 1,
  primary key (mission_id, request_id)
);
create index tracing_requests_agency_idx on tracing_requests (mission_id, agency, status);

-- Candidate matches between a request and a child's case, as the identity engine scored them (with its
-- explanation); a person confirms or rejects. Only a confirmed match leads to reunification.
create table tracing_matches (
  mission_id text not null,
  match_id uuid not null,
  request_id uuid not null,
  case_id uuid not null,
  probability double precision not null check (probability >= 0 and probability <= 1),
  explanation jsonb not null,
  status text not null default 'candidate' check (status in ('candidate', 'confirmed', 'rejected')),
  proposed_by uuid not null,
  proposed_at timestamptz not null default now(),
  decided_by uuid,
  decided_at timestamptz,
  decision_note text not null default '',
  primary key (mission_id, match_id),
  unique (mission_id, request_id, case_id),
  foreign key (mission_id, request_id) references tracing_requests (mission_id, request_id),
  foreign key (mission_id, case_id) references cases (mission_id, case_id)
);
create index tracing_matches_case_idx on tracing_matches (mission_id, case_id);

-- Each tracing step taken (status change, contact attempt, verification), never rewritten.
create table tracing_steps (
  mission_id text not null,
  step_id uuid not null,
  request_id uuid not null,
  action text not null,
  from_status text not null,
  to_status text not null,
  note text not null default '',
  actor_id uuid not null,
  recorded_at timestamptz not null default now(),
  primary key (mission_id, step_id),
  foreign key (mission_id, request_id) references tracing_requests (mission_id, request_id)
);
create index tracing_steps_request_idx on tracing_steps (mission_id, request_id, recorded_at);

-- Reunification with the family, or an alternative care placement (A/RES/64/142), once per case.
create table case_reunifications (
  mission_id text not null,
  case_id uuid not null,
  outcome text not null check (outcome in ('reunified', 'alternative_care')),
  match_id uuid,
  care_type text check (care_type in ('kinship', 'foster', 'supervised_independent', 'residential', 'other')),
  verification text check (verification in ('documents', 'mutual_recognition', 'community_confirmation', 'other')),
  verification_note text not null default '',
  on_date date not null,
  recorded_by uuid not null,
  recorded_at timestamptz not null default now(),
  primary key (mission_id, case_id),
  foreign key (mission_id, case_id) references cases (mission_id, case_id),
  foreign key (mission_id, match_id) references tracing_matches (mission_id, match_id),
  check (outcome <> 'reunified' or (match_id is not null and verification is not null)),
  check (outcome <> 'alternative_care' or care_type is not null)
);

-- Best-interests assessments (BIA) and determinations (BID) (domain.md §4.4); panel members by role only.
create table case_best_interests (
  mission_id text not null,
  record_id uuid not null,
  case_id uuid not null,
  kind text not null check (kind in ('bia', 'bid')),
  done_on date not null,
  done_by text not null,
  priority text check (priority in ('2_days', '1_week', '30_days', 'non_urgent')),
  recommendation text not null default '',
  child_views text not null default '',
  caregiver_views text not null default '',
  bid_required boolean not null default false,
  panel_members text[] not null default '{}',
  decision text not null default '',
  reasoning text not null default '',
  review_on date,
  appeal_status text not null default 'none' check (appeal_status in ('none', 'lodged', 'upheld', 'overturned')),
  recorded_by uuid not null,
  recorded_at timestamptz not null default now(),
  primary key (mission_id, record_id),
  foreign key (mission_id, case_id) references cases (mission_id, case_id),
  check (kind <> 'bid' or (cardinality(panel_members) >= 1 and length(decision) > 0 and length(reasoning) > 0))
);
create index case_best_interests_case_idx on case_best_interests (mission_id, case_id);
