import type { FastifyInstance } from 'fastify';
import { requestContext, typed, type Deps } from '../../platform/http/app.ts';
import { errors } from '../../platform/http/responses.ts';
import { batchResult, changesQuery, changesResponse, receipt, reportBody } from './schema.ts';
import * as service from './service.ts';

export function registerSyncRoutes(app: FastifyInstance, { db }: Deps): void {
  const r = typed(app);
  const tags = ['sync'];

  r.post('/api/v1/reports', {
    config: { access: { roles: ['monitor', 'verifier'] } },
    schema: {
      tags, summary: 'Push reports recorded offline (idempotent by the device-chosen id)',
      description: 'One report: 201 and a receipt once the record is committed; the same id and content again: 200 and the same receipt; the same id with other content: 409 report.conflict (both versions kept for review). A batch `{reports: [...]}` answers 200 with one result per item.',
      body: reportBody, response: { 201: receipt, 200: receipt.or(batchResult), ...errors(400, 403, 409, 413) },
    },
  }, async (req, reply) => {
    const out = await service.receiveReports(db, requestContext(req), req.body);
    return reply.status(out.status).send(out.body);
  });

  r.get('/api/v1/sync/changes', {
    config: { access: { roles: ['monitor', 'verifier'] } },
    schema: {
      tags, summary: 'Records you may see that changed since the cursor, with their versions',
      querystring: changesQuery, response: { 200: changesResponse, ...errors(400, 403) },
    },
  }, (req) => service.changes(db, requestContext(req), req.query));
}
