import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { RequestContext } from '../../platform/context.ts';
import type { DB } from '../../platform/db/schema.ts';
import { runUnitOfWork, type UnitOfWork } from '../../platform/db/unit-of-work.ts';
import { ensure } from '../../platform/errors.ts';
import { canSeeCase } from '../cases/policy.ts';
import { caseFacts } from '../cases/presenter.ts';
import { casesDb, findCase } from '../cases/repository.ts';
import { assignClusterIds, groupsOf } from './clusters.ts';
import { CHILD_IDENTITY_SETTINGS, linkRecords, type Decision, type LinkageResult } from './engine/index.ts';
import { MIN_RECORDS_TO_TRAIN, referenceModel } from './model.ts';
import { fieldBits, presentLinks, presentQueueItem } from './presenter.ts';
import { mayReview, mayRunLinkage, maySeeLinks, reviewsCase } from './policy.ts';
import { caseRef, caseRows, loadCases, parseRef, prepareOpening, victimRows } from './records.ts';
import * as repo from './repository.ts';
import type { DecisionInput, MergeInput, UnmergeInput } from './schema.ts';

/**
 * Identity linkage as a service: runs over the mission's children (cases and named MRM victims), the pairs
 * they score, reviewers' decisions fed back as labels, stable cluster ids, and merge/unmerge with provenance.
 * Identities are opened in memory for a run, as the server, and never written back: the pair tables hold
 * record references and per-field levels only.
 */

/** Pairs below this are not stored: the queue and the links never need them. */
const STORED_PAIR_FLOOR = 0.05;

const refuse = (ok: boolean, rule: string) => ensure(ok, 'permission.denied', { rule });

/** Decisions in force that the engine takes: match and non-match between records of this run ("unsure" is no label). */
function engineDecisions(decisions: repo.DecisionRow[], known: ReadonlySet<string>): Decision[] {
  return decisions.filter((d) => d.decision !== 'unsure' && known.has(d.left_ref) && known.has(d.right_ref))
    .map((d) => ({ leftId: d.left_ref, rightId: d.right_ref, match: d.decision === 'match' }));
}

/**
 * One linkage run. Reading and opening is one transaction, the engine runs outside any transaction (it takes
 * seconds on a large mission), and the results are written in a second one with the run's audit row.
 */
export async function runLinkage(db: Kysely<DB>, ctx: RequestContext) {
  refuse(mayRunLinkage(ctx.actor), `your role (${ctx.actor.role}) does not start linkage runs`);
  const missionId = ctx.actor.missionId;
  await prepareOpening(db, missionId);
  const { rows, before, decisions } = await runUnitOfWork(db, ctx, 'read', async (uow) => {
    const cases = await loadCases(uow.trx, missionId);
    const rows = [...await caseRows(db, uow.trx, missionId, cases), ...await victimRows(db, uow.trx, missionId)];
    uow.audit({ action: 'identity.open_for_run', targetType: 'mission', targetId: missionId, details: { records: rows.length } });
    const before = new Map((await repo.members(uow.trx, missionId)).map((m) => [m.record_ref, m.cluster_id]));
    return { rows, before, decisions: await repo.decisionsInForce(uow.trx, missionId) };
  });
  const known = new Set(rows.map((r) => r.record_id!));
  const modelSource = rows.length < MIN_RECORDS_TO_TRAIN ? 'reference' as const : 'mission' as const;
  const result = rows.length < 2 ? null : await linkRecords(rows, CHILD_IDENTITY_SETTINGS, {
    decisions: engineDecisions(decisions, known), ...(modelSource === 'reference' && { model: await referenceModel(rows.length) }),
  });
  return runUnitOfWork(db, ctx, 'write', async (uow) => {
    await repo.lockMembershipWrites(uow.trx, missionId);
    const runId = randomUUID();
    const pairs = result ? scoredPairs(result, runId, missionId, decisions) : [];
    const groups = result ? groupsOf(result.prepared.ids, result.clustering.clusterOf) : rows.map((r) => [r.record_id!]);
    const stored = new Map((await repo.members(uow.trx, missionId)).map((m) => [m.record_ref, m.cluster_id]));
    const ids = assignClusterIds(groups, stored, randomUUID);
    // A record a reviewer merged or unmerged while the engine ran keeps the reviewer's cluster: that act is newer.
    const movedMeanwhile = (ref: string) => stored.get(ref) !== before.get(ref);
    const moves = groups.flatMap((refs, g) => refs.filter((ref) => stored.get(ref) !== ids[g] && !movedMeanwhile(ref)).map((ref) => ({ ref, from: stored.get(ref) ?? null, to: ids[g]! })));
    await repo.insertRun(uow.trx, {
      mission_id: missionId, run_id: runId, started_by: ctx.actor.userId, records: rows.length, candidate_pairs: result?.candidates.left.length ?? 0,
      stored_pairs: pairs.length, clusters: groups.length, model_source: modelSource, model: result?.model ?? {},
    });
    await repo.replacePairs(uow.trx, missionId, pairs);
    await repo.moveRecords(uow.trx, missionId, moves, 'run', ctx.actor.userId, { runId, eventId: randomUUID });
    const summary = {
      run_id: runId, records: rows.length, candidate_pairs: result?.candidates.left.length ?? 0, stored_pairs: pairs.length,
      review_pairs: pairs.filter((p) => p.needs_review).length, clusters: groups.length, records_moved: moves.length,
      decisions_applied: result ? engineDecisions(decisions, known).length : 0, model_source: modelSource,
    };
    uow.audit({ action: 'identity.run', targetType: 'mission', targetId: missionId, details: { ...summary } });
    return summary;
  });
}

function scoredPairs(result: LinkageResult, runId: string, missionId: string, decisions: repo.DecisionRow[]) {
  const ids = result.prepared.ids;
  const review = new Map<string, string>();
  for (const item of result.clustering.review) review.set(repo.ordered(ids[item.left]!, ids[item.right]!).join('\u0000'), item.reason);
  const final = new Set(decisions.filter((d) => d.decision !== 'unsure').map((d) => `${d.left_ref}\u0000${d.right_ref}`));
  const pairs = [];
  for (let p = 0; p < result.candidates.left.length; p++) {
    const probability = result.probabilities[p]!;
    const [left, right] = repo.ordered(ids[result.candidates.left[p]!]!, ids[result.candidates.right[p]!]!);
    const key = `${left}\u0000${right}`;
    const reason = review.get(key);
    if (probability < STORED_PAIR_FLOOR && reason === undefined) continue;
    pairs.push({
      mission_id: missionId, left_ref: left, right_ref: right, run_id: runId, probability, match_weight: result.weights[p]!,
      needs_review: reason !== undefined && !final.has(key), review_reason: reason ?? null, explanation: fieldBits(result.explain(p)),
    });
  }
  return pairs;
}

/** The case refs of the reviewer's agency: the records whose pairs they may see and decide. */
async function reviewerRefs(uow: UnitOfWork): Promise<string[]> {
  const agency = uow.ctx.actor.scope.agency;
  if (!agency) return [];
  const rows = await casesDb(uow.trx).selectFrom('cases').select('case_id')
    .where('mission_id', '=', uow.ctx.actor.missionId).where('agency', '=', agency).execute();
  return rows.map((r) => caseRef(r.case_id));
}

export async function reviewQueue(db: Kysely<DB>, ctx: RequestContext, q: { limit: number }) {
  refuse(mayReview(ctx.actor), `your role (${ctx.actor.role}) does not review identity links`);
  return runUnitOfWork(db, ctx, 'read', async (uow) => {
    const items = await repo.reviewQueue(uow.trx, ctx.actor.missionId, await reviewerRefs(uow), q.limit);
    return { items: items.map(presentQueueItem) };
  });
}

/** The case named by a ref, if the reviewer's agency holds it. */
async function reviewableCase(uow: UnitOfWork, ref: string) {
  const parsed = parseRef(ref);
  if (parsed?.kind !== 'case') return null;
  const row = await findCase(uow.trx, uow.ctx.actor.missionId, parsed.caseId);
  return row && reviewsCase(uow.ctx.actor, caseFacts(row)) ? row : null;
}

/** A reviewer's decision on a pair (scored or not); it takes effect in the next run (and leaves the queue now). */
export async function decide(db: Kysely<DB>, ctx: RequestContext, input: DecisionInput) {
  refuse(mayReview(ctx.actor), `your role (${ctx.actor.role}) does not review identity links`);
  return runUnitOfWork(db, ctx, 'write', async (uow) => {
    const [left, right] = repo.ordered(input.left_ref, input.right_ref);
    ensure(left !== right, 'request.invalid', { field: 'right_ref', rule: 'a pair of two different records' });
    // A reviewer may also know two records are one child without the engine having scored them (a field visit).
    const mine = (await reviewableCase(uow, left)) ? right : (await reviewableCase(uow, right)) ? left : null;
    ensure(mine !== null, 'record.not_found', { field: 'left_ref', rule: 'a pair touching a case of your agency' });
    ensure(await recordExists(uow, mine), 'record.not_found', { field: mine === left ? 'left_ref' : 'right_ref' });
    const probability = (await repo.findPair(uow.trx, ctx.actor.missionId, left, right))?.probability ?? null;
    const decisionId = randomUUID();
    await repo.insertDecision(uow.trx, { mission_id: ctx.actor.missionId, decision_id: decisionId, left_ref: left, right_ref: right,
      decision: input.decision, reason: input.reason, source: 'review', probability, decided_by: ctx.actor.userId });
    uow.audit({ action: 'identity.decide', targetType: 'identity_pair', targetId: decisionId, details: { left_ref: left, right_ref: right, decision: input.decision, probability } });
    return { decision_id: decisionId, left_ref: left, right_ref: right, decision: input.decision, probability, takes_effect: 'next run' as const };
  });
}

/** The case if the caller may see it (404 otherwise, so its existence is not revealed). */
async function visibleCaseRow(uow: UnitOfWork, caseId: string) {
  const row = await findCase(uow.trx, uow.ctx.actor.missionId, caseId);
  ensure(row && canSeeCase(uow.ctx.actor, caseFacts(row)), 'record.not_found', { field: 'case_id' });
  return row;
}

/** The child's cluster: the other cases and the MRM victims (by pseudonym) linked to this case, and how each came in. */
export async function caseLinks(db: Kysely<DB>, ctx: RequestContext, caseId: string) {
  refuse(maySeeLinks(ctx.actor), `your role (${ctx.actor.role}) does not work with case records`);
  return runUnitOfWork(db, ctx, 'read', async (uow) => {
    await visibleCaseRow(uow, caseId);
    return linksOf(uow, caseId);
  });
}

async function linksOf(uow: UnitOfWork, caseId: string) {
  const missionId = uow.ctx.actor.missionId;
  const me = await repo.memberOf(uow.trx, missionId, caseRef(caseId));
  if (!me) return presentLinks(caseId, null, [], [], [], []);
  const members = await repo.clusterMembers(uow.trx, missionId, me.cluster_id);
  const refs = members.map((m) => m.record_ref);
  const [history, pairs] = await Promise.all([
    repo.clusterHistory(uow.trx, missionId, refs),
    repo.identityDb(uow.trx).selectFrom('identity_pairs').select(['left_ref', 'right_ref', 'probability'])
      .where('mission_id', '=', missionId).where('left_ref', 'in', refs).where('right_ref', 'in', refs).execute(),
  ]);
  const victims = refs.map(parseRef).filter((r) => r?.kind === 'victim') as { kind: 'victim'; violationId: string; victimRef: string }[];
  const victimFacts = victims.length === 0 ? [] : await uow.trx.selectFrom('violation_victims as w')
    .innerJoin('violations as v', (j) => j.onRef('v.mission_id', '=', 'w.mission_id').onRef('v.violation_id', '=', 'w.violation_id'))
    .innerJoin('incidents as i', (j) => j.onRef('i.mission_id', '=', 'v.mission_id').onRef('i.incident_id', '=', 'v.incident_id'))
    .select(['w.violation_id', 'w.victim_ref', 'w.identity_index', 'v.type', 'i.incident_id', 'i.date_start'])
    .where('w.mission_id', '=', missionId).where('w.violation_id', 'in', victims.map((v) => v.violationId)).execute();
  const caseIds = refs.map(parseRef).filter((r) => r?.kind === 'case').map((r) => (r as { caseId: string }).caseId);
  const caseFactsRows = await loadCases(uow.trx, missionId, caseIds);
  return presentLinks(caseId, me.cluster_id, members.map((m) => ({ ...m, probability: pairs.find((p) => (p.left_ref === m.record_ref || p.right_ref === m.record_ref) && (p.left_ref === caseRef(caseId) || p.right_ref === caseRef(caseId)))?.probability ?? null })),
    caseFactsRows, victimFacts, history);
}

/** Does `ref` name a record of this mission (a case, or a victim with an identity)? */
async function recordExists(uow: UnitOfWork, ref: string): Promise<boolean> {
  const parsed = parseRef(ref);
  if (!parsed) return false;
  if (parsed.kind === 'case') return !!(await findCase(uow.trx, uow.ctx.actor.missionId, parsed.caseId));
  return !!(await uow.trx.selectFrom('violation_victims').select('victim_ref').where('mission_id', '=', uow.ctx.actor.missionId)
    .where('violation_id', '=', parsed.violationId).where('victim_ref', '=', parsed.victimRef).executeTakeFirst());
}

/**
 * A reviewer merges the case's child with another record's: every pair across the two clusters becomes an
 * accepted decision (so later runs keep them together), and the other cluster's records move to this case's
 * cluster now, each move kept as provenance. Refused when a reviewer had rejected a pair across them.
 */
export async function mergeRecords(db: Kysely<DB>, ctx: RequestContext, caseId: string, input: MergeInput) {
  refuse(mayReview(ctx.actor), `your role (${ctx.actor.role}) does not merge identity records`);
  return runUnitOfWork(db, ctx, 'write', async (uow) => {
    await repo.lockMembershipWrites(uow.trx, ctx.actor.missionId);
    const row = await visibleCaseRow(uow, caseId);
    refuse(reviewsCase(ctx.actor, caseFacts(row)), 'a supervisor of the case\'s agency merges its records');
    const missionId = ctx.actor.missionId;
    const mine = caseRef(caseId);
    ensure(input.with_ref !== mine, 'request.invalid', { field: 'with_ref', rule: 'another record than the case itself' });
    ensure(await recordExists(uow, input.with_ref), 'record.not_found', { field: 'with_ref' });
    const clusterOfRef = async (ref: string) => (await repo.memberOf(uow.trx, missionId, ref))?.cluster_id ?? null;
    const [a, b] = [await clusterOfRef(mine), await clusterOfRef(input.with_ref)];
    const sideA = a ? (await repo.clusterMembers(uow.trx, missionId, a)).map((m) => m.record_ref) : [mine];
    const sideB = b ? (await repo.clusterMembers(uow.trx, missionId, b)).map((m) => m.record_ref) : [input.with_ref];
    ensure(!(a && a === b), 'record.conflict', { field: 'with_ref', rule: 'the two records are already one child' });
    const inForce = new Map((await repo.decisionsInForce(uow.trx, missionId)).map((d) => [`${d.left_ref}\u0000${d.right_ref}`, d.decision]));
    const crossing = sideA.flatMap((x) => sideB.map((y) => repo.ordered(x, y)));
    const rejected = crossing.find(([l, r]) => inForce.get(`${l}\u0000${r}`) === 'non_match');
    ensure(!rejected, 'record.conflict', { field: 'with_ref', rule: `a reviewer decided ${rejected?.join(' and ')} are different children: decide that pair again first` });
    const decisionId = randomUUID();
    for (const [l, r] of crossing) {
      await repo.insertDecision(uow.trx, { mission_id: missionId, decision_id: l === repo.ordered(mine, input.with_ref)[0] && r === repo.ordered(mine, input.with_ref)[1] ? decisionId : randomUUID(),
        left_ref: l, right_ref: r, decision: 'match', reason: input.reason, source: 'merge', probability: null, decided_by: ctx.actor.userId });
    }
    const target = a ?? randomUUID();
    const moves = [...(a ? [] : [{ ref: mine, from: null, to: target }]), ...sideB.map((ref) => ({ ref, from: b, to: target }))];
    await repo.moveRecords(uow.trx, missionId, moves, 'merge', ctx.actor.userId, { decisionId, eventId: randomUUID });
    uow.audit({ action: 'identity.merge', targetType: 'case', targetId: caseId, details: { with_ref: input.with_ref, cluster_id: target, records_moved: moves.length, reason: input.reason } });
    return linksOf(uow, caseId);
  });
}

/**
 * The case leaves its cluster: it is rejected against every other member (so later runs keep it apart) and
 * gets a cluster of its own now. The other records keep the cluster id; the move is kept as provenance.
 */
export async function unmergeRecord(db: Kysely<DB>, ctx: RequestContext, caseId: string, input: UnmergeInput) {
  refuse(mayReview(ctx.actor), `your role (${ctx.actor.role}) does not unmerge identity records`);
  return runUnitOfWork(db, ctx, 'write', async (uow) => {
    await repo.lockMembershipWrites(uow.trx, ctx.actor.missionId);
    const row = await visibleCaseRow(uow, caseId);
    refuse(reviewsCase(ctx.actor, caseFacts(row)), 'a supervisor of the case\'s agency unmerges its records');
    const missionId = ctx.actor.missionId;
    const mine = caseRef(caseId);
    const me = await repo.memberOf(uow.trx, missionId, mine);
    const others = me ? (await repo.clusterMembers(uow.trx, missionId, me.cluster_id)).map((m) => m.record_ref).filter((r) => r !== mine) : [];
    ensure(others.length > 0, 'record.conflict', { field: 'case_id', rule: 'the case is linked to no other record' });
    const decisionId = randomUUID();
    for (const [i, other] of others.entries()) {
      const [l, r] = repo.ordered(mine, other);
      await repo.insertDecision(uow.trx, { mission_id: missionId, decision_id: i === 0 ? decisionId : randomUUID(), left_ref: l, right_ref: r,
        decision: 'non_match', reason: input.reason, source: 'unmerge', probability: null, decided_by: ctx.actor.userId });
    }
    const target = randomUUID();
    await repo.moveRecords(uow.trx, missionId, [{ ref: mine, from: me!.cluster_id, to: target }], 'unmerge', ctx.actor.userId, { decisionId, eventId: randomUUID });
    uow.audit({ action: 'identity.unmerge', targetType: 'case', targetId: caseId, details: { from_cluster: me!.cluster_id, cluster_id: target, separated_from: others.length, reason: input.reason } });
    return linksOf(uow, caseId);
  });
}
