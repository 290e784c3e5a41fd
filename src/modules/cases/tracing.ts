import { randomUUID } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { Actor, RequestContext } from '../../platform/context.ts';
import { fieldCrypto, SealedFieldShredded } from '../../platform/crypto/field-crypto.ts';
import type { DB } from '../../platform/db/schema.ts';
import { runUnitOfWork, type UnitOfWork } from '../../platform/db/unit-of-work.ts';
import { ensure } from '../../platform/errors.ts';
import { childIdentityIndex } from '../mrm/sealed-fields.ts';
import { careDb, dateOf, isoOf, type TracingMatchRow, type TracingRequestRow } from './care-repository.ts';
import type { ReunificationInput, TracingIdentity } from './care-schema.ts';
import { mayHandleCases } from './policy.ts';
import { prepareCaseSealing } from './identities.ts';
import { scheduleFollowups } from './reintegration.ts';
import { visibleCase } from './service.ts';
import { today } from './settings.ts';

/**
 * Family tracing and reunification (domain.md §3.3, CPIMS+ tracing statuses): open → tracing in progress
 * → verified (a candidate match confirmed by a person) → reunified, or closed. Who is sought and who asks
 * are sealed under the request's own key. A reunification needs a confirmed match for that child; an
 * alternative care placement needs none. Candidates come from the identity engine (tracing-linkage.ts).
 */
const PURPOSE = 'cases';
const soughtContext = (requestId: string) => `tracing/${requestId}/sought`;

/** A tracing request belongs to the agency that received it: its case workers and supervisor work it. */
export const canSeeRequest = (actor: Actor, r: { agency: string }) => mayHandleCases(actor) && actor.scope.agency !== null && r.agency === actor.scope.agency;

export async function visibleRequest(uow: UnitOfWork, requestId: string, lock: boolean): Promise<TracingRequestRow> {
  ensure(mayHandleCases(uow.ctx.actor), 'permission.denied', { rule: `your role (${uow.ctx.actor.role}) does not work with case records` });
  const r = await careDb(uow.trx).selectFrom('tracing_requests').selectAll().where('mission_id', '=', uow.ctx.actor.missionId)
    .where('request_id', '=', requestId).$if(lock, (s) => s.forUpdate()).executeTakeFirst();
  ensure(r && canSeeRequest(uow.ctx.actor, r), 'record.not_found', { field: 'request_id' });
  return r;
}

export async function openSought(db: Kysely<DB>, r: Pick<TracingRequestRow, 'mission_id' | 'request_id' | 'identity_sealed'>, q: Kysely<DB>): Promise<TracingIdentity | null> {
  try {
    return JSON.parse(await fieldCrypto(db).open(r.mission_id, r.identity_sealed, soughtContext(r.request_id), q)) as TracingIdentity;
  } catch (err) {
    if (err instanceof SealedFieldShredded) return null;
    throw err;
  }
}

export function presentMatch(m: TracingMatchRow) {
  return {
    id: m.match_id, request_id: m.request_id, case_id: m.case_id, probability: Number(m.probability), explanation: m.explanation as Record<string, unknown>,
    status: m.status, decided_at: isoOf(m.decided_at), decision_note: m.decision_note,
  };
}

function presentRequest(r: TracingRequestRow, extras: { sought?: TracingIdentity | null; matches?: TracingMatchRow[]; steps?: { action: string; from_status: string; to_status: string; note: string; recorded_at: Date }[] } = {}) {
  const actions = ['read', 'read_identity'];
  if (r.status === 'open') actions.push('start_tracing');
  if (r.status !== 'reunified' && r.status !== 'closed') actions.push('propose_match', 'close');
  return {
    id: r.request_id, agency: r.agency, sex: r.sex, separated_on: dateOf(r.separated_on), status: r.status as 'open', closed_reason: r.closed_reason,
    created_at: isoOf(r.created_at)!, version: r.version,
    ...(extras.sought !== undefined && { sought: extras.sought }),
    ...(extras.matches && { matches: extras.matches.map(presentMatch) }),
    ...(extras.steps && { steps: extras.steps.map((s) => ({ action: s.action, from_status: s.from_status, to_status: s.to_status, note: s.note, at: isoOf(s.recorded_at)! })) }),
    permitted_actions: actions,
  };
}

async function logStep(uow: UnitOfWork, r: TracingRequestRow, action: string, to: string, note: string) {
  await careDb(uow.trx).insertInto('tracing_steps').values({ mission_id: r.mission_id, step_id: randomUUID(), request_id: r.request_id, action, from_status: r.status, to_status: to, note, actor_id: uow.ctx.actor.userId }).execute();
}

async function setStatus(uow: UnitOfWork, r: TracingRequestRow, status: string, closedReason?: string): Promise<TracingRequestRow> {
  return careDb(uow.trx).updateTable('tracing_requests').set({ status, ...(closedReason !== undefined && { closed_reason: closedReason }), version: sql<number>`version + 1` })
    .where('mission_id', '=', r.mission_id).where('request_id', '=', r.request_id).returningAll().executeTakeFirstOrThrow();
}

export async function createTracingRequest(db: Kysely<DB>, ctx: RequestContext, input: { sought: TracingIdentity; sex: string; separated_on?: string | undefined }, now = new Date()) {
  ensure(mayHandleCases(ctx.actor), 'permission.denied', { rule: `your role (${ctx.actor.role}) does not work with case records` });
  const agency = ctx.actor.scope.agency;
  ensure(agency, 'permission.denied', { rule: 'your account has no agency: tracing requests belong to an agency' });
  ensure(!input.separated_on || input.separated_on <= today(now), 'request.invalid', { field: 'separated_on', rule: 'not in the future' });
  await prepareCaseSealing(db, ctx.actor.missionId);
  return runUnitOfWork(db, ctx, 'write', async (uow) => {
    const id = randomUUID();
    const sealer = fieldCrypto(db).recordSealer(ctx.actor.missionId, PURPOSE, 'tracing_request', `tracing/${id}`);
    const birthDate = input.sought.birth && 'date' in input.sought.birth ? input.sought.birth.date : null;
    await uow.trx.insertInto('record_keys').values(sealer.row).execute();
    const r = await careDb(uow.trx).insertInto('tracing_requests').values({
      mission_id: ctx.actor.missionId, request_id: id, agency, identity_sealed: sealer.seal(JSON.stringify(input.sought), soughtContext(id)),
      identity_index: childIdentityIndex(db, ctx.actor.missionId, input.sought.child_name, birthDate), sex: input.sex,
      separated_on: input.separated_on ?? null, created_by: ctx.actor.userId,
    }).returningAll().executeTakeFirstOrThrow();
    await logStep(uow, r, 'register', 'open', '');
    uow.audit({ action: 'tracing.create', targetType: 'tracing_request', targetId: id, details: { sex: input.sex } });
    return presentRequest(r);
  });
}

export function listTracingRequests(db: Kysely<DB>, ctx: RequestContext, q: { status?: string | undefined }) {
  ensure(mayHandleCases(ctx.actor), 'permission.denied', { rule: `your role (${ctx.actor.role}) does not work with case records` });
  return runUnitOfWork(db, ctx, 'read', async (uow) => {
    if (!ctx.actor.scope.agency) return { items: [] };
    const rows = await careDb(uow.trx).selectFrom('tracing_requests').selectAll().where('mission_id', '=', ctx.actor.missionId)
      .where('agency', '=', ctx.actor.scope.agency).$if(q.status !== undefined, (s) => s.where('status', '=', q.status!))
      .orderBy('created_at', 'desc').orderBy('request_id').limit(500).execute();
    return { items: rows.map((r) => presentRequest(r)) };
  });
}

export function getTracingRequest(db: Kysely<DB>, ctx: RequestContext, requestId: string, opts: { identity: boolean }) {
  return runUnitOfWork(db, ctx, 'read', async (uow) => {
    const r = await visibleRequest(uow, requestId, false);
    const q = careDb(uow.trx);
    const [matches, steps] = await Promise.all([
      q.selectFrom('tracing_matches').selectAll().where('mission_id', '=', r.mission_id).where('request_id', '=', requestId).orderBy('probability', 'desc').execute(),
      q.selectFrom('tracing_steps').select(['action', 'from_status', 'to_status', 'note', 'recorded_at']).where('mission_id', '=', r.mission_id).where('request_id', '=', requestId).orderBy('recorded_at').orderBy('step_id').execute(),
    ]);
    const sought = opts.identity ? await openSought(db, r, uow.trx) : undefined;
    if (opts.identity) uow.audit({ action: 'tracing.read_identity', targetType: 'tracing_request', targetId: requestId });
    return presentRequest(r, { ...(sought !== undefined && { sought }), matches, steps });
  });
}

/** A tracing step: start tracing (open → in progress), a note of what was done, or closing the request. */
export function tracingStep(db: Kysely<DB>, ctx: RequestContext, requestId: string, input: { version: number; action: 'start_tracing' | 'note' | 'close'; note: string }) {
  return runUnitOfWork(db, ctx, 'write', async (uow) => {
    const r = await visibleRequest(uow, requestId, true);
    ensure(r.version === input.version, 'record.conflict', { field: 'version', rule: `the request is at version ${r.version}` });
    ensure(r.status !== 'reunified' && r.status !== 'closed', 'case.illegal_transition', { field: 'action', rule: `the request is ${r.status}` });
    let to = r.status;
    if (input.action === 'start_tracing') {
      ensure(r.status === 'open', 'case.illegal_transition', { field: 'action', rule: 'tracing has already started' });
      to = 'tracing_in_progress';
    }
    if (input.action === 'close') {
      ensure(input.note.length > 0, 'request.invalid', { field: 'note', rule: 'closing a tracing request gives the reason' });
      to = 'closed';
    }
    await logStep(uow, r, input.action, to, input.note);
    const updated = await setStatus(uow, r, to, input.action === 'close' ? input.note : undefined);
    uow.audit({ action: `tracing.${input.action}`, targetType: 'tracing_request', targetId: requestId, details: { from: r.status, to } });
    return presentRequest(updated);
  });
}

/**
 * A person's decision on a candidate. Confirming verifies the request (one confirmed match per request);
 * the decision names what was checked.
 */
export function decideMatch(db: Kysely<DB>, ctx: RequestContext, requestId: string, matchId: string, input: { decision: 'confirmed' | 'rejected'; note: string }, now = new Date()) {
  return runUnitOfWork(db, ctx, 'write', async (uow) => {
    const r = await visibleRequest(uow, requestId, true);
    const q = careDb(uow.trx);
    const m = await q.selectFrom('tracing_matches').selectAll().where('mission_id', '=', r.mission_id).where('request_id', '=', requestId)
      .where('match_id', '=', matchId).forUpdate().executeTakeFirst();
    ensure(m, 'record.not_found', { field: 'match_id' });
    ensure(m.status === 'candidate', 'record.conflict', { field: 'decision', rule: `the match is already ${m.status}` });
    if (input.decision === 'confirmed') {
      ensure(r.status === 'open' || r.status === 'tracing_in_progress', 'case.illegal_transition', { field: 'decision', rule: `the request is ${r.status}: one confirmed match per request` });
    }
    const decided = await q.updateTable('tracing_matches').set({ status: input.decision, decided_by: ctx.actor.userId, decided_at: now, decision_note: input.note })
      .where('mission_id', '=', r.mission_id).where('match_id', '=', matchId).returningAll().executeTakeFirstOrThrow();
    if (input.decision === 'confirmed') {
      await logStep(uow, r, 'confirm_match', 'verified', input.note);
      await setStatus(uow, r, 'verified');
    }
    uow.audit({ action: `tracing.match_${input.decision}`, targetType: 'tracing_request', targetId: requestId, details: { match_id: matchId, case_id: m.case_id, probability: Number(m.probability) } });
    return presentMatch(decided);
  });
}

/**
 * Reunification, only through a confirmed match for this child; or an alternative care placement. Either
 * starts the follow-up schedule from its date. The request is then reunified.
 */
export function recordReunification(db: Kysely<DB>, ctx: RequestContext, caseId: string, input: ReunificationInput, now = new Date()) {
  return runUnitOfWork(db, ctx, 'write', async (uow) => {
    const row = await visibleCase(uow, caseId, true);
    ensure(row.status === 'open', 'case.illegal_transition', { rule: 'the case is closed: reopen it first' });
    ensure(input.on_date <= today(now), 'request.invalid', { field: 'on_date', rule: 'not in the future' });
    ensure(input.on_date >= new Date(row.identified_at).toISOString().slice(0, 10), 'request.invalid', { field: 'on_date', rule: 'not before the child was identified' });
    const q = careDb(uow.trx);
    const existing = await q.selectFrom('case_reunifications').select('outcome').where('mission_id', '=', row.mission_id).where('case_id', '=', caseId).executeTakeFirst();
    ensure(!existing, 'record.conflict', { field: 'outcome', rule: `the ${existing?.outcome.replace('_', ' ')} is already recorded` });
    let matchId: string | null = null;
    if (input.outcome === 'reunified') {
      const m = await q.selectFrom('tracing_matches').select(['match_id', 'status', 'request_id']).where('mission_id', '=', row.mission_id)
        .where('match_id', '=', input.match_id).where('case_id', '=', caseId).executeTakeFirst();
      ensure(m && m.status === 'confirmed', 'tracing.match_unverified', { field: 'match_id', rule: 'a reunification follows a tracing match confirmed for this child' });
      matchId = m.match_id;
      const r = await q.selectFrom('tracing_requests').selectAll().where('mission_id', '=', row.mission_id).where('request_id', '=', m.request_id).forUpdate().executeTakeFirstOrThrow();
      await logStep(uow, r, 'reunify', 'reunified', input.verification_note);
      await setStatus(uow, r, 'reunified');
    }
    const saved = await q.insertInto('case_reunifications').values({
      mission_id: row.mission_id, case_id: caseId, outcome: input.outcome, match_id: matchId, care_type: input.outcome === 'alternative_care' ? input.care_type : null,
      verification: input.outcome === 'reunified' ? input.verification : null, verification_note: input.verification_note, on_date: input.on_date, recorded_by: ctx.actor.userId,
    }).returningAll().executeTakeFirstOrThrow();
    await scheduleFollowups(uow.trx, row.mission_id, caseId, input.outcome === 'reunified' ? 'after_reunification' : 'in_care', input.on_date);
    uow.audit({ action: `case.${input.outcome}`, targetType: 'case', targetId: caseId, details: { on_date: input.on_date, match_id: matchId } });
    return { outcome: saved.outcome, match_id: saved.match_id, care_type: saved.care_type, verification: saved.verification, verification_note: saved.verification_note, on_date: dateOf(saved.on_date)! };
  });
}
