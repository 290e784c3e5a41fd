import { sql, type Generated, type Kysely } from 'kysely';
import { z } from 'zod';
import type { Actor, RequestContext } from '../../platform/context.ts';
import type { DB } from '../../platform/db/schema.ts';
import { runUnitOfWork } from '../../platform/db/unit-of-work.ts';
import { AppError, ensure } from '../../platform/errors.ts';
import { mayPushReports } from './policy.ts';

/**
 * What waits on the devices (issue 7: "sync state is visible to the user and to supervisors"). A device
 * reports its outbox summary, counts and the oldest save time only, whenever it reaches the server; a
 * supervisor (or the mission's administrator) reads the latest summary per device. A device that has not
 * reported for a while is shown with the time of its last report, which is itself the warning.
 */
export const outboxStatusBody = z.strictObject({
  device_id: z.uuid(),
  waiting: z.number().int().min(0).max(1_000_000),
  oldest_queued_at: z.iso.datetime({ offset: true }).nullable(),
  conflicts: z.number().int().min(0).max(1_000_000).default(0),
  refused: z.number().int().min(0).max(1_000_000).default(0),
});
export const waitingView = z.object({
  items: z.array(z.object({
    user_id: z.uuid(), username: z.string(), display_name: z.string(), device_id: z.uuid(),
    waiting: z.number().int(), oldest_queued_at: z.string().nullable(), conflicts: z.number().int(), refused: z.number().int(), reported_at: z.string(),
  })),
});

interface DeviceOutboxTable {
  mission_id: string; user_id: string; device_id: string; waiting: number; oldest_queued_at: Date | string | null;
  conflicts: number; refused: number; reported_at: Generated<Date | string>;
}
const withDevices = (db: Kysely<DB>) => db.$extendTables<{ device_outbox_status: DeviceOutboxTable }>();

/** Supervisors see their agency's people (or everyone when they have no agency); administrators the whole mission. */
const mayOversee = (actor: Actor) => actor.role === 'admin' || actor.role === 'supervisor';

const iso = (d: Date | string | null) => (d === null ? null : new Date(d).toISOString());

export async function reportOutboxStatus(db: Kysely<DB>, ctx: RequestContext, body: z.infer<typeof outboxStatusBody>): Promise<void> {
  ensure(mayPushReports(ctx.actor), 'permission.denied', { rule: `your role (${ctx.actor.role}) keeps no outbox` });
  if ((body.waiting === 0) !== (body.oldest_queued_at === null)) {
    throw new AppError('request.invalid', { field: 'oldest_queued_at', rule: 'give the oldest save time exactly when reports are waiting' });
  }
  const { missionId, userId } = ctx.actor;
  await runUnitOfWork(db, ctx, 'write', async (uow) => {
    const row = { mission_id: missionId, user_id: userId, device_id: body.device_id, waiting: body.waiting, oldest_queued_at: body.oldest_queued_at, conflicts: body.conflicts, refused: body.refused };
    await withDevices(uow.trx).insertInto('device_outbox_status').values(row)
      .onConflict((oc) => oc.columns(['mission_id', 'user_id', 'device_id']).doUpdateSet({
        waiting: body.waiting, oldest_queued_at: body.oldest_queued_at, conflicts: body.conflicts, refused: body.refused, reported_at: sql`now()`,
      })).execute();
    uow.audit({ action: 'device.outbox_status', targetType: 'user', targetId: userId, details: { device_id: body.device_id, waiting: body.waiting, conflicts: body.conflicts, refused: body.refused } });
  });
}

/** Latest summary per device, devices with reports waiting longest first, then the rest by last report. */
export function waitingOnDevices(db: Kysely<DB>, ctx: RequestContext): Promise<z.infer<typeof waitingView>> {
  ensure(mayOversee(ctx.actor), 'permission.denied', { rule: `your role (${ctx.actor.role}) does not oversee devices` });
  const { missionId } = ctx.actor;
  const agency = ctx.actor.role === 'supervisor' ? ctx.actor.scope.agency : null;
  return runUnitOfWork(db, ctx, 'read', async (uow) => {
    const rows = await withDevices(uow.trx).selectFrom('device_outbox_status as d')
      .innerJoin('users as u', (j) => j.onRef('u.mission_id', '=', 'd.mission_id').onRef('u.user_id', '=', 'd.user_id'))
      .select(['d.user_id', 'u.username', 'u.display_name', 'd.device_id', 'd.waiting', 'd.oldest_queued_at', 'd.conflicts', 'd.refused', 'd.reported_at'])
      .where('d.mission_id', '=', missionId)
      .$if(agency !== null, (q) => q.where('u.scope_agency', '=', agency))
      .orderBy(sql`d.oldest_queued_at asc nulls last`).orderBy('d.reported_at', 'desc').orderBy('d.device_id')
      .limit(500).execute();
    return {
      items: rows.map((r) => ({ ...r, oldest_queued_at: iso(r.oldest_queued_at), reported_at: iso(r.reported_at)! })),
    };
  });
}
