import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Actor, RequestContext } from '../../platform/context.ts';
import type { DB } from '../../platform/db/schema.ts';
import { runUnitOfWork, type UnitOfWork } from '../../platform/db/unit-of-work.ts';
import { ensure } from '../../platform/errors.ts';
import { dateOf, isoOf } from './care-repository.ts';
import { visibleCases } from './policy.ts';
import { presentCase } from './presenter.ts';
import * as repo from './repository.ts';
import type { ReRecruitmentInput } from './schema.ts';
import { visibleCase } from './service.ts';
import { caseSettings, responseDueAt, today } from './settings.ts';

/**
 * Re-recruitment recorded on the case (domain.md §3.6: "a new verified recruitment violation, or a case
 * flag"). The other path, a released child's blind index on a later MRM recruitment, is found in release.ts.
 * A flag belongs to a released child (it is measured from the release) on an open case: a closed case is
 * reopened first by a supervisor, since re-recruitment is new information that needs a new assessment. The
 * child is then at high risk (§4.3: recruitment is the high-risk example) and the alert is raised for the
 * case worker and the agency's supervisors on their next read of the alerts, computed from the store.
 */

/**
 * Records the flag in the caller's transaction, on a case already read and locked (`row`), or throws the
 * rule it breaks with nothing changed. Returns the case row as updated (risk raised) and the flag.
 */
export async function recordFlagIn(uow: UnitOfWork, row: repo.CaseRow, input: ReRecruitmentInput, source: 'flag' | 'case_update', now: Date) {
  ensure(row.status === 'open', 'case.illegal_transition', { field: 're_recruitment', rule: 'the case is closed: a supervisor reopens it (re-recruitment is new information to assess), then the flag is recorded' });
  const q = repo.casesDb(uow.trx);
  const release = await q.selectFrom('case_releases').select(['encountered_at']).where('mission_id', '=', row.mission_id).where('case_id', '=', row.case_id).executeTakeFirst();
  ensure(release, 'case.illegal_transition', { field: 're_recruitment', rule: 're-recruitment is of a released child: record the encounter or release first' });
  const released = today(new Date(release.encountered_at));
  ensure(input.recruited_on >= released, 'request.invalid', { field: 're_recruitment.recruited_on', rule: `not before the release (${released})` });
  ensure(input.recruited_on <= today(now), 'request.invalid', { field: 're_recruitment.recruited_on', rule: 'not in the future' });
  if (input.party_id) {
    const party = await uow.trx.selectFrom('parties').select('party_id').where('mission_id', '=', row.mission_id).where('party_id', '=', input.party_id).executeTakeFirst();
    ensure(party, 'request.invalid', { field: 're_recruitment.party_id', rule: 'a party of the mission' });
  }
  const flag = await q.insertInto('case_rerecruitment_flags').values({
    mission_id: row.mission_id, flag_id: randomUUID(), case_id: row.case_id, recruited_on: input.recruited_on, party_id: input.party_id ?? null,
    source, note: input.note, recorded_by: uow.ctx.actor.userId, recorded_at: now,
  }).returningAll().executeTakeFirstOrThrow();
  const raise = row.risk_level !== 'high' || !row.concerns.includes('caafag');
  // As any change of risk: the response deadline moves only while the first action is still awaited.
  const due = row.first_action_at === null ? responseDueAt(caseSettings(), new Date(row.identified_at), 'high', row.urgent) : new Date(row.response_due_at);
  const updated = raise
    ? await repo.updateCase(uow.trx, row.mission_id, row.case_id, row.version, { risk_level: 'high', response_due_at: due, concerns: row.concerns.includes('caafag') ? row.concerns : [...row.concerns, 'caafag'] })
    : row;
  ensure(updated, 'record.conflict', { field: 'version' });
  uow.audit({ action: 'case.re_recruitment', targetType: 'case', targetId: row.case_id,
    details: { flag_id: flag.flag_id, recruited_on: input.recruited_on, party_id: input.party_id ?? null, source, risk_raised_from: row.risk_level !== 'high' ? row.risk_level : null } });
  return { row: updated, flag };
}

export function flagReRecruitment(db: Kysely<DB>, ctx: RequestContext, caseId: string, input: ReRecruitmentInput, now = new Date()) {
  return runUnitOfWork(db, ctx, 'write', async (uow) => {
    const row = await visibleCase(uow, caseId, true);
    const { row: updated } = await recordFlagIn(uow, row, input, 'flag', now);
    return presentCase(updated, ctx.actor, now, { reRecruitment: await repo.reRecruitmentFlags(uow.trx, row.mission_id, caseId) });
  });
}

/** Flags on the cases the actor sees, newest first: alerts until the case closes. */
export function flagAlerts(q: Kysely<DB>, actor: Actor) {
  return repo.casesDb(q).selectFrom('cases as c')
    .innerJoin('case_rerecruitment_flags as f', (j) => j.onRef('f.mission_id', '=', 'c.mission_id').onRef('f.case_id', '=', 'c.case_id'))
    .select(['c.case_id', 'f.flag_id', 'f.recruited_on', 'f.party_id', 'f.source', 'f.recorded_at']).where(visibleCases(actor))
    .where('c.status', '=', 'open').orderBy('f.recorded_at', 'desc').limit(500).execute()
    .then((rows) => rows.map((f) => ({
      kind: 're_recruitment' as const, case_id: f.case_id, due_at: null,
      details: { source: 'case_flag', flag_id: f.flag_id, recruited_on: dateOf(f.recruited_on), party_id: f.party_id, flagged_by: f.source, recorded_at: isoOf(f.recorded_at) },
    })));
}
