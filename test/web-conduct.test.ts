import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { createUser } from '../src/modules/accounts/service.ts';
import { systemContext } from '../src/platform/context.ts';
import { auth, login, newMission, PASSWORD, type Mission } from './support/fixtures.ts';
import { closeBrowserWorld, launchBrowser, openWatchedPage, screenshot, seriousAxeFindings, startWebServer, unexpectedProblems, type WebServer } from './support/web.ts';

/**
 * Issue 10 in a real browser: a conduct officer logs in with the second factor, records an allegation
 * with a victim, refers it to the investigating entity from the allegation's page, adds a victim who
 * came forward later, and finds the allegation in the list marked overdue. An admin sees no conduct
 * screen and the API answers 404 for that allegation; an analyst reaches only the suppressed figures.
 * Any console error (a missing translation key among them) fails the test.
 */
describe('conduct screens in the browser', () => {
  let server: WebServer;
  let browser: Browser;
  let m: Mission;
  let officer = '';
  let officerToken = '';
  let allegationId = '';
  const marker = `Q${randomBytes(4).toString('hex')}`;

  before(async () => {
    server = await startWebServer();
    m = await newMission(server.store, server.app);
    officer = `${m.id}.conduct`;
    await createUser(server.store.db, systemContext(m.id), { username: officer, display_name: 'Conduct', role: 'conduct_officer', scope: { country: null, areas: [], agency: null }, password: PASSWORD });
    officerToken = await login(server.app, officer, PASSWORD); // enrols the officer's authenticator
    browser = await launchBrowser();
  });
  after(() => closeBrowserWorld({ server, browser }));


  const openPage = (username: string) => openWatchedPage(browser, server.url, username, 'en', { locale: 'en-GB' });

  it('a conduct officer records an allegation with a victim, refers it, and finds it in the list marked overdue', async () => {
    const { context, page, problems, refused } = await openPage(officer);
    await page.getByRole('heading', { name: 'Conduct: allegations of sexual exploitation and abuse' }).waitFor();
    assert.equal(await page.getByRole('navigation').getByRole('link', { name: 'Conduct (SEA)' }).count(), 1);
    assert.deepEqual(await seriousAxeFindings(page), [], 'list');

    await page.getByRole('link', { name: 'Record an allegation' }).click();
    await page.getByRole('heading', { name: 'Record an allegation' }).waitFor();
    await page.getByLabel('Date received *').fill('2026-01-12');
    await page.getByLabel('Date of the incident').fill('2026-01-05');
    await page.getByLabel('Personnel category *').selectOption('military_contingent');
    await page.getByLabel('Contingent nationality (ISO3, e.g. NPL)').fill('xyz');
    await page.getByLabel('Type of allegation *').selectOption('abuse');
    await page.getByLabel('Sub-type').selectOption('sexual_activity_with_minor');
    await page.getByLabel('Narrative (sealed)').fill(`The girl met ${marker} near the camp gate.`);
    assert.equal(await page.getByLabel('Victim reference *').inputValue(), 'SV-1');
    await page.getByLabel('Full name').fill(`Neema ${marker}`);
    await page.getByLabel('Date of birth (YYYY, YYYY-MM or YYYY-MM-DD)').fill('2010-04-02');
    await page.getByLabel(/consents to the link/).check();
    await page.getByLabel('Case reference').fill('CASE-77');
    assert.deepEqual(await seriousAxeFindings(page), [], 'form');
    await screenshot(page, 'conduct-form-1366');
    await page.getByRole('button', { name: 'Save the allegation' }).click();
    await page.getByText('Allegation saved.').waitFor();
    allegationId = /\/conduct\/allegations\/([0-9a-f-]{36})/.exec(page.url())![1]!;
    await page.getByText('No clock runs until the allegation is referred.').waitFor();

    // The referral to the investigating entity, from the allegation's page.
    const referral = page.locator('form', { has: page.getByRole('heading', { name: 'Referral to the investigating entity' }) });
    await referral.getByLabel('Investigating entity').selectOption('tcc');
    await referral.getByLabel('Referred on *').fill('2026-01-14');
    await referral.getByRole('button', { name: 'Save the referral' }).click();
    await page.getByText('Referral saved.').waitFor();
    await page.getByText('Member State answer due').waitFor();
    assert.equal(await page.locator('.conduct-badge', { hasText: 'Overdue' }).count(), 2, 'both deadlines are long past');

    // A victim who came forward later; then the sealed identities, opened on request.
    await page.getByText('Add a victim').click();
    const addVictim = page.locator('.conduct-add-victim');
    await addVictim.getByLabel('Victim reference *').fill('SV-2');
    await addVictim.getByLabel('Age *').selectOption('adult');
    await addVictim.getByRole('button', { name: 'Save the victim' }).click();
    await page.getByText('Victim added.').waitFor();
    await page.getByRole('rowheader', { name: 'SV-2' }).waitFor();
    assert.equal(await page.getByText(`Neema ${marker}`).count(), 0, 'identities stay closed until asked for');
    await page.getByRole('button', { name: 'Show the identities' }).click();
    await page.getByText(`Neema ${marker} · 2010-04-02`).waitFor();
    assert.deepEqual(await seriousAxeFindings(page), [], 'allegation page');
    await screenshot(page, 'conduct-allegation-1366');

    // Assistance for the child, followed to completion.
    const assistance = page.locator('section', { has: page.getByRole('heading', { name: 'Victim assistance' }) });
    await assistance.getByLabel('Victim', { exact: true }).selectOption('SV-1');
    await assistance.getByLabel('Assistance', { exact: true }).selectOption('psychosocial');
    await assistance.getByLabel('Referred on').fill('2026-01-15');
    await assistance.getByRole('button', { name: 'Refer to assistance' }).click();
    await assistance.getByRole('rowheader', { name: 'Psychosocial support' }).waitFor();
    await assistance.getByLabel('New status').selectOption('completed');
    await assistance.getByLabel('Completed or declined on').fill('2026-02-20');
    await assistance.getByRole('button', { name: 'Update' }).click();
    await assistance.getByText('Completed · ').waitFor();
    assert.equal(await assistance.getByLabel('New status').count(), 0, 'a completed referral offers no further change');

    const stored = (await server.app.inject({ method: 'GET', url: `/api/v1/conduct/allegations/${allegationId}?include=all`, headers: auth(officerToken) })).json();
    assert.deepEqual(stored.referral, { entity: 'tcc', referred_on: '2026-01-14', ms_response_on: null, ms_will_investigate: null, nio_appointed_on: null });
    assert.equal(stored.contingent_nationality, 'XYZ');
    assert.deepEqual(stored.victims.map((v: { ref: string; age_class: string }) => [v.ref, v.age_class]), [['SV-1', 'minor'], ['SV-2', 'adult']]);
    assert.equal(stored.victims[0].identity.full_name, `Neema ${marker}`);
    assert.equal(stored.victims[0].case_ref, 'CASE-77');
    assert.match(stored.narrative, new RegExp(marker));
    assert.deepEqual(stored.assistance.map((a: { kind: string; status: string; completed_on: string }) => [a.kind, a.status, a.completed_on]), [['psychosocial', 'completed', '2026-02-20']]);

    await page.getByRole('navigation').getByRole('link', { name: 'Conduct (SEA)' }).click();
    await page.getByRole('heading', { name: 'Conduct: allegations of sexual exploitation and abuse' }).waitFor();
    const row = page.locator('tr', { has: page.getByRole('link', { name: /Open the allegation received/ }) });
    await row.waitFor();
    assert.equal(await row.count(), 1);
    const text = await row.innerText();
    assert.match(text, /Investigation overdue/);
    assert.match(text, /Sexual abuse/);
    assert.match(text, /2 \(1 minors\)/);
    assert.equal(await page.locator('.conduct-alerts li').count(), 2, 'the missed deadlines are listed as alerts');
    await screenshot(page, 'conduct-list-1366');

    // In Arabic the same screens turn right-to-left with every label translated.
    await page.selectOption('.language-picker select', 'ar');
    await page.getByRole('heading', { name: 'السلوك: ادعاءات الاستغلال والانتهاك الجنسيين' }).waitFor();
    assert.equal(await page.evaluate(() => document.documentElement.dir), 'rtl');
    await page.goto(`${server.url}/conduct/allegations/${allegationId}`);
    await page.getByRole('heading', { name: 'الإحالة إلى جهة التحقيق' }).waitFor();
    const arabic = await page.locator('main').innerText();
    assert.match(arabic, /انتهاك جنسي/);
    assert.doesNotMatch(arabic, /\b[a-z]+\.[a-z_]+[A-Za-z_.]*\b/, 'no raw translation key');
    await screenshot(page, 'conduct-allegation-ar-1366');
    assert.deepEqual(unexpectedProblems(problems, refused), []);
    await context.close();
  });

  it('an admin sees no conduct menu or screen and gets 404 for the allegation; an analyst reaches only the suppressed figures', async () => {
    assert.ok(allegationId, 'needs the allegation recorded by the previous test');
    const { context, page, problems, refused } = await openPage(m.usernames.admin);
    await page.getByRole('navigation').getByRole('link').first().waitFor();
    assert.equal(await page.getByRole('navigation').getByRole('link', { name: /Conduct/ }).count(), 0, 'no conduct menu');
    for (const path of ['/conduct', '/conduct/new', `/conduct/allegations/${allegationId}`]) {
      await page.goto(`${server.url}${path}`);
      await page.getByRole('heading', { name: 'This page does not exist.' }).waitFor();
      assert.ok(!(await page.locator('main').innerText()).includes(marker));
    }
    assert.deepEqual(unexpectedProblems(problems, refused), []);
    const api = await server.app.inject({ method: 'GET', url: `/api/v1/conduct/allegations/${allegationId}`, headers: auth(m.tokens.admin) });
    assert.equal(api.statusCode, 404);
    assert.equal(api.json().error.code, 'record.not_found');
    // The browser's own session (cookie and CSRF token) gets the same answer.
    const fromPage = await page.evaluate(async (id) => (await fetch(`/api/v1/conduct/allegations/${id}`)).status, allegationId);
    assert.equal(fromPage, 404);
    await context.close();

    const analyst = await openPage(m.usernames.analyst);
    await analyst.page.getByRole('navigation').getByRole('link', { name: 'Conduct (SEA)' }).click();
    await analyst.page.getByRole('heading', { name: 'Conduct figures in the published categories' }).waitFor();
    assert.equal(await analyst.page.getByLabel('Whole (conduct team only)').count(), 0, 'no switch the server would refuse');
    await analyst.page.getByLabel('Year received').fill('2026');
    await analyst.page.getByRole('button', { name: 'Show the figures' }).click();
    await analyst.page.getByRole('heading', { name: /Allegations received in 2026/ }).waitFor();
    const kpis = await analyst.page.locator('.kpis').innerText();
    assert.match(kpis, /Allegations\s+hidden/, 'one allegation is below the threshold');
    assert.ok(!(await analyst.page.locator('main').innerText()).includes(marker));
    assert.deepEqual(await seriousAxeFindings(analyst.page), [], 'figures');
    assert.deepEqual(unexpectedProblems(analyst.problems, analyst.refused), []);
    await analyst.context.close();
  });
});
