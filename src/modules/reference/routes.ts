import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { requestContext, typed, type Deps } from '../../platform/http/app.ts';
import { errors } from '../../platform/http/responses.ts';
import { adminAreaCreateBody, adminAreaUpdateBody, adminAreaView, countryView, partyCreateBody, partyUpdateBody, partyView } from './schema.ts';
import * as service from './service.ts';

/** Reference data is not sensitive: every signed-in role of the mission may read it. */
export function registerReferenceRoutes(app: FastifyInstance, { db }: Deps): void {
  const r = typed(app);
  r.get('/api/v1/reference/countries', {
    config: { access: { roles: 'any' } },
    schema: { tags: ['reference'], summary: 'Countries of your mission', response: { 200: z.object({ items: z.array(countryView) }), ...errors() } },
  }, async (req) => ({ items: await service.listCountries(db, requestContext(req)) }));

  r.get('/api/v1/reference/admin-areas', {
    config: { access: { roles: 'any' } },
    schema: {
      tags: ['reference'], summary: 'Admin areas (P-codes) of your mission',
      querystring: z.strictObject({ parent: z.string().min(2).max(32).optional(), level: z.coerce.number().int().min(0).max(5).optional() }),
      response: { 200: z.object({ items: z.array(adminAreaView) }), ...errors(400) },
    },
  }, async (req) => ({ items: await service.listAdminAreas(db, requestContext(req), req.query) }));

  r.get('/api/v1/reference/parties', {
    config: { access: { roles: 'any' } },
    schema: { tags: ['reference'], summary: 'Parties to the conflict', response: { 200: z.object({ items: z.array(partyView) }), ...errors() } },
  }, async (req) => ({ items: await service.listParties(db, requestContext(req)) }));

  // Administration: create and change, never delete (records name these rows); `active: false` retires one.
  const admin = { access: { roles: ['admin'] as const } };
  const partyParams = z.object({ party_id: z.string().uuid() });
  const areaParams = z.object({ pcode: z.string().min(2).max(32) });

  r.post('/api/v1/reference/parties', {
    config: admin,
    schema: { tags: ['reference'], summary: 'Add a party to the conflict (admin)', body: partyCreateBody, response: { 201: partyView, ...errors(400, 403, 409) } },
  }, async (req, reply) => reply.status(201).send(await service.createParty(db, requestContext(req), req.body)));

  r.patch('/api/v1/reference/parties/:party_id', {
    config: admin,
    schema: {
      tags: ['reference'], summary: 'Change or retire a party (admin; send the version you read)',
      description: '`active: false` retires the party: records that name it keep it, new records cannot choose it in the app.',
      params: partyParams, body: partyUpdateBody, response: { 200: partyView, ...errors(400, 403, 404, 409) },
    },
  }, (req) => service.updateParty(db, requestContext(req), req.params.party_id, req.body));

  r.post('/api/v1/reference/admin-areas', {
    config: admin,
    schema: { tags: ['reference'], summary: 'Add an admin area (admin)', body: adminAreaCreateBody, response: { 201: adminAreaView, ...errors(400, 403, 409) } },
  }, async (req, reply) => reply.status(201).send(await service.createAdminArea(db, requestContext(req), req.body)));

  r.patch('/api/v1/reference/admin-areas/:pcode', {
    config: admin,
    schema: {
      tags: ['reference'], summary: 'Rename or retire an admin area (admin; send the version you read)',
      description: 'The P-code, level, parent and country never change. An area with active sub-areas cannot be retired.',
      params: areaParams, body: adminAreaUpdateBody, response: { 200: adminAreaView, ...errors(400, 403, 404, 409) },
    },
  }, (req) => service.updateAdminArea(db, requestContext(req), req.params.pcode, req.body));
}
