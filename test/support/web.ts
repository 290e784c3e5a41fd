import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Page } from 'playwright-core';
import { loadConfig } from '../../src/platform/config.ts';
import type { Store } from '../../src/platform/db/store.ts';
import { createServer } from '../../src/server.ts';
import { newMission, PASSWORD, totpCodeFor, type Mission } from './fixtures.ts';
import { openTestStore } from './stores.ts';

/**
 * What the browser tests share: one build of the web app per change of its sources (not per test
 * file), a Tutela server on a free port serving it, and Debian's Chromium driven by playwright-core.
 */
const repoRoot = path.resolve(import.meta.dirname, '../..');
const webDir = path.join(repoRoot, 'web');
// The server reads the same variable (platform/http/web-app.ts), so concurrent test runs can keep separate builds.
const dist = process.env.TUTELA_WEB_DIST ? path.resolve(process.env.TUTELA_WEB_DIST) : path.join(webDir, 'dist');
const stampFile = path.join(dist, '.source-stamp');

/** Everything the bundle is made from: the app and the server modules it shares (schemas, vocabulary). */
const SOURCES = ['web/src', 'web/public', 'web/index.html', 'web/vite.config.ts', 'src/modules/mrm/schema.ts',
  'src/modules/mrm/vocabulary.ts', 'src/modules/mrm/verification.ts', 'src/modules/mrm/reports/schema.ts',
  'src/modules/sea/schema.ts', 'src/modules/sea/vocabulary.ts', 'src/modules/sea/policy.ts', 'src/modules/reference/schema.ts',
  'src/modules/cases/schema.ts', 'src/modules/cases/care-schema.ts', 'src/modules/cases/consent.ts', 'src/modules/cases/workflow.ts'];

function newestMtime(p: string): number {
  const abs = path.join(repoRoot, p);
  if (!fs.existsSync(abs)) return 0;
  const st = fs.statSync(abs);
  if (!st.isDirectory()) return st.mtimeMs;
  return Math.max(st.mtimeMs, ...fs.readdirSync(abs).map((f) => newestMtime(path.join(p, f))));
}

/** Builds web/dist unless it is newer than every source (the stamp records the sources' newest time). */
export function ensureWebBuild(): void {
  const sourcesAt = String(Math.max(...SOURCES.map(newestMtime)));
  if (fs.existsSync(stampFile) && fs.readFileSync(stampFile, 'utf8') === sourcesAt && fs.existsSync(path.join(dist, 'index.html'))) return;
  const vite = path.join(repoRoot, 'node_modules/vite/bin/vite.js');
  const result = spawnSync(process.execPath, [vite, 'build', 'web', '--outDir', dist, '--emptyOutDir', '--logLevel', 'warn'], { cwd: repoRoot, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`vite build failed:\n${result.stdout}\n${result.stderr}`);
  fs.writeFileSync(stampFile, sourcesAt);
}

export interface WebServer { url: string; app: FastifyInstance; store: Store; close(): Promise<void> }

/** An in-process server with the web app (src/server.ts registers it). */
export async function startWebServer(): Promise<WebServer> {
  ensureWebBuild();
  const store = await openTestStore('pglite');
  const config = { ...loadConfig({ TUTELA_TOTP_WINDOW_STEPS: '10' }), logLevel: (process.env.TUTELA_TEST_LOG_LEVEL ?? 'silent') as 'silent' };
  const app = await createServer(store, config);
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  if (!address || typeof address === 'string') throw new Error('no port');
  return {
    url: `http://127.0.0.1:${address.port}`, app, store,
    async close() { await app.close(); await store.close(); },
  };
}

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--headless',
      '--no-first-run', '--disable-quic'],
  });
}

/** Console errors and failed requests of a page: a missing translation key or a CSP refusal shows up here. */
export function watchConsole(page: Page): string[] {
  const problems: string[] = [];
  page.on('console', (m) => {
    // A login that needs the code answers 401 auth.second_factor_required by design; Chromium logs every 401.
    if (m.type() === 'error' && !/status of 401 \(Unauthorized\)/.test(m.text())) problems.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  return problems;
}

/** Screenshots go to TUTELA_SCREENSHOT_DIR (e.g. docs/screenshots) when it is set. */
export async function screenshot(page: Page, name: string): Promise<void> {
  const dir = process.env.TUTELA_SCREENSHOT_DIR;
  if (!dir) return;
  fs.mkdirSync(dir, { recursive: true });
  await page.screenshot({ path: path.join(dir, `${name}.png`), fullPage: true });
}

/** Password, then the authenticator's code when the account has one, through the login screen. */
export async function logInThroughUi(page: Page, username: string, password: string, code: () => string): Promise<void> {
  await page.fill('input[name=username]', username);
  await page.fill('input[name=password]', password);
  await page.click('form button[type=submit]');
  await page.waitForSelector('input[name=totp_code], nav.main-nav');
  if (await page.locator('input[name=totp_code]').count()) {
    await page.fill('input[name=totp_code]', code());
    await page.click('form button[type=submit]');
    await page.waitForSelector('nav.main-nav');
  }
}

/** Fills and saves the new-incident form as a monitor would: an abduction of two boys by CODECO at a displacement site in Djugu. */
export async function recordIncidentThroughForm(page: Page, m: Mission, title: string, narrative: string): Promise<void> {
  await page.fill('input[name=title]', title);
  await page.fill('input[name=date_start]', '2026-03-14');
  await page.selectOption('select[name=area-level-1]', m.areas.ituri);
  await page.selectOption('select[name=area-level-2]', m.areas.djugu);
  await page.selectOption('select[name=location_type]', 'displacement_site');
  await page.selectOption('select[name=violation-0-type]', 'abduction');
  await page.fill('input[name=violation-0-14-17-boys]', '2');
  await page.getByRole('button', { name: 'Add a perpetrator' }).click();
  await page.selectOption('select[name=violation-0-party-0]', m.parties.codeco);
  await page.fill('textarea[name=narrative_confidential]', narrative);
  await page.getByRole('button', { name: 'Save the incident' }).click();
}

/** Logs in, then reloads once the service worker is ready, so that it serves the app shell with no network. */
export async function logInWithOfflineShell(page: Page, baseUrl: string, username: string): Promise<void> {
  await page.goto(`${baseUrl}/`);
  await logInThroughUi(page, username, PASSWORD, () => totpCodeFor(username));
  await page.evaluate(async () => { await navigator.serviceWorker.ready; });
  await page.reload();
  await page.waitForSelector('nav.main-nav');
}

/** On the sync screen, online: the PIN opens the device store, and the pull brings the incidents this user may see. */
export async function keepIncidentsOnDevice(page: Page, baseUrl: string, pin: string): Promise<void> {
  await page.goto(`${baseUrl}/outbox`);
  await page.getByText('Choose or enter your PIN to keep the incidents you may see on this device').waitFor();
  await page.fill('input[name=offline_pin]', pin);
  await page.getByRole('button', { name: 'Save the PIN' }).click();
  await page.locator('[data-testid=device-copies]', { hasText: /incident\(s\) kept on this device, encrypted/ }).waitFor({ timeout: 30_000 });
}

/** With no network, the edit screen asks for the PIN (the page load forgot the key) and opens the device's copy. */
export async function openEditOffline(page: Page, baseUrl: string, id: string, pin: string, title: string): Promise<void> {
  await page.goto(`${baseUrl}/incidents/${id}/edit`);
  await page.getByText('No network. This incident may be kept encrypted on this device').waitFor();
  await page.fill('input[name=offline_pin]', pin);
  await page.getByRole('button', { name: 'Unlock' }).click();
  await page.waitForFunction((t) => (document.querySelector('input[name=title]') as HTMLInputElement | null)?.value === t, title);
}

const axeScript = path.join(repoRoot, 'node_modules/axe-core/axe.min.js');
export interface AxeFinding { id: string; impact: string | null; help: string; targets: string[] }

/**
 * axe-core's WCAG 2.0/2.1 A and AA rules on the page as it stands; returns the serious and critical
 * findings (what the acceptance counts), each with the elements it names.
 */
export async function seriousAxeFindings(page: Page): Promise<AxeFinding[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ path: axeScript });
  return page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(ctx: Document, o: object): Promise<{ violations: { id: string; impact: string | null; help: string; nodes: { target: unknown[] }[] }[] }> } }).axe;
    const result = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] }, resultTypes: ['violations'] });
    return result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => ({ id: v.id, impact: v.impact, help: v.help, targets: v.nodes.slice(0, 5).map((n) => n.target.map(String).join(' ')) }));
  });
}

/** A Tutela server on a fresh mission and a browser: what each browser test file opens before its tests. */
export async function openBrowserWorld(): Promise<{ server: WebServer; m: Mission; browser: Browser }> {
  const server = await startWebServer();
  const m = await newMission(server.store, server.app);
  return { server, m, browser: await launchBrowser() };
}

export async function closeBrowserWorld(w: { server?: WebServer; browser?: Browser }): Promise<void> {
  await w.browser?.close();
  await w.server?.close();
}

/**
 * Every value in the device database, with binary fields read as Latin-1 text: what a seized phone shows.
 * Passed as source text: tsx would otherwise wrap the named inner function in a helper the page lacks.
 */
export const rawIndexedDb = (page: Page): Promise<string> => page.evaluate<string>(`(async () => {
    const db = await new Promise((res, rej) => { const r = indexedDB.open('tutela-offline'); r.onsuccess = () => res(r.result); r.onerror = () => rej(r.error); });
    const out = [];
    const dump = (v) => v instanceof ArrayBuffer || ArrayBuffer.isView(v)
      ? new TextDecoder('latin1').decode(v) : v && typeof v === 'object' ? Object.values(v).map(dump).join('|') : String(v);
    for (const name of Array.from(db.objectStoreNames)) {
      const all = await new Promise((res) => { const r = db.transaction(name).objectStore(name).getAll(); r.onsuccess = () => res(r.result); });
      out.push(name + ':' + all.length + ':' + all.map(dump).join('\\n'));
    }
    db.close();
    return out.join('\\n');
  })()`);

/**
 * A logged-in page at 1366×768 in `language` that records console errors and every refused API call
 * (status ≥ 400 other than 401), for tests that fail on anything unexpected. bypassCSP lets the test inject
 * axe-core; the app itself runs under its strict policy otherwise.
 */
export async function openWatchedPage(browser: Browser, baseUrl: string, username: string, language: 'en' | 'fr' | 'ar', options: BrowserContextOptions = {}):
  Promise<{ context: BrowserContext; page: Page; problems: string[]; refused: string[] }> {
  const context = await browser.newContext({ viewport: { width: 1366, height: 768 }, bypassCSP: true, ...options });
  const page = await context.newPage();
  const problems = watchConsole(page);
  const refused: string[] = [];
  page.on('response', (r) => { if (r.status() >= 400 && r.status() !== 401) refused.push(`${r.status()} ${new URL(r.url()).pathname}`); });
  await page.goto(`${baseUrl}/`);
  await page.selectOption('.language-picker select', language);
  await logInThroughUi(page, username, PASSWORD, () => totpCodeFor(username));
  return { context, page, problems, refused };
}

/**
 * Console errors and refused calls, less one expected refusal: the offline layer asks once per session
 * whether the role keeps an outbox (POST /sync/outbox-status, refused for roles without one) and Chromium
 * logs that 403. Anything else is a failure.
 */
export function unexpectedProblems(problems: string[], refused: string[]): string[] {
  const other = refused.filter((r) => r !== '403 /api/v1/sync/outbox-status');
  const asked = refused.length > other.length;
  return [...other, ...problems.filter((p) => !(asked && /status of 403 \(Forbidden\)/.test(p)))];
}
