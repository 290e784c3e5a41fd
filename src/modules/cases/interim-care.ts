import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Actor, RequestContext } from '../../platform/context.ts';
import type { DB } from '../../platform/db/schema.ts';
import { runUnitOfWork } from '../../platform/db/unit-of-work.ts';
import { ensure } from '../../platform/errors.ts';
import { careDb, dateOf, type InterimCareRow } from './care-repository.ts';
import { visibleCases } from './policy.ts';
import type { CaseAlert } from './release.ts';
import { visibleCase } from './service.ts';
import { caseSettings, daysBetween, today } from './settings.ts';

/**
 * Interim care (domain.md §3.3): family- or community-based care first, an interim care centre as a last
 * resort for "weeks, not months". A child is in at most one placement at a time; the length of stay raises
 * alerts at the configured weeks (default 4 and 8), computed on every read like the other case alerts.
 */

export function presentPlacement(p: InterimCareRow, now: Date) {
  const until = dateOf(p.left_on) ?? today(now);
  return {
    id: p.placement_id, care_type: p.care_type, place: p.place, admitted_on: dateOf(p.admitted_on)!, left_on: dateOf(p.left_on),
    left_reason: p.left_reason, weeks: Math.floor(daysBetween(dateOf(p.admitted_on)!, until) / 7),
  };
}

export function recordPlacement(db: Kysely<DB>, ctx: RequestContext, caseId: string, input: { care_type: string; place: string; admitted_on: string }, now = new Date()) {
  return runUnitOfWork(db, ctx, 'write', async (uow) => {
    const row = await visibleCase(uow, caseId, true);
    ensure(row.status === 'open', 'case.illegal_transition', { rule: 'the case is closed: reopen it first' });
    ensure(input.admitted_on <= today(now), 'request.invalid', { field: 'admitted_on', rule: 'not in the future' });
    const q = careDb(uow.trx);
    const current = await q.selectFrom('case_interim_care').select(['placement_id', 'admitted_on']).where('mission_id', '=', row.mission_id)
      .where('case_id', '=', caseId).where('left_on', 'is', null).executeTakeFirst();
    ensure(!current, 'case.illegal_transition', { field: 'admitted_on', rule: `the child is still in the placement of ${dateOf(current?.admitted_on ?? null)}: record its end first` });
    const p = await q.insertInto('case_interim_care').values({
      mission_id: row.mission_id, placement_id: randomUUID(), case_id: caseId, care_type: input.care_type, place: input.place,
      admitted_on: input.admitted_on, left_on: null, left_reason: '', recorded_by: ctx.actor.userId,
    }).returningAll().executeTakeFirstOrThrow();
    uow.audit({ action: 'case.interim_care', targetType: 'case', targetId: caseId, details: { care_type: input.care_type } });
    return presentPlacement(p, now);
  });
}

export function endPlacement(db: Kysely<DB>, ctx: RequestContext, caseId: string, placementId: string, input: { left_on: string; left_reason: string }, now = new Date()) {
  return runUnitOfWork(db, ctx, 'write', async (uow) => {
    const row = await visibleCase(uow, caseId, true);
    const q = careDb(uow.trx);
    const p = await q.selectFrom('case_interim_care').selectAll().where('mission_id', '=', row.mission_id).where('case_id', '=', caseId)
      .where('placement_id', '=', placementId).forUpdate().executeTakeFirst();
    ensure(p, 'record.not_found', { field: 'placement_id' });
    ensure(p.left_on === null, 'record.conflict', { field: 'left_on', rule: 'the placement has already ended' });
    ensure(input.left_on >= dateOf(p.admitted_on)! && input.left_on <= today(now), 'request.invalid', { field: 'left_on', rule: `between the admission (${dateOf(p.admitted_on)}) and today` });
    const ended = await q.updateTable('case_interim_care').set({ left_on: input.left_on, left_reason: input.left_reason })
      .where('mission_id', '=', row.mission_id).where('placement_id', '=', placementId).returningAll().executeTakeFirstOrThrow();
    uow.audit({ action: 'case.interim_care_end', targetType: 'case', targetId: caseId, details: { weeks: presentPlacement(ended, now).weeks } });
    return presentPlacement(ended, now);
  });
}

/** Open placements at or beyond an alert threshold, the highest threshold reached named. */
export async function interimCareAlerts(trx: Kysely<DB>, actor: Actor, now: Date): Promise<CaseAlert[]> {
  const weeks = caseSettings().interimCareAlertWeeks;
  const todayStr = today(now);
  const first = new Date(Date.parse(`${todayStr}T00:00:00Z`) - weeks[0]! * 7 * 86_400_000).toISOString().slice(0, 10);
  const rows = await careDb(trx).selectFrom('case_interim_care as p')
    .innerJoin('cases as c', (j) => j.onRef('c.mission_id', '=', 'p.mission_id').onRef('c.case_id', '=', 'p.case_id'))
    .select(['p.case_id', 'p.placement_id', 'p.care_type', 'p.admitted_on']).where(visibleCases(actor) as never)
    .where('p.left_on', 'is', null).where('p.admitted_on', '<=', first).orderBy('p.admitted_on').limit(500).execute();
  return rows.map((p) => {
    const stayed = Math.floor(daysBetween(dateOf(p.admitted_on)!, todayStr) / 7);
    const reached = weeks.filter((w) => stayed >= w).at(-1)!;
    return { kind: 'interim_care_stay' as const, case_id: p.case_id, due_at: null, details: { placement_id: p.placement_id, care_type: p.care_type, weeks: stayed, threshold_weeks: reached } };
  });
}
