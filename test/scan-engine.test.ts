/**
 * The scan engine against a brute-force reference on random small inputs, determinism across worker
 * counts, the false-alarm rate on data with no space-time interaction, a planted cluster, bad input,
 * and Gi* checked by hand.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CylinderScanner } from '../src/modules/analytics/scan/cylinder-scan.ts';
import { giStar, normalUpperTail } from '../src/modules/analytics/scan/gi-star.ts';
import { Xoshiro128 } from '../src/modules/analytics/scan/prng.ts';
import { prepareScan } from '../src/modules/analytics/scan/scan-setup.ts';
import { runSpaceTimeScan } from '../src/modules/analytics/scan/space-time-scan.ts';
import type { ScanCase, ScanLocation, SpaceTimeScanOptions } from '../src/modules/analytics/scan/scan-types.ts';

interface RandomData { locations: ScanLocation[]; cases: ScanCase[]; T: number }

/** Integer coordinates on a small grid, so equal distances (ties) are common. */
function randomData(rng: Xoshiro128, L: number, n: number, T: number, multiples = true): RandomData {
  const locations = Array.from({ length: L }, (_, i) => ({ id: `L${i}`, coordinates: [rng.nextBelow(6), rng.nextBelow(6)] as const }));
  const cases = Array.from({ length: n }, () => ({ location: rng.nextBelow(L), time: rng.nextBelow(T), count: multiples && rng.nextBelow(5) === 0 ? 2 : 1 }));
  return { locations, cases, T };
}

/** Deliberately naive: every circle and window, counts straight from the case list. */
function bruteForceMaxLlr(d: RandomData, o: { maxWindow: number; prospective: boolean; maxRadius: number; maxShare: number }): number {
  const C = d.cases.reduce((s, c) => s + (c.count ?? 1), 0);
  const atLocation = (j: number): number => d.cases.filter((c) => c.location === j).reduce((s, c) => s + (c.count ?? 1), 0);
  const inTime = (s: number, e: number): number => d.cases.filter((c) => c.time >= s && c.time <= e).reduce((t, c) => t + (c.count ?? 1), 0);
  let best = 0;
  d.locations.forEach((centre, ci) => {
    const dist = (j: number): number => Math.hypot(d.locations[j]!.coordinates[0] - centre.coordinates[0], d.locations[j]!.coordinates[1] - centre.coordinates[1]);
    const order = d.locations.map((_, j) => j).sort((a, b) => (a === ci ? -1 : b === ci ? 1 : dist(a) - dist(b)
      || d.locations[a]!.coordinates[0] - d.locations[b]!.coordinates[0] || d.locations[a]!.coordinates[1] - d.locations[b]!.coordinates[1] || a - b));
    const zone = new Set<number>();
    let zoneCases = 0;
    for (const j of order) {
      if (dist(j) > o.maxRadius || zoneCases + atLocation(j) > o.maxShare * C) break;
      zone.add(j);
      zoneCases += atLocation(j);
      for (let e = o.prospective ? d.T - 1 : 0; e < d.T; e++) {
        for (let s = e; s > e - o.maxWindow && s >= 0; s--) {
          const c = d.cases.filter((k) => zone.has(k.location) && k.time >= s && k.time <= e).reduce((t, k) => t + (k.count ?? 1), 0);
          const mu = (zoneCases * inTime(s, e)) / C;
          if (c < 2 || c <= mu) continue;
          const llr = c * Math.log(c / mu) + (C > c ? (C - c) * Math.log((C - c) / (C - mu)) : 0);
          best = Math.max(best, llr);
        }
      }
    }
  });
  return best;
}

describe('space-time permutation scan engine', () => {
  it('finds the same maximum LLR as a brute-force enumeration on 60 random small inputs', async () => {
    const rng = new Xoshiro128(2024, 1);
    for (let trial = 0; trial < 60; trial++) {
      const T = 5 + rng.nextBelow(25);
      const data = randomData(rng, 3 + rng.nextBelow(10), 10 + rng.nextBelow(60), T);
      const prospective = trial % 2 === 0;
      const maxWindow = 1 + rng.nextBelow(Math.floor(T / 2));
      const maxRadius = trial % 3 === 0 ? 1 + rng.nextBelow(4) : Infinity;
      const maxShare = [0.5, 0.3, 0.15][trial % 3]!;
      const options: SpaceTimeScanOptions = {
        distance: 'cartesian', studyStart: 0, studyEnd: T - 1, prospective, maxTemporalSize: { units: maxWindow },
        maxSpatialPercentOfCases: maxShare * 100, ...(Number.isFinite(maxRadius) && { maxRadius }), replications: 0,
      };
      const result = await runSpaceTimeScan(data.locations, data.cases, options);
      const expected = bruteForceMaxLlr(data, { maxWindow, prospective, maxRadius, maxShare });
      const got = result.clusters[0]?.llr ?? 0;
      assert.ok(Math.abs(got - expected) < 1e-9, `trial ${trial}: engine ${got} vs brute force ${expected}`);
      // The replication path prunes against the best of all centres and keeps only the maximum.
      const { prepared } = prepareScan(data.locations, data.cases, options);
      const maxOnly = new CylinderScanner(prepared).scanMax(prepared.caseLocation, prepared.caseInterval, prepared.totalCases);
      assert.ok(Math.abs(maxOnly - expected) < 1e-9, `trial ${trial}: replication path ${maxOnly} vs brute force ${expected}`);
      const top = result.clusters[0];
      if (top) {
        const inside = data.cases.filter((c) => top.locations.includes(c.location) && c.time >= top.startTime && c.time <= top.endTime);
        assert.equal(top.observed, inside.reduce((s, c) => s + (c.count ?? 1), 0), `trial ${trial}: observed`);
        assert.deepEqual(top.caseIndices, data.cases.flatMap((c, i) => (inside.includes(c) ? [i] : [])));
      }
    }
  });

  it('gives identical replications with 1 and 2 worker threads, with and without sequential stopping', async () => {
    const data = randomData(new Xoshiro128(9, 9), 20, 200, 60);
    const base: SpaceTimeScanOptions = { distance: 'cartesian', studyStart: 0, studyEnd: 59, replications: 90, seed: 77, maxTemporalSize: { units: 14 } };
    const one = await runSpaceTimeScan(data.locations, data.cases, { ...base, workers: 1 });
    const two = await runSpaceTimeScan(data.locations, data.cases, { ...base, workers: 2 });
    assert.equal(two.workersUsed, 2);
    assert.deepEqual([...two.replicateMaxima], [...one.replicateMaxima]);
    assert.deepEqual(two.clusters.map((c) => c.pValue), one.clusters.map((c) => c.pValue));
    const seqOne = await runSpaceTimeScan(data.locations, data.cases, { ...base, workers: 1, replications: 400, sequentialThreshold: 5 });
    const seqTwo = await runSpaceTimeScan(data.locations, data.cases, { ...base, workers: 2, replications: 400, sequentialThreshold: 5 });
    assert.equal(seqTwo.replications, seqOne.replications);
    assert.deepEqual([...seqTwo.replicateMaxima], [...seqOne.replicateMaxima]);
    const otherSeed = await runSpaceTimeScan(data.locations, data.cases, { ...base, workers: 1, seed: 78 });
    assert.notDeepEqual([...otherSeed.replicateMaxima], [...one.replicateMaxima]);
  });

  it('rejects at α = 0.05 in 3–7 % of 500 data sets with no space-time interaction', async (t) => {
    const rng = new Xoshiro128(31337, 0);
    let rejected = 0;
    const runs = 500;
    for (let k = 0; k < runs; k++) {
      // Single cases only: a row of two cases at one place and day is itself space-time interaction.
      const data = randomData(rng, 10, 60, 30, false);
      const r = await runSpaceTimeScan(data.locations, data.cases, {
        distance: 'cartesian', studyStart: 0, studyEnd: 29, prospective: k % 2 === 0, maxTemporalSize: { units: 7 }, replications: 99, seed: k, workers: 1,
      });
      if ((r.clusters[0]?.pValue ?? 1) <= 0.05) rejected++;
    }
    const rate = rejected / runs;
    t.diagnostic(`false-alarm rate ${rate} (${rejected}/${runs})`);
    assert.ok(rate >= 0.03 && rate <= 0.07, `false-alarm rate ${rate}`);
  });

  it('finds a planted cluster in place and time', async () => {
    const rng = new Xoshiro128(5, 5);
    const locations = Array.from({ length: 100 }, (_, i) => ({ id: `v${i}`, coordinates: [i % 10, Math.floor(i / 10)] as const }));
    const cases: ScanCase[] = Array.from({ length: 600 }, () => ({ location: rng.nextBelow(100), time: rng.nextBelow(90) }));
    const planted = [44, 45, 54, 55];
    for (let k = 0; k < 16; k++) cases.push({ location: planted[k % 4]!, time: 83 + rng.nextBelow(7) });
    const r = await runSpaceTimeScan(locations, cases, {
      distance: 'cartesian', studyStart: 0, studyEnd: 89, prospective: true, maxTemporalSize: { units: 14 }, maxRadius: 2, replications: 199, seed: 3, workers: 1,
    });
    const top = r.clusters[0]!;
    assert.ok(top.pValue! <= 0.01, `p ${top.pValue}`);
    assert.ok(planted.every((j) => top.locations.includes(j)) && top.locations.length <= 8, `locations ${top.locations}`);
    assert.ok(top.startTime >= 80 && top.endTime === 89, `window ${top.startTime}-${top.endTime}`);
  });

  it('refuses bad input before scanning, naming the option', async () => {
    const locations = [{ id: 'a', coordinates: [0, 0] as const }, { id: 'b', coordinates: [1, 1] as const }];
    const cases = [{ location: 0, time: 0 }, { location: 1, time: 3 }];
    const base: SpaceTimeScanOptions = { distance: 'cartesian', studyStart: 0, studyEnd: 9, replications: 0 };
    await assert.rejects(runSpaceTimeScan(locations.slice(0, 1), cases.slice(0, 1), base), /at least two locations/);
    await assert.rejects(runSpaceTimeScan(locations, cases, { ...base, maxTemporalSize: { units: 11 } }), (e: Error & { option?: string }) => e.option === 'maxTemporalSize');
    await assert.rejects(runSpaceTimeScan(locations, [{ location: 0, time: 12 }, ...cases], base), /case 0: time 12 is outside/);
    await assert.rejects(runSpaceTimeScan([{ id: 'x', coordinates: [95, 0] }, ...locations], cases, { ...base, distance: 'great-circle' }), /latitude/);
  });
});

describe('Getis-Ord Gi*', () => {
  it('matches a hand computation on five areas in a row', () => {
    // x = 1,2,3,4,10: mean 4, s = sqrt(130/5 − 16) = sqrt(10). Area 4 with neighbour 3: Σwx = 14, Σw = Σw² = 2,
    // z = (14 − 8) / (sqrt(10)·sqrt((5·2 − 4)/4)) = 6/sqrt(15). Area 2 with 1 and 3: z = (9 − 12)/sqrt(15).
    const areas = giStar([1, 2, 3, 4, 10], [[1], [0, 2], [1, 3], [2, 4], [3]]);
    assert.ok(Math.abs(areas[4]!.z - 6 / Math.sqrt(15)) < 1e-12);
    assert.ok(Math.abs(areas[2]!.z + 3 / Math.sqrt(15)) < 1e-12);
    assert.ok(Math.abs(areas[0]!.z + 5 / Math.sqrt(15)) < 1e-12); // (3 − 8)/sqrt(15)
    assert.equal(areas[4]!.pValue.toFixed(4), '0.1213'); // 2·(1 − Φ(1.5492))
    assert.equal(areas[4]!.classification, 'not-significant');
  });

  it('flags a strong hot spot after FDR control, and the normal tail is right', () => {
    assert.ok(Math.abs(2 * normalUpperTail(1.959963985) - 0.05) < 1e-9);
    const values = Array.from({ length: 30 }, (_, i) => (i >= 12 && i <= 14 ? 40 : 2 + (i % 3)));
    const line = values.map((_, i) => [i - 1, i + 1].filter((j) => j >= 0 && j < 30));
    const areas = giStar(values, line);
    assert.equal(areas[13]!.classification, 'hot');
    assert.ok(areas[13]!.qValue < 0.05 && areas[13]!.qValue >= areas[13]!.pValue);
    assert.equal(areas[0]!.classification, 'not-significant');
  });
});
