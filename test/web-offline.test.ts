import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { newMission, PASSWORD, totpCodeFor, type Mission } from './support/fixtures.ts';
import { launchBrowser, startWebServer, watchConsole, type WebServer } from './support/web.ts';

/**
 * Issue 7 in a real browser: a monitor records a report with the network cut, reloads (the service
 * worker serves the app), finds it waiting and sealed in IndexedDB, reconnects, and sees the receipt;
 * the device copy is gone and the server holds exactly one record.
 */
describe('offline reporting in the browser', () => {
  let server: WebServer;
  let browser: Browser;
  let m: Mission;

  before(async () => {
    server = await startWebServer();
    m = await newMission(server.store, server.app);
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  async function logIn(page: Page, username: string) {
    await page.fill('input[name=username]', username);
    await page.fill('input[name=password]', PASSWORD);
    await page.click('form button[type=submit]');
    await page.waitForSelector('input[name=totp_code], nav.main-nav');
    if (await page.locator('input[name=totp_code]').count()) {
      await page.fill('input[name=totp_code]', totpCodeFor(username));
      await page.click('form button[type=submit]');
      await page.waitForSelector('nav.main-nav');
    }
  }

  /** Every value in the device database, with binary fields read as Latin-1 text: what a seized phone shows. */
  // Passed as source text: tsx would otherwise wrap the named inner function in a helper the page lacks.
  const rawIndexedDb = (page: Page) => page.evaluate<string>(`(async () => {
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

  it('records with the network cut, survives a reload sealed, then syncs once and keeps the receipt', async () => {
    const context = await browser.newContext({ viewport: { width: 360, height: 640 }, locale: 'en-GB' });
    const page = await context.newPage();
    const problems = watchConsole(page);
    await page.goto(`${server.url}/`);
    await logIn(page, m.usernames.monitor);
    await page.getByRole('heading', { name: 'Record an incident' }).waitFor();
    // The service worker installs on the first visit and controls the page from the next load.
    await page.evaluate(async () => { await navigator.serviceWorker.ready; });
    await page.reload();
    await page.getByRole('heading', { name: 'Record an incident' }).waitFor();
    assert.ok(await page.evaluate(() => navigator.serviceWorker.controller !== null), 'the service worker controls the page');

    await context.setOffline(true);
    const title = `Offline report ${Date.now()}`;
    const narrative = 'Witness W-31 saw the abduction near the river crossing.';
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
    await page.fill('input[name=offline_pin]', '482916');
    await page.getByRole('button', { name: 'Save the PIN' }).click();
    await page.locator('[data-testid=outbox-item]').waitFor({ timeout: 10_000 });

    await page.reload();
    await page.getByRole('heading', { name: 'Sent and waiting' }).waitFor();
    // The list is read from IndexedDB after the heading renders: wait for it, then count.
    await page.locator('[data-testid=outbox-item]').first().waitFor({ timeout: 10_000 });
    assert.equal(await page.locator('[data-testid=outbox-item]').count(), 1, 'still there after a reload with no network');
    const raw = await rawIndexedDb(page);
    assert.match(raw, /outbox:1:/);
    assert.ok(!raw.includes('W-31') && !raw.includes(title), 'no plaintext of the report at rest');

    await context.setOffline(false);
    await page.fill('input[name=offline_pin]', '482916');
    await page.getByRole('button', { name: 'Unlock' }).click();
    await page.locator('[data-testid=receipt]').waitFor({ timeout: 30_000 });
    await page.getByText('Nothing is waiting').waitFor();
    assert.match(await rawIndexedDb(page), /outbox:0:/, 'the device copy is deleted after the receipt');

    const stored = await server.store.db.selectFrom('incidents').select(['incident_id']).where('mission_id', '=', m.id).where('title', '=', title).execute();
    assert.equal(stored.length, 1, 'exactly one record on the server');
    assert.deepEqual(problems.filter((p) => !/ERR_INTERNET_DISCONNECTED|Failed to load resource/.test(p)), []);
    await context.close();
  });
});
