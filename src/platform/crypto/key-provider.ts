import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/**
 * Wraps and unwraps data keys. The local provider holds a 256-bit master key from the environment or a
 * file; a KMS or HSM provider implements the same two calls, and nothing else in Tutela changes.
 */
export interface KeyProvider {
  /** A short public fingerprint of the master key, stored beside each wrapped key. */
  readonly id: string;
  wrap(dataKey: Buffer): Buffer;
  unwrap(wrapped: Buffer): Buffer;
}

const WRAP_AAD = Buffer.from('tutela data key v1');

export class LocalKeyProvider implements KeyProvider {
  readonly id: string;
  readonly #master: Buffer;

  constructor(master: Buffer) {
    if (master.length !== 32) throw new Error('the master key must be 32 bytes (base64 of 32 random bytes)');
    this.#master = master;
    this.id = createHash('sha256').update(master).digest('hex').slice(0, 16);
  }

  wrap(dataKey: Buffer): Buffer {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.#master, iv).setAAD(WRAP_AAD);
    const body = Buffer.concat([cipher.update(dataKey), cipher.final()]);
    return Buffer.concat([iv, cipher.getAuthTag(), body]);
  }

  unwrap(wrapped: Buffer): Buffer {
    const decipher = createDecipheriv('aes-256-gcm', this.#master, wrapped.subarray(0, 12)).setAAD(WRAP_AAD);
    decipher.setAuthTag(wrapped.subarray(12, 28));
    return Buffer.concat([decipher.update(wrapped.subarray(28)), decipher.final()]);
  }
}

/**
 * The master key from `TUTELA_MASTER_KEY` (base64), else from a file, created on first use with mode 0600.
 * A generated file beside the data is a convenience for a first run, not a deployment: say so loudly.
 */
export function loadMasterKey(options: { base64?: string; file: string }, warn: (message: string) => void): LocalKeyProvider {
  if (options.base64) return new LocalKeyProvider(Buffer.from(options.base64, 'base64'));
  if (!fs.existsSync(options.file)) {
    fs.mkdirSync(path.dirname(options.file), { recursive: true });
    fs.writeFileSync(options.file, randomBytes(32).toString('base64') + '\n', { mode: 0o600, flag: 'wx' });
    warn(`generated a master key in ${options.file}. Keep a copy off this device: without it the sealed fields ` +
      'cannot be read. In production give TUTELA_MASTER_KEY or a file on separate storage.');
  }
  return new LocalKeyProvider(Buffer.from(fs.readFileSync(options.file, 'utf8').trim(), 'base64'));
}

/** A master key given as base64 text (a key file's content or an environment variable); `source` names it in errors. */
export function masterKeyFromBase64(text: string, source: string): LocalKeyProvider {
  const trimmed = text.trim();
  const key = Buffer.from(trimmed, 'base64');
  if (!/^[A-Za-z0-9+/]{43}=$/.test(trimmed) || key.length !== 32) {
    throw new Error(`${source} does not hold a master key: expected base64 of exactly 32 bytes (openssl rand -base64 32)`);
  }
  return new LocalKeyProvider(key);
}
