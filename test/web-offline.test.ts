import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import type { Browser, Page } from 'playwright-core';
import { PASSWORD, totpCodeFor, type Mission } from './support/fixtures.ts';
import { closeBrowserWorld, logInThroughUi, openBrowserWorld, rawIndexedDb, recordIncidentThroughForm, watchConsole, type WebServer } from './support/web.ts';

/**
 * Issue 7 in a real browser: a monitor records three reports with the network cut, reloads (the service
 * worker serves the app), finds them waiting and sealed in IndexedDB, reconnects, and sees the receipts;
 * the device copies are gone, the server holds exactly one record each, and logging out leaves the
 * device store empty.
 */
describe('offline reporting in the browser', () => {
  let server: WebServer;
  let browser: Browser;
  let m: Mission;

  before(async () => ({ server, m, browser } = await openBrowserWorld()));
  after(() => closeBrowserWorld({ server, browser }));

  /** Password, then the authenticator's code when the account has one. */
  const logIn = (page: Page, username: string) => logInThroughUi(page, username, PASSWORD, () => totpCodeFor(username));

  /** Item counts per object store of the device database; null when the database does not exist (wiped). */
  // Checks indexedDB.databases() first: opening a missing database would create an empty one without stores.
  const deviceStoreCounts = (page: Page) => page.evaluate<Record<string, number> | null>(`(async () => {
    if (!(await indexedDB.databases()).some((d) => d.name === 'tutela-offline')) return null;
    const db = await new Promise((res, rej) => { const r = indexedDB.open('tutela-offline'); r.onsuccess = () => res(r.result); r.onerror = () => rej(r.error); });
    const out = {};
    for (const name of Array.from(db.objectStoreNames)) {
      out[name] = await new Promise((res) => { const r = db.transaction(name).objectStore(name).count(); r.onsuccess = () => res(r.result); });
    }
    db.close();
    return out;
  })()`);

  /** Waits until the outbox screen lists exactly n items (it is read from IndexedDB after it renders). */
  const outboxCount = (page: Page, n: number) => page.waitForFunction(
    (k) => document.querySelectorAll('[data-testid=outbox-item]').length === k, n, { timeout: 10_000 });

  it('records three incidents with the network cut, keeps them sealed across a reload, syncs them with receipts, and logs out to an empty store', async () => {
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
    const stamp = Date.now();
    const reports = [
      { title: `Offline report A ${stamp}`, narrative: 'Witness W-31 saw the abduction near the river crossing.', secret: 'W-31' },
      { title: `Offline report B ${stamp}`, narrative: 'Source S-47 named the checkpoint at Largu market.', secret: 'Largu' },
      { title: `Offline report C ${stamp}`, narrative: 'Teacher Kabila-Ndjoku reported two pupils taken at night.', secret: 'Kabila-Ndjoku' },
    ];
    for (const [i, r] of reports.entries()) {
      if (i > 0) {
        // In-app navigation with no network: the app shell is already loaded.
        await page.getByRole('link', { name: 'New incident' }).click();
        await page.getByRole('heading', { name: 'Record an incident' }).waitFor();
      }
      await recordIncidentThroughForm(page, m, r.title, r.narrative);
      if (i === 0) {
        // The first offline save asks for the PIN that seals the device store.
        await page.fill('input[name=offline_pin]', '482916');
        await page.getByRole('button', { name: 'Save the PIN' }).click();
      }
      await page.getByRole('heading', { name: 'Sent and waiting' }).waitFor();
      await outboxCount(page, i + 1);
    }

    await page.reload();
    await page.getByRole('heading', { name: 'Sent and waiting' }).waitFor();
    await outboxCount(page, 3);
    assert.equal(await page.locator('[data-testid=outbox-item]').count(), 3, 'all three still there after a reload with no network');
    const raw = await rawIndexedDb(page);
    assert.match(raw, /outbox:3:/);
    for (const r of reports) {
      for (const text of [r.title, r.narrative, r.secret]) assert.ok(!raw.includes(text), `no plaintext of the report at rest: found "${text}"`);
    }

    await context.setOffline(false);
    await page.fill('input[name=offline_pin]', '482916');
    await page.getByRole('button', { name: 'Unlock' }).click();
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=receipt]').length === 3, undefined, { timeout: 30_000 });
    await page.getByText('Nothing is waiting').waitFor();
    assert.match(await rawIndexedDb(page), /outbox:0:/, 'the device copies are deleted after their receipts');

    const stored = await server.store.db.selectFrom('incidents').select(['incident_id', 'title'])
      .where('mission_id', '=', m.id).where('title', 'in', reports.map((r) => r.title)).execute();
    assert.deepEqual(stored.map((s) => s.title).sort(), reports.map((r) => r.title).sort(), 'exactly one record per report on the server');
    // The receipts shown are the server's: each digest on screen is the one stored for that report.
    const serverDigests = (await sql<{ sha256: string }>`select sha256 from report_receipts where mission_id = ${m.id}
      and report_id in (${sql.join(stored.map((s) => s.incident_id))})`.execute(server.store.db)).rows;
    const shown = await page.locator('[data-testid=receipt] code[title]').evaluateAll((els) => els.map((e) => e.getAttribute('title')));
    assert.deepEqual(shown.sort(), serverDigests.map((d) => d.sha256.trim()).sort());
    const beforeLogout = await deviceStoreCounts(page);
    assert.ok(beforeLogout && (beforeLogout.meta ?? 0) > 0, `the device holds receipts before logout: ${JSON.stringify(beforeLogout)}`);

    // Everything is synced: logging out wipes the device store.
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.waitForSelector('input[name=username]');
    const after = await deviceStoreCounts(page);
    assert.ok(after === null || Object.values(after).every((n) => n === 0), `the device store is empty after logout: ${JSON.stringify(after)}`);
    const rawAfter = after === null ? '' : await rawIndexedDb(page);
    for (const r of reports) assert.ok(!rawAfter.includes(r.title));

    assert.deepEqual(problems.filter((p) => !/ERR_INTERNET_DISCONNECTED|Failed to load resource/.test(p)), []);
    await context.close();
  });
});
