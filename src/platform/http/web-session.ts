import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * The web app's session rides in an HttpOnly cookie, out of reach of any script, so a stolen page
 * cannot read it; since the browser sends it by itself, every unsafe request must also carry the CSRF
 * token in `X-CSRF-Token`, which another site's page cannot read or guess. The token is derived from
 * the session token (HMAC), so nothing more is stored and it dies with the session.
 */
export const SESSION_COOKIE = 'tutela_session';
export const CSRF_HEADER = 'x-csrf-token';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export const csrfTokenFor = (sessionToken: string) => createHmac('sha256', sessionToken).update('tutela csrf v1').digest('base64url');

export const needsCsrf = (method: string) => !SAFE_METHODS.has(method.toUpperCase());

export function csrfMatches(sessionToken: string, sent: unknown): boolean {
  if (typeof sent !== 'string' || sent.length > 100) return false;
  const expected = Buffer.from(csrfTokenFor(sessionToken));
  const given = Buffer.from(sent);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
