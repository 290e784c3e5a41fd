import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { RequestContext } from '../../platform/context.ts';
import type { DB } from '../../platform/db/schema.ts';
import { runUnitOfWork } from '../../platform/db/unit-of-work.ts';
import { deadlinesOf, todayOf } from './deadlines.ts';
import { mayHandleAllegations } from './policy.ts';
import * as repo from './repository.ts';
import { settingsOf } from './settings.ts';

/**
 * Overdue alerts for the conduct officers. Checking is idempotent (one alert per allegation, kind and
 * due date), so it can run on every list of alerts, from `tutela conduct overdue` (cron) or a timer,
 * and with an injected clock in tests. An alert is shown while its deadline is still missed: an
 * outcome, a Member State answer, or a longer deadline set by the mission silences it.
 */
export interface OverdueItem { allegation_id: string; kind: string; due_on: string }

export function checkOverdue(db: Kysely<DB>, ctx: RequestContext, now = new Date()) {
  if (!mayHandleAllegations(ctx.actor)) return Promise.resolve({ overdue: [] as OverdueItem[], raised: 0 });
  return runUnitOfWork(db, ctx, 'write', async (uow) => {
    const { missionId } = ctx.actor;
    const [rows, settings] = await Promise.all([repo.openAllegations(uow.trx, missionId), settingsOf(uow.trx, missionId)]);
    const today = todayOf(now);
    const overdue: (OverdueItem & { audit_ref: string })[] = [];
    for (const r of rows) {
      const d = deadlinesOf(r, settings, today);
      for (const kind of d.overdue) {
        overdue.push({ allegation_id: r.allegation_id, kind, due_on: (kind === 'ms_response_overdue' ? d.ms_response_due : d.investigation_due)!, audit_ref: r.audit_ref });
      }
    }
    const raised = await repo.raiseAlerts(uow.trx, overdue.map((o) => ({
      mission_id: missionId, alert_id: randomUUID(), allegation_id: o.allegation_id, kind: o.kind as repo.AlertRow['kind'], due_on: o.due_on,
    })));
    for (const a of raised) {
      uow.audit({ action: 'sea.alert.raise', targetType: 'sea_allegation', targetId: overdue.find((o) => o.allegation_id === a.allegation_id)!.audit_ref, details: { kind: a.kind } });
    }
    uow.audit({ action: 'sea.overdue.check', targetType: 'sea_alerts', details: { as_of: today, overdue: overdue.length, raised: raised.length } });
    return { overdue: overdue.map(({ audit_ref: _r, ...o }) => o).sort((a, b) => (a.due_on < b.due_on ? -1 : 1)), raised: raised.length };
  });
}

/** The conduct officer's open alerts (raising any that fell due); for every other role, none. */
export async function listAlerts(db: Kysely<DB>, ctx: RequestContext, now = new Date()) {
  if (!mayHandleAllegations(ctx.actor)) return { items: [] };
  const { overdue } = await checkOverdue(db, ctx, now);
  const still = new Set(overdue.map((o) => `${o.allegation_id}/${o.kind}/${o.due_on}`));
  return runUnitOfWork(db, ctx, 'read', async (uow) => {
    const rows = await repo.openAlerts(uow.trx, ctx.actor.missionId);
    return {
      items: rows.filter((a) => still.has(`${a.allegation_id}/${a.kind}/${dateStr(a.due_on)}`)).map((a) => ({
        id: a.alert_id, allegation_id: a.allegation_id, kind: a.kind, due_on: dateStr(a.due_on), raised_at: new Date(a.raised_at).toISOString(),
      })),
    };
  });
}
const dateStr = (d: string | Date) => (typeof d === 'string' ? d : d.toISOString().slice(0, 10));
