import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import { requestContext, typed, type Deps } from '../../../platform/http/app.ts';
import { errors } from '../../../platform/http/responses.ts';
import { csvLine } from '../reports/formats.ts';
import { REPORT_ROLES } from '../reports/policy.ts';
import { actionPlanBody, actionPlanList, actionPlanUpdateBody, actionPlanView, listingQuery, listingView, planParams, type ListingView } from './schema.ts';
import * as service from './service.ts';

/** One row per party and trigger: the listing as a table for spreadsheets. */
export function listingCsv(view: ListingView): string {
  const lines = [csvLine(['year', 'party', 'category', 'trigger', 'met', 'verified', 'action_plans'])];
  for (const p of view.parties) {
    for (const t of view.triggers) {
      lines.push(csvLine([view.year, p.name, p.category, t, p.triggers.includes(t) ? 'yes' : 'no', p.verified[t] ?? null, p.action_plans.map((a) => `${a.status}${a.signed_on ? ` ${a.signed_on}` : ''}`).join('; ')]));
    }
  }
  return lines.join('');
}

export function registerListingRoutes(app: FastifyInstance, { db }: Deps): void {
  const r = typed(app);
  const tags = ['listings'];

  r.get('/api/v1/listings', {
    config: { access: { roles: REPORT_ROLES } },
    schema: { tags, summary: 'Per party, which of the five listing triggers have verified violations in the year', querystring: listingQuery, response: { 200: listingView, ...errors(400, 403) } },
  }, async (req, reply) => {
    const view = await service.readListing(db, requestContext(req), req.query.year);
    if (req.query.format === 'json') return view;
    return (reply as FastifyReply).header('content-type', 'text/csv; charset=utf-8').header('content-disposition', `attachment; filename="mrm-listing-${req.query.year}.csv"`).send(listingCsv(view));
  });

  r.get('/api/v1/action-plans', {
    config: { access: { roles: REPORT_ROLES } },
    schema: { tags, summary: 'Action plans with their progress', querystring: z.strictObject({ party_id: z.string().uuid().optional() }), response: { 200: actionPlanList, ...errors(400, 403) } },
  }, (req) => service.listActionPlans(db, requestContext(req), req.query.party_id));

  r.post('/api/v1/action-plans', {
    config: { access: { roles: [...service.PLAN_WRITE_ROLES] } },
    schema: { tags, summary: 'Record an action plan signed (or being negotiated) with a party', body: actionPlanBody, response: { 201: actionPlanView, ...errors(400, 403) } },
  }, async (req, reply) => reply.status(201).send(await service.createActionPlan(db, requestContext(req), req.body)));

  r.get('/api/v1/action-plans/:plan_id', {
    config: { access: { roles: REPORT_ROLES } },
    schema: { tags, summary: 'One action plan with its progress', params: planParams, response: { 200: actionPlanView, ...errors(400, 403, 404) } },
  }, (req) => service.getActionPlan(db, requestContext(req), req.params.plan_id));

  r.patch('/api/v1/action-plans/:plan_id', {
    config: { access: { roles: [...service.PLAN_WRITE_ROLES] } },
    schema: { tags, summary: 'Change an action plan: status, activities, evidence (send the version you read)', params: planParams, body: actionPlanUpdateBody,
      response: { 200: actionPlanView, ...errors(400, 403, 404, 409) } },
  }, (req) => service.updateActionPlan(db, requestContext(req), req.params.plan_id, req.body));
}
