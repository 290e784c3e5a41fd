import type { Kysely } from 'kysely';
import type { RequestContext } from '../../platform/context.ts';
import type { DB } from '../../platform/db/schema.ts';
import { runUnitOfWork } from '../../platform/db/unit-of-work.ts';
import { ensure } from '../../platform/errors.ts';
import { interimCareAlerts } from './interim-care.ts';
import { mayHandleCases, visibleCases } from './policy.ts';
import { followupAlerts } from './reintegration.ts';
import { presentCase } from './presenter.ts';
import { flagAlerts } from './re-recruitment.ts';
import * as repo from './repository.ts';
import type { ReleaseInput } from './schema.ts';
import { visibleCase } from './service.ts';
import { addHours, caseSettings } from './settings.ts';

/**
 * Release and reintegration of children associated with armed forces or groups (domain.md §2.3, §3):
 * the encounter, the handover timer of the protocol in force, and the alerts computed from the store on
 * every read (so an alert is never missed by a scheduler that did not run): response overdue, handover
 * due soon or lapsed, and re-recruitment: a released child's blind index in a later MRM recruitment, or a
 * flag recorded on the case (re-recruitment.ts).
 */

export function recordRelease(db: Kysely<DB>, ctx: RequestContext, caseId: string, input: ReleaseInput, now = new Date()) {
  return runUnitOfWork(db, ctx, 'write', async (uow) => {
    const row = await visibleCase(uow, caseId, true);
    const hours = caseSettings().handoverProtocols[input.protocol];
    ensure(hours !== undefined, 'request.invalid', { field: 'protocol', rule: `one of ${Object.keys(caseSettings().handoverProtocols).join(', ')}` });
    const encounteredAt = new Date(input.encountered_at);
    ensure(encounteredAt <= now, 'request.invalid', { field: 'encountered_at', rule: 'not in the future' });
    const existing = await repo.casesDb(uow.trx).selectFrom('case_releases').select('case_id').where('mission_id', '=', row.mission_id).where('case_id', '=', caseId).executeTakeFirst();
    ensure(!existing, 'record.conflict', { field: 'case_id', rule: 'the release is already recorded' });
    const release = await repo.casesDb(uow.trx).insertInto('case_releases').values({
      mission_id: row.mission_id, case_id: caseId, encountered_at: encounteredAt, exit_mode: input.exit_mode, place_pcode: input.place_pcode ?? null,
      place: input.place, encountered_by: input.encountered_by, party_id: input.party_id ?? null, protocol: input.protocol,
      handover_due_at: addHours(encounteredAt, hours), recorded_by: ctx.actor.userId,
    }).returningAll().executeTakeFirstOrThrow();
    if (!row.concerns.includes('caafag')) {
      await repo.updateCase(uow.trx, row.mission_id, caseId, row.version, { concerns: [...row.concerns, 'caafag'] });
    }
    uow.audit({ action: 'case.release', targetType: 'case', targetId: caseId, details: { exit_mode: input.exit_mode, protocol: input.protocol } });
    return presentCase(row, ctx.actor, now, { release });
  });
}

export function recordHandover(db: Kysely<DB>, ctx: RequestContext, caseId: string, input: { handed_over_at: string; handed_over_to: string }, now = new Date()) {
  return runUnitOfWork(db, ctx, 'write', async (uow) => {
    const row = await visibleCase(uow, caseId, true);
    const rel = await repo.casesDb(uow.trx).selectFrom('case_releases').selectAll().where('mission_id', '=', row.mission_id).where('case_id', '=', caseId).forUpdate().executeTakeFirst();
    ensure(rel, 'case.illegal_transition', { field: 'handed_over_at', rule: 'record the encounter or release first' });
    ensure(rel.handed_over_at === null, 'record.conflict', { field: 'handed_over_at', rule: 'the handover is already recorded' });
    const at = new Date(input.handed_over_at);
    ensure(at >= new Date(rel.encountered_at) && at <= now, 'request.invalid', { field: 'handed_over_at', rule: 'between the encounter and now' });
    const release = await repo.casesDb(uow.trx).updateTable('case_releases').set({ handed_over_at: at, handed_over_to: input.handed_over_to })
      .where('mission_id', '=', row.mission_id).where('case_id', '=', caseId).returningAll().executeTakeFirstOrThrow();
    const hoursTaken = (at.getTime() - new Date(rel.encountered_at).getTime()) / 3_600_000;
    uow.audit({ action: 'case.handover', targetType: 'case', targetId: caseId, details: { handed_over_to: input.handed_over_to, hours: Math.round(hoursTaken * 10) / 10, within_limit: at <= new Date(rel.handover_due_at) } });
    return presentCase(row, ctx.actor, now, { release });
  });
}

export interface CaseAlert { kind: 'response_overdue' | 'handover_due_soon' | 'handover_overdue' | 're_recruitment' | 'interim_care_stay' | 'followup_overdue'; case_id: string; due_at: string | null; details: Record<string, unknown> }

/** Every alert on the cases the caller may see, as of `now`. */
export function caseAlerts(db: Kysely<DB>, ctx: RequestContext, now = new Date()) {
  ensure(mayHandleCases(ctx.actor), 'permission.denied', { rule: `your role (${ctx.actor.role}) does not work with case records` });
  return runUnitOfWork(db, ctx, 'read', async (uow) => {
    const q = repo.casesDb(uow.trx);
    const items: CaseAlert[] = [];
    const late = await q.selectFrom('cases as c').select(['c.case_id', 'c.response_due_at', 'c.risk_level']).where(visibleCases(ctx.actor))
      .where('c.status', '=', 'open').where('c.first_action_at', 'is', null).where('c.response_due_at', '<', now).orderBy('c.response_due_at').limit(500).execute();
    for (const c of late) items.push({ kind: 'response_overdue', case_id: c.case_id, due_at: new Date(c.response_due_at).toISOString(), details: { risk_level: c.risk_level } });
    const warnFrom = addHours(now, caseSettings().handoverWarningHours);
    const handovers = await q.selectFrom('cases as c')
      .innerJoin('case_releases as r', (j) => j.onRef('r.mission_id', '=', 'c.mission_id').onRef('r.case_id', '=', 'c.case_id'))
      .select(['c.case_id', 'r.handover_due_at', 'r.protocol', 'r.encountered_at']).where(visibleCases(ctx.actor))
      .where('r.handed_over_at', 'is', null).where('r.handover_due_at', '<=', warnFrom).orderBy('r.handover_due_at').limit(500).execute();
    for (const h of handovers) {
      const due = new Date(h.handover_due_at);
      items.push({ kind: due < now ? 'handover_overdue' : 'handover_due_soon', case_id: h.case_id, due_at: due.toISOString(), details: { protocol: h.protocol } });
    }
    // Re-recruitment: the released child's blind index on a victim of a recruitment violation that
    // happened after the encounter and was not found false. Flagged before final verification: waiting
    // for it can take months, and a child in an armed group cannot wait (the status is shown).
    const recruited = await q.selectFrom('cases as c')
      .innerJoin('case_releases as r', (j) => j.onRef('r.mission_id', '=', 'c.mission_id').onRef('r.case_id', '=', 'c.case_id'))
      .innerJoin('violation_victims as w', (j) => j.onRef('w.mission_id', '=', 'c.mission_id').onRef('w.identity_index', '=', 'c.identity_index'))
      .innerJoin('violations as v', (j) => j.onRef('v.mission_id', '=', 'w.mission_id').onRef('v.violation_id', '=', 'w.violation_id'))
      .innerJoin('incidents as i', (j) => j.onRef('i.mission_id', '=', 'v.mission_id').onRef('i.incident_id', '=', 'v.incident_id'))
      .select(['c.case_id', 'i.date_start', 'v.status_final', 'v.created_at']).where(visibleCases(ctx.actor))
      .where('v.type', '=', 'recruitment_use').where('v.status_final', 'not in', ['not_mrm', 'did_not_occur'])
      .whereRef('i.date_start', '>=', (eb) => eb.cast('r.encountered_at', 'date') as never)
      .orderBy('v.created_at', 'desc').limit(500).execute();
    for (const x of recruited) items.push({ kind: 're_recruitment', case_id: x.case_id, due_at: null, details: { source: 'mrm', incident_date: x.date_start, final_status: x.status_final, recorded_at: new Date(x.created_at).toISOString() } });
    items.push(...await flagAlerts(uow.trx, ctx.actor), ...await interimCareAlerts(uow.trx, ctx.actor, now), ...await followupAlerts(uow.trx, ctx.actor, now));
    uow.audit({ action: 'case.alerts', details: { count: items.length } });
    return { items };
  });
}
