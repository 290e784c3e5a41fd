-- Offline edits (issue 7). A device edits records it pulled and pushes each edit with the version it
-- started from and the values it saw then (its base). The server merges field by field: a field changed
-- only on the device is applied; a field changed on the server too, to another value, is a conflict for
-- a person, never last-write-wins. Each pushed edit is kept (sealed: it may hold the confidential
-- narrative or exact coordinates), and so is each conflict with both values, resolved or not.
create table sync_edits (
  mission_id text not null references missions,
  edit_id uuid not null,
  incident_id uuid not null,
  base_version integer not null,
  -- SHA-256 (hex) of the canonical JSON of what the device sent: the same id with other content is refused
  sha256 char(64) not null,
  content_sealed bytea not null,
  -- what the merge did: {status, version, applied: [field], unchanged: [field], conflicts: [conflict_id]}
  outcome jsonb not null,
  device_edited_at timestamptz,
  received_at timestamptz not null default now(),
  received_by uuid not null,
  primary key (mission_id, edit_id)
);
create index sync_edits_incident_idx on sync_edits (mission_id, incident_id, received_at);

create table sync_edit_conflicts (
  mission_id text not null,
  conflict_id uuid not null,
  incident_id uuid not null,
  edit_id uuid not null,
  field text not null,
  -- {base, device, stored}: the common version's value, the device's, and the server's when detected
  values_sealed bytea not null,
  detected_version integer not null,
  detected_at timestamptz not null default now(),
  resolved_at timestamptz,
  resolved_by uuid,
  resolution text check (resolution in ('device', 'stored')),
  resolved_version integer,
  primary key (mission_id, conflict_id),
  unique (mission_id, edit_id, field),
  foreign key (mission_id, edit_id) references sync_edits (mission_id, edit_id),
  check ((resolved_at is null) = (resolution is null))
);
create index sync_edit_conflicts_open_idx on sync_edit_conflicts (mission_id, detected_at) where resolved_at is null;
create index sync_edit_conflicts_incident_idx on sync_edit_conflicts (mission_id, incident_id);

-- The history is not rewritten: values and outcomes stay as received; only a resolution may be added, once.
create function sync_edits_keep() returns trigger language plpgsql as $$
begin
  if tg_op = 'DELETE' then
    raise exception 'offline edit history is kept: % rows are not deleted', tg_table_name;
  end if;
  if tg_table_name = 'sync_edits' then
    raise exception 'offline edits are kept as received';
  end if;
  if new.values_sealed is distinct from old.values_sealed or new.field is distinct from old.field
     or new.edit_id is distinct from old.edit_id or new.incident_id is distinct from old.incident_id
     or new.detected_version is distinct from old.detected_version or old.resolved_at is not null then
    raise exception 'an edit conflict keeps its values; a resolution is added once';
  end if;
  return new;
end $$;
create trigger sync_edits_keep before update or delete on sync_edits for each row execute function sync_edits_keep();
create trigger sync_edit_conflicts_keep before update or delete on sync_edit_conflicts for each row execute function sync_edits_keep();
