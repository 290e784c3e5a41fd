import { z } from 'zod';
import { ROLES } from '../../platform/context.ts';

export const roleSchema = z.enum(ROLES);
export const usernameSchema = z.string().regex(/^[a-z0-9][a-z0-9._-]{2,63}$/, 'lowercase letters, digits, dot, dash or underscore; 3 to 64 characters');
export const missionIdSchema = z.string().regex(/^[a-z][a-z0-9_-]{1,31}$/, 'lowercase mission code, e.g. monusco');

export const scopeSchema = z.object({
  country: z.string().regex(/^[A-Z]{3}$/, 'ISO 3166-1 alpha-3, e.g. COD').nullable().default(null),
  areas: z.array(z.string().min(2).max(32)).max(200).default([]),
  agency: z.string().min(1).max(100).nullable().default(null),
});

export const loginBody = z.object({
  username: z.string().min(1).max(64),
  password: z.string().min(1).max(256),
});

export const loginResponse = z.object({
  token: z.string(),
  expires_at: z.string().datetime(),
  password_change_required: z.boolean(),
  user: z.lazy(() => userView),
});

export const changePasswordBody = z.object({
  current_password: z.string().min(1).max(256),
  new_password: z.string().min(1).max(256),
});

export const createUserBody = z.object({
  username: usernameSchema,
  display_name: z.string().max(200).default(''),
  role: roleSchema,
  scope: scopeSchema.default({ country: null, areas: [], agency: null }),
  /** Omit to have a one-time password generated and returned once. */
  password: z.string().min(1).max(256).optional(),
});

export const userView = z.object({
  id: z.string().uuid(),
  mission_id: z.string(),
  username: z.string(),
  display_name: z.string(),
  role: roleSchema,
  scope: z.object({ country: z.string().nullable(), areas: z.array(z.string()), agency: z.string().nullable() }),
  disabled: z.boolean(),
  created_at: z.string().datetime(),
});

export const createUserResponse = z.object({
  user: userView,
  one_time_password: z.string().optional(),
});

export const userIdParams = z.object({ user_id: z.string().uuid() });

export const revokedSessionsResponse = z.object({
  /** Sessions that were live and are now revoked (0 when there were none). */
  revoked_sessions: z.number().int().min(0),
});

export type CreateUserInput = z.infer<typeof createUserBody>;
export type UserView = z.infer<typeof userView>;
