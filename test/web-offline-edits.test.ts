import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { auth, incidentBody, PASSWORD, totpCodeFor, type Mission } from './support/fixtures.ts';
import { closeBrowserWorld, logInThroughUi, openBrowserWorld, rawIndexedDb, watchConsole, type WebServer } from './support/web.ts';

/**
 * Issue 7's conflict acceptance in a real browser: two devices (a monitor's and a verifier's) open the
 * same incident, lose the network, and each changes its title on the edit screen. Each edit waits in
 * the device's encrypted outbox; when the network returns the first applies, the second becomes a
 * conflict listed on the sync screen with both values; a person chooses, and the record's edit history
 * keeps both values.
 */
describe('offline edits of one incident on two devices', () => {
  let server: WebServer;
  let browser: Browser;
  let m: Mission;

  before(async () => ({ server, m, browser } = await openBrowserWorld()));
  after(() => closeBrowserWorld({ server, browser }));

  interface Device { who: 'monitor' | 'verifier'; context: BrowserContext; page: Page; problems: string[] }

  async function openEditScreen(who: Device['who'], incidentId: string, title: string): Promise<Device> {
    const context = await browser.newContext({ locale: 'en-GB' });
    const page = await context.newPage();
    const problems = watchConsole(page);
    await page.goto(`${server.url}/`);
    await logInThroughUi(page, m.usernames[who], PASSWORD, () => totpCodeFor(m.usernames[who]));
    await page.goto(`${server.url}/incidents/${incidentId}/edit`);
    await page.waitForFunction((t) => (document.querySelector('input[name=title]') as HTMLInputElement | null)?.value === t, title);
    return { who, context, page, problems };
  }

  /** With the network cut: change the title, save, choose the PIN; the edit then waits on the sync screen. */
  async function editOffline(d: Device, newTitle: string) {
    await d.page.fill('input[name=title]', newTitle);
    await d.page.getByRole('button', { name: 'Save the changes' }).click();
    await d.page.fill('input[name=offline_pin]', '739164');
    await d.page.getByRole('button', { name: 'Save the PIN' }).click();
    await d.page.getByRole('heading', { name: 'Sent and waiting' }).waitFor();
    const item = d.page.locator('[data-testid=outbox-item]');
    await item.waitFor();
    assert.equal(await item.count(), 1);
    assert.match(await item.innerText(), /Edit of an incident/);
    assert.match(await item.innerText(), /Waiting for the network/);
  }

  it('the first device\'s title applies, the second is a conflict a person resolves, and the history keeps both', async () => {
    const { app } = server;
    const original = `Shelling of Bule market ${Date.now()}`;
    const created = await app.inject({ method: 'POST', url: '/api/v1/incidents', headers: auth(m.tokens.monitor), payload: incidentBody(m, { title: original }) });
    assert.equal(created.statusCode, 201, created.body);
    const id = created.json().id as string;

    const a = await openEditScreen('monitor', id, original);
    const b = await openEditScreen('verifier', id, original);
    const titleA = 'Shelling of Bule market (monitor, offline)';
    const titleB = 'Shelling of Bule market and school (verifier, offline)';
    await a.context.setOffline(true);
    await b.context.setOffline(true);
    await editOffline(a, titleA);
    await editOffline(b, titleB);

    for (const [d, title] of [[a, titleA], [b, titleB]] as const) {
      const raw = await rawIndexedDb(d.page);
      assert.match(raw, /outbox:1:/, `${d.who}: the edit waits on the device`);
      for (const text of [title, original, 'Bule']) assert.ok(!raw.includes(text), `${d.who}: no plaintext of the edit at rest: found "${text}"`);
    }
    const stillAtRest = await app.inject({ method: 'GET', url: `/api/v1/incidents/${id}`, headers: auth(m.tokens.monitor) });
    assert.deepEqual([stillAtRest.json().title, stillAtRest.json().version], [original, 1], 'nothing reached the server while offline');

    // The monitor's device reconnects first: its edit applies.
    await a.context.setOffline(false);
    await a.page.locator('[data-testid=edit-result][data-status=applied]').waitFor({ timeout: 30_000 });
    await a.page.getByText('Nothing is waiting').waitFor();
    const afterA = (await app.inject({ method: 'GET', url: `/api/v1/incidents/${id}`, headers: auth(m.tokens.monitor) })).json();
    assert.deepEqual([afterA.title, afterA.version], [titleA, 2]);

    // Then the verifier's: the title changed on both devices since version 1, so a person decides.
    await b.context.setOffline(false);
    await b.page.locator('[data-testid=edit-result][data-status=conflict]').waitFor({ timeout: 30_000 });
    assert.match(await b.page.locator('[data-testid=edit-result]').innerText(), /1 field\(s\) also changed elsewhere/);
    await b.page.getByText('Nothing is waiting').waitFor();
    const card = b.page.locator('[data-testid=edit-conflict]').filter({ hasText: titleB });
    await card.waitFor({ timeout: 15_000 });
    const shown = await card.innerText();
    for (const text of [titleA, titleB, original]) assert.ok(shown.includes(text), `the conflict shows "${text}": ${shown}`);
    assert.equal(await card.locator('button[type=submit]').isDisabled(), true, 'nothing is chosen by default');
    const unchanged = (await app.inject({ method: 'GET', url: `/api/v1/incidents/${id}`, headers: auth(m.tokens.monitor) })).json();
    assert.deepEqual([unchanged.title, unchanged.version], [titleA, 2], 'a conflicting edit is not applied: never last-write-wins');

    await card.locator('input[value=device]').check();
    await card.locator('button[type=submit]').click();
    await b.page.locator('[data-testid=edit-conflict]').filter({ hasText: titleB }).waitFor({ state: 'detached' });
    await b.page.getByText('No field edited on two devices is waiting for a choice.').waitFor();

    const resolved = (await app.inject({ method: 'GET', url: `/api/v1/incidents/${id}`, headers: auth(m.tokens.monitor) })).json();
    assert.deepEqual([resolved.title, resolved.version], [titleB, 3]);
    const history = await app.inject({ method: 'GET', url: `/api/v1/sync/edit-history/${id}`, headers: auth(m.tokens.monitor) });
    assert.equal(history.statusCode, 200, history.body);
    const h = history.json() as { edits: { changes: { title?: string }; outcome: { status: string } }[];
      conflicts: { field: string; base: unknown; device: unknown; stored: unknown; resolution: string | null }[] };
    assert.deepEqual(h.edits.map((e) => [e.changes.title, e.outcome.status]), [[titleA, 'applied'], [titleB, 'conflict']]);
    assert.deepEqual(h.conflicts.map((c) => ({ field: c.field, base: c.base, device: c.device, stored: c.stored, resolution: c.resolution })),
      [{ field: 'title', base: original, device: titleB, stored: titleA, resolution: 'device' }]);

    for (const d of [a, b]) {
      assert.match(await rawIndexedDb(d.page), /outbox:0:/, `${d.who}: the device copy is deleted once the server answered`);
      assert.deepEqual(d.problems.filter((p) => !/ERR_INTERNET_DISCONNECTED|Failed to load resource/.test(p)), [], d.who);
      await d.context.close();
    }
  });

  it('an edit whose save never reaches the server waits in the outbox and is merged with a change made meanwhile', async () => {
    const { app } = server;
    const original = `Attack near Fataki ${Date.now()}`;
    const created = await app.inject({ method: 'POST', url: '/api/v1/incidents', headers: auth(m.tokens.monitor), payload: incidentBody(m, { title: original }) });
    assert.equal(created.statusCode, 201, created.body);
    const id = created.json().id as string;
    const d = await openEditScreen('monitor', id, original);
    // Someone else changes another field after the device read version 1.
    const other = await app.inject({ method: 'PATCH', url: `/api/v1/incidents/${id}`, headers: auth(m.tokens.verifier),
      payload: { version: 1, narrative: { public: 'Corrected public summary.' } } });
    assert.equal(other.statusCode, 200, other.body);
    // The network drops the save itself (the browser still believes it is online).
    await d.page.route(`**/api/v1/incidents/${id}`, (route) => route.request().method() === 'PATCH' ? route.abort('internetdisconnected') : route.fallback());
    const title = 'Attack near Fataki (saved while the network dropped)';
    await d.page.fill('input[name=title]', title);
    await d.page.getByRole('button', { name: 'Save the changes' }).click();
    await d.page.fill('input[name=offline_pin]', '739164');
    await d.page.getByRole('button', { name: 'Save the PIN' }).click();
    await d.page.getByRole('heading', { name: 'Sent and waiting' }).waitFor();
    await d.page.locator('[data-testid=edit-result][data-status=merged]').waitFor({ timeout: 30_000 });
    const now = (await app.inject({ method: 'GET', url: `/api/v1/incidents/${id}`, headers: auth(m.tokens.monitor) })).json();
    assert.deepEqual([now.title, now.narrative.public, now.version], [title, 'Corrected public summary.', 3], 'the device\'s title and the other change both kept');
    assert.match(await rawIndexedDb(d.page), /outbox:0:/);
    assert.deepEqual(d.problems.filter((p) => !/ERR_INTERNET_DISCONNECTED|Failed to load resource/.test(p)), []);
    await d.context.close();
  });
});
