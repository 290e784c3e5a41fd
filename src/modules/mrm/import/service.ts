import path from 'node:path';
import type { Insertable, Kysely } from 'kysely';
import type { RequestContext } from '../../../platform/context.ts';
import type { DB } from '../../../platform/db/schema.ts';
import { runUnitOfWork } from '../../../platform/db/unit-of-work.ts';
import { AppError, ensure } from '../../../platform/errors.ts';
import { jsonb } from '../repository.ts';
import { prepareSealing, sealIncidentRecord } from '../sealed-fields.ts';
import { MRM_COLUMNS, parseRow, type ImportRow, type LineError, type RawRow } from './columns.ts';
import { planImport, type ImportPlan } from './plan.ts';
import { readTable } from './reader.ts';
import { deferReportRefresh, existingIncidents, insertArrays, insertChunked, insertViolationsWithHistory, knownReference, refreshReportFacts } from './repository.ts';

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
  return importRecords(db, ctx, path.basename(file), table.records.map((r) => ({ line: r.line, cells: r.cells as RawRow })), errors);
}

/**
 * The import proper, for rows already in the MRM columns (from an MRM file, or mapped from a Kobo
 * export by kobo.ts): `rename` names a column as the source file calls it, so every error points at
 * the user's own column.
 */
export async function importRecords(db: Kysely<DB>, ctx: RequestContext, fileName: string, records: { line: number; cells: RawRow }[],
  errors: LineError[], rename: (column: string) => string = (c) => c): Promise<ImportSummary> {
  ensure(IMPORT_ROLES.includes(ctx.actor.role), 'permission.denied', { rule: `your role (${ctx.actor.role}) may not import MRM data` });
  const rows: ImportRow[] = [];
  for (const rec of records) {
    const parsed = parseRow(rec.line, rec.cells);
    if (Array.isArray(parsed)) errors.push(...parsed.map((e) => ({ ...e, column: rename(e.column) })));
    else rows.push(parsed);
  }
  const missionId = ctx.actor.missionId;
  await prepareSealing(db, missionId);
  return runUnitOfWork(db, ctx, 'write', async (uow) => {
    const plan = planImport(missionId, rows, await knownReference(uow.trx, missionId));
    errors.push(...plan.errors.map((e) => ({ ...e, column: rename(e.column) })));
    const before = await existingIncidents(uow.trx, missionId, plan.incidents.map((i) => i.id));
    for (const i of plan.incidents) {
      if (before.has(i.id)) errors.push({ line: i.first.line, column: rename('incident_ref'), rule: `incident ${i.ref} was imported before: a file is imported once` });
    }
    if (errors.length > 0) throw rejected(errors);
    await writePlan(db, uow.trx, ctx, plan, fileName);
    const summary: ImportSummary = {
      file: fileName, rows: rows.length, incidents: plan.incidents.length, violations: rows.length,
      created: { countries: plan.newCountries, admin_areas: plan.newAreas.map((a) => a.pcode), parties: plan.newParties.map((p) => ({ name: p.name, category: p.category })) },
    };
    uow.audit({ action: 'mrm.import', targetType: 'import', targetId: summary.file, details: { ...summary } });
    return summary;
  });
}

async function writePlan(db: Kysely<DB>, trx: Kysely<DB>, ctx: RequestContext, plan: ImportPlan, fileName: string): Promise<void> {
  const m = ctx.actor.missionId;
  const actor = ctx.actor.userId;
  const note = `imported from ${fileName}: the file's status and verification date, set at every level (focal point, technical, final)`;
  await insertChunked(trx, 'countries', plan.newCountries.map((iso3) => ({ mission_id: m, iso3, name: iso3 })), 3);
  // Parents first: the foreign key checks each row as it is inserted.
  const areas = [...plan.newAreas].sort((a, b) => a.level - b.level);
  await insertChunked(trx, 'admin_areas', areas.map((a) => ({ mission_id: m, pcode: a.pcode, country_iso3: a.country, admin_level: a.level,
    parent_pcode: a.parent, name: a.pcode, names: jsonb({}), boundary_version: 'import' })), 8);
  await insertChunked(trx, 'parties', plan.newParties.map((p) => ({ mission_id: m, party_id: p.id, name: p.name, aliases: [], category: p.category, country_iso3: p.country })), 6);

  const incidents: unknown[][] = [];
  // Column arrays for the bulk inserts (insertArrays): one row per array entry, in the column order below.
  const violations: unknown[][] = [];
  const tallies: unknown[][] = [];
  const perpetrators: unknown[][] = [];
  const victims: unknown[][] = [];
  const recordKeys: Insertable<DB['record_keys']>[] = [];
  // In key order, so each index grows at one place: incidents sorted by id; violations in the order
  // their time-ordered ids were issued (plan.ts), which spares sorting four arrays of 100,000 ids here.
  const ordered = [...plan.incidents].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  for (const inc of ordered) {
    const r = inc.first;
    const { set: sealed, keyRow } = r.coordinates ? sealIncidentRecord(db, m, inc.id, { coordinates: { ...r.coordinates, precision: 'approximate' } }) : { set: {}, keyRow: null };
    if (keyRow) recordKeys.push(keyRow);
    incidents.push([m, inc.id, `Imported incident ${inc.ref}`, r.dateStart, r.dateEnd, 'day', r.country, r.admin2 ?? r.admin1, actor, actor, sealed.coordinates_sealed ?? null]);
  }
  for (const v of plan.violations) {
    const x = v.row;
    const decided = x.status !== 'pending';
    const level = decided ? { status: x.status, date: x.verifiedOn } : { status: 'pending', date: null };
    violations.push([v.id, v.incidentId, x.type, level.status, level.date]); // VIOLATION_COLUMNS (repository.ts)
    if (x.boys + x.girls + x.sexUnknown > 0) tallies.push([m, v.id, 'unknown', x.boys, x.girls, x.sexUnknown]);
    for (const party of v.partyIds) perpetrators.push([m, v.id, party]);
    if (x.victimRef) victims.push([m, v.id, x.victimRef, x.boys ? 'male' : x.girls ? 'female' : 'unknown']);
  }
  // The rollups are refreshed once for the whole file, not once per table (see deferReportRefresh).
  await deferReportRefresh(trx);
  await insertChunked(trx, 'record_keys', recordKeys, 5);
  // Status 'open', not estimated, empty narratives, version 1: the columns' defaults.
  await insertArrays(trx, 'incidents', [['mission_id', 'text'], ['incident_id', 'uuid'], ['title', 'text'], ['date_start', 'date'], ['date_end', 'date'],
    ['date_precision', 'text'], ['country_iso3', 'text'], ['admin_pcode', 'text'], ['created_by', 'uuid'], ['updated_by', 'uuid'], ['coordinates_sealed', 'bytea']], incidents);
  // The history says what happened: the task force's decision, brought in from a file and set at every
  // level (one verification event per decided violation, written by the same statement: repository.ts).
  await insertViolationsWithHistory(trx, violations, { missionId: m, actor, note });
  await insertArrays(trx, 'violation_tallies', [['mission_id', 'text'], ['violation_id', 'uuid'], ['age_band', 'text'], ['boys', 'int'], ['girls', 'int'], ['sex_unknown', 'int']], tallies);
  await insertArrays(trx, 'violation_perpetrators', [['mission_id', 'text'], ['violation_id', 'uuid'], ['party_id', 'uuid']], perpetrators);
  await insertArrays(trx, 'violation_victims', [['mission_id', 'text'], ['violation_id', 'uuid'], ['victim_ref', 'text'], ['sex', 'text']], victims);
  await refreshReportFacts(trx, m, violations.map((v) => v[0] as string));
}
