import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { RequestContext } from '../../platform/context.ts';
import { fieldCrypto, SealedFieldShredded } from '../../platform/crypto/field-crypto.ts';
import type { DB } from '../../platform/db/schema.ts';
import { runUnitOfWork } from '../../platform/db/unit-of-work.ts';
import { ensure } from '../../platform/errors.ts';
import { VIOLATION_TYPES, type ViolationType } from '../mrm/vocabulary.ts';
import { ALERT_ROLES, canSeeAlert, mayAcknowledge, mayListAlertIncidents } from './policy.ts';
import * as repo from './repository.ts';
import { runSpaceTimeScan } from './scan/space-time-scan.ts';
import type { ScanCase, ScanLocation } from './scan/scan-types.ts';

/** What a daily scan looks at and when it raises an alert; every value is configuration, not code. */
export interface HotspotSettings {
  /** Days of history the permutation compares against. */
  historyDays: number;
  /** Longest cluster duration, in days. */
  maxClusterDays: number;
  maxRadiusKm: number;
  replications: number;
  /** Alert when a cluster this strong would arise by chance less than once in this many days. */
  alertRecurrenceDays: number;
  /** A violation type with fewer located cases in the window is not scanned. */
  minCases: number;
}

export const DEFAULT_HOTSPOT_SETTINGS: HotspotSettings = {
  historyDays: 365, maxClusterDays: 30, maxRadiusKm: 50, replications: 999, alertRecurrenceDays: 365, minCases: 10,
};

const DAY_MS = 86_400_000;
const dayNumber = (iso: string) => Date.parse(`${iso}T00:00:00Z`) / DAY_MS;
const isoDay = (day: number) => new Date(day * DAY_MS).toISOString().slice(0, 10);

export interface ScanSummary { violationType: string; cases: number; clusters: number; alerts: number }

/**
 * The prospective space-time permutation scan of one mission as of a day, per violation type, over
 * reported and verified violations with known coordinates and an exact date. A cluster whose
 * recurrence interval passes the setting becomes an alert unless an open alert already holds some
 * of its incidents (the same cluster seen again). The seed is the day, so a rerun gives the same answer.
 */
export async function scanMission(db: Kysely<DB>, ctx: RequestContext, asOf: string, settings: HotspotSettings = DEFAULT_HOTSPOT_SETTINGS): Promise<ScanSummary[]> {
  // Configuration work: the admin (or the scheduler, acting as the system) starts a scan.
  ensure(ctx.actor.role === 'admin', 'permission.denied', { rule: 'only an admin starts a hotspot scan' });
  const missionId = ctx.actor.missionId;
  const end = dayNumber(asOf);
  const from = isoDay(end - settings.historyDays + 1);
  const rows = await repo.scanInput(db, missionId, from, asOf);
  // Coordinates are sealed: opened here, in memory, for the computation only; none is stored or returned.
  const located: (typeof rows[number] & { lat: number; lon: number })[] = [];
  for (const r of rows) {
    try {
      const c = JSON.parse(await fieldCrypto(db).open(missionId, r.coordinates_sealed!, `incidents/${r.incident_id}/coordinates`)) as { latitude: number; longitude: number };
      located.push({ ...r, lat: c.latitude, lon: c.longitude });
    } catch (err) {
      if (!(err instanceof SealedFieldShredded)) throw err;
    }
  }
  const summaries: ScanSummary[] = [];
  const alerts: repo.HotspotAlertsTable[] = [];
  for (const type of VIOLATION_TYPES) {
    const mine = located.filter((r) => r.type === type);
    if (mine.length < settings.minCases) continue;
    // Incidents within ~100 m are one place: GPS noise must not split a village.
    const key = (r: { lat: number; lon: number }) => `${r.lat.toFixed(3)},${r.lon.toFixed(3)}`;
    const places = new Map<string, number>();
    const locations: ScanLocation[] = [];
    const cases: ScanCase[] = mine.map((r) => {
      const k = key(r);
      if (!places.has(k)) {
        places.set(k, locations.length);
        locations.push({ id: k, coordinates: [r.lat, r.lon] });
      }
      return { location: places.get(k)!, time: dayNumber(r.date_start) };
    });
    if (locations.length < 2) continue;
    const result = await runSpaceTimeScan(locations, cases, {
      distance: 'great-circle', studyStart: end - settings.historyDays + 1, studyEnd: end, prospective: true,
      maxTemporalSize: { units: settings.maxClusterDays }, maxRadius: settings.maxRadiusKm,
      replications: settings.replications, seed: end, workers: 1,
    });
    let raised = 0;
    for (const c of result.clusters) {
      if (c.recurrenceInterval === null || c.pValue === null || c.recurrenceInterval < settings.alertRecurrenceDays) continue;
      const members = c.caseIndices.map((i) => mine[i]!);
      const incidentIds = [...new Set(members.map((m) => m.incident_id))].sort();
      if ((await repo.openAlertsOverlapping(db, missionId, type, incidentIds)).length > 0) continue;
      raised++;
      alerts.push({
        mission_id: missionId, alert_id: randomUUID(), violation_type: type, country_iso3: mine[c.caseIndices[0]!]!.country_iso3,
        study_end: asOf, cluster_start: isoDay(c.startTime), cluster_end: isoDay(c.endTime), observed: c.observed, expected: c.expected,
        llr: c.llr, p_value: c.pValue, recurrence_days: c.recurrenceInterval, radius_km: c.radius,
        admin_pcodes: [...new Set(members.map((m) => m.admin_pcode))].sort(), incident_ids: incidentIds,
        detected_at: new Date(), acknowledged_at: null, acknowledged_by: null,
      });
    }
    summaries.push({ violationType: type, cases: mine.length, clusters: result.clusters.length, alerts: raised });
  }
  await runUnitOfWork(db, ctx, 'write', async (uow) => {
    await repo.insertAlerts(uow.trx, alerts);
    uow.audit({ action: 'hotspots.scan', targetType: 'mission', targetId: missionId, details: { as_of: asOf, scans: summaries.map((s) => ({ ...s })) } });
    for (const a of alerts) uow.audit({ action: 'hotspots.alert', targetType: 'hotspot_alert', targetId: a.alert_id, details: { violation_type: a.violation_type, admin_pcodes: a.admin_pcodes, observed: a.observed } });
  });
  return summaries;
}

/** Alerts for the areas the caller answers for, newest first; incidents listed only for record roles. */
export async function listAlerts(db: Kysely<DB>, ctx: RequestContext, limit = 100) {
  return runUnitOfWork(db, ctx, 'read', async (uow) => {
    ensure(ALERT_ROLES.includes(ctx.actor.role as never), 'permission.denied', { rule: `your role (${ctx.actor.role}) receives no hotspot alerts` });
    const rows = await repo.listAlerts(uow.trx, ctx.actor, limit);
    return { items: rows.map((r) => presentAlert(r, mayListAlertIncidents(ctx.actor))) };
  });
}

export async function acknowledgeAlert(db: Kysely<DB>, ctx: RequestContext, alertId: string, now = new Date()) {
  return runUnitOfWork(db, ctx, 'write', async (uow) => {
    // The role first: a role that may never acknowledge learns nothing about which alerts exist.
    ensure(mayAcknowledge(ctx.actor), 'permission.denied', { action: 'acknowledge' });
    const row = await repo.findAlert(uow.trx, ctx.actor.missionId, alertId);
    ensure(row && canSeeAlert(ctx.actor, row.country_iso3, row.admin_pcodes), 'record.not_found', { field: 'alert_id' });
    await repo.acknowledge(uow.trx, ctx.actor.missionId, alertId, ctx.actor.userId, now);
    uow.audit({ action: 'hotspots.acknowledge', targetType: 'hotspot_alert', targetId: alertId });
    return presentAlert({ ...row, acknowledged_at: row.acknowledged_at ?? now, acknowledged_by: row.acknowledged_by ?? ctx.actor.userId }, true);
  });
}

function presentAlert(r: repo.AlertRow, withIncidents: boolean) {
  return {
    id: r.alert_id, violation_type: r.violation_type as ViolationType, country_iso3: r.country_iso3, study_end: r.study_end,
    cluster: { start: r.cluster_start, end: r.cluster_end, observed: r.observed, expected: Number(r.expected.toFixed(2)),
      llr: Number(r.llr.toFixed(3)), p_value: r.p_value, recurrence_days: Math.round(r.recurrence_days), radius_km: Number(r.radius_km.toFixed(1)) },
    admin_pcodes: r.admin_pcodes,
    ...(withIncidents && { incident_ids: r.incident_ids }),
    detected_at: new Date(r.detected_at).toISOString(),
    acknowledged_at: r.acknowledged_at ? new Date(r.acknowledged_at).toISOString() : null,
  };
}
