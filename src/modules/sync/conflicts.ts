import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { RequestContext } from '../../platform/context.ts';
import { fieldCrypto } from '../../platform/crypto/field-crypto.ts';
import type { DB } from '../../platform/db/schema.ts';
import { runUnitOfWork } from '../../platform/db/unit-of-work.ts';
import { AppError, ensure } from '../../platform/errors.ts';
import { canEdit } from '../mrm/policy.ts';
import { incidentFacts } from '../mrm/presenter.ts';
import { incidentCreateBody, type IncidentUpdateInput, type IncidentView } from '../mrm/schema.ts';
import { prepareSealing } from '../mrm/sealed-fields.ts';
import { getIncident, updateIncident } from '../mrm/service.ts';
import { mayPushReports } from './policy.ts';
import * as repo from './repository.ts';

/**
 * Review of conflicting versions (issue 7). A report id received again with other content (an edit on
 * the device after a push whose answer was lost, or a copy edited on a second device) is kept sealed in
 * `report_conflicts`; the record stays as first stored. Here a person sees, field by field, the stored
 * value and the kept one, and chooses. Taking a kept value is an ordinary incident update (every MRM
 * rule, version check and audit row applies); the kept version itself stays in the table, resolved,
 * so the history holds both. Only what the incident update can change is resolvable here; a difference
 * in the violations is shown so the person can edit them through the incident's own screens.
 */
export const CONFLICT_FIELDS = ['title', 'date', 'first_reported_on', 'location', 'narrative_public', 'narrative_confidential'] as const;
export type ConflictField = (typeof CONFLICT_FIELDS)[number];

export const conflictView = z.object({
  report_id: z.uuid(),
  sha256: z.string().length(64).describe('Digest of the kept version: names it when resolving'),
  received_at: z.string(),
  device_created_at: z.string().nullable(),
  version: z.number().int().describe('The stored incident\'s version: send it back when resolving'),
  fields: z.array(z.object({ field: z.enum(CONFLICT_FIELDS), stored: z.unknown(), kept: z.unknown() })),
  violations_differ: z.boolean().describe('The kept version lists other violations: edit them on the incident itself'),
});
export const conflictList = z.object({ items: z.array(conflictView) });
export const resolveParams = z.object({ report_id: z.uuid(), sha256: z.string().regex(/^[0-9a-f]{64}$/) });
export const resolveBody = z.strictObject({
  version: z.number().int().min(1),
  take: z.array(z.enum(CONFLICT_FIELDS)).max(CONFLICT_FIELDS.length).describe('Fields to take from the kept version; the others keep the stored value'),
});
type ConflictView = z.infer<typeof conflictView>;

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** The stored record and the kept payload, reduced to the same shape per field. */
function comparable(record: IncidentView, payload: z.infer<typeof incidentCreateBody>) {
  const loc = (l: { admin_pcode: string; location_type: string | null; coordinates?: unknown }) =>
    ({ admin_pcode: l.admin_pcode, location_type: l.location_type ?? null, coordinates: l.coordinates ?? null });
  const stored: Record<ConflictField, unknown> = {
    title: record.title, date: record.date, first_reported_on: record.first_reported_on, location: loc(record.location),
    narrative_public: record.narrative.public, narrative_confidential: record.narrative.confidential ?? '',
  };
  const d = payload.date;
  const kept: Record<ConflictField, unknown> = {
    title: payload.title, date: { start: d.start, end: d.end ?? null, precision: d.precision, estimated: d.estimated },
    first_reported_on: payload.first_reported_on ?? null, location: loc(payload.location),
    narrative_public: payload.narrative.public, narrative_confidential: payload.narrative.confidential,
  };
  return { stored, kept };
}

async function openKept(db: Kysely<DB>, missionId: string, row: repo.ConflictRow) {
  const text = await fieldCrypto(db).open(missionId, row.payload_sealed, `report_conflicts/${row.report_id}/${row.sha256}`);
  return incidentCreateBody.parse({ ...JSON.parse(text), id: row.report_id });
}

/**
 * Open conflicts on incidents the caller may edit, oldest first. Reading one opens the confidential
 * narrative of both versions, which is audited like any other reading of it.
 */
export async function listConflicts(db: Kysely<DB>, ctx: RequestContext): Promise<{ items: ConflictView[] }> {
  ensure(mayPushReports(ctx.actor), 'permission.denied', { rule: `your role (${ctx.actor.role}) does not hold incident records` });
  const { missionId } = ctx.actor;
  const rows = await repo.openConflicts(db, missionId, 50);
  await prepareSealing(db, missionId);
  const items: ConflictView[] = [];
  for (const row of rows) {
    const facts = await repo.incidentFactsOf(db, missionId, row.report_id);
    if (!facts || !canEdit(ctx.actor, incidentFacts(facts))) continue;
    const record = await getIncident(db, ctx, row.report_id, { narrative: true, identities: false });
    const kept = await openKept(db, missionId, row);
    const c = comparable(record, kept);
    const storedViolations = record.violations.map((v) => v.type).sort();
    items.push({
      report_id: row.report_id, sha256: row.sha256, version: record.version,
      received_at: new Date(row.received_at).toISOString(),
      device_created_at: row.device_created_at ? new Date(row.device_created_at).toISOString() : null,
      fields: CONFLICT_FIELDS.filter((f) => !same(c.stored[f], c.kept[f])).map((f) => ({ field: f, stored: c.stored[f], kept: c.kept[f] })),
      violations_differ: !same(storedViolations, kept.violations.map((v) => v.type).sort()),
    });
  }
  return { items };
}

/** Applies the person's choice: the taken fields through the incident update, then marks the kept version resolved. */
export async function resolveConflict(db: Kysely<DB>, ctx: RequestContext, p: z.infer<typeof resolveParams>, body: z.infer<typeof resolveBody>) {
  ensure(mayPushReports(ctx.actor), 'permission.denied', { rule: `your role (${ctx.actor.role}) does not hold incident records` });
  const { missionId, userId } = ctx.actor;
  const row = await repo.findConflict(db, missionId, p.report_id, p.sha256);
  ensure(row, 'record.not_found', { field: 'sha256' });
  const facts = await repo.incidentFactsOf(db, missionId, p.report_id);
  ensure(facts && canEdit(ctx.actor, incidentFacts(facts)), 'record.not_found', { field: 'report_id' });
  if (row.resolved_at) throw new AppError('record.conflict', { field: 'sha256', rule: 'this conflict was already resolved' });
  let version = body.version;
  if (body.take.length > 0) {
    await prepareSealing(db, missionId);
    const kept = await openKept(db, missionId, row);
    const take = new Set(body.take);
    const update: IncidentUpdateInput = {
      version: body.version,
      ...(take.has('title') && { title: kept.title }),
      ...(take.has('date') && { date: kept.date }),
      ...(take.has('first_reported_on') && { first_reported_on: kept.first_reported_on ?? null }),
      ...(take.has('location') && { location: kept.location }),
      ...((take.has('narrative_public') || take.has('narrative_confidential')) && { narrative: {
        ...(take.has('narrative_public') && { public: kept.narrative.public }),
        ...(take.has('narrative_confidential') && { confidential: kept.narrative.confidential }),
      } }),
    };
    // Its own transaction: if the process dies before the mark below, the conflict is listed again
    // with the taken fields now equal, and resolving it once more only marks it.
    version = (await updateIncident(db, ctx, p.report_id, update)).version;
  }
  return runUnitOfWork(db, ctx, 'write', async (uow) => {
    const current = await repo.incidentFactsOf(uow.trx, missionId, p.report_id);
    ensure(current?.version === version, 'record.conflict', { field: 'version', rule: `the incident is at version ${current?.version}; reload the conflict and choose again` });
    const marked = await repo.markConflictResolved(uow.trx, missionId, p.report_id, p.sha256, userId);
    ensure(marked, 'record.conflict', { field: 'sha256', rule: 'this conflict was already resolved' });
    uow.audit({ action: 'report.conflict_resolve', targetType: 'incident', targetId: p.report_id, details: { sha256: p.sha256, taken: body.take, version } });
    return { report_id: p.report_id, sha256: p.sha256, version, taken: body.take };
  });
}

export const resolveResult = z.object({ report_id: z.uuid(), sha256: z.string(), version: z.number().int(), taken: z.array(z.enum(CONFLICT_FIELDS)) });
