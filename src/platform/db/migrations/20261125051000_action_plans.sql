-- Action plans (issue #4, item 2): what a listed party signed with the United Nations to end the
-- violations it is listed for, and how far it has come. Commitments and activities are small ordered
-- lists read and written with the plan, so they live in the row (jsonb) and change under its version.
create table action_plans (
  mission_id text not null references missions,
  plan_id uuid not null,
  party_id uuid not null,
  title text not null check (length(title) between 1 and 300),
  signed_on date,
  status text not null check (status in ('draft', 'signed', 'in_progress', 'completed', 'lapsed')),
  -- The listing triggers the plan addresses (killing_maiming, recruitment_use, sexual_violence,
  -- attacks_schools_hospitals, abduction).
  triggers text[] not null default '{}',
  commitments jsonb not null default '[]'::jsonb,
  activities jsonb not null default '[]'::jsonb,
  created_by uuid not null,
  created_at timestamptz not null default now(),
  updated_by uuid not null,
  updated_at timestamptz not null default now(),
  version integer not null default 1,
  primary key (mission_id, plan_id),
  foreign key (mission_id, party_id) references parties (mission_id, party_id),
  check (status = 'draft' or signed_on is not null)
);
create index action_plans_party_idx on action_plans (mission_id, party_id);
