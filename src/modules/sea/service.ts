import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { RequestContext } from '../../platform/context.ts';
import type { DB } from '../../platform/db/schema.ts';
import { runUnitOfWork, type UnitOfWork } from '../../platform/db/unit-of-work.ts';
import { AppError, ensure } from '../../platform/errors.ts';
import { deadlinesOf, todayOf } from './deadlines.ts';
import { mayHandleAllegations } from './policy.ts';
import { presentAllegation, presentAssistance, presentSummary, type Opened } from './presenter.ts';
import * as repo from './repository.ts';
import type { AllegationCreateInput, AllegationUpdateInput, VictimAddInput, VictimUpdateInput } from './schema.ts';
import { seaOpener, seaSealer, prepareSeaSealing } from './sealed-fields.ts';
import { settingsOf } from './settings.ts';
import { UNIFORMED } from './vocabulary.ts';

/**
 * Conduct operations, one transaction each. Every read of an allegation is an audit row too: the
 * conduct team's own use of the records is what an auditor must be able to review. Audit rows name
 * the allegation only by its `audit_ref` pseudonym and carry no identity, nationality or category
 * (the `sea.` action family, target type `sea_allegation`).
 */
const TARGET = 'sea_allegation';
const latestAllowed = (now: Date) => todayOf(new Date(now.getTime() + 86_400_000));
const dateError = (field: string, rule: string) => new AppError('conduct.date_invalid', { field, rule });

/** The same answer for "not yours to know" and "no such allegation", decided before any lookup. */
async function hiddenUnlessConduct(uow: UnitOfWork, allegationId: string, lock: boolean) {
  ensure(mayHandleAllegations(uow.ctx.actor), 'record.not_found', { field: 'allegation_id' });
  const row = await repo.findAllegation(uow.trx, uow.ctx.actor.missionId, allegationId, lock);
  ensure(row, 'record.not_found', { field: 'allegation_id' });
  return row;
}

function checkDates(a: { received_on: string; incident_on: string | null; referral: AllegationCreateInput['referral']; outcome_on?: string | null }, now: Date): void {
  const latest = latestAllowed(now);
  if (a.received_on > latest) throw dateError('received_on', 'must not be in the future');
  if (a.incident_on && a.incident_on > a.received_on) throw dateError('incident.date', 'must be on or before received_on');
  const r = a.referral;
  if (r) {
    if (r.referred_on < a.received_on || r.referred_on > latest) throw dateError('referral.referred_on', 'must fall between received_on and today');
    for (const f of ['ms_response_on', 'nio_appointed_on'] as const) {
      const d = r[f];
      if (d && (d < r.referred_on || d > latest)) throw dateError(`referral.${f}`, 'must fall between referred_on and today');
    }
    if ((r.ms_response_on || r.nio_appointed_on) && r.entity !== 'tcc') throw dateError('referral.entity', 'Member State response and NIO dates apply to a TCC referral only');
  }
  if (a.outcome_on && (a.outcome_on < a.received_on || a.outcome_on > latest)) throw dateError('outcome.on', 'must fall between received_on and today');
}

export async function createAllegation(db: Kysely<DB>, ctx: RequestContext, input: AllegationCreateInput, now = new Date()) {
  ensure(mayHandleAllegations(ctx.actor), 'permission.denied', { rule: `your role (${ctx.actor.role}) does not record conduct allegations` });
  checkDates({ received_on: input.received_on, incident_on: input.incident.date, referral: input.referral }, now);
  if (input.contingent_nationality && !UNIFORMED.includes(input.personnel_category)) {
    throw new AppError('request.invalid', { field: 'contingent_nationality', rule: 'recorded for contingent and police personnel only' });
  }
  const refs = new Set<string>();
  for (const [i, v] of input.victims.entries()) {
    if (refs.has(v.ref)) throw new AppError('request.invalid', { field: `victims.${i}.ref`, rule: 'victim references must be unique' });
    refs.add(v.ref);
    if (v.case_link && !v.case_link.consent) throw new AppError('conduct.consent_required', { field: `victims.${i}.case_link.consent` });
  }
  for (const [i, p] of input.paternity_claims.entries()) {
    if (!refs.has(p.victim_ref)) throw new AppError('request.invalid', { field: `paternity_claims.${i}.victim_ref`, rule: 'names no victim of this allegation' });
  }
  await prepareSeaSealing(db, ctx.actor.missionId);
  return runUnitOfWork(db, ctx, 'write', async (uow) => {
    const { missionId, userId } = ctx.actor;
    const id = input.id ?? randomUUID();
    const seal = seaSealer(db, missionId, id);
    const r = input.referral;
    const row: repo.AllegationInsert = {
      mission_id: missionId, allegation_id: id, audit_ref: randomUUID(), received_on: input.received_on,
      incident_on: input.incident.date, incident_precision: input.incident.precision, personnel_category: input.personnel_category,
      contingent_nationality: input.contingent_nationality, allegation_type: input.type, allegation_subtype: input.subtype,
      perpetrators: input.perpetrators, urgent: input.urgent, narrative_sealed: seal.narrative(input.narrative),
      referral_entity: r?.entity ?? null, referred_on: r?.referred_on ?? null, ms_response_on: r?.ms_response_on ?? null,
      ms_will_investigate: r?.ms_will_investigate ?? null, nio_appointed_on: r?.nio_appointed_on ?? null,
      outcome: 'pending', outcome_on: null, actions: repo.jsonb([]), actions_reported_on: null,
      paternity_claims: repo.jsonb(input.paternity_claims), created_by: userId, updated_by: userId, version: 1,
    };
    const victims = input.victims.map((v) => ({
      mission_id: missionId, allegation_id: id, victim_ref: v.ref, age_class: v.age_class, sex: v.sex,
      identity_sealed: v.identity ? seal.identity(v.ref, v.identity) : null,
      case_link_consent: v.case_link?.consent ?? false,
      case_ref_sealed: v.case_link ? seal.caseRef(v.ref, v.case_link.case_ref) : null,
    }));
    await repo.insertAllegation(uow.trx, row, victims, seal.keyRows).catch((err: { code?: string }) => {
      throw err.code === '23505' ? new AppError('record.conflict', { field: 'id' }) : err;
    });
    uow.audit({ action: 'sea.allegation.create', targetType: TARGET, targetId: row.audit_ref, details: { victims: victims.length } });
    return readView(db, uow, id, { identities: true, narrative: true }, now);
  });
}

async function readView(db: Kysely<DB>, uow: UnitOfWork, id: string, include: { identities: boolean; narrative: boolean }, now: Date) {
  const { missionId } = uow.ctx.actor;
  const row = (await repo.findAllegation(uow.trx, missionId, id))!;
  const [victims, assistance, settings] = await Promise.all([
    repo.victimsOf(uow.trx, missionId, [id]), repo.assistanceOf(uow.trx, missionId, [id]), settingsOf(uow.trx, missionId),
  ]);
  const open = seaOpener(db, missionId, id, uow.trx);
  const opened: Opened = { shredded: open.shredded };
  if (include.narrative) opened.narrative = await open.narrative(row.narrative_sealed);
  if (include.identities) {
    opened.identities = new Map();
    opened.caseRefs = new Map();
    for (const v of victims) {
      opened.identities.set(v.victim_ref, await open.identity(v.victim_ref, v.identity_sealed));
      opened.caseRefs.set(v.victim_ref, await open.caseRef(v.victim_ref, v.case_ref_sealed));
    }
  }
  return presentAllegation(row, victims, assistance, deadlinesOf(row, settings, todayOf(now)), uow.ctx.actor, opened);
}

export async function getAllegation(db: Kysely<DB>, ctx: RequestContext, id: string, include: { identities: boolean; narrative: boolean }, now = new Date()) {
  if (mayHandleAllegations(ctx.actor)) await prepareSeaSealing(db, ctx.actor.missionId);
  return runUnitOfWork(db, ctx, 'write', async (uow) => {
    const row = await hiddenUnlessConduct(uow, id, false);
    uow.audit({ action: include.identities ? 'sea.allegation.read_identities' : 'sea.allegation.read', targetType: TARGET, targetId: row.audit_ref,
      details: { narrative: include.narrative } });
    return readView(db, uow, id, include, now);
  });
}

/** The caller's allegations, newest first; for every role but the conduct officer, none at all. */
export async function listAllegations(db: Kysely<DB>, ctx: RequestContext, now = new Date()) {
  if (!mayHandleAllegations(ctx.actor)) return { items: [] };
  return runUnitOfWork(db, ctx, 'write', async (uow) => {
    const { missionId } = ctx.actor;
    const rows = await repo.listAllegations(uow.trx, missionId, 1000);
    const ids = rows.map((r) => r.allegation_id);
    const [victims, assistance, settings] = await Promise.all([repo.victimsOf(uow.trx, missionId, ids), repo.assistanceOf(uow.trx, missionId, ids), settingsOf(uow.trx, missionId)]);
    uow.audit({ action: 'sea.allegation.list', targetType: TARGET, details: { returned: rows.length } });
    const today = todayOf(now);
    return { items: rows.map((r) => presentSummary(r, victims.filter((v) => v.allegation_id === r.allegation_id),
      assistance.filter((a) => a.allegation_id === r.allegation_id), deadlinesOf(r, settings, today))) };
  });
}

export async function updateAllegation(db: Kysely<DB>, ctx: RequestContext, id: string, input: AllegationUpdateInput, now = new Date()) {
  if (mayHandleAllegations(ctx.actor)) await prepareSeaSealing(db, ctx.actor.missionId);
  return runUnitOfWork(db, ctx, 'write', async (uow) => {
    const { missionId, userId } = ctx.actor;
    const current = await hiddenUnlessConduct(uow, id, true);
    ensure(current.version === input.version, 'record.conflict', { field: 'version', rule: `the allegation is at version ${current.version}; reload it and apply your change again` });
    const referral = input.referral !== undefined ? input.referral : current.referral_entity && current.referred_on ? {
      entity: current.referral_entity, referred_on: current.referred_on, ms_response_on: current.ms_response_on,
      ms_will_investigate: current.ms_will_investigate, nio_appointed_on: current.nio_appointed_on } : null;
    if (input.outcome && input.outcome.status !== 'pending' && !input.outcome.on) throw dateError('outcome.on', 'an outcome needs its date');
    const incidentOn = input.incident ? input.incident.date : current.incident_on;
    checkDates({ received_on: current.received_on, incident_on: incidentOn, referral, outcome_on: input.outcome?.on ?? null }, now);
    const category = input.personnel_category ?? current.personnel_category;
    const nationality = input.contingent_nationality !== undefined ? input.contingent_nationality
      : UNIFORMED.includes(category as never) ? current.contingent_nationality : null;
    if (nationality && !UNIFORMED.includes(category as never)) {
      throw new AppError('request.invalid', { field: 'contingent_nationality', rule: 'recorded for contingent and police personnel only' });
    }
    if (input.incident && input.incident.date === null && input.incident.precision !== 'unknown') throw dateError('incident.date', 'give the date, or say it is unknown');
    const victims = await repo.victimsOf(uow.trx, missionId, [id]);
    const refs = new Set(victims.map((v) => v.victim_ref));
    for (const [i, p] of (input.paternity_claims ?? []).entries()) {
      if (!refs.has(p.victim_ref)) throw new AppError('request.invalid', { field: `paternity_claims.${i}.victim_ref`, rule: 'names no victim of this allegation' });
    }
    const seal = seaSealer(db, missionId, id);
    for (const [i, l] of (input.case_links ?? []).entries()) {
      if (!refs.has(l.victim_ref)) throw new AppError('request.invalid', { field: `case_links.${i}.victim_ref`, rule: 'names no victim of this allegation' });
      if (!l.consent) throw new AppError('conduct.consent_required', { field: `case_links.${i}.consent` });
    }
    const changed = Object.keys(input).filter((k) => k !== 'version');
    const narrative = input.narrative !== undefined ? { narrative_sealed: seal.narrative(input.narrative) } : {};
    const links = (input.case_links ?? []).map((l) => ({ ...l, sealed: seal.caseRef(l.victim_ref, l.case_ref) }));
    await repo.insertKeys(uow.trx, seal.keyRows);
    for (const l of links) await repo.setCaseLink(uow.trx, missionId, id, l.victim_ref, true, l.sealed);
    const ok = await repo.updateAllegation(uow.trx, missionId, id, current.version, {
      updated_by: userId, ...narrative,
      ...(input.urgent !== undefined && { urgent: input.urgent }),
      ...(input.incident && { incident_on: input.incident.date, incident_precision: input.incident.precision }),
      ...(input.personnel_category && { personnel_category: input.personnel_category }),
      ...(nationality !== current.contingent_nationality && { contingent_nationality: nationality }),
      ...(input.type && { allegation_type: input.type, allegation_subtype: input.subtype ?? null }),
      ...(!input.type && input.subtype !== undefined && { allegation_subtype: input.subtype }),
      ...(input.perpetrators !== undefined && { perpetrators: input.perpetrators }),
      ...(input.referral !== undefined && {
        referral_entity: referral?.entity ?? null, referred_on: referral?.referred_on ?? null, ms_response_on: referral?.ms_response_on ?? null,
        ms_will_investigate: referral?.ms_will_investigate ?? null, nio_appointed_on: referral?.nio_appointed_on ?? null,
      }),
      ...(input.outcome && { outcome: input.outcome.status, outcome_on: input.outcome.status === 'pending' ? null : input.outcome.on }),
      ...(input.actions && { actions: repo.jsonb(input.actions) }),
      ...(input.actions_reported_on !== undefined && { actions_reported_on: input.actions_reported_on }),
      ...(input.paternity_claims && { paternity_claims: repo.jsonb(input.paternity_claims) }),
    });
    ensure(ok, 'record.conflict', { field: 'version' });
    uow.audit({ action: 'sea.allegation.update', targetType: TARGET, targetId: current.audit_ref, details: { changed } });
    return readView(db, uow, id, { identities: false, narrative: false }, now);
  });
}

/** Most allegations of this kind are on record long before every victim has come forward. */
const MAX_VICTIMS = 200;

/**
 * Adds a victim to an allegation on record: their identity sealed under a key of their own, a case
 * link only with consent. The allegation's version moves on (its victims are part of it), so a page
 * holding the old version reloads before it changes anything else.
 */
export async function addVictim(db: Kysely<DB>, ctx: RequestContext, id: string, input: VictimAddInput, now = new Date()) {
  if (mayHandleAllegations(ctx.actor)) await prepareSeaSealing(db, ctx.actor.missionId);
  return runUnitOfWork(db, ctx, 'write', async (uow) => {
    const { missionId, userId } = ctx.actor;
    const current = await hiddenUnlessConduct(uow, id, true);
    if (input.case_link && !input.case_link.consent) throw new AppError('conduct.consent_required', { field: 'case_link.consent' });
    const victims = await repo.victimsOf(uow.trx, missionId, [id]);
    if (victims.some((v) => v.victim_ref === input.ref)) throw new AppError('request.invalid', { field: 'ref', rule: 'this allegation already has a victim with this reference' });
    if (victims.length >= MAX_VICTIMS) throw new AppError('request.invalid', { field: 'ref', rule: `an allegation holds at most ${MAX_VICTIMS} victims` });
    const seal = seaSealer(db, missionId, id);
    await repo.insertVictim(uow.trx, {
      mission_id: missionId, allegation_id: id, victim_ref: input.ref, age_class: input.age_class, sex: input.sex,
      identity_sealed: input.identity ? seal.identity(input.ref, input.identity) : null,
      case_link_consent: input.case_link?.consent ?? false,
      case_ref_sealed: input.case_link ? seal.caseRef(input.ref, input.case_link.case_ref) : null,
    }, seal.keyRows);
    ensure(await repo.updateAllegation(uow.trx, missionId, id, current.version, { updated_by: userId }), 'record.conflict', { field: 'version' });
    uow.audit({ action: 'sea.victim.add', targetType: TARGET, targetId: current.audit_ref, details: { victims: victims.length + 1, identity: Boolean(input.identity) } });
    return readView(db, uow, id, { identities: false, narrative: false }, now);
  });
}

/**
 * Corrects a victim on record: age class or sex, an identity learnt later (sealed) or erased, a case
 * link made with consent or dropped when consent is withdrawn.
 */
export async function updateVictim(db: Kysely<DB>, ctx: RequestContext, id: string, ref: string, input: VictimUpdateInput, now = new Date()) {
  if (mayHandleAllegations(ctx.actor)) await prepareSeaSealing(db, ctx.actor.missionId);
  return runUnitOfWork(db, ctx, 'write', async (uow) => {
    const { missionId, userId } = ctx.actor;
    const current = await hiddenUnlessConduct(uow, id, true);
    const victims = await repo.victimsOf(uow.trx, missionId, [id]);
    ensure(victims.some((v) => v.victim_ref === ref), 'record.not_found', { field: 'victim_ref' });
    if (input.case_link && !input.case_link.consent) throw new AppError('conduct.consent_required', { field: 'case_link.consent' });
    const seal = seaSealer(db, missionId, id);
    const set: Parameters<typeof repo.updateVictim>[4] = {
      ...(input.age_class && { age_class: input.age_class }),
      ...(input.sex && { sex: input.sex }),
      ...(input.identity !== undefined && { identity_sealed: input.identity ? seal.identity(ref, input.identity) : null }),
      ...(input.case_link !== undefined && { case_link_consent: input.case_link !== null, case_ref_sealed: input.case_link ? seal.caseRef(ref, input.case_link.case_ref) : null }),
    };
    if (Object.keys(set).length === 0) throw new AppError('request.invalid', { field: 'body', rule: 'nothing to change' });
    await repo.insertKeys(uow.trx, seal.keyRows);
    await repo.updateVictim(uow.trx, missionId, id, ref, set);
    ensure(await repo.updateAllegation(uow.trx, missionId, id, current.version, { updated_by: userId }), 'record.conflict', { field: 'version' });
    uow.audit({ action: 'sea.victim.update', targetType: TARGET, targetId: current.audit_ref, details: { changed: Object.keys(input) } });
    return readView(db, uow, id, { identities: false, narrative: false }, now);
  });
}

export async function addAssistance(db: Kysely<DB>, ctx: RequestContext, id: string, input: { victim_ref: string; kind: string; referred_on: string }, now = new Date()) {
  return runUnitOfWork(db, ctx, 'write', async (uow) => {
    const row = await hiddenUnlessConduct(uow, id, true);
    const victims = await repo.victimsOf(uow.trx, ctx.actor.missionId, [id]);
    ensure(victims.some((v) => v.victim_ref === input.victim_ref), 'request.invalid', { field: 'victim_ref', rule: 'names no victim of this allegation' });
    if (input.referred_on < row.received_on || input.referred_on > latestAllowed(now)) throw dateError('referred_on', 'must fall between received_on and today');
    const referralId = randomUUID();
    await repo.insertAssistance(uow.trx, { mission_id: ctx.actor.missionId, allegation_id: id, referral_id: referralId, ...input, status: 'referred', completed_on: null });
    uow.audit({ action: 'sea.assistance.refer', targetType: TARGET, targetId: row.audit_ref, details: { kind: input.kind } });
    return presentAssistance((await repo.assistanceOf(uow.trx, ctx.actor.missionId, [id])).find((a) => a.referral_id === referralId)!);
  });
}

export async function updateAssistance(db: Kysely<DB>, ctx: RequestContext, id: string, referralId: string, input: { status: string; completed_on: string | null }, now = new Date()) {
  return runUnitOfWork(db, ctx, 'write', async (uow) => {
    const row = await hiddenUnlessConduct(uow, id, true);
    const done = input.status === 'completed' || input.status === 'declined';
    if (done !== (input.completed_on !== null)) throw dateError('completed_on', 'given exactly when the referral is completed or declined');
    if (input.completed_on && (input.completed_on < row.received_on || input.completed_on > latestAllowed(now))) throw dateError('completed_on', 'must fall between received_on and today');
    ensure(await repo.updateAssistance(uow.trx, ctx.actor.missionId, id, referralId, input), 'record.not_found', { field: 'referral_id' });
    uow.audit({ action: 'sea.assistance.update', targetType: TARGET, targetId: row.audit_ref, details: { status: input.status } });
    return presentAssistance((await repo.assistanceOf(uow.trx, ctx.actor.missionId, [id])).find((a) => a.referral_id === referralId)!);
  });
}
