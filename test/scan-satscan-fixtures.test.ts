/**
 * The space-time permutation scan against SaTScan v9.4.4's printed results for the two fixtures in
 * shared/datasets/satscan-stp-fixtures (prospective, generic time 0–1000, 999 replications with
 * sequential stopping at 50). Observed figures must match to the printed precision; p-values are
 * Monte Carlo estimates on both sides, so they are compared within a stated tolerance.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { CylinderScanner } from '../src/modules/analytics/scan/cylinder-scan.ts';
import { prepareScan } from '../src/modules/analytics/scan/scan-setup.ts';
import { runSpaceTimeScan } from '../src/modules/analytics/scan/space-time-scan.ts';
import type { ScanCase, ScanLocation, SpaceTimeScanOptions, SpaceTimeScanResult } from '../src/modules/analytics/scan/scan-types.ts';
import { dataset } from './support/datasets.ts';

const FIXTURES = dataset('satscan-stp-fixtures');
/** SaTScan's sequential Monte Carlo threshold in both runs (the .prm's EarlyTerminationThreshold). */
const SATSCAN_SEQUENTIAL_H = 50;

interface PrintedCluster {
  locationIds: string[];
  centre: [number, number];
  radius: string;
  timeFrame: [number, number];
  cases: number;
  expected: string;
  llr: string;
  pValue: number;
  recurrence: string;
}

/** Reads the clusters and the settings that matter out of SaTScan's main results file. */
function parseResults(text: string): { clusters: PrintedCluster[]; studyPeriod: [number, number]; maxRadius?: number; replications: number } {
  const field = (block: string, label: string): string => {
    const m = new RegExp(`${label}\\.*:\\s*(.+)`).exec(block);
    if (!m) throw new Error(`no "${label}" in results block`);
    return m[1]!.trim();
  };
  const blocks = text.split(/\n(?=\d+\.Location IDs included)/).slice(1).map((b) => b.split('\nNOTE')[0]!.split('\n____')[0]!);
  const clusters = blocks.map((b) => {
    const coords = /\(([\d.-]+),([\d.-]+)\) \/ ([\d.]+)/.exec(field(b, 'Coordinates / radius'))!;
    const frame = field(b, 'Time frame').split(' to ').map(Number);
    return {
      locationIds: b.match(/Location IDs included\.:\s*(.+)/)![1]!.split(',').map((s) => s.trim()),
      centre: [Number(coords[1]), Number(coords[2])] as [number, number], radius: coords[3]!,
      timeFrame: [frame[0]!, frame[1]!] as [number, number], cases: Number(field(b, 'Number of cases')),
      expected: field(b, 'Expected cases'), llr: field(b, 'Test statistic'), pValue: Number(field(b, 'P-value')),
      recurrence: field(b, 'Recurrence interval'),
    };
  });
  const period = /Study period\.*:\s*(\d+) to (\d+)/.exec(text)!;
  const radius = /Maximum Spatial Cluster Size : ([\d.]+) Cartesian units/.exec(text);
  return {
    clusters, studyPeriod: [Number(period[1]), Number(period[2])],
    ...(radius && { maxRadius: Number(radius[1]) }), replications: Number(/Number of Replications\s*:\s*(\d+)/.exec(text)![1]),
  };
}

function loadFixture(name: string): { locations: ScanLocation[]; cases: ScanCase[]; printed: ReturnType<typeof parseResults> } {
  const rows = (file: string): string[][] => fs.readFileSync(path.join(FIXTURES, file), 'utf8').trim().split(/\r?\n/).map((l) => l.trim().split(/\s+/));
  const locations = rows(`${name}.geo`).map(([id, x, y]) => ({ id: id!, coordinates: [Number(x), Number(y)] as const }));
  const index = new Map(locations.map((l, i) => [l.id, i]));
  const cases = rows(`${name}.cas`).map(([id, count, time]) => ({ location: index.get(id!)!, count: Number(count), time: Number(time) }));
  return { locations, cases, printed: parseResults(fs.readFileSync(path.join(FIXTURES, `${name}.txt`), 'utf8')) };
}

function optionsFor(printed: ReturnType<typeof parseResults>, extra: Partial<SpaceTimeScanOptions>): SpaceTimeScanOptions {
  return {
    distance: 'cartesian', studyStart: printed.studyPeriod[0], studyEnd: printed.studyPeriod[1], prospective: true,
    maxSpatialPercentOfCases: 50, maxTemporalSize: { percentOfStudyPeriod: 50 },
    ...(printed.maxRadius !== undefined && { maxRadius: printed.maxRadius }), ...extra,
  };
}

/**
 * SaTScan's p-values are Besag–Clifford sequential estimates: it stopped once h = 50 replicates
 * reached the observed statistic, so its p = h/K with K random (negative binomial). Under the
 * hypothesis that both programs estimate the same p, the variance of h/K is p²(1 − p)/h (delta
 * method) and that of ours (R fixed replications) p(1 − p)/R, both evaluated at the common p, which
 * our larger run estimates. The tolerance is 2.58 combined standard errors (a 99 % band).
 * Evaluating SaTScan's error at its own printed p with K fixed (binomial on 248) understates it: at
 * p = 0.28 the stopping rule would typically end near K = 179, not 248. Checked empirically: over
 * 60 random streams the sequential p of test 1's cluster 1 has sd 0.034 (mean 0.29), whether the
 * streams are independent permutations or SaTScan 9.4's Lehmer generator seeded base + i.
 */
function pTolerance(ourP: number, sequentialH: number, ours: number): number {
  const q = Math.min(Math.max(ourP, 0.01), 0.99);
  return 2.58 * Math.sqrt((q * q * (1 - q)) / sequentialH + (q * (1 - q)) / ours);
}

for (const name of ['satscan_test1', 'satscan_test3'] as const) {
  describe(`SaTScan fixture ${name}`, () => {
    const { locations, cases, printed } = loadFixture(name);
    let result: SpaceTimeScanResult;
    let precise: SpaceTimeScanResult;

    it('reports the same clusters: locations, centre, radius, time frame, cases, expected and LLR to printed precision', async () => {
      result = await runSpaceTimeScan(locations, cases, optionsFor(printed, { replications: printed.replications, seed: 20170525, workers: 1 }));
      assert.equal(result.totalCases, 100);
      assert.equal(result.clusters.length, printed.clusters.length, 'number of clusters reported');
      printed.clusters.forEach((want, i) => {
        const got = result.clusters[i]!;
        assert.deepEqual(got.locations.map((j) => locations[j]!.id), want.locationIds, `cluster ${i + 1} locations`);
        assert.deepEqual(locations[got.centre]!.coordinates, want.centre, `cluster ${i + 1} centre`);
        assert.equal(got.radius === 0 ? '0' : got.radius.toFixed(2), want.radius, `cluster ${i + 1} radius`);
        assert.deepEqual([got.startTime, got.endTime], want.timeFrame, `cluster ${i + 1} time frame`);
        assert.equal(got.observed, want.cases, `cluster ${i + 1} cases`);
        assert.equal(got.expected.toFixed(2), want.expected, `cluster ${i + 1} expected`);
        assert.equal(got.llr.toFixed(6), want.llr, `cluster ${i + 1} LLR`);
        assert.equal((got.observed / got.expected).toFixed(2), (want.cases / Number(want.expected)).toFixed(2));
      });
    });

    it('a longer run (4,999 replications) finds the same clusters, to estimate the p-values closely', async () => {
      precise = await runSpaceTimeScan(locations, cases, optionsFor(printed, { replications: 4999, seed: 20170525, workers: 'auto' }));
      assert.deepEqual(precise.clusters.map((c) => c.llr), result.clusters.map((c) => c.llr));
    });

    printed.clusters.forEach((want, i) => {
      // Test 1's most likely cluster: ours is 0.29–0.30 with independent permutations (4,999
      // replications; mean 0.29, sd 0.034 over 60 sequential runs), SaTScan printed 50/248 = 0.202,
      // 2.7 combined standard errors away. The gap is SaTScan's random stream, not the statistic:
      // fed SaTScan's own permutations (test below) our engine gives 0.217–0.249.
      const knownGap = name === 'satscan_test1' && i === 0;
      it(`cluster ${i + 1}: p-value within Monte Carlo error of SaTScan's ${want.pValue} and recurrence interval consistent`,
        { ...(knownGap && { todo: "SaTScan's seed-12345678 stream sits in the low tail; see the SaTScan-stream test" }) }, () => {
        const got = precise.clusters[i]!;
        const tolerance = pTolerance(got.pValue!, SATSCAN_SEQUENTIAL_H, precise.replications);
        assert.ok(Math.abs(got.pValue! - want.pValue) <= tolerance, `p ${got.pValue} vs ${want.pValue} ± ${tolerance.toFixed(3)}`);
        // One analysis per time unit: RI = 1 / p units, as SaTScan prints it.
        assert.equal(got.recurrenceInterval, 1 / got.pValue!);
        assert.match(want.recurrence, new RegExp(`^${(1 / want.pValue).toFixed(1)} units?$`));
      });
    });

    it('with sequential stopping at 50, as SaTScan ran, p = 50 / replications run', async () => {
      const seq = await runSpaceTimeScan(locations, cases, optionsFor(printed, { replications: 999, seed: 7, sequentialThreshold: 50, workers: 1 }));
      assert.ok(seq.replications < 999, 'stopped early');
      const top = seq.clusters[0]!;
      assert.equal(top.pValue, 50 / seq.replications);
      assert.equal([...seq.replicateMaxima].filter((m) => m >= top.llr).length, 50);
      assert.equal(seq.replicateMaxima.at(-1)! >= top.llr, true, 'the run stops on the 50th exceedance');
    });
  });
}

/**
 * SaTScan 9.4's permutation (calculation/randomization/SpaceTimeRandomizer.cpp, Randomizer.cpp,
 * utility/RandomNumberGenerator.cpp in github.com/scanstatistics/satscan): cases listed by interval
 * (latest first) then location index; replication i reseeds a Lehmer generator (a = 48271,
 * m = 2^31 − 1) with 12345678 + i, gives each case's date a float key and sorts the dates by key.
 * Consecutive seeds make the first keys of all replications nearly equal (0.5054–0.5109 over 248),
 * so SaTScan's replications are strongly dependent and its p depends on that one stream. SaTScan's
 * internal location order is not printed: the three plausible ones are tried.
 */
describe("SaTScan fixture satscan_test1 with SaTScan's own random stream", () => {
  const { locations, cases, printed } = loadFixture('satscan_test1');
  const orders: Record<string, (a: ScanLocation, b: ScanLocation) => number> = {
    'file order': () => 0,
    'identifier order': (a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
    'coordinate order': (a, b) => a.coordinates[0] - b.coordinates[0] || a.coordinates[1] - b.coordinates[1],
  };
  for (const [label, compare] of Object.entries(orders)) {
    it(`${label}: sequential p-values of both clusters within Monte Carlo error of SaTScan's 0.202 and 0.581`, () => {
      const ordered = [...locations].sort(compare);
      const index = new Map(ordered.map((l, j) => [l.id, j]));
      const remapped = cases.map((c) => ({ ...c, location: index.get(locations[c.location]!.id)! }));
      const { prepared: p } = prepareScan(ordered, remapped, optionsFor(printed, {}));
      const scanner = new CylinderScanner(p);
      const observed = scanner.scan(p.caseLocation, p.caseInterval, p.totalCases);
      const second = 2.715606; // SaTScan's cluster 2 LLR, reproduced by the first test
      const listed: { location: number; interval: number }[] = [];
      for (let i = 0; i < p.totalCases; i++) listed.push({ location: p.caseLocation[i]!, interval: p.caseInterval[i]! });
      listed.sort((a, b) => b.interval - a.interval || a.location - b.location);
      const loc = Int32Array.from(listed, (c) => c.location);
      const dates = new Int32Array(listed.length);
      const keys = new Float32Array(listed.length);
      const M = 2147483647, A = 48271, Q = Math.floor(M / A), R = M % A;
      let exceeded = 0, exceededSecond = 0, k = 0;
      while (exceeded < SATSCAN_SEQUENTIAL_H && k < 999) {
        k++;
        let seed = 12345678 + k;
        for (let c = 0; c < keys.length; c++) {
          const t = A * (seed % Q) - R * Math.floor(seed / Q);
          seed = t > 0 ? t : t + M;
          keys[c] = Math.fround(seed) / Math.fround(M);
        }
        const byKey = Array.from(keys.keys()).sort((a, b) => keys[a]! - keys[b]!);
        byKey.forEach((from, to) => { dates[to] = listed[from]!.interval; });
        const max = scanner.scanMax(loc, dates, dates.length);
        if (max >= observed) exceeded++;
        if (max >= second) exceededSecond++;
      }
      const p1 = exceeded / k;
      const p2 = exceededSecond / k;
      assert.ok(Math.abs(p1 - 0.202) <= pTolerance(p1, SATSCAN_SEQUENTIAL_H, Infinity), `cluster 1: p ${p1.toFixed(3)} (50/${k}) vs 0.202`);
      assert.ok(Math.abs(p2 - 0.581) <= pTolerance(p2, SATSCAN_SEQUENTIAL_H, Infinity), `cluster 2: p ${p2.toFixed(3)} vs 0.581`);
    });
  }
});

describe('SaTScan conventions the fixtures pin down', () => {
  const { locations, cases, printed } = loadFixture('satscan_test3');
  it('without the 2-case minimum, test 3 would report a one-case cluster at location 7 (LLR 1.733601)', async () => {
    const r = await runSpaceTimeScan(locations, cases, optionsFor(printed, { replications: 0, minCases: 1 }));
    assert.deepEqual(r.clusters[0]!.locations.map((j) => locations[j]!.id), ['7']);
    assert.equal(r.clusters[0]!.llr.toFixed(6), '1.733601');
  });
});
