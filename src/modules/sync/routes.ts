import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { requestContext, typed, type Deps } from '../../platform/http/app.ts';
import { errors } from '../../platform/http/responses.ts';
import { batchResult, changesQuery, changesResponse, receipt, reportBody } from './schema.ts';
import * as service from './service.ts';
import { registerAttachmentRoutes } from '../attachments/routes.ts';
import { outboxStatusBody, reportOutboxStatus, waitingOnDevices, waitingView } from './devices.ts';
import { conflictList, listConflicts, resolveBody, resolveConflict, resolveParams, resolveResult } from './conflicts.ts';
import {
  editConflictList, editHistory, editHistoryOf, editsBody, editsResult, historyParams, listEditConflicts, pushEdits,
  resolveEditBody, resolveEditConflict, resolveEditParams, resolveEditResult,
} from './edits.ts';

export function registerSyncRoutes(app: FastifyInstance, deps: Deps): void {
  const { db } = deps;
  const r = typed(app);
  const tags = ['sync'];
  registerAttachmentRoutes(app, deps); // attachments belong to the records synced here

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

  r.get('/api/v1/sync/conflicts', {
    config: { access: { roles: ['monitor', 'verifier'] } },
    schema: {
      tags, summary: 'Reports received twice with different content, waiting for a person to choose field by field',
      response: { 200: conflictList, ...errors(403) },
    },
  }, (req) => listConflicts(db, requestContext(req)));

  r.post('/api/v1/sync/conflicts/:report_id/:sha256/resolve', {
    config: { access: { roles: ['monitor', 'verifier'], record: 'incident' } },
    schema: {
      tags, summary: 'Resolve a conflict: take the listed fields from the kept version, keep the stored value of the others',
      params: resolveParams, body: resolveBody, response: { 200: resolveResult, ...errors(400, 403, 404, 409) },
    },
  }, (req) => resolveConflict(db, requestContext(req), req.params, req.body));

  r.post('/api/v1/sync/edits', {
    config: { access: { roles: ['monitor', 'verifier'] } },
    schema: {
      tags, summary: 'Push edits made offline, each with the version and values it started from; merged field by field',
      description: 'A field changed only on the device is applied; a field also changed on the server since base_version, to another value, is not applied but kept as a conflict for a person (GET /sync/edit-conflicts). One result per edit, in order; a retried edit id answers its first outcome.',
      body: editsBody, response: { 200: editsResult, ...errors(400, 403) },
    },
  }, (req) => pushEdits(db, requestContext(req), req.body));

  r.get('/api/v1/sync/edit-conflicts', {
    config: { access: { roles: ['monitor', 'verifier'] } },
    schema: { tags, summary: 'Fields edited on two devices since their common version, with both values, waiting for a person', response: { 200: editConflictList, ...errors(403) } },
  }, (req) => listEditConflicts(db, requestContext(req)));

  r.post('/api/v1/sync/edit-conflicts/:conflict_id/resolve', {
    config: { access: { roles: ['monitor', 'verifier'], record: 'incident' } },
    schema: {
      tags, summary: 'Resolve an edit conflict: take the device\'s value or keep the stored one (both stay in the history)',
      params: resolveEditParams, body: resolveEditBody, response: { 200: resolveEditResult, ...errors(400, 403, 404, 409) },
    },
  }, (req) => resolveEditConflict(db, requestContext(req), req.params, req.body));

  r.get('/api/v1/sync/edit-history/:incident_id', {
    config: { access: { roles: ['monitor', 'verifier'], record: 'incident' } },
    schema: { tags, summary: 'Every offline edit of a record and every conflict it raised, with both values', params: historyParams, response: { 200: editHistory, ...errors(403, 404) } },
  }, (req) => editHistoryOf(db, requestContext(req), req.params));

  r.post('/api/v1/sync/outbox-status', {
    config: { access: { roles: ['monitor', 'verifier'] } },
    schema: {
      tags, summary: 'This device\'s outbox summary: how many reports wait, since when (no content)',
      body: outboxStatusBody, response: { 204: z.null(), ...errors(400, 403) },
    },
  }, async (req, reply) => {
    await reportOutboxStatus(db, requestContext(req), req.body);
    return reply.status(204).send(null);
  });

  r.get('/api/v1/sync/waiting', {
    config: { access: { roles: ['admin', 'supervisor'] } },
    schema: { tags, summary: 'What waits on each device, and since when (supervisors: their agency)', response: { 200: waitingView, ...errors(403) } },
  }, (req) => waitingOnDevices(db, requestContext(req)));
}
