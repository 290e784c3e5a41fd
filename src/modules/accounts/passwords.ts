import { randomBytes } from 'node:crypto';
import { hash, verify } from '@node-rs/argon2';
import { AppError } from '../../platform/errors.ts';
import { containsUsername, isCommonPassword } from './password-list.ts';

// OWASP's argon2id baseline (m=19 MiB, t=2, p=1): about 25 ms a hash on this machine (stack.md §6).
const ARGON2_OPTIONS = { algorithm: 2 /* Argon2id (a const enum, not importable under verbatimModuleSyntax) */, memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;
export const MIN_PASSWORD_LENGTH = 12;
export const MAX_PASSWORD_LENGTH = 256;

export function hashPassword(password: string): Promise<string> {
  return hash(password, ARGON2_OPTIONS);
}

// Verified against when the username is unknown, so a wrong username costs as long as a wrong password.
let decoyHash: Promise<string> | undefined;

export async function verifyPassword(storedHash: string | undefined, password: string): Promise<boolean> {
  if (storedHash === undefined) {
    decoyHash ??= hashPassword(randomBytes(16).toString('hex'));
    await verify(await decoyHash, password);
    return false;
  }
  try {
    return await verify(storedHash, password);
  } catch {
    return false;
  }
}

/**
 * The password rules (ASVS 2.1): length, variety, not a common password, not the username. `username`
 * is the account's login name when known (creation, change); rules name the field and say what to do.
 */
export function checkPasswordRules(password: string, field = 'password', username?: string): void {
  if (password.length < MIN_PASSWORD_LENGTH) {
    throw new AppError('auth.password_rejected', { field, rule: `at least ${MIN_PASSWORD_LENGTH} characters` });
  }
  if (password.length > MAX_PASSWORD_LENGTH) {
    throw new AppError('auth.password_rejected', { field, rule: `at most ${MAX_PASSWORD_LENGTH} characters` });
  }
  if (new Set(password).size < 5) {
    throw new AppError('auth.password_rejected', { field, rule: 'at least 5 different characters' });
  }
  if (username && containsUsername(password, username)) {
    throw new AppError('auth.password_rejected', { field, rule: 'must not contain the username' });
  }
  if (isCommonPassword(password)) {
    throw new AppError('auth.password_rejected', { field, rule: 'must not be a commonly used password, or one with digits or symbols added' });
  }
}

/** A one-time password people can read aloud over a bad line: no 0/O, 1/l/I. */
export function generatePassword(): string {
  const alphabet = 'abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789';
  const bytes = randomBytes(20);
  let out = '';
  for (let i = 0; i < 20; i++) {
    out += alphabet[bytes[i]! % alphabet.length];
    if (i % 5 === 4 && i < 19) out += '-';
  }
  return out;
}
