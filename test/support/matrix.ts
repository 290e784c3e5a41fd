import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import type { Store } from '../../src/platform/db/store.ts';
import { testServer } from './fixtures.ts';
import { openTestStore, postgresUrl, STORE_KINDS, type StoreKind } from './stores.ts';

export interface StoreHarness {
  kind: StoreKind;
  store: Store;
  app: FastifyInstance;
}

/**
 * Runs the same suite against PGlite and against PostgreSQL. Test names end in `[pglite]` or
 * `[postgres]` so .ci/run can count each half and fail when the PostgreSQL half did not run.
 */
export function describeStores(name: string, suite: (t: { it: (title: string, fn: () => Promise<void>) => void; h: () => StoreHarness }) => void): void {
  for (const kind of STORE_KINDS) {
    const skip = kind === 'postgres' && !postgresUrl ? 'TUTELA_TEST_DATABASE_URL not set' : false;
    describe(`${name} [${kind}]`, { skip }, () => {
      let harness: StoreHarness | undefined;
      before(async () => {
        const store = await openTestStore(kind);
        harness = { kind, store, app: await testServer(store) };
      });
      after(async () => {
        await harness?.app.close();
        await harness?.store.close();
      });
      suite({
        it: (title, fn) => it(`${title} [${kind}]`, fn),
        h: () => {
          if (!harness) throw new Error('store not open');
          return harness;
        },
      });
    });
  }
}
