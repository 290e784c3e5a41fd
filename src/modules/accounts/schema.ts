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
  /** Required once the account has a second factor: the authenticator app's current code. */
  totp_code: z.string().regex(/^\s*\d{6}\s*$/, 'six digits').optional(),
  /** `cookie` (the web app): the session goes into an HttpOnly cookie, and `csrf_token` must be sent back in X-CSRF-Token on every unsafe request. */
  session: z.enum(['bearer', 'cookie']).default('bearer'),
});

export const loginResponse = z.object({
  /** The bearer token (absent for cookie sessions, whose token scripts never see). */
  token: z.string().optional(),
  csrf_token: z.string().optional(),
  expires_at: z.string().datetime(),
  password_change_required: z.boolean(),
  /** The role needs a second factor and the account has none yet: only enrolment is open until it is confirmed. */
  second_factor_enrolment_required: z.boolean(),
  user: z.lazy(() => userView),
});

export const enrolmentResponse = z.object({
  /** Base32 secret, for typing into the app when the QR code cannot be scanned. Shown once. */
  secret: z.string(),
  /** `otpauth://totp/…` URI for a QR code. */
  otpauth_uri: z.string(),
});

export const confirmSecondFactorBody = z.object({ code: z.string().regex(/^\s*\d{6}\s*$/, 'six digits') });

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
