import fs from 'node:fs';
import path from 'node:path';
import { finished } from 'node:stream/promises';
import type { Command } from 'commander';
import { DEFAULT_DISCLOSURE } from '../modules/mrm/reports/disclosure.ts';
import { EXPORT_PGLITE_SHARED_BUFFERS, exportViolationsCsv } from '../modules/mrm/reports/export.ts';
import { REPORT_FORMATS, type ReportFormat } from '../modules/mrm/reports/schema.ts';
import { admin1Areas, missionOf, readReport, renderReport } from '../modules/mrm/reports/service.ts';
import { systemContext } from '../platform/context.ts';
import { AppError } from '../platform/errors.ts';
import { missionFor } from './import-command.ts';
import { listingCsv } from '../modules/mrm/listings/routes.ts';
import { actionPlanBody, actionPlanUpdateBody } from '../modules/mrm/listings/schema.ts';
import { createActionPlan, listActionPlans, readListing, updateActionPlan } from '../modules/mrm/listings/service.ts';
import { withStore } from './users-command.ts';

interface ReportOptions { format: string; public?: boolean; out?: string; mission?: string; threshold?: string; font?: string }

async function runReport(report: 'annual' | 'ghn', period: string, opts: ReportOptions): Promise<void> {
  if (!(REPORT_FORMATS as readonly string[]).includes(opts.format)) {
    throw new AppError('request.invalid', { field: 'format', rule: `one of ${REPORT_FORMATS.join(', ')}` });
  }
  const format = opts.format as ReportFormat;
  const threshold = opts.threshold === undefined ? DEFAULT_DISCLOSURE.threshold : Number(opts.threshold);
  if (!Number.isInteger(threshold) || threshold < 2) throw new AppError('request.invalid', { field: 'threshold', rule: 'a whole number of at least 2' });
  if ((format === 'xlsx' || format === 'pdf') && !opts.out) throw new AppError('request.invalid', { field: 'out', rule: `a ${format.toUpperCase()} report needs --out FILE` });
  await withStore(async (store) => {
    const ctx = systemContext(await missionFor(store, opts.mission));
    const view = await readReport(store.db, ctx, { report, period, public: Boolean(opts.public), format,
      disclosure: { ...DEFAULT_DISCLOSURE, threshold, sexualViolenceBelowAdmin1: Math.max(threshold, DEFAULT_DISCLOSURE.sexualViolenceBelowAdmin1) } });
    const rendered = await renderReport(view, format, format === 'geojson' ? await admin1Areas(store.db, ctx.actor.missionId) : undefined,
      format === 'pdf' ? { mission: await missionOf(store.db, ctx.actor.missionId), ...(opts.font ? { font: path.resolve(opts.font) } : {}) } : undefined);
    if (opts.out) {
      fs.writeFileSync(path.resolve(opts.out), rendered.body);
      console.error(`report written: ${path.resolve(opts.out)}`);
    } else {
      process.stdout.write(rendered.body);
    }
  });
}

function output(body: string, out?: string): void {
  if (out) {
    fs.writeFileSync(path.resolve(out), body);
    console.error(`written: ${path.resolve(out)}`);
  } else process.stdout.write(body);
}

function readJson(file: string): unknown {
  try {
    return JSON.parse(fs.readFileSync(path.resolve(file), 'utf8'));
  } catch (err) {
    throw new AppError('request.invalid', { field: 'file', rule: `${file}: ${err instanceof Error ? err.message : 'not JSON'}` });
  }
}

export function registerReportCommands(program: Command): void {
  const report = program.command('report').description('MRM reports, counted by the rules of issue #4 (verified at the final level, by verification date)');
  const common = (c: Command) => c
    .option('--format <format>', `${REPORT_FORMATS.join(' | ')}`, 'json')
    .option('--public', 'disclosure-controlled: values from 1 to 4 (and the cells that would reveal them) suppressed')
    .option('--threshold <n>', 'smallest value published with --public', String(DEFAULT_DISCLOSURE.threshold))
    .option('--out <file>', 'write to a file instead of standard output')
    .option('--mission <id>', 'the mission (default: the only one)');
  const withFont = (c: Command) => c.option('--font <ttf>', 'PDF only: a TrueType font for names outside Latin script (default: TUTELA_PDF_FONT, else DejaVu Sans if installed)');

  withFont(common(report.command('annual').description('The annual report tables for a calendar year').requiredOption('--year <yyyy>', 'e.g. 2025')))
    .action((opts: ReportOptions & { year: string }) => runReport('annual', opts.year, opts));
  withFont(common(report.command('ghn').description('The Global Horizontal Note tables for a quarter').requiredOption('--quarter <yyyyQn>', 'e.g. 2026Q1')))
    .action((opts: ReportOptions & { quarter: string }) => runReport('ghn', opts.quarter, opts));

  common(report.command('listing').description('Per party, which of the five listing triggers have verified violations in a year').requiredOption('--year <yyyy>', 'e.g. 2025'))
    .action(async (opts: ReportOptions & { year: string }) => {
      if (!['json', 'csv'].includes(opts.format)) throw new AppError('request.invalid', { field: 'format', rule: 'json or csv' });
      const year = Number(opts.year);
      if (!Number.isInteger(year) || year < 1900 || year > 2100) throw new AppError('request.invalid', { field: 'year', rule: 'a four-digit year, e.g. 2025' });
      await withStore(async (store) => {
        const view = await readListing(store.db, systemContext(await missionFor(store, opts.mission)), year);
        output(opts.format === 'csv' ? listingCsv(view) : `${JSON.stringify(view, null, 2)}\n`, opts.out);
      });
    });

  const plans = report.command('action-plans').description('Action plans signed with parties, and their progress');
  plans.command('list').description('Every action plan with its progress (JSON)').option('--mission <id>', 'the mission (default: the only one)')
    .action(async (opts: { mission?: string }) => {
      await withStore(async (store) => {
        output(`${JSON.stringify(await listActionPlans(store.db, systemContext(await missionFor(store, opts.mission))), null, 2)}\n`);
      });
    });
  plans.command('add').description('Record an action plan from a JSON file (fields of POST /api/v1/action-plans)').argument('<file>', 'plan.json')
    .option('--mission <id>', 'the mission (default: the only one)')
    .action(async (file: string, opts: { mission?: string }) => {
      await withStore(async (store) => {
        const plan = await createActionPlan(store.db, systemContext(await missionFor(store, opts.mission)), actionPlanBody.parse(readJson(file)));
        output(`${JSON.stringify(plan, null, 2)}\n`);
      });
    });
  plans.command('update').description('Change an action plan from a JSON file (fields of PATCH, with the version you read)').argument('<plan_id>').argument('<file>', 'changes.json')
    .option('--mission <id>', 'the mission (default: the only one)')
    .action(async (planId: string, file: string, opts: { mission?: string }) => {
      await withStore(async (store) => {
        const plan = await updateActionPlan(store.db, systemContext(await missionFor(store, opts.mission)), planId, actionPlanUpdateBody.parse(readJson(file)));
        output(`${JSON.stringify(plan, null, 2)}\n`);
      });
    });

  program.command('export').description('Row-level exports').command('mrm')
    .description('Every violation as CSV in the columns of `tutela import mrm` (no coordinates), streamed')
    .requiredOption('--out <file>', 'the CSV file to write')
    .option('--mission <id>', 'the mission (default: the only one)')
    .action(async (opts: { out: string; mission?: string }) => {
      // One pass over the store reads each page once: a PGlite buffer cache bigger than this buys
      // nothing and would stay in the process's memory (store.ts, pgliteSharedBuffers).
      process.env.TUTELA_PGLITE_SHARED_BUFFERS ??= EXPORT_PGLITE_SHARED_BUFFERS;
      await withStore(async (store) => {
        const ctx = systemContext(await missionFor(store, opts.mission));
        const out = fs.createWriteStream(path.resolve(opts.out));
        const { rows } = await exportViolationsCsv(store.db, ctx, out);
        out.end();
        await finished(out);
        console.error(`exported ${rows} violation(s) to ${path.resolve(opts.out)}`);
      });
    });
}
