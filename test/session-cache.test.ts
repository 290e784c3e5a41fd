import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SessionCache } from '../src/modules/accounts/session-cache.ts';

describe('session cache', () => {
  it('forgets everything on clear, and refuses a value read before the clear', () => {
    const cache = new SessionCache<string>(15_000);
    cache.set('a', 'live', Date.now() + 60_000, cache.generation);
    assert.equal(cache.get('a'), 'live');
    const readStartedAt = cache.generation;
    cache.clear(); // a logout committed while another request was still reading the session
    cache.set('a', 'live (stale read)', Date.now() + 60_000, readStartedAt);
    assert.equal(cache.get('a'), undefined);
  });

  it('never outlives its TTL or the session itself', () => {
    const cache = new SessionCache<string>(15_000);
    const now = 1_000_000;
    cache.set('short', 'x', now + 5_000, cache.generation, now);
    assert.equal(cache.get('short', now + 4_999), 'x');
    assert.equal(cache.get('short', now + 5_000), undefined, 'the session expired first');
    cache.set('long', 'y', now + 3_600_000, cache.generation, now);
    assert.equal(cache.get('long', now + 15_000), undefined, 'the TTL ended first');
    const off = new SessionCache<string>(0);
    off.set('k', 'v', now + 60_000, off.generation, now);
    assert.equal(off.get('k', now), undefined, 'a TTL of 0 caches nothing');
  });
});
