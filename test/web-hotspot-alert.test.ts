import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { DEFAULT_HOTSPOT_SETTINGS, scanMission } from '../src/modules/analytics/service.ts';
import { systemContext } from '../src/platform/context.ts';
import { auth, incidentBody, newMission, PASSWORD, totpCodeFor, type Mission } from './support/fixtures.ts';
import { launchBrowser, logInThroughUi, screenshot, seriousAxeFindings, startWebServer, watchConsole, type WebServer } from './support/web.ts';

/**
 * Issue 9's acceptance in a real browser: a cluster planted in a demo mission raises an alert in the
 * daily scan, a monitor of that area sees it in the web app with its incidents and acknowledges it;
 * a monitor of another area is not told; an analyst sees the figures but no incidents and no button.
 */
describe('hotspot alert in the web app', () => {
  let server: WebServer;
  let browser: Browser;
  let m: Mission;
  const planted: string[] = [];
  const AS_OF = '2026-06-30';

  const record = async (token: string, pcode: string, date: string, lat: number, lon: number): Promise<string> => {
    const base = incidentBody(m);
    const res = await server.app.inject({ method: 'POST', url: '/api/v1/incidents', headers: auth(token), payload: {
      ...base, date: { start: date, precision: 'day' }, first_reported_on: date, violations: [base.violations[0]],
      location: { admin_pcode: pcode, location_type: 'village', coordinates: { latitude: lat, longitude: lon, precision: 'exact' } },
    } });
    assert.equal(res.statusCode, 201, res.body);
    return res.json().id as string;
  };

  before(async () => {
    server = await startWebServer();
    m = await newMission(server.store, server.app);
    browser = await launchBrowser();
    // A year of scattered killings in Djugu and Beni, then eight in one Djugu village within six days.
    for (let i = 0; i < 40; i++) {
      const day = new Date(Date.parse('2025-07-05T00:00:00Z') + i * 9 * 86_400_000).toISOString().slice(0, 10);
      const djugu = i % 2 === 0;
      await record(djugu ? m.tokens.monitor : m.tokens.monitorBeni, djugu ? m.areas.djugu : m.areas.beni, day,
        (djugu ? 1.6 : 0.5) + (i % 5) * 0.2, (djugu ? 30.2 : 29.4) + (i % 5) * 0.2);
    }
    for (let d = 0; d < 8; d++) planted.push(await record(m.tokens.monitor, m.areas.djugu, `2026-06-${String(24 + (d % 6)).padStart(2, '0')}`, 1.91, 30.41));
    const summary = await scanMission(server.store.db, systemContext(m.id), AS_OF, { ...DEFAULT_HOTSPOT_SETTINGS, replications: 99, alertRecurrenceDays: 50 });
    assert.equal(summary.find((s) => s.violationType === 'killing')?.alerts, 1, JSON.stringify(summary));
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  async function signedIn(username: string): Promise<{ page: Page; problems: string[]; close(): Promise<void> }> {
    // bypassCSP lets the test inject axe-core; the app itself runs under its strict policy otherwise.
    const context = await browser.newContext({ viewport: { width: 1024, height: 768 }, locale: 'en-GB', bypassCSP: true });
    const page = await context.newPage();
    await page.goto(`${server.url}/`);
    await page.selectOption('.language-picker select', 'en');
    await logInThroughUi(page, username, PASSWORD, () => totpCodeFor(username));
    // The nav offers the screen; it is then opened afresh so only its own requests are watched
    // (the role's home screen, loaded at login, belongs to other tests).
    await page.getByRole('navigation').getByRole('link', { name: 'Alerts' }).waitFor();
    const problems = watchConsole(page);
    await page.goto(`${server.url}/alerts`);
    await page.getByRole('heading', { name: 'Hotspot alerts' }).waitFor();
    await page.getByRole('navigation').getByRole('link', { name: 'Alerts' }).and(page.locator('[aria-current=page]')).waitFor();
    return { page, problems, close: () => context.close() };
  }

  it('a monitor of Djugu sees the alert with its incidents and acknowledges it', async () => {
    const { page, problems, close } = await signedIn(m.usernames.monitor);
    const card = page.locator('li.hotspot-alert');
    await card.first().waitFor();
    assert.equal(await card.count(), 1);
    await card.getByRole('heading', { name: /Killing/ }).waitFor();
    const text = await card.innerText();
    assert.match(text, /\d+ where [\d.]+ were expected/, 'observed against expected');
    assert.match(text, /once in \d[\d,]* days/);
    // Every planted incident is listed, linked to its record.
    for (const id of planted) await card.getByRole('link', { name: id.slice(0, 8).toUpperCase() }).waitFor();
    await screenshot(page, 'hotspot-alert-1024');
    assert.deepEqual(await seriousAxeFindings(page), [], 'no serious accessibility finding on the alerts page');

    await card.getByRole('button', { name: 'Acknowledge' }).click();
    await card.getByText(/^Acknowledged /).waitFor();
    assert.equal(await card.getByRole('button', { name: 'Acknowledge' }).count(), 0);
    const stored = await server.app.inject({ method: 'GET', url: '/api/v1/hotspot-alerts', headers: auth(m.tokens.monitor) });
    assert.ok(stored.json().items[0].acknowledged_at, 'the acknowledgement reached the server');

    // Following an incident link opens the record.
    await card.getByRole('link', { name: planted[0]!.slice(0, 8).toUpperCase() }).click();
    await page.waitForURL(`**/incidents/${planted[0]}`);
    assert.deepEqual(problems, []);
    await close();
  });

  it('a monitor of Beni is not told about the Djugu cluster', async () => {
    const { page, problems, close } = await signedIn(m.usernames.monitorBeni);
    await page.getByText('No alert for your areas.').waitFor();
    assert.equal(await page.locator('li.hotspot-alert').count(), 0);
    assert.deepEqual(problems, []);
    await close();
  });

  it('an analyst sees the figures without incidents and without an acknowledge button', async () => {
    const { page, problems, close } = await signedIn(m.usernames.analyst);
    const card = page.locator('li.hotspot-alert');
    await card.first().waitFor();
    assert.equal(await card.locator('.alert-incidents').count(), 0);
    assert.equal(await card.getByRole('button').count(), 0);
    assert.deepEqual(problems, []);
    await close();
  });
});
