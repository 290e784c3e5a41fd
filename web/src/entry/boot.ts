/**
 * The first script to run, before the app's bundle has arrived. On a slow link the bundle takes
 * seconds, and whatever the bundle asks for only after it has run costs one more round trip (over half
 * a second on slow 4G). So this script, a few hundred bytes loaded `async` beside the bundle:
 *   - asks for the JavaScript of the screen being opened (`<link rel=modulepreload>`; which files serve
 *     which path is written into the page at build time by vite.config.ts `bootHints`), and
 *   - when this tab holds a session, asks for what every screen needs first (who is signed in, the
 *     reference lists); `api/client.ts` takes these answers instead of asking again.
 * It must import nothing: it is emitted as a chunk of its own and loaded as a classic script, first in
 * the page's head, so the browser asks for it before the bundle's many files (a low-priority async script
 * waited for a free connection behind them). Being classic, it keeps its names inside a function.
 */
(() => {
  // The same key as api/client.ts: the CSRF token is kept only while this tab holds a session.
  const CSRF_KEY = 'tutela.csrf';
  /** The GETs the session check makes at start (session.tsx `refresh`); paths as the client names them. */
  const FIRST_REQUESTS = ['/me', '/reference/admin-areas', '/reference/parties'];

  // As i18n/index.ts `initialLanguage`: the reader's choice (localStorage), else the browser's, else French.
  const LANGUAGE_KEY = 'tutela.language';
  const LANGUAGES = ['fr', 'en', 'ar'];

  interface BootHints { routes?: Record<string, string[]>; languages?: Record<string, string[]> }

  function readHints(): BootHints {
    try { return JSON.parse(document.getElementById('tutela-boot')?.textContent ?? '{}') as BootHints; } catch { return {}; }
  }

  function readerLanguage(): string {
    try {
      const stored = localStorage.getItem(LANGUAGE_KEY);
      if (stored && LANGUAGES.includes(stored)) return stored;
    } catch { /* storage blocked */ }
    return (navigator.languages ?? [navigator.language]).map((l) => l.slice(0, 2)).find((l) => LANGUAGES.includes(l)) ?? 'fr';
  }

  // The answers first: they are small and wait on the link's latency, the chunks on its bandwidth.
  let hasSession = false;
  try { hasSession = sessionStorage.getItem(CSRF_KEY) !== null; } catch { /* storage blocked: the app asks itself */ }
  if (hasSession) {
    const early = new Map<string, Promise<Response>>();
    for (const p of FIRST_REQUESTS) {
      const answer = fetch(`/api/v1${p}`, { method: 'GET', headers: { accept: 'application/json' }, credentials: 'same-origin' });
      answer.catch(() => undefined); // no network: the client's own request reports it
      early.set(p, answer);
    }
    (window as { __tutelaEarly?: Map<string, Promise<Response>> }).__tutelaEarly = early;
  }

  const hints = readHints();
  for (const href of [...(hints.languages?.[readerLanguage()] ?? []), ...(hints.routes?.[window.location.pathname] ?? [])]) {
    const link = document.createElement('link');
    link.rel = 'modulepreload';
    link.crossOrigin = '';
    link.href = href;
    document.head.appendChild(link);
  }
})();
