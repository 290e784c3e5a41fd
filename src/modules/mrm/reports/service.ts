import type { Kysely } from 'kysely';
import type { RequestContext } from '../../../platform/context.ts';
import type { DB } from '../../../platform/db/schema.ts';
import { runUnitOfWork } from '../../../platform/db/unit-of-work.ts';
import { computeReport } from './counting.ts';
import { DEFAULT_DISCLOSURE, type DisclosureConfig } from './disclosure.ts';
import { reportCsv, reportGeoJson, reportXlsx, type AreaInfo } from './formats.ts';
import { annualPeriod, quarterPeriod, type Period } from './periods.ts';
import { reportForm } from './policy.ts';
import { reportPdf, type PdfContext } from './pdf.ts';
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
  // GeoJSON is for public maps: always the disclosure-controlled figures.
  const form = reportForm(ctx.actor, req.public || req.format === 'geojson');
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

/** Names of the mission's admin-1 areas, for the GeoJSON features (reference data: not audited). */
export async function admin1Areas(db: Kysely<DB>, missionId: string): Promise<Map<string, AreaInfo>> {
  const rows = await db.selectFrom('admin_areas').select(['pcode', 'name', 'country_iso3']).where('mission_id', '=', missionId).where('admin_level', '=', 1).execute();
  return new Map(rows.map((r) => [r.pcode, { name: r.name, country: r.country_iso3, centroid: null }]));
}

/** The mission as a PDF names it. */
export async function missionOf(db: Kysely<DB>, missionId: string): Promise<PdfContext['mission']> {
  const row = await db.selectFrom('missions').select(['mission_id', 'name']).where('mission_id', '=', missionId).executeTakeFirst();
  return { id: missionId, name: row?.name ?? missionId };
}

export async function renderReport(view: ReportView, format: ReportFormat, areas: ReadonlyMap<string, AreaInfo> = new Map(),
  pdf?: Omit<PdfContext, 'generatedAt'> & { generatedAt?: Date }): Promise<RenderedReport> {
  switch (format) {
    case 'pdf': return { contentType: 'application/pdf', body: await reportPdf(view, { mission: { id: '', name: '' }, ...pdf, generatedAt: pdf?.generatedAt ?? new Date() }), extension: 'pdf' };
    case 'geojson': return { contentType: 'application/geo+json; charset=utf-8', body: reportGeoJson(view, areas), extension: 'geojson' };
    case 'json': return { contentType: 'application/json; charset=utf-8', body: `${JSON.stringify(view, null, 2)}\n`, extension: 'json' };
    case 'csv': return { contentType: 'text/csv; charset=utf-8', body: reportCsv(view), extension: 'csv' };
    case 'hxl': return { contentType: 'text/csv; charset=utf-8', body: reportCsv(view, true), extension: 'hxl.csv' };
    case 'xlsx': return { contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', body: await reportXlsx(view), extension: 'xlsx' };
  }
}
