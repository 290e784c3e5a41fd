import type { Kysely, Transaction } from 'kysely';
import type { RequestContext } from '../../platform/context.ts';
import type { DB } from '../../platform/db/schema.ts';
import { runUnitOfWork } from '../../platform/db/unit-of-work.ts';
import { ensure } from '../../platform/errors.ts';
import { DEFAULT_DEADLINES, type DeadlineSettings } from './deadlines.ts';
import { mayHandleAllegations } from './policy.ts';
import * as repo from './repository.ts';

/** The mission's deadlines, or the defaults of domain.md §5.2 until someone sets them. */
export async function settingsOf(q: Kysely<DB> | Transaction<DB>, missionId: string): Promise<DeadlineSettings> {
  const row = await repo.findSettings(q, missionId);
  return row ? pick(row) : DEFAULT_DEADLINES;
}
const pick = (s: DeadlineSettings): DeadlineSettings => ({
  tcc_response_working_days: s.tcc_response_working_days, nio_investigation_days: s.nio_investigation_days,
  investigation_days: s.investigation_days, urgent_investigation_days: s.urgent_investigation_days,
});

const mayConfigure = (ctx: RequestContext) =>
  ensure(mayHandleAllegations(ctx.actor), 'permission.denied', { rule: `your role (${ctx.actor.role}) does not set conduct deadlines` });

export function readSettings(db: Kysely<DB>, ctx: RequestContext) {
  mayConfigure(ctx);
  return runUnitOfWork(db, ctx, 'read', async (uow) => {
    const row = await repo.findSettings(uow.trx, ctx.actor.missionId);
    return { ...(row ? pick(row) : DEFAULT_DEADLINES), defaults: !row };
  });
}

export function writeSettings(db: Kysely<DB>, ctx: RequestContext, input: DeadlineSettings) {
  mayConfigure(ctx);
  return runUnitOfWork(db, ctx, 'write', async (uow) => {
    await repo.saveSettings(uow.trx, { mission_id: ctx.actor.missionId, ...pick(input), updated_by: ctx.actor.userId });
    uow.audit({ action: 'sea.settings.update', targetType: 'sea_settings', details: { ...pick(input) } });
    return { ...pick(input), defaults: false };
  });
}
