import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { RequestContext } from '../../platform/context.ts';
import type { DB } from '../../platform/db/schema.ts';
import { runUnitOfWork } from '../../platform/db/unit-of-work.ts';
import { ensure } from '../../platform/errors.ts';
import { jsonb } from '../mrm/repository.ts';
import { careDb } from './care-repository.ts';
import { consentRefusal } from './consent.ts';
import * as repo from './repository.ts';
import { openSought, presentMatch, visibleRequest } from './tracing.ts';
import { splitFullName } from '../identity/records.ts';
import { matchTracingIdentity, type TracingIdentity as EngineTracingIdentity } from '../identity/tracing.ts';
import type { TracingIdentity } from './care-schema.ts';
import type { TracingRequestRow } from './care-repository.ts';
import { prepareCaseSealing } from './identities.ts';

/**
 * The seam between family tracing and the identity linkage engine. The engine side is
 * `matchTracingIdentity(db, ctx, identity)` in src/modules/identity/tracing.ts: it compares one sought
 * identity with the children in cases, opening only those whose consent in force covers tracing, and
 * answers with case ids, probabilities and per-field explanations (never an identity). This side:
 *
 *   - `tracingIdentityOf(request, sought)`: a stored request's sealed fields in the engine's input shape;
 *   - `runTracingMatch(db, ctx, requestId)`: opens the request (audited), asks the engine, and stores every
 *     candidate with its explanation through `proposeTracingMatches`, which checks tracing consent again
 *     (the consent may have changed in between). Nothing is linked until a person confirms (`decideMatch`).
 *
 * Candidates may be any agency's children: their consent covers tracing, and the candidate shows a case
 * reference and field levels only. The reunification is recorded by whoever holds the child's case.
 */
export interface TracingCandidate { case_id: string; probability: number; explanation: Record<string, unknown> }

export function tracingIdentityOf(r: Pick<TracingRequestRow, 'sex' | 'created_at'>, sought: TracingIdentity): EngineTracingIdentity {
  const name = splitFullName(sought.child_name);
  return {
    ...name, other_names: sought.other_names, sex: r.sex as 'female' | 'male' | 'unknown',
    date_of_birth: sought.birth && 'date' in sought.birth ? sought.birth.date : null,
    age_years: sought.birth && 'age_estimate' in sought.birth ? sought.birth.age_estimate : null,
    as_of: new Date(r.created_at).toISOString().slice(0, 10), father_name: sought.father_name, mother_name: sought.mother_name,
    place_of_origin: sought.place_of_origin, admin1: sought.admin1, admin2: sought.admin2,
  };
}

export async function runTracingMatch(db: Kysely<DB>, ctx: RequestContext, requestId: string) {
  await prepareCaseSealing(db, ctx.actor.missionId);
  const identity = await runUnitOfWork(db, ctx, 'read', async (uow) => {
    const r = await visibleRequest(uow, requestId, false);
    ensure(r.status === 'open' || r.status === 'tracing_in_progress', 'case.illegal_transition', { field: 'request_id', rule: `the request is ${r.status}` });
    const sought = await openSought(db, r, uow.trx);
    ensure(sought, 'record.not_found', { field: 'request_id', rule: 'the request\'s identity was erased' });
    uow.audit({ action: 'tracing.read_identity', targetType: 'tracing_request', targetId: requestId, details: { purpose: 'matching' } });
    return tracingIdentityOf(r, sought);
  });
  const found = await matchTracingIdentity(db, ctx, identity);
  const stored = await proposeTracingMatches(db, ctx, requestId, found.matches.map((m) => ({ case_id: m.case_id, probability: m.probability, explanation: { fields: m.fields } })));
  return { children_compared: found.children_compared, children_without_tracing_consent: found.children_without_tracing_consent, items: stored.items };
}

/** Store the engine's candidates for a person to decide; a child without tracing consent is refused, nothing stored. */
export function proposeTracingMatches(db: Kysely<DB>, ctx: RequestContext, requestId: string, candidates: TracingCandidate[]) {
  return runUnitOfWork(db, ctx, 'write', async (uow) => {
    const r = await visibleRequest(uow, requestId, true);
    ensure(r.status === 'open' || r.status === 'tracing_in_progress', 'case.illegal_transition', { field: 'request_id', rule: `the request is ${r.status}` });
    const q = careDb(uow.trx);
    const stored = [];
    for (const c of candidates) {
      const row = await repo.findCase(uow.trx, r.mission_id, c.case_id);
      ensure(row && row.status === 'open', 'record.not_found', { field: 'case_id', rule: 'an open case of the mission' });
      const refusal = consentRefusal((await repo.currentConsent(uow.trx, r.mission_id, c.case_id)) ?? null, 'tracing');
      ensure(refusal === null, 'consent.required', { field: 'case_id', rule: `${refusal}: the child is not matched for tracing` });
      const m = await q.insertInto('tracing_matches').values({
        mission_id: r.mission_id, match_id: randomUUID(), request_id: requestId, case_id: c.case_id, probability: c.probability,
        explanation: jsonb(c.explanation) as never, proposed_by: ctx.actor.userId,
      }).onConflict((oc) => oc.columns(['mission_id', 'request_id', 'case_id']).doUpdateSet({ probability: c.probability, explanation: jsonb(c.explanation) as never }).where('tracing_matches.status', '=', 'candidate'))
        .returningAll().executeTakeFirst();
      if (m) stored.push(m);
    }
    uow.audit({ action: 'tracing.match_proposed', targetType: 'tracing_request', targetId: requestId, details: { candidates: candidates.length } });
    return { items: stored.map(presentMatch) };
  });
}
