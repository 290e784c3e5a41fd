import { isIP } from 'node:net';
import type { FailureRule, ThrottleSubject } from './repository.ts';

/**
 * Login throttling limits: the [K] numbers of the domain notes, in one place, ready to move into
 * configuration. Counters live in the store (table login_throttle), so they hold across restarts and
 * across every server process on one PostgreSQL.
 */
export const LOGIN_THROTTLE = {
  /**
   * Per login name (known or not, so the answer never tells whether an account exists): 10 failures
   * in a row lock it for 15 minutes, during which even the right password is refused. A success clears
   * the count; failures more than a day apart do not add up.
   */
  username: { maxFailures: 10, windowMs: 24 * 60 * 60_000, lockMs: 15 * 60_000 },
  /** Per client address: 30 failures within 15 minutes refuse every login from it for 15 minutes. */
  address: { maxFailures: 30, windowMs: 15 * 60_000, lockMs: 15 * 60_000 },
  /** Counter rows untouched this long are deleted (at each new lock), so sprayed names do not pile up. */
  forgetAfterMs: 24 * 60 * 60_000,
} as const satisfies { username: FailureRule; address: FailureRule; forgetAfterMs: number };

/**
 * Loopback is not throttled by address. A loopback client is the operator on the server itself or a
 * reverse proxy that hides its clients (TUTELA_TRUST_PROXY unset); in the proxy case an address lock
 * would lock every user out at once. Login names stay throttled whatever the address.
 */
const UNTHROTTLED_ADDRESSES = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);

/** What one login attempt is counted against. */
export function throttleSubjects(username: string, clientAddress: string | null): ThrottleSubject[] {
  const subjects: ThrottleSubject[] = [{ kind: 'username', subject: username }];
  if (clientAddress && isIP(clientAddress) && !UNTHROTTLED_ADDRESSES.has(clientAddress)) {
    subjects.push({ kind: 'address', subject: clientAddress });
  }
  return subjects;
}

export function ruleFor(kind: ThrottleSubject['kind']): FailureRule {
  return LOGIN_THROTTLE[kind];
}

/** Whole seconds until `end`, at least 1: the value of Retry-After. */
export function retryAfterSeconds(end: Date, now: Date): number {
  return Math.max(1, Math.ceil((end.getTime() - now.getTime()) / 1000));
}
