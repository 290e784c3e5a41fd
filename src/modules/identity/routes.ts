import type { FastifyContextConfig, FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Role } from '../../platform/context.ts';
import { requestContext, typed, type Deps } from '../../platform/http/app.ts';
import { errors } from '../../platform/http/responses.ts';
import { LINK_ROLES, REVIEW_ROLES, RUN_ROLES, TRACING_ROLES } from './policy.ts';
import { decisionBody, decisionView, linksView, mergeBody, reviewPage, reviewQuery, runView, tracingBody, tracingView, unmergeBody } from './schema.ts';
import * as service from './service.ts';
import { matchTracingIdentity } from './tracing.ts';

const caseParams = z.object({ case_id: z.string().uuid() });
const access = (roles: readonly Role[], record?: 'case'): FastifyContextConfig['access'] => ({ roles, ...(record && { record }) });

export function registerIdentityRoutes(app: FastifyInstance, { db }: Deps): void {
  const r = typed(app);
  const tags = ['identity'];

  r.post('/api/v1/identity/runs', {
    config: { access: access(RUN_ROLES) },
    schema: { tags, summary: 'Run identity linkage over the mission\'s cases and named MRM victims (identities opened in memory by the server; audited); counts only', response: { 201: runView, ...errors(403) } },
  }, async (req, reply) => reply.status(201).send(await service.runLinkage(db, requestContext(req))));

  r.get('/api/v1/identity/review', {
    config: { access: access(REVIEW_ROLES) },
    schema: { tags, summary: 'Pairs awaiting a decision that touch a case of your agency, most uncertain first', querystring: reviewQuery, response: { 200: reviewPage, ...errors(400, 403) } },
  }, (req) => service.reviewQueue(db, requestContext(req), req.query));

  r.post('/api/v1/identity/decisions', {
    config: { access: access(REVIEW_ROLES) },
    schema: { tags, summary: 'Decide a scored pair: same child, different children, or unsure (a label for the next run)', body: decisionBody, response: { 201: decisionView, ...errors(400, 403, 404) } },
  }, async (req, reply) => reply.status(201).send(await service.decide(db, requestContext(req), req.body)));

  r.get('/api/v1/identity/cases/:case_id', {
    config: { access: access(LINK_ROLES, 'case') },
    schema: { tags, summary: 'The child\'s cluster: linked cases, MRM victims by pseudonym, and how each record came in', params: caseParams, response: { 200: linksView, ...errors(400, 403, 404) } },
  }, (req) => service.caseLinks(db, requestContext(req), req.params.case_id));

  r.post('/api/v1/identity/cases/:case_id/merge', {
    config: { access: access(REVIEW_ROLES, 'case') },
    schema: { tags, summary: 'Merge the case\'s child with another record\'s (kept as accepted decisions and provenance)', params: caseParams, body: mergeBody, response: { 200: linksView, ...errors(400, 403, 404, 409) } },
  }, (req) => service.mergeRecords(db, requestContext(req), req.params.case_id, req.body));

  r.post('/api/v1/identity/cases/:case_id/unmerge', {
    config: { access: access(REVIEW_ROLES, 'case') },
    schema: { tags, summary: 'Take the case out of its cluster (kept as rejected decisions and provenance)', params: caseParams, body: unmergeBody, response: { 200: linksView, ...errors(400, 403, 404, 409) } },
  }, (req) => service.unmergeRecord(db, requestContext(req), req.params.case_id, req.body));

  r.post('/api/v1/identity/tracing-matches', {
    config: { access: access(TRACING_ROLES) },
    schema: { tags, summary: 'Children whose consent covers tracing who may be the child a family looks for (no identities returned)', body: tracingBody, response: { 200: tracingView, ...errors(400, 403) } },
  }, (req) => matchTracingIdentity(db, requestContext(req), req.body));
}
