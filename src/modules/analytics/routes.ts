import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { requestContext, typed, type Deps } from '../../platform/http/app.ts';
import { errors } from '../../platform/http/responses.ts';
import { alertListQuery, alertParams, alertView, scanBody, scanResponse } from './schema.ts';
import * as service from './service.ts';

const tags = ['analytics'];

export function registerAnalyticsRoutes(app: FastifyInstance, { db }: Deps): void {
  const r = typed(app);
  r.get('/api/v1/hotspot-alerts', {
    config: { access: { roles: ['monitor', 'verifier', 'analyst'] } },
    schema: { tags, summary: 'Space-time clusters of violations in the areas you answer for, newest first', querystring: alertListQuery,
      response: { 200: z.object({ items: z.array(alertView) }), ...errors(400, 403) } },
  }, (req) => service.listAlerts(db, requestContext(req), req.query.limit));

  r.post('/api/v1/hotspot-alerts/:alert_id/acknowledge', {
    config: { access: { roles: ['monitor', 'verifier'], record: 'alert' } },
    schema: { tags, summary: 'Acknowledge an alert (audited)', params: alertParams, response: { 200: alertView, ...errors(400, 403, 404) } },
  }, (req) => service.acknowledgeAlert(db, requestContext(req), req.params.alert_id));

  r.post('/api/v1/hotspot-scans', {
    config: { access: { roles: ['admin'] } },
    schema: {
      tags, summary: 'Run the hotspot scan of your mission now (it also runs daily)', body: scanBody,
      description: 'Prospective space-time permutation scan per violation type over the last year of reported and verified violations with coordinates; clusters rarer than once a year by chance become alerts.',
      response: { 200: scanResponse, ...errors(400, 403) },
    },
  }, async (req) => {
    const asOf = req.body.as_of ?? new Date().toISOString().slice(0, 10);
    const scans = await service.scanMission(db, requestContext(req), asOf);
    return { as_of: asOf, scans: scans.map((s) => ({ violation_type: s.violationType, cases: s.cases, clusters: s.clusters, alerts: s.alerts })) };
  });
}
