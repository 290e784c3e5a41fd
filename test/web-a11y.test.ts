import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { createUser } from '../src/modules/accounts/service.ts';
import { systemContext } from '../src/platform/context.ts';
import { auth, incidentBody, newMission, PASSWORD, totpCodeFor, type Mission } from './support/fixtures.ts';
import { launchBrowser, logInThroughUi, screenshot, seriousAxeFindings, startWebServer, watchConsole, type WebServer } from './support/web.ts';

/**
 * Issue 6, accessibility: axe-core (WCAG 2.0/2.1 A and AA rules) finds no serious or critical problem
 * on any main screen, in English and in Arabic (right-to-left), on a phone and on a laptop; and the
 * main flow works with the keyboard alone, with the focus visible. The same walk saves the
 * screenshots of every main screen (TUTELA_SCREENSHOT_DIR=docs/screenshots).
 */
describe('web app accessibility', () => {
  let server: WebServer;
  let browser: Browser;
  let m: Mission;
  let incidentId = '';
  const auditor = `aud${Date.now()}`;

  before(async () => {
    server = await startWebServer();
    m = await newMission(server.store, server.app);
    await createUser(server.store.db, systemContext(m.id), { username: auditor, display_name: 'Auditor', role: 'auditor', scope: { country: null, areas: [], agency: null }, password: PASSWORD });
    // This year's incidents, so the dashboard has figures and points to draw.
    const year = new Date().getUTCFullYear();
    for (const [lat, lon] of [[1.62, 30.25], [1.71, 30.18], [1.55, 30.41]]) {
      const body = incidentBody(m, { date: { start: `${year}-01-01`, precision: 'day' }, first_reported_on: null,
        location: { admin_pcode: m.areas.djugu, location_type: 'village', coordinates: { latitude: lat, longitude: lon, precision: 'exact' } } });
      const created = await server.app.inject({ method: 'POST', url: '/api/v1/incidents', headers: auth(m.tokens.monitor), payload: body });
      assert.equal(created.statusCode, 201, created.body);
      incidentId = (created.json() as { id: string }).id;
    }
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  const code = (username: string) => () => totpCodeFor(username);

  /** Each role's main screens: the path, a name for the screenshot, and what shows the screen has loaded. */
  const walks: { user: () => string; screens: { path: string; name: string; ready: string; act?: (p: Page) => Promise<void> }[] }[] = [
    { user: () => m.usernames.monitor, screens: [
      { path: '/incidents/new', name: 'incident-form', ready: 'form.incident-form section.violation' },
      { path: '/incidents', name: 'incident-list', ready: '.vtable-row[data-index="0"]' },
      { path: '/violations', name: 'violation-list', ready: '.vtable-row[data-index="0"]' },
      { path: '/incidents/{id}/edit', name: 'incident-edit', ready: 'form.incident-form select[name=status]' },
      { path: '/dashboard', name: 'dashboard-monitor', ready: '.area-map svg.map-points' },
    ] },
    { user: () => m.usernames.verifier, screens: [
      { path: '/verification', name: 'verification-queue', ready: '.violation form.decision' },
      { path: `/incidents/{id}`, name: 'incident-record', ready: 'section.violation form.decision' },
      { path: '/reports', name: 'reports', ready: 'section[aria-labelledby=report-heading] table', act: async (p) => { await p.click('form.filters button[type=submit]'); } },
    ] },
    { user: () => m.usernames.analyst, screens: [{ path: '/dashboard', name: 'dashboard-analyst', ready: '.area-map' }] },
    { user: () => m.usernames.admin, screens: [{ path: '/admin/users', name: 'users', ready: 'table' }, { path: '/admin/reference', name: 'reference-data', ready: 'table' }] },
    { user: () => auditor, screens: [{ path: '/audit', name: 'audit-log', ready: 'table' }] },
  ];

  // Both sizes in English, and Arabic (right-to-left) at the laptop size: axe's rules (names, contrast, structure)
  // do not change with the direction, and a fourth walk would add ~40 s to every CI run.
  for (const lang of ['en', 'ar'] as const) {
    for (const viewport of lang === 'en' ? [{ width: 360, height: 640 }, { width: 1366, height: 768 }] : [{ width: 1366, height: 768 }]) {
      it(`no serious or critical axe finding on any main screen (${lang}, ${viewport.width}×${viewport.height})`, async () => {
        const found: string[] = [];
        const shoot = lang === 'en' || viewport.width === 1366;
        let first = true;
        for (const walk of walks) {
          // bypassCSP lets the test inject axe-core; the app itself runs under its strict policy otherwise.
          const context = await browser.newContext({ viewport, locale: lang === 'ar' ? 'ar' : 'en-GB', bypassCSP: true });
          const page = await context.newPage();
          await page.goto(`${server.url}/`);
          await page.locator('input[name=username]').waitFor();
          assert.equal(await page.evaluate(() => document.documentElement.dir), lang === 'ar' ? 'rtl' : 'ltr');
          if (first) {
            for (const f of await seriousAxeFindings(page)) found.push(`login: ${f.id} (${f.impact}) ${f.help} at ${f.targets.join(', ')}`);
            if (shoot) await screenshot(page, `login-${lang}-${viewport.width}`);
            first = false;
          }
          await logInThroughUi(page, walk.user(), PASSWORD, code(walk.user()));
          for (const s of walk.screens) {
            await page.goto(`${server.url}${s.path.replace('{id}', incidentId)}`);
            await s.act?.(page);
            await page.locator(s.ready).first().waitFor();
            for (const f of await seriousAxeFindings(page)) found.push(`${s.name}: ${f.id} (${f.impact}) ${f.help} at ${f.targets.join(', ')}`);
            if (shoot) await screenshot(page, `${s.name}-${lang}-${viewport.width}`);
          }
          await context.close();
        }
        assert.deepEqual(found, []);
      });
    }
  }

  it('logs in and opens the incident form with the keyboard alone, the focus always visible', async () => {
    const context = await browser.newContext({ viewport: { width: 1366, height: 768 }, locale: 'en-GB' });
    const page = await context.newPage();
    const problems = watchConsole(page);
    await page.goto(`${server.url}/`);
    await page.locator('input[name=username]').waitFor();

    /** Tab until the focused element matches, checking each stop shows a focus ring. */
    async function tabTo(selector: string, { back = false, limit = 25 } = {}): Promise<void> {
      for (let i = 0; i < limit; i++) {
        await page.keyboard.press(back ? 'Shift+Tab' : 'Tab');
        const state = await page.evaluate((sel) => {
          const el = document.activeElement as HTMLElement | null;
          if (!el || el === document.body) return { matches: false, visible: true, what: 'body' };
          const style = getComputedStyle(el);
          const ring = (style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2) || style.boxShadow !== 'none';
          return { matches: el.matches(sel), visible: ring, what: el.outerHTML.slice(0, 80) };
        }, selector);
        assert.ok(state.visible, `no visible focus on ${state.what}`);
        if (state.matches) return;
      }
      assert.fail(`${selector} not reached with Tab`);
    }

    await tabTo('a.skip-link');
    assert.ok(await page.locator('a.skip-link').isVisible(), 'the skip link shows when focused');
    await tabTo('input[name=username]');
    await page.keyboard.type(m.usernames.verifier);
    await tabTo('input[name=password]');
    await page.keyboard.type(PASSWORD);
    await page.keyboard.press('Enter');
    await page.locator('input[name=totp_code]').waitFor();
    assert.equal(await page.evaluate(() => (document.activeElement as HTMLInputElement | null)?.name), 'totp_code', 'the code field takes the focus');
    await page.keyboard.type(totpCodeFor(m.usernames.verifier));
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Verification queue' }).waitFor();

    // The new page's heading has the focus; the navigation is behind it.
    await tabTo('nav.main-nav a[href="/incidents/new"]', { back: true });
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Record an incident' }).waitFor();
    await tabTo('input[name=title]');
    await page.keyboard.type('Keyboard-only entry');
    await tabTo('input[name=date_start]');
    await tabTo('select[name=area-level-1]');
    assert.deepEqual(problems, []);
    await context.close();
  });
});
