-- Field encryption. Identifying fields are stored only as AES-256-GCM ciphertext under a data key per
-- mission and purpose; data keys are stored wrapped by the master key, which never enters the store.
-- Deleting a mission's data keys makes its sealed fields unrecoverable (crypto-shredding).

create table data_keys (
  mission_id text not null,
  key_id uuid not null,
  purpose text not null check (purpose ~ '^[a-z_]{2,32}$'),
  wrapped bytea not null,
  master_key_id text not null,
  created_at timestamptz not null default now(),
  retired_at timestamptz,
  primary key (mission_id, key_id)
);
-- One active key per mission and purpose; retired keys stay to decrypt what they sealed.
create unique index data_keys_active_key on data_keys (mission_id, purpose) where retired_at is null;

-- The sealed forms of the confidential narrative and the exact coordinates. The plaintext columns stay
-- for one release so that stores written before this change are sealed at start, never dropped unread.
alter table incidents add column narrative_confidential_sealed bytea;
alter table incidents add column coordinates_sealed bytea;
