import { randomUUID } from 'node:crypto';
import fastifyCookie from '@fastify/cookie';
import fastifySwagger from '@fastify/swagger';
import Fastify, { LogController, type FastifyInstance, type FastifyRequest } from 'fastify';
import { jsonSchemaTransform, serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import helmet from 'helmet';
import type { Kysely } from 'kysely';
import type { Config } from '../config.ts';
import type { RequestContext, Role } from '../context.ts';
import type { DB } from '../db/schema.ts';
import { auditRow, writeAudit } from '../audit.ts';
import { AppError, type ErrorCode } from '../errors.ts';
import { errorHandler, toAppError } from './errors.ts';
import { csrfMatches, needsCsrf, SESSION_COOKIE } from './web-session.ts';


export interface Deps {
  db: Kysely<DB>;
  config: Config;
  /** Resolves a session token to the request's actor (accounts module); injected to keep platform free of modules. */
  authenticate(token: string): Promise<{ actor: RequestContext['actor']; pending: 'password_change' | 'second_factor_enrolment' | null; transport: 'bearer' | 'cookie' }>;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * `public` routes need no session; `setup` routes stay open to a session that must first change its
     * one-time password or enrol a second factor; every other route is closed to it.
     */
    auth?: 'public' | 'user' | 'setup';
    /**
     * Who may call this route, declared beside it so tests can check every route against every role:
     * `roles` that pass the route's policy at all (others get 403), and `record` when the route names a
     * record whose scope decides the rest (out of scope: 404). 'any' = every signed-in role.
     * `concealed`: a role the route does not admit gets 404, not 403 — the conduct module's records
     * must not even be known to exist outside the conduct team.
     */
    access?: { roles: readonly Role[] | 'any'; concealed?: true; record?: 'incident' | 'violation' | 'user' | 'audit' | 'alert' | 'case' | 'referral' | 'allegation' | 'report' };
  }
  interface FastifyRequest {
    ctx: RequestContext | null;
  }
}

/** The authenticated context of a request; routes marked `public` never call this. */
export function requestContext(request: FastifyRequest): RequestContext {
  if (!request.ctx) throw new AppError('auth.required');
  return request.ctx;
}

export async function buildApp(deps: Deps, registerModules: (app: FastifyInstance, deps: Deps) => Promise<void> | void): Promise<FastifyInstance> {
  const app = Fastify({
    logger: deps.config.logLevel === 'silent' ? false : { level: deps.config.logLevel },
    bodyLimit: deps.config.http.bodyLimitBytes,
    trustProxy: deps.config.http.trustProxy,
    genReqId: () => randomUUID(),
    // Per-request lines only when debugging: at field rates they are noise, and URLs can carry record ids.
    logController: new LogController({ disableRequestLogging: deps.config.logLevel !== 'debug' && deps.config.logLevel !== 'trace' }),
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  // A refusal that can end (a login lock) says when: Retry-After in seconds, from the error's details.
  app.setErrorHandler(async function (err, request, reply) {
    const appError = toAppError(err);
    if (typeof appError.details.retry_after_seconds === 'number') void reply.header('retry-after', String(appError.details.retry_after_seconds));
    // A signed-in caller refused a record or an action, or sending fields the API does not define (a
    // forged mission_id, say), is on record: probing leaves a trace even though nothing changed.
    if (request.ctx && isProbe(appError)) {
      await refuse(request, request.ctx.actor, appError.code, { params: request.params, field: appError.details.field ?? null });
    }
    return errorHandler.call(this, err, request, reply);
  });
  app.setNotFoundHandler((_req, reply) => reply.status(404).send(new AppError('route.not_found').toBody()));
  app.decorateRequest('ctx', null);

  // Security headers on every answer, errors included: set in the first hook, before the auth hook,
  // whose refusals would otherwise skip them. The API serves JSON only, so the policy can be strict; a web
  // app served later from this origin loads only its own scripts, and no other site may frame it
  // (clickjacking). Built once: @fastify/helmet rebuilt the whole policy on every request, 2% of the
  // intake's server CPU.
  const securityHeaders = helmet({
    contentSecurityPolicy: { directives: { defaultSrc: ["'self'"], frameAncestors: ["'none'"], objectSrc: ["'none'"], baseUri: ["'self'"] } },
    strictTransportSecurity: { maxAge: 365 * 24 * 3600, includeSubDomains: true },
    referrerPolicy: { policy: 'no-referrer' },
    xFrameOptions: { action: 'deny' },
    xContentTypeOptions: true,
  });
  const noop = () => {};
  app.addHook('onRequest', (request, reply, done) => {
    securityHeaders(request.raw, reply.raw, noop);
    done();
  });

  await app.register(fastifyCookie);
  app.addHook('onRequest', async (request) => {
    const mode = request.routeOptions.config.auth ?? 'user';
    if (mode === 'public') return;
    const header = request.headers.authorization;
    const cookie = request.cookies[SESSION_COOKIE];
    if (header !== undefined && !/^Bearer\s+\S+$/i.test(header)) throw new AppError('auth.required');
    if (header === undefined && !cookie) throw new AppError('auth.required');
    const viaCookie = header === undefined;
    const token = viaCookie ? cookie! : header.replace(/^Bearer\s+/i, '');
    let session: Awaited<ReturnType<Deps['authenticate']>>;
    try {
      session = await deps.authenticate(token);
      // A session lives on the channel it was issued for: a cookie session's token is not a bearer token.
      if (viaCookie !== (session.transport === 'cookie')) throw new AppError('auth.session_invalid');
    } catch (err) {
      if (err instanceof AppError) await refuse(request, null, err.code);
      throw err;
    }
    const { actor, pending } = session;
    if (viaCookie && needsCsrf(request.method) && !csrfMatches(token, request.headers['x-csrf-token'])) {
      await refuse(request, actor, 'auth.csrf_failed');
      throw new AppError('auth.csrf_failed');
    }
    if (pending && mode !== 'setup') {
      throw new AppError(pending === 'password_change' ? 'auth.password_change_required' : 'auth.second_factor_enrolment_required');
    }
    request.ctx = { actor, clientAddress: request.ip, requestId: request.id };
  });

  /** A refused session or a forged cross-site request is on record, even though nothing else happens. */
  async function refuse(request: FastifyRequest, actor: RequestContext['actor'] | null, code: ErrorCode, extra: Record<string, unknown> = {}) {
    await writeAudit(deps.db, [auditRow({ actor, clientAddress: request.ip, requestId: request.id },
      { action: 'auth.request_refused', details: { code, method: request.method, route: request.routeOptions.url ?? null, ...extra } })]);
  }

  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'Tutela API', version: '1', description: 'Child protection information system: MRM, case management, identity linkage.' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
    transform: jsonSchemaTransform,
  });
  await registerModules(app, deps);
  app.get('/api/openapi.json', { config: { auth: 'public' }, schema: { hide: true } }, async () => app.swagger());
  return app;
}

/** Refusals worth an audit row: out-of-scope records, denied actions, and undefined fields in a body. */
function isProbe(e: AppError): boolean {
  if (e.code === 'permission.denied' || e.code === 'record.not_found') return true;
  const issues = e.details.issues as { code?: string }[] | undefined;
  return e.code === 'request.invalid' && (issues ?? []).some((i) => i.code === 'unrecognized_keys');
}

export const typed = (app: FastifyInstance) => app.withTypeProvider<ZodTypeProvider>();
