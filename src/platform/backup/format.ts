import { createCipheriv, createDecipheriv, randomBytes, type CipherGCM, type DecipherGCM } from 'node:crypto';
import fs from 'node:fs';
import { Readable } from 'node:stream';
import type { KeyProvider } from '../crypto/key-provider.ts';
import { BackupError } from './schema-info.ts';

/**
 * A backup file:
 *   "TUTELABK" | version (1 byte) | header length (uint32 BE) | header (JSON, UTF-8) | ciphertext | GCM tag (16)
 * The header is public (it must be read before anything can be decrypted) and says only how to decrypt:
 * the file key wrapped by the master key (KeyProvider.wrap, so a KMS provider works unchanged) and the IV.
 * Everything before the ciphertext is the GCM additional data, so the tag authenticates every byte of
 * the file. The plaintext is gzip of NDJSON: a manifest line, then per table a marker line and one
 * `to_jsonb(row)` line per row, then an end line.
 */
export const MAGIC = Buffer.from('TUTELABK', 'ascii');
export const FILE_VERSION = 1;
export const TAG_LENGTH = 16;
const MAX_HEADER = 64 * 1024;
const KEY_AAD_NOTE = 'tutela backup v1';

export const DAMAGED = 'the backup is damaged or was made with another master key';

export interface FileHeader {
  format: 'tutela-backup';
  version: 1;
  created_at: string;
  cipher: 'aes-256-gcm';
  compression: 'gzip';
  /** Public fingerprint of the master key that wrapped the file key. */
  master_key_id: string;
  wrapped_key: string;
  iv: string;
  purpose: typeof KEY_AAD_NOTE;
}

export interface Manifest {
  format: 'tutela-backup';
  version: 1;
  created_at: string;
  source: { kind: 'pglite' | 'postgres'; server_version: string };
  master_key_id: string;
  migrations: string[];
  tables: { name: string; rows: number; columns: string[] }[];
}

export function newFileHeader(provider: KeyProvider): { header: FileHeader; prefix: Buffer; cipher: CipherGCM } {
  const fileKey = randomBytes(32);
  const iv = randomBytes(12);
  const header: FileHeader = {
    format: 'tutela-backup', version: 1, created_at: new Date().toISOString(), cipher: 'aes-256-gcm', compression: 'gzip',
    master_key_id: provider.id, wrapped_key: provider.wrap(fileKey).toString('base64'), iv: iv.toString('base64'), purpose: KEY_AAD_NOTE,
  };
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  const len = Buffer.alloc(4);
  len.writeUInt32BE(json.length);
  const prefix = Buffer.concat([MAGIC, Buffer.from([FILE_VERSION]), len, json]);
  const cipher = createCipheriv('aes-256-gcm', fileKey, iv).setAAD(prefix);
  fileKey.fill(0);
  return { header, prefix, cipher };
}

export interface OpenedFile {
  header: FileHeader;
  /** Byte range of the ciphertext: [start, end). */
  start: number;
  end: number;
  tag: Buffer;
  /** A fresh decipher for one pass over the ciphertext (the tag is checked at its end). */
  decipher(): DecipherGCM;
}

const damaged = (why: string, cause?: unknown) => new BackupError(`${DAMAGED} (${why})`, cause === undefined ? undefined : { cause });

/** Reads and checks the header, unwraps the file key. Nothing here trusts the header: the tag covers it. */
export function openBackupFile(file: string, provider: KeyProvider): OpenedFile {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch (err) {
    throw new BackupError(`cannot read ${file}: ${err instanceof Error ? err.message : String(err)}`);
  }
  try {
    const size = fs.fstatSync(fd).size;
    const fixed = Buffer.alloc(MAGIC.length + 5);
    if (size < fixed.length + TAG_LENGTH || fs.readSync(fd, fixed, 0, fixed.length, 0) !== fixed.length) throw damaged('too short to be a Tutela backup');
    if (!fixed.subarray(0, MAGIC.length).equals(MAGIC)) throw damaged('it does not start like a Tutela backup');
    if (fixed[MAGIC.length] !== FILE_VERSION) throw damaged(`unknown file version ${fixed[MAGIC.length]}`);
    const headerLength = fixed.readUInt32BE(MAGIC.length + 1);
    const start = fixed.length + headerLength;
    if (headerLength > MAX_HEADER || start + TAG_LENGTH > size) throw damaged('the header length is impossible');
    const json = Buffer.alloc(headerLength);
    fs.readSync(fd, json, 0, headerLength, fixed.length);
    let header: FileHeader;
    try {
      header = JSON.parse(json.toString('utf8')) as FileHeader;
    } catch (err) {
      throw damaged('the header is not readable', err);
    }
    if (header.format !== 'tutela-backup' || header.version !== 1 || header.cipher !== 'aes-256-gcm' || header.compression !== 'gzip'
      || typeof header.wrapped_key !== 'string' || typeof header.iv !== 'string') throw damaged('the header is not one this version writes');
    let fileKey: Buffer;
    try {
      fileKey = provider.unwrap(Buffer.from(header.wrapped_key, 'base64'));
    } catch (err) {
      throw damaged(header.master_key_id !== provider.id
        ? `its master key id is ${header.master_key_id}, this installation's is ${provider.id}`
        : 'its file key does not unwrap', err);
    }
    const tag = Buffer.alloc(TAG_LENGTH);
    fs.readSync(fd, tag, 0, TAG_LENGTH, size - TAG_LENGTH);
    const prefix = Buffer.concat([fixed, json]);
    const iv = Buffer.from(header.iv, 'base64');
    if (iv.length !== 12 || fileKey.length !== 32) throw damaged('the header names an impossible key or IV');
    return {
      header, start, end: size - TAG_LENGTH, tag,
      decipher: () => createDecipheriv('aes-256-gcm', fileKey, iv).setAAD(prefix).setAuthTag(tag),
    };
  } finally {
    fs.closeSync(fd);
  }
}

/** The ciphertext as a stream (an empty range still yields a stream that ends at once). */
export function ciphertextStream(file: string, opened: OpenedFile): Readable {
  return opened.end > opened.start
    ? fs.createReadStream(file, { start: opened.start, end: opened.end - 1, highWaterMark: 1 << 20 })
    : Readable.from([]);
}

/** Maps the errors a tampered file produces (GCM, zlib, JSON) to the one message people can act on. */
export function asDamaged(err: unknown): BackupError {
  if (err instanceof BackupError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return damaged(/authenticate/i.test(message) ? 'its authentication tag does not match' : message, err);
}
