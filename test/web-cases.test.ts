import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { createUser } from '../src/modules/accounts/service.ts';
import { systemContext, type Role } from '../src/platform/context.ts';
import { auth, login, newMission, PASSWORD, type Mission } from './support/fixtures.ts';
import { closeBrowserWorld, launchBrowser, openWatchedPage, screenshot, seriousAxeFindings, startWebServer, unexpectedProblems, type WebServer } from './support/web.ts';

/**
 * Issue 8 in a real browser, in French: a case worker registers a child released from an armed group,
 * records the encounter and sees the handover clock (due soon), records the handover and interim care;
 * a supervisor approves the assessment and the case plan; a tracing match found by the identity engine
 * is confirmed by a person and the child reunified; three follow-up visits are recorded; the case is
 * closed with its goals met, approved by the supervisor. axe finds no serious or critical violation on
 * the case screens; the case list is right-to-left in Arabic; an analyst reaches only the suppressed
 * indicators. Any console error or refused request (a missing translation among them) fails the test.
 */
describe('case screens in the browser, in French', () => {
  let server: WebServer;
  let browser: Browser;
  let m: Mission;
  const users: Record<'worker' | 'supervisor', { username: string; token: string }> = { worker: { username: '', token: '' }, supervisor: { username: '', token: '' } };
  let caseId = '';

  before(async () => {
    server = await startWebServer();
    m = await newMission(server.store, server.app);
    for (const [key, role] of [['worker', 'case_worker'], ['supervisor', 'supervisor']] as const) {
      const username = `${m.id}.${key}`;
      await createUser(server.store.db, systemContext(m.id), { username, display_name: key, role: role as Role, scope: { country: 'COD', areas: [], agency: 'UNICEF' }, password: PASSWORD });
      users[key] = { username, token: await login(server.app, username, PASSWORD) }; // enrols the authenticator
    }
    browser = await launchBrowser();
  });
  after(() => closeBrowserWorld({ server, browser }));


  const openPage = (username: string) => openWatchedPage(browser, server.url, username, 'fr', { locale: 'fr-FR', timezoneId: 'UTC' });

  const section = (page: Page, heading: string) => page.locator('section', { has: page.getByRole('heading', { name: heading, exact: true }) });
  const localMinutes = (d: Date) => d.toISOString().slice(0, 16);
  const noAxe = async (page: Page, where: string) => assert.deepEqual(await seriousAxeFindings(page), [], where);
  async function bothSizes(page: Page, name: string) {
    await screenshot(page, `${name}-1366`);
    await page.setViewportSize({ width: 360, height: 640 });
    await screenshot(page, `${name}-360`);
    await page.setViewportSize({ width: 1366, height: 768 });
  }
  async function supervisorApproves(page: Page, what: string) {
    await page.goto(`${server.url}/cases/${caseId}`);
    // By keyboard: the note, then Tab to the approval button and Enter.
    const note = section(page, 'Étapes du dossier').getByLabel('Remarque');
    await note.fill(`${what} : vu`);
    await note.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement?.textContent), `Approuver ${what}`);
    await page.keyboard.press('Enter');
    await page.getByText('Approuvé.', { exact: true }).waitFor();
  }

  it('walks one child from registration to closure with goals met', async () => {
    const worker = await openPage(users.worker.username);
    const sup = await openPage(users.supervisor.username);
    const w = worker.page;

    // The case list is the case worker's home, with the caseload against the guidance.
    await w.getByRole('heading', { name: 'Dossiers', exact: true }).waitFor();
    await w.getByText('Vous suivez 0 dossiers ouverts ; la norme est d’environ 25 par travailleur social.').waitFor();
    await noAxe(w, 'empty case list');

    // Registration: identity sealed, a child associated with an armed group, high risk.
    await w.getByRole('link', { name: 'Enregistrer un enfant' }).click();
    await w.getByRole('heading', { name: 'Enregistrer un enfant' }).waitFor();
    await w.getByLabel('Nom complet *').fill('Espoir Kambale');
    await w.getByLabel('Naissance').selectOption('date');
    await w.getByLabel('Date de naissance (AAAA, AAAA-MM ou AAAA-MM-JJ) *').fill('2011-06-01');
    await w.getByLabel('Noms des parents').fill('Paluku Kambale, Kavira Masika');
    await w.getByLabel('Sexe').selectOption('male');
    await w.getByLabel('Niveau de risque').selectOption('high');
    await w.getByLabel('Associé·e à une force ou un groupe armé').check();
    await noAxe(w, 'registration form');
    await bothSizes(w, 'case-register');
    await w.getByRole('button', { name: 'Enregistrer l’enfant' }).click();
    await w.getByText('Enfant enregistré·e.', { exact: false }).waitFor();
    caseId = /\/cases\/([0-9a-f-]{36})/.exec(w.url())![1]!;

    // Consent for services and tracing, given by the child (15 years old).
    await w.locator('summary', { hasText: 'Enregistrer le consentement' }).click();
    const consent = section(w, 'Consentement et assentiment');
    assert.equal(await consent.getByLabel('Donné par').inputValue(), 'child');
    await consent.getByLabel('Pour la recherche familiale').check();
    await consent.getByLabel('Autres organisations').check();
    await consent.getByRole('button', { name: 'Enregistrer le consentement' }).click();
    await w.getByText('Consentement enregistré.').waitFor();

    // Encounter 44 hours ago: the 48-hour handover clock has 4 hours left and says so.
    const release = section(w, 'Libération et remise');
    await release.getByLabel('Rencontré·e le').fill(localMinutes(new Date(Date.now() - 44 * 3_600_000)));
    await release.getByLabel('Mode de sortie').selectOption('escaped');
    await release.getByLabel('Rencontré·e par *').fill('Patrouille MONUSCO');
    await release.getByRole('button', { name: 'Enregistrer la rencontre' }).click();
    await w.getByText('Enregistré. Le délai de remise court.').waitFor();
    const timer = w.getByRole('timer');
    await timer.getByText('Remise bientôt due').waitFor();
    assert.match(await timer.innerText(), /Remise aux acteurs civils : encore [34] h \d+ min/);
    await w.getByText('Remise bientôt due').first().waitFor();
    await noAxe(w, 'case page with the handover clock');
    await bothSizes(w, 'case-release');

    // The list shows the case with its risk and the handover alert, and the caseload.
    await w.getByRole('navigation').getByRole('link', { name: 'Dossiers', exact: true }).click();
    const row = w.locator('tr', { has: w.getByRole('link', { name: `Ouvrir le dossier ${caseId.slice(0, 8).toUpperCase()}` }) });
    await row.waitFor();
    assert.match(await row.innerText(), /Élevé[\s\S]*Enregistrement[\s\S]*Remise bientôt due/);
    await w.getByText('Vous suivez 1 dossiers ouverts ; la norme est d’environ 25 par travailleur social.').waitFor();
    await noAxe(w, 'case list');
    await bothSizes(w, 'case-list');
    // The same list in Arabic: right-to-left, every label translated.
    await w.selectOption('.language-picker select', 'ar');
    await w.getByRole('heading', { name: 'الحالات', exact: true }).waitFor();
    assert.equal(await w.evaluate(() => document.documentElement.dir), 'rtl');
    const arabic = await w.locator('main').innerText();
    assert.match(arabic, /مرتفع[\s\S]*اقترب موعد التسليم/);
    assert.doesNotMatch(arabic, /\bcases\.[a-zA-Z_.]+|[a-z]{3,}/, 'no raw key, no Latin word left untranslated');
    await noAxe(w, 'case list in Arabic');
    await bothSizes(w, 'case-list-ar');
    await w.selectOption('.language-picker select', 'fr');
    await row.getByRole('link').click();

    await release.getByLabel('Remis·e à').selectOption('civilian_child_protection');
    await release.getByRole('button', { name: 'Enregistrer la remise' }).click();
    await release.locator('dd', { hasText: 'Acteurs civils de la protection de l’enfance' }).waitFor();
    assert.equal(await w.getByRole('timer').count(), 0, 'handed over: the clock stops');

    // Interim care centre.
    const interim = section(w, 'Prise en charge transitoire');
    await interim.getByLabel('Type de prise en charge').selectOption('interim_care_centre');
    await interim.getByLabel('Lieu').fill('CTO Bunia');
    await interim.getByRole('button', { name: 'Admettre en prise en charge transitoire' }).click();
    await w.getByText('Placement enregistré.').waitFor();
    await interim.getByText(/Centre de transit et d’orientation · CTO Bunia/).waitFor();

    // The reintegration plan (one of the ten component types) and a best-interests assessment.
    const plan = section(w, 'Plan de réintégration');
    await plan.getByLabel('Composante', { exact: true }).selectOption('education');
    await plan.getByLabel('Prestataire *').fill('AVSI');
    await plan.getByRole('button', { name: 'Ajouter une composante' }).click();
    await plan.getByRole('rowheader', { name: 'Éducation' }).waitFor();
    await plan.getByText('1 des 10 types de composantes prévus.').waitFor();
    await w.locator('summary', { hasText: 'Enregistrer une évaluation ou une détermination de l’intérêt supérieur' }).click();
    const bia = section(w, 'Intérêt supérieur');
    await bia.getByLabel('Faite par *').fill('Travailleur social');
    await bia.getByLabel('Recommandation *').fill('Rechercher la famille et préparer le retour.');
    await bia.getByRole('button', { name: 'Enregistrer', exact: true }).click();
    await w.getByText('Intérêt supérieur enregistré.').waitFor();
    await bia.getByText(/Évaluation de l’intérêt supérieur \(EIS\)/).waitFor();

    // Assessment, sent for approval; the supervisor approves it, then the case plan.
    await w.getByRole('button', { name: 'Passer à : Évaluation' }).click();
    await w.getByText('Le dossier a avancé.').waitFor();
    await w.getByRole('button', { name: 'Demander à un superviseur d’approuver l’évaluation' }).click();
    await w.getByText('En attente de l’approbation d’un superviseur : l’évaluation').waitFor();
    assert.equal(await w.getByRole('button', { name: /^Approuver/ }).count(), 0, 'a case worker gets no approval button');
    await supervisorApproves(sup.page, 'l’évaluation');
    await noAxe(sup.page, 'case page, supervisor');
    await w.reload();
    await w.getByRole('button', { name: 'Demander à un superviseur d’approuver le plan d’intervention' }).click();
    await w.getByText('Approbation demandée.').waitFor();
    await supervisorApproves(sup.page, 'le plan d’intervention');

    // Family tracing: the mother's request, candidates from the identity engine, confirmed by a person.
    await w.getByRole('navigation').getByRole('link', { name: 'Recherche familiale' }).click();
    await w.getByRole('heading', { name: 'Recherche familiale', exact: true }).waitFor();
    await w.getByLabel('Nom de l’enfant recherché *').fill('Espoir Kambale');
    await w.getByLabel('Sexe').selectOption('male');
    await w.getByLabel('Date de naissance (AAAA, AAAA-MM ou AAAA-MM-JJ)').fill('2011-06-01');
    await w.getByLabel('Nom du père').fill('Paluku Kambale');
    await w.getByLabel('Nom de la mère').fill('Kavira Masika');
    await w.getByLabel('Demandeur *').fill('Kavira Masika');
    await w.getByLabel('Son lien avec l’enfant *').fill('mère');
    await noAxe(w, 'tracing list and form');
    await w.getByRole('button', { name: 'Enregistrer la demande' }).click();
    await w.getByRole('heading', { name: /^Demande de recherche / }).waitFor();
    await w.getByRole('button', { name: 'Commencer la recherche' }).click();
    await w.getByText('Recherche commencée.').waitFor();
    await w.getByRole('button', { name: 'Chercher des candidats' }).click();
    const candidate = w.locator('.match-list > li', { hasText: `Dossier ${caseId.slice(0, 8).toUpperCase()}` });
    await candidate.waitFor();
    assert.match(await candidate.innerText(), /Nom du père\s?: identique/, 'the explanation says which fields agree');
    await noAxe(w, 'tracing request with a candidate');
    await bothSizes(w, 'case-tracing');
    await candidate.getByLabel('Ce qui confirme ou écarte cette correspondance *').fill('La mère a reconnu l’enfant ; noms et village concordent.');
    await candidate.getByRole('button', { name: 'Confirmer la correspondance' }).click();
    await w.getByText('Correspondance confirmée : la demande est vérifiée.').waitFor();
    await candidate.getByLabel('Comment le lien familial a été vérifié').selectOption('mutual_recognition');
    await candidate.getByRole('button', { name: 'Enregistrer la réunification' }).click();
    await w.getByText('Réunification enregistrée ; visites de suivi planifiées.').waitFor();

    // Back on the case: the placement ends, three follow-up visits, then closure with goals met.
    await w.goto(`${server.url}/cases/${caseId}`);
    await section(w, 'Réunification ou prise en charge alternative').getByText(/Réunifié·e avec la famille/).waitFor();
    await interim.getByLabel('Motif de sortie *').fill('réunifié');
    await interim.getByRole('button', { name: 'Mettre fin au placement' }).click();
    await w.getByText('Placement terminé.').waitFor();
    const followUps = section(w, 'Visites de suivi');
    for (const n of [1, 2, 3]) {
      await followUps.getByRole('heading', { name: new RegExp(`^Enregistrer la visite ${n} `) }).waitFor();
      await followUps.getByLabel('Actions menées').fill(`visite à domicile ${n}`);
      if (n === 3) await followUps.getByLabel('Recommande de clore le dossier').check();
      await followUps.getByRole('button', { name: 'Enregistrer la visite' }).click();
      await followUps.getByText(`visite à domicile ${n}`).waitFor();
    }
    await w.getByRole('button', { name: 'Passer à : Suivi et révision' }).click();
    await w.getByText('Le dossier a avancé.').waitFor();
    await w.getByLabel('Motif de clôture').selectOption('goals_met');
    await w.getByRole('button', { name: 'Demander à un superviseur d’approuver la clôture' }).click();
    await w.getByText('Approbation demandée.').waitFor();
    await noAxe(w, 'case page before closure');
    await bothSizes(w, 'case-page');

    await supervisorApproves(sup.page, 'la clôture');
    await sup.page.getByText('Clos · Objectifs du plan atteints').waitFor();
    await sup.page.getByRole('button', { name: 'Rouvrir le dossier' }).waitFor();
    assert.equal(await sup.page.getByRole('button', { name: 'Admettre en prise en charge transitoire' }).count(), 0, 'a closed case offers no care action');

    const stored = (await server.app.inject({ method: 'GET', url: `/api/v1/cases/${caseId}`, headers: auth(users.worker.token) })).json();
    assert.deepEqual([stored.status, stored.step, stored.closure_reason, stored.release.handed_over_to], ['closed', 'closure', 'goals_met', 'civilian_child_protection']);
    assert.deepEqual(stored.history.filter((h: { action: string }) => h.action === 'approve').length, 3);
    const care = (await server.app.inject({ method: 'GET', url: `/api/v1/cases/${caseId}/care`, headers: auth(users.worker.token) })).json();
    assert.equal(care.reunification.outcome, 'reunified');
    assert.equal(care.followups.filter((v: { visited_on: string | null }) => v.visited_on !== null).length, 3);
    assert.equal(care.placements[0].left_reason, 'réunifié');

    // The supervisor finds the closed case among the agency's closed cases.
    await sup.page.getByRole('navigation').getByRole('link', { name: 'Dossiers', exact: true }).click();
    await sup.page.getByRole('heading', { name: 'Dossiers', exact: true }).waitFor();
    await sup.page.getByLabel('Dossiers affichés').selectOption('closed');
    await sup.page.getByRole('link', { name: `Ouvrir le dossier ${caseId.slice(0, 8).toUpperCase()}` }).waitFor();
    await noAxe(sup.page, 'supervisor case list');

    for (const s of [worker, sup]) {
      assert.deepEqual(unexpectedProblems(s.problems, s.refused), []);
      await s.context.close();
    }
  });

  it('refers a case to another agency with the consent it rests on; without consent the rule is named and nothing is sent', async () => {
    const call = async (method: 'POST' | 'GET', url: string, payload?: object) => (await server.app.inject({ method, url, headers: auth(users.worker.token), ...(payload && { payload }) })).json();
    const register = (name: string) => call('POST', '/api/v1/cases', { child: { full_name: name, birth: { age_estimate: 12 } }, sex: 'female', risk_level: 'medium' });
    const consenting = await register('Neema Kahindo');
    await call('POST', `/api/v1/cases/${consenting.id}/consents`, { given_by: 'caregiver', child_assent: 'verbal', for_services: true, for_reporting_non_identifiable: true, for_tracing: false, share_with: ['other_organisations'] });
    const silent = await register('Furaha Masika');

    const { context, page, problems, refused } = await openPage(users.worker.username);
    const refer = async (id: string) => {
      await page.goto(`${server.url}/cases/${id}`);
      await page.locator('summary', { hasText: 'Orienter vers une autre organisation' }).click();
      const referrals = section(page, 'Orientations');
      await referrals.getByLabel('Organisation destinataire *').fill('IRC');
      await referrals.getByLabel('Service demandé').selectOption('psychosocial');
      await referrals.getByLabel('Degré d’urgence').selectOption('medium');
      await referrals.getByRole('button', { name: 'Envoyer l’orientation' }).click();
      return referrals;
    };
    const sent = await refer(consenting.id);
    await page.getByText('Orientation envoyée.').waitFor();
    const row = sent.getByRole('row', { name: /Soutien psychosocial/ });
    assert.match(await row.innerText(), /IRC[\s\S]*Moyen[\s\S]*Consentement, version 1[\s\S]*En attente de réponse/);
    await noAxe(page, 'case page with a referral');

    const refusedForm = await refer(silent.id);
    await refusedForm.getByText(/Le consentement en vigueur ne le permet pas : no consent is recorded for this child/).waitFor();
    assert.equal(await refusedForm.getByRole('row').count(), 0, 'nothing was sent');
    assert.deepEqual((await call('GET', '/api/v1/referrals')).items.map((r: { case_id: string }) => r.case_id), [consenting.id]);
    const other = refused.filter((r) => r !== `409 /api/v1/cases/${silent.id}/referrals`);
    assert.equal(refused.length - other.length, 1, 'the one refusal is the referral without consent');
    assert.deepEqual(unexpectedProblems(problems.filter((p) => !/status of 409 \(Conflict\)/.test(p)), other), []);
    await context.close();
  });

  it('flags a released child as re-recruited: the alert is raised and the risk becomes high', async () => {
    const call = async (method: 'POST' | 'GET', url: string, payload?: object) => (await server.app.inject({ method, url, headers: auth(users.worker.token), ...(payload && { payload }) })).json();
    const c = await call('POST', '/api/v1/cases', { child: { full_name: 'Baraka Muhindo', birth: { age_estimate: 16 } }, sex: 'male', risk_level: 'low' });
    await call('POST', `/api/v1/cases/${c.id}/release`, { encountered_at: new Date(Date.now() - 30 * 86_400_000).toISOString(), exit_mode: 'formal_release', encountered_by: 'MONUSCO' });
    await call('POST', `/api/v1/cases/${c.id}/release/handover`, { handed_over_at: new Date(Date.now() - 29 * 86_400_000).toISOString(), handed_over_to: 'unicef_partner' });

    const { context, page, problems, refused } = await openPage(users.worker.username);
    await page.goto(`${server.url}/cases/${c.id}`);
    await page.locator('summary', { hasText: 'Signaler un nouveau recrutement' }).click();
    const release = section(page, 'Libération et remise');
    await release.getByLabel('Remarque').fill('vu au point de contrôle du groupe');
    await release.getByRole('button', { name: 'Signaler un nouveau recrutement' }).click();
    await release.getByText('Nouveau recrutement possible').waitFor();
    await release.getByText(/Recruté·e à nouveau le .* · vu au point de contrôle du groupe/).waitFor();
    await page.locator('.facts').getByText('Élevé').waitFor();
    await noAxe(page, 'case page with a re-recruitment flag');
    await page.getByRole('navigation').getByRole('link', { name: 'Dossiers', exact: true }).click();
    const row = page.locator('tr', { has: page.getByRole('link', { name: `Ouvrir le dossier ${c.id.slice(0, 8).toUpperCase()}` }) });
    assert.match(await row.innerText(), /Élevé[\s\S]*Nouveau recrutement possible/);
    assert.deepEqual(unexpectedProblems(problems, refused), []);
    await context.close();
  });

  it('an analyst reaches the suppressed indicators only, and no case screen', async () => {
    assert.ok(caseId, 'needs the case of the previous test');
    const { context, page, problems, refused } = await openPage(m.usernames.analyst);
    await page.getByRole('navigation').getByRole('link', { name: 'Indicateurs des dossiers' }).click();
    await page.getByRole('heading', { name: 'Indicateurs de libération et de réintégration' }).waitFor();
    assert.equal(await page.getByLabel(/Chiffres complets/).count(), 0, 'no switch the server would refuse');
    await page.getByRole('button', { name: 'Afficher les indicateurs' }).click();
    await page.locator('.kpis').getByText('Enfants libérés').waitFor();
    assert.match(await page.locator('.kpis').innerText(), /Enfants libérés\s+masqué/, 'one released child is below the threshold');
    await noAxe(page, 'indicators');
    await bothSizes(page, 'case-indicators');
    await page.goto(`${server.url}/cases/${caseId}`);
    await page.getByRole('heading', { name: 'Cette page n’existe pas.' }).waitFor();
    assert.deepEqual(unexpectedProblems(problems, refused), []);
    await context.close();
  });
});
