import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { auth, incidentBody, type Mission } from './support/fixtures.ts';
import {
  closeBrowserWorld, keepIncidentsOnDevice as keepOnDevice, logInWithOfflineShell, openBrowserWorld, openEditOffline as openEdit, rawIndexedDb,
  recordIncidentThroughForm, screenshot, watchConsole, type WebServer,
} from './support/web.ts';

/**
 * Issue 7, "every form works with no network", for the incident edit screen: an incident pulled to the
 * device opens with no network (even after a reload), its edit waits sealed in the outbox and syncs when
 * the network returns; a report recorded offline and not yet sent is corrected in place under its id.
 */
describe('opening and changing incidents with no network', () => {
  let server: WebServer;
  let browser: Browser;
  let m: Mission;
  const PIN = '518273';

  before(async () => ({ server, m, browser } = await openBrowserWorld()));
  after(() => closeBrowserWorld({ server, browser }));

  const offlineNoise = (problems: string[]) => problems.filter((p) => !/ERR_INTERNET_DISCONNECTED|Failed to load resource/.test(p));
  const outboxCount = (page: Page, n: number) => page.waitForFunction(
    (k) => document.querySelectorAll('[data-testid=outbox-item]').length === k, n, { timeout: 10_000 });
  const serverIncident = async (id: string) =>
    (await server.app.inject({ method: 'GET', url: `/api/v1/incidents/${id}`, headers: auth(m.tokens.monitor) })).json() as { title: string; version: number; narrative: { public: string } };

  async function createIncident(title: string): Promise<string> {
    const created = await server.app.inject({ method: 'POST', url: '/api/v1/incidents', headers: auth(m.tokens.monitor), payload: incidentBody(m, { title }) });
    assert.equal(created.statusCode, 201, created.body);
    return created.json().id as string;
  }

  const keepIncidentsOnDevice = (page: Page) => keepOnDevice(page, server.url, PIN);
  const openEditOffline = (page: Page, id: string, title: string) => openEdit(page, server.url, id, PIN, title);

  it('an incident pulled to the device opens offline after a reload; its edit waits sealed, joins a second one, and syncs', async () => {
    const original = `Attack on Loda school ${Date.now()}`;
    const id = await createIncident(original);
    const context = await browser.newContext({ locale: 'en-GB' });
    const page = await context.newPage();
    const problems = watchConsole(page);
    await logInWithOfflineShell(page, server.url, m.usernames.monitor);
    await keepIncidentsOnDevice(page);
    const kept = await rawIndexedDb(page);
    assert.match(kept, /records:[1-9]\d*:/, 'the pull left copies on the device');
    assert.ok(!kept.includes(original), 'the copies are sealed: no title in clear');

    await context.setOffline(true);
    await openEditOffline(page, id, original);
    assert.match(await page.getByTestId('edit-source').innerText(), /No network: this is the copy kept on this device \(version 1/);
    await screenshot(page, 'incident-edit-offline');
    const title = 'Attack on Loda school (corrected offline)';
    await page.fill('input[name=title]', title);
    await page.getByRole('button', { name: 'Save the changes' }).click();
    await page.getByRole('heading', { name: 'Sent and waiting' }).waitFor();
    await outboxCount(page, 1);
    assert.match(await page.getByTestId('sync-summary').innerText(), /Waiting to be sent: 1 change\(s\) to incidents\. The oldest was saved on this device/);

    // A reload with no network: the edit is still there, sealed; reopened, the screen shows it applied and says it waits.
    await page.reload();
    await outboxCount(page, 1);
    assert.equal(await page.locator('[data-testid=outbox-item]').getAttribute('data-state'), 'waiting');
    const raw = await rawIndexedDb(page);
    for (const text of [title, original, 'Loda']) assert.ok(!raw.includes(text), `no plaintext at rest: found "${text}"`);
    // Found through the incident list, which with no network lists the copies on the device once the PIN opens them.
    await page.getByRole('link', { name: 'Incidents' }).click();
    const onDevice = page.getByTestId('device-incidents');
    await onDevice.getByRole('heading', { name: 'Incidents kept on this device (no network)' }).waitFor();
    await onDevice.locator('input[name=offline_pin]').fill(PIN);
    await onDevice.getByRole('button', { name: 'Unlock' }).click();
    await onDevice.getByRole('link', { name: original }).click();
    await page.waitForFunction((t) => (document.querySelector('input[name=title]') as HTMLInputElement | null)?.value === t, title);
    assert.match(await page.getByTestId('edit-waiting').innerText(), /1 change\(s\) to this incident saved on this device since .*not sent yet/);
    await page.fill('textarea[name=narrative_public]', 'Two classrooms burnt; classes moved to the church.');
    await page.getByRole('button', { name: 'Save the changes' }).click();
    await page.getByRole('heading', { name: 'Sent and waiting' }).waitFor();
    await outboxCount(page, 1); // the second change joined the first: one edit, sent once
    await screenshot(page, 'outbox-waiting');
    assert.deepEqual([(await serverIncident(id)).title, (await serverIncident(id)).version], [original, 1], 'nothing reached the server while offline');

    await context.setOffline(false);
    await page.locator('[data-testid=edit-result][data-status=applied]').waitFor({ timeout: 30_000 });
    await page.getByText('Nothing is waiting').waitFor();
    const synced = await serverIncident(id);
    assert.deepEqual([synced.title, synced.narrative.public, synced.version], [title, 'Two classrooms burnt; classes moved to the church.', 2]);
    assert.match(await rawIndexedDb(page), /outbox:0:/, 'the device copy of the edit is deleted once the server answered');
    assert.deepEqual(offlineNoise(problems), []);
    await context.close();
  });

  it('logging out with a report still waiting keeps the report, sealed, but not the copies of incidents', async () => {
    const kept = `Recruitment near Bule ${Date.now()}`;
    await createIncident(kept);
    const context = await browser.newContext({ locale: 'en-GB' });
    const page = await context.newPage();
    await logInWithOfflineShell(page, server.url, m.usernames.monitor);
    await keepIncidentsOnDevice(page);
    assert.match(await rawIndexedDb(page), /records:[1-9]\d*:/, 'the pull left copies on the device');
    await page.goto(`${server.url}/incidents/new`);
    await page.getByRole('heading', { name: 'Record an incident' }).waitFor();
    await context.setOffline(true);
    await recordIncidentThroughForm(page, m, `Abduction at Lopa ${Date.now()}`, 'Two girls taken from the market.');
    // A navigation locked the device store: the PIN opens it again to seal the report.
    await page.fill('input[name=offline_pin]', PIN);
    await page.getByRole('button', { name: /Unlock|Save the PIN/ }).click();
    await outboxCount(page, 1);
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.waitForSelector('input[name=username]');
    const raw = await rawIndexedDb(page);
    assert.match(raw, /outbox:1:/, 'the waiting report stays for the next login');
    assert.match(raw, /records:0:/, 'no copy of an incident is left for the next person to unlock');
    assert.ok(!/\bpull\b/.test(raw.split('\n').filter((l) => l.startsWith('meta:')).join('')), 'nor the pull cursor');
    await context.close();
  });

  it('a report recorded offline and not yet sent is corrected in place, under the same id, before it is sent', async () => {
    const context = await browser.newContext({ locale: 'en-GB' });
    const page = await context.newPage();
    const problems = watchConsole(page);
    await logInWithOfflineShell(page, server.url, m.usernames.monitor);
    await page.goto(`${server.url}/incidents/new`);
    await page.getByRole('heading', { name: 'Record an incident' }).waitFor();
    await context.setOffline(true);
    const first = `Abduction at Plaine Savo ${Date.now()}`;
    await recordIncidentThroughForm(page, m, first, 'Witness W-12 saw two boys taken at dawn.');
    await page.fill('input[name=offline_pin]', PIN);
    await page.getByRole('button', { name: 'Save the PIN' }).click();
    await outboxCount(page, 1);
    const row = page.locator('[data-testid=outbox-item]');
    assert.match(await row.innerText(), /New report/);
    const reportId = (await row.locator('code').innerText()).trim();

    await row.getByRole('link', { name: 'Open and change' }).click();
    await page.waitForFunction((t) => (document.querySelector('input[name=title]') as HTMLInputElement | null)?.value === t, first);
    assert.match(await page.getByTestId('edit-source').innerText(), /This report was saved on this device .* and is not sent yet/);
    const corrected = `${first} (three boys)`;
    await page.fill('input[name=title]', corrected);
    await page.getByRole('button', { name: 'Save the changes' }).click();
    await page.getByRole('heading', { name: 'Sent and waiting' }).waitFor();
    await outboxCount(page, 1);
    assert.equal((await row.locator('code').innerText()).trim(), reportId, 'the same report, corrected in place');
    assert.match(await row.innerText(), /changed /);

    await page.reload();
    await outboxCount(page, 1);
    assert.ok(!(await rawIndexedDb(page)).includes('Plaine Savo'));
    await context.setOffline(false);
    await page.fill('input[name=offline_pin]', PIN);
    await page.getByRole('button', { name: 'Unlock' }).click();
    await page.locator('[data-testid=receipt]').waitFor({ timeout: 30_000 });
    await page.getByText('Nothing is waiting').waitFor();
    const stored = await server.store.db.selectFrom('incidents').select(['incident_id', 'title'])
      .where('mission_id', '=', m.id).where('title', 'like', `${first}%`).execute();
    assert.deepEqual(stored.map((s) => s.title), [corrected], 'one record, with the correction: the first content never left the device');
    assert.ok(stored[0]!.incident_id.endsWith(reportId), 'under the id the device chose');
    assert.deepEqual(offlineNoise(problems), []);
    await context.close();
  });
});
