-- Two-factor authentication (TOTP, RFC 6238) and sessions that say how they were proved.
--
-- The shared secret is sealed like any identifying field (AES-256-GCM under the mission's `accounts`
-- data key): a copy of the database alone cannot mint codes. `totp_last_step` is the last 30-second
-- step accepted, so a code seen once (shoulder-surfed, phished, replayed) is refused afterwards.
alter table users add column totp_secret bytea;
alter table users add column totp_enabled_at timestamptz;
alter table users add column totp_last_step bigint not null default 0;

-- A session proved by password alone, for a role that needs a second factor, may only enrol one.
alter table sessions add column second_factor boolean not null default false;
-- 'cookie' sessions belong to the web app: their unsafe requests must carry the CSRF token.
alter table sessions add column transport text not null default 'bearer' check (transport in ('bearer', 'cookie'));
