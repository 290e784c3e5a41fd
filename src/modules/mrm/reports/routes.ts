import type { FastifyInstance, FastifyReply } from 'fastify';
import { requestContext, typed, type Deps } from '../../../platform/http/app.ts';
import { errors } from '../../../platform/http/responses.ts';
import { registerListingRoutes } from '../listings/routes.ts';
import { REPORT_ROLES } from './policy.ts';
import { annualQuery, ghnQuery, reportView, type ReportFormat, type ReportView } from './schema.ts';
import { admin1Areas, missionOf, readReport, renderReport } from './service.ts';

async function send(reply: FastifyReply, view: ReportView, format: ReportFormat, name: string, db: Deps['db'], missionId: string) {
  if (format === 'json') return view;
  const out = await renderReport(view, format, format === 'geojson' ? await admin1Areas(db, missionId) : undefined,
    format === 'pdf' ? { mission: await missionOf(db, missionId) } : undefined);
  return reply.header('content-type', out.contentType).header('content-disposition', `attachment; filename="${name}.${out.extension}"`).send(out.body);
}

export function registerReportRoutes(app: FastifyInstance, deps: Deps): void {
  const { db } = deps;
  const r = typed(app);
  const tags = ['reports'];

  r.get('/api/v1/reports/annual', {
    config: { access: { roles: REPORT_ROLES } },
    schema: { tags, summary: 'The annual report tables (verified in the calendar year)', querystring: annualQuery, response: { 200: reportView, ...errors(400, 403) } },
  }, async (req, reply) => {
    const { year, format } = req.query;
    const view = await readReport(db, requestContext(req), { report: 'annual', period: String(year), public: req.query.public, format });
    return send(reply, view, format, `mrm-annual-${year}${view.public ? '-public' : ''}`, db, requestContext(req).actor.missionId);
  });

  r.get('/api/v1/reports/ghn', {
    config: { access: { roles: REPORT_ROLES } },
    schema: { tags, summary: 'The Global Horizontal Note tables for a quarter (e.g. 2026Q1)', querystring: ghnQuery, response: { 200: reportView, ...errors(400, 403) } },
  }, async (req, reply) => {
    const { quarter, format } = req.query;
    const view = await readReport(db, requestContext(req), { report: 'ghn', period: quarter, public: req.query.public, format });
    return send(reply, view, format, `mrm-ghn-${quarter}${view.public ? '-public' : ''}`, db, requestContext(req).actor.missionId);
  });
  // Listings and action plans are read off the same counted figures: registered with the reports.
  registerListingRoutes(app, deps);
}
