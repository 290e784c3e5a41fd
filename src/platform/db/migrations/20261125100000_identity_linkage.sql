-- Identity linkage (issue #5): linkage runs, the candidate pairs they scored, reviewers' decisions,
-- stable cluster ids and how each record came into its cluster. Records are named by reference only
-- ('case:<case_id>', 'victim:<violation_id>:<victim_ref>'): no name, birth date or blind index is
-- stored here; identities are opened in memory by the run and never written back.
-- mission_id is first in every primary and foreign key (distribution by mission).

create table identity_runs (
  mission_id text not null references missions,
  run_id uuid not null,
  started_by uuid not null,
  started_at timestamptz not null default now(),
  records integer not null,
  candidate_pairs integer not null,
  stored_pairs integer not null,
  clusters integer not null,
  -- 'mission': trained on this run's records; 'reference': too few records to train, the model
  -- trained on the generated reference set was used.
  model_source text not null check (model_source in ('mission', 'reference')),
  model jsonb not null,
  primary key (mission_id, run_id)
);
create index identity_runs_started_idx on identity_runs (mission_id, started_at);

-- The scored pairs of the latest run (left_ref < right_ref). The explanation holds per field the
-- comparison level and its bits, never the compared values.
create table identity_pairs (
  mission_id text not null,
  left_ref text not null,
  right_ref text not null,
  run_id uuid not null,
  probability double precision not null check (probability between 0 and 1),
  match_weight double precision not null,
  needs_review boolean not null,
  review_reason text,
  explanation jsonb not null,
  primary key (mission_id, left_ref, right_ref),
  foreign key (mission_id, run_id) references identity_runs (mission_id, run_id),
  check (left_ref < right_ref)
);
create index identity_pairs_review_idx on identity_pairs (mission_id, needs_review);
create index identity_pairs_right_idx on identity_pairs (mission_id, right_ref);

-- Reviewers' decisions, append-only: the newest per pair is in force and is fed to the next run as a
-- label (a rejected pair never shares a cluster, an accepted one always does).
create table identity_decisions (
  mission_id text not null,
  decision_id uuid not null,
  left_ref text not null,
  right_ref text not null,
  decision text not null check (decision in ('match', 'non_match', 'unsure')),
  reason text not null check (length(reason) between 1 and 2000),
  source text not null check (source in ('review', 'merge', 'unmerge')),
  probability double precision,
  decided_by uuid not null,
  decided_at timestamptz not null default now(),
  primary key (mission_id, decision_id),
  check (left_ref < right_ref)
);
create index identity_decisions_pair_idx on identity_decisions (mission_id, left_ref, right_ref, decided_at);

create function identity_decisions_append_only() returns trigger language plpgsql as $$
begin
  raise exception 'identity decisions are never changed or deleted: record a new decision';
end $$;
create trigger identity_decisions_no_rewrite before update or delete on identity_decisions
  for each row execute function identity_decisions_append_only();

-- The cluster (one child) each record belongs to. A cluster id outlives runs: a run keeps the id held
-- by most of a cluster's members, so a child's id does not change when an unrelated record arrives.
create table identity_members (
  mission_id text not null,
  record_ref text not null,
  cluster_id uuid not null,
  since timestamptz not null default now(),
  primary key (mission_id, record_ref)
);
create index identity_members_cluster_idx on identity_members (mission_id, cluster_id);

-- Provenance: every move of a record between clusters, by a run or a reviewer's merge or unmerge.
create table identity_cluster_events (
  mission_id text not null,
  event_id uuid not null,
  record_ref text not null,
  from_cluster uuid,
  to_cluster uuid not null,
  cause text not null check (cause in ('run', 'merge', 'unmerge')),
  run_id uuid,
  decision_id uuid,
  actor_id uuid not null,
  recorded_at timestamptz not null default now(),
  primary key (mission_id, event_id)
);
create index identity_cluster_events_record_idx on identity_cluster_events (mission_id, record_ref, recorded_at);
