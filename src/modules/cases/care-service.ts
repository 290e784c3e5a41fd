import type { Kysely } from 'kysely';
import type { RequestContext } from '../../platform/context.ts';
import type { DB } from '../../platform/db/schema.ts';
import { runUnitOfWork } from '../../platform/db/unit-of-work.ts';
import { ensure } from '../../platform/errors.ts';
import { presentBestInterests } from './best-interests.ts';
import { careDb, dateOf } from './care-repository.ts';
import type { ExportInput } from './care-schema.ts';
import { consentRefusal } from './consent.ts';
import { openChildIdentity } from './identities.ts';
import { presentPlacement } from './interim-care.ts';
import { mayHandleCases, visibleCases } from './policy.ts';
import { presentComponent, presentVisit } from './reintegration.ts';
import * as repo from './repository.ts';
import { visibleCase } from './service.ts';
import { presentMatch } from './tracing.ts';
import { ageNow } from './consent.ts';

/** The care record of one case (placements, plan, visits, reunification, BIA/BID), and exports under consent. */

export function getCare(db: Kysely<DB>, ctx: RequestContext, caseId: string, now = new Date()) {
  return runUnitOfWork(db, ctx, 'read', async (uow) => {
    const row = await visibleCase(uow, caseId, false);
    const q = careDb(uow.trx);
    const m = row.mission_id;
    const [placements, components, followups, reunion, bi, matches] = await Promise.all([
      q.selectFrom('case_interim_care').selectAll().where('mission_id', '=', m).where('case_id', '=', caseId).orderBy('admitted_on').execute(),
      q.selectFrom('case_reintegration_components').selectAll().where('mission_id', '=', m).where('case_id', '=', caseId).orderBy('start_on').orderBy('component_id').execute(),
      q.selectFrom('case_followups').selectAll().where('mission_id', '=', m).where('case_id', '=', caseId).orderBy('due_on').orderBy('sequence').execute(),
      q.selectFrom('case_reunifications').selectAll().where('mission_id', '=', m).where('case_id', '=', caseId).executeTakeFirst(),
      q.selectFrom('case_best_interests').selectAll().where('mission_id', '=', m).where('case_id', '=', caseId).orderBy('done_on').orderBy('record_id').execute(),
      q.selectFrom('tracing_matches').selectAll().where('mission_id', '=', m).where('case_id', '=', caseId).orderBy('proposed_at').orderBy('match_id').execute(),
    ]);
    return {
      case_id: caseId,
      placements: placements.map((p) => presentPlacement(p, now)),
      components: components.map(presentComponent),
      followups: followups.map((v) => presentVisit(v, now)),
      reunification: reunion ? { outcome: reunion.outcome, match_id: reunion.match_id, care_type: reunion.care_type, verification: reunion.verification, verification_note: reunion.verification_note, on_date: dateOf(reunion.on_date)! } : null,
      best_interests: bi.map(presentBestInterests),
      tracing_matches: matches.map(presentMatch),
    };
  });
}

/**
 * An export of the case data the caller may see, for one recipient: a child is in it only if the consent in
 * force allows export to that recipient, or under a named override (imminent risk, mandatory reporting)
 * whose justification is audited per child. Everyone else is listed as excluded with the rule.
 */
export function exportCases(db: Kysely<DB>, ctx: RequestContext, input: ExportInput, now = new Date()) {
  ensure(mayHandleCases(ctx.actor), 'permission.denied', { rule: `your role (${ctx.actor.role}) does not work with case records` });
  return runUnitOfWork(db, ctx, 'write', async (uow) => {
    const rows = await repo.casesDb(uow.trx).selectFrom('cases as c').selectAll('c').where(visibleCases(ctx.actor)).orderBy('c.case_id').limit(10_000).execute();
    const overrides = new Map(input.overrides.map((o) => [o.case_id, o]));
    for (const id of overrides.keys()) ensure(rows.some((r) => r.case_id === id), 'record.not_found', { field: 'overrides.case_id', rule: id });
    const items = [];
    const excluded: { case_id: string; rule: string }[] = [];
    for (const c of rows) {
      const consent = (await repo.currentConsent(uow.trx, c.mission_id, c.case_id)) ?? null;
      const refusal = consentRefusal(consent, 'export', input.recipient);
      const override = overrides.get(c.case_id);
      if (refusal !== null && !override) {
        excluded.push({ case_id: c.case_id, rule: refusal });
        continue;
      }
      if (refusal !== null && override) {
        uow.audit({ action: 'case.consent_override', targetType: 'case', targetId: c.case_id, details: { purpose: 'export', recipient: input.recipient, refusal, ground: override.ground, justification: override.justification } });
      }
      const identity = input.include_identity ? await openChildIdentity(db, c.mission_id, c.case_id, c.identity_sealed, uow.trx) : undefined;
      items.push({
        case_id: c.case_id, sex: c.sex, age: ageNow(c.age_years, c.age_as_of, now), risk_level: c.risk_level, concerns: c.concerns, step: c.step, status: c.status,
        consent_version: refusal === null ? consent!.version : null, override: refusal === null ? null : override!.ground,
        ...(identity !== undefined && { identity: identity as Record<string, unknown> | null }),
      });
    }
    uow.audit({ action: 'case.export', details: { recipient: input.recipient, exported: items.length, excluded: excluded.length, overrides: input.overrides.length, identity: input.include_identity } });
    return { recipient: input.recipient, exported: items.length, items, excluded };
  });
}
