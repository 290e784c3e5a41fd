-- Offline report intake (issue 7). A device chooses each report's id (UUID v7) and may send it many
-- times (lost answers, double taps, restarts). The receipt row is the idempotency key: its primary key
-- makes concurrent retries of one id wait for the first to commit, then find its receipt. It is written
-- in the same transaction as the record, so a receipt exists exactly when the record does.
create table report_receipts (
  mission_id text not null references missions,
  report_id uuid not null,
  report_type text not null check (report_type in ('incident')),
  -- SHA-256 (hex) of the canonical JSON of {type, payload}: "the same content" means the same digest
  sha256 char(64) not null,
  device_created_at timestamptz,
  received_at timestamptz not null default now(),
  received_by uuid not null,
  primary key (mission_id, report_id)
);
create index report_receipts_received_idx on report_receipts (mission_id, received_by, received_at);

-- The same id sent again with different content: kept for a person to review, never applied and never
-- dropped. The first version is the record itself; this one is sealed like the record's identifying
-- fields (it may hold a confidential narrative and children's identities).
create table report_conflicts (
  mission_id text not null,
  report_id uuid not null,
  sha256 char(64) not null,
  payload_sealed bytea not null,
  device_created_at timestamptz,
  received_at timestamptz not null default now(),
  received_by uuid not null,
  resolved_at timestamptz,
  resolved_by uuid,
  primary key (mission_id, report_id, sha256),
  foreign key (mission_id, report_id) references report_receipts (mission_id, report_id)
);
create index report_conflicts_open_idx on report_conflicts (mission_id, received_at) where resolved_at is null;

-- Delta sync reads "what changed after the cursor" in change order.
create index incidents_sync_idx on incidents (mission_id, updated_at, incident_id);
create index violations_sync_idx on violations (mission_id, updated_at, incident_id);
