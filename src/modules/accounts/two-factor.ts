import * as OTPAuth from 'otpauth';
import type { Role } from '../../platform/context.ts';

/**
 * TOTP second factor (RFC 6238: HMAC-SHA1, 6 digits, 30-second steps), the kind every authenticator
 * app on a cheap phone reads from a QR code, and that works with no network on the phone.
 *
 * Who must use it: every role that can see or change a child's identity, or grant that power — the
 * admin manages accounts, so an admin account taken over is every identity taken over. The analyst
 * (aggregates only) and the auditor (the audit trail, which holds no names) may enrol but need not.
 */
export const SECOND_FACTOR_ROLES: ReadonlySet<Role> = new Set(['admin', 'monitor', 'verifier', 'case_worker', 'supervisor', 'conduct_officer']);

export const requiresSecondFactor = (role: string) => SECOND_FACTOR_ROLES.has(role as Role);

const PERIOD_SECONDS = 30;
/** Purpose of the data key that seals TOTP secrets (see platform/crypto/field-crypto.ts). */
export const ACCOUNTS_KEY_PURPOSE = 'accounts';
export const totpSealContext = (userId: string) => `users/${userId}/totp_secret`;

const totpFor = (secretBase32: string, label = 'tutela') =>
  new OTPAuth.TOTP({ issuer: 'Tutela', label, algorithm: 'SHA1', digits: 6, period: PERIOD_SECONDS, secret: OTPAuth.Secret.fromBase32(secretBase32) });

/** A new shared secret (160 bits, RFC 4226's recommended length) and the URI an authenticator app scans. */
export function newTotpSecret(username: string, missionId: string): { secret: string; uri: string } {
  const secret = new OTPAuth.Secret({ size: 20 }).base32;
  return { secret, uri: totpFor(secret, `${missionId}:${username}`).toString() };
}

/**
 * The step a code belongs to, or null when it matches no step within the window. The caller refuses
 * a step not later than the last one accepted: that is what makes a code single-use.
 */
export function matchTotpStep(secretBase32: string, code: string, now: Date, windowSteps: number): number | null {
  if (!/^\d{6}$/.test(code)) return null;
  const delta = totpFor(secretBase32).validate({ token: code, window: windowSteps, timestamp: now.getTime() });
  if (delta === null) return null;
  return Math.floor(now.getTime() / 1000 / PERIOD_SECONDS) + delta;
}

/** The code of a given step: for tests and for the CLI's account recovery, never for the API. */
export function totpCodeAt(secretBase32: string, step: number): string {
  return totpFor(secretBase32).generate({ timestamp: step * PERIOD_SECONDS * 1000 });
}

export const currentTotpStep = (now: Date) => Math.floor(now.getTime() / 1000 / PERIOD_SECONDS);
