import { createCipheriv, createDecipheriv, createHmac, randomBytes, randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import type { KeyProvider } from './key-provider.ts';

/**
 * Field encryption: AES-256-GCM under a data key per mission and purpose. A sealed value is
 *   version (1) | key id (16) | iv (12) | tag (16) | ciphertext
 * and its additional data names the record and field, so a ciphertext copied into another row or
 * column does not decrypt. Unwrapped data keys are cached in memory for the life of the process.
 */
const VERSION = 1;

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
   * `data_keys` again: after a data-key rotation or a shred in this process.
   */
  forget(missionId?: string): void {
    const mine = (slot: string) => missionId === undefined || slot.startsWith(`${missionId}/`);
    for (const slot of [...this.#keys.keys()]) if (mine(slot)) this.#keys.delete(slot);
    for (const slot of [...this.#active.keys()]) if (mine(slot)) this.#active.delete(slot);
    for (const slot of [...this.#activeIds.keys()]) if (mine(slot)) this.#activeIds.delete(slot);
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
    const key = this.#keys.get(`${missionId}/${keyId}`)!;
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', key, iv).setAAD(aad(missionId, context));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return Buffer.concat([Buffer.from([VERSION]), uuidBytes(keyId), iv, cipher.getAuthTag(), body]);
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
    if (buf[0] !== VERSION) throw new Error(`sealed field of unknown version ${buf[0]}`);
    const key = await this.#key(q, missionId, bytesUuid(buf.subarray(1, 17)));
    const decipher = createDecipheriv('aes-256-gcm', key, buf.subarray(17, 29)).setAAD(aad(missionId, context));
    decipher.setAuthTag(buf.subarray(29, 45));
    return Buffer.concat([decipher.update(buf.subarray(45)), decipher.final()]).toString('utf8');
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
