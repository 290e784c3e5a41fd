import type { FastifyContextConfig, FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Role } from '../../platform/context.ts';
import { requestContext, typed, type Deps } from '../../platform/http/app.ts';
import { errors } from '../../platform/http/responses.ts';
import { registerCareRoutes } from './care-routes.ts';
import * as referrals from './referrals.ts';
import { flagReRecruitment } from './re-recruitment.ts';
import * as release from './release.ts';
import {
  alertsView, caseCreateBody, caseListQuery, caseloadView, casePage, caseQuery, caseUpdateBody, caseView, consentBody, consentHistoryView, handoverBody,
  reRecruitmentBody, referralCreateBody, referralListQuery, referralPage, referralStatusBody, referralView, releaseBody, transitionBody } from './schema.ts';
import * as service from './service.ts';

const caseParams = z.object({ case_id: z.string().uuid() });
const referralParams = z.object({ referral_id: z.string().uuid() });
const STAFF = ['case_worker', 'supervisor'] as const satisfies readonly Role[];

/** `record` names what scope decides (out of scope: 404). */
const access = (roles: readonly Role[] | 'any', record?: 'case' | 'referral'): FastifyContextConfig['access'] =>
  ({ roles, ...(record && { record }) });

export function registerCaseRoutes(app: FastifyInstance, deps: Deps): void {
  const { db } = deps;
  const r = typed(app);
  const tags = ['cases'];
  registerCareRoutes(app, deps);

  r.post('/api/v1/cases', {
    config: { access: access(STAFF) },
    schema: { tags, summary: 'Register a child\'s case (identity sealed; linked to MRM records by blind index)', body: caseCreateBody, response: { 201: caseView, ...errors(400, 403) } },
  }, async (req, reply) => reply.status(201).send(await service.registerCase(db, requestContext(req), req.body)));

  r.get('/api/v1/cases', {
    config: { access: access('any') },
    schema: { tags, summary: 'Cases you may see, by response due date', querystring: caseListQuery, response: { 200: casePage, ...errors(400) } },
  }, (req) => service.listCases(db, requestContext(req), req.query));

  r.get('/api/v1/cases/overdue', {
    config: { access: access(STAFF) },
    schema: { tags, summary: 'Open cases whose first action is late (tutela cases overdue)', response: { 200: casePage, ...errors(403) } },
  }, (req) => service.overdueCases(db, requestContext(req)));

  r.get('/api/v1/cases/caseload', {
    config: { access: access(STAFF) },
    schema: { tags, summary: 'Open cases per case worker against the caseload guidance', response: { 200: caseloadView, ...errors(403) } },
  }, (req) => service.caseload(db, requestContext(req)));

  r.get('/api/v1/cases/alerts', {
    config: { access: access(STAFF) },
    schema: { tags, summary: 'Late responses, handovers due or lapsed, and re-recruitment of released children', response: { 200: alertsView, ...errors(403) } },
  }, (req) => release.caseAlerts(db, requestContext(req)));

  r.get('/api/v1/cases/:case_id', {
    config: { access: access(STAFF, 'case') },
    schema: { tags, summary: 'One case with its consent, release and history; include=identity opens the sealed identity (audited)', params: caseParams, querystring: caseQuery, response: { 200: caseView, ...errors(400, 403, 404) } },
  }, (req) => service.getCase(db, requestContext(req), req.params.case_id, { identity: req.query.include === 'identity' }));

  r.patch('/api/v1/cases/:case_id', {
    config: { access: access(STAFF, 'case') },
    schema: { tags, summary: 'Change risk, urgency, concerns or (supervisor) the case worker; re_recruitment flags a released child as re-recruited', params: caseParams, body: caseUpdateBody, response: { 200: caseView, ...errors(400, 403, 404, 409) } },
  }, (req) => service.updateCase(db, requestContext(req), req.params.case_id, req.body));

  r.post('/api/v1/cases/:case_id/transitions', {
    config: { access: access(STAFF, 'case') },
    schema: { tags, summary: 'Move the case through its steps; approvals by a supervisor', params: caseParams, body: transitionBody, response: { 200: caseView, ...errors(400, 403, 404, 409) } },
  }, (req) => service.transitionCase(db, requestContext(req), req.params.case_id, req.body));

  r.post('/api/v1/cases/:case_id/consents', {
    config: { access: access(STAFF, 'case') },
    schema: { tags, summary: 'Record a new consent version (checked against the child\'s age)', params: caseParams, body: consentBody, response: { 201: caseView, ...errors(400, 403, 404) } },
  }, async (req, reply) => reply.status(201).send(await service.recordConsent(db, requestContext(req), req.params.case_id, req.body)));

  r.get('/api/v1/cases/:case_id/consents', {
    config: { access: access(STAFF, 'case') },
    schema: { tags, summary: 'Every consent version of the case, newest (in force) first', params: caseParams, response: { 200: consentHistoryView, ...errors(400, 403, 404) } },
  }, (req) => service.consentHistory(db, requestContext(req), req.params.case_id));

  r.post('/api/v1/cases/:case_id/re-recruitment', {
    config: { access: access(STAFF, 'case') },
    schema: { tags, summary: 'Flag a released child as re-recruited: alert, audit, high risk, counted by the re-recruitment indicators (open case with a release only)', params: caseParams, body: reRecruitmentBody, response: { 201: caseView, ...errors(400, 403, 404, 409) } },
  }, async (req, reply) => reply.status(201).send(await flagReRecruitment(db, requestContext(req), req.params.case_id, req.body)));

  r.post('/api/v1/cases/:case_id/referrals', {
    config: { access: access(STAFF, 'case') },
    schema: { tags, summary: 'Refer the case to another agency (needs consent, or a justified imminent-risk override)', params: caseParams, body: referralCreateBody, response: { 201: referralView, ...errors(400, 403, 404, 409) } },
  }, async (req, reply) => reply.status(201).send(await referrals.createReferral(db, requestContext(req), req.params.case_id, req.body)));

  r.post('/api/v1/cases/:case_id/release', {
    config: { access: access(STAFF, 'case') },
    schema: { tags, summary: 'Record the encounter or release of a child associated with an armed force or group; starts the handover timer', params: caseParams, body: releaseBody, response: { 201: caseView, ...errors(400, 403, 404, 409) } },
  }, async (req, reply) => reply.status(201).send(await release.recordRelease(db, requestContext(req), req.params.case_id, req.body)));

  r.post('/api/v1/cases/:case_id/release/handover', {
    config: { access: access(STAFF, 'case') },
    schema: { tags, summary: 'Record the handover to civilian child protection actors', params: caseParams, body: handoverBody, response: { 200: caseView, ...errors(400, 403, 404, 409) } },
  }, (req) => release.recordHandover(db, requestContext(req), req.params.case_id, req.body));

  r.get('/api/v1/referrals', {
    config: { access: access('any') },
    schema: { tags, summary: 'Referrals you sent or receive (case_id: of one case)', querystring: referralListQuery, response: { 200: referralPage, ...errors(400) } },
  }, (req) => referrals.listReferrals(db, requestContext(req), req.query));

  r.get('/api/v1/referrals/:referral_id', {
    config: { access: access(STAFF, 'referral') },
    schema: { tags, summary: 'One referral; the recipient sees only the granted forms, while consent holds', params: referralParams, response: { 200: referralView, ...errors(400, 403, 404) } },
  }, (req) => referrals.getReferral(db, requestContext(req), req.params.referral_id));

  r.post('/api/v1/referrals/:referral_id/status', {
    config: { access: access(STAFF, 'referral') },
    schema: { tags, summary: 'Accept (assigning a case worker) or decline (supervisor), or complete with feedback', params: referralParams, body: referralStatusBody, response: { 200: referralView, ...errors(400, 403, 404, 409) } },
  }, (req) => referrals.respondToReferral(db, requestContext(req), req.params.referral_id, req.body));
}
