import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { requestContext, typed, type Deps } from '../../platform/http/app.ts';
import { errors } from '../../platform/http/responses.ts';
import { presentActor } from './presenter.ts';
import { csrfTokenFor, SESSION_COOKIE } from '../../platform/http/web-session.ts';
import {
  changePasswordBody, confirmSecondFactorBody, createUserBody, createUserResponse, enrolmentResponse, loginBody, loginResponse,
  revokedSessionsResponse, roleSchema, userIdParams, userView,
} from './schema.ts';
import * as service from './service.ts';

export function registerAccountRoutes(app: FastifyInstance, { db, config }: Deps): void {
  const r = typed(app);
  r.post('/api/v1/auth/login', {
    config: { auth: 'public' },
    schema: {
      tags: ['auth'], security: [], body: loginBody, response: { 200: loginResponse, ...errors(400, 429) },
      summary: 'Log in; returns a bearer token',
      description: 'After 10 failed logins for one name, or 30 from one address within 15 minutes, logins are refused for 15 minutes with 429 `auth.locked` and a Retry-After header (seconds), even with the right password. ' +
        'An account with a second factor answers 401 `auth.second_factor_required` until `totp_code` is sent; a wrong or already-used code counts as a failed login. ' +
        'With `session: cookie` the token is set as an HttpOnly, SameSite=Strict cookie and only `csrf_token` is returned.',
    },
  }, async (req, reply) => {
    const { token, ...result } = await service.login(db, config, req.body, { clientAddress: req.ip, requestId: req.id });
    if (result.transport === 'bearer') return { token, ...result };
    void reply.setCookie(SESSION_COOKIE, token, {
      httpOnly: true, sameSite: 'strict', path: '/api', secure: req.protocol === 'https', expires: new Date(result.expires_at),
    });
    return { csrf_token: csrfTokenFor(token), ...result };
  });

  r.post('/api/v1/auth/logout', {
    config: { auth: 'setup', access: { roles: 'any' } },
    schema: { tags: ['auth'], summary: 'Revoke this session token', response: { 204: z.null(), ...errors() } },
  }, async (req, reply) => {
    await service.logout(db, requestContext(req));
    return reply.clearCookie(SESSION_COOKIE, { path: '/api' }).status(204).send(null);
  });

  r.post('/api/v1/auth/logout-all', {
    config: { auth: 'setup', access: { roles: 'any' } },
    schema: { tags: ['auth'], summary: 'Revoke every session of your account, this one included', response: { 200: revokedSessionsResponse, ...errors() } },
  }, async (req) => service.logoutAll(db, requestContext(req)));

  r.post('/api/v1/auth/password', {
    config: { auth: 'setup', access: { roles: 'any' } },
    schema: { tags: ['auth'], summary: 'Change your password (required after a one-time password)', body: changePasswordBody, response: { 204: z.null(), ...errors(400) } },
  }, async (req, reply) => {
    await service.changePassword(db, requestContext(req), req.body.current_password, req.body.new_password);
    return reply.status(204).send(null);
  });

  r.get('/api/v1/me', {
    config: { auth: 'setup', access: { roles: 'any' } },
    schema: {
      tags: ['auth'], summary: 'Who you are, with your role and scope',
      response: { 200: z.object({ id: z.string(), mission_id: z.string(), username: z.string(), role: roleSchema, scope: userView.shape.scope }), ...errors() },
    },
  }, async (req) => presentActor(requestContext(req).actor));

  r.post('/api/v1/auth/second-factor/enrol', {
    config: { auth: 'setup', access: { roles: 'any' } },
    schema: {
      tags: ['auth'], summary: 'Start setting up an authenticator app (TOTP): returns the secret once',
      description: 'Required before anything else for admin, monitor, verifier, case_worker, supervisor and conduct_officer accounts. Starting again replaces an unconfirmed secret.',
      response: { 200: enrolmentResponse, ...errors(409) },
    },
  }, async (req) => service.startSecondFactorEnrolment(db, requestContext(req)));

  r.post('/api/v1/auth/second-factor/confirm', {
    config: { auth: 'setup', access: { roles: 'any' } },
    schema: {
      tags: ['auth'], summary: 'Confirm the authenticator app with its current code; every later login needs a code',
      body: confirmSecondFactorBody, response: { 204: z.null(), ...errors(400, 409) },
    },
  }, async (req, reply) => {
    await service.confirmSecondFactor(db, requestContext(req), req.body.code, config.totpWindowSteps);
    return reply.status(204).send(null);
  });

  r.get('/api/v1/users', {
    config: { access: { roles: ['admin'] } },
    schema: { tags: ['accounts'], summary: 'Accounts of your mission (admin)', response: { 200: z.object({ items: z.array(userView) }), ...errors(403) } },
  }, async (req) => ({ items: await service.listUsers(db, requestContext(req)) }));

  r.post('/api/v1/users', {
    config: { access: { roles: ['admin'] } },
    schema: { tags: ['accounts'], summary: 'Create an account (admin); without a password, a one-time password is returned once', body: createUserBody, response: { 201: createUserResponse, ...errors(400, 403, 409) } },
  }, async (req, reply) => reply.status(201).send(await service.createUser(db, requestContext(req), req.body)));

  r.post('/api/v1/users/:user_id/sessions/revoke', {
    config: { access: { roles: ['admin'], record: 'user' } },
    schema: {
      tags: ['accounts'], summary: 'Revoke every session of an account of your mission (admin)',
      params: userIdParams, response: { 200: revokedSessionsResponse, ...errors(400, 403, 404) },
    },
  }, async (req) => service.revokeUserSessions(db, requestContext(req), req.params.user_id));

  r.post('/api/v1/users/:user_id/second-factor/reset', {
    config: { access: { roles: ['admin'], record: 'user' } },
    schema: {
      tags: ['accounts'], summary: 'Remove the second factor of an account of your mission (a lost phone) and end its sessions (admin)',
      params: userIdParams, response: { 200: revokedSessionsResponse, ...errors(400, 403, 404) },
    },
  }, async (req) => service.resetSecondFactor(db, requestContext(req), req.params.user_id));
}
