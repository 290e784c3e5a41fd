import fs from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import type { Kysely } from 'kysely';
import type { RequestContext } from '../../../platform/context.ts';
import type { DB } from '../../../platform/db/schema.ts';
import { AppError } from '../../../platform/errors.ts';
import { MRM_COLUMNS, type LineError, type MrmColumn, type RawRow } from './columns.ts';
import { readTable, type FileTable } from './reader.ts';
import { importRecords, type ImportSummary } from './service.ts';

/**
 * `tutela import kobo FILE --mapping MAP`: a KoboToolbox / ODK export (CSV or XLSX, one submission per
 * row, headers named after the XLSForm's fields) brought in through a declarative mapping that says,
 * for each column of `tutela import mrm`, which form field holds it and how its codes translate.
 * The mapped rows then go through exactly the MRM import's checks and writes: whole or nothing, and
 * every error names the line and the form's own field.
 */
const rule = z.strictObject({
  /** The form field, as the export's header names it (matched case-insensitively, with or without its group path). */
  field: z.string().min(1).optional(),
  /** A constant for every row (e.g. the country of a single-country task force). */
  value: z.string().optional(),
  /** For incident_date: a second field holding the end of a date range. */
  end_field: z.string().min(1).optional(),
  type: z.enum(['text', 'date', 'geopoint_latitude', 'geopoint_longitude']).default('text'),
  /** select_one / select_multiple codes → MRM values (codes not listed pass through, and are checked as given). */
  values: z.record(z.string(), z.string()).optional(),
  /** select_multiple: the export separates choices with spaces; they become the MRM ';' list. */
  multiple: z.boolean().default(false),
  default: z.string().optional(),
}).refine((r) => (r.field === undefined) !== (r.value === undefined), 'give either field or value');

export const koboMapping = z.strictObject({
  name: z.string(),
  description: z.string().default(''),
  /** Match `group/sub/field` and `group.sub.field` headers by their last segment (Kobo's "include groups" option). */
  strip_groups: z.boolean().default(true),
  columns: z.partialRecord(z.enum(MRM_COLUMNS), rule),
});
export type KoboMapping = z.infer<typeof koboMapping>;
type Rule = z.infer<typeof rule>;

/** Mappings shipped with Tutela, by name (`--mapping kobo-mrm-incident`). */
export const SHIPPED_MAPPINGS: Record<string, string> = {
  'kobo-mrm-incident': path.join(import.meta.dirname, 'mappings', 'kobo-mrm-incident.json'),
};

export async function loadMapping(file: string): Promise<KoboMapping> {
  let raw: unknown;
  try {
    raw = JSON.parse(await fs.readFile(file, 'utf8'));
  } catch (err) {
    throw new AppError('request.invalid', { field: 'mapping', rule: `${path.basename(file)}: ${err instanceof Error ? err.message : 'cannot be read'}` });
  }
  const parsed = koboMapping.safeParse(raw);
  if (!parsed.success) {
    throw new AppError('request.invalid', { field: 'mapping', rule: parsed.error.issues.map((i) => `${i.path.join('.') || '(top)'}: ${i.message}`).join('; ') });
  }
  return parsed.data;
}

/** Kobo dates: `2025-03-04`, or a timestamp `2025-03-04T15:50:17+0200` whose local date is the one recorded. */
const dateOf = (s: string) => (/^\d{4}-\d{2}-\d{2}([T ].*)?$/.test(s) ? s.slice(0, 10) : s);

/** Maps the export's rows onto the MRM columns; `source` names, per MRM column, the form field it came from. */
export function mapTable(table: FileTable, mapping: KoboMapping): { records: { line: number; cells: RawRow }[]; errors: LineError[]; source: Map<string, string> } {
  const header = new Map<string, string>();
  for (const c of table.columns) {
    header.set(c, c);
    if (mapping.strip_groups) {
      const last = c.split(/[/.]/).at(-1)!;
      if (!header.has(last)) header.set(last, c);
    }
  }
  const missing: string[] = [];
  const column = (field: string | undefined) => {
    if (field === undefined) return undefined;
    const found = header.get(field.toLowerCase());
    if (!found) missing.push(field);
    return found;
  };
  const plan = MRM_COLUMNS.map((c) => {
    const r: Rule | undefined = mapping.columns[c];
    return { c, r, from: column(r?.field), end: column(r?.end_field) };
  });
  if (missing.length > 0) {
    throw new AppError('request.invalid', { field: 'file', rule: `line 1: the export has no field ${missing.join(', ')} named by the mapping "${mapping.name}"` });
  }
  const source = new Map(plan.filter((p) => p.r).map((p) => [p.c, p.from ?? `${p.c} (constant in the mapping)`]));
  const translate = (r: Rule, v: string) => {
    const code = (x: string) => (r.values ? r.values[x] ?? r.values[x.toLowerCase()] ?? x : x);
    return r.multiple ? v.split(/\s+/).filter(Boolean).map(code).join(';') : code(v);
  };
  const records = table.records.map((rec) => {
    const cells = Object.fromEntries(MRM_COLUMNS.map((c) => [c, ''])) as RawRow;
    for (const { c, r, from, end } of plan) {
      if (!r) continue;
      let v = r.value ?? (from ? rec.cells[from] ?? '' : '');
      if (v === '' && r.default !== undefined) v = r.default;
      if (v === '') continue;
      if (r.type === 'date') v = dateOf(v);
      else if (r.type === 'geopoint_latitude' || r.type === 'geopoint_longitude') v = v.split(/\s+/)[r.type === 'geopoint_latitude' ? 0 : 1] ?? '';
      v = translate(r, v);
      const endValue = end ? rec.cells[end] ?? '' : '';
      if (endValue !== '' && dateOf(endValue) !== v) v = `${v}/${dateOf(endValue)}`;
      cells[c as MrmColumn] = v;
    }
    return { line: rec.line, cells };
  });
  return { records, errors: [], source };
}

export async function importKoboFile(db: Kysely<DB>, ctx: RequestContext, file: string, mappingFile: string, options: { maxBytes?: number } = {}): Promise<ImportSummary> {
  const mapping = await loadMapping(mappingFile);
  const table = await readTable(file, options);
  if (table.records.length === 0) throw new AppError('request.invalid', { field: 'file', rule: 'the export has a header but no submissions' });
  const { records, source } = mapTable(table, mapping);
  const errors: LineError[] = table.raggedLines.map((r) => ({ line: r.line, column: '*', rule: `${r.found} cells, but the header names ${table.columns.length} columns` }));
  return importRecords(db, ctx, path.basename(file), records, errors, (c) => (source.has(c) && source.get(c) !== c ? `${source.get(c)} (${c})` : c));
}
