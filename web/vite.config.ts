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
    precompress(),
  ],
  // The manifest lets `npm run bench:web` sum what the first load fetches (entry + static imports).
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022', chunkSizeWarningLimit: 700, manifest: true },
  server: { proxy: { '/api': process.env.TUTELA_API_URL ?? 'http://127.0.0.1:8080' } },
});
