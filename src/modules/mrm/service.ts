import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { RequestContext } from '../../platform/context.ts';
import type { DB } from '../../platform/db/schema.ts';
import { auditValues } from '../../platform/audit.ts';
import { runSingleStatementWrite, runUnitOfWork, type UnitOfWork } from '../../platform/db/unit-of-work.ts';
import { AppError, ensure } from '../../platform/errors.ts';
import { referenceCache } from '../reference/cache.ts';
import { canEdit, canRecord, canSee, canVerify, mayHandleRecords, visibleIncidents } from './policy.ts';
import { echoesShownPoint, incidentFacts, presentIncident, presentIncidentSummary, presentVerificationEvent, presentViolation, type OpenedIdentities } from './presenter.ts';
import * as repo from './repository.ts';
import type { IncidentCreateInput, IncidentUpdateInput, ListQuery, VerificationInput, ViolationInput, ViolationUpdateInput } from './schema.ts';
import { identitySealer, openIdentities, openIncidentFields, prepareSealing, sealIncidentRecord } from './sealed-fields.ts';
import { refuseTransition } from './verification.ts';
import { checkViolationChildren, childRows, violationGraph } from './violation-graph.ts';
import { DETAILS_BY_TYPE, type VerificationLevel, type ViolationType } from './vocabulary.ts';

const today = () => new Date().toISOString().slice(0, 10);
// A report filed just after midnight UTC in Bunia is still "today" for the monitor: allow one day ahead.
const latestAllowedDate = () => new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);

function checkIncidentDates(d: { start: string; end: string | null }, firstReported: string | null): void {
  const latest = latestAllowedDate();
  if (d.start > latest) throw new AppError('incident.date_invalid', { field: 'date.start', rule: `must not be in the future (after ${today()})` });
  if (d.end !== null && d.end < d.start) throw new AppError('incident.date_invalid', { field: 'date.end', rule: 'must be on or after date.start' });
  if (d.end !== null && d.end > latest) throw new AppError('incident.date_invalid', { field: 'date.end', rule: `must not be in the future (after ${today()})` });
  if (firstReported !== null && (firstReported < d.start || firstReported > latest)) {
    throw new AppError('incident.date_invalid', { field: 'first_reported_on', rule: 'must fall between date.start and today' });
  }
}

async function resolveArea(db: Kysely<DB>, uow: Pick<UnitOfWork, 'trx' | 'ctx'>, pcode: string, field: string): Promise<string> {
  const country = await referenceCache(db).countryOfArea(uow.trx, uow.ctx.actor.missionId, pcode);
  ensure(country, 'reference.unknown_admin_area', { field, rule: `no admin area ${pcode} in mission ${uow.ctx.actor.missionId}` });
  return country;
}

/**
 * `within`: an open unit of work to write in instead of a statement of its own (offline intake, issue 7,
 * commits its receipt with the record; the audit row counts as that unit's). Keys and reference data
 * still come from `db`, the store. `auditDetails`: more of the `incident.create` row's details (the
 * offline report it came in).
 */
export async function createIncident(db: Kysely<DB>, ctx: RequestContext, input: IncidentCreateInput, within?: UnitOfWork, auditDetails?: Record<string, unknown>) {
  await prepareSealing(db, ctx.actor.missionId);
  // Everything written goes in one statement (incident, violations, children, audit), so it needs no
  // explicit transaction; the checks before it read only reference data, which is never deleted.
  const write = async (uow: UnitOfWork) => {
    const { incident, graphs, keyRows, audit } = await buildIncidentGraph(db, uow, input);
    const incidentId = incident.incident_id;
    const c = input.location.coordinates;
    uow.audit(auditDetails ? { ...audit, details: { ...audit.details, ...auditDetails } } : audit);
    const row = await repo.insertIncidentGraph(uow.trx, incident, graphs, auditValues(uow.takeAudit()), keyRows).catch((err: { code?: string }) => {
      // A client-chosen id that exists: the whole statement rolled back, the first record stands.
      throw err.code === '23505' ? new AppError('record.conflict', { field: 'id', rule: `incident ${incidentId} already exists` }) : err;
    });
    // Present what was written without reading it back: the rows are exactly the graphs.
    const violations = graphs.map((g, i) => ({
      ...g.violation, details: input.violations[i]!.details, date_focal_point: null, date_technical: null, date_final: null,
      created_at: row.created_at, updated_at: row.created_at,
    }) as repo.ViolationRow);
    const children = new Map(graphs.map((g) => [g.violation.violation_id, g as repo.ViolationChildren]));
    const clear = { ...row, narrative_confidential: input.narrative.confidential, latitude: c?.latitude ?? null, longitude: c?.longitude ?? null, coordinate_precision: c?.precision ?? null };
    return presentIncident(clear, violations, children, ctx.actor, true);
  };
  return within ? write(within) : runSingleStatementWrite(db, ctx, write);
}

/**
 * A new incident's rows, checked (dates, area, permission, parties) and sealed, not yet written: for
 * `createIncident`, and for offline intake, which writes many reports' rows in one statement. Call
 * `prepareSealing` first. `uow.trx` is where unknown reference codes are looked up.
 */
export async function buildIncidentGraph(db: Kysely<DB>, uow: Pick<UnitOfWork, 'trx' | 'ctx'>, input: IncidentCreateInput) {
  const { ctx } = uow;
  checkIncidentDates(input.date, input.first_reported_on);
  const { missionId, userId } = ctx.actor;
  const country = await resolveArea(db, uow, input.location.admin_pcode, 'location.admin_pcode');
  ensure(canRecord(ctx.actor, country, input.location.admin_pcode), 'permission.denied',
    { field: 'location.admin_pcode', rule: 'you may record incidents only in your own area of responsibility' });
  for (const [i, v] of input.violations.entries()) await checkViolationChildren(referenceCache(db), uow.trx, missionId, v.type, v, `violations.${i}.`);
  const incidentId = input.id ?? randomUUID();
  const c = input.location.coordinates;
  const seal = identitySealer(db, missionId, incidentId);
  const graphs = input.violations.map((v) => violationGraph(missionId, incidentId, userId, v, seal));
  const { set: sealed, keyRow } = sealIncidentRecord(db, missionId, incidentId, { confidential: input.narrative.confidential, coordinates: c });
  const incident = {
    mission_id: missionId, incident_id: incidentId, status: input.status, title: input.title,
    date_start: input.date.start, date_end: input.date.end, date_precision: input.date.precision, date_estimated: input.date.estimated,
    first_reported_on: input.first_reported_on, country_iso3: country, admin_pcode: input.location.admin_pcode,
    location_type: input.location.location_type, narrative_public: input.narrative.public, ...sealed, narrative_confidential: '',
    created_by: userId, updated_by: userId, version: 1,
  };
  const audit = { action: 'incident.create', targetType: 'incident', targetId: incidentId,
    details: { violations: graphs.map((g) => ({ id: g.violation.violation_id, type: g.violation.type })) } };
  return { incident, graphs, keyRows: [...(keyRow ? [keyRow] : []), ...seal.keyRows], audit };
}

/** 404 when the caller may not know the incident exists; the caller then checks the action (403). */
async function visibleIncident(uow: UnitOfWork, incidentId: string, lock: boolean) {
  ensure(mayHandleRecords(uow.ctx.actor), 'permission.denied', { rule: `your role (${uow.ctx.actor.role}) does not work with incident records` });
  const { missionId } = uow.ctx.actor;
  const row = lock ? await repo.lockIncident(uow.trx, missionId, incidentId) : await repo.findIncident(uow.trx, missionId, incidentId);
  ensure(row && canSee(uow.ctx.actor, incidentFacts(row)), 'record.not_found', { field: 'incident_id' });
  return row;
}

/** `include`: what sealed content to open besides the record itself; each opening is an audit row. */
export function getIncident(db: Kysely<DB>, ctx: RequestContext, incidentId: string, include: { narrative: boolean; identities: boolean } = { narrative: false, identities: false }) {
  return runUnitOfWork(db, ctx, include.narrative || include.identities ? 'write' : 'read', async (uow) => {
    const row = await visibleIncident(uow, incidentId, false);
    const violations = await repo.violationsOf(uow.trx, ctx.actor.missionId, [incidentId]);
    const children = await repo.childrenOf(uow.trx, ctx.actor.missionId, violations.map((v) => v.violation_id));
    if (include.narrative) uow.audit({ action: 'incident.read_confidential', targetType: 'incident', targetId: incidentId });
    let identities: Map<string, OpenedIdentities> | undefined;
    if (include.identities) {
      identities = new Map();
      for (const [violationId, c] of children) identities.set(violationId, await openIdentities(db, ctx.actor.missionId, c, uow.trx));
      const count = (pick: (o: OpenedIdentities) => Map<string, unknown>) => [...identities!.values()].reduce((n, o) => n + [...pick(o).values()].filter(Boolean).length, 0);
      uow.audit({ action: 'incident.read_identities', targetType: 'incident', targetId: incidentId,
        details: { victims: count((o) => o.victims), sources: count((o) => o.sources) } });
    }
    return presentIncident(await openIncidentFields(db, row, include.narrative, uow.trx), violations, children, ctx.actor, include.narrative, identities);
  });
}

export async function updateIncident(db: Kysely<DB>, ctx: RequestContext, incidentId: string, input: IncidentUpdateInput) {
  await prepareSealing(db, ctx.actor.missionId);
  return runUnitOfWork(db, ctx, 'write', (uow) => updateIncidentIn(db, uow, incidentId, input));
}

/**
 * The update inside an open unit of work: offline edits (sync) record their merge beside it, in the
 * same transaction. Call `prepareSealing` first.
 */
export async function updateIncidentIn(db: Kysely<DB>, uow: UnitOfWork, incidentId: string, input: IncidentUpdateInput) {
  const { ctx } = uow;
  const current = await visibleIncident(uow, incidentId, true);
  ensure(canEdit(ctx.actor, incidentFacts(current)), 'permission.denied', { action: 'update' });
  ensure(current.version === input.version, 'record.conflict', { field: 'version', rule: `the incident is at version ${current.version}; reload it and apply your change again` });
  const date = input.date ?? { start: current.date_start, end: current.date_end };
  checkIncidentDates(date, input.first_reported_on !== undefined ? input.first_reported_on : current.first_reported_on);
  let country = current.country_iso3;
  if (input.location) {
    country = await resolveArea(db, uow, input.location.admin_pcode, 'location.admin_pcode');
    ensure(canRecord(ctx.actor, country, input.location.admin_pcode), 'permission.denied', { field: 'location.admin_pcode', rule: 'outside your area of responsibility' });
  }
  const c = input.location?.coordinates;
  // The point sent back as this caller was shown it (snapped to their grid) is no move: the stored point stays.
  const keepPoint = c != null && echoesShownPoint(await openIncidentFields(db, current, false, uow.trx), ctx.actor, c);
  const { set: sealed, keyRow } = sealIncidentRecord(db, ctx.actor.missionId, incidentId, {
    ...(input.narrative?.confidential !== undefined && { confidential: input.narrative.confidential }),
    ...(input.location && !keepPoint && { coordinates: c ?? null }),
  });
  await repo.insertRecordKeys(uow.trx, keyRow ? [keyRow] : []);
  const updated = await repo.updateIncident(uow.trx, ctx.actor.missionId, incidentId, current.version, {
    updated_by: ctx.actor.userId,
    ...(input.title !== undefined && { title: input.title }),
    ...(input.status !== undefined && { status: input.status }),
    ...(input.date && { date_start: input.date.start, date_end: input.date.end, date_precision: input.date.precision, date_estimated: input.date.estimated }),
    ...(input.first_reported_on !== undefined && { first_reported_on: input.first_reported_on }),
    ...(input.location && { admin_pcode: input.location.admin_pcode, country_iso3: country, location_type: input.location.location_type }),
    ...(input.narrative?.public !== undefined && { narrative_public: input.narrative.public }),
    ...sealed,
  });
  ensure(updated, 'record.conflict', { field: 'version' });
  if (input.date) {
    // A verification decided before the incident's new start date would be impossible: refuse the edit.
    const early = await uow.trx.selectFrom('verification_events').select('status_date')
      .where('mission_id', '=', ctx.actor.missionId).where('status_date', '<', input.date.start)
      .where('violation_id', 'in', (eb) => eb.selectFrom('violations').select('violation_id').where('mission_id', '=', ctx.actor.missionId).where('incident_id', '=', incidentId))
      .executeTakeFirst();
    ensure(!early, 'incident.date_invalid', { field: 'date.start', rule: `a verification was recorded on ${early?.status_date}, before the new start date` });
  }
  const changed = Object.keys(input).filter((k) => k !== 'version');
  uow.audit({ action: 'incident.update', targetType: 'incident', targetId: incidentId, details: { fields: changed, version: updated.version } });
  const violations = await repo.violationsOf(uow.trx, ctx.actor.missionId, [incidentId]);
  const children = await repo.childrenOf(uow.trx, ctx.actor.missionId, violations.map((v) => v.violation_id));
  const withNarrative = input.narrative?.confidential !== undefined;
  return presentIncident(await openIncidentFields(db, updated, withNarrative, uow.trx), violations, children, ctx.actor, withNarrative);
}

export async function addViolation(db: Kysely<DB>, ctx: RequestContext, incidentId: string, input: ViolationInput) {
  await prepareSealing(db, ctx.actor.missionId);
  return runUnitOfWork(db, ctx, 'write', async (uow) => {
    const incident = await visibleIncident(uow, incidentId, true);
    const facts = incidentFacts(incident);
    ensure(canEdit(ctx.actor, facts), 'permission.denied', { action: 'add_violation' });
    await checkViolationChildren(referenceCache(db), uow.trx, ctx.actor.missionId, input.type, input, '');
    const seal = identitySealer(db, ctx.actor.missionId, incidentId);
    const graph = violationGraph(ctx.actor.missionId, incidentId, ctx.actor.userId, input, seal);
    await repo.insertRecordKeys(uow.trx, seal.keyRows);
    await repo.insertViolations(uow.trx, [graph]).catch((err: { code?: string }) => {
      throw err.code === '23505' ? new AppError('record.conflict', { field: 'id', rule: 'a violation with this id exists' }) : err;
    });
    uow.audit({ action: 'violation.create', targetType: 'violation', targetId: graph.violation.violation_id, details: { incident_id: incidentId, type: input.type } });
    return loadViolationView(uow, graph.violation.violation_id);
  });
}

async function loadViolationView(uow: UnitOfWork, violationId: string) {
  const row = await repo.findViolationWithIncident(uow.trx, uow.ctx.actor.missionId, violationId);
  ensure(row, 'record.not_found');
  const facts = { createdBy: row.incident_created_by, countryIso3: row.country_iso3, adminPcode: row.admin_pcode };
  const children = await repo.childrenOf(uow.trx, uow.ctx.actor.missionId, [violationId]);
  return presentViolation(row, children.get(violationId)!, uow.ctx.actor, facts);
}

export async function visibleViolation(uow: UnitOfWork, violationId: string, lock: boolean) {
  ensure(mayHandleRecords(uow.ctx.actor), 'permission.denied', { rule: `your role (${uow.ctx.actor.role}) does not work with incident records` });
  const { missionId } = uow.ctx.actor;
  const row = lock ? await repo.lockViolation(uow.trx, missionId, violationId) : await repo.findViolationWithIncident(uow.trx, missionId, violationId);
  const facts = row && { createdBy: row.incident_created_by, countryIso3: row.country_iso3, adminPcode: row.admin_pcode };
  ensure(row && facts && canSee(uow.ctx.actor, facts), 'record.not_found', { field: 'violation_id' });
  return { row, facts };
}

export function getViolation(db: Kysely<DB>, ctx: RequestContext, violationId: string) {
  return runUnitOfWork(db, ctx, 'read', async (uow) => {
    await visibleViolation(uow, violationId, false);
    return loadViolationView(uow, violationId);
  });
}

export async function updateViolation(db: Kysely<DB>, ctx: RequestContext, violationId: string, input: ViolationUpdateInput) {
  await prepareSealing(db, ctx.actor.missionId);
  return runUnitOfWork(db, ctx, 'write', async (uow) => {
    const { row, facts } = await visibleViolation(uow, violationId, true);
    ensure(canEdit(ctx.actor, facts), 'permission.denied', { action: 'update' });
    ensure(row.version === input.version, 'record.conflict', { field: 'version', rule: `the violation is at version ${row.version}; reload it and apply your change again` });
    const type = row.type as ViolationType;
    let details: Record<string, unknown> | undefined;
    if (input.details) {
      const parsed = DETAILS_BY_TYPE[type].safeParse(input.details);
      if (!parsed.success) {
        const issue = parsed.error.issues[0]!;
        throw new AppError('request.invalid', { field: ['details', ...issue.path].join('.'), rule: issue.message });
      }
      details = parsed.data;
    }
    const { missionId } = ctx.actor;
    const current = (await repo.childrenOf(uow.trx, missionId, [violationId])).get(violationId)!;
    // Check the merged picture: new tallies against kept victims, and the reverse.
    const merged = {
      tallies: input.tallies ?? current.tallies.map((t) => ({ age_band: t.age_band as never, boys: t.boys, girls: t.girls, sex_unknown: t.sex_unknown })),
      victims: input.victims ?? current.victims.map((v) => ({ ref: v.victim_ref, sex: v.sex as never, age: v.age, age_estimated: v.age_estimated })),
      ...(input.perpetrators && { perpetrators: input.perpetrators }),
      ...(input.sources && { sources: input.sources }),
    };
    await checkViolationChildren(referenceCache(db), uow.trx, missionId, type, merged, '');
    const ok = await repo.updateViolation(uow.trx, missionId, violationId, row.version, {
      ...(details && { details: repo.jsonb(details) }),
      ...(input.crossfire !== undefined && { crossfire: input.crossfire }),
      ...(input.crossborder !== undefined && { crossborder: input.crossborder }),
    });
    ensure(ok, 'record.conflict', { field: 'version' });
    const parts = new Set((['tallies', 'perpetrators', 'victims', 'sources'] as const).filter((p) => input[p] !== undefined));
    if (parts.size > 0) {
      const seal = identitySealer(db, missionId, row.incident_id);
      const rows = keepStoredIdentities(childRows(missionId, violationId, input, seal), input, current);
      await repo.insertRecordKeys(uow.trx, seal.keyRows);
      await repo.replaceChildren(uow.trx, [rows], { missionId, violationId, parts });
    }
    uow.audit({ action: 'violation.update', targetType: 'violation', targetId: violationId, details: { fields: Object.keys(input).filter((k) => k !== 'version') } });
    return loadViolationView(uow, violationId);
  });
}

export function transitionVerification(db: Kysely<DB>, ctx: RequestContext, violationId: string, input: VerificationInput) {
  return runUnitOfWork(db, ctx, 'write', async (uow) => {
    const { row, facts } = await visibleViolation(uow, violationId, true);
    ensure(canVerify(ctx.actor, facts, input.level), 'permission.denied',
      { field: 'level', rule: `your role (${ctx.actor.role}) may not decide at the ${input.level} level` });
    if (input.date < row.incident_date_start) {
      throw new AppError('verification.date_invalid', { field: 'date', rule: `must be on or after the incident date ${row.incident_date_start}` });
    }
    if (input.date > latestAllowedDate()) throw new AppError('verification.date_invalid', { field: 'date', rule: 'must not be in the future' });
    const state = {
      focal_point: { status: row.status_focal_point, date: row.date_focal_point },
      technical: { status: row.status_technical, date: row.date_technical },
      final: { status: row.status_final, date: row.date_final },
    } as Parameters<typeof refuseTransition>[0];
    const refusal = refuseTransition(state, { level: input.level, to: input.status, date: input.date, note: input.note });
    if (refusal) throw new AppError('verification.illegal_transition', refusal);
    const from = state[input.level].status;
    const level: VerificationLevel = input.level;
    const date = input.status === 'pending' ? null : input.date;
    await repo.insertVerificationEvent(uow.trx, {
      mission_id: ctx.actor.missionId, event_id: randomUUID(), violation_id: violationId, level, from_status: from, to_status: input.status,
      status_date: input.date, note: input.note, actor_id: ctx.actor.userId,
    });
    const ok = await repo.updateViolation(uow.trx, ctx.actor.missionId, violationId, row.version,
      level === 'focal_point' ? { status_focal_point: input.status, date_focal_point: date }
        : level === 'technical' ? { status_technical: input.status, date_technical: date }
          : { status_final: input.status, date_final: date });
    ensure(ok, 'record.conflict');
    uow.audit({ action: 'violation.verify', targetType: 'violation', targetId: violationId, details: { level, from, to: input.status, date: input.date } });
    return loadViolationView(uow, violationId);
  });
}

export function verificationHistory(db: Kysely<DB>, ctx: RequestContext, violationId: string) {
  return runUnitOfWork(db, ctx, 'read', async (uow) => {
    await visibleViolation(uow, violationId, false);
    const events = await repo.verificationHistory(uow.trx, ctx.actor.missionId, violationId);
    return { violation_id: violationId, events: events.map(presentVerificationEvent) };
  });
}

const encodeCursor = (c: repo.Cursor) => Buffer.from(JSON.stringify([c.date, c.id])).toString('base64url');
function decodeCursor(cursor: string | undefined): repo.Cursor | null {
  if (!cursor) return null;
  try {
    const [date, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as [unknown, unknown];
    if (typeof date === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(date) && typeof id === 'string' && /^[0-9a-f-]{36}$/.test(id)) return { date, id };
  } catch { /* fall through */ }
  throw new AppError('request.invalid', { field: 'cursor', rule: 'not a cursor returned by this list' });
}

export function listIncidents(db: Kysely<DB>, ctx: RequestContext, q: ListQuery) {
  return runUnitOfWork(db, ctx, 'read', async (uow) => {
    const rows = await repo.listIncidents(uow.trx, visibleIncidents(ctx.actor), q, decodeCursor(q.cursor));
    const page = rows.slice(0, q.limit);
    const types = await repo.violationTypesOf(uow.trx, ctx.actor.missionId, page.map((r) => r.incident_id));
    const last = page.at(-1);
    return {
      items: await Promise.all(page.map(async (r) => presentIncidentSummary(await openIncidentFields(db, r, false, uow.trx), types.get(r.incident_id) ?? [], ctx.actor))),
      next_cursor: rows.length > q.limit && last ? encodeCursor({ date: last.date_start, id: last.incident_id }) : null,
    };
  });
}

export function listViolations(db: Kysely<DB>, ctx: RequestContext, q: ListQuery) {
  return runUnitOfWork(db, ctx, 'read', async (uow) => {
    const rows = await repo.listViolations(uow.trx, visibleIncidents(ctx.actor), q, decodeCursor(q.cursor));
    const page = rows.slice(0, q.limit);
    const children = await repo.childrenOf(uow.trx, ctx.actor.missionId, page.map((r) => r.violation_id));
    const last = page.at(-1);
    return {
      items: page.map((r) => presentViolation(r, children.get(r.violation_id)!, ctx.actor, { createdBy: r.incident_created_by, countryIso3: r.country_iso3, adminPcode: r.admin_pcode })),
      next_cursor: rows.length > q.limit && last ? encodeCursor({ date: last.incident_date_start, id: last.violation_id }) : null,
    };
  });
}

/**
 * A victim or source sent again without `identity` keeps the identity stored under its reference: a
 * client that never asked for identities (and so never saw them) cannot erase them by editing the
 * list. `identity: null` removes one.
 */
function keepStoredIdentities(rows: ReturnType<typeof childRows>, input: ViolationUpdateInput, current: repo.ViolationChildren): ReturnType<typeof childRows> {
  const sentVictims = new Map((input.victims ?? []).map((v) => [v.ref, v.identity]));
  const sentSources = new Map((input.sources ?? []).map((s) => [s.ref, s.identity]));
  const storedVictim = new Map(current.victims.map((v) => [v.victim_ref, v]));
  const storedSource = new Map(current.sources.map((s) => [s.source_ref, s]));
  return {
    ...rows,
    victims: rows.victims.map((v) => {
      const stored = storedVictim.get(v.victim_ref);
      return sentVictims.get(v.victim_ref) === undefined && stored?.identity_sealed
        ? { ...v, identity_sealed: stored.identity_sealed, identity_index: stored.identity_index } : v;
    }),
    sources: rows.sources.map((s) => {
      const stored = storedSource.get(s.source_ref);
      return sentSources.get(s.source_ref) === undefined && stored?.identity_sealed ? { ...s, identity_sealed: stored.identity_sealed } : s;
    }),
  };
}
