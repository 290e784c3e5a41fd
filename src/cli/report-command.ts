import fs from 'node:fs';
import path from 'node:path';
import { finished } from 'node:stream/promises';
import type { Command } from 'commander';
import { DEFAULT_DISCLOSURE } from '../modules/mrm/reports/disclosure.ts';
import { exportViolationsCsv } from '../modules/mrm/reports/export.ts';
import { REPORT_FORMATS, type ReportFormat } from '../modules/mrm/reports/schema.ts';
import { readReport, renderReport } from '../modules/mrm/reports/service.ts';
import { systemContext } from '../platform/context.ts';
import { AppError } from '../platform/errors.ts';
import { missionFor } from './import-command.ts';
import { withStore } from './users-command.ts';

interface ReportOptions { format: string; public?: boolean; out?: string; mission?: string; threshold?: string }

async function runReport(report: 'annual' | 'ghn', period: string, opts: ReportOptions): Promise<void> {
  if (!(REPORT_FORMATS as readonly string[]).includes(opts.format)) {
    throw new AppError('request.invalid', { field: 'format', rule: `one of ${REPORT_FORMATS.join(', ')}${opts.format === 'pdf' ? ' (PDF is not built yet)' : ''}` });
  }
  const format = opts.format as ReportFormat;
  const threshold = opts.threshold === undefined ? DEFAULT_DISCLOSURE.threshold : Number(opts.threshold);
  if (!Number.isInteger(threshold) || threshold < 2) throw new AppError('request.invalid', { field: 'threshold', rule: 'a whole number of at least 2' });
  if (format === 'xlsx' && !opts.out) throw new AppError('request.invalid', { field: 'out', rule: 'an XLSX report needs --out FILE' });
  await withStore(async (store) => {
    const ctx = systemContext(await missionFor(store, opts.mission));
    const view = await readReport(store.db, ctx, { report, period, public: Boolean(opts.public), format,
      disclosure: { ...DEFAULT_DISCLOSURE, threshold, sexualViolenceBelowAdmin1: Math.max(threshold, DEFAULT_DISCLOSURE.sexualViolenceBelowAdmin1) } });
    const rendered = await renderReport(view, format);
    if (opts.out) {
      fs.writeFileSync(path.resolve(opts.out), rendered.body);
      console.error(`report written: ${path.resolve(opts.out)}`);
    } else {
      process.stdout.write(rendered.body);
    }
  });
}

export function registerReportCommands(program: Command): void {
  const report = program.command('report').description('MRM reports, counted by the rules of issue #4 (verified at the final level, by verification date)');
  const common = (c: Command) => c
    .option('--format <format>', `${REPORT_FORMATS.join(' | ')}`, 'json')
    .option('--public', 'disclosure-controlled: values from 1 to 4 (and the cells that would reveal them) suppressed')
    .option('--threshold <n>', 'smallest value published with --public', String(DEFAULT_DISCLOSURE.threshold))
    .option('--out <file>', 'write to a file instead of standard output')
    .option('--mission <id>', 'the mission (default: the only one)');

  common(report.command('annual').description('The annual report tables for a calendar year').requiredOption('--year <yyyy>', 'e.g. 2025'))
    .action((opts: ReportOptions & { year: string }) => runReport('annual', opts.year, opts));
  common(report.command('ghn').description('The Global Horizontal Note tables for a quarter').requiredOption('--quarter <yyyyQn>', 'e.g. 2026Q1'))
    .action((opts: ReportOptions & { quarter: string }) => runReport('ghn', opts.quarter, opts));

  program.command('export').description('Row-level exports').command('mrm')
    .description('Every violation as CSV in the columns of `tutela import mrm` (no coordinates), streamed')
    .requiredOption('--out <file>', 'the CSV file to write')
    .option('--mission <id>', 'the mission (default: the only one)')
    .action(async (opts: { out: string; mission?: string }) => {
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
