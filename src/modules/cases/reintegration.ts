import { randomUUID } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { Actor, RequestContext } from '../../platform/context.ts';
import type { DB } from '../../platform/db/schema.ts';
import { runUnitOfWork } from '../../platform/db/unit-of-work.ts';
import { ensure } from '../../platform/errors.ts';
import { careDb, dateOf, type FollowupRow, type ReintegrationRow } from './care-repository.ts';
import type { ComponentInput, ComponentUpdate, VisitInput } from './care-schema.ts';
import { visibleCases } from './policy.ts';
import type { CaseAlert } from './release.ts';
import { visibleCase } from './service.ts';
import { caseSettings, followUpDueDates, today } from './settings.ts';

/**
 * The reintegration plan (domain.md §3.4: ten component types, each with provider, dates, status and
 * outcome) and the follow-up visits (§3.5): scheduled from the reunification date by the configured
 * offsets, recorded with the CPIMS+ follow-up fields, overdue when their day has passed unvisited.
 */

export function presentComponent(c: ReintegrationRow) {
  return { id: c.component_id, component_type: c.component_type, provider: c.provider, start_on: dateOf(c.start_on)!, end_on: dateOf(c.end_on), status: c.status, outcome: c.outcome, version: c.version };
}

export function presentVisit(v: FollowupRow, now: Date) {
  const visited = dateOf(v.visited_on);
  return {
    id: v.visit_id, kind: v.kind, sequence: v.sequence, due_on: dateOf(v.due_on)!, visited_on: visited, child_seen: v.child_seen, not_seen_reason: v.not_seen_reason,
    actions_taken: v.actions_taken, further_visit_needed: v.further_visit_needed, recommend_closure: v.recommend_closure,
    on_time: visited === null ? null : visited <= dateOf(v.due_on)!, overdue: visited === null && dateOf(v.due_on)! < today(now),
  };
}

function checkDates(start: string, end: string | null | undefined) {
  ensure(end == null || end >= start, 'request.invalid', { field: 'end_on', rule: `not before the start (${start})` });
}

export function addComponent(db: Kysely<DB>, ctx: RequestContext, caseId: string, input: ComponentInput) {
  return runUnitOfWork(db, ctx, 'write', async (uow) => {
    const row = await visibleCase(uow, caseId, true);
    ensure(row.status === 'open', 'case.illegal_transition', { rule: 'the case is closed: reopen it first' });
    checkDates(input.start_on, input.end_on);
    ensure(input.status !== 'completed' || input.end_on, 'request.invalid', { field: 'end_on', rule: 'a completed component has an end date' });
    const c = await careDb(uow.trx).insertInto('case_reintegration_components').values({
      mission_id: row.mission_id, component_id: randomUUID(), case_id: caseId, component_type: input.component_type, provider: input.provider,
      start_on: input.start_on, end_on: input.end_on ?? null, status: input.status, outcome: input.outcome, updated_by: ctx.actor.userId, updated_at: new Date(),
    }).returningAll().executeTakeFirstOrThrow();
    uow.audit({ action: 'case.reintegration_component', targetType: 'case', targetId: caseId, details: { component_type: input.component_type, status: input.status } });
    return presentComponent(c);
  });
}

export function updateComponent(db: Kysely<DB>, ctx: RequestContext, caseId: string, componentId: string, input: ComponentUpdate) {
  return runUnitOfWork(db, ctx, 'write', async (uow) => {
    const row = await visibleCase(uow, caseId, true);
    const q = careDb(uow.trx);
    const c = await q.selectFrom('case_reintegration_components').selectAll().where('mission_id', '=', row.mission_id).where('case_id', '=', caseId)
      .where('component_id', '=', componentId).forUpdate().executeTakeFirst();
    ensure(c, 'record.not_found', { field: 'component_id' });
    ensure(c.version === input.version, 'record.conflict', { field: 'version', rule: `the component is at version ${c.version}` });
    const endOn = input.end_on === undefined ? dateOf(c.end_on) : input.end_on;
    checkDates(dateOf(c.start_on)!, endOn);
    const status = input.status ?? c.status;
    ensure(status !== 'completed' || endOn, 'request.invalid', { field: 'end_on', rule: 'a completed component has an end date' });
    const updated = await q.updateTable('case_reintegration_components').set({
      status, end_on: endOn, ...(input.provider && { provider: input.provider }), ...(input.outcome !== undefined && { outcome: input.outcome }),
      updated_by: ctx.actor.userId, updated_at: new Date(), version: sql<number>`version + 1`,
    }).where('mission_id', '=', row.mission_id).where('component_id', '=', componentId).returningAll().executeTakeFirstOrThrow();
    uow.audit({ action: 'case.reintegration_update', targetType: 'case', targetId: caseId, details: { component_id: componentId, status } });
    return presentComponent(updated);
  });
}

/** The configured visits after `from`, inserted in the caller's transaction (by the reunification). */
export async function scheduleFollowups(trx: Kysely<DB>, missionId: string, caseId: string, kind: 'after_reunification' | 'in_care', from: string): Promise<void> {
  const dues = followUpDueDates(caseSettings(), from);
  await careDb(trx).insertInto('case_followups').values(dues.map((due, i) => ({
    mission_id: missionId, visit_id: randomUUID(), case_id: caseId, kind, sequence: i + 1, due_on: due, visited_on: null, child_seen: null,
    not_seen_reason: null, actions_taken: '', further_visit_needed: null, recommend_closure: false, recorded_by: null, recorded_at: null,
  }))).execute();
}

/**
 * A visit record fills its scheduled row. A visit is not dated before the reunification it follows, nor in
 * the future; a further visit asked for is added to the schedule at `next_due_on`.
 */
export function recordVisit(db: Kysely<DB>, ctx: RequestContext, caseId: string, visitId: string, input: VisitInput, now = new Date()) {
  return runUnitOfWork(db, ctx, 'write', async (uow) => {
    const row = await visibleCase(uow, caseId, true);
    ensure(row.status === 'open', 'case.illegal_transition', { rule: 'the case is closed: reopen it first' });
    const q = careDb(uow.trx);
    const v = await q.selectFrom('case_followups').selectAll().where('mission_id', '=', row.mission_id).where('case_id', '=', caseId)
      .where('visit_id', '=', visitId).forUpdate().executeTakeFirst();
    ensure(v, 'record.not_found', { field: 'visit_id' });
    ensure(v.visited_on === null, 'record.conflict', { field: 'visited_on', rule: 'this visit is already recorded' });
    const reunion = await q.selectFrom('case_reunifications').select('on_date').where('mission_id', '=', row.mission_id).where('case_id', '=', caseId).executeTakeFirst();
    const since = dateOf(reunion?.on_date ?? null);
    ensure(since === null || input.visited_on >= since, 'request.invalid', { field: 'visited_on', rule: `not before the reunification (${since})` });
    ensure(input.visited_on <= today(now), 'request.invalid', { field: 'visited_on', rule: 'not in the future' });
    ensure(input.child_seen || input.not_seen_reason, 'request.invalid', { field: 'not_seen_reason', rule: 'a child not seen has the reason recorded' });
    ensure(!input.further_visit_needed || input.next_due_on, 'request.invalid', { field: 'next_due_on', rule: 'a further visit needs its due date' });
    ensure(!input.next_due_on || input.next_due_on > input.visited_on, 'request.invalid', { field: 'next_due_on', rule: `after this visit (${input.visited_on})` });
    const done = await q.updateTable('case_followups').set({
      visited_on: input.visited_on, child_seen: input.child_seen, not_seen_reason: input.child_seen ? null : input.not_seen_reason ?? null,
      actions_taken: input.actions_taken, further_visit_needed: input.further_visit_needed, recommend_closure: input.recommend_closure,
      recorded_by: ctx.actor.userId, recorded_at: now,
    }).where('mission_id', '=', row.mission_id).where('visit_id', '=', visitId).returningAll().executeTakeFirstOrThrow();
    if (input.further_visit_needed && input.next_due_on) {
      const last = await q.selectFrom('case_followups').select((eb) => eb.fn.max('sequence').as('n')).where('mission_id', '=', row.mission_id)
        .where('case_id', '=', caseId).where('kind', '=', v.kind).executeTakeFirstOrThrow();
      const pending = await q.selectFrom('case_followups').select('visit_id').where('mission_id', '=', row.mission_id).where('case_id', '=', caseId)
        .where('kind', '=', v.kind).where('visited_on', 'is', null).where('due_on', '=', input.next_due_on).executeTakeFirst();
      if (!pending) {
        await q.insertInto('case_followups').values({
          mission_id: row.mission_id, visit_id: randomUUID(), case_id: caseId, kind: v.kind, sequence: Number(last.n ?? 0) + 1, due_on: input.next_due_on,
          visited_on: null, child_seen: null, not_seen_reason: null, actions_taken: '', further_visit_needed: null, recommend_closure: false, recorded_by: null, recorded_at: null,
        }).execute();
      }
    }
    uow.audit({ action: 'case.followup_visit', targetType: 'case', targetId: caseId, details: { sequence: v.sequence, child_seen: input.child_seen, on_time: input.visited_on <= dateOf(v.due_on)! } });
    return presentVisit(done, now);
  });
}

/** Scheduled visits past their day and not recorded, on open cases the actor sees. */
export async function followupAlerts(trx: Kysely<DB>, actor: Actor, now: Date): Promise<CaseAlert[]> {
  const rows = await careDb(trx).selectFrom('case_followups as f')
    .innerJoin('cases as c', (j) => j.onRef('c.mission_id', '=', 'f.mission_id').onRef('c.case_id', '=', 'f.case_id'))
    .select(['f.case_id', 'f.visit_id', 'f.sequence', 'f.due_on', 'f.kind']).where(visibleCases(actor) as never)
    .where('c.status', '=', 'open').where('f.visited_on', 'is', null).where('f.due_on', '<', today(now)).orderBy('f.due_on').limit(500).execute();
  return rows.map((f) => ({ kind: 'followup_overdue' as const, case_id: f.case_id, due_at: `${dateOf(f.due_on)}T00:00:00.000Z`, details: { visit_id: f.visit_id, sequence: f.sequence, kind: f.kind } }));
}
