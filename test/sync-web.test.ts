import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { auth, incidentBody, PASSWORD, totpCodeFor, type Mission } from './support/fixtures.ts';
import { closeBrowserWorld, logInThroughUi, openBrowserWorld, watchConsole, type WebServer } from './support/web.ts';

/**
 * Issue 7 in a real browser, the parts a person does by hand: choosing between two devices' values of
 * the same field (the server never picks one), and attaching a photo to an incident, which then shows
 * in the incident's list of stored files.
 */
describe('offline edits and attachments in the browser', () => {
  let server: WebServer;
  let browser: Browser;
  let m: Mission;

  before(async () => ({ server, m, browser } = await openBrowserWorld()));
  after(() => closeBrowserWorld({ server, browser }));

  const logIn = (page: Page, username: string) => logInThroughUi(page, username, PASSWORD, () => totpCodeFor(username));

  async function incidentWithEditConflict(): Promise<{ id: string; conflictTitle: string }> {
    const { app } = server;
    const id = randomUUID();
    const created = await app.inject({ method: 'POST', url: '/api/v1/reports', headers: auth(m.tokens.monitor),
      payload: { id, type: 'incident', created_at: '2025-02-11T08:00:00Z', payload: incidentBody(m) } });
    assert.equal(created.statusCode, 201, created.body);
    const title = incidentBody(m).title;
    const edit = (token: string, changed: string) => app.inject({ method: 'POST', url: '/api/v1/sync/edits', headers: auth(token),
      payload: { edits: [{ id: randomUUID(), incident_id: id, base_version: 1, base: { title }, changes: { title: changed } }] } });
    assert.equal((await edit(m.tokens.monitor, 'Title from the first device')).json().results[0].outcome.status, 'applied');
    assert.equal((await edit(m.tokens.verifier, 'Title from the second device')).json().results[0].outcome.status, 'conflict');
    return { id, conflictTitle: 'Title from the second device' };
  }

  it('a person chooses the second device\'s title on the sync screen; the server then holds it', async () => {
    const { id, conflictTitle } = await incidentWithEditConflict();
    const page = await browser.newPage();
    const problems = watchConsole(page);
    await page.goto(`${server.url}/`);
    await logIn(page, m.usernames.monitor);
    await page.goto(`${server.url}/outbox`);
    const card = page.locator('[data-testid=edit-conflict]').filter({ hasText: conflictTitle });
    await card.waitFor();
    assert.match(await card.innerText(), /Title from the first device/, 'both values are shown');
    assert.equal(await card.locator('button[type=submit]').isDisabled(), true, 'nothing is chosen by default');
    await card.locator('input[value=device]').check();
    await card.locator('button[type=submit]').click();
    await page.locator('[data-testid=edit-conflict]').filter({ hasText: conflictTitle }).waitFor({ state: 'detached' });
    const read = await server.app.inject({ method: 'GET', url: `/api/v1/incidents/${id}`, headers: auth(m.tokens.monitor) });
    assert.equal(read.json().title, conflictTitle);
    assert.deepEqual(problems, []);
    await page.close();
  });

  it('attaches a photo on the incident page and lists it there once stored', async () => {
    const { app } = server;
    const created = await app.inject({ method: 'POST', url: '/api/v1/incidents', headers: auth(m.tokens.monitor), payload: incidentBody(m) });
    assert.equal(created.statusCode, 201, created.body);
    const incidentId = created.json().id as string;
    const page = await browser.newPage();
    const problems = watchConsole(page);
    await page.goto(`${server.url}/`);
    await logIn(page, m.usernames.monitor);
    await page.goto(`${server.url}/incidents/${incidentId}`);
    const photo = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), randomBytes(1_500_000)]);
    await page.setInputFiles('input[name=attachments]', { name: 'site-photo.jpg', mimeType: 'image/jpeg', buffer: photo });
    await page.locator('[data-testid=stored-attachments] a', { hasText: 'site-photo.jpg' }).waitFor({ timeout: 60_000 });
    const listed = await app.inject({ method: 'GET', url: `/api/v1/incidents/${incidentId}/attachments`, headers: auth(m.tokens.monitor) });
    const items = listed.json().items as { id: string; filename: string; size_bytes: number }[];
    assert.deepEqual(items.map((i) => [i.filename, i.size_bytes]), [['site-photo.jpg', photo.length]]);
    const got = await app.inject({ method: 'GET', url: `/api/v1/attachments/${items[0]!.id}`, headers: auth(m.tokens.monitor) });
    assert.ok(got.rawPayload.equals(photo), 'the stored file is the one chosen in the browser');
    assert.deepEqual(problems, []);
    await page.close();
  });
});
