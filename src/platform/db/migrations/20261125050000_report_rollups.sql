-- MRM report rollups (issue #4): the annual report over a million violations must take well under a
-- second, so the figures are kept pre-aggregated by verification month, maintained by triggers in the
-- very statements that change violations, their children, incidents, parties and admin areas (no code
-- path can forget them, and the intake stays one statement).
--
-- report_facts holds each COUNTED violation's contribution (status_final verified, with a date): one
-- row per violation, the "before" a change is subtracted from. The three report_roll_* tables are
-- append-only deltas (+ for the new contribution, - for the old): writers only INSERT, so two
-- verifications never wait on one hot aggregate row. Reads sum the deltas; report_compact() folds a
-- month's deltas into one row per key (run by large refreshes and by the report read).
--
-- emonth is the month of the incident's end date, clamped to [vmonth - 12 months, vmonth]: for any
-- month-aligned period of at most 12 months that contains vmonth, "end date before the period" is
-- exactly "emonth < period start", and clamping does not change it (src/modules/mrm/reports/rollup.ts
-- falls back to the per-violation query for any other period). The rules themselves are defined in
-- counting.ts; test/report-rollup.test.ts checks these tables against that definition.

create table report_facts (
  mission_id text not null,
  violation_id uuid not null,
  type text not null,
  vmonth date not null,
  emonth date not null,
  country text not null,
  -- The incident's admin-1 P-code, or its own P-code when it is recorded above admin 1: what an area
  -- scope (a P-code prefix of level 0 or 1) is matched against.
  place text not null,
  admin1 text not null, -- '' when the incident is recorded above admin 1
  boys integer not null,
  girls integer not null,
  sex_unknown integer not null,
  named integer not null,
  a0 integer not null, a1 integer not null, a2 integer not null, a3 integer not null, a4 integer not null,
  party_ids uuid[] not null,
  categories text[] not null,
  -- Distinct children over the grave victim-counted types: 'i:' identity index, else 'r:' victim_ref.
  victim_keys text[] not null,
  primary key (mission_id, violation_id)
);

create table report_roll_groups (
  mission_id text not null,
  vmonth date not null,
  type text not null,
  emonth date not null,
  country text not null,
  place text not null,
  admin1 text not null,
  violations integer not null,
  boys integer not null, girls integer not null, sex_unknown integer not null, named integer not null,
  a0 integer not null, a1 integer not null, a2 integer not null, a3 integer not null, a4 integer not null,
  compacted boolean not null default false
);
create index report_roll_groups_idx on report_roll_groups (mission_id, vmonth);
create index report_roll_groups_fresh_idx on report_roll_groups (mission_id, vmonth) where not compacted;

create table report_roll_attr (
  mission_id text not null,
  vmonth date not null,
  type text not null,
  country text not null,
  place text not null,
  kind char(1) not null check (kind in ('p', 'c', 'u')),
  key text not null,
  violations integer not null,
  children integer not null,
  compacted boolean not null default false
);
create index report_roll_attr_idx on report_roll_attr (mission_id, vmonth);
create index report_roll_attr_fresh_idx on report_roll_attr (mission_id, vmonth) where not compacted;

create table report_roll_victims (
  mission_id text not null,
  vmonth date not null,
  country text not null,
  place text not null,
  victim_key text not null,
  n integer not null,
  compacted boolean not null default false
);
create index report_roll_victims_idx on report_roll_victims (mission_id, vmonth);
create index report_roll_victims_fresh_idx on report_roll_victims (mission_id, vmonth) where not compacted;

-- Folds the deltas of the given months into one compacted row per key.
create function report_compact(m text, months date[]) returns void language plpgsql as $$
begin
  if months is null or cardinality(months) = 0 then return; end if;
  with d as (delete from report_roll_groups where mission_id = m and vmonth = any(months) returning *)
  insert into report_roll_groups (mission_id, vmonth, type, emonth, country, place, admin1, violations, boys, girls, sex_unknown, named, a0, a1, a2, a3, a4, compacted)
  select mission_id, vmonth, type, emonth, country, place, admin1, sum(violations), sum(boys), sum(girls), sum(sex_unknown), sum(named),
    sum(a0), sum(a1), sum(a2), sum(a3), sum(a4), true
  from d group by mission_id, vmonth, type, emonth, country, place, admin1
  having sum(violations) <> 0 or sum(boys) <> 0 or sum(girls) <> 0 or sum(sex_unknown) <> 0 or sum(named) <> 0;
  with d as (delete from report_roll_attr where mission_id = m and vmonth = any(months) returning *)
  insert into report_roll_attr (mission_id, vmonth, type, country, place, kind, key, violations, children, compacted)
  select mission_id, vmonth, type, country, place, kind, key, sum(violations), sum(children), true
  from d group by mission_id, vmonth, type, country, place, kind, key
  having sum(violations) <> 0 or sum(children) <> 0;
  with d as (delete from report_roll_victims where mission_id = m and vmonth = any(months) returning *)
  insert into report_roll_victims (mission_id, vmonth, country, place, victim_key, n, compacted)
  select mission_id, vmonth, country, place, victim_key, sum(n), true
  from d group by mission_id, vmonth, country, place, victim_key
  having sum(n) <> 0;
end $$;

-- Recomputes the contribution of the given violations of one mission: subtract the stored facts, store
-- the facts as the tables now say, add them. Concurrent refreshes of one violation take turns on its
-- fact row; two first contributions of one violation at once fail on the primary key rather than count twice.
-- force_custom_plan: the plans are made for the actual array (its length estimates the rows), not a
-- generic one made for an intake's single violation and then reused for an import of 100,000.
-- fresh = true: the caller guarantees the violations were created in this transaction (an import, a
-- load), so they have no stored facts to lock or subtract: a 1,000,000-row facts table is not scanned.
create function report_refresh(m text, ids uuid[], fresh boolean default false) returns void language plpgsql set plan_cache_mode = force_custom_plan as $$
declare
  touched date[];
begin
  if ids is null or cardinality(ids) = 0 then return; end if;
  -- Joins on unnest(ids), never "= any(ids)": a parameter array is searched linearly for every row.
  if not fresh then
  perform 1 from report_facts f join unnest(ids) u(id) on f.violation_id = u.id where f.mission_id = m order by f.violation_id for update of f;

  with old as (delete from report_facts f using unnest(ids) u(id) where f.mission_id = m and f.violation_id = u.id returning f.*),
  g as (
    insert into report_roll_groups (mission_id, vmonth, type, emonth, country, place, admin1, violations, boys, girls, sex_unknown, named, a0, a1, a2, a3, a4)
    select mission_id, vmonth, type, emonth, country, place, admin1, -count(*), -sum(boys), -sum(girls), -sum(sex_unknown), -sum(named),
      -sum(a0), -sum(a1), -sum(a2), -sum(a3), -sum(a4)
    from old group by mission_id, vmonth, type, emonth, country, place, admin1
  ), a as (
    insert into report_roll_attr (mission_id, vmonth, type, country, place, kind, key, violations, children)
    select mission_id, vmonth, type, country, place, kind, key, -count(*), -sum(children) from (
      select o.*, o.boys + o.girls + o.sex_unknown as children, 'p' as kind, p::text as key from old o cross join unnest(o.party_ids) p
      union all select o.*, o.boys + o.girls + o.sex_unknown, 'c', c from old o cross join unnest(o.categories) c
      union all select o.*, o.boys + o.girls + o.sex_unknown, 'u', '' from old o where cardinality(o.party_ids) = 0
    ) x group by mission_id, vmonth, type, country, place, kind, key
  ), k as (
    insert into report_roll_victims (mission_id, vmonth, country, place, victim_key, n)
    select o.mission_id, o.vmonth, o.country, o.place, k, -count(*) from old o cross join unnest(o.victim_keys) k
    group by o.mission_id, o.vmonth, o.country, o.place, k
  )
  select array_agg(distinct vmonth) into touched from old;
  end if;

  -- Every CTE is materialized and aggregated per violation, so the planner may hash-join a bulk refresh
  -- (an import of 100,000 rows) and still use the primary keys for an intake's one violation.
  with x as materialized (
    select v.mission_id, v.violation_id, v.type, date_trunc('month', v.date_final)::date as vmonth,
      date_trunc('month', coalesce(i.date_end, i.date_start))::date as em, i.country_iso3::text as country, i.admin_pcode
    from unnest(ids) u(id) join violations v on v.mission_id = m and v.violation_id = u.id
    join incidents i on i.mission_id = v.mission_id and i.incident_id = v.incident_id
    where v.status_final = 'verified' and v.date_final is not null
  ), a1 as materialized (
    select c.pcode, (select p.pcode from admin_areas p where p.mission_id = m and p.admin_level = 1 and starts_with(c.pcode, p.pcode)
      order by length(p.pcode) desc limit 1) as admin1
    from (select distinct admin_pcode as pcode from x) c
  ), t as materialized (
    select t.violation_id, sum(t.boys) as b, sum(t.girls) as g, sum(t.sex_unknown) as u,
      sum(case when t.age_band = '0-5' then t.boys + t.girls + t.sex_unknown else 0 end) as a0,
      sum(case when t.age_band = '6-10' then t.boys + t.girls + t.sex_unknown else 0 end) as a1,
      sum(case when t.age_band = '11-13' then t.boys + t.girls + t.sex_unknown else 0 end) as a2,
      sum(case when t.age_band = '14-17' then t.boys + t.girls + t.sex_unknown else 0 end) as a3,
      sum(case when t.age_band = 'unknown' then t.boys + t.girls + t.sex_unknown else 0 end) as a4
    from x join violation_tallies t on t.mission_id = m and t.violation_id = x.violation_id group by t.violation_id
  ), n as materialized (
    select w.violation_id, count(*) as named, array_agg(distinct coalesce('i:' || w.identity_index, 'r:' || w.victim_ref)) as keys
    from x join violation_victims w on w.mission_id = m and w.violation_id = x.violation_id group by w.violation_id
  ), p as materialized (
    select vp.violation_id, array_agg(distinct vp.party_id) as party_ids, array_agg(distinct pa.category) as categories
    from x join violation_perpetrators vp on vp.mission_id = m and vp.violation_id = x.violation_id
    join parties pa on pa.mission_id = m and pa.party_id = vp.party_id
    group by vp.violation_id
  ), new as (
    insert into report_facts
    select x.mission_id, x.violation_id, x.type, x.vmonth,
      least(greatest(x.em, (x.vmonth - interval '12 months')::date), x.vmonth),
      x.country, coalesce(a1.admin1, x.admin_pcode), coalesce(a1.admin1, ''),
      coalesce(t.b, 0), coalesce(t.g, 0), coalesce(t.u, 0), coalesce(n.named, 0),
      coalesce(t.a0, 0), coalesce(t.a1, 0), coalesce(t.a2, 0), coalesce(t.a3, 0), coalesce(t.a4, 0),
      coalesce(p.party_ids, '{}'), coalesce(p.categories, '{}'),
      case when x.type in ('killing', 'maiming', 'recruitment_use', 'sexual_violence', 'abduction') then coalesce(n.keys, '{}') else '{}' end
    from x join a1 on a1.pcode = x.admin_pcode
    left join t on t.violation_id = x.violation_id
    left join n on n.violation_id = x.violation_id
    left join p on p.violation_id = x.violation_id
    returning *
  ), g as (
    insert into report_roll_groups (mission_id, vmonth, type, emonth, country, place, admin1, violations, boys, girls, sex_unknown, named, a0, a1, a2, a3, a4)
    select mission_id, vmonth, type, emonth, country, place, admin1, count(*), sum(boys), sum(girls), sum(sex_unknown), sum(named),
      sum(a0), sum(a1), sum(a2), sum(a3), sum(a4)
    from new group by mission_id, vmonth, type, emonth, country, place, admin1
  ), a as (
    insert into report_roll_attr (mission_id, vmonth, type, country, place, kind, key, violations, children)
    select mission_id, vmonth, type, country, place, kind, key, count(*), sum(children) from (
      select o.*, o.boys + o.girls + o.sex_unknown as children, 'p' as kind, p::text as key from new o cross join unnest(o.party_ids) p
      union all select o.*, o.boys + o.girls + o.sex_unknown, 'c', c from new o cross join unnest(o.categories) c
      union all select o.*, o.boys + o.girls + o.sex_unknown, 'u', '' from new o where cardinality(o.party_ids) = 0
    ) x group by mission_id, vmonth, type, country, place, kind, key
  ), k as (
    insert into report_roll_victims (mission_id, vmonth, country, place, victim_key, n)
    select o.mission_id, o.vmonth, o.country, o.place, k, count(*) from new o cross join unnest(o.victim_keys) k
    group by o.mission_id, o.vmonth, o.country, o.place, k
  )
  select array(select distinct u from unnest(coalesce(touched, '{}') || coalesce((select array_agg(distinct vmonth) from new), '{}')) u) into touched;

  -- A bulk change (an import, a load) leaves many delta rows: fold them now rather than at the next read.
  if cardinality(ids) >= 2000 then perform report_compact(m, touched); end if;
end $$;

-- The triggers: which violations a statement touched, of those that count or counted.
create function report_refresh_rows(ids_by_mission jsonb) returns void language plpgsql as $$
declare r record;
begin
  for r in select key as m, array(select jsonb_array_elements_text(value)::uuid) as ids from jsonb_each(ids_by_mission) loop
    perform report_refresh(r.m, r.ids);
  end loop;
end $$;

create function report_touch_violation_rows() returns trigger language plpgsql as $$
declare touched jsonb;
begin
  -- A bulk writer (the MRM import, a bench load) sets tutela.report_refresh = 'deferred' locally and
  -- calls report_refresh once for the violations it wrote, instead of once per table. (Only here: its
  -- new admin areas still refresh the incidents under them.)
  if current_setting('tutela.report_refresh', true) = 'deferred' then return null; end if;
  -- For violations and their children (tallies, perpetrators, victims): every table has mission_id, violation_id.
  if tg_op = 'INSERT' then
    select jsonb_object_agg(mission_id, ids) into touched from (select r.mission_id, jsonb_agg(distinct r.violation_id) as ids from new_rows r
      where exists (select 1 from violations v where v.mission_id = r.mission_id and v.violation_id = r.violation_id and v.status_final = 'verified')
      group by r.mission_id) s;
  elsif tg_op = 'DELETE' then
    select jsonb_object_agg(mission_id, ids) into touched from (select r.mission_id, jsonb_agg(distinct r.violation_id) as ids from old_rows r
      where exists (select 1 from report_facts f where f.mission_id = r.mission_id and f.violation_id = r.violation_id)
      group by r.mission_id) s;
  else
    select jsonb_object_agg(mission_id, ids) into touched from (select r.mission_id, jsonb_agg(distinct r.violation_id) as ids
      from (select mission_id, violation_id from new_rows union select mission_id, violation_id from old_rows) r
      where exists (select 1 from violations v where v.mission_id = r.mission_id and v.violation_id = r.violation_id and v.status_final = 'verified')
         or exists (select 1 from report_facts f where f.mission_id = r.mission_id and f.violation_id = r.violation_id)
      group by r.mission_id) s;
  end if;
  if touched is not null then perform report_refresh_rows(touched); end if;
  return null;
end $$;

-- On violations themselves, row triggers whose WHEN clause PostgreSQL evaluates without calling any
-- function: an intake's pending violations and an edit that leaves the counted fields alone cost nothing.
create function report_touch_violation() returns trigger language plpgsql as $$
begin
  if current_setting('tutela.report_refresh', true) = 'deferred' then return null; end if;
  perform report_refresh(new.mission_id, array[new.violation_id]);
  return null;
end $$;
create trigger report_violations_ins after insert on violations for each row when (new.status_final = 'verified')
  execute function report_touch_violation();
create trigger report_violations_upd after update on violations for each row
  when ((old.status_final = 'verified' or new.status_final = 'verified')
    and (old.status_final, old.date_final, old.type, old.incident_id) is distinct from (new.status_final, new.date_final, new.type, new.incident_id))
  execute function report_touch_violation();
create trigger report_violations_del after delete on violations referencing old table as old_rows for each statement execute function report_touch_violation_rows();
create trigger report_tallies_ins after insert on violation_tallies referencing new table as new_rows for each statement execute function report_touch_violation_rows();
create trigger report_tallies_upd after update on violation_tallies referencing old table as old_rows new table as new_rows for each statement execute function report_touch_violation_rows();
create trigger report_tallies_del after delete on violation_tallies referencing old table as old_rows for each statement execute function report_touch_violation_rows();
create trigger report_perpetrators_ins after insert on violation_perpetrators referencing new table as new_rows for each statement execute function report_touch_violation_rows();
create trigger report_perpetrators_upd after update on violation_perpetrators referencing old table as old_rows new table as new_rows for each statement execute function report_touch_violation_rows();
create trigger report_perpetrators_del after delete on violation_perpetrators referencing old table as old_rows for each statement execute function report_touch_violation_rows();
create trigger report_victims_ins after insert on violation_victims referencing new table as new_rows for each statement execute function report_touch_violation_rows();
create trigger report_victims_upd after update on violation_victims referencing old table as old_rows new table as new_rows for each statement execute function report_touch_violation_rows();
create trigger report_victims_del after delete on violation_victims referencing old table as old_rows for each statement execute function report_touch_violation_rows();

-- An incident's dates, country or place change the contribution of its counted violations.
create function report_touch_incidents() returns trigger language plpgsql as $$
declare touched jsonb;
begin
  select jsonb_object_agg(mission_id, ids) into touched from (
    select f.mission_id, jsonb_agg(f.violation_id) as ids
    from (select distinct n.mission_id, n.incident_id from new_rows n join old_rows o on o.mission_id = n.mission_id and o.incident_id = n.incident_id
          where (n.date_start, n.date_end, n.country_iso3, n.admin_pcode) is distinct from (o.date_start, o.date_end, o.country_iso3, o.admin_pcode)) c
    join violations v on v.mission_id = c.mission_id and v.incident_id = c.incident_id
    join report_facts f on f.mission_id = v.mission_id and f.violation_id = v.violation_id
    group by f.mission_id) s;
  if touched is not null then perform report_refresh_rows(touched); end if;
  return null;
end $$;
create trigger report_incidents_upd after update on incidents referencing old table as old_rows new table as new_rows for each statement execute function report_touch_incidents();

-- A party's category is part of the per-category attribution.
create function report_touch_parties() returns trigger language plpgsql as $$
declare touched jsonb;
begin
  select jsonb_object_agg(mission_id, ids) into touched from (
    select f.mission_id, jsonb_agg(distinct f.violation_id) as ids
    from new_rows n join old_rows o on o.mission_id = n.mission_id and o.party_id = n.party_id and o.category <> n.category
    join violation_perpetrators vp on vp.mission_id = n.mission_id and vp.party_id = n.party_id
    join report_facts f on f.mission_id = vp.mission_id and f.violation_id = vp.violation_id
    group by f.mission_id) s;
  if touched is not null then perform report_refresh_rows(touched); end if;
  return null;
end $$;
create trigger report_parties_upd after update on parties referencing old table as old_rows new table as new_rows for each statement execute function report_touch_parties();

-- A new (or moved) admin-1 area may become the admin 1 of incidents already counted.
create function report_touch_areas() returns trigger language plpgsql as $$
declare touched jsonb;
begin
  if tg_op = 'INSERT' then
    select jsonb_object_agg(mission_id, ids) into touched from (
      select f.mission_id, jsonb_agg(distinct f.violation_id) as ids
      from new_rows a join incidents i on i.mission_id = a.mission_id and starts_with(i.admin_pcode, a.pcode)
      join violations v on v.mission_id = i.mission_id and v.incident_id = i.incident_id
      join report_facts f on f.mission_id = v.mission_id and f.violation_id = v.violation_id
      where a.admin_level = 1 group by f.mission_id) s;
  else
    select jsonb_object_agg(mission_id, ids) into touched from (
      select f.mission_id, jsonb_agg(distinct f.violation_id) as ids
      from (select mission_id, pcode, admin_level from new_rows union select mission_id, pcode, admin_level from old_rows) a
      join incidents i on i.mission_id = a.mission_id and starts_with(i.admin_pcode, a.pcode)
      join violations v on v.mission_id = i.mission_id and v.incident_id = i.incident_id
      join report_facts f on f.mission_id = v.mission_id and f.violation_id = v.violation_id
      where exists (select 1 from old_rows o join new_rows n on n.mission_id = o.mission_id and n.pcode = o.pcode
                    where o.mission_id = a.mission_id and o.pcode = a.pcode and (o.admin_level = 1 or n.admin_level = 1) and o.admin_level <> n.admin_level)
      group by f.mission_id) s;
  end if;
  if touched is not null then perform report_refresh_rows(touched); end if;
  return null;
end $$;
create trigger report_areas_ins after insert on admin_areas referencing new table as new_rows for each statement execute function report_touch_areas();
create trigger report_areas_upd after update on admin_areas referencing old table as old_rows new table as new_rows for each statement execute function report_touch_areas();

-- Counted violations already in the store.
select report_refresh(mission_id, array_agg(violation_id)) from violations where status_final = 'verified' and date_final is not null group by mission_id;
select report_compact(mission_id, array_agg(distinct vmonth)) from report_roll_groups where not compacted group by mission_id;
