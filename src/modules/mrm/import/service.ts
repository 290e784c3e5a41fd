import { randomUUID } from 'node:crypto';
import path from 'node:path';
import type { Insertable, Kysely } from 'kysely';
import type { RequestContext } from '../../../platform/context.ts';
import type { DB } from '../../../platform/db/schema.ts';
import { runUnitOfWork } from '../../../platform/db/unit-of-work.ts';
import { AppError, ensure } from '../../../platform/errors.ts';
import { jsonb } from '../repository.ts';
import { prepareSealing, sealIncidentRecord } from '../sealed-fields.ts';
import { VERIFICATION_LEVELS } from '../vocabulary.ts';
import { MRM_COLUMNS, parseRow, type ImportRow, type LineError, type RawRow } from './columns.ts';
import { planImport, type ImportPlan } from './plan.ts';
import { readTable } from './reader.ts';
import { existingIncidents, insertChunked, knownReference } from './repository.ts';

export interface ImportSummary {
  file: string;
  rows: number;
  incidents: number;
  violations: number;
  created: { countries: string[]; admin_areas: string[]; parties: { name: string; category: string }[] };
}

/** Import is the task force's own data entry at scale: the roles that record and verify MRM data. */
const IMPORT_ROLES = ['admin', 'verifier'];

/** A refused file: every bad line with its column and rule, nothing written. */
export function rejected(errors: LineError[]): AppError {
  const sorted = [...errors].sort((a, b) => a.line - b.line);
  return new AppError('request.invalid', {
    field: 'file', rule: `${new Set(sorted.map((e) => e.line)).size} line(s) break the import rules; nothing was imported`, errors: sorted,
  });
}

/**
 * `tutela import mrm FILE`: one row per violation (columns in columns.ts). Whole or nothing: every line
 * is checked, alone and against the others and the mission's reference data, before anything is
 * written; then everything is written in one transaction with its audit row.
 */
export async function importMrmFile(db: Kysely<DB>, ctx: RequestContext, file: string, options: { maxBytes?: number } = {}): Promise<ImportSummary> {
  ensure(IMPORT_ROLES.includes(ctx.actor.role), 'permission.denied', { rule: `your role (${ctx.actor.role}) may not import MRM data` });
  const table = await readTable(file, options);
  const missing = MRM_COLUMNS.filter((c) => !table.columns.includes(c));
  const unknown = table.columns.filter((c) => !(MRM_COLUMNS as readonly string[]).includes(c));
  if (missing.length > 0 || unknown.length > 0) {
    throw new AppError('request.invalid', { field: 'file', rule: `line 1: ${[missing.length ? `missing column(s) ${missing.join(', ')}` : '',
      unknown.length ? `unknown column(s) ${unknown.join(', ')}` : ''].filter(Boolean).join('; ')}. The columns are: ${MRM_COLUMNS.join(', ')}` });
  }
  if (table.records.length === 0) throw new AppError('request.invalid', { field: 'file', rule: 'the file has a header but no rows' });

  const errors: LineError[] = table.raggedLines.map((r) => ({ line: r.line, column: '*', rule: `${r.found} cells, but the header names ${table.columns.length} columns` }));
  const rows: ImportRow[] = [];
  for (const rec of table.records) {
    const parsed = parseRow(rec.line, rec.cells as RawRow);
    if (Array.isArray(parsed)) errors.push(...parsed);
    else rows.push(parsed);
  }
  const missionId = ctx.actor.missionId;
  await prepareSealing(db, missionId);
  return runUnitOfWork(db, ctx, 'write', async (uow) => {
    const plan = planImport(missionId, rows, await knownReference(uow.trx, missionId));
    errors.push(...plan.errors);
    const before = await existingIncidents(uow.trx, missionId, plan.incidents.map((i) => i.id));
    for (const i of plan.incidents) {
      if (before.has(i.id)) errors.push({ line: i.first.line, column: 'incident_ref', rule: `incident ${i.ref} was imported before: a file is imported once` });
    }
    if (errors.length > 0) throw rejected(errors);
    await writePlan(db, uow.trx, ctx, plan, path.basename(file));
    const summary: ImportSummary = {
      file: path.basename(file), rows: rows.length, incidents: plan.incidents.length, violations: rows.length,
      created: { countries: plan.newCountries, admin_areas: plan.newAreas.map((a) => a.pcode), parties: plan.newParties.map((p) => ({ name: p.name, category: p.category })) },
    };
    uow.audit({ action: 'mrm.import', targetType: 'import', targetId: summary.file, details: { ...summary } });
    return summary;
  });
}

async function writePlan(db: Kysely<DB>, trx: Kysely<DB>, ctx: RequestContext, plan: ImportPlan, fileName: string): Promise<void> {
  const m = ctx.actor.missionId;
  const actor = ctx.actor.userId;
  const note = `imported from ${fileName}`;
  await insertChunked(trx, 'countries', plan.newCountries.map((iso3) => ({ mission_id: m, iso3, name: iso3 })), 3);
  // Parents first: the foreign key checks each row as it is inserted.
  const areas = [...plan.newAreas].sort((a, b) => a.level - b.level);
  await insertChunked(trx, 'admin_areas', areas.map((a) => ({ mission_id: m, pcode: a.pcode, country_iso3: a.country, admin_level: a.level,
    parent_pcode: a.parent, name: a.pcode, names: jsonb({}), boundary_version: 'import' })), 8);
  await insertChunked(trx, 'parties', plan.newParties.map((p) => ({ mission_id: m, party_id: p.id, name: p.name, aliases: [], category: p.category, country_iso3: p.country })), 6);

  const incidents: Insertable<DB['incidents']>[] = [];
  const violations: Insertable<DB['violations']>[] = [];
  const tallies: Insertable<DB['violation_tallies']>[] = [];
  const perpetrators: Insertable<DB['violation_perpetrators']>[] = [];
  const victims: Insertable<DB['violation_victims']>[] = [];
  const events: Insertable<DB['verification_events']>[] = [];
  const recordKeys: Insertable<DB['record_keys']>[] = [];
  for (const inc of plan.incidents) {
    const r = inc.first;
    const { set: sealed, keyRow } = r.coordinates ? sealIncidentRecord(db, m, inc.id, { coordinates: { ...r.coordinates, precision: 'approximate' } }) : { set: {}, keyRow: null };
    if (keyRow) recordKeys.push(keyRow);
    incidents.push({ mission_id: m, incident_id: inc.id, status: 'open', title: `Imported incident ${inc.ref}`, date_start: r.dateStart, date_end: r.dateEnd,
      date_precision: 'day', date_estimated: false, narrative_confidential: '', country_iso3: r.country, admin_pcode: r.admin2 ?? r.admin1, narrative_public: '', created_by: actor, updated_by: actor, version: 1, ...sealed });
    for (const v of inc.violations) {
      const x = v.row;
      const decided = x.status !== 'pending';
      const level = decided ? { status: x.status, date: x.verifiedOn } : { status: 'pending', date: null };
      violations.push({ mission_id: m, violation_id: v.id, incident_id: inc.id, type: x.type, details: jsonb({}), crossfire: false, crossborder: 'unknown', created_by: actor, version: 1,
        status_focal_point: level.status, status_technical: level.status, status_final: level.status,
        date_focal_point: level.date, date_technical: level.date, date_final: level.date });
      if (x.boys + x.girls + x.sexUnknown > 0) tallies.push({ mission_id: m, violation_id: v.id, age_band: 'unknown', boys: x.boys, girls: x.girls, sex_unknown: x.sexUnknown });
      for (const party of v.partyIds) perpetrators.push({ mission_id: m, violation_id: v.id, party_id: party, attribution_verified: false });
      if (x.victimRef) victims.push({ mission_id: m, violation_id: v.id, victim_ref: x.victimRef, sex: x.boys ? 'male' : x.girls ? 'female' : 'unknown', age: null, age_estimated: false });
      // The history says what happened: the task force's decision, brought in from a file, at every level.
      if (decided) {
        for (const lvl of VERIFICATION_LEVELS) {
          events.push({ mission_id: m, event_id: randomUUID(), violation_id: v.id, level: lvl, from_status: 'pending', to_status: x.status, status_date: x.verifiedOn!, note, actor_id: actor });
        }
      }
    }
  }
  await insertChunked(trx, 'record_keys', recordKeys, 5);
  await insertChunked(trx, 'incidents', incidents, 16);
  await insertChunked(trx, 'violations', violations, 16);
  await insertChunked(trx, 'violation_tallies', tallies, 6);
  await insertChunked(trx, 'violation_perpetrators', perpetrators, 4);
  await insertChunked(trx, 'violation_victims', victims, 6);
  await insertChunked(trx, 'verification_events', events, 9);
}
