import type { FastifyContextConfig, FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Role } from '../../platform/context.ts';
import { requestContext, typed, type Deps } from '../../platform/http/app.ts';
import { errors } from '../../platform/http/responses.ts';
import { recordBestInterests } from './best-interests.ts';
import {
  bestInterestsBody, bestInterestsView, careView, componentBody, componentUpdateBody, componentView, exportBody, exportView, indicatorsQuery,
  indicatorsView, matchDecisionBody, matchProposalBody, matchView, placementBody, placementEndBody, placementView, reunificationBody,
  reunificationView, tracingPage, tracingRequestBody, tracingRequestView, tracingStepBody, visitBody, visitView } from './care-schema.ts';
import { exportCases, getCare } from './care-service.ts';
import { caseIndicators, INDICATOR_ROLES } from './indicators-service.ts';
import { endPlacement, recordPlacement } from './interim-care.ts';
import { addComponent, recordVisit, updateComponent } from './reintegration.ts';
import { proposeTracingMatches, runTracingMatch } from './tracing-linkage.ts';
import * as tracing from './tracing.ts';

const STAFF = ['case_worker', 'supervisor'] as const satisfies readonly Role[];
/** `record`: what scope decides (a tracing request is scoped like a case: the agency's). */
const access = (roles: readonly Role[], record?: 'case'): FastifyContextConfig['access'] => ({ roles, ...(record && { record }) });
const caseParams = z.object({ case_id: z.string().uuid() });
const requestParams = z.object({ request_id: z.string().uuid() });

/** Interim care, reintegration plan, follow-up visits, tracing and reunification, BIA/BID, export, indicators. */
export function registerCareRoutes(app: FastifyInstance, { db }: Deps): void {
  const r = typed(app);
  const tags = ['cases'];

  r.get('/api/v1/cases/indicators', {
    config: { access: access(INDICATOR_ROLES) },
    schema: { tags, summary: 'Release and reintegration indicators (disclosure-controlled; whole=true: a supervisor\'s agency, unsuppressed)', querystring: indicatorsQuery, response: { 200: indicatorsView, ...errors(400, 403) } },
  }, (req) => caseIndicators(db, requestContext(req), req.query));

  r.post('/api/v1/cases/export', {
    config: { access: access(STAFF) },
    schema: { tags, summary: 'Export case data for a recipient: children without consent are left out unless overridden (imminent risk, justified)', body: exportBody, response: { 200: exportView, ...errors(400, 403, 404) } },
  }, (req) => exportCases(db, requestContext(req), req.body));

  r.get('/api/v1/cases/:case_id/care', {
    config: { access: access(STAFF, 'case') },
    schema: { tags, summary: 'Interim care, reintegration plan, follow-up visits, reunification and best-interests records of a case', params: caseParams, response: { 200: careView, ...errors(400, 403, 404) } },
  }, (req) => getCare(db, requestContext(req), req.params.case_id));

  r.post('/api/v1/cases/:case_id/interim-care', {
    config: { access: access(STAFF, 'case') },
    schema: { tags, summary: 'Admit the child to an interim care placement (length-of-stay alerts)', params: caseParams, body: placementBody, response: { 201: placementView, ...errors(400, 403, 404, 409) } },
  }, async (req, reply) => reply.status(201).send(await recordPlacement(db, requestContext(req), req.params.case_id, req.body)));

  r.post('/api/v1/cases/:case_id/interim-care/:placement_id/end', {
    config: { access: access(STAFF, 'case') },
    schema: { tags, summary: 'End an interim care placement', params: caseParams.extend({ placement_id: z.string().uuid() }), body: placementEndBody, response: { 200: placementView, ...errors(400, 403, 404, 409) } },
  }, (req) => endPlacement(db, requestContext(req), req.params.case_id, req.params.placement_id, req.body));

  r.post('/api/v1/cases/:case_id/reintegration', {
    config: { access: access(STAFF, 'case') },
    schema: { tags, summary: 'Add a component to the reintegration plan', params: caseParams, body: componentBody, response: { 201: componentView, ...errors(400, 403, 404, 409) } },
  }, async (req, reply) => reply.status(201).send(await addComponent(db, requestContext(req), req.params.case_id, req.body)));

  r.patch('/api/v1/cases/:case_id/reintegration/:component_id', {
    config: { access: access(STAFF, 'case') },
    schema: { tags, summary: 'Update a component: status, end date, provider, outcome', params: caseParams.extend({ component_id: z.string().uuid() }), body: componentUpdateBody, response: { 200: componentView, ...errors(400, 403, 404, 409) } },
  }, (req) => updateComponent(db, requestContext(req), req.params.case_id, req.params.component_id, req.body));

  r.post('/api/v1/cases/:case_id/followups/:visit_id', {
    config: { access: access(STAFF, 'case') },
    schema: { tags, summary: 'Record a scheduled follow-up visit (a further visit is added to the schedule)', params: caseParams.extend({ visit_id: z.string().uuid() }), body: visitBody, response: { 200: visitView, ...errors(400, 403, 404, 409) } },
  }, (req) => recordVisit(db, requestContext(req), req.params.case_id, req.params.visit_id, req.body));

  r.post('/api/v1/cases/:case_id/reunification', {
    config: { access: access(STAFF, 'case') },
    schema: { tags, summary: 'Reunification through a confirmed tracing match, or alternative care; schedules the follow-up visits', params: caseParams, body: reunificationBody, response: { 201: reunificationView, ...errors(400, 403, 404, 409) } },
  }, async (req, reply) => reply.status(201).send(await tracing.recordReunification(db, requestContext(req), req.params.case_id, req.body)));

  r.post('/api/v1/cases/:case_id/best-interests', {
    config: { access: access(STAFF, 'case') },
    schema: { tags, summary: 'Record a best-interests assessment (BIA) or determination (BID, supervisor)', params: caseParams, body: bestInterestsBody, response: { 201: bestInterestsView, ...errors(400, 403, 404) } },
  }, async (req, reply) => reply.status(201).send(await recordBestInterests(db, requestContext(req), req.params.case_id, req.body)));

  r.post('/api/v1/tracing-requests', {
    config: { access: access(STAFF) },
    schema: { tags, summary: 'Register a family\'s tracing request (who is sought and who asks: sealed)', body: tracingRequestBody, response: { 201: tracingRequestView, ...errors(400, 403) } },
  }, async (req, reply) => reply.status(201).send(await tracing.createTracingRequest(db, requestContext(req), req.body)));

  r.get('/api/v1/tracing-requests', {
    config: { access: access(STAFF) },
    schema: { tags, summary: 'Your agency\'s tracing requests', querystring: z.strictObject({ status: z.enum(['open', 'tracing_in_progress', 'verified', 'reunified', 'closed']).optional() }), response: { 200: tracingPage, ...errors(400, 403) } },
  }, (req) => tracing.listTracingRequests(db, requestContext(req), req.query));

  r.get('/api/v1/tracing-requests/:request_id', {
    config: { access: access(STAFF, 'case') },
    schema: { tags, summary: 'One tracing request with its matches and steps; include=identity opens who is sought (audited)', params: requestParams, querystring: z.strictObject({ include: z.enum(['identity']).optional() }), response: { 200: tracingRequestView, ...errors(400, 403, 404) } },
  }, (req) => tracing.getTracingRequest(db, requestContext(req), req.params.request_id, { identity: req.query.include === 'identity' }));

  r.post('/api/v1/tracing-requests/:request_id/steps', {
    config: { access: access(STAFF, 'case') },
    schema: { tags, summary: 'A tracing step: start tracing, a note of what was done, or close', params: requestParams, body: tracingStepBody, response: { 200: tracingRequestView, ...errors(400, 403, 404, 409) } },
  }, (req) => tracing.tracingStep(db, requestContext(req), req.params.request_id, req.body));

  r.post('/api/v1/tracing-requests/:request_id/matches', {
    config: { access: access(STAFF, 'case') },
    schema: { tags, summary: 'Store a candidate match scored by the identity engine, with its explanation (tracing consent required)', params: requestParams, body: matchProposalBody, response: { 201: z.object({ items: z.array(matchView) }), ...errors(400, 403, 404, 409) } },
  }, async (req, reply) => reply.status(201).send(await proposeTracingMatches(db, requestContext(req), req.params.request_id, [req.body])));

  r.post('/api/v1/tracing-requests/:request_id/match', {
    config: { access: access(STAFF, 'case') },
    schema: { tags, summary: 'Ask the identity engine for candidates among children whose consent covers tracing; stores them for a person to decide', params: requestParams,
      response: { 200: z.object({ children_compared: z.number(), children_without_tracing_consent: z.number(), items: z.array(matchView) }), ...errors(400, 403, 404, 409) } },
  }, (req) => runTracingMatch(db, requestContext(req), req.params.request_id));

  r.post('/api/v1/tracing-requests/:request_id/matches/:match_id/decision', {
    config: { access: access(STAFF, 'case') },
    schema: { tags, summary: 'A person confirms or rejects a candidate match; confirming verifies the request', params: requestParams.extend({ match_id: z.string().uuid() }), body: matchDecisionBody, response: { 200: matchView, ...errors(400, 403, 404, 409) } },
  }, (req) => tracing.decideMatch(db, requestContext(req), req.params.request_id, req.params.match_id, req.body));
}
