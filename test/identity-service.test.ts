import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import * as cases from '../src/modules/cases/service.ts';
import * as repo from '../src/modules/identity/repository.ts';
import * as identity from '../src/modules/identity/service.ts';
import { matchTracingIdentity } from '../src/modules/identity/tracing.ts';
import type { RequestContext, Role } from '../src/platform/context.ts';
import type { DB } from '../src/platform/db/schema.ts';
import { auth, incidentBody, newMission, type Mission } from './support/fixtures.ts';
import { describeStores } from './support/matrix.ts';

/**
 * Issue #5, the service: runs over cases and named MRM victims, stored pairs without names, decisions fed
 * back as labels ("Review decisions change later clustering"), stable cluster ids, merge/unmerge with
 * provenance, a review queue by uncertainty for the agency's supervisor, and tracing limited by consent.
 */
const ctxOf = (missionId: string, role: Role, agency: string | null, userId = randomUUID()): RequestContext =>
  ({ actor: { userId, missionId, username: `${role}.${agency}`, role, scope: { country: 'COD', areas: [], agency } }, clientAddress: null, requestId: null });

type Child = { full_name: string; birth: { date: string } | { age_estimate: number }; parents_names?: string; sex?: 'female' | 'male' };

async function registerChild(db: Kysely<DB>, m: Mission, agency: string, child: Child, consent?: { for_tracing: boolean }): Promise<string> {
  const worker = ctxOf(m.id, 'case_worker', agency);
  const c = await cases.registerCase(db, worker, { child: { full_name: child.full_name, birth: child.birth, parents_names: child.parents_names ?? '' }, sex: child.sex ?? 'female', concerns: [], risk_level: 'medium', urgent: false });
  if (consent) {
    await cases.recordConsent(db, worker, c.id, { given_by: 'caregiver', relationship: 'mother', language: 'fr', witness: '', child_assent: 'verbal', for_services: true,
      for_reporting_non_identifiable: true, for_tracing: consent.for_tracing, share_with: ['family'], withhold_from: [], withhold_reason: '', opt_out_unhcr_export: false });
  }
  return c.id;
}

const ref = (caseId: string) => `case:${caseId}`;
async function clusterOf(db: Kysely<DB>, m: Mission, caseId: string): Promise<string | undefined> {
  return (await repo.memberOf(db, m.id, ref(caseId)))?.cluster_id;
}

describeStores('identity linkage service', ({ it, h }) => {
  let m: Mission;
  const ids: Record<string, string> = {};
  const supervisor = () => ctxOf(m.id, 'supervisor', 'UNICEF');

  it('a run links spelling variants across agencies and an MRM victim, and stores no name', async () => {
    const { store, app } = h();
    const db = store.db;
    m = await newMission(store, app);
    ids.fatima = await registerChild(db, m, 'UNICEF', { full_name: 'Fatima Diallo', birth: { date: '2014-03-02' }, parents_names: 'Moussa Diallo, Awa Sow' }, { for_tracing: true });
    ids.fatouma = await registerChild(db, m, 'SCI', { full_name: 'Fatouma Dialo', birth: { date: '2014-03-02' }, parents_names: 'Musa Diallo / Hawa Sow' });
    ids.hawa = await registerChild(db, m, 'UNICEF', { full_name: 'Hawa Diallo', birth: { date: '2016-05-02' }, parents_names: 'Moussa Diallo, Awa Sow' }, { for_tracing: true });
    ids.mohamed = await registerChild(db, m, 'UNICEF', { full_name: 'Mohamed Kabila', birth: { age_estimate: 12 }, sex: 'male' }, { for_tracing: false });
    const body = incidentBody(m);
    (body.violations as { victims?: unknown[] }[])[0]!.victims = [{ ref: 'V-0001', sex: 'female', age: 10, identity: { full_name: 'Fatima Diallo', date_of_birth: '2014-03-02', parents_names: 'Moussa Diallo' } }];
    const created = await app.inject({ method: 'POST', url: '/api/v1/incidents', headers: auth(m.tokens.monitor), payload: body });
    assert.equal(created.statusCode, 201, created.body);
    const violationId = (created.json().violations as { id: string; type: string }[]).find((v) => v.type === 'killing')!.id;

    const run = await identity.runLinkage(db, supervisor());
    assert.equal(run.records, 5);
    assert.equal(run.model_source, 'reference');

    const links = await identity.caseLinks(db, ctxOf(m.id, 'supervisor', 'UNICEF'), ids.fatima!);
    assert.ok(links.cluster_id);
    assert.deepEqual(links.cases.map((c) => [c.case_id, c.agency]), [[ids.fatouma, 'SCI']], 'the SCI variant is the same child; the sister is not');
    assert.equal(links.victims.length, 1);
    assert.equal(links.victims[0]!.violation_id, violationId);
    assert.match(links.victims[0]!.victim_pseudonym ?? '', /^p1_/, 'the victim is shown by its keyed pseudonym');
    assert.ok(links.history.some((e) => e.cause === 'run' && e.record_ref === ref(ids.fatouma!)));
    assert.notEqual(await clusterOf(db, m, ids.hawa!), links.cluster_id);

    const dump = JSON.stringify(await repo.identityDb(db).selectFrom('identity_pairs').selectAll().where('mission_id', '=', m.id).execute())
      + JSON.stringify(await repo.identityDb(db).selectFrom('identity_runs').select(['records', 'model_source']).where('mission_id', '=', m.id).execute());
    assert.ok(dump.includes(ref(ids.fatima!)), 'pairs are stored');
    for (const word of ['Fatima', 'Fatouma', 'Diallo', 'Dialo', 'Moussa', '2014-03-02']) assert.ok(!dump.includes(word), `no ${word} in the pair tables`);
  });

  it('review decisions change later clustering: a rejected pair stays apart, an accepted one stays together', async () => {
    const db = h().store.db;
    const before = await clusterOf(db, m, ids.fatima!);
    await identity.decide(db, supervisor(), { left_ref: ref(ids.fatima!), right_ref: ref(ids.fatouma!), decision: 'non_match', reason: 'different mothers on the birth certificates' });
    await identity.decide(db, supervisor(), { left_ref: ref(ids.mohamed!), right_ref: ref(ids.hawa!), decision: 'match', reason: 'test: a reviewer says so' });
    const run = await identity.runLinkage(db, supervisor());
    assert.equal(run.decisions_applied, 2);
    assert.notEqual(await clusterOf(db, m, ids.fatima!), await clusterOf(db, m, ids.fatouma!));
    assert.equal(await clusterOf(db, m, ids.mohamed!), await clusterOf(db, m, ids.hawa!));
    const parts = [await clusterOf(db, m, ids.fatima!), await clusterOf(db, m, ids.fatouma!)];
    assert.equal(parts.filter((c) => c === before).length, 1, 'one part (the one with the victim record) keeps the cluster id');
    // A third run with the same decisions: nothing moves.
    const again = await identity.runLinkage(db, supervisor());
    assert.equal(again.records_moved, 0);
    assert.notEqual(await clusterOf(db, m, ids.fatima!), await clusterOf(db, m, ids.fatouma!));
  });

  it('a cluster id does not change when an unrelated record arrives', async () => {
    const db = h().store.db;
    const snapshot = await repo.members(db, m.id);
    ids.other = await registerChild(db, m, 'SCI', { full_name: 'Emmanuel Ngandu', birth: { date: '2010-11-20' }, sex: 'male' });
    const run = await identity.runLinkage(db, supervisor());
    assert.equal(run.records_moved, 1, 'only the new record gets a cluster');
    const now = new Map((await repo.members(db, m.id)).map((r) => [r.record_ref, r.cluster_id]));
    for (const r of snapshot) assert.equal(now.get(r.record_ref), r.cluster_id, r.record_ref);
  });

  it('merge and unmerge keep provenance, refuse a rejected pair, and hold in later runs', async () => {
    const db = h().store.db;
    await assert.rejects(identity.mergeRecords(db, supervisor(), ids.fatima!, { with_ref: ref(ids.fatouma!), reason: 'same child' }),
      (e: { code?: string; details?: { rule?: string } }) => e.code === 'record.conflict' && /different children/.test(e.details?.rule ?? ''));
    const merged = await identity.mergeRecords(db, supervisor(), ids.hawa!, { with_ref: ref(ids.other!), reason: 'field visit: same girl' });
    assert.ok(merged.cases.some((c) => c.case_id === ids.other));
    assert.ok(merged.history.some((e) => e.cause === 'merge' && e.record_ref === ref(ids.other!)));
    await identity.runLinkage(db, supervisor());
    assert.equal(await clusterOf(db, m, ids.other!), await clusterOf(db, m, ids.hawa!), 'a merge holds in the next run');

    const cluster = await clusterOf(db, m, ids.hawa!);
    const unmerged = await identity.unmergeRecord(db, supervisor(), ids.hawa!, { reason: 'wrong merge' });
    assert.equal(unmerged.cases.length, 0);
    assert.notEqual(unmerged.cluster_id, cluster);
    assert.ok(unmerged.history.some((e) => e.cause === 'unmerge' && e.from_cluster === cluster));
    await identity.runLinkage(db, supervisor());
    assert.notEqual(await clusterOf(db, m, ids.hawa!), await clusterOf(db, m, ids.other!), 'an unmerge holds in the next run');
    assert.notEqual(await clusterOf(db, m, ids.hawa!), await clusterOf(db, m, ids.mohamed!));
    // Nothing is lost: both records and every decision are still there.
    const decisions = await repo.identityDb(db).selectFrom('identity_decisions').select(['decision', 'source']).where('mission_id', '=', m.id).execute();
    assert.ok(decisions.some((d) => d.source === 'merge' && d.decision === 'match'));
    assert.ok(decisions.some((d) => d.source === 'unmerge' && d.decision === 'non_match'));
    await assert.rejects(db.deleteFrom('identity_decisions' as never).where('mission_id' as never, '=', m.id as never).execute(), /never changed or deleted/);
  });

  it('the review queue is most uncertain first, for the supervisor of the agency holding one of the records', async () => {
    const { store, app } = h();
    const db = store.db;
    const runId = randomUUID();
    await repo.insertRun(db, { mission_id: m.id, run_id: runId, started_by: randomUUID(), records: 0, candidate_pairs: 0, stored_pairs: 0, clusters: 0, model_source: 'reference', model: {} });
    const pair = (a: string, b: string, probability: number) => {
      const [left, right] = repo.ordered(ref(a), ref(b));
      return { mission_id: m.id, left_ref: left, right_ref: right, run_id: runId, probability, match_weight: Math.log2(probability / (1 - probability)), needs_review: true, review_reason: 'review band', explanation: [] };
    };
    const [q1, q2, q3, q4] = [
      await registerChild(db, m, 'UNICEF', { full_name: 'Achol Mayen', birth: { age_estimate: 9 } }), await registerChild(db, m, 'UNICEF', { full_name: 'Nyakim Kuol', birth: { age_estimate: 7 } }),
      await registerChild(db, m, 'SCI', { full_name: 'Achol Malong', birth: { age_estimate: 9 } }), await registerChild(db, m, 'SCI', { full_name: 'Nya Kim Kuol', birth: { age_estimate: 8 } })];
    await repo.replacePairs(db, m.id, [pair(q1!, q3!, 0.9), pair(q2!, q4!, 0.55), pair(q3!, q4!, 0.52), pair(q1!, q2!, 0.7)]);
    const queue = await identity.reviewQueue(db, supervisor(), { limit: 50 });
    assert.deepEqual(queue.items.map((i) => i.probability), [0.55, 0.7, 0.9], 'UNICEF sees its pairs, nearest 0.5 first; the SCI-only pair is not shown');
    assert.deepEqual(queue.items.map((i) => i.uncertainty), [0.45, 0.3, 0.1]);
    const sci = await identity.reviewQueue(db, ctxOf(m.id, 'supervisor', 'SCI'), { limit: 50 });
    assert.deepEqual(sci.items.map((i) => i.probability), [0.52, 0.55, 0.9]);
    await identity.decide(db, supervisor(), { left_ref: ref(q4!), right_ref: ref(q2!), decision: 'unsure', reason: 'photos unclear' });
    await identity.decide(db, supervisor(), { left_ref: ref(q1!), right_ref: ref(q2!), decision: 'non_match', reason: 'different parents' });
    const after = await identity.reviewQueue(db, supervisor(), { limit: 50 });
    assert.deepEqual(after.items.map((i) => [i.probability, i.earlier_decision]), [[0.9, null], [0.55, 'unsure']], 'decided pairs leave; unsure ones go last');
    await assert.rejects(identity.decide(db, supervisor(), { left_ref: ref(q3!), right_ref: ref(q4!), decision: 'match', reason: 'x' }),
      (e: { code?: string }) => e.code === 'record.not_found', 'a pair of another agency\'s cases is not this reviewer\'s');
    for (const role of ['case_worker', 'monitor', 'analyst', 'admin'] as const) {
      await assert.rejects(identity.reviewQueue(db, ctxOf(m.id, role, 'UNICEF'), { limit: 5 }), (e: { code?: string }) => e.code === 'permission.denied', role);
    }
    const http = await app.inject({ method: 'GET', url: '/api/v1/identity/review', headers: auth(m.tokens.analyst) });
    assert.equal(http.statusCode, 403);
  });

  it('tracing compares a family\'s request only with children whose consent covers tracing', async () => {
    const db = h().store.db;
    const result = await matchTracingIdentity(db, ctxOf(m.id, 'case_worker', 'SCI'), { given_name: 'Fatouma', family_name: 'Diallo', sex: 'female', date_of_birth: '2014-03', father_name: 'Moussa Diallo', mother_name: 'Awa Sow' });
    assert.equal(result.children_compared, 2, 'Fatima and Hawa have tracing consent');
    const total = (await db.selectFrom('cases' as never).select((eb) => eb.fn.countAll<string>().as('n')).where('mission_id' as never, '=', m.id as never).executeTakeFirstOrThrow()).n;
    assert.equal(result.children_without_tracing_consent, Number(total) - 2);
    assert.equal(result.matches[0]?.case_id, ids.fatima, JSON.stringify(result.matches));
    assert.ok(!result.matches.some((x) => x.case_id === ids.fatouma), 'the SCI case has no consent and is not compared');
    assert.ok(JSON.stringify(result).indexOf('Diallo') < 0, 'no identity in the answer');
    await assert.rejects(matchTracingIdentity(db, ctxOf(m.id, 'monitor', 'UNICEF'), { given_name: 'x', family_name: 'y' }), (e: { code?: string }) => e.code === 'permission.denied');
  });
  it('two runs finishing at once both succeed and leave each record in exactly one cluster', async () => {
    const { store, app } = h();
    const db = store.db;
    const mission = await newMission(store, app);
    const a = await registerChild(db, mission, 'UNICEF', { full_name: 'Fatima Diallo', birth: { date: '2014-03-02' }, parents_names: 'Moussa Diallo, Awa Sow' });
    const b = await registerChild(db, mission, 'SCI', { full_name: 'Fatouma Dialo', birth: { date: '2014-03-02' }, parents_names: 'Musa Diallo / Hawa Sow' });
    const sup = () => ctxOf(mission.id, 'supervisor', 'UNICEF');
    // On PostgreSQL both write transactions used to insert the same new memberships: one failed with 409.
    const runs = await Promise.allSettled([identity.runLinkage(db, sup()), identity.runLinkage(db, sup())]);
    assert.deepEqual(runs.map((r) => r.status), ['fulfilled', 'fulfilled'], JSON.stringify(runs.map((r) => r.status === 'rejected' ? String(r.reason) : 'ok')));
    const members = await repo.members(db, mission.id);
    assert.deepEqual(members.map((r) => r.record_ref).sort(), [ref(a), ref(b)].sort());
    assert.equal(new Set(members.map((r) => r.cluster_id)).size, 1, 'the two spellings are one child');
  });
});
