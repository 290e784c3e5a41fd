import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { auth, incidentBody, type Mission } from './support/fixtures.ts';
import {
  closeBrowserWorld, keepIncidentsOnDevice, logInWithOfflineShell, openBrowserWorld, openEditOffline, rawIndexedDb, recordIncidentThroughForm, screenshot,
  seriousAxeFindings, watchConsole, type WebServer,
} from './support/web.ts';
import { forgetSessions } from '../src/modules/accounts/service.ts';

/**
 * Issue 7: an offline edit the server refuses is never lost silently and never lets anything be sent on
 * top of it. A monitor changes two incidents with no network; meanwhile a verifier moves both out of the
 * monitor's area, so both edits are refused (permission) when the network returns. The person sees each refusal with
 * its reason, discards one, and corrects the other once the incident is back in reach: the correction
 * replaces the refused edit and is merged.
 */
describe('an offline edit the server refuses', () => {
  let server: WebServer;
  let browser: Browser;
  let m: Mission;
  const PIN = '604182';

  before(async () => ({ server, m, browser } = await openBrowserWorld()));
  after(() => closeBrowserWorld({ server, browser }));

  const get = async (id: string) =>
    (await server.app.inject({ method: 'GET', url: `/api/v1/incidents/${id}`, headers: auth(m.tokens.verifier) })).json() as { title: string; version: number; location: { admin_pcode: string } };
  async function moveTo(id: string, pcode: string) {
    const { version } = await get(id);
    const moved = await server.app.inject({ method: 'PATCH', url: `/api/v1/incidents/${id}`, headers: auth(m.tokens.verifier), payload: { version, location: { admin_pcode: pcode } } });
    assert.equal(moved.statusCode, 200, moved.body);
  }
  const rowOf = (page: Page, incidentId: string) =>
    page.locator('[data-testid=outbox-item]').filter({ has: page.locator(`a[href="/incidents/${incidentId}/edit"]`) });

  it('is shown with its reason, sends nothing on top of it, and is discarded or corrected by the person', async () => {
    const stamp = Date.now();
    const ids: Record<'fix' | 'drop', string> = { fix: '', drop: '' };
    const originals = { fix: `Checkpoint at Fataki ${stamp}`, drop: `Recruitment near Nizi ${stamp}` };
    for (const k of ['fix', 'drop'] as const) {
      const created = await server.app.inject({ method: 'POST', url: '/api/v1/incidents', headers: auth(m.tokens.monitor), payload: incidentBody(m, { title: originals[k] }) });
      assert.equal(created.statusCode, 201, created.body);
      ids[k] = created.json().id as string;
    }
    // bypassCSP lets the test inject axe-core; the app runs under its strict policy otherwise.
    const context = await browser.newContext({ locale: 'en-GB', bypassCSP: true });
    const page = await context.newPage();
    const problems = watchConsole(page);
    await logInWithOfflineShell(page, server.url, m.usernames.monitor);
    await keepIncidentsOnDevice(page, server.url, PIN);

    await context.setOffline(true);
    const edited = { fix: `${originals.fix} (two boys)`, drop: `${originals.drop} (wrong place)` };
    for (const k of ['fix', 'drop'] as const) {
      await openEditOffline(page, server.url, ids[k], PIN, originals[k]);
      await page.fill('input[name=title]', edited[k]);
      await page.getByRole('button', { name: 'Save the changes' }).click();
      await page.getByRole('heading', { name: 'Sent and waiting' }).waitFor();
    }
    // Meanwhile both incidents leave the monitor's area (Djugu): the server will no longer let them be changed by the monitor.
    for (const k of ['fix', 'drop'] as const) await moveTo(ids[k], m.areas.irumu);

    await context.setOffline(false);
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=outbox-item][data-state=refused]').length === 2, undefined, { timeout: 30_000 });
    assert.match(await page.getByTestId('sync-summary').innerText(), /2 refused by the server: the reason is shown beside each/);
    for (const k of ['fix', 'drop'] as const) {
      assert.equal(await rowOf(page, ids[k]).getByTestId('outbox-reason').innerText(), 'You may not do this.');
      const now = await get(ids[k]);
      assert.deepEqual([now.title, now.version], [originals[k], 2], 'a refused edit changed nothing');
    }

    assert.deepEqual(await seriousAxeFindings(page), [], 'the sync screen with refusals');
    // In Arabic, right to left, the summary says the same.
    await page.selectOption('.language-picker select', 'ar');
    await page.waitForFunction(() => document.documentElement.dir === 'rtl');
    assert.match(await page.getByTestId('sync-summary').innerText(), /رفض الخادم 2/);
    await screenshot(page, 'outbox-refused-ar');
    await page.selectOption('.language-picker select', 'en');
    await page.waitForFunction(() => document.documentElement.dir === 'ltr');

    // One is discarded: it leaves the device, and the server never had it.
    await rowOf(page, ids.drop).getByRole('button', { name: 'Discard this change' }).click();
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=outbox-item]').length === 1);

    // The other incident comes back into the monitor's area; the person opens the refused change, sees why, and saves it corrected.
    await moveTo(ids.fix, m.areas.djugu);
    await rowOf(page, ids.fix).getByRole('link', { name: 'Open and change' }).click();
    await page.waitForFunction((t) => (document.querySelector('input[name=title]') as HTMLInputElement | null)?.value === t, edited.fix);
    assert.match(await page.getByTestId('edit-refusal').innerText(), /The server refused the change saved on this device .*: You may not do this\. Correct it below/);
    assert.deepEqual(await seriousAxeFindings(page), [], 'the edit screen with a refusal');
    await screenshot(page, 'incident-edit-refused');
    const corrected = `${originals.fix} (two boys, one girl)`;
    await page.fill('input[name=title]', corrected);
    await page.getByRole('button', { name: 'Save the changes' }).click();
    await page.locator('[data-testid=edit-result][data-status=merged]').waitFor({ timeout: 30_000 });
    await page.getByText('Nothing is waiting').waitFor();

    const fixed = await get(ids.fix);
    assert.deepEqual([fixed.title, fixed.location.admin_pcode, fixed.version], [corrected, m.areas.djugu, 4], 'the correction merged with the moves made meanwhile');
    const dropped = await get(ids.drop);
    assert.deepEqual([dropped.title, dropped.location.admin_pcode], [originals.drop, m.areas.irumu]);
    const history = await server.app.inject({ method: 'GET', url: `/api/v1/sync/edit-history/${ids.fix}`, headers: auth(m.tokens.verifier) });
    assert.equal(history.statusCode, 200, history.body);
    const edits = (history.json() as { edits: { changes: { title?: string }; outcome: { status: string } }[] }).edits;
    assert.deepEqual(edits.map((e) => [e.changes.title, e.outcome.status]), [[corrected, 'merged']], 'only the correction reached the server, once');
    assert.deepEqual(problems.filter((p) => !/ERR_INTERNET_DISCONNECTED|Failed to load resource/.test(p)), []);
    await context.close();
  });
  it('a report the server refuses can be discarded by the person, after confirming, and then logout wipes the device', async () => {
    const context = await browser.newContext({ locale: 'en-GB' });
    const page = await context.newPage();
    await logInWithOfflineShell(page, server.url, m.usernames.monitor);
    await page.goto(`${server.url}/incidents/new`);
    await page.getByRole('heading', { name: 'Record an incident' }).waitFor();
    await context.setOffline(true);
    const title = `Attack on Mutwanga clinic ${Date.now()}`;
    await recordIncidentThroughForm(page, m, title, 'Nurses saw the wounded boy.');
    await page.fill('input[name=offline_pin]', PIN);
    await page.getByRole('button', { name: /Unlock|Save the PIN/ }).click();
    await page.locator('[data-testid=outbox-item]').waitFor();
    // Meanwhile the monitor is moved to another area: the report can no longer be received from them.
    const moveMonitor = async (area: string) => {
      await server.store.db.updateTable('users').set({ scope_areas: [area] }).where('username', '=', m.usernames.monitor).execute();
      forgetSessions(server.store.db);
    };
    await moveMonitor(m.areas.beni);
    after(() => moveMonitor(m.areas.djugu));
    await context.setOffline(false);
    const row = page.locator('[data-testid=outbox-item][data-state=refused]');
    await row.waitFor({ timeout: 30_000 });
    assert.match(await row.getByTestId('outbox-reason').innerText(), /may not/i);
    let asked = '';
    page.once('dialog', (d) => { asked = d.message(); void d.accept(); });
    await row.getByRole('button', { name: 'Discard this report' }).click();
    await page.getByText('Nothing is waiting').waitFor();
    assert.match(asked, /refused this report .* cannot be recovered/);
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.waitForSelector('input[name=username]');
    assert.ok(!(await rawIndexedDb(page)).includes('outbox:1'), 'nothing waits, so the device store was wiped');
    const stored = await server.store.db.selectFrom('incidents').select('incident_id').where('title', '=', title).execute();
    assert.deepEqual(stored, [], 'the refused report was never stored');
    await context.close();
  });
});
