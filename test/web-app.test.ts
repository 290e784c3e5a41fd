import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { auth, incidentBody, PASSWORD, totpCodeFor, type Mission } from './support/fixtures.ts';
import { closeBrowserWorld, logInThroughUi, openBrowserWorld, screenshot, watchConsole, type WebServer } from './support/web.ts';

/**
 * Issue 6 in a real browser (Debian's Chromium through playwright-core) against a real server:
 * a monitor logs in with the second factor and records an incident in French with two violations
 * through the form, then finds it in the list; a verifier takes it through the three levels; the app
 * turns right-to-left in Arabic with no missing translation; the dashboard's verified count moves once
 * the violation is verified; the public annual report downloads from the reports page. Any console error (a missing key, a CSP
 * refusal, a failed script) fails the test.
 */
describe('web app in the browser', () => {
  let server: WebServer;
  let browser: Browser;
  let m: Mission;
  let incidentId = '';
  const title = `Attaque du site de Plaine Savo ${Date.now()}`;

  before(async () => ({ server, m, browser } = await openBrowserWorld()));
  after(() => closeBrowserWorld({ server, browser }));

  async function openPage(viewport = { width: 360, height: 640 }): Promise<{ context: BrowserContext; page: Page; problems: string[] }> {
    const context = await browser.newContext({ viewport, locale: 'en-GB' });
    const page = await context.newPage();
    return { context, page, problems: watchConsole(page) };
  }

  /** Password, then the authenticator's code when the account has one. */
  const logIn = (page: Page, username: string) => logInThroughUi(page, username, PASSWORD, () => totpCodeFor(username));

  it('a monitor logs in with the second factor, records an incident in French with two violations, and finds it in the list', async () => {
    const { context, page, problems } = await openPage();
    await page.goto(`${server.url}/`);
    await page.selectOption('.language-picker select', 'fr');
    await page.getByRole('heading', { name: 'Connexion' }).waitFor();
    await screenshot(page, 'login-360');
    await logIn(page, m.usernames.monitor);

    // A monitor starts on the incident form.
    await page.getByRole('heading', { name: 'Enregistrer un incident' }).waitFor();
    await page.fill('input[name=title]', title);
    await page.fill('input[name=date_start]', '2026-03-14');
    await page.selectOption('select[name=area-level-1]', m.areas.ituri);
    await page.selectOption('select[name=area-level-2]', m.areas.djugu);
    await page.selectOption('select[name=location_type]', 'displacement_site');

    await page.selectOption('select[name=violation-0-type]', 'killing');
    await page.getByText('Toute action liée au conflit qui cause la mort').waitFor(); // the definition, inline
    await page.fill('input[name=violation-0-6-10-boys]', '2');
    await page.fill('input[name=violation-0-6-10-girls]', '1');
    await page.getByRole('button', { name: 'Ajouter un auteur' }).click();
    await page.selectOption('select[name=violation-0-party-0]', m.parties.codeco);
    // One named child (by pseudonym) within the tallies, and the witness the account came from.
    await page.locator('section.violation').first().getByRole('button', { name: 'Ajouter une victime' }).click();
    await page.fill('input[name=violation-0-victim-0-ref]', 'V-01');
    await page.selectOption('select[name=violation-0-victim-0-sex]', 'female');
    await page.fill('input[name=violation-0-victim-0-age]', '8');
    await page.locator('section.violation').first().getByRole('button', { name: 'Ajouter une source' }).click();
    await page.fill('input[name=violation-0-source-0-ref]', 'S-01');
    await page.selectOption('select[name=violation-0-source-0-category]', 'primary_witness');
    await page.selectOption('select[name=violation-0-source-0-reliability]', 'high');

    await page.getByRole('button', { name: 'Ajouter une violation' }).click();
    await page.selectOption('select[name=violation-1-type]', 'abduction');
    await page.fill('input[name=violation-1-14-17-boys]', '3');
    await page.locator('section.violation').nth(1).getByRole('button', { name: 'Ajouter un auteur' }).click();
    await page.selectOption('select[name=violation-1-party-0]', m.parties.codeco);

    await page.fill('textarea[name=narrative_public]', 'Un groupe armé a attaqué un site de déplacés la nuit.');
    const confidential = 'Le témoin W-17 a vu les assaillants arriver.';
    await page.fill('textarea[name=narrative_confidential]', confidential);
    await screenshot(page, 'incident-form-360');

    // The draft is kept while typing, without the confidential narrative.
    await page.waitForFunction((t) => (sessionStorage.getItem('tutela.draft.incident') ?? '').includes(t), title);
    const draft = await page.evaluate(() => sessionStorage.getItem('tutela.draft.incident') ?? '');
    assert.ok(!draft.includes('W-17'), 'the confidential narrative must not be in the draft');

    await page.getByRole('button', { name: 'Enregistrer l’incident' }).click();
    await page.getByText(/Incident [0-9A-F]{8} enregistré\./).waitFor();
    incidentId = /\/incidents\/([0-9a-f-]{36})/.exec(page.url())![1]!;
    assert.equal(await page.evaluate(() => sessionStorage.getItem('tutela.draft.incident')), null, 'the draft is cleared once saved');
    await screenshot(page, 'incident-record-360');

    const stored = await server.app.inject({ method: 'GET', url: `/api/v1/incidents/${incidentId}`, headers: { authorization: `Bearer ${m.tokens.monitor}` } });
    const body = stored.json() as { violations: { type: string; totals: { total: number }; victims: { ref: string; sex: string; age: number }[]; sources: { ref: string; category: string; reliability: string }[] }[] };
    assert.deepEqual(body.violations.map((v) => [v.type, v.totals.total]).sort(), [['abduction', 3], ['killing', 3]]);
    const killing = body.violations.find((v) => v.type === 'killing')!;
    assert.deepEqual(killing.victims.map((v) => [v.ref, v.sex, v.age]), [['V-01', 'female', 8]]);
    assert.deepEqual(killing.sources.map((x) => [x.ref, x.category, x.reliability]), [['S-01', 'primary_witness', 'high']]);

    // The monitor may still edit what they recorded: the title changes through the edit screen.
    await page.getByRole('link', { name: 'Modifier l’incident' }).click();
    await page.getByRole('heading', { name: 'Modifier l’incident' }).waitFor();
    await page.fill('input[name=title]', `${title} (corrigé)`);
    await page.getByRole('button', { name: 'Enregistrer les modifications' }).click();
    await page.getByRole('heading', { name: `${title} (corrigé)` }).waitFor();
    await page.getByText('Version 2').waitFor();

    await page.getByRole('navigation').getByRole('link', { name: 'Incidents' }).click();
    await page.getByRole('heading', { name: 'Incidents' }).waitFor();
    await page.getByRole('link', { name: title }).waitFor();
    await screenshot(page, 'incident-list-360');
    assert.deepEqual(problems, []);
    await context.close();
  });

  it('a verifier takes a violation through the focal point, technical and final levels', async () => {
    assert.ok(incidentId, 'needs the incident recorded by the previous test');
    const { context, page, problems } = await openPage({ width: 1366, height: 768 });
    await page.goto(`${server.url}/`);
    await page.selectOption('.language-picker select', 'en');
    await logIn(page, m.usernames.verifier);
    await page.getByRole('heading', { name: 'Verification queue' }).waitFor();
    await screenshot(page, 'verification-queue-1366');
    const verifiedBefore = await dashboardVerified(page);

    await page.goto(`${server.url}/incidents/${incidentId}`);
    const card = page.locator('section.violation', { hasText: 'Killing' });
    for (const level of ['focal_point', 'technical', 'final']) {
      await card.locator('select[name=level]').selectOption(level);
      await card.locator('select[name=status]').selectOption('verified');
      await card.getByRole('button', { name: 'Record the decision' }).click();
      await card.locator('.level.status-verified').nth(['focal_point', 'technical', 'final'].indexOf(level)).waitFor();
    }
    assert.equal(await card.locator('.level.status-verified').count(), 3);
    assert.equal(await card.locator('form.decision select[name=status] option[value=verified]').count(), 0, 'no further move to verified is offered');
    await screenshot(page, 'incident-verified-1366');

    // The killing is now verified at the final level: the dashboard's verified count moves by its three
    // children (killing is counted by victims, the MRM counting unit), the abduction still pending.
    assert.equal(await dashboardVerified(page), verifiedBefore + 3, 'the dashboard counts the newly verified violation');
    assert.deepEqual(problems, []);
    await context.close();
  });

  // Reports count a violation in the year of its final verification: today's.
  const year = String(new Date().getUTCFullYear());

  /** The dashboard's verified count for this year, read from the screen once its figures are loaded. */
  async function dashboardVerified(page: Page): Promise<number> {
    await page.getByRole('navigation').getByRole('link', { name: 'Dashboard' }).click();
    await page.locator('.area-map').waitFor();
    await page.selectOption('select[name=year]', year);
    const kpi = page.getByTestId('kpi-verified');
    await kpi.waitFor();
    return Number((await kpi.innerText()).replace(/[^0-9]/g, ''));
  }

  it('a verifier exports the public annual report from the reports page', async () => {
    const { context, page, problems } = await openPage({ width: 1366, height: 768 });
    await page.goto(`${server.url}/`);
    await page.selectOption('.language-picker select', 'en');
    await logIn(page, m.usernames.verifier);
    await page.getByRole('navigation').getByRole('link', { name: 'Reports' }).click();
    await page.getByRole('heading', { name: 'Reports' }).waitFor();
    await page.selectOption('select[name=report]', 'annual');
    await page.fill('input[name=year]', year);
    await page.getByLabel('Public (disclosure-controlled)').check();
    await page.getByRole('button', { name: 'Show' }).click();
    await page.getByRole('heading', { name: /Annual report · Public/ }).waitFor();

    const [download] = await Promise.all([page.waitForEvent('download'), page.locator('a[data-format=csv]').click()]);
    assert.match(download.suggestedFilename(), /\.csv$/);
    const file = await download.path();
    const csv = fs.readFileSync(file, 'utf8');
    assert.match(csv, /^period_from,period_to,table,category,measure,value,status\r\n/);
    assert.match(csv, new RegExp(`${year}-01-01,${year}-12-31,summary,total_verified,n,`));
    // One verified killing of three children: the public form hides a count below five rather than publish it.
    assert.match(csv, /,by_type,killing,count,,suppressed\r\n/);
    assert.doesNotMatch(csv, new RegExp(`by_party,${m.parties.codeco},n,[1-4],`), 'no small party figure in the public form');
    await screenshot(page, 'reports-1366');
    assert.deepEqual(problems, []);
    await context.close();
  });

  it('in Arabic the page is right-to-left, dates and labels are Arabic, and no key is missing', async () => {
    const { context, page, problems } = await openPage({ width: 1366, height: 768 });
    await page.goto(`${server.url}/`);
    await page.selectOption('.language-picker select', 'ar');
    await page.getByRole('heading', { name: 'تسجيل الدخول' }).waitFor();
    assert.equal(await page.evaluate(() => document.documentElement.dir), 'rtl');
    assert.equal(await page.evaluate(() => document.documentElement.lang), 'ar');
    await screenshot(page, 'login-ar-1366');
    await logIn(page, m.usernames.monitor);
    await page.goto(`${server.url}/incidents/${incidentId}`);
    await page.getByRole('heading', { name: title }).waitFor();
    const text = await page.locator('main').innerText();
    assert.match(text, /القتل/, 'violation type in Arabic');
    assert.match(text, /متحقَّق منه/, 'verification status in Arabic');
    // Nothing that looks like an untranslated key (e.g. "record.history") is on screen.
    assert.doesNotMatch(text, /\b[a-z]+\.[a-z_]+[A-Za-z_.]*\b/, 'no raw translation key');
    await screenshot(page, 'incident-record-ar-1366');
    assert.equal(await page.evaluate(() => document.documentElement.dir), 'rtl');
    assert.deepEqual(problems, []);
    await context.close();
  });

  it('a monitor changes a violation of an incident not yet verified and adds another, from the edit screen', async () => {
    const created = await server.app.inject({ method: 'POST', url: '/api/v1/incidents', headers: auth(m.tokens.monitor), payload: incidentBody(m) });
    assert.equal(created.statusCode, 201, created.body);
    const incident = created.json() as { id: string; violations: { id: string; type: string; totals: { total: number } }[] };
    const { context, page, problems } = await openPage({ width: 1366, height: 768 });
    await page.goto(`${server.url}/`);
    await page.selectOption('.language-picker select', 'en');
    await logIn(page, m.usernames.monitor);
    await page.goto(`${server.url}/incidents/${incident.id}/edit`);
    await page.getByRole('heading', { name: 'Violations of this incident' }).waitFor();

    await page.getByRole('button', { name: /^Change Violation 1/ }).click();
    assert.equal(await page.locator('select[name=violation-0-type]').isDisabled(), true, 'a stored violation keeps its type');
    await page.fill('input[name=violation-0-14-17-girls]', '4');
    await page.getByRole('button', { name: 'Save the violation' }).click();
    await page.getByText('Violation saved.').waitFor();

    await page.getByRole('button', { name: 'Add a violation' }).click();
    await page.selectOption('select[name=violation-0-type]', 'abduction');
    await page.fill('input[name=violation-0-11-13-boys]', '1');
    await page.getByRole('button', { name: 'Save the violation' }).click();
    await page.getByText('Violation saved.').waitFor();
    await screenshot(page, 'incident-violations-edit-1366');

    const stored = (await server.app.inject({ method: 'GET', url: `/api/v1/incidents/${incident.id}`, headers: auth(m.tokens.monitor) })).json() as typeof incident;
    assert.deepEqual(stored.violations.map((v) => v.type).sort(), [...incident.violations.map((v) => v.type), 'abduction'].sort());
    const changed = stored.violations.find((v) => v.id === incident.violations[0]!.id)!;
    assert.equal(changed.totals.total, incident.violations[0]!.totals.total + 4, 'the four girls added to the tallies');
    assert.deepEqual(problems, []);
    await context.close();
  });

  it('an administrator adds a party from the reference screen, is told why the same name is refused, and retires it (kept, no longer active)', async () => {
    const party = `Milice de test ${Date.now()}`;
    const { context, page, problems } = await openPage({ width: 1366, height: 768 });
    await page.goto(`${server.url}/`);
    await page.selectOption('.language-picker select', 'en');
    await logIn(page, m.usernames.admin);
    await page.getByRole('navigation').getByRole('link', { name: 'Parties and areas' }).click();
    await page.getByRole('heading', { name: 'Parties and admin areas' }).waitFor();
    const form = page.getByRole('form', { name: 'Add a party' });
    await form.locator('input[name=party-name]').fill(party);
    await form.locator('input[name=party-aliases]').fill('MDT');
    await form.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('row', { name: new RegExp(party) }).waitFor();
    await screenshot(page, 'reference-admin-1366');

    // The same name again is refused with the server's rule, shown on the page.
    await form.locator('input[name=party-name]').fill(party);
    await form.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('alert').filter({ hasText: party }).waitFor();

    const offered = async () => {
      const res = await server.app.inject({ method: 'GET', url: '/api/v1/reference/parties', headers: auth(m.tokens.monitor) });
      return (res.json() as { items: { name: string; active: boolean }[] }).items.find((p) => p.name === party)?.active;
    };
    assert.equal(await offered(), true);
    await page.getByRole('row', { name: new RegExp(party) }).getByRole('button', { name: /^Retire/ }).click();
    await page.getByRole('row', { name: new RegExp(`${party}.*Retired`) }).waitFor();
    assert.equal(await offered(), false);
    assert.deepEqual(problems.filter((p) => !/status of 409/.test(p)), []);
    await context.close();
  });
});
