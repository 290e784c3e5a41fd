import fs from 'node:fs';
import v8 from 'node:v8';
import path from 'node:path';
import { finished } from 'node:stream/promises';
import type { Command } from 'commander';
import { DEFAULT_DISCLOSURE } from '../modules/mrm/reports/disclosure.ts';
import { REPORT_FORMATS, type ReportFormat } from '../modules/mrm/reports/schema.ts';
import type { Store } from '../platform/db/store.ts';
import { systemContext } from '../platform/context.ts';
import { AppError } from '../platform/errors.ts';

// Services are loaded by the action that uses them (see main.ts): the listings' module brings the web
// server, the report formats bring the spreadsheet and PDF libraries, and `tutela export mrm` needs none.
const reports = () => import('../modules/mrm/reports/service.ts');
const listings = () => import('../modules/mrm/listings/service.ts');

/** The store and the mission of one command (users-command.ts), loaded on use. */
async function withMission(mission: string | undefined, fn: (store: Store, missionId: string) => Promise<void>): Promise<void> {
  const { resolveMission, withStore } = await import('./users-command.ts');
  await withStore(async (store) => fn(store, await resolveMission(store, mission)));
}

interface ReportOptions { format: string; public?: boolean; out?: string; mission?: string; threshold?: string; font?: string }

async function runReport(report: 'annual' | 'ghn', period: string, opts: ReportOptions): Promise<void> {
  if (!(REPORT_FORMATS as readonly string[]).includes(opts.format)) {
    throw new AppError('request.invalid', { field: 'format', rule: `one of ${REPORT_FORMATS.join(', ')}` });
  }
  const format = opts.format as ReportFormat;
  const threshold = opts.threshold === undefined ? DEFAULT_DISCLOSURE.threshold : Number(opts.threshold);
  if (!Number.isInteger(threshold) || threshold < 2) throw new AppError('request.invalid', { field: 'threshold', rule: 'a whole number of at least 2' });
  if ((format === 'xlsx' || format === 'pdf') && !opts.out) throw new AppError('request.invalid', { field: 'out', rule: `a ${format.toUpperCase()} report needs --out FILE` });
  const { admin1Areas, missionOf, readReport, renderReport } = await reports();
  await withMission(opts.mission, async (store, missionId) => {
    const ctx = systemContext(missionId);
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
      const [{ readListing }, { listingCsv }] = await Promise.all([listings(), import('../modules/mrm/listings/routes.ts')]);
      await withMission(opts.mission, async (store, missionId) => {
        const view = await readListing(store.db, systemContext(missionId), year);
        output(opts.format === 'csv' ? listingCsv(view) : `${JSON.stringify(view, null, 2)}\n`, opts.out);
      });
    });

  const plans = report.command('action-plans').description('Action plans signed with parties, and their progress');
  plans.command('list').description('Every action plan with its progress (JSON)').option('--mission <id>', 'the mission (default: the only one)')
    .action(async (opts: { mission?: string }) => {
      const { listActionPlans } = await listings();
      await withMission(opts.mission, async (store, missionId) => {
        output(`${JSON.stringify(await listActionPlans(store.db, systemContext(missionId)), null, 2)}\n`);
      });
    });
  plans.command('add').description('Record an action plan from a JSON file (fields of POST /api/v1/action-plans)').argument('<file>', 'plan.json')
    .option('--mission <id>', 'the mission (default: the only one)')
    .action(async (file: string, opts: { mission?: string }) => {
      const [{ createActionPlan }, { actionPlanBody }] = await Promise.all([listings(), import('../modules/mrm/listings/schema.ts')]);
      await withMission(opts.mission, async (store, missionId) => {
        const plan = await createActionPlan(store.db, systemContext(missionId), actionPlanBody.parse(readJson(file)));
        output(`${JSON.stringify(plan, null, 2)}\n`);
      });
    });
  plans.command('update').description('Change an action plan from a JSON file (fields of PATCH, with the version you read)').argument('<plan_id>').argument('<file>', 'changes.json')
    .option('--mission <id>', 'the mission (default: the only one)')
    .action(async (planId: string, file: string, opts: { mission?: string }) => {
      const [{ updateActionPlan }, { actionPlanUpdateBody }] = await Promise.all([listings(), import('../modules/mrm/listings/schema.ts')]);
      await withMission(opts.mission, async (store, missionId) => {
        const plan = await updateActionPlan(store.db, systemContext(missionId), planId, actionPlanUpdateBody.parse(readJson(file)));
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
      const { EXPORT_PGLITE_SHARED_BUFFERS, exportViolationsCsv } = await import('../modules/mrm/reports/export.ts');
      process.env.TUTELA_PGLITE_SHARED_BUFFERS ??= EXPORT_PGLITE_SHARED_BUFFERS;
      // PGlite's WebAssembly compiled by the baseline compiler only: the optimising tier's code for the
      // whole module was ~55 MB of this process's memory (measured: 280 → 225 MB once the store was open;
      // a 100,000-row export peaked at 341 MB without it and 269 MB with it, for 15.3 s → 18.8 s of CPU).
      // Set before the store opens, when the module is compiled; no effect on PostgreSQL.
      v8.setFlagsFromString('--liftoff-only');
      await withMission(opts.mission, async (store, missionId) => {
        const ctx = systemContext(missionId);
        const out = fs.createWriteStream(path.resolve(opts.out));
        const { rows } = await exportViolationsCsv(store.db, ctx, out);
        out.end();
        await finished(out);
        console.error(`exported ${rows} violation(s) to ${path.resolve(opts.out)}`);
      });
    });
}
