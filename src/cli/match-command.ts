/**
 * `tutela match`: identity linkage of one or two CSV files (issue #5). Default settings read the child identity
 * interchange CSV; `--settings` names a JSON settings file (bench/ has those of the FEBRL and Splink sets).
 * Writes `record_id,cluster_id` for every input record (the cluster id is the id of the cluster's first record
 * in input order). With two inputs only pairs across the files are compared. Every file, column, id and date is
 * checked before any linkage starts; an error names the file, line and column.
 */
import fs from 'node:fs';
import type { Command } from 'commander';
import { parse } from 'csv-parse/sync';
import { CHILD_IDENTITY_SETTINGS, linkRecords, parseBirthDate, validateSettings, type LinkageSettings, type Row } from '../modules/identity/engine/index.ts';
import { comparisonColumns, ruleColumns } from '../modules/identity/engine/settings.ts';
import { MIN_RECORDS_TO_TRAIN, referenceModel } from '../modules/identity/model.ts';

export class MatchInputError extends Error {}

export interface MatchOptions { in: string[]; out: string; settings?: string; threshold?: string; threads?: string }

const FILE_COLUMN = '__file';
const SEXES = new Set(['', 'm', 'f', 'u']);

function readSettings(path: string | undefined): { settings: LinkageSettings; interchange: boolean } {
  if (path === undefined) return { settings: structuredClone(CHILD_IDENTITY_SETTINGS), interchange: true };
  let text: string;
  try {
    text = fs.readFileSync(path, 'utf8');
  } catch (err) {
    throw new MatchInputError(`cannot read --settings ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  let settings: LinkageSettings;
  try {
    settings = JSON.parse(text) as LinkageSettings;
  } catch (err) {
    throw new MatchInputError(`--settings ${path}: not JSON (${err instanceof Error ? err.message : String(err)})`);
  }
  if (typeof settings !== 'object' || settings === null || Array.isArray(settings)) throw new MatchInputError(`--settings ${path}: must be a JSON object`);
  try {
    validateSettings(settings);
  } catch (err) {
    throw new MatchInputError(`--settings ${path}: ${(err as Error).message.replace(/^settings: /, '')}`);
  }
  return { settings, interchange: false };
}

function withThreshold(settings: LinkageSettings, raw: string | undefined): LinkageSettings {
  if (raw === undefined) return settings;
  const p = Number(raw);
  if (!(p > 0 && p <= 1)) throw new MatchInputError(`option --threshold: "${raw}" must be a probability in (0, 1]`);
  const t = { autoLink: 0.95, review: 0.5, clusterFloor: 0.01, ...settings.thresholds };
  const review = Math.min(t.review, p);
  return { ...settings, thresholds: { autoLink: p, review, clusterFloor: Math.min(t.clusterFloor, review) } };
}

interface ReadFile { path: string; rows: { record: Record<string, string>; line: number }[] }

function readCsvFile(path: string): ReadFile {
  let text: string;
  try {
    text = fs.readFileSync(path, 'utf8');
  } catch (err) {
    throw new MatchInputError(`cannot read --in ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  try {
    const parsed = parse(text, { columns: true, info: true, skip_empty_lines: true, trim: true, bom: true }) as { record: Record<string, string>; info: { lines: number } }[];
    if (parsed.length === 0) throw new MatchInputError(`${path}: no records (a header row and at least one record are needed)`);
    return { path, rows: parsed.map((r) => ({ record: r.record, line: r.info.lines })) };
  } catch (err) {
    if (err instanceof MatchInputError) throw err;
    throw new MatchInputError(`${path}: not a readable CSV (${err instanceof Error ? err.message : String(err)})`);
  }
}

/** Every check that can fail on the input, in file order, before any linkage work. */
function checkFiles(files: ReadFile[], settings: LinkageSettings, interchange: boolean): void {
  const needed = new Set([settings.idColumn, ...(settings.sourceColumn && settings.sourceColumn !== FILE_COLUMN ? [settings.sourceColumn] : [])]);
  for (const spec of settings.comparisons) for (const c of comparisonColumns(spec)) needed.add(c);
  for (const rule of settings.blocking) for (const c of ruleColumns(rule)) needed.add(c);
  const dateColumns = settings.comparisons.flatMap((c) => (c.kind === 'date' ? [c.column, c.registrationDateColumn].filter((x): x is string => !!x) : []));
  const ageColumns = settings.comparisons.flatMap((c) => (c.kind === 'date' && c.ageColumn ? [c.ageColumn] : []));
  const seen = new Map<string, string>();
  for (const file of files) {
    const header = new Set(Object.keys(file.rows[0]!.record));
    const missing = [...needed].filter((c) => !header.has(c));
    if (missing.length) throw new MatchInputError(`${file.path}: missing column${missing.length > 1 ? 's' : ''} ${missing.map((c) => `"${c}"`).join(', ')} (required by the ${interchange ? 'interchange format' : 'settings'})`);
    for (const { record, line } of file.rows) {
      const at = (column: string) => `${file.path} line ${line}, column ${column}`;
      const id = record[settings.idColumn] ?? '';
      if (id === '') throw new MatchInputError(`${at(settings.idColumn)}: empty record id`);
      const first = seen.get(id);
      if (first) throw new MatchInputError(`${at(settings.idColumn)}: duplicate record id "${id}" (first on ${first})`);
      seen.set(id, `${file.path} line ${line}`);
      for (const c of dateColumns) {
        const v = record[c] ?? '';
        if (v !== '' && (parseBirthDate(v) === null || (interchange && !/^\d{4}(-\d{2}(-\d{2})?)?$/.test(v)))) {
          throw new MatchInputError(`${at(c)}: unreadable date "${v}" (YYYY, YYYY-MM or YYYY-MM-DD${interchange ? '' : ', YYYYMMDD or DD/MM/YYYY'})`);
        }
      }
      for (const c of ageColumns) {
        const v = record[c] ?? '';
        if (v !== '' && !(/^\d{1,3}(\.\d+)?$/.test(v))) throw new MatchInputError(`${at(c)}: "${v}" is not an age in years`);
      }
      if (interchange && !SEXES.has((record.sex ?? '').toLowerCase())) throw new MatchInputError(`${at('sex')}: "${record.sex}" is not M, F or U`);
    }
  }
}

const csvField = (v: string) => (/[",\n\r]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);

export async function runMatch(opts: MatchOptions): Promise<{ records: number; clusters: number; linked: number; candidatePairs: number; review: number; model: string; seconds: number }> {
  const started = performance.now();
  if (opts.in.length === 0 || opts.in.length > 2) throw new MatchInputError(`give one or two --in files (got ${opts.in.length})`);
  const threads = opts.threads === undefined ? undefined : Number(opts.threads);
  if (threads !== undefined && !(Number.isInteger(threads) && threads >= 1)) throw new MatchInputError(`option --threads: "${opts.threads}" must be an integer ≥ 1`);
  const read = readSettings(opts.settings);
  let settings = withThreshold(read.settings, opts.threshold);
  if (opts.in.length === 2) settings = { ...settings, sourceColumn: FILE_COLUMN };
  const files = opts.in.map(readCsvFile);
  checkFiles(files, settings, read.interchange);
  const rows: Row[] = files.flatMap((file, f) => file.rows.map(({ record }) => {
    const row: Record<string, string | undefined> = {};
    for (const [k, v] of Object.entries(record)) row[k] = v === '' ? undefined : v;
    if (opts.in.length === 2) row[FILE_COLUMN] = String(f);
    return row;
  }));
  // Small files cannot train a model (EM needs hundreds of true pairs): the interchange format then uses the
  // model trained on the generated reference set, as the service does.
  const useReference = read.interchange && rows.length < MIN_RECORDS_TO_TRAIN;
  const result = await linkRecords(rows, settings, { ...(threads !== undefined && { threads }), ...(useReference && { model: await referenceModel(rows.length) }) });
  const firstOf = new Map<number, string>();
  const lines = ['record_id,cluster_id'];
  const sizes = new Map<number, number>();
  result.prepared.ids.forEach((id, i) => {
    const c = result.clustering.clusterOf[i]!;
    if (!firstOf.has(c)) firstOf.set(c, id);
    sizes.set(c, (sizes.get(c) ?? 0) + 1);
    lines.push(`${csvField(id)},${csvField(firstOf.get(c)!)}`);
  });
  try {
    fs.writeFileSync(opts.out, `${lines.join('\n')}\n`);
  } catch (err) {
    throw new MatchInputError(`cannot write --out ${opts.out}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  return {
    records: rows.length, clusters: result.clustering.clusterCount, linked: [...sizes.values()].filter((n) => n > 1).reduce((a, n) => a + n, 0),
    candidatePairs: result.candidates.left.length, review: result.clustering.review.length,
    model: useReference ? 'reference (input too small to train)' : 'trained on the input', seconds: (performance.now() - started) / 1000,
  };
}

export function registerMatchCommand(program: Command): void {
  program.command('match')
    .description('Link records of one child across registrations (identity linkage): writes record_id,cluster_id for every input record')
    .requiredOption('--in <file>', 'CSV input; give twice to link two files (pairs across the files only)', (v: string, prev: string[]) => [...prev, v], [] as string[])
    .requiredOption('--out <file>', 'CSV output: record_id,cluster_id')
    .option('--settings <file>', 'JSON linkage settings (default: the child identity interchange CSV; see bench/ for FEBRL and Splink)')
    .option('--threshold <p>', 'auto-link probability (default 0.95); pairs between 0.5 and it are left for review')
    .option('--threads <n>', 'threads computing comparisons (default: one per core for ≥ 20,000 records)')
    .action(async (opts: MatchOptions) => {
      try {
        const r = await runMatch(opts);
        console.log(`tutela match: ${r.records} records → ${r.clusters} clusters (${r.linked} records linked to another), ${r.candidatePairs} candidate pairs, ${r.review} pairs left for review; model ${r.model}; ${r.seconds.toFixed(2)} s → ${opts.out}`);
      } catch (err) {
        if (!(err instanceof MatchInputError)) throw err;
        console.error(`tutela match: ${err.message}`);
        process.exitCode = 1;
      }
    });
}
