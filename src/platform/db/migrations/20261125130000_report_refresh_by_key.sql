-- report_refresh (20261125050000_report_rollups.sql) read the contributions of the violations it was
-- given by joining whole tables: for an import of 100,000 rows into a store of 1,000,000 violations the
-- planner hashed every violation, incident, tally and perpetrator of the mission (13 of the import's
-- 30 seconds), so its cost grew with the store instead of with the file. Here each violation given is
-- read through the primary keys, one lateral look-up per table (LIMIT 1 on a primary key and a plain
-- aggregate keep the planner from turning them back into whole-table joins). The figures are the same
-- by construction: the same filters, sums and arrays, one row per violation; test/report-rollup.test.ts
-- checks them against counting.ts. (Measured on that import: 6.3 s of PostgreSQL CPU before, 4.9 s after.)
create or replace function report_refresh(m text, ids uuid[], fresh boolean default false) returns void language plpgsql set plan_cache_mode = force_custom_plan as $$
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

  with x as materialized (
    select v.*, t.b, t.g, t.u, t.a0, t.a1, t.a2, t.a3, t.a4, n.named, n.keys, p.party_ids, p.categories
    from (select distinct id from unnest(ids) u(id)) u
    cross join lateral (
      select v.mission_id, v.violation_id, v.type, date_trunc('month', v.date_final)::date as vmonth,
        date_trunc('month', coalesce(i.date_end, i.date_start))::date as em, i.country_iso3::text as country, i.admin_pcode
      from violations v join incidents i on i.mission_id = v.mission_id and i.incident_id = v.incident_id
      where v.mission_id = m and v.violation_id = u.id and v.status_final = 'verified' and v.date_final is not null
      limit 1) v
    cross join lateral (
      select sum(t.boys) as b, sum(t.girls) as g, sum(t.sex_unknown) as u,
        sum(case when t.age_band = '0-5' then t.boys + t.girls + t.sex_unknown else 0 end) as a0,
        sum(case when t.age_band = '6-10' then t.boys + t.girls + t.sex_unknown else 0 end) as a1,
        sum(case when t.age_band = '11-13' then t.boys + t.girls + t.sex_unknown else 0 end) as a2,
        sum(case when t.age_band = '14-17' then t.boys + t.girls + t.sex_unknown else 0 end) as a3,
        sum(case when t.age_band = 'unknown' then t.boys + t.girls + t.sex_unknown else 0 end) as a4
      from violation_tallies t where t.mission_id = m and t.violation_id = u.id) t
    cross join lateral (
      select count(*) as named, array_agg(distinct coalesce('i:' || w.identity_index, 'r:' || w.victim_ref)) as keys
      from violation_victims w where w.mission_id = m and w.violation_id = u.id) n
    cross join lateral (
      select array_agg(distinct vp.party_id) as party_ids,
        array_agg(distinct (select pa.category from parties pa where pa.mission_id = m and pa.party_id = vp.party_id)) as categories
      from violation_perpetrators vp where vp.mission_id = m and vp.violation_id = u.id) p
  ), a1 as materialized (
    select c.pcode, (select p.pcode from admin_areas p where p.mission_id = m and p.admin_level = 1 and starts_with(c.pcode, p.pcode)
      order by length(p.pcode) desc limit 1) as admin1
    from (select distinct admin_pcode as pcode from x) c
  ), new as (
    insert into report_facts
    select x.mission_id, x.violation_id, x.type, x.vmonth,
      least(greatest(x.em, (x.vmonth - interval '12 months')::date), x.vmonth),
      x.country, coalesce(a1.admin1, x.admin_pcode), coalesce(a1.admin1, ''),
      coalesce(x.b, 0), coalesce(x.g, 0), coalesce(x.u, 0), x.named,
      coalesce(x.a0, 0), coalesce(x.a1, 0), coalesce(x.a2, 0), coalesce(x.a3, 0), coalesce(x.a4, 0),
      coalesce(x.party_ids, '{}'), coalesce(x.categories, '{}'),
      case when x.type in ('killing', 'maiming', 'recruitment_use', 'sexual_violence', 'abduction') then coalesce(x.keys, '{}') else '{}' end
    from x join a1 on a1.pcode = x.admin_pcode
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

-- A bulk writer that defers the refresh (tutela.report_refresh = 'deferred': the import, a load) no
-- longer queues one trigger call per verified violation only for the function to return at once:
-- the WHEN clause is evaluated in the insert itself (0.5 s of CPU per 100,000 imported violations).
drop trigger report_violations_ins on violations;
create trigger report_violations_ins after insert on violations for each row
  when (new.status_final = 'verified' and current_setting('tutela.report_refresh', true) is distinct from 'deferred')
  execute function report_touch_violation();
