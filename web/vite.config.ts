import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, gzipSync, constants as zlib } from 'node:zlib';
import react from '@vitejs/plugin-react';
import { defineConfig, type Plugin } from 'vite';
import { VitePWA } from 'vite-plugin-pwa';

const webRoot = fileURLToPath(new URL('.', import.meta.url));

/**
 * Writes .br and .gz beside each text asset so the server (@fastify/static `preCompressed`) sends them
 * without compressing per request: monitors are on slow links, and the server's CPU is shared.
 */
function precompress(): Plugin {
  let outDir = '';
  return {
    name: 'tutela-precompress',
    apply: 'build',
    configResolved(config) { outDir = path.resolve(config.root, config.build.outDir); },
    writeBundle(_options, bundle) {
      for (const name of Object.keys(bundle)) {
        if (!/\.(js|css|html|svg|json|webmanifest)$/.test(name)) continue;
        const file = path.join(outDir, name);
        const data = readFileSync(file);
        if (data.length < 1024) continue;
        writeFileSync(`${file}.gz`, gzipSync(data, { level: 9 }));
        writeFileSync(`${file}.br`, brotliCompressSync(data, { params: { [zlib.BROTLI_PARAM_QUALITY]: 11 } }));
      }
    },
  };
}

/**
 * The screens whose code entry/boot.ts asks for when the page is opened on their path (a monitor's
 * home is the incident form, a verifier's the queue): their chunks then load beside the bundle
 * instead of after it has run. Paths as in app.tsx.
 */
const ROUTE_SCREENS: Record<string, string> = {
  '/incidents/new': 'src/screens/incident-form.tsx',
  '/verification': 'src/screens/verification-queue.tsx',
  '/incidents': 'src/screens/incident-list.tsx',
};

/**
 * Emits entry/boot.ts as a chunk of its own, loaded first in the page's head, and writes before it
 * (a JSON data block: the Content-Security-Policy allows no inline script) which chunks each path in
 * ROUTE_SCREENS and each language needs beyond those the page already preloads.
 */
function bootHints(): Plugin {
  const bootId = path.join(webRoot, 'src/entry/boot.ts');
  return {
    name: 'tutela-boot-hints',
    apply: 'build',
    buildStart() { this.emitFile({ type: 'chunk', id: bootId, name: 'boot' }); },
    transformIndexHtml: {
      order: 'post',
      handler(html, ctx) {
        const chunks = Object.values(ctx.bundle ?? {}).filter((c) => c.type === 'chunk');
        const byFile = new Map(chunks.map((c) => [c.fileName, c]));
        const closure = (file: string, into = new Set<string>()) => {
          if (into.has(file)) return into;
          into.add(file);
          for (const i of byFile.get(file)?.imports ?? []) closure(i, into);
          return into;
        };
        const boot = chunks.find((c) => c.facadeModuleId === bootId);
        const entry = chunks.find((c) => c.isEntry && c.facadeModuleId !== bootId);
        if (!boot || !entry) throw new Error('tutela-boot-hints: the boot or entry chunk is missing');
        if (boot.imports.length > 0) throw new Error('tutela-boot-hints: entry/boot.ts must import nothing');
        const preloaded = closure(entry.fileName);
        const routes: Record<string, string[]> = {};
        for (const [route, screen] of Object.entries(ROUTE_SCREENS)) {
          const chunk = chunks.find((c) => c.facadeModuleId === path.join(webRoot, screen));
          if (!chunk) throw new Error(`tutela-boot-hints: no chunk for ${screen}`);
          routes[route] = [...closure(chunk.fileName)].filter((f) => !preloaded.has(f)).map((f) => `/${f}`);
        }
        const languages: Record<string, string[]> = {};
        for (const lang of ['en', 'fr', 'ar']) {
          const chunk = chunks.find((c) => c.facadeModuleId === path.join(webRoot, `src/i18n/${lang}.ts`));
          if (!chunk) throw new Error(`tutela-boot-hints: no chunk for the ${lang} translations`);
          languages[lang] = [...closure(chunk.fileName)].filter((f) => !preloaded.has(f)).map((f) => `/${f}`);
        }
        const data = JSON.stringify({ routes, languages }).replace(/</g, '\\u003c');
        // Right after the charset (which must come within the first 1024 bytes), before the bundle's own tags.
        const charset = '<meta charset="utf-8">';
        if (!html.includes(charset)) throw new Error(`tutela-boot-hints: index.html needs ${charset}`);
        return html.replace(charset, `${charset}\n    <script type="application/json" id="tutela-boot">${data}</script>\n    <script src="/${boot.fileName}"></script>`);
      },
    },
  };
}

/**
 * Fewer, larger files for the first load: on slow 4G every file costs a round trip of over half a second,
 * and a browser opens at most six connections to the server, so five small shared chunks beside the
 * entry made the rest wait. Everything the entry imports statically goes into one chunk (`app`), and
 * the server's schemas and vocabularies with zod into another (`schemas`: the form and the queue share them).
 */
const entryClosure = new Set<string>();
function entryChunking(): Plugin {
  const entry = path.join(webRoot, 'src/entry/main.tsx');
  return {
    name: 'tutela-entry-chunking',
    apply: 'build',
    buildEnd() {
      entryClosure.clear();
      const visit = (id: string) => {
        if (entryClosure.has(id)) return;
        entryClosure.add(id);
        for (const i of this.getModuleInfo(id)?.importedIds ?? []) visit(i);
      };
      visit(entry);
    },
  };
}

export default defineConfig({
  root: webRoot,
  base: '/',
  plugins: [
    react(),
    VitePWA({
      // The app registers the worker itself (entry/main.tsx); a new version waits for the next load, so a
      // form being filled is never reloaded from under the monitor.
      injectRegister: false,
      registerType: 'prompt',
      includeAssets: ['icon.svg'],
      manifest: {
        id: '/',
        name: 'Tutela',
        short_name: 'Tutela',
        description: 'Child protection information system: monitoring and reporting of grave violations against children.',
        start_url: '/',
        scope: '/',
        display: 'standalone',
        background_color: '#ffffff',
        theme_color: '#1d4f91',
        icons: [
          { src: '/icon.svg', sizes: 'any', type: 'image/svg+xml', purpose: 'any' },
          { src: '/icon-192.png', sizes: '192x192', type: 'image/png' },
          { src: '/icon-512.png', sizes: '512x512', type: 'image/png' },
        ],
      },
      workbox: {
        globPatterns: ['**/*.{js,css,html,svg,png,webmanifest}'],
        // Every app path opens the cached shell; the API is never answered from the shell.
        navigateFallback: '/index.html',
        navigateFallbackDenylist: [/^\/api\//],
        // Reference lists (areas, parties: no personal data) so the forms work offline after a reload.
        // Nothing else from the API is cached: records live only sealed in IndexedDB.
        runtimeCaching: [{ urlPattern: /\/api\/v1\/reference\//, handler: 'NetworkFirst', options: { cacheName: 'tutela-reference', networkTimeoutSeconds: 5 } }],
      },
    }),
    entryChunking(),
    bootHints(),
    precompress(),
  ],
  // The manifest lets `npm run bench:web` sum what the first load fetches (entry + static imports).
  build: {
    outDir: 'dist', emptyOutDir: true, target: 'es2022', chunkSizeWarningLimit: 700, manifest: true,
    rolldownOptions: {
      output: {
        codeSplitting: {
          groups: [
            { name: 'app', test: (id: string) => entryClosure.has(id) || id.includes('rolldown/runtime'), priority: 20 },
            { name: 'schemas', test: /[\\/]node_modules[\\/]zod[\\/]|[\\/]src[\\/]modules[\\/](mrm|reference)[\\/]/, priority: 10 },
          ],
        },
      },
    },
  },
  server: { proxy: { '/api': process.env.TUTELA_API_URL ?? 'http://127.0.0.1:8080' } },
});
