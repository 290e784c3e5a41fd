import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { requestContext, typed, type Deps } from '../../platform/http/app.ts';
import { errors } from '../../platform/http/responses.ts';
import { presentActor } from './presenter.ts';
import { changePasswordBody, createUserBody, createUserResponse, loginBody, loginResponse, roleSchema, userView } from './schema.ts';
import * as service from './service.ts';

export function registerAccountRoutes(app: FastifyInstance, { db, config }: Deps): void {
  const r = typed(app);
  r.post('/api/v1/auth/login', {
    config: { auth: 'public' },
    schema: { tags: ['auth'], summary: 'Log in; returns a bearer token', security: [], body: loginBody, response: { 200: loginResponse, ...errors(400) } },
  }, (req) => service.login(db, config.sessionTtlMs, req.body.username, req.body.password, { clientAddress: req.ip, requestId: req.id }));

  r.post('/api/v1/auth/logout', {
    config: { auth: 'password_change' },
    schema: { tags: ['auth'], summary: 'Revoke this session token', response: { 204: z.null(), ...errors() } },
  }, async (req, reply) => {
    await service.logout(db, requestContext(req));
    return reply.status(204).send(null);
  });

  r.post('/api/v1/auth/password', {
    config: { auth: 'password_change' },
    schema: { tags: ['auth'], summary: 'Change your password (required after a one-time password)', body: changePasswordBody, response: { 204: z.null(), ...errors(400) } },
  }, async (req, reply) => {
    await service.changePassword(db, requestContext(req), req.body.current_password, req.body.new_password);
    return reply.status(204).send(null);
  });

  r.get('/api/v1/me', {
    config: { auth: 'password_change' },
    schema: {
      tags: ['auth'], summary: 'Who you are, with your role and scope',
      response: { 200: z.object({ id: z.string(), mission_id: z.string(), username: z.string(), role: roleSchema, scope: userView.shape.scope }), ...errors() },
    },
  }, async (req) => presentActor(requestContext(req).actor));

  r.get('/api/v1/users', {
    schema: { tags: ['accounts'], summary: 'Accounts of your mission (admin)', response: { 200: z.object({ items: z.array(userView) }), ...errors(403) } },
  }, async (req) => ({ items: await service.listUsers(db, requestContext(req)) }));

  r.post('/api/v1/users', {
    schema: { tags: ['accounts'], summary: 'Create an account (admin); without a password, a one-time password is returned once', body: createUserBody, response: { 201: createUserResponse, ...errors(400, 403, 409) } },
  }, async (req, reply) => reply.status(201).send(await service.createUser(db, requestContext(req), req.body)));
}
