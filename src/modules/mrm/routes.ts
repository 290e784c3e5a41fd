import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { requestContext, typed, type Deps } from '../../platform/http/app.ts';
import { errors } from '../../platform/http/responses.ts';
import {
  incidentCreateBody, incidentPage, incidentQuery, incidentUpdateBody, incidentView, listQuery, verificationBody, verificationHistory,
  violationInput, violationPage, violationUpdateBody, violationView, eraseIdentityBody, eraseIdentityResponse, victimLookupBody, victimLookupResponse, victimParams } from './schema.ts';
import * as identities from './identities.ts';
import * as service from './service.ts';

const incidentParams = z.object({ incident_id: z.string().uuid() });
const violationParams = z.object({ violation_id: z.string().uuid() });

export function registerMrmRoutes(app: FastifyInstance, { db }: Deps): void {
  const r = typed(app);
  const tags = ['mrm'];

  r.post('/api/v1/incidents', {
    config: { access: { roles: ['monitor', 'verifier'] } },
    schema: { tags, summary: 'Record an incident with its violations', body: incidentCreateBody, response: { 201: incidentView, ...errors(400, 403, 409, 413) } },
  }, async (req, reply) => reply.status(201).send(await service.createIncident(db, requestContext(req), req.body)));

  r.get('/api/v1/incidents', {
    config: { access: { roles: 'any' } },
    schema: { tags, summary: 'Incidents you may see, newest first, filtered', querystring: listQuery, response: { 200: incidentPage, ...errors(400) } },
  }, (req) => service.listIncidents(db, requestContext(req), req.query));

  r.get('/api/v1/incidents/:incident_id', {
    config: { access: { roles: ['monitor', 'verifier'], record: 'incident' } },
    schema: { tags, summary: 'One incident with its violations', params: incidentParams, querystring: incidentQuery, response: { 200: incidentView, ...errors(400, 404) } },
  }, (req) => service.getIncident(db, requestContext(req), req.params.incident_id, {
    narrative: req.query.include === 'narrative_confidential' || req.query.include === 'all',
    identities: req.query.include === 'identities' || req.query.include === 'all',
  }));

  r.patch('/api/v1/incidents/:incident_id', {
    config: { access: { roles: ['monitor', 'verifier'], record: 'incident' } },
    schema: { tags, summary: 'Change an incident (optimistic: send the version you read)', params: incidentParams, body: incidentUpdateBody, response: { 200: incidentView, ...errors(400, 403, 404, 409) } },
  }, (req) => service.updateIncident(db, requestContext(req), req.params.incident_id, req.body));

  r.post('/api/v1/incidents/:incident_id/violations', {
    config: { access: { roles: ['monitor', 'verifier'], record: 'incident' } },
    schema: { tags, summary: 'Add a violation to an incident', params: incidentParams, body: violationInput, response: { 201: violationView, ...errors(400, 403, 404, 409) } },
  }, async (req, reply) => reply.status(201).send(await service.addViolation(db, requestContext(req), req.params.incident_id, req.body)));

  r.post('/api/v1/victims/lookup', {
    config: { access: { roles: ['monitor', 'verifier'] } },
    schema: {
      tags, summary: 'Find a child already recorded, by exact name and birth date, in the incidents you may see',
      description: 'Matches the blind index (keyed HMAC of the normalised name and birth date): accents, case, punctuation and name order do not matter; other spellings do. Nothing is decrypted; the look-up is audited without the name.',
      body: victimLookupBody, response: { 200: victimLookupResponse, ...errors(400, 403) },
    },
  }, (req) => identities.lookupVictims(db, requestContext(req), req.body));

  r.post('/api/v1/violations/:violation_id/victims/:victim_ref/erase-identity', {
    config: { access: { roles: ['monitor', 'verifier'], record: 'violation' } },
    schema: {
      tags, summary: 'Erase one child\'s identity for good (withdrawn consent): its key is destroyed and it can no longer be found',
      description: 'The victim stays in the record (sex, age, counts); the sealed identity becomes unrecoverable and leaves the look-up index. Backups taken before still hold the key until the master key is rotated and the old one destroyed.',
      params: victimParams, body: eraseIdentityBody, response: { 200: eraseIdentityResponse, ...errors(400, 403, 404) },
    },
  }, (req) => identities.eraseVictimIdentity(db, requestContext(req), req.params.violation_id, req.params.victim_ref, req.body.reason));

  r.get('/api/v1/violations', {
    config: { access: { roles: 'any' } },
    schema: { tags, summary: 'Violations you may see, filtered', querystring: listQuery, response: { 200: violationPage, ...errors(400) } },
  }, (req) => service.listViolations(db, requestContext(req), req.query));

  r.get('/api/v1/violations/:violation_id', {
    config: { access: { roles: ['monitor', 'verifier'], record: 'violation' } },
    schema: { tags, summary: 'One violation', params: violationParams, response: { 200: violationView, ...errors(400, 404) } },
  }, (req) => service.getViolation(db, requestContext(req), req.params.violation_id));

  r.patch('/api/v1/violations/:violation_id', {
    config: { access: { roles: ['monitor', 'verifier'], record: 'violation' } },
    schema: { tags, summary: 'Change a violation; lists given replace the stored ones', params: violationParams, body: violationUpdateBody, response: { 200: violationView, ...errors(400, 403, 404, 409) } },
  }, (req) => service.updateViolation(db, requestContext(req), req.params.violation_id, req.body));

  r.post('/api/v1/violations/:violation_id/verification', {
    config: { access: { roles: ['monitor', 'verifier'], record: 'violation' } },
    schema: { tags, summary: 'Move a violation to a new verification status at one level', params: violationParams, body: verificationBody, response: { 200: violationView, ...errors(400, 403, 404, 409) } },
  }, (req) => service.transitionVerification(db, requestContext(req), req.params.violation_id, req.body));

  r.get('/api/v1/violations/:violation_id/verification', {
    config: { access: { roles: ['monitor', 'verifier'], record: 'violation' } },
    schema: { tags, summary: 'The full verification history of a violation', params: violationParams, response: { 200: verificationHistory, ...errors(400, 404) } },
  }, (req) => service.verificationHistory(db, requestContext(req), req.params.violation_id));
}
