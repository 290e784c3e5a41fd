/// <reference types="vite-plugin-pwa/client" />
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from '../app.tsx';
import { setupI18n } from '../i18n/index.ts';
import { SessionProvider } from '../session.tsx';
import '../styles.css';
import { registerSW } from 'virtual:pwa-register';

// The service worker caches the app shell, so the app opens with no network (issue 7).
if ('serviceWorker' in navigator) registerSW({ immediate: true });
await setupI18n();
createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <SessionProvider>
      <App />
    </SessionProvider>
  </StrictMode>,
);
