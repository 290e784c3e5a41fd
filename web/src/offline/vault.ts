import { idb } from './idb.ts';

/**
 * The key that seals reports on the device. Derived from the user's PIN or passphrase (PBKDF2-SHA-256,
 * 600,000 rounds, random salt) and held only in memory as a non-extractable CryptoKey: a seized phone
 * shows ciphertext, and the PIN is never stored. Five wrong PINs in a row wipe the device store.
 */
export const MAX_PIN_FAILURES = 5;
export const LOCK_AFTER_MS = 5 * 60_000;
const ROUNDS = 600_000;
const CHECK = 'tutela-vault-check';

interface VaultMeta { k: 'vault'; salt: Uint8Array; check: Sealed; failures: number }
export interface Sealed { iv: Uint8Array; ct: ArrayBuffer }

let key: CryptoKey | null = null;
let lockTimer: ReturnType<typeof setTimeout> | null = null;
const listeners = new Set<() => void>();
const notify = () => { for (const l of listeners) l(); };

export const vault = {
  subscribe(fn: () => void): () => void { listeners.add(fn); return () => listeners.delete(fn); },
  isUnlocked: () => key !== null,
  async isSetUp(): Promise<boolean> { return (await idb.get<VaultMeta>('meta', 'vault')) !== undefined; },
  async failures(): Promise<number> { return (await idb.get<VaultMeta>('meta', 'vault'))?.failures ?? 0; },

  async setUp(pin: string): Promise<void> {
    const salt = crypto.getRandomValues(new Uint8Array(16));
    const k = await derive(pin, salt);
    await idb.put('meta', { k: 'vault', salt, check: await seal(k, CHECK), failures: 0 } satisfies VaultMeta);
    unlocked(k);
  },

  /** Resolves true when the PIN opens the vault; false when wrong; after the last try the store is wiped. */
  async unlock(pin: string): Promise<boolean> {
    const meta = await idb.get<VaultMeta>('meta', 'vault');
    if (!meta) return false;
    const k = await derive(pin, meta.salt);
    try {
      if ((await open(k, meta.check)) !== CHECK) throw new Error('check');
    } catch {
      const failures = meta.failures + 1;
      if (failures >= MAX_PIN_FAILURES) await vault.wipe();
      else await idb.put('meta', { ...meta, failures });
      notify();
      return false;
    }
    if (meta.failures > 0) await idb.put('meta', { ...meta, failures: 0 });
    unlocked(k);
    return true;
  },

  lock(): void {
    key = null;
    if (lockTimer) clearTimeout(lockTimer);
    notify();
  },

  /** Any user activity pushes the automatic lock back. */
  touch(): void {
    if (!key) return;
    if (lockTimer) clearTimeout(lockTimer);
    lockTimer = setTimeout(() => vault.lock(), LOCK_AFTER_MS);
  },

  async wipe(): Promise<void> {
    vault.lock();
    await idb.destroy();
    notify();
  },

  seal: (value: unknown) => seal(requireKey(), JSON.stringify(value)),
  open: async <T>(sealed: Sealed): Promise<T> => JSON.parse(await open(requireKey(), sealed)) as T,
};

function unlocked(k: CryptoKey) {
  key = k;
  vault.touch();
  notify();
}

function requireKey(): CryptoKey {
  if (!key) throw new Error('the device store is locked');
  return key;
}

async function derive(pin: string, salt: Uint8Array): Promise<CryptoKey> {
  const material = await crypto.subtle.importKey('raw', new TextEncoder().encode(pin), 'PBKDF2', false, ['deriveKey']);
  return crypto.subtle.deriveKey({ name: 'PBKDF2', salt: salt as BufferSource, iterations: ROUNDS, hash: 'SHA-256' }, material,
    { name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']);
}

async function seal(k: CryptoKey, text: string): Promise<Sealed> {
  const iv = crypto.getRandomValues(new Uint8Array(12));
  return { iv, ct: await crypto.subtle.encrypt({ name: 'AES-GCM', iv: iv as BufferSource }, k, new TextEncoder().encode(text)) };
}

async function open(k: CryptoKey, s: Sealed): Promise<string> {
  return new TextDecoder().decode(await crypto.subtle.decrypt({ name: 'AES-GCM', iv: s.iv as BufferSource }, k, s.ct));
}
