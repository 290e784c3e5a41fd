import { parse } from 'csv-parse/sync';
import type { Kysely } from 'kysely';
import type { RequestContext } from '../../platform/context.ts';
import type { DB } from '../../platform/db/schema.ts';
import { runUnitOfWork } from '../../platform/db/unit-of-work.ts';
import { AppError, ensure } from '../../platform/errors.ts';
import { prepareCaseSealing } from './identities.ts';
import { caseCreateBody, type CaseCreateInput } from './schema.ts';
import { insertCaseIn, requireCaseWorker } from './service.ts';

/**
 * `tutela cases import FILE`: existing case lists (CSV, UTF-8, header row) brought in by a supervisor of
 * the agency, whole or nothing: every bad line is listed and nothing is written. Columns:
 *   full_name, birth_date (YYYY[-MM[-DD]]) or age_estimate, parents_names, sex, risk_level, urgent (yes/no),
 *   concerns (separated by ;), identified_at (ISO date-time), assigned_to (a case worker's username).
 */
export const IMPORT_COLUMNS = ['full_name', 'birth_date', 'age_estimate', 'parents_names', 'sex', 'risk_level', 'urgent', 'concerns', 'identified_at', 'assigned_to'] as const;
const REQUIRED = ['full_name', 'sex', 'risk_level', 'assigned_to'];
export interface ImportLineError { line: number; column: string; rule: string }
export interface ParsedImport { rows: { line: number; input: CaseCreateInput; assignee: string }[]; errors: ImportLineError[] }

export function parseCaseCsv(text: string, now = new Date()): ParsedImport {
  const records = parse(text, { bom: true, skip_empty_lines: true, relax_column_count: true, info: true }) as unknown as { record: string[]; info: { lines: number } }[];
  const errors: ImportLineError[] = [];
  const header = (records[0]?.record ?? []).map((h) => h.trim().toLowerCase());
  for (const col of REQUIRED) if (!header.includes(col)) errors.push({ line: 1, column: col, rule: 'missing column' });
  for (const col of header) if (!(IMPORT_COLUMNS as readonly string[]).includes(col)) errors.push({ line: 1, column: col, rule: `unknown column (expected: ${IMPORT_COLUMNS.join(', ')})` });
  if (errors.length) return { rows: [], errors };
  const rows: ParsedImport['rows'] = [];
  for (const { record, info } of records.slice(1)) {
    const cell = (c: string) => (record[header.indexOf(c)] ?? '').trim();
    const line = info.lines;
    const birthDate = cell('birth_date');
    const age = cell('age_estimate');
    if ((birthDate === '') === (age === '')) {
      errors.push({ line, column: 'birth_date', rule: 'give either birth_date or age_estimate' });
      continue;
    }
    const urgent = cell('urgent').toLowerCase();
    if (!['', 'yes', 'no', 'true', 'false'].includes(urgent)) errors.push({ line, column: 'urgent', rule: 'yes or no' });
    const raw = {
      child: { full_name: cell('full_name'), birth: birthDate ? { date: birthDate } : { age_estimate: Number(age) }, parents_names: cell('parents_names') },
      sex: cell('sex'), risk_level: cell('risk_level'), urgent: urgent === 'yes' || urgent === 'true',
      concerns: cell('concerns') ? cell('concerns').split(';').map((s) => s.trim()).filter(Boolean) : [],
      ...(cell('identified_at') && { identified_at: cell('identified_at') }),
    };
    const parsed = caseCreateBody.safeParse(raw);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        const path = issue.path.join('.');
        const column = path.startsWith('child.birth') ? (birthDate ? 'birth_date' : 'age_estimate') : path.startsWith('child.') ? path.slice(6) : path.split('.')[0] ?? '';
        errors.push({ line, column, rule: issue.message });
      }
      continue;
    }
    if (parsed.data.identified_at && new Date(parsed.data.identified_at) > now) errors.push({ line, column: 'identified_at', rule: 'not in the future' });
    rows.push({ line, input: parsed.data, assignee: cell('assigned_to') });
  }
  if (rows.length === 0 && errors.length === 0) errors.push({ line: 1, column: '', rule: 'no case rows' });
  return { rows, errors };
}

/** All rows in one transaction, as the supervisor `ctx` of the agency; any bad line and nothing is written. */
export async function importCases(db: Kysely<DB>, ctx: RequestContext, text: string, now = new Date()) {
  ensure(ctx.actor.role === 'supervisor' && ctx.actor.scope.agency, 'permission.denied', { rule: 'a supervisor of the agency imports its cases' });
  const agency = ctx.actor.scope.agency!;
  const parsed = parseCaseCsv(text, now);
  const users = await db.selectFrom('users').select(['user_id', 'username']).where('mission_id', '=', ctx.actor.missionId).execute();
  const byName = new Map(users.map((u) => [u.username, u.user_id]));
  for (const r of parsed.rows) if (!byName.has(r.assignee)) parsed.errors.push({ line: r.line, column: 'assigned_to', rule: `no user ${r.assignee} in the mission` });
  if (parsed.errors.length) throw new CaseImportError(parsed.errors.sort((a, b) => a.line - b.line));
  await prepareCaseSealing(db, ctx.actor.missionId);
  return runUnitOfWork(db, ctx, 'write', async (uow) => {
    const checked = new Set<string>();
    const ids: string[] = [];
    for (const r of parsed.rows) {
      const assignedTo = byName.get(r.assignee)!;
      if (!checked.has(assignedTo)) {
        try {
          await requireCaseWorker(uow, assignedTo, agency);
        } catch (err) {
          if (err instanceof AppError) throw new CaseImportError([{ line: r.line, column: 'assigned_to', rule: `${r.assignee}: ${err.details.rule}` }]);
          throw err;
        }
        checked.add(assignedTo);
      }
      const identifiedAt = r.input.identified_at ? new Date(r.input.identified_at) : now;
      ids.push((await insertCaseIn(uow, db, r.input, agency, assignedTo, identifiedAt, now)).row.case_id);
    }
    uow.audit({ action: 'case.import', details: { cases: ids.length } });
    return { imported: ids.length, case_ids: ids };
  });
}

export class CaseImportError extends Error {
  constructor(readonly errors: ImportLineError[]) {
    super(`${errors.length} bad line(s); nothing imported`);
  }
}
