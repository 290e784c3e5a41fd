import type { FastifyInstance } from 'fastify';
import { requestContext, typed, type Deps } from '../../platform/http/app.ts';
import { errors } from '../../platform/http/responses.ts';
import { auditPage, auditQuery } from './schema.ts';
import * as service from './service.ts';

export function registerAuditRoutes(app: FastifyInstance, { db }: Deps): void {
  typed(app).get('/api/v1/audit', {
    config: { access: { roles: ['auditor'] } },
    schema: {
      tags: ['audit'],
      summary: 'Your mission\'s audit trail, newest first, filtered (auditors only; the read is itself audited)',
      querystring: auditQuery,
      response: { 200: auditPage, ...errors(400, 403) },
    },
  }, (req) => service.listAuditEvents(db, requestContext(req), req.query));
}
