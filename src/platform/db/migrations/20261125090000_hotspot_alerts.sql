-- Space-time clusters found by the scheduled scan (modules/analytics), one row per alert. No
-- coordinates are kept: a cluster is described by the admin areas and incidents it holds, so an alert
-- shows no more than its reader may see of those incidents.
create table hotspot_alerts (
  mission_id text not null references missions,
  alert_id uuid not null,
  violation_type text not null,
  country_iso3 char(3) not null,
  study_end date not null,
  cluster_start date not null,
  cluster_end date not null,
  observed integer not null,
  expected double precision not null,
  llr double precision not null,
  p_value double precision not null,
  recurrence_days double precision not null,
  radius_km double precision not null,
  admin_pcodes text[] not null,
  incident_ids uuid[] not null,
  detected_at timestamptz not null default now(),
  acknowledged_at timestamptz,
  acknowledged_by uuid,
  primary key (mission_id, alert_id)
);
create index hotspot_alerts_recent_idx on hotspot_alerts (mission_id, detected_at desc);
