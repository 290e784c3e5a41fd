import type { Kysely } from 'kysely';
import type { RequestContext } from '../../platform/context.ts';
import type { DB } from '../../platform/db/schema.ts';
import { runUnitOfWork } from '../../platform/db/unit-of-work.ts';
import { ensure } from '../../platform/errors.ts';
import { consentRefusal } from '../cases/consent.ts';
import { currentConsent } from '../cases/repository.ts';
import { CHILD_IDENTITY_SETTINGS, DEFAULT_THRESHOLDS, linkRecords, modelFits, type FsModel, type Row } from './engine/index.ts';
import { referenceModel } from './model.ts';
import { mayTrace } from './policy.ts';
import { fieldBits } from './presenter.ts';
import { caseRef, caseRows, identityRow, loadCases, prepareOpening } from './records.ts';
import * as repo from './repository.ts';

/**
 * Family tracing: the identity a family gives (the child they look for) against the children in cases.
 * A child is compared only if the consent in force on their case covers tracing (cases/consent.ts); the
 * others are not even opened. The answer names cases and per-field levels, never a child's identity.
 * `matchTracingIdentity` is the pure-input entry point a stored tracing request can call with its fields.
 */
export interface TracingIdentity {
  given_name: string; family_name: string; other_names?: string; sex?: 'female' | 'male' | 'unknown';
  date_of_birth?: string | null; age_years?: number | null; as_of?: string;
  father_name?: string; mother_name?: string; place_of_origin?: string; admin1?: string; admin2?: string;
}

const REQUEST_REF = 'tracing:request';

export async function matchTracingIdentity(db: Kysely<DB>, ctx: RequestContext, identity: TracingIdentity, now = new Date()) {
  ensure(mayTrace(ctx.actor), 'permission.denied', { rule: `your role (${ctx.actor.role}) does not trace families` });
  const missionId = ctx.actor.missionId;
  await prepareOpening(db, missionId);
  return runUnitOfWork(db, ctx, 'write', async (uow) => {
    const cases = await loadCases(uow.trx, missionId);
    const allowed = [];
    for (const c of cases) {
      if (consentRefusal((await currentConsent(uow.trx, missionId, c.case_id)) ?? null, 'tracing') === null) allowed.push(c);
    }
    const children = await caseRows(db, uow.trx, missionId, allowed);
    const request: Row = { ...identityRow(REQUEST_REF, { ...identity, registration_date: identity.as_of ?? now.toISOString().slice(0, 10) }), source: 'request' };
    const rows = [...children.map((r) => ({ ...r, source: 'child' })), request];
    const stored = await repo.latestModel(uow.trx, missionId);
    const tracingSettings = { ...CHILD_IDENTITY_SETTINGS, sourceColumn: 'source' };
    // A model stored by an older engine scores other levels: the reference model stands in until the next run.
    const model: FsModel = modelFits(stored, tracingSettings) ? stored : await referenceModel(rows.length);
    const matches: { case_id: string; agency: string; probability: number; fields: ReturnType<typeof fieldBits> }[] = [];
    if (children.length > 0) {
      const result = await linkRecords(rows, tracingSettings, { model, threads: 1 });
      const ids = result.prepared.ids;
      const agencyOf = new Map(allowed.map((c) => [caseRef(c.case_id), c.agency]));
      for (let p = 0; p < result.candidates.left.length; p++) {
        const probability = result.probabilities[p]!;
        if (probability < DEFAULT_THRESHOLDS.review) continue;
        const a = ids[result.candidates.left[p]!]!;
        const b = ids[result.candidates.right[p]!]!;
        const child = a === REQUEST_REF ? b : a;
        matches.push({ case_id: child.slice('case:'.length), agency: agencyOf.get(child) ?? '', probability, fields: fieldBits(result.explain(p)) });
      }
      matches.sort((x, y) => y.probability - x.probability || (x.case_id < y.case_id ? -1 : 1));
    }
    uow.audit({ action: 'identity.tracing_match', targetType: 'mission', targetId: missionId, details: { children_compared: children.length, without_tracing_consent: cases.length - allowed.length, matches: matches.length } });
    return { children_compared: children.length, children_without_tracing_consent: cases.length - allowed.length, matches };
  });
}
