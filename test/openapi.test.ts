import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import SwaggerParser from '@apidevtools/swagger-parser';
import type { FastifyInstance } from 'fastify';
import type { Store } from '../src/platform/db/store.ts';
import { testServer } from './support/fixtures.ts';
import { openTestStore } from './support/stores.ts';

describe('OpenAPI document', () => {
  let store: Store;
  let app: FastifyInstance;
  const routes: { method: string; url: string }[] = [];
  before(async () => {
    store = await openTestStore('pglite');
    app = await testServer(store);
  });
  after(async () => {
    await app.close();
    await store.close();
  });

  it('is valid OpenAPI 3.1 according to swagger-parser', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/openapi.json' });
    assert.equal(res.statusCode, 200);
    const doc = res.json();
    assert.equal(doc.openapi, '3.1.0');
    const validated = await SwaggerParser.validate(structuredClone(doc));
    assert.ok(validated.paths);
  });

  it('describes every route the server answers, with its methods', async () => {
    // A fresh instance so the onRoute hook sees every registration.
    const probe = await testServerCollecting(store, routes);
    const doc = (await probe.inject({ method: 'GET', url: '/api/openapi.json' })).json();
    await probe.close();
    const documented = new Set<string>();
    for (const [path, ops] of Object.entries(doc.paths as Record<string, object>)) {
      for (const method of Object.keys(ops)) documented.add(`${method.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`);
    }
    // Every API route; the web app's static files (GET /*) are not an API.
    const served = routes.filter((r) => r.method !== 'HEAD' && r.url !== '/api/openapi.json' && r.url.startsWith('/api/')).map((r) => `${r.method} ${r.url}`);
    assert.ok(served.length >= 15, `saw ${served.length} routes`);
    assert.deepEqual(served.filter((r) => !documented.has(r)), [], 'routes missing from the OpenAPI document');
  });
});

async function testServerCollecting(store: Store, routes: { method: string; url: string }[]): Promise<FastifyInstance> {
  const { createServer } = await import('../src/server.ts');
  const { loadConfig } = await import('../src/platform/config.ts');
  const app = await createServer(store, { ...loadConfig({}), logLevel: 'silent' }, (a) => a.addHook('onRoute', (r) => {
    for (const method of [r.method].flat()) routes.push({ method, url: r.url });
  }));
  await app.ready();
  return app;
}
