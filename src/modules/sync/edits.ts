import { createHash, randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import { canonicalJson } from '../../platform/audit.ts';
import type { RequestContext } from '../../platform/context.ts';
import { fieldCrypto } from '../../platform/crypto/field-crypto.ts';
import type { DB } from '../../platform/db/schema.ts';
import { runUnitOfWork, type UnitOfWork } from '../../platform/db/unit-of-work.ts';
import { AppError, ensure } from '../../platform/errors.ts';
import { APPROXIMATE_GRID_DEGREES, canEdit, canSee, POINT_GRID_DEGREES } from '../mrm/policy.ts';
import { incidentFacts, presentPoint, snapPoint } from '../mrm/presenter.ts';
import * as mrmRepo from '../mrm/repository.ts';
import { openIncidentFields, prepareSealing } from '../mrm/sealed-fields.ts';
import { updateIncidentIn } from '../mrm/service.ts';
import { currentValues, EDIT_FIELDS, editFields, mergeEdit, toUpdate, type EditValues } from './edit-merge.ts';
import { mayPushReports } from './policy.ts';
import * as repo from './repository.ts';

/**
 * Offline edits through sync (issue 7): "a field changed on two devices since their common version is
 * a conflict shown to a person to resolve, never last-write-wins". A device pushes each edit with the
 * version it pulled and the values it saw then; the server merges field by field (edit-merge.ts) in
 * the incident's own update (every MRM rule, its version and audit row), keeps the edit, and keeps each
 * conflict with the common version's value, the device's and the server's. A person then takes one of
 * them; the conflict row stays, resolved, so the history holds both values.
 */

export const editItem = z.strictObject({
  id: z.uuid().describe('Chosen by the device (UUID v7) when the edit is saved: a retried push is answered from the first'),
  incident_id: z.uuid(),
  base_version: z.number().int().min(1).describe('The version the device pulled and edited'),
  base: editFields.describe('The values the device saw at base_version, for the fields it changed'),
  changes: editFields.refine((c) => Object.keys(c).length > 0, 'give at least one changed field'),
  edited_at: z.iso.datetime({ offset: true }).optional(),
});
export type EditItem = z.infer<typeof editItem>;
export const editsBody = z.strictObject({ edits: z.array(editItem).min(1).max(100) });

const editStatus = z.enum(['applied', 'merged', 'conflict']).describe(
  'applied: the record was still at base_version; merged: it had changed, on other fields only; conflict: some fields changed on both sides (listed, not applied)');
export const editOutcome = z.object({
  id: z.uuid(), incident_id: z.uuid(), status: editStatus, version: z.number().int(),
  applied: z.array(z.enum(EDIT_FIELDS)), unchanged: z.array(z.enum(EDIT_FIELDS)),
  conflicts: z.array(z.object({ conflict_id: z.uuid(), field: z.enum(EDIT_FIELDS) })),
});
type EditOutcome = z.infer<typeof editOutcome>;
const itemError = z.object({ code: z.string(), message: z.string(), details: z.record(z.string(), z.unknown()) });
export const editsResult = z.object({
  results: z.array(z.object({ id: z.string(), status: z.number().int(), outcome: editOutcome.optional(), error: itemError.optional() })),
});

export const editConflictView = z.object({
  conflict_id: z.uuid(), incident_id: z.uuid(), edit_id: z.uuid(), field: z.enum(EDIT_FIELDS),
  base: z.unknown().describe('The value at the common version'),
  device: z.unknown().describe('The value the device pushed'),
  stored: z.unknown().describe('The server\'s value when the conflict was found'),
  detected_version: z.number().int(), detected_at: z.string(),
  resolution: z.enum(['device', 'stored']).nullable(), resolved_by: z.string().nullable(), resolved_at: z.string().nullable(), resolved_version: z.number().int().nullable(),
});
export const editConflictList = z.object({ items: z.array(editConflictView.extend({ version: z.number().int().describe('The incident\'s version now: send it back when resolving') })) });
export const editHistory = z.object({
  edits: z.array(z.object({ id: z.uuid(), base_version: z.number().int(), received_at: z.string(), received_by: z.string(), changes: z.record(z.string(), z.unknown()), outcome: editOutcome })),
  conflicts: z.array(editConflictView),
});
export const resolveEditParams = z.object({ conflict_id: z.uuid() });
export const resolveEditBody = z.strictObject({
  version: z.number().int().min(1),
  take: z.enum(['device', 'stored']).describe('device: write the pushed value; stored: keep the record\'s value'),
});
export const resolveEditResult = z.object({ conflict_id: z.uuid(), incident_id: z.uuid(), field: z.enum(EDIT_FIELDS), resolution: z.enum(['device', 'stored']), version: z.number().int() });
export const historyParams = z.object({ incident_id: z.uuid() });

const sealCtx = { edit: (id: string) => `sync_edits/${id}`, conflict: (id: string) => `sync_edit_conflicts/${id}` };
const iso = (d: Date | string | null) => (d === null ? null : new Date(d).toISOString());
const mayHold = (ctx: RequestContext) =>
  ensure(mayPushReports(ctx.actor), 'permission.denied', { rule: `your role (${ctx.actor.role}) does not hold incident records` });

/** Each edit answered on its own line, in order (edits of one record apply in the order they were made). */
export async function pushEdits(db: Kysely<DB>, ctx: RequestContext, body: z.infer<typeof editsBody>): Promise<z.infer<typeof editsResult>> {
  mayHold(ctx);
  await prepareSealing(db, ctx.actor.missionId);
  const results: z.infer<typeof editsResult>['results'] = [];
  for (const item of body.edits) {
    try {
      results.push({ id: item.id, status: 200, outcome: await pushEdit(db, ctx, item) });
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      results.push({ id: item.id, status: err.status, error: { code: err.code, message: err.message, details: err.details } });
    }
  }
  return { results };
}

function pushEdit(db: Kysely<DB>, ctx: RequestContext, item: EditItem): Promise<EditOutcome> {
  const { missionId, userId } = ctx.actor;
  const content = canonicalJson({ incident_id: item.incident_id, base_version: item.base_version, base: item.base, changes: item.changes });
  const sha256 = createHash('sha256').update(content).digest('hex');
  return runUnitOfWork(db, ctx, 'write', async (uow) => {
    // The row lock orders edits of one record, and a retried push waits for the first to commit.
    const row = await mrmRepo.lockIncident(uow.trx, missionId, item.incident_id);
    ensure(row && canSee(ctx.actor, incidentFacts(row)), 'record.not_found', { field: 'incident_id' });
    const before = await repo.findEdit(uow.trx, missionId, item.id);
    if (before) {
      ensure(before.received_by === userId && before.sha256 === sha256, 'record.conflict', { field: 'id', rule: 'this edit id was received before with other content' });
      uow.audit({ action: 'sync.edit_repeat', targetType: 'incident', targetId: item.incident_id, details: { edit_id: item.id } });
      return before.outcome as EditOutcome;
    }
    ensure(canEdit(ctx.actor, incidentFacts(row)), 'permission.denied', { action: 'update' });
    if (item.base_version > row.version) throw new AppError('request.invalid', { field: 'base_version', rule: `the incident is at version ${row.version}` });
    const opened = await openIncidentFields(db, row, true, uow.trx);
    const values = currentValues(opened);
    // The pull may have sent coordinates rounded for this user: a base equal to that is unchanged too.
    const seen = { location: { ...values.location, coordinates: presentPoint(opened, ctx.actor, false) } };
    const merge = mergeEdit({ baseVersion: item.base_version, base: item.base, changes: item.changes }, { version: row.version, values, seen });
    let version = row.version;
    if (Object.keys(merge.apply).length > 0) version = (await updateIncidentIn(db, uow, item.incident_id, toUpdate(row.version, merge.apply))).version;
    const fc = fieldCrypto(db);
    const conflicts = merge.conflicts.map((c) => {
      const conflictId = randomUUID();
      return {
        mission_id: missionId, conflict_id: conflictId, incident_id: item.incident_id, edit_id: item.id, field: c.field, detected_version: version,
        values_sealed: fc.seal(missionId, 'mrm', JSON.stringify({ base: c.base, device: c.device, stored: c.stored }), sealCtx.conflict(conflictId)),
      };
    });
    const outcome: EditOutcome = {
      id: item.id, incident_id: item.incident_id, version,
      status: conflicts.length > 0 ? 'conflict' : item.base_version === row.version ? 'applied' : 'merged',
      applied: Object.keys(merge.apply) as EditOutcome['applied'], unchanged: merge.unchanged,
      conflicts: conflicts.map((c) => ({ conflict_id: c.conflict_id, field: c.field as EditOutcome['applied'][number] })),
    };
    await repo.insertEdit(uow.trx, {
      mission_id: missionId, edit_id: item.id, incident_id: item.incident_id, base_version: item.base_version, sha256,
      content_sealed: fc.seal(missionId, 'mrm', content, sealCtx.edit(item.id)), outcome, device_edited_at: item.edited_at ?? null, received_by: userId,
    }, conflicts);
    uow.audit({ action: 'sync.edit', targetType: 'incident', targetId: item.incident_id, details: {
      edit_id: item.id, base_version: item.base_version, status: outcome.status, version, applied: outcome.applied, conflicts: merge.conflicts.map((c) => c.field),
    } });
    return outcome;
  });
}

type ConflictValues = { base: unknown; device: unknown; stored: unknown };

async function openConflict(db: Kysely<DB>, uow: UnitOfWork, c: repo.EditConflictRow): Promise<ConflictValues> {
  return JSON.parse(await fieldCrypto(db).open(c.mission_id, c.values_sealed, sealCtx.conflict(c.conflict_id), uow.trx)) as ConflictValues;
}

/**
 * A location value as the viewer may see it: the stored side of a conflict holds the exact point, which
 * leaves the server only beside the confidential narrative (policy.ts), so lists show every point on the
 * viewer's grid, like the incident itself.
 */
function locationForViewer(value: unknown, actor: RequestContext['actor']): unknown {
  const loc = value as { coordinates?: { latitude: number; longitude: number; precision?: string } | null } | null;
  if (!loc || typeof loc !== 'object' || !loc.coordinates) return value;
  const grid = POINT_GRID_DEGREES[actor.role];
  if (grid === undefined) return { ...loc, coordinates: null };
  const cell = loc.coordinates.precision === 'exact' ? grid : Math.max(grid, APPROXIMATE_GRID_DEGREES);
  return { ...loc, coordinates: { ...snapPoint(loc.coordinates, cell), precision: 'approximate' } };
}

async function viewConflict(db: Kysely<DB>, uow: UnitOfWork, c: repo.EditConflictRow): Promise<z.infer<typeof editConflictView>> {
  const raw = await openConflict(db, uow, c);
  const v = c.field === 'location'
    ? { base: locationForViewer(raw.base, uow.ctx.actor), device: locationForViewer(raw.device, uow.ctx.actor), stored: locationForViewer(raw.stored, uow.ctx.actor) }
    : raw;
  return {
    conflict_id: c.conflict_id, incident_id: c.incident_id, edit_id: c.edit_id, field: c.field as EditOutcome['applied'][number],
    base: v.base, device: v.device, stored: v.stored, detected_version: c.detected_version, detected_at: iso(c.detected_at)!,
    resolution: c.resolution, resolved_by: c.resolved_by, resolved_at: iso(c.resolved_at), resolved_version: c.resolved_version,
  };
}

/**
 * Open edit conflicts on records the caller may edit, oldest first. The values may include the
 * confidential narrative, so reading them is audited like any opening of it.
 */
export async function listEditConflicts(db: Kysely<DB>, ctx: RequestContext): Promise<z.infer<typeof editConflictList>> {
  mayHold(ctx);
  await prepareSealing(db, ctx.actor.missionId);
  return runUnitOfWork(db, ctx, 'write', async (uow) => {
    const items: z.infer<typeof editConflictList>['items'] = [];
    // Filtered by who may edit before the cap: the mission's oldest conflicts may all be elsewhere.
    for (const c of await repo.editConflicts(uow.trx, ctx.actor.missionId, { open: true })) {
      if (items.length === 200) break;
      const facts = await repo.incidentFactsOf(uow.trx, ctx.actor.missionId, c.incident_id);
      if (!facts || !canEdit(ctx.actor, incidentFacts(facts))) continue;
      items.push({ ...(await viewConflict(db, uow, c)), version: facts.version });
    }
    uow.audit({ action: 'sync.edit_conflicts_read', details: {
      conflicts: items.map((i) => i.conflict_id), incidents: [...new Set(items.map((i) => i.incident_id))],
    } });
    return { items };
  });
}

/** A person's choice: the device's value goes through the incident update; the conflict is marked, never removed. */
export async function resolveEditConflict(db: Kysely<DB>, ctx: RequestContext, p: z.infer<typeof resolveEditParams>, body: z.infer<typeof resolveEditBody>) {
  mayHold(ctx);
  const { missionId, userId } = ctx.actor;
  await prepareSealing(db, missionId);
  return runUnitOfWork(db, ctx, 'write', async (uow) => {
    const c = await repo.lockEditConflict(uow.trx, missionId, p.conflict_id);
    const facts = c && await repo.incidentFactsOf(uow.trx, missionId, c.incident_id);
    ensure(c && facts && canEdit(ctx.actor, incidentFacts(facts)), 'record.not_found', { field: 'conflict_id' });
    if (c.resolved_at) throw new AppError('record.conflict', { field: 'conflict_id', rule: 'this conflict was already resolved' });
    ensure(facts.version === body.version, 'record.conflict', { field: 'version', rule: `the incident is at version ${facts.version}; reload the conflict and choose again` });
    let version = facts.version;
    if (body.take === 'device') {
      const { base, device } = await openConflict(db, uow, c);
      let value = device;
      // The device holds the point as its user was shown it (snapped). If it did not move the point, the
      // stored exact point stays: only the location's other parts are the device's.
      const point = (x: unknown) => (x as { coordinates?: unknown } | null)?.coordinates ?? null;
      if (c.field === 'location' && canonicalJson(point(device)) === canonicalJson(point(base))) {
        const row = await mrmRepo.lockIncident(uow.trx, missionId, c.incident_id);
        const stored = currentValues(await openIncidentFields(db, row!, true, uow.trx)).location;
        value = { ...(device as object), coordinates: stored.coordinates };
      }
      version = (await updateIncidentIn(db, uow, c.incident_id, toUpdate(version, { [c.field]: value } as Partial<EditValues>))).version;
    }
    const marked = await repo.markEditConflictResolved(uow.trx, missionId, c.conflict_id, userId, body.take, version);
    ensure(marked, 'record.conflict', { field: 'conflict_id', rule: 'this conflict was already resolved' });
    uow.audit({ action: 'sync.edit_conflict_resolve', targetType: 'incident', targetId: c.incident_id, details: { conflict_id: c.conflict_id, field: c.field, take: body.take, version } });
    return { conflict_id: c.conflict_id, incident_id: c.incident_id, field: c.field as EditOutcome['applied'][number], resolution: body.take, version };
  });
}

/** Every edit pushed for one record and every conflict it raised, resolved or not, with both values. */
export async function editHistoryOf(db: Kysely<DB>, ctx: RequestContext, p: z.infer<typeof historyParams>): Promise<z.infer<typeof editHistory>> {
  mayHold(ctx);
  const { missionId } = ctx.actor;
  await prepareSealing(db, missionId);
  return runUnitOfWork(db, ctx, 'write', async (uow) => {
    const facts = await repo.incidentFactsOf(uow.trx, missionId, p.incident_id);
    ensure(facts && canSee(ctx.actor, incidentFacts(facts)), 'record.not_found', { field: 'incident_id' });
    ensure(canEdit(ctx.actor, incidentFacts(facts)), 'permission.denied', { action: 'edit_history' });
    const fc = fieldCrypto(db);
    const edits = await Promise.all((await repo.editsOf(uow.trx, missionId, p.incident_id)).map(async (e) => ({
      id: e.edit_id, base_version: e.base_version, received_at: iso(e.received_at)!, received_by: e.received_by, outcome: e.outcome as EditOutcome,
      changes: (JSON.parse(await fc.open(missionId, e.content_sealed, sealCtx.edit(e.edit_id), uow.trx)) as { changes: Record<string, unknown> }).changes,
    })));
    const conflicts = [];
    for (const c of await repo.editConflicts(uow.trx, missionId, { incidentId: p.incident_id })) conflicts.push(await viewConflict(db, uow, c));
    uow.audit({ action: 'sync.edit_history_read', targetType: 'incident', targetId: p.incident_id, details: { edits: edits.length, conflicts: conflicts.length } });
    return { edits, conflicts };
  });
}
