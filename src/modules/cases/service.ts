import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { RequestContext } from '../../platform/context.ts';
import type { DB } from '../../platform/db/schema.ts';
import { runUnitOfWork, type UnitOfWork } from '../../platform/db/unit-of-work.ts';
import { AppError, ensure } from '../../platform/errors.ts';
import { ageNow, consentRuleBroken } from './consent.ts';
import { ageOn, openChildIdentity, prepareCaseSealing, sealChildIdentity } from './identities.ts';
import { canSeeCase, mayHandleCases, supervises, visibleCases } from './policy.ts';
import { caseFacts, presentCase, presentConsent } from './presenter.ts';
import { recordFlagIn } from './re-recruitment.ts';
import * as repo from './repository.ts';
import type { CaseCreateInput, CaseUpdateInput, ConsentInput, TransitionInput } from './schema.ts';
import { caseSettings, responseDueAt } from './settings.ts';
import { nextState, type ApprovalGate, type CaseStep } from './workflow.ts';

/** Children's cases: registration, the step workflow with approvals, consent, and the overdue list. */

const refuseRole = (ctx: RequestContext) =>
  ensure(mayHandleCases(ctx.actor), 'permission.denied', { rule: `your role (${ctx.actor.role}) does not work with case records` });

/** The case if the caller may see it; 404 otherwise, so its existence is not revealed. */
export async function visibleCase(uow: UnitOfWork, caseId: string, lock: boolean): Promise<repo.CaseRow> {
  refuseRole(uow.ctx);
  const row = await repo.findCase(uow.trx, uow.ctx.actor.missionId, caseId, lock);
  ensure(row && canSeeCase(uow.ctx.actor, caseFacts(row)), 'record.not_found', { field: 'case_id' });
  return row;
}

/** A case worker of `agency` in the mission, or the rule it breaks. */
export async function requireCaseWorker(uow: UnitOfWork, userId: string, agency: string): Promise<void> {
  const u = await uow.trx.selectFrom('users').select(['role', 'scope_agency', 'disabled_at'])
    .where('mission_id', '=', uow.ctx.actor.missionId).where('user_id', '=', userId).executeTakeFirst();
  ensure(u && u.role === 'case_worker' && u.scope_agency === agency && u.disabled_at === null, 'request.invalid',
    { field: 'assigned_to', rule: `an active case worker of ${agency}` });
}

export async function registerCase(db: Kysely<DB>, ctx: RequestContext, input: CaseCreateInput, now = new Date()) {
  refuseRole(ctx);
  const agency = ctx.actor.scope.agency;
  ensure(agency, 'permission.denied', { rule: 'your account has no agency: cases belong to an agency' });
  const identifiedAt = input.identified_at ? new Date(input.identified_at) : now;
  ensure(identifiedAt <= now, 'request.invalid', { field: 'identified_at', rule: 'not in the future' });
  await prepareCaseSealing(db, ctx.actor.missionId);
  return runUnitOfWork(db, ctx, 'write', async (uow) => {
    const assignedTo = input.assigned_to ?? ctx.actor.userId;
    if (ctx.actor.role === 'case_worker') ensure(assignedTo === ctx.actor.userId, 'permission.denied', { field: 'assigned_to', rule: 'a supervisor assigns cases to others' });
    else await requireCaseWorker(uow, assignedTo, agency);
    const { row, mrm } = await insertCaseIn(uow, db, input, agency, assignedTo, identifiedAt, now);
    return presentCase(row, ctx.actor, now, { mrm });
  });
}

/** One case inserted in the caller's transaction (registration, import), with its first event and audit row. Keys prepared before. */
export async function insertCaseIn(uow: UnitOfWork, db: Kysely<DB>, input: CaseCreateInput, agency: string, assignedTo: string, identifiedAt: Date, now: Date) {
  const ctx = uow.ctx;
  const caseId = randomUUID();
  const sealed = sealChildIdentity(db, ctx.actor.missionId, caseId, input.child);
  const row = await repo.insertCase(uow.trx, {
    mission_id: ctx.actor.missionId, case_id: caseId, agency, assigned_to: assignedTo, sex: input.sex,
    age_years: ageOn(input.child, now), age_as_of: now.toISOString().slice(0, 10), age_estimated: 'age_estimate' in input.child.birth,
    identity_sealed: sealed.identity_sealed, identity_index: sealed.identity_index,
    concerns: input.concerns, risk_level: input.risk_level, urgent: input.urgent,
    identified_at: identifiedAt, response_due_at: responseDueAt(caseSettings(), identifiedAt, input.risk_level, input.urgent), created_by: ctx.actor.userId,
  }, sealed.keyRow);
  await repo.insertEvent(uow.trx, { mission_id: row.mission_id, event_id: randomUUID(), case_id: caseId, action: 'register', from_step: 'registration', to_step: 'registration', note: '', actor_id: ctx.actor.userId });
  // The child as an MRM victim, by blind index: shown to the case team as types and dates only.
  const mrm = await repo.mrmAppearances(uow.trx, row.mission_id, sealed.identity_index);
  uow.audit({ action: 'case.create', targetType: 'case', targetId: caseId, details: { risk_level: input.risk_level, urgent: input.urgent, mrm_appearances: mrm.length } });
  return { row, mrm };
}

export function getCase(db: Kysely<DB>, ctx: RequestContext, caseId: string, opts: { identity: boolean }, now = new Date()) {
  return runUnitOfWork(db, ctx, 'read', async (uow) => {
    const row = await visibleCase(uow, caseId, false);
    const [consent, release, history, mrm, reRecruitment] = await Promise.all([
      repo.currentConsent(uow.trx, row.mission_id, caseId),
      repo.casesDb(uow.trx).selectFrom('case_releases').selectAll().where('mission_id', '=', row.mission_id).where('case_id', '=', caseId).executeTakeFirst(),
      repo.caseHistory(uow.trx, row.mission_id, caseId),
      row.identity_index ? repo.mrmAppearances(uow.trx, row.mission_id, row.identity_index) : Promise.resolve([]),
      repo.reRecruitmentFlags(uow.trx, row.mission_id, caseId),
    ]);
    const identity = opts.identity ? await openChildIdentity(db, row.mission_id, caseId, row.identity_sealed, uow.trx) : undefined;
    if (opts.identity) uow.audit({ action: 'case.read_identity', targetType: 'case', targetId: caseId });
    return presentCase(row, ctx.actor, now, { consent: consent ?? null, release: release ?? null, history, mrm, reRecruitment, ...(identity !== undefined && { identity }) });
  });
}

export function listCases(db: Kysely<DB>, ctx: RequestContext, q: { status?: 'open' | 'closed' | undefined; assigned_to?: string | undefined; limit: number }, now = new Date()) {
  return runUnitOfWork(db, ctx, 'read', async (uow) => {
    const rows = await repo.casesDb(uow.trx).selectFrom('cases as c').selectAll().where(visibleCases(ctx.actor))
      .$if(q.status !== undefined, (s) => s.where('c.status', '=', q.status!))
      .$if(q.assigned_to !== undefined, (s) => s.where('c.assigned_to', '=', q.assigned_to!))
      .orderBy('c.response_due_at').orderBy('c.case_id').limit(q.limit).execute();
    return { items: rows.map((r) => presentCase(r, ctx.actor, now)) };
  });
}

/** Open cases whose first action is late, most overdue first: the caller's own, or their agency's. */
export function overdueCases(db: Kysely<DB>, ctx: RequestContext, now = new Date()) {
  refuseRole(ctx);
  return runUnitOfWork(db, ctx, 'read', async (uow) => {
    const rows = await repo.casesDb(uow.trx).selectFrom('cases as c').selectAll().where(visibleCases(ctx.actor))
      .where('c.status', '=', 'open').where('c.first_action_at', 'is', null).where('c.response_due_at', '<', now)
      .orderBy('c.response_due_at').orderBy('c.case_id').limit(500).execute();
    return { items: rows.map((r) => presentCase(r, ctx.actor, now)) };
  });
}

/** Open cases per case worker against the guidance (a warning, not a block: domain.md §4.3). */
export function caseload(db: Kysely<DB>, ctx: RequestContext) {
  refuseRole(ctx);
  return runUnitOfWork(db, ctx, 'read', async (uow) => {
    const rows = await repo.casesDb(uow.trx).selectFrom('cases as c').where(visibleCases(ctx.actor)).where('c.status', '=', 'open')
      .leftJoin('users as u', (j) => j.onRef('u.mission_id', '=', 'c.mission_id').onRef('u.user_id', '=', 'c.assigned_to'))
      .select((eb) => ['c.assigned_to', 'u.display_name', eb.fn.countAll<string>().as('n')]).groupBy(['c.assigned_to', 'u.display_name']).orderBy('c.assigned_to').execute();
    const guidance = caseSettings().caseloadGuidance;
    const workers = rows.map((r) => ({ case_worker: r.assigned_to, name: r.display_name, open_cases: Number(r.n), over_guidance: Number(r.n) > guidance }));
    // A supervisor assigns new cases and referrals: the agency's active case workers with no open case are
    // the first candidates, so they are listed too (with 0), not only those who already carry cases.
    if (ctx.actor.role === 'supervisor' && ctx.actor.scope.agency !== null) {
      const listed = new Set(workers.map((w) => w.case_worker));
      const idle = await uow.trx.selectFrom('users').select(['user_id', 'display_name']).where('mission_id', '=', ctx.actor.missionId)
        .where('role', '=', 'case_worker').where('scope_agency', '=', ctx.actor.scope.agency).where('disabled_at', 'is', null).orderBy('user_id').execute();
      for (const u of idle) if (!listed.has(u.user_id)) workers.push({ case_worker: u.user_id, name: u.display_name, open_cases: 0, over_guidance: false });
    }
    return { guidance, workers };
  });
}

export async function updateCase(db: Kysely<DB>, ctx: RequestContext, caseId: string, input: CaseUpdateInput, now = new Date()) {
  return runUnitOfWork(db, ctx, 'write', async (uow) => {
    const row = await visibleCase(uow, caseId, true);
    ensure(row.version === input.version, 'record.conflict', { field: 'version', rule: `the case is at version ${row.version}` });
    ensure(row.status === 'open', 'case.illegal_transition', { rule: 'the case is closed: reopen it first' });
    if (input.assigned_to !== undefined && input.assigned_to !== row.assigned_to) {
      ensure(supervises(ctx.actor, caseFacts(row)), 'permission.denied', { field: 'assigned_to', rule: 'a supervisor of the agency reassigns cases' });
      await requireCaseWorker(uow, input.assigned_to, row.agency);
    }
    const risk = input.risk_level ?? (row.risk_level as 'high' | 'medium' | 'low');
    const urgent = input.urgent ?? row.urgent;
    // A new risk level moves the deadline only while the first action is still awaited.
    const due = row.first_action_at === null ? responseDueAt(caseSettings(), new Date(row.identified_at), risk, urgent) : new Date(row.response_due_at);
    const updated = await repo.updateCase(uow.trx, row.mission_id, caseId, row.version, {
      risk_level: risk, urgent, response_due_at: due, ...(input.concerns && { concerns: input.concerns }), ...(input.assigned_to && { assigned_to: input.assigned_to }),
    });
    ensure(updated, 'record.conflict', { field: 'version' });
    uow.audit({ action: 'case.update', targetType: 'case', targetId: caseId, details: { fields: Object.keys(input).filter((k) => k !== 'version') } });
    if (!input.re_recruitment) return presentCase(updated, ctx.actor, now);
    const flagged = await recordFlagIn(uow, updated, input.re_recruitment, 'case_update', now);
    return presentCase(flagged.row, ctx.actor, now, { reRecruitment: await repo.reRecruitmentFlags(uow.trx, row.mission_id, caseId) });
  });
}

export async function transitionCase(db: Kysely<DB>, ctx: RequestContext, caseId: string, input: TransitionInput, now = new Date()) {
  return runUnitOfWork(db, ctx, 'write', async (uow) => {
    const row = await visibleCase(uow, caseId, true);
    ensure(row.version === input.version, 'record.conflict', { field: 'version', rule: `the case is at version ${row.version}` });
    const who = supervises(ctx.actor, caseFacts(row)) ? 'supervisor' : 'worker';
    const move = nextState({ step: row.step as CaseStep, status: row.status as 'open' | 'closed', approvalPending: row.approval_pending as ApprovalGate | null,
      approvalRequestedBy: row.approval_requested_by, firstActionAt: row.first_action_at }, input.action, who, ctx.actor.userId);
    if (!move.ok) throw new AppError(move.forbidden ? 'permission.denied' : 'case.illegal_transition', { field: 'action', rule: move.rule });
    const closing = input.action === 'request_approval' && move.next.approvalPending === 'closure';
    if (closing) {
      ensure(input.closure_reason, 'request.invalid', { field: 'closure_reason', rule: 'closing a case names its reason' });
      ensure(await repo.countOpenReferrals(uow.trx, row.mission_id, caseId) === 0, 'case.open_referrals', { rule: 'a case with pending or accepted referrals cannot close' });
    }
    const closes = move.next.status === 'closed';
    if (closes) ensure(await repo.countOpenReferrals(uow.trx, row.mission_id, caseId) === 0, 'case.open_referrals', { rule: 'a case with pending or accepted referrals cannot close' });
    const updated = await repo.updateCase(uow.trx, row.mission_id, caseId, row.version, {
      step: move.next.step, status: move.next.status, approval_pending: move.next.approvalPending,
      approval_requested_by: input.action === 'request_approval' ? ctx.actor.userId : move.next.approvalPending ? row.approval_requested_by : null,
      ...(move.next.firstAction && { first_action_at: now }),
      ...(closing && { closure_reason: input.closure_reason }),
      ...(input.action === 'reject' && row.approval_pending === 'closure' && { closure_reason: null }),
      closed_at: closes ? now : null,
      ...(input.action === 'reopen' && { closure_reason: null }),
    });
    ensure(updated, 'record.conflict', { field: 'version' });
    await repo.insertEvent(uow.trx, { mission_id: row.mission_id, event_id: randomUUID(), case_id: caseId, action: input.action, from_step: row.step, to_step: move.next.step, note: input.note, actor_id: ctx.actor.userId });
    uow.audit({ action: `case.${input.action}`, targetType: 'case', targetId: caseId, details: { from: row.step, to: move.next.step, ...(row.approval_pending && { gate: row.approval_pending }) } });
    return presentCase(updated, ctx.actor, now);
  });
}

/** A new consent version; who gave it and the child's assent must fit the child's age (domain.md §4.5). */
export async function recordConsent(db: Kysely<DB>, ctx: RequestContext, caseId: string, input: ConsentInput, now = new Date()) {
  return runUnitOfWork(db, ctx, 'write', async (uow) => {
    const row = await visibleCase(uow, caseId, true);
    const age = ageNow(row.age_years, row.age_as_of, now);
    const broken = consentRuleBroken(caseSettings(), age, input);
    ensure(broken === null, 'consent.invalid', { field: 'given_by', rule: broken ?? '' });
    const overlap = input.share_with.filter((s) => input.withhold_from.includes(s));
    ensure(overlap.length === 0, 'request.invalid', { field: 'withhold_from', rule: `both shared with and withheld from: ${overlap.join(', ')}` });
    const previous = await repo.currentConsent(uow.trx, row.mission_id, caseId);
    const consent = await repo.insertConsent(uow.trx, { mission_id: row.mission_id, case_id: caseId, version: (previous?.version ?? 0) + 1, ...input, child_age_at_consent: age, recorded_by: ctx.actor.userId });
    uow.audit({ action: 'case.consent', targetType: 'case', targetId: caseId, details: { version: consent.version, given_by: input.given_by, for_services: input.for_services, for_tracing: input.for_tracing, share_with: input.share_with } });
    return presentCase(row, ctx.actor, now, { consent });
  });
}

/** Every consent version of the case, newest first (the newest is in force). */
export function consentHistory(db: Kysely<DB>, ctx: RequestContext, caseId: string) {
  return runUnitOfWork(db, ctx, 'read', async (uow) => {
    const row = await visibleCase(uow, caseId, false);
    return { case_id: caseId, items: (await repo.consentHistory(uow.trx, row.mission_id, caseId)).map(presentConsent) };
  });
}
