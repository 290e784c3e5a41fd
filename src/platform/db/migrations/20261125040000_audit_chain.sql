-- Tamper-evident audit trail (issue 3, item 5). Rows are still inserted as before, unsealed, by any
-- transaction and at full intake speed. A sealer (sealAuditTrail in platform/audit.ts) later gives each unsealed
-- row of a mission, in audit_id order and under a lock on that mission's chain head, the next
-- seal_seq and hash = SHA-256(prev_hash || content_hash). Ordering by seal_seq rather than audit_id
-- is what lets a row whose transaction committed late join the chain after rows sealed before it.
-- The hashes are computed in the application over a canonical form, so PGlite and PostgreSQL agree.

alter table audit_events add column seal_seq bigint;
alter table audit_events add column prev_hash bytea;
alter table audit_events add column content_hash bytea;
alter table audit_events add column hash bytea;
-- All four seal columns or none (a CHECK passes on NULL, hence the coalesces).
alter table audit_events add constraint audit_events_seal_check check (
  num_nonnulls(seal_seq, prev_hash, content_hash, hash) in (0, 4)
  and coalesce(seal_seq, 1) >= 1
  and coalesce(length(prev_hash), 32) = 32 and coalesce(length(content_hash), 32) = 32 and coalesce(length(hash), 32) = 32
);

-- Partial indexes: an insert pays only for the small "unsealed" index; the seal index is filled
-- when the row is sealed. The unique seal index also makes a double-assigned position impossible.
create unique index audit_events_seal_key on audit_events (mission_id, seal_seq) where seal_seq is not null;
create index audit_events_unsealed_idx on audit_events (mission_id, audit_id) where seal_seq is null;

-- One row per mission: where its chain ends. It is the sealer's lock (select ... for update) and lets
-- verification notice rows deleted from the end of a chain, which no link would reveal.
create table audit_chain_heads (
  mission_id text primary key,
  last_seq bigint not null default 0 check (last_seq >= 0),
  last_hash bytea not null default decode(repeat('00', 32), 'hex') check (length(last_hash) = 32),
  sealed_at timestamptz not null default now()
);

-- The one change an audit row may undergo: being sealed, once, with every other column unchanged.
-- Comparing the whole row as jsonb (minus the seal columns) keeps covering columns added later.
create function audit_events_seal_once() returns trigger language plpgsql as $$
begin
  if tg_op = 'UPDATE' and old.seal_seq is null and new.seal_seq is not null
     and (to_jsonb(new) - array['seal_seq', 'prev_hash', 'content_hash', 'hash'])
       = (to_jsonb(old) - array['seal_seq', 'prev_hash', 'content_hash', 'hash']) then
    return new;
  end if;
  raise exception 'table audit_events is append-only: a row may only be sealed, once' using errcode = 'P0001';
end;
$$;
drop trigger audit_events_append_only on audit_events;
create trigger audit_events_seal_once before update or delete on audit_events
  for each row execute function audit_events_seal_once();
create trigger audit_events_no_truncate before truncate on audit_events
  for each statement execute function refuse_history_rewrite();

-- A chain head only moves forward and is never removed.
create function audit_chain_head_forward() returns trigger language plpgsql as $$
begin
  if tg_op = 'UPDATE' and new.mission_id = old.mission_id and new.last_seq >= old.last_seq then
    return new;
  end if;
  raise exception 'table audit_chain_heads only moves forward' using errcode = 'P0001';
end;
$$;
create trigger audit_chain_heads_forward before update or delete on audit_chain_heads
  for each row execute function audit_chain_head_forward();
create trigger audit_chain_heads_no_truncate before truncate on audit_chain_heads
  for each statement execute function refuse_history_rewrite();
