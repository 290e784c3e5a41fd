import type { Kysely } from 'kysely';
import type { RequestContext } from '../../../platform/context.ts';
import type { DB } from '../../../platform/db/schema.ts';
import { runUnitOfWork } from '../../../platform/db/unit-of-work.ts';
import { computeReport } from './counting.ts';
import { DEFAULT_DISCLOSURE, type DisclosureConfig } from './disclosure.ts';
import { reportCsv, reportXlsx } from './formats.ts';
import { annualPeriod, quarterPeriod, type Period } from './periods.ts';
import { reportForm } from './policy.ts';
import { publicReport } from './public-report.ts';
import { loadReportInput } from './repository.ts';
import type { ReportFormat, ReportView } from './schema.ts';

export interface ReportRequest {
  report: 'annual' | 'ghn';
  /** `2025` for annual, `2026Q1` for the GHN. */
  period: string;
  public: boolean;
  format: ReportFormat;
  disclosure?: DisclosureConfig;
}

export const periodOf = (req: Pick<ReportRequest, 'report' | 'period'>): Period =>
  (req.report === 'annual' ? annualPeriod(req.period) : quarterPeriod(req.period));

/**
 * One report, read in one transaction (a consistent snapshot) and put on record: who read which
 * figures, in which form. Analysts always get the disclosure-controlled form (policy.ts).
 */
export async function readReport(db: Kysely<DB>, ctx: RequestContext, req: ReportRequest): Promise<ReportView> {
  const form = reportForm(ctx.actor, req.public);
  const period = periodOf(req);
  const disclosure = req.disclosure ?? DEFAULT_DISCLOSURE;
  return runUnitOfWork(db, ctx, 'write', async (uow) => {
    const report = computeReport(await loadReportInput(uow.trx, ctx.actor, period));
    uow.audit({ action: 'report.read', targetType: 'report', targetId: `${req.report}:${req.period}`,
      details: { public: form.public, format: req.format, period, scope: ctx.actor.scope } });
    return form.public ? { report: req.report, public: true, ...publicReport(report, disclosure) } : { report: req.report, public: false, ...report };
  });
}

export interface RenderedReport { contentType: string; body: string | Buffer; extension: string }

export async function renderReport(view: ReportView, format: ReportFormat): Promise<RenderedReport> {
  switch (format) {
    case 'json': return { contentType: 'application/json; charset=utf-8', body: `${JSON.stringify(view, null, 2)}\n`, extension: 'json' };
    case 'csv': return { contentType: 'text/csv; charset=utf-8', body: reportCsv(view), extension: 'csv' };
    case 'hxl': return { contentType: 'text/csv; charset=utf-8', body: reportCsv(view, true), extension: 'hxl.csv' };
    case 'xlsx': return { contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', body: await reportXlsx(view), extension: 'xlsx' };
  }
}
