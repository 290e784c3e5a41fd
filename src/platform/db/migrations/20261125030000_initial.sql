-- Tutela initial schema: missions, reference data, accounts, MRM incidents and verification, audit.
-- Rule: every table carries mission_id and has it first in its primary key, so the schema can be
-- distributed by mission (Citus: distribution column mission_id; accounts become reference tables).
-- Written for PostgreSQL 15 (the production server) and runs unchanged on PGlite (PostgreSQL 18).

create table missions (
  mission_id text primary key check (mission_id ~ '^[a-z][a-z0-9_-]{1,31}$'),
  name text not null,
  created_at timestamptz not null default now()
);

create table countries (
  mission_id text not null references missions,
  iso3 char(3) not null check (iso3 ~ '^[A-Z]{3}$'),
  name text not null,
  primary key (mission_id, iso3)
);

-- P-codes are opaque hierarchical strings: a child's code starts with its parent's code.
create table admin_areas (
  mission_id text not null,
  pcode text not null check (length(pcode) between 2 and 32),
  country_iso3 char(3) not null,
  admin_level smallint not null check (admin_level between 0 and 5),
  parent_pcode text,
  name text not null,
  names jsonb not null default '{}'::jsonb,
  boundary_version text not null,
  primary key (mission_id, pcode),
  foreign key (mission_id, country_iso3) references countries (mission_id, iso3),
  foreign key (mission_id, parent_pcode) references admin_areas (mission_id, pcode),
  check (parent_pcode is null or starts_with(pcode, parent_pcode))
);

create table parties (
  mission_id text not null,
  party_id uuid not null,
  name text not null,
  aliases text[] not null default '{}',
  category text not null check (category in
    ('state_armed_forces', 'non_state_armed_group', 'international_forces', 'other', 'unknown')),
  country_iso3 char(3) not null,
  primary key (mission_id, party_id),
  unique (mission_id, name),
  foreign key (mission_id, country_iso3) references countries (mission_id, iso3)
);

create table users (
  mission_id text not null references missions,
  user_id uuid not null,
  username text not null check (username ~ '^[a-z0-9][a-z0-9._-]{2,63}$'),
  display_name text not null default '',
  role text not null check (role in
    ('admin', 'monitor', 'verifier', 'case_worker', 'supervisor', 'analyst', 'conduct_officer', 'auditor')),
  scope_country char(3),
  scope_areas text[] not null default '{}',
  scope_agency text,
  password_hash text not null,
  must_change_password boolean not null default false,
  disabled_at timestamptz,
  created_at timestamptz not null default now(),
  primary key (mission_id, user_id)
);
-- Login names are global: a person logs in without naming a mission. Under Citus this table is a
-- reference table, where a global unique index is allowed.
create unique index users_username_key on users (username);

-- Bearer tokens are stored only as SHA-256 digests; a stolen table yields no usable session.
create table sessions (
  mission_id text not null,
  session_id uuid not null,
  user_id uuid not null,
  token_hash bytea not null,
  created_at timestamptz not null default now(),
  expires_at timestamptz not null,
  revoked_at timestamptz,
  client_address text,
  primary key (mission_id, session_id),
  foreign key (mission_id, user_id) references users (mission_id, user_id)
);
create unique index sessions_token_hash_key on sessions (token_hash);

create table incidents (
  mission_id text not null references missions,
  incident_id uuid not null,
  status text not null default 'open' check (status in ('open', 'closed', 'duplicate')),
  title text not null,
  date_start date not null,
  date_end date,
  date_precision text not null check (date_precision in ('day', 'month', 'year')),
  date_estimated boolean not null default false,
  first_reported_on date,
  country_iso3 char(3) not null,
  admin_pcode text not null,
  location_type text,
  latitude double precision check (latitude between -90 and 90),
  longitude double precision check (longitude between -180 and 180),
  coordinate_precision text check (coordinate_precision in ('exact', 'approximate', 'admin_centroid')),
  narrative_confidential text not null default '',
  narrative_public text not null default '',
  created_by uuid not null,
  created_at timestamptz not null default now(),
  updated_by uuid not null,
  updated_at timestamptz not null default now(),
  version integer not null default 1,
  primary key (mission_id, incident_id),
  foreign key (mission_id, admin_pcode) references admin_areas (mission_id, pcode),
  check (date_end is null or date_end >= date_start),
  check ((latitude is null) = (longitude is null)),
  check (latitude is null or coordinate_precision is not null)
);
create index incidents_list_idx on incidents (mission_id, date_start desc, incident_id desc);
create index incidents_area_idx on incidents (mission_id, admin_pcode text_pattern_ops);

create table violations (
  mission_id text not null,
  violation_id uuid not null,
  incident_id uuid not null,
  type text not null check (type in ('killing', 'maiming', 'recruitment_use', 'sexual_violence', 'abduction',
    'attack_school', 'attack_hospital', 'denial_humanitarian_access', 'military_use', 'deprivation_of_liberty')),
  details jsonb not null default '{}'::jsonb,
  crossfire boolean not null default false,
  crossborder text not null default 'unknown' check (crossborder in ('yes', 'no', 'unknown')),
  -- Current status at each verification level; verification_events holds the full history.
  status_focal_point text not null default 'pending',
  status_technical text not null default 'pending',
  status_final text not null default 'pending',
  date_focal_point date,
  date_technical date,
  date_final date,
  created_by uuid not null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  version integer not null default 1,
  primary key (mission_id, violation_id),
  foreign key (mission_id, incident_id) references incidents (mission_id, incident_id)
);
create index violations_incident_idx on violations (mission_id, incident_id);
create index violations_type_status_idx on violations (mission_id, type, status_final);

-- Children by sex and age band. Counts, never names.
create table violation_tallies (
  mission_id text not null,
  violation_id uuid not null,
  age_band text not null check (age_band in ('0-5', '6-10', '11-13', '14-17', 'unknown')),
  boys integer not null default 0 check (boys >= 0),
  girls integer not null default 0 check (girls >= 0),
  sex_unknown integer not null default 0 check (sex_unknown >= 0),
  primary key (mission_id, violation_id, age_band),
  foreign key (mission_id, violation_id) references violations (mission_id, violation_id) on delete cascade
);

create table violation_perpetrators (
  mission_id text not null,
  violation_id uuid not null,
  party_id uuid not null,
  attribution_verified boolean not null default false,
  primary key (mission_id, violation_id, party_id),
  foreign key (mission_id, violation_id) references violations (mission_id, violation_id) on delete cascade,
  foreign key (mission_id, party_id) references parties (mission_id, party_id)
);
create index violation_perpetrators_party_idx on violation_perpetrators (mission_id, party_id);

-- Individual victims only by a pseudonymous reference assigned by the task force.
create table violation_victims (
  mission_id text not null,
  violation_id uuid not null,
  victim_ref text not null,
  sex text not null check (sex in ('female', 'male', 'unknown')),
  age smallint check (age between 0 and 17),
  age_estimated boolean not null default false,
  primary key (mission_id, violation_id, victim_ref),
  foreign key (mission_id, violation_id) references violations (mission_id, violation_id) on delete cascade
);

create table violation_sources (
  mission_id text not null,
  violation_id uuid not null,
  source_ref text not null,
  category text not null check (category in
    ('primary_victim', 'primary_witness', 'primary_alleged_perpetrator', 'secondary')),
  source_type text not null,
  un_trained_monitor boolean not null,
  reliability text check (reliability in ('high', 'medium', 'low')),
  credibility text check (credibility in ('high', 'medium', 'low')),
  primary key (mission_id, violation_id, source_ref),
  foreign key (mission_id, violation_id) references violations (mission_id, violation_id) on delete cascade
);

create table verification_events (
  mission_id text not null,
  event_id uuid not null,
  violation_id uuid not null,
  level text not null check (level in ('focal_point', 'technical', 'final')),
  from_status text not null,
  to_status text not null check (to_status in ('pending', 'verified', 'not_verified', 'not_mrm', 'did_not_occur')),
  status_date date not null,
  note text not null default '',
  actor_id uuid not null,
  recorded_at timestamptz not null default now(),
  primary key (mission_id, event_id),
  foreign key (mission_id, violation_id) references violations (mission_id, violation_id)
);
create index verification_events_violation_idx on verification_events (mission_id, violation_id, recorded_at);

create table audit_events (
  mission_id text not null,
  audit_id bigint generated always as identity,
  occurred_at timestamptz not null default now(),
  actor_id uuid,
  actor_role text,
  action text not null,
  target_type text,
  target_id text,
  client_address text,
  request_id text,
  details jsonb not null default '{}'::jsonb,
  primary key (mission_id, audit_id)
);
create index audit_events_time_idx on audit_events (mission_id, occurred_at);

-- History is evidence: the database itself refuses to rewrite it, whatever the application does.
create function refuse_history_rewrite() returns trigger language plpgsql as $$
begin
  raise exception 'table % is append-only', tg_table_name using errcode = 'P0001';
end;
$$;
create trigger verification_events_append_only before update or delete on verification_events
  for each row execute function refuse_history_rewrite();
create trigger audit_events_append_only before update or delete on audit_events
  for each row execute function refuse_history_rewrite();
