-- Re-recruitment of a released child recorded on the case itself (issue #8, domain.md §3.6): a case
-- worker or supervisor learns that the child went back to an armed force or group. Counted by the
-- re-recruitment indicators beside new MRM recruitment violations; never rewritten.
create table case_rerecruitment_flags (
  mission_id text not null,
  flag_id uuid not null,
  case_id uuid not null,
  -- The day the child was re-recruited, or last known to be with the force or group.
  recruited_on date not null,
  party_id uuid,
  -- How the flag arrived: recorded on its own, or with a change to the case.
  source text not null check (source in ('flag', 'case_update')),
  note text not null default '',
  recorded_by uuid not null,
  recorded_at timestamptz not null default now(),
  primary key (mission_id, flag_id),
  foreign key (mission_id, case_id) references cases (mission_id, case_id),
  foreign key (mission_id, party_id) references parties (mission_id, party_id)
);
create index case_rerecruitment_flags_case_idx on case_rerecruitment_flags (mission_id, case_id, recruited_on);

-- The closure indicator counts closed cases by reason, per mission or agency: an index-only scan.
create index cases_closed_reason_idx on cases (mission_id, agency, closure_reason) where status = 'closed';
