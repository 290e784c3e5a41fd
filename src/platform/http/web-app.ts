import fs from 'node:fs';
import path from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import { AppError } from '../errors.ts';

/** Where `npm run build:web` writes the app; TUTELA_WEB_DIST serves a build kept elsewhere (parallel test runs use their own). */
export const WEB_DIST = process.env.TUTELA_WEB_DIST ? path.resolve(process.env.TUTELA_WEB_DIST) : path.resolve(import.meta.dirname, '../../../web/dist');

export interface WebAppOptions {
  /** The built app (tests may point elsewhere). */
  root?: string;
}

/** Hashed file names never change content, so a year's cache is safe; everything else is revalidated. */
const IMMUTABLE = 'public, max-age=31536000, immutable';
const REVALIDATE = 'no-cache';

/**
 * Serves the web app from the same origin as the API, so the session cookie (Path=/api, SameSite=Strict)
 * and the existing Content-Security-Policy (`default-src 'self'`) both hold with nothing loosened.
 * One wildcard route: files that exist are sent (precompressed .br/.gz when the client accepts them);
 * any other path that is not under /api gets index.html, so the client-side router can answer deep links.
 * Registered as a child plugin so its `sendFile` decorator stays local.
 */
export async function webApp(app: FastifyInstance, options: WebAppOptions = {}): Promise<void> {
  const root = options.root ?? WEB_DIST;
  await app.register(fastifyStatic, {
    root,
    serve: false,
    preCompressed: true,
    cacheControl: false,
    etag: true,
    lastModified: true,
    setHeaders(reply, filePath) {
      const rel = path.relative(root, filePath).split(path.sep);
      void reply.header('cache-control', rel[0] === 'assets' ? IMMUTABLE : REVALIDATE);
    },
  });

  app.get('/*', { config: { auth: 'public' }, schema: { hide: true } }, async (request, reply) => {
    const wanted = (request.params as { '*': string })['*'] ?? '';
    // An unknown API path stays a JSON 404, never the app's HTML.
    if (wanted === 'api' || wanted.startsWith('api/')) throw new AppError('route.not_found');
    if (!fs.existsSync(path.join(root, 'index.html'))) {
      return reply.status(503).type('text/plain; charset=utf-8').send('The web app is not built. Run `npm run build:web`, then reload.\n');
    }
    const last = wanted.split('/').at(-1) ?? '';
    // A path with a file extension is a file: missing means 404 (a stale chunk must not get HTML).
    if (last.includes('.')) return reply.sendFile(wanted);
    return reply.sendFile('index.html');
  });
}
