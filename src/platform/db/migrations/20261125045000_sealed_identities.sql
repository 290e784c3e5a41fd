-- Identities of individual victims and of sources, sealed (AES-256-GCM, data key purpose `mrm`), and
-- a blind index (keyed HMAC of the normalised name and birth date, purpose `pseudonym`) so a child
-- already recorded is found without decrypting anything and without a name in clear.
alter table violation_victims add column identity_sealed bytea;
alter table violation_victims add column identity_index text;
create index violation_victims_identity_idx on violation_victims (mission_id, identity_index) where identity_index is not null;

alter table violation_sources add column identity_sealed bytea;
