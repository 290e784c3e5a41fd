-- Administration of parties and admin areas (issue 6, item 8). Records name them by foreign key, so
-- they are never deleted: an administrator retires one instead (`active = false`), which takes it out
-- of the pickers for new records while every record already naming it keeps its name. `version`
-- makes a change by one administrator refuse to overwrite another's unseen change.
alter table parties add column active boolean not null default true;
alter table parties add column version integer not null default 1;
alter table admin_areas add column active boolean not null default true;
alter table admin_areas add column version integer not null default 1;
