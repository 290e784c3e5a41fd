import { createCipheriv, createDecipheriv, createHmac, randomBytes, randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import type { KeyProvider } from './key-provider.ts';
import { tellPeers } from '../peers.ts';

/**
 * Field encryption: AES-256-GCM. A sealed value is
 *   version | key id (16) | iv (12) | tag (16) | ciphertext
 * Version 1: the key id names a data key (per mission and purpose, wrapped by the master key).
 * Version 2: the key id names a record key (`record_keys`: one record's own random key, sealed in
 * version 1 under a data key), so one record can be crypto-shredded without touching the others.
 * The additional data names the record and field, so a ciphertext copied into another row or column
 * does not decrypt. Unwrapped keys are cached in memory (data keys for the life of the process,
 * record keys up to a bound).
 */
const VERSION = 1;
const RECORD_VERSION = 2;
const RECORD_KEY_CACHE = 20_000;

/** A record key's row, to be inserted in the same transaction (or statement) as the record it seals. */
export interface RecordKeyRow { mission_id: string; record_key_id: string; record_type: string; record_id: string; sealed_key: Buffer }

/** Seals fields of one record under a fresh record key; insert `row` with the record. */
export interface RecordSealer {
  row: RecordKeyRow;
  seal(plaintext: string, context: string): Buffer;
}

/** The data key that sealed this field was deleted (crypto-shredding): the value is gone for good. */
export class SealedFieldShredded extends Error {
  override readonly name = 'SealedFieldShredded';
  constructor(readonly missionId: string, readonly keyId: string) {
    super(`the data key ${keyId} of mission ${missionId} is gone: the field was shredded`);
  }
}

/** A stored data key does not unwrap under this process's master key (a wrong or outdated key). */
export class MasterKeyMismatch extends Error {
  override readonly name = 'MasterKeyMismatch';
  constructor(readonly missionId: string, readonly keyId: string, readonly wrappedBy: string, readonly given: string) {
    super(`the data key ${keyId} of mission ${missionId} is wrapped by master key ${wrappedBy} and does not unwrap with ` +
      `the master key given (${given})${wrappedBy === given ? ': the stored key is damaged' : ': is this the current master key (after `tutela keys rotate`)?'}`);
  }
}

/** Unwraps one stored data key, or says clearly which master key it needs. */
export function unwrapDataKey(provider: KeyProvider, row: { mission_id: string; key_id: string; wrapped: Buffer | Uint8Array; master_key_id: string }): Buffer {
  try {
    return provider.unwrap(Buffer.from(row.wrapped));
  } catch {
    throw new MasterKeyMismatch(row.mission_id, row.key_id, row.master_key_id, provider.id);
  }
}

export class FieldCrypto {
  readonly #keys = new Map<string, Buffer>(); // `${mission}/${keyId}` → key
  readonly #active = new Map<string, Promise<string>>(); // `${mission}/${purpose}` → key id, loading
  readonly #activeIds = new Map<string, string>(); // the same, loaded
  readonly #recordKeys = new Map<string, Buffer>(); // `${mission}/${recordKeyId}` → key

  #provider: KeyProvider;

  constructor(private readonly db: Kysely<DB>, provider: KeyProvider) {
    this.#provider = provider;
  }

  /** The fingerprint of the master key this store's data keys are unwrapped with. */
  get masterKeyId(): string {
    return this.#provider.id;
  }

  /** After `rotateMasterKey` committed: wrap new data keys with the new master key (cached data keys stay valid). */
  useProvider(provider: KeyProvider): void {
    this.#provider = provider;
  }

  /**
   * Drops cached data keys and active key ids (of one mission, or all), so the next seal or open reads
   * `data_keys` again: after a data-key rotation or a shred in this process. `tell`: the other server
   * processes forget too (platform/peers.ts); false when the news came from one of them.
   */
  forget(missionId?: string, tell = true): void {
    if (tell) tellPeers({ tutela: 'forget-data-keys', missionId: missionId ?? null });
    const mine = (slot: string) => missionId === undefined || slot.startsWith(`${missionId}/`);
    for (const slot of [...this.#keys.keys()]) if (mine(slot)) this.#keys.delete(slot);
    for (const slot of [...this.#active.keys()]) if (mine(slot)) this.#active.delete(slot);
    for (const slot of [...this.#activeIds.keys()]) if (mine(slot)) this.#activeIds.delete(slot);
    for (const slot of [...this.#recordKeys.keys()]) if (mine(slot)) this.#recordKeys.delete(slot);
  }

  /** After record keys were deleted (crypto-shredding a record): this process must not keep opening with them. */
  forgetRecordKeys(missionId: string, keyIds: string[], tell = true): void {
    if (tell) tellPeers({ tutela: 'forget-record-keys', missionId, keyIds });
    for (const id of keyIds) this.#recordKeys.delete(`${missionId}/${id}`);
  }

  /**
   * A fresh random key for one record, sealed under the purpose's active data key (load it first with
   * `ensureKey`). `recordId` is what shredding finds it by.
   */
  recordSealer(missionId: string, purpose: string, recordType: string, recordId: string): RecordSealer {
    const keyId = randomUUID();
    const key = Buffer.from(pooledRandomBytes(32)); // its own memory, apart from the public IVs
    const row = { mission_id: missionId, record_key_id: keyId, record_type: recordType, record_id: recordId,
      sealed_key: this.seal(missionId, purpose, key.toString('base64'), recordKeyContext(keyId)) };
    this.#rememberRecordKey(missionId, keyId, key);
    return { row, seal: (plaintext, context) => encrypt(RECORD_VERSION, keyId, key, missionId, plaintext, context) };
  }

  /**
   * Loads (or creates and commits) the active data key. Call it before opening a transaction: a key
   * created inside one could vanish with a rollback while its id stays cached, and on PGlite a second
   * query outside the open transaction would wait for it forever.
   */
  async ensureKey(missionId: string, purpose: string): Promise<void> {
    await this.#activeKey(missionId, purpose);
  }

  seal(missionId: string, purpose: string, plaintext: string, context: string): Buffer {
    const keyId = this.#activeIds.get(`${missionId}/${purpose}`);
    if (!keyId) throw new Error(`data key ${missionId}/${purpose} not loaded: call ensureKey before the transaction`);
    return encrypt(VERSION, keyId, this.#keys.get(`${missionId}/${keyId}`)!, missionId, plaintext, context);
  }

  /**
   * HMAC-SHA256 under the active key of a purpose (loaded by `ensureKey`): keyed pseudonyms and blind
   * indexes. Without the key, which never leaves the store unwrapped, the digest reveals nothing and
   * cannot be recomputed from a guessed name.
   */
  mac(missionId: string, purpose: string, message: string): Buffer {
    const keyId = this.#activeIds.get(`${missionId}/${purpose}`);
    if (!keyId) throw new Error(`data key ${missionId}/${purpose} not loaded: call ensureKey before the transaction`);
    return createHmac('sha256', this.#keys.get(`${missionId}/${keyId}`)!).update(message, 'utf8').digest();
  }

  /** `q` is where to read a key not yet in memory: pass the open transaction, if any. */
  async open(missionId: string, sealed: Buffer | Uint8Array, context: string, q: Kysely<DB> = this.db): Promise<string> {
    const buf = Buffer.from(sealed);
    if (buf[0] !== VERSION && buf[0] !== RECORD_VERSION) throw new Error(`sealed field of unknown version ${buf[0]}`);
    const keyId = bytesUuid(buf.subarray(1, 17));
    const key = buf[0] === VERSION ? await this.#key(q, missionId, keyId) : await this.#recordKey(q, missionId, keyId);
    const decipher = createDecipheriv('aes-256-gcm', key, buf.subarray(17, 29)).setAAD(aad(missionId, context));
    decipher.setAuthTag(buf.subarray(29, 45));
    return Buffer.concat([decipher.update(buf.subarray(45)), decipher.final()]).toString('utf8');
  }

  async #recordKey(q: Kysely<DB>, missionId: string, keyId: string): Promise<Buffer> {
    const cached = this.#recordKeys.get(`${missionId}/${keyId}`);
    if (cached) return cached;
    const row = await q.selectFrom('record_keys').select('sealed_key')
      .where('mission_id', '=', missionId).where('record_key_id', '=', keyId).executeTakeFirst();
    if (!row) throw new SealedFieldShredded(missionId, keyId);
    const key = Buffer.from(await this.open(missionId, row.sealed_key, recordKeyContext(keyId), q), 'base64');
    this.#rememberRecordKey(missionId, keyId, key);
    return key;
  }

  #rememberRecordKey(missionId: string, keyId: string, key: Buffer): void {
    if (this.#recordKeys.size >= RECORD_KEY_CACHE) this.#recordKeys.clear(); // crude but bounded; a miss costs one read
    this.#recordKeys.set(`${missionId}/${keyId}`, key);
  }

  #activeKey(missionId: string, purpose: string): Promise<string> {
    const slot = `${missionId}/${purpose}`;
    let pending = this.#active.get(slot);
    if (!pending) {
      pending = this.#loadOrCreate(missionId, purpose).then((id) => {
        this.#activeIds.set(slot, id);
        return id;
      });
      this.#active.set(slot, pending);
      pending.catch(() => this.#active.delete(slot));
    }
    return pending;
  }

  async #loadOrCreate(missionId: string, purpose: string): Promise<string> {
    const find = () => this.db.selectFrom('data_keys').select(['mission_id', 'key_id', 'wrapped', 'master_key_id'])
      .where('mission_id', '=', missionId).where('purpose', '=', purpose).where('retired_at', 'is', null).executeTakeFirst();
    let row = await find();
    if (!row) {
      // Two processes may race here; the partial unique index lets one win and both then read it.
      await this.db.insertInto('data_keys').values({
        mission_id: missionId, key_id: randomUUID(), purpose, wrapped: this.#provider.wrap(randomBytes(32)), master_key_id: this.#provider.id,
      }).onConflict((oc) => oc.doNothing()).execute();
      row = await find();
      if (!row) throw new Error(`no data key for ${missionId}/${purpose}`);
    }
    this.#keys.set(`${missionId}/${row.key_id}`, unwrapDataKey(this.#provider, row));
    return row.key_id;
  }

  async #key(q: Kysely<DB>, missionId: string, keyId: string): Promise<Buffer> {
    const cached = this.#keys.get(`${missionId}/${keyId}`);
    if (cached) return cached;
    const row = await q.selectFrom('data_keys').select(['mission_id', 'key_id', 'wrapped', 'master_key_id'])
      .where('mission_id', '=', missionId).where('key_id', '=', keyId).executeTakeFirst();
    if (!row) throw new SealedFieldShredded(missionId, keyId);
    const key = unwrapDataKey(this.#provider, row);
    this.#keys.set(`${missionId}/${keyId}`, key);
    return key;
  }
}

const aad = (missionId: string, context: string) => Buffer.from(`${missionId}\u0000${context}`);
const recordKeyContext = (keyId: string) => `record_keys/${keyId}`;

/**
 * Random bytes cut from a pool filled 8 kB at a time: a record key and an IV per sealed field made
 * OpenSSL's per-call overhead a visible share of intake's CPU. Each byte is handed out once; a refill
 * allocates a new pool, so a slice already handed out is never overwritten.
 */
let pool = Buffer.alloc(0);
let poolAt = 0;
function pooledRandomBytes(n: number): Buffer {
  if (poolAt + n > pool.length) {
    pool = randomBytes(8192);
    poolAt = 0;
  }
  poolAt += n;
  return pool.subarray(poolAt - n, poolAt);
}

function encrypt(version: number, keyId: string, key: Buffer, missionId: string, plaintext: string, context: string): Buffer {
  const iv = pooledRandomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv).setAAD(aad(missionId, context));
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return Buffer.concat([Buffer.from([version]), uuidBytes(keyId), iv, cipher.getAuthTag(), body]);
}
const uuidBytes = (id: string) => Buffer.from(id.replaceAll('-', ''), 'hex');
function bytesUuid(b: Buffer): string {
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

const registry = new WeakMap<Kysely<DB>, FieldCrypto>();

/** Field crypto is set up with the store (`openStore`); services find it from the store they were given. */
export function registerFieldCrypto(db: Kysely<DB>, provider: KeyProvider): FieldCrypto {
  const fc = new FieldCrypto(db, provider);
  registry.set(db, fc);
  return fc;
}

export function fieldCrypto(db: Kysely<DB>): FieldCrypto {
  const fc = registry.get(db);
  if (!fc) throw new Error('field encryption is not set up for this store (openStore with a key provider)');
  return fc;
}
