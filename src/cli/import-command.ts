import path from 'node:path';
import type { Command } from 'commander';
import type { LineError } from '../modules/mrm/import/columns.ts';
import { DEFAULT_MAX_BYTES } from '../modules/mrm/import/reader.ts';
import { importMrmFile, type ImportSummary } from '../modules/mrm/import/service.ts';
import { importKoboFile, SHIPPED_MAPPINGS } from '../modules/mrm/import/kobo.ts';
import { systemContext } from '../platform/context.ts';
import type { Store } from '../platform/db/store.ts';
import { AppError } from '../platform/errors.ts';
import { resolveMission, withStore } from './users-command.ts';

/** The mission a command works on: the one named, or the store's only one (users-command.ts). */
export const missionFor = resolveMission;

export const formatLineError = (e: LineError) => `line ${e.line}, column ${e.column}: ${e.rule}`;

export function formatSummary(s: ImportSummary): string[] {
  const lines = [`imported ${s.file}: ${s.rows} row(s) → ${s.incidents} incident(s), ${s.violations} violation(s)`];
  if (s.created.countries.length) lines.push(`created countries (reference data; give them names): ${s.created.countries.join(', ')}`);
  if (s.created.admin_areas.length) lines.push(`created admin areas (reference data; named by P-code until boundaries are loaded): ${s.created.admin_areas.join(', ')}`);
  if (s.created.parties.length) lines.push(`created parties: ${s.created.parties.map((p) => `${p.name} (${p.category})`).join(', ')}`);
  return lines;
}

export function registerImportCommands(program: Command): void {
  const imp = program.command('import').description('Bring existing data into the store');

  imp.command('mrm')
    .description('Import MRM violations from a CSV (UTF-8) or XLSX file, one row per violation, columns: incident_ref, violation_type, ' +
      'incident_date, country, admin1, admin2, latitude, longitude, perpetrator, perpetrator_category, boys, girls, sex_unknown, victim_ref, ' +
      'verification_status, verification_date. Whole or nothing: any bad line and nothing is written; every bad line is listed. ' +
      'Unknown admin areas and parties are created as reference data and reported.')
    .argument('<file>', 'a .csv or .xlsx file')
    .option('--mission <id>', 'the mission to import into (default: the only one)')
    .option('--max-mb <n>', `refuse files larger than this (default ${DEFAULT_MAX_BYTES / 1048576})`)
    .action(async (file: string, opts: { mission?: string; maxMb?: string }) => {
      await runImport(file, opts, (store, missionId, o) => importMrmFile(store.db, systemContext(missionId), path.resolve(file), o));
    });

  imp.command('kobo')
    .description('Import a KoboToolbox / ODK export (CSV or XLSX, one submission per violation, headers named after the form fields) ' +
      'through a declarative mapping onto the columns of `tutela import mrm`; the same checks, whole or nothing. ' +
      `Shipped mappings: ${Object.keys(SHIPPED_MAPPINGS).join(', ')}.`)
    .argument('<file>', 'the export (.csv or .xlsx)')
    .requiredOption('--mapping <map>', 'a mapping JSON file, or the name of a shipped mapping')
    .option('--mission <id>', 'the mission to import into (default: the only one)')
    .option('--max-mb <n>', `refuse files larger than this (default ${DEFAULT_MAX_BYTES / 1048576})`)
    .action(async (file: string, opts: { mission?: string; maxMb?: string; mapping: string }) => {
      const mapping = SHIPPED_MAPPINGS[opts.mapping] ?? path.resolve(opts.mapping);
      await runImport(file, opts, (store, missionId, o) => importKoboFile(store.db, systemContext(missionId), path.resolve(file), mapping, o));
    });
}

async function runImport(file: string, opts: { mission?: string; maxMb?: string },
  run: (store: Store, missionId: string, options: { maxBytes?: number }) => Promise<ImportSummary>): Promise<void> {
  await withStore(async (store) => {
    const missionId = await missionFor(store, opts.mission);
    try {
      const summary = await run(store, missionId, opts.maxMb ? { maxBytes: Number(opts.maxMb) * 1048576 } : {});
      for (const line of formatSummary(summary)) console.log(line);
    } catch (err) {
      const errors = err instanceof AppError ? (err.details.errors as LineError[] | undefined) : undefined;
      if (!errors) throw err;
      console.error(`tutela: ${path.basename(file)} was NOT imported: ${err instanceof AppError ? err.details.rule : ''}`);
      for (const e of errors) console.error(formatLineError(e));
      process.exitCode = 1;
    }
  });
}
