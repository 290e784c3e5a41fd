import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { before, describe, it } from 'node:test';
import { generateCandidates } from '../src/modules/identity/engine/blocking.ts';
import { clusterPairs } from '../src/modules/identity/engine/cluster.ts';
import { linkRecords, modelFits, type LinkageResult } from '../src/modules/identity/engine/engine.ts';
import { initialM, runEm, seededRandom, unconditional } from '../src/modules/identity/engine/fellegi-sunter.ts';
import { householdMemberU } from '../src/modules/identity/engine/household.ts';
import { LinkageInputError } from '../src/modules/identity/engine/prepared.ts';
import { loadSplink } from '../src/modules/identity/engine/reference-datasets.ts';
import { FAKE_1000_SETTINGS } from '../src/modules/identity/engine/reference-settings.ts';
import { probabilityOf } from '../src/modules/identity/engine/scoring.ts';
import type { LinkageSettings } from '../src/modules/identity/engine/settings.ts';
import { dataset } from './support/datasets.ts';

const FAKE_1000 = dataset('splink', 'fake_1000.csv');
const settings: LinkageSettings = { ...FAKE_1000_SETTINGS, training: { randomPairs: 50_000 } };

/** Comparison vectors drawn from known m, u and λ, with missing values (level 0) mixed in. */
function synthetic(pairs: number, lambda: number, m: number[][], u: number[][], seed: number): Uint8Array {
  const rand = seededRandom(seed);
  const C = m.length;
  const out = new Uint8Array(pairs * C);
  const draw = (dist: number[]): number => {
    let r = rand();
    for (let l = 1; l < dist.length; l++) { r -= dist[l]!; if (r < 0) return l; }
    return dist.length - 1;
  };
  for (let p = 0; p < pairs; p++) {
    const match = rand() < lambda;
    for (let c = 0; c < C; c++) out[p * C + c] = rand() < 0.1 ? 0 : draw((match ? m : u)[c]!);
  }
  return out;
}

describe('Fellegi–Sunter estimation', () => {
  const m = [[0, 0.85, 0.1, 0.05], [0, 0.7, 0.2, 0.1], [0, 0.9, 0.06, 0.04], [0, 0.6, 0.3, 0.1]];
  const u = [[0, 0.02, 0.08, 0.9], [0, 0.05, 0.15, 0.8], [0, 0.01, 0.04, 0.95], [0, 0.1, 0.2, 0.7]];
  const levelCounts = m.map((row) => row.length);
  const levels = synthetic(40_000, 0.15, m, u, 11);
  const close = (actual: number[][], expected: number[][], tolerance: number, what: string): void => {
    expected.forEach((row, c) => row.forEach((v, l) => {
      if (l > 0) assert.ok(Math.abs(actual[c]![l]! - v) < tolerance, `${what}[${c}][${l}] = ${actual[c]![l]!.toFixed(3)}, expected ${v}`);
    }));
  };

  it('recovers m and λ by EM when u is known (the engine’s setting: u from random pairs)', () => {
    const result = runEm({ levels, levelCounts, u: unconditional(u), m: initialM(levelCounts), lambda: 0.5, maxIterations: 200, convergence: 1e-6 });
    assert.ok(result.converged, `did not converge in ${result.iterations} iterations`);
    assert.ok(Math.abs(result.lambda - 0.15) < 0.01, `λ = ${result.lambda}`);
    close(result.m, m, 0.02, 'm');
  });

  it('recovers m, u and λ together from a rough start (classic EM)', () => {
    const roughU = levelCounts.map((L) => Array.from({ length: L }, (_, l) => (l === 0 ? 0 : l === L - 1 ? 0.8 : 0.2 / (L - 2))));
    const result = runEm({ levels, levelCounts, u: unconditional(roughU), m: initialM(levelCounts), lambda: 0.3, estimateU: true, maxIterations: 500, convergence: 1e-7 });
    assert.ok(result.converged);
    assert.ok(Math.abs(result.lambda - 0.15) < 0.01, `λ = ${result.lambda}`);
    close(result.m, m, 0.03, 'm');
    close(result.u.map((rows) => rows[0]!), u, 0.02, 'u');
  });

  it('leaves out of the likelihood the comparisons a blocking rule fixed, and keeps their m', () => {
    const start = initialM(levelCounts);
    const result = runEm({ levels, levelCounts, u: unconditional(u), m: start, lambda: 0.5, active: [true, true, true, false], maxIterations: 200 });
    assert.deepEqual(result.m[3], start[3]);
    close(result.m.slice(0, 3), m.slice(0, 3), 0.03, 'm');
  });
});

describe('household members give u where the household agrees', () => {
  it('learns from candidate pairs that share the household but not the given name that twins share a birth day', () => {
    // Comparisons: given name (the marker), family, father, date of birth; levels 1 = agree, 2 = different.
    const household = { condition: [[], [], [1], [1, 2]], agreeMax: [1, 1, 1, 1] };
    const levelCounts = [3, 3, 3, 3];
    const u = [0, 1, 2, 3].map(() => [0, 1, 2].map(() => [0, 0.001, 0.999]));
    const rows: number[][] = [];
    for (let k = 0; k < 200; k++) rows.push([2, 1, 1, k < 50 ? 1 : 2]); // siblings; a quarter are twins
    for (let k = 0; k < 300; k++) rows.push([1, 1, 1, 1]); // the same child twice: not household members
    const out = householdMemberU(u, Uint8Array.from(rows.flat()), levelCounts, household, 0);
    assert.ok(Math.abs(out[3]![2]![1]! - (50 + 50 * 0.001) / 250) < 1e-9, `u(same day | household) = ${out[3]![2]![1]}`);
    assert.deepEqual(out[3]![0], u[3]![0]);
    assert.deepEqual(out[3]![1], u[3]![1]);
    // Too few household members: the random-pair u stays.
    assert.deepEqual(householdMemberU(u, Uint8Array.from(rows.slice(150).flat()), levelCounts, household, 0)[3], u[3]);
  });
});

describe('clustering does not chain', () => {
  const pairs = (list: [number, number, number][]) => ({
    left: Uint32Array.from(list.map((p) => p[0])), right: Uint32Array.from(list.map((p) => p[1])), probability: Float64Array.from(list.map((p) => p[2])),
  });

  it('keeps A and C apart when A~B and B~C but A≁C, and sends the refused link to review', () => {
    const result = clusterPairs(3, pairs([[0, 1, 0.99], [1, 2, 0.98], [0, 2, 0.001]]), { autoLink: 0.95, review: 0.5, floor: 0.05 });
    assert.equal(result.clusterOf[0], result.clusterOf[1]);
    assert.notEqual(result.clusterOf[1], result.clusterOf[2]);
    assert.deepEqual(result.review.map((r) => [r.left, r.right, r.reason]), [[1, 2, 'refused: would chain']]);
  });

  it('scores on demand a pair that was never a candidate before merging through it', () => {
    const asked: string[] = [];
    const result = clusterPairs(3, pairs([[0, 1, 0.99], [1, 2, 0.98]]), {
      autoLink: 0.95, review: 0.5, floor: 0.05, probabilityOf: (i, j) => { asked.push(`${i}-${j}`); return 0.01; },
    });
    assert.deepEqual(asked, ['0-2']);
    assert.notEqual(result.clusterOf[0], result.clusterOf[2]);
  });

  it('merges a clique and leaves the review band unmerged', () => {
    const result = clusterPairs(5, pairs([[0, 1, 0.99], [1, 2, 0.97], [0, 2, 0.96], [3, 4, 0.7]]), { autoLink: 0.95, review: 0.5, floor: 0.05 });
    assert.equal(result.clusterOf[0], result.clusterOf[2]);
    assert.notEqual(result.clusterOf[3], result.clusterOf[4]);
    assert.equal(result.clusterCount, 3);
    assert.deepEqual(result.review.map((r) => r.reason), ['review band']);
  });
});

describe('a linkage run (Splink fake_1000)', () => {
  const data = loadSplink(FAKE_1000);
  let run: LinkageResult;
  before(async () => { run = await linkRecords(data.rows, settings, { threads: 0 }); });

  it('explains every scored pair: the prior and the field weights sum to the score', () => {
    for (let p = 0; p < run.weights.length; p += 7) {
      const e = run.explain(p);
      const sum = e.priorWeight + e.fields.reduce((s, f) => s + f.weight, 0);
      assert.ok(Math.abs(sum - run.weights[p]!) < 1e-9, `pair ${p}: ${sum} vs ${run.weights[p]}`);
      assert.ok(Math.abs(e.probability - run.probabilities[p]!) < 1e-12);
      assert.equal(e.fields.length, settings.comparisons.length);
      for (const f of e.fields) if (f.level === 0) assert.equal(f.weight, 0, `${f.comparison}: missing must weigh nothing`);
    }
  });

  it('weighs a common first name less than a rare one (term frequency)', () => {
    const first = run.model.comparisons.findIndex((c) => c.name === 'first name');
    const adjustments = [];
    for (let p = 0; p < run.weights.length; p++) {
      if (run.levels[p * settings.comparisons.length + first] !== 1) continue;
      adjustments.push(run.explain(p).fields[first]!.termFrequencyAdjustment);
    }
    assert.ok(Math.min(...adjustments) < -0.5 && Math.max(...adjustments) > 0.5, `TF adjustments range ${Math.min(...adjustments)}..${Math.max(...adjustments)}`);
  });

  it('reuses a stored model only when it fits the settings: an older engine\'s levels are refused', () => {
    assert.equal(modelFits(run.model, settings), true);
    assert.equal(modelFits(JSON.parse(JSON.stringify(run.model)), settings), true, 'as stored in identity_runs (JSON)');
    const oneLevelLess = { ...run.model, comparisons: run.model.comparisons.map((c, i) => (i === 0 ? { ...c, levels: c.levels.slice(0, -1) } : c)) };
    assert.equal(modelFits(oneLevelLess, settings), false);
    const flatU = { ...run.model, comparisons: run.model.comparisons.map((c) => ({ ...c, u: c.u[0] })) };
    assert.equal(modelFits(flatU, settings), false, 'u without household conditions (the earlier engine)');
    assert.equal(modelFits({}, settings), false);
    assert.equal(modelFits(null, settings), false);
  });

  it('scores any two records, candidates or not, the same way', () => {
    const p = 10;
    assert.ok(Math.abs(run.explainRecords(run.candidates.left[p]!, run.candidates.right[p]!).weight - run.weights[p]!) < 1e-9);
    assert.equal(probabilityOf(0), 0.5);
  });

  it('gives the same scores on worker threads as on this thread', async () => {
    const threaded = await linkRecords(data.rows, settings, { threads: 2 });
    assert.equal(threaded.threads, 2);
    assert.deepEqual(threaded.levels, run.levels);
    assert.deepEqual(threaded.probabilities, run.probabilities);
  });

  it('lets reviewer decisions override the model: rejected pairs stay apart, accepted ones together', async () => {
    const strong = [...run.probabilities.keys()].find((p) => run.probabilities[p]! > 0.999)!;
    const weak = [...run.probabilities.keys()].find((p) => run.probabilities[p]! < 0.01)!;
    const id = (i: number) => run.prepared.ids[i]!;
    const [a, b] = [run.candidates.left[strong]!, run.candidates.right[strong]!];
    const [c, d] = [run.candidates.left[weak]!, run.candidates.right[weak]!];
    assert.equal(run.clustering.clusterOf[a], run.clustering.clusterOf[b]);
    assert.notEqual(run.clustering.clusterOf[c], run.clustering.clusterOf[d]);
    const decided = await linkRecords(data.rows, settings, {
      threads: 0, model: run.model,
      decisions: [{ leftId: id(a), rightId: id(b), match: false }, { leftId: id(c), rightId: id(d), match: true }],
    });
    assert.notEqual(decided.clustering.clusterOf[a], decided.clustering.clusterOf[b]);
    assert.equal(decided.clustering.clusterOf[c], decided.clustering.clusterOf[d]);
  });
});

describe('reviewer labels feed back into training', () => {
  it('blends the level distribution of accepted pairs into m', async () => {
    const data = loadSplink(FAKE_1000);
    const labels = readFileSync(dataset('splink', 'fake_1000_labels.csv'), 'utf8').trim().split('\n').slice(1)
      .map((line) => line.split(',')).filter((f) => f[4] === '1.0' || f[4] === '1').slice(0, 400)
      .map((f) => ({ leftId: f[0]!, rightId: f[2]!, match: true }));
    assert.equal(labels.length, 400);
    const plain = await linkRecords(data.rows, settings, { threads: 0 });
    const labelled = await linkRecords(data.rows, settings, { threads: 0, decisions: labels });
    const city = plain.model.comparisons.findIndex((c) => c.name === 'city');
    const index = new Map(plain.prepared.ids.map((id, i) => [id, i]));
    const counts = [0, 0, 0, 0];
    for (const l of labels) {
      const e = plain.explainRecords(index.get(l.leftId)!, index.get(l.rightId)!);
      counts[e.fields[city]!.level]!++;
    }
    const observedExact = counts[1]! / (counts[1]! + counts[2]! + counts[3]!);
    const gap = (m: number[]) => Math.abs(m[1]! - observedExact);
    assert.ok(gap(labelled.model.comparisons[city]!.m) < gap(plain.model.comparisons[city]!.m) / 2,
      `m(exact city): EM ${plain.model.comparisons[city]!.m[1]}, labelled ${labelled.model.comparisons[city]!.m[1]}, observed ${observedExact}`);
  });
});

describe('input and blocking', () => {
  it('refuses a missing column and duplicate ids before any work, naming them', async () => {
    await assert.rejects(linkRecords([{ unique_id: '1', first_name: 'a' }], settings), (e: unknown) => e instanceof LinkageInputError && e.field === 'surname');
    const rows = loadSplink(FAKE_1000).rows.slice(0, 5);
    await assert.rejects(linkRecords([...rows, rows[0]!], settings), /duplicate record id "0"/);
  });

  it('refuses settings with an unknown key, transform or rule name, naming it', async () => {
    await assert.rejects(linkRecords([], { ...settings, treshold: 0.9 } as LinkageSettings), /unknown key "treshold"/);
    await assert.rejects(linkRecords([], { ...settings, blocking: [{ name: 'x', parts: ['dob:decade'] }] }), /unknown transform "decade"/);
    await assert.rejects(linkRecords([], { ...settings, training: { emRules: ['nope'] } }), /training rule "nope"/);
  });

  it('unions the rules, records which rules found each pair, and catches swapped names with an unordered rule', () => {
    const rows = [
      { id: 'a', given: 'Mohamed', family: 'Haroun', dob: '2012-01-05' },
      { id: 'b', given: 'Haroun', family: 'Mahamat', dob: '2012-01-05' },
      { id: 'c', given: 'Awa', family: 'Diallo', dob: '2012-01-05' },
    ];
    const result = generateCandidates(rows, [
      { name: 'names', parts: ['given:code', 'family:code'], unordered: true },
      { name: 'dob', parts: ['dob'] },
    ], null);
    const pairs = [...result.left].map((l, p) => `${l}-${result.right[p]}:${result.ruleMask[p]}`).sort();
    assert.deepEqual(pairs, ['0-1:3', '0-2:2', '1-2:2']);
  });

  it('compares only across files when linking', () => {
    const rows = [{ id: '1', s: 'A', n: 'Awa' }, { id: '2', s: 'A', n: 'Awa' }, { id: '3', s: 'B', n: 'Awa' }];
    const result = generateCandidates(rows, [{ name: 'n', parts: ['n'] }], Int32Array.from([0, 0, 1]));
    assert.deepEqual([...result.left].map((l, p) => `${l}-${result.right[p]}`), ['0-2', '1-2']);
  });
});
