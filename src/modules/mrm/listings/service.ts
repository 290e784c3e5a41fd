import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Actor, RequestContext } from '../../../platform/context.ts';
import type { DB } from '../../../platform/db/schema.ts';
import { runUnitOfWork } from '../../../platform/db/unit-of-work.ts';
import { AppError, ensure } from '../../../platform/errors.ts';
import { annualPeriod } from '../reports/periods.ts';
import { loadReportInput } from '../reports/repository.ts';
import { REPORT_ROLES } from '../reports/policy.ts';
import * as repo from './repository.ts';
import type { ActionPlanInput, ActionPlanUpdate, ActionPlanView, ListingView } from './schema.ts';
import { LISTING_TRIGGERS, listingFromAttributions, type ListingTrigger } from './triggers.ts';

/**
 * Listings and action plans. Who: the report roles read them (an analyst gets the public form: which
 * triggers are met, not how many children); action plans are the task force's records of its
 * dialogue with parties, written by verifiers and admins only.
 */
export const PLAN_WRITE_ROLES = ['verifier', 'admin'] as const;
const mayRead = (actor: Actor) => ensure(REPORT_ROLES.includes(actor.role), 'permission.denied', { rule: `your role (${actor.role}) does not read listings` });
const mayWrite = (actor: Actor) => ensure((PLAN_WRITE_ROLES as readonly string[]).includes(actor.role), 'permission.denied', { rule: `your role (${actor.role}) does not keep action plans` });

export async function readListing(db: Kysely<DB>, ctx: RequestContext, year: number): Promise<ListingView> {
  mayRead(ctx.actor);
  const isPublic = ctx.actor.role === 'analyst';
  return runUnitOfWork(db, ctx, 'write', async (uow) => {
    const input = await loadReportInput(uow.trx, ctx.actor, annualPeriod(year));
    const plans = await repo.listPlans(uow.trx, ctx.actor.missionId);
    uow.audit({ action: 'listing.read', targetType: 'report', targetId: `listing:${year}`, details: { public: isPublic, scope: ctx.actor.scope } });
    return {
      year, public: isPublic, triggers: [...LISTING_TRIGGERS],
      parties: listingFromAttributions(input.attributions, input.parties).map((p) => ({
        ...p,
        verified: isPublic ? Object.fromEntries(LISTING_TRIGGERS.map((t) => [t, null])) : p.verified,
        action_plans: plans.filter((a) => a.party_id === p.party_id).map((a) => ({ plan_id: a.plan_id, status: a.status, signed_on: a.signed_on })),
      })),
    };
  });
}

type Activity = ActionPlanInput['activities'][number];

/** How far a plan has come: its activities, their evidence, and the verified violations since signing. */
async function present(trx: Kysely<DB>, actor: Actor, row: repo.PlanRow): Promise<ActionPlanView> {
  const activities = row.activities as Activity[];
  const today = new Date().toISOString().slice(0, 10);
  const byCommitment: Record<string, { activities: number; done: number }> = {};
  for (const a of activities) {
    const k = a.commitment_id ?? '';
    byCommitment[k] ??= { activities: 0, done: 0 };
    byCommitment[k].activities += 1;
    if (a.status === 'done') byCommitment[k].done += 1;
  }
  const counted = activities.filter((a) => a.status !== 'dropped');
  const done = counted.filter((a) => a.status === 'done').length;
  const since: Record<string, Record<string, number | null>> = {};
  if (row.signed_on) {
    // Whole calendar years from the year of signing: the rollups answer each in milliseconds.
    for (let y = Number(row.signed_on.slice(0, 4)); y <= Number(today.slice(0, 4)); y++) {
      const input = await loadReportInput(trx, actor, annualPeriod(y));
      const mine = listingFromAttributions(input.attributions, input.parties).find((p) => p.party_id === row.party_id);
      const show = (row.triggers.length ? row.triggers : LISTING_TRIGGERS) as ListingTrigger[];
      since[String(y)] = Object.fromEntries(show.map((t) => [t, actor.role === 'analyst' ? null : mine?.verified[t] ?? 0]));
    }
  }
  return {
    plan_id: row.plan_id, party_id: row.party_id, party_name: row.party_name, title: row.title, signed_on: row.signed_on, status: row.status as ActionPlanView['status'],
    triggers: row.triggers as ListingTrigger[], commitments: row.commitments as ActionPlanInput['commitments'], activities, version: row.version,
    updated_at: new Date(row.updated_at).toISOString(),
    progress: {
      activities: counted.length, done, dropped: activities.length - counted.length,
      overdue: counted.filter((a) => a.status !== 'done' && a.due_on !== null && a.due_on < today).length,
      share_done: counted.length ? Math.round((done / counted.length) * 1000) / 1000 : null,
      by_commitment: byCommitment,
      evidence_items: activities.reduce((n, a) => n + a.evidence.length, 0),
      verified_since_signing: since,
    },
  };
}

function checkPlan(p: Pick<ActionPlanInput, 'commitments' | 'activities' | 'status' | 'signed_on'>): void {
  const ids = new Set(p.commitments.map((c) => c.id));
  ensure(ids.size === p.commitments.length, 'request.invalid', { field: 'commitments', rule: 'commitment ids must be unique' });
  ensure(new Set(p.activities.map((a) => a.id)).size === p.activities.length, 'request.invalid', { field: 'activities', rule: 'activity ids must be unique' });
  for (const [i, a] of p.activities.entries()) {
    ensure(a.commitment_id === null || ids.has(a.commitment_id), 'request.invalid', { field: `activities.${i}.commitment_id`, rule: `no commitment ${a.commitment_id}` });
  }
  ensure(p.status === 'draft' || p.signed_on !== null, 'request.invalid', { field: 'signed_on', rule: `a ${p.status} plan has a signing date` });
}

export async function listActionPlans(db: Kysely<DB>, ctx: RequestContext, partyId?: string): Promise<{ items: ActionPlanView[] }> {
  mayRead(ctx.actor);
  return runUnitOfWork(db, ctx, 'write', async (uow) => {
    const rows = await repo.listPlans(uow.trx, ctx.actor.missionId, partyId);
    uow.audit({ action: 'action_plan.list', targetType: 'action_plan', details: { count: rows.length } });
    const items: ActionPlanView[] = [];
    for (const r of rows) items.push(await present(uow.trx, ctx.actor, r));
    return { items };
  });
}

export async function getActionPlan(db: Kysely<DB>, ctx: RequestContext, planId: string): Promise<ActionPlanView> {
  mayRead(ctx.actor);
  return runUnitOfWork(db, ctx, 'write', async (uow) => {
    const row = await repo.findPlan(uow.trx, ctx.actor.missionId, planId);
    if (!row) throw new AppError('record.not_found', { field: 'plan_id' });
    uow.audit({ action: 'action_plan.read', targetType: 'action_plan', targetId: planId });
    return present(uow.trx, ctx.actor, row);
  });
}

export async function createActionPlan(db: Kysely<DB>, ctx: RequestContext, input: ActionPlanInput): Promise<ActionPlanView> {
  mayWrite(ctx.actor);
  checkPlan(input);
  return runUnitOfWork(db, ctx, 'write', async (uow) => {
    const m = ctx.actor.missionId;
    const party = await uow.trx.selectFrom('parties').select('party_id').where('mission_id', '=', m).where('party_id', '=', input.party_id).executeTakeFirst();
    if (!party) throw new AppError('reference.unknown_party', { field: 'party_id' });
    const planId = randomUUID();
    await repo.insertPlan(uow.trx, { mission_id: m, plan_id: planId, party_id: input.party_id, title: input.title, signed_on: input.signed_on, status: input.status,
      triggers: input.triggers, commitments: input.commitments, activities: input.activities, created_by: ctx.actor.userId, updated_by: ctx.actor.userId });
    uow.audit({ action: 'action_plan.create', targetType: 'action_plan', targetId: planId, details: { party_id: input.party_id, status: input.status } });
    return present(uow.trx, ctx.actor, (await repo.findPlan(uow.trx, m, planId))!);
  });
}

export async function updateActionPlan(db: Kysely<DB>, ctx: RequestContext, planId: string, input: ActionPlanUpdate): Promise<ActionPlanView> {
  mayWrite(ctx.actor);
  return runUnitOfWork(db, ctx, 'write', async (uow) => {
    const m = ctx.actor.missionId;
    const current = await repo.findPlan(uow.trx, m, planId, true);
    if (!current) throw new AppError('record.not_found', { field: 'plan_id' });
    const { version, ...set } = input;
    checkPlan({ commitments: (set.commitments ?? current.commitments) as ActionPlanInput['commitments'], activities: (set.activities ?? current.activities) as ActionPlanInput['activities'],
      status: (set.status ?? current.status) as ActionPlanInput['status'], signed_on: set.signed_on === undefined ? current.signed_on : set.signed_on });
    const ok = await repo.updatePlan(uow.trx, m, planId, version, { ...set, updated_by: ctx.actor.userId });
    ensure(ok, 'record.conflict', { field: 'version' });
    uow.audit({ action: 'action_plan.update', targetType: 'action_plan', targetId: planId, details: { fields: Object.keys(set) } });
    return present(uow.trx, ctx.actor, (await repo.findPlan(uow.trx, m, planId))!);
  });
}
