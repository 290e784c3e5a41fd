-- Per-record keys. Each record's sealed fields are encrypted under a random key of its own, itself
-- sealed under the mission's data key. Deleting a record's key rows is crypto-shredding that record
-- alone (retention expiry, withdrawn consent); the mission's other records keep opening.
-- record_id names the record: an incident id, or '<incident>/<violation>/<victim ref>' for one child,
-- so all keys of an incident are found by prefix.
create table record_keys (
  mission_id text not null references missions,
  record_key_id uuid not null,
  record_type text not null check (record_type ~ '^[a-z_]{2,32}$'),
  record_id text not null,
  sealed_key bytea not null,
  created_at timestamptz not null default now(),
  primary key (mission_id, record_key_id)
);
create index record_keys_record_idx on record_keys (mission_id, record_id text_pattern_ops);
