import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { z } from 'zod';
import { registerAccountRoutes } from './modules/accounts/routes.ts';
import { authenticate } from './modules/accounts/service.ts';
import { sessionCacheFor } from './modules/accounts/session-cache.ts';
import { registerAnalyticsRoutes } from './modules/analytics/routes.ts';
import { registerAuditRoutes } from './modules/audit/routes.ts';
import { registerCaseRoutes } from './modules/cases/routes.ts';
import { registerIdentityRoutes } from './modules/identity/routes.ts';
import { registerMrmRoutes } from './modules/mrm/routes.ts';
import { registerReportRoutes } from './modules/mrm/reports/routes.ts';
import { registerReferenceRoutes } from './modules/reference/routes.ts';
import { registerSeaRoutes } from './modules/sea/routes.ts';
import { registerSyncRoutes } from './modules/sync/routes.ts';
import type { Config } from './platform/config.ts';
import type { Store } from './platform/db/store.ts';
import { buildApp, typed, type Deps } from './platform/http/app.ts';
import { webApp } from './platform/http/web-app.ts';

/**
 * The whole HTTP server: platform plus every module's routes.
 * `instrument` runs before any route is registered (tests use it to collect the route table).
 */
export function createServer(store: Store, config: Config, instrument?: (app: FastifyInstance) => void): Promise<FastifyInstance> {
  sessionCacheFor(store.db).ttlMs = config.sessionCacheMs;
  const deps: Deps = { db: store.db, config, authenticate: (token) => authenticate(store.db, token) };
  return buildApp(deps, (app) => {
    instrument?.(app);
    typed(app).get('/api/health', {
      config: { auth: 'public' },
      schema: { tags: ['system'], summary: 'Liveness and store check', security: [], response: { 200: z.object({ status: z.literal('ok'), store: z.enum(['pglite', 'postgres']) }) } },
    }, async () => {
      await sql`select 1`.execute(store.db);
      return { status: 'ok' as const, store: store.kind };
    });
    registerAccountRoutes(app, deps);
    registerReferenceRoutes(app, deps);
    registerMrmRoutes(app, deps);
    registerReportRoutes(app, deps);
    registerAuditRoutes(app, deps);
    registerAnalyticsRoutes(app, deps);
    registerSyncRoutes(app, deps);
    registerSeaRoutes(app, deps);
    registerCaseRoutes(app, deps);
    registerIdentityRoutes(app, deps);
    // Last: its catch-all route answers every path no API route took.
    void app.register(webApp);
  });
}
