import type { Kysely } from 'kysely';
import type { DB } from '../../platform/db/schema.ts';

export interface CachedSession<T> { value: T; until: number }

/**
 * A short-lived, per-store memory of live sessions, so a request costs no session query when the same
 * token was seen seconds ago. Any change to accounts or sessions made through this process clears it
 * at once; on PGlite (one process per store) that makes it exact. With several server processes on
 * PostgreSQL, a session revoked by another process may live on here for at most `ttlMs`.
 */
export class SessionCache<T> {
  private entries = new Map<string, CachedSession<T>>();
  /** Bumped by every clear: a look-up that began before a clear must not store what it read. */
  generation = 0;
  constructor(public ttlMs: number, private readonly maxEntries = 10_000) {}

  get(key: string, now = Date.now()): T | undefined {
    const hit = this.entries.get(key);
    if (!hit) return undefined;
    if (hit.until <= now) {
      this.entries.delete(key);
      return undefined;
    }
    return hit.value;
  }

  set(key: string, value: T, expiresAt: number, readInGeneration: number, now = Date.now()): void {
    if (this.ttlMs <= 0 || readInGeneration !== this.generation) return;
    if (this.entries.size >= this.maxEntries) this.entries.clear(); // crude, but bounded and never wrong
    this.entries.set(key, { value, until: Math.min(now + this.ttlMs, expiresAt) });
  }

  clear(): void {
    this.generation++;
    this.entries.clear();
  }
}

const DEFAULT_TTL_MS = 15_000;
const caches = new WeakMap<Kysely<DB>, SessionCache<unknown>>();

export function sessionCacheFor<T>(db: Kysely<DB>): SessionCache<T> {
  let cache = caches.get(db);
  if (!cache) {
    cache = new SessionCache<unknown>(DEFAULT_TTL_MS);
    caches.set(db, cache);
  }
  return cache as SessionCache<T>;
}
