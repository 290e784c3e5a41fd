/**
 * The device store: one IndexedDB database. Only ciphertext of report content goes in; the clear
 * metadata (ids, times, attempt counts, receipts' digests) says what is waiting without saying what it is.
 */
const DB_NAME = 'tutela-offline';
export const STORES = ['meta', 'outbox', 'records'] as const;
type StoreName = (typeof STORES)[number];

function open(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    // Version 2 added `records` (sealed copies of the incidents pulled to this device for work with no network).
    const req = indexedDB.open(DB_NAME, 2);
    req.onupgradeneeded = () => {
      const keys: Record<StoreName, string> = { meta: 'k', outbox: 'id', records: 'id' };
      for (const name of STORES) if (!req.result.objectStoreNames.contains(name)) req.result.createObjectStore(name, { keyPath: keys[name] });
    };
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error ?? new Error('IndexedDB unavailable'));
  });
}

async function run<T>(store: StoreName, mode: IDBTransactionMode, op: (s: IDBObjectStore) => IDBRequest<T>): Promise<T> {
  const db = await open();
  try {
    return await new Promise<T>((resolve, reject) => {
      const tx = db.transaction(store, mode);
      const req = op(tx.objectStore(store));
      // Resolve on commit, not on the request: "saved" must mean durable.
      tx.oncomplete = () => resolve(req.result);
      tx.onerror = () => reject(tx.error ?? new Error('IndexedDB write failed'));
      tx.onabort = () => reject(tx.error ?? new Error('IndexedDB write aborted'));
    });
  } finally { db.close(); }
}

export const idb = {
  get: <T>(store: StoreName, key: string) => run<T | undefined>(store, 'readonly', (s) => s.get(key) as IDBRequest<T | undefined>),
  all: <T>(store: StoreName) => run<T[]>(store, 'readonly', (s) => s.getAll() as IDBRequest<T[]>),
  put: (store: StoreName, value: object) => run(store, 'readwrite', (s) => s.put(value)).then(() => undefined),
  delete: (store: StoreName, key: string) => run(store, 'readwrite', (s) => s.delete(key)).then(() => undefined),
  clear: (store: StoreName) => run(store, 'readwrite', (s) => s.clear()).then(() => undefined),
  count: (store: StoreName) => run<number>(store, 'readonly', (s) => s.count()),
  /** Deletes the whole database: what a wipe is. */
  destroy: () => new Promise<void>((resolve, reject) => {
    const req = indexedDB.deleteDatabase(DB_NAME);
    req.onsuccess = () => resolve();
    req.onerror = () => reject(req.error ?? new Error('wipe failed'));
    req.onblocked = () => resolve();
  }),
};
