import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { requestContext, typed, type Deps } from '../../platform/http/app.ts';
import { errors } from '../../platform/http/responses.ts';
import { adminAreaView, countryView, partyView } from './schema.ts';
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
}
