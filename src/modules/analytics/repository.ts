import { sql, type Insertable, type Kysely, type Selectable, type Transaction } from 'kysely';
import type { Actor } from '../../platform/context.ts';
import type { DB } from '../../platform/db/schema.ts';

/** Row type of `hotspot_alerts` (migration 20261125090000), kept beside its only user. */
export interface HotspotAlertsTable {
  mission_id: string;
  alert_id: string;
  violation_type: string;
  country_iso3: string;
  study_end: string;
  cluster_start: string;
  cluster_end: string;
  observed: number;
  expected: number;
  llr: number;
  p_value: number;
  recurrence_days: number;
  radius_km: number;
  admin_pcodes: string[];
  incident_ids: string[];
  detected_at: Date;
  acknowledged_at: Date | null;
  acknowledged_by: string | null;
}
type AnalyticsDB = DB & { hotspot_alerts: HotspotAlertsTable };
type Q = Kysely<DB> | Transaction<DB>;
export type AlertRow = Selectable<HotspotAlertsTable>;
const withAlerts = (db: Q) => db.$extendTables<{ hotspot_alerts: HotspotAlertsTable }>() as Kysely<AnalyticsDB>;

/** One case per violation of the scanned kinds, with the incident row its coordinates are sealed in. */
export function scanInput(db: Q, missionId: string, from: string, to: string) {
  return db.selectFrom('violations as v')
    .innerJoin('incidents as i', (j) => j.onRef('i.mission_id', '=', 'v.mission_id').onRef('i.incident_id', '=', 'v.incident_id'))
    .select(['v.type', 'i.incident_id', 'i.date_start', 'i.country_iso3', 'i.admin_pcode', 'i.coordinates_sealed'])
    .where('v.mission_id', '=', missionId)
    .where('i.date_start', '>=', from).where('i.date_start', '<=', to)
    .where('i.date_precision', '=', 'day')
    .where('i.coordinates_sealed', 'is not', null)
    // Reported or verified: a violation found not to have happened, or outside the MRM, is no signal.
    .where('v.status_final', 'not in', ['did_not_occur', 'not_mrm'])
    .execute();
}

export async function insertAlerts(db: Q, rows: Insertable<HotspotAlertsTable>[]): Promise<void> {
  if (rows.length > 0) await withAlerts(db).insertInto('hotspot_alerts').values(rows).execute();
}

/** Open alerts of a type whose incidents overlap `incidentIds`: the same cluster seen again the next day. */
export function openAlertsOverlapping(db: Q, missionId: string, type: string, incidentIds: string[]) {
  return withAlerts(db).selectFrom('hotspot_alerts').select(['alert_id', 'incident_ids'])
    .where('mission_id', '=', missionId).where('violation_type', '=', type).where('acknowledged_at', 'is', null)
    .where(sql<boolean>`incident_ids && cast(${incidentIds} as uuid[])`)
    .execute();
}

/** `canSeeAlert` as SQL: the list is filtered in the database, never fetched and then filtered. */
export function listAlerts(db: Q, actor: Actor, limit: number): Promise<AlertRow[]> {
  return withAlerts(db).selectFrom('hotspot_alerts').selectAll().where('mission_id', '=', actor.missionId)
    .$if(actor.scope.country !== null, (q) => q.where('country_iso3', '=', actor.scope.country!))
    .$if(actor.role !== 'analyst' && actor.scope.areas.length > 0, (q) => q.where(sql<boolean>`exists (select 1 from unnest(admin_pcodes) as p(pcode)
      where ${sql.join(actor.scope.areas.map((a) => sql`starts_with(p.pcode, ${a})`), sql` or `)})`))
    .orderBy('detected_at', 'desc').orderBy('alert_id').limit(limit).execute();
}

export function findAlert(db: Q, missionId: string, alertId: string): Promise<AlertRow | undefined> {
  return withAlerts(db).selectFrom('hotspot_alerts').selectAll().where('mission_id', '=', missionId).where('alert_id', '=', alertId).forUpdate().executeTakeFirst();
}

export async function acknowledge(db: Q, missionId: string, alertId: string, userId: string, now: Date): Promise<void> {
  await withAlerts(db).updateTable('hotspot_alerts').set({ acknowledged_at: now, acknowledged_by: userId })
    .where('mission_id', '=', missionId).where('alert_id', '=', alertId).where('acknowledged_at', 'is', null).execute();
}
