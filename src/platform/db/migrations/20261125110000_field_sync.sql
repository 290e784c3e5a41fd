-- What each device still holds unsent (issue 7): a device reports its outbox summary when it can reach
-- the server, so a supervisor sees who has reports waiting and since when. Only counts and times:
-- nothing of the reports themselves, which stay sealed on the device until a receipt comes back.
create table device_outbox_status (
  mission_id text not null references missions,
  user_id uuid not null,
  -- chosen by the device (UUID v7) the first time it reports; clear metadata, like the outbox's ids
  device_id uuid not null,
  waiting integer not null check (waiting >= 0),
  oldest_queued_at timestamptz,
  conflicts integer not null default 0 check (conflicts >= 0),
  refused integer not null default 0 check (refused >= 0),
  reported_at timestamptz not null default now(),
  primary key (mission_id, user_id, device_id),
  foreign key (mission_id, user_id) references users (mission_id, user_id)
);
create index device_outbox_waiting_idx on device_outbox_status (mission_id, oldest_queued_at) where waiting > 0;

-- Photos and documents attached to an incident, uploaded in resumable chunks (tus). No byte of the file
-- is ever written in clear: each piece is sealed (AES-256-GCM under the mission's data key, the
-- additional data naming the attachment and offset) as it arrives and stored here, so an upload cut
-- off half-way resumes from `received_bytes` and leaves only ciphertext behind.
create table attachments (
  mission_id text not null references missions,
  attachment_id uuid not null,
  incident_id uuid not null,
  uploaded_by uuid not null,
  media_type text not null,
  filename_sealed bytea not null,
  size_bytes bigint not null check (size_bytes > 0),
  received_bytes bigint not null default 0 check (received_bytes >= 0 and received_bytes <= size_bytes),
  created_at timestamptz not null default now(),
  completed_at timestamptz,
  primary key (mission_id, attachment_id),
  foreign key (mission_id, incident_id) references incidents (mission_id, incident_id)
);
create index attachments_incident_idx on attachments (mission_id, incident_id);
create unique index attachments_id_key on attachments (attachment_id);

create table attachment_chunks (
  mission_id text not null,
  attachment_id uuid not null,
  byte_offset bigint not null,
  sealed bytea not null,
  primary key (mission_id, attachment_id, byte_offset),
  foreign key (mission_id, attachment_id) references attachments (mission_id, attachment_id) on delete cascade
);
