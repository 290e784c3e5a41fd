-- Login throttling (issue 3): failure counters and locks per login name and per client address.
-- In the store, not in memory, so a lock holds across restarts and across several server processes
-- on one PostgreSQL. Counters are keyed by the login name as typed (normalised), not by user id: an
-- unknown name then locks exactly like a real one, and the answers never tell whether an account exists.
-- Like users and sessions this table belongs to no mission (a name or an address is not mission data);
-- under Citus it stays on the coordinator, where logins are answered.
create table login_throttle (
  subject_kind text not null check (subject_kind in ('username', 'address')),
  subject text not null check (length(subject) between 1 and 256),
  -- failures in the current window (for a login name: consecutive ones; a success deletes the row)
  failures integer not null check (failures >= 1),
  window_started_at timestamptz not null,
  last_failure_at timestamptz not null,
  locked_until timestamptz,
  primary key (subject_kind, subject)
);
-- Rows nobody failed on for a day are deleted now and then; this finds them.
create index login_throttle_last_failure_idx on login_throttle (last_failure_at);
