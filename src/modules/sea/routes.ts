import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { requestContext, typed, type Deps } from '../../platform/http/app.ts';
import { errors } from '../../platform/http/responses.ts';
import { readAggregate } from './aggregate.ts';
import { listAlerts } from './alerts.ts';
import { AGGREGATE_ROLES } from './policy.ts';
import {
  aggregateQuery, aggregateView, alertPage, allegationCreateBody, allegationPage, allegationQuery, allegationUpdateBody, allegationView,
  assistanceCreateBody, assistanceUpdateBody, assistanceView, settingsBody, settingsView, victimAddBody, victimRefParam, victimUpdateBody,
} from './schema.ts';
import * as service from './service.ts';
import { readSettings, writeSettings } from './settings.ts';

const allegationParams = z.object({ allegation_id: z.string().uuid() });
const referralParams = allegationParams.extend({ referral_id: z.string().uuid() });
const victimParams = allegationParams.extend({ victim_ref: victimRefParam });

/**
 * Conduct and discipline (SEA allegations). Record routes admit only the conduct officer and answer
 * every other role 404, like an unknown id: no other role may learn that an allegation exists. Lists
 * and alerts answer every role, empty for all but the conduct officer.
 */
export function registerSeaRoutes(app: FastifyInstance, { db }: Deps): void {
  const r = typed(app);
  const tags = ['conduct'];
  const conduct = ['conduct_officer'] as const;

  r.post('/api/v1/conduct/allegations', {
    config: { access: { roles: conduct } },
    schema: { tags, summary: 'Record an allegation of sexual exploitation or abuse by personnel', body: allegationCreateBody, response: { 201: allegationView, ...errors(400, 403, 409) } },
  }, async (req, reply) => reply.status(201).send(await service.createAllegation(db, requestContext(req), req.body)));

  r.get('/api/v1/conduct/allegations', {
    config: { access: { roles: 'any' } },
    schema: { tags, summary: 'Allegations, newest received first (empty for every role but the conduct officer)', response: { 200: allegationPage } },
  }, (req) => service.listAllegations(db, requestContext(req)));

  r.get('/api/v1/conduct/allegations/:allegation_id', {
    config: { access: { roles: conduct, record: 'allegation', concealed: true } },
    schema: {
      tags, summary: 'One allegation; include=identities|narrative|all opens sealed content (audited)',
      params: allegationParams, querystring: allegationQuery, response: { 200: allegationView, ...errors(400, 404) },
    },
  }, (req) => service.getAllegation(db, requestContext(req), req.params.allegation_id, {
    identities: req.query.include === 'identities' || req.query.include === 'all',
    narrative: req.query.include === 'narrative' || req.query.include === 'all',
  }));

  r.patch('/api/v1/conduct/allegations/:allegation_id', {
    config: { access: { roles: conduct, record: 'allegation', concealed: true } },
    schema: {
      tags, summary: 'Referral, Member State answer, NIO, outcome, actions, paternity claims, case links (send the version you read)',
      params: allegationParams, body: allegationUpdateBody, response: { 200: allegationView, ...errors(400, 404, 409) },
    },
  }, (req) => service.updateAllegation(db, requestContext(req), req.params.allegation_id, req.body));

  r.post('/api/v1/conduct/allegations/:allegation_id/victims', {
    config: { access: { roles: conduct, record: 'allegation', concealed: true } },
    schema: {
      tags, summary: 'Add a victim to an allegation on record (identity sealed; a case link only with consent)',
      params: allegationParams, body: victimAddBody, response: { 201: allegationView, ...errors(400, 404, 409) },
    },
  }, async (req, reply) => reply.status(201).send(await service.addVictim(db, requestContext(req), req.params.allegation_id, req.body)));

  r.patch('/api/v1/conduct/allegations/:allegation_id/victims/:victim_ref', {
    config: { access: { roles: conduct, record: 'allegation', concealed: true } },
    schema: {
      tags, summary: 'Correct a victim: age class, sex, identity (null erases it), case link (null: consent withdrawn)',
      params: victimParams, body: victimUpdateBody, response: { 200: allegationView, ...errors(400, 404, 409) },
    },
  }, (req) => service.updateVictim(db, requestContext(req), req.params.allegation_id, req.params.victim_ref, req.body));

  r.post('/api/v1/conduct/allegations/:allegation_id/assistance', {
    config: { access: { roles: conduct, record: 'allegation', concealed: true } },
    schema: { tags, summary: 'Refer a victim to assistance (medical, psychosocial, legal, material, ...)', params: allegationParams, body: assistanceCreateBody, response: { 201: assistanceView, ...errors(400, 404) } },
  }, async (req, reply) => reply.status(201).send(await service.addAssistance(db, requestContext(req), req.params.allegation_id, req.body)));

  r.patch('/api/v1/conduct/allegations/:allegation_id/assistance/:referral_id', {
    config: { access: { roles: conduct, record: 'allegation', concealed: true } },
    schema: { tags, summary: 'Track an assistance referral to completion', params: referralParams, body: assistanceUpdateBody, response: { 200: assistanceView, ...errors(400, 404) } },
  }, (req) => service.updateAssistance(db, requestContext(req), req.params.allegation_id, req.params.referral_id, req.body));

  r.get('/api/v1/conduct/alerts', {
    config: { access: { roles: 'any' } },
    schema: { tags, summary: 'Overdue investigation and Member State response deadlines (empty for every role but the conduct officer)', response: { 200: alertPage } },
  }, (req) => listAlerts(db, requestContext(req)));

  r.get('/api/v1/conduct/settings', {
    config: { access: { roles: conduct } },
    schema: { tags, summary: 'The mission\'s investigation deadlines', response: { 200: settingsView, ...errors(403) } },
  }, (req) => readSettings(db, requestContext(req)));

  r.put('/api/v1/conduct/settings', {
    config: { access: { roles: conduct } },
    schema: { tags, summary: 'Set the mission\'s investigation deadlines', body: settingsBody, response: { 200: settingsView, ...errors(400, 403) } },
  }, (req) => writeSettings(db, requestContext(req), req.body));

  r.get('/api/v1/conduct/aggregate', {
    config: { access: { roles: AGGREGATE_ROLES } },
    schema: {
      tags, summary: 'Yearly figures in the published categories; disclosure-controlled (always, for analysts)',
      querystring: aggregateQuery, response: { 200: aggregateView, ...errors(400, 403) },
    },
  }, (req) => readAggregate(db, requestContext(req), req.query.year, req.query.public));
}
