import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { RequestContext } from '../../platform/context.ts';
import type { DB } from '../../platform/db/schema.ts';
import { runUnitOfWork } from '../../platform/db/unit-of-work.ts';
import { ensure } from '../../platform/errors.ts';
import { careDb, dateOf, type BestInterestsRow } from './care-repository.ts';
import type { BestInterestsInput } from './care-schema.ts';
import { supervises } from './policy.ts';
import { caseFacts } from './presenter.ts';
import { visibleCase } from './service.ts';
import { caseSettings, today } from './settings.ts';

/**
 * Best-interests procedures (domain.md §4.4). A BIA is the case worker's individual assessment, with its
 * priority and a re-assessment date. A BID is a panel's formal decision: at least the configured number of
 * members (roles only, never names), the child's views recorded, a reasoned decision and a review date;
 * a supervisor of the case's agency records it.
 */

export function presentBestInterests(b: BestInterestsRow) {
  return {
    id: b.record_id, kind: b.kind, done_on: dateOf(b.done_on)!, done_by: b.done_by, priority: b.priority, recommendation: b.recommendation,
    child_views: b.child_views, caregiver_views: b.caregiver_views, bid_required: b.bid_required, panel_members: b.panel_members,
    decision: b.decision, reasoning: b.reasoning, review_on: dateOf(b.review_on), appeal_status: b.appeal_status,
  };
}

export function recordBestInterests(db: Kysely<DB>, ctx: RequestContext, caseId: string, input: BestInterestsInput, now = new Date()) {
  return runUnitOfWork(db, ctx, 'write', async (uow) => {
    const row = await visibleCase(uow, caseId, true);
    ensure(input.done_on <= today(now), 'request.invalid', { field: 'done_on', rule: 'not in the future' });
    ensure(!input.review_on || input.review_on > input.done_on, 'request.invalid', { field: 'review_on', rule: `after the ${input.kind.toUpperCase()} (${input.done_on})` });
    if (input.kind === 'bid') {
      ensure(supervises(ctx.actor, caseFacts(row)), 'permission.denied', { rule: 'a supervisor of the case\'s agency records a best-interests determination' });
      const min = caseSettings().bidPanelMinimum;
      ensure(input.panel_members.length >= min, 'request.invalid', { field: 'panel_members', rule: `a determination panel has at least ${min} members (roles)` });
    }
    const b = await careDb(uow.trx).insertInto('case_best_interests').values({
      mission_id: row.mission_id, record_id: randomUUID(), case_id: caseId, kind: input.kind, done_on: input.done_on, done_by: input.done_by,
      priority: input.kind === 'bia' ? input.priority : null, recommendation: input.kind === 'bia' ? input.recommendation : '',
      child_views: input.child_views, caregiver_views: input.caregiver_views, bid_required: input.kind === 'bia' ? input.bid_required : true,
      panel_members: input.kind === 'bid' ? input.panel_members : [], decision: input.kind === 'bid' ? input.decision : '',
      reasoning: input.kind === 'bid' ? input.reasoning : '', review_on: input.review_on ?? null,
      appeal_status: input.kind === 'bid' ? input.appeal_status : 'none', recorded_by: ctx.actor.userId,
    }).returningAll().executeTakeFirstOrThrow();
    uow.audit({ action: `case.${input.kind}`, targetType: 'case', targetId: caseId, details: { done_on: input.done_on, ...(input.kind === 'bid' && { panel: input.panel_members.length }) } });
    return presentBestInterests(b);
  });
}
