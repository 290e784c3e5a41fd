/**
 * Kulldorff's space-time permutation scan statistic (Kulldorff et al. 2005, PLoS Med 2(3):e59) as
 * SaTScan v9.4 computes it — see docs/hotspots.md for the conventions and the fixtures that pin them.
 * Pure: no I/O besides the optional worker threads for the Monte Carlo replications.
 */
import { CylinderScanner, type CentreBests } from './cylinder-scan.ts';
import { availableWorkers, runReplications } from './monte-carlo.ts';
import { prepareScan, ScanInputError, type ScanSetup } from './scan-setup.ts';
import type { ScanCase, ScanCluster, ScanLocation, SpaceTimeScanOptions, SpaceTimeScanResult } from './scan-types.ts';

/** Below this estimated single-thread time, starting worker threads (~0.3 s each under tsx) does not pay. */
const WORKER_WORTHWHILE_MS = 1200;

export async function runSpaceTimeScan(locations: readonly ScanLocation[], cases: readonly ScanCase[],
  options: SpaceTimeScanOptions): Promise<SpaceTimeScanResult> {
  const replications = options.replications ?? 999;
  const seed = options.seed ?? 1;
  if (!Number.isInteger(replications) || replications < 0) throw new ScanInputError('replications must be a non-negative integer', 'replications');
  if (!Number.isInteger(seed)) throw new ScanInputError('seed must be an integer', 'seed');
  if (options.sequentialThreshold !== undefined && !(Number.isInteger(options.sequentialThreshold) && options.sequentialThreshold >= 1)) {
    throw new ScanInputError('sequential threshold must be a positive integer', 'sequentialThreshold');
  }
  const setup = prepareScan(locations, cases, options);
  const p = setup.prepared;

  const scanner = new CylinderScanner(p);
  const started = performance.now();
  const observedMax = scanner.scan(p.caseLocation, p.caseInterval, p.totalCases);
  const scanMs = performance.now() - started;
  const clusters = selectClusters(setup, scanner.bests, options.maxClusters ?? Infinity);

  let workers = 1;
  if (options.workers === 'auto' || options.workers === undefined) {
    workers = scanMs * replications > WORKER_WORTHWHILE_MS ? availableWorkers() : 1;
  } else workers = Math.max(1, Math.floor(options.workers));

  let maxima: Float64Array = new Float64Array(0);
  let run = 0;
  let stoppedEarly = false;
  if (replications > 0 && clusters.length > 0) {
    ({ maxima, run, stoppedEarly } = await runReplications(p, {
      replications, seed, observedMax, workers, ...(options.sequentialThreshold !== undefined && { sequentialThreshold: options.sequentialThreshold }),
    }));
    for (const cluster of clusters) {
      let atLeast = 0;
      for (const m of maxima) if (m >= cluster.llr) atLeast++;
      // Besag–Clifford: a run stopped after k replications reports (replicates ≥ observed) / k.
      cluster.pValue = stoppedEarly ? Math.min(1, atLeast / run) : (atLeast + 1) / (run + 1);
      if (p.prospective) cluster.recurrenceInterval = setup.aggregationLength / cluster.pValue;
    }
  }
  return {
    // SaTScan prints no secondary cluster that every replication beat (none in test 1 beyond #2, none in test 3).
    clusters: clusters.filter((c, i) => i === 0 || c.pValue === null || c.pValue < 1),
    totalCases: p.totalCases, intervalCount: p.intervalCount, maxTemporalIntervals: p.maxWindow,
    replicationsRequested: replications, replications: run, replicateMaxima: maxima, workersUsed: replications > 0 ? workers : 0,
  };
}

/**
 * The most likely cluster, then secondary clusters: each centre's best cylinder in decreasing order
 * of LLR, kept only if it shares no location with a cluster already kept (SaTScan's default
 * "no geographical overlap"). Equal LLRs keep input order of the centres.
 */
function selectClusters(setup: ScanSetup, bests: CentreBests, maxClusters: number): ScanCluster[] {
  const p = setup.prepared;
  const order = [...bests.llr.keys()].filter((c) => bests.size[c]! > 0).sort((a, b) => bests.llr[b]! - bests.llr[a]! || a - b);
  const used = new Uint8Array(p.locationCount);
  const clusters: ScanCluster[] = [];
  for (const centre of order) {
    if (clusters.length >= maxClusters) break;
    const from = p.zoneStart[centre]!;
    const members = Array.from(p.zoneMembers.subarray(from, from + bests.size[centre]!));
    if (members.some((j) => used[j])) continue;
    for (const j of members) used[j] = 1;
    clusters.push(describeCluster(setup, centre, members, p.zoneRadius[from + members.length - 1]!, bests.firstInterval[centre]!, bests.lastInterval[centre]!, bests.llr[centre]!));
  }
  return clusters;
}

/** `llr` is the scan loop's own value, so a replicate that rebuilds the same cylinder ties it exactly. */
function describeCluster(setup: ScanSetup, centre: number, members: number[], radius: number, first: number, last: number, llr: number): ScanCluster {
  const p = setup.prepared;
  const inZone = new Uint8Array(p.locationCount);
  let zoneCases = 0;
  for (const j of members) { inZone[j] = 1; zoneCases += p.locationTotals[j]!; }
  const caseIndices = new Set<number>();
  let observed = 0;
  for (let i = 0; i < p.totalCases; i++) {
    const t = p.caseInterval[i]!;
    if (inZone[p.caseLocation[i]!] && t >= first && t <= last) { observed++; caseIndices.add(setup.caseSource[i]!); }
  }
  const C = p.totalCases;
  const expected = (zoneCases * (p.casesBefore[last + 1]! - p.casesBefore[first]!)) / C;
  const intervalEnd = (t: number): number => setup.studyEnd - (p.intervalCount - 1 - t) * setup.aggregationLength;
  return {
    centre, locations: members, radius,
    startTime: Math.max(setup.studyStart, intervalEnd(first) - setup.aggregationLength + 1), endTime: intervalEnd(last),
    observed, expected, llr, relativeRisk: (observed / expected) / ((C - observed) / (C - expected)),
    pValue: null, recurrenceInterval: null, caseIndices: [...caseIndices].sort((a, b) => a - b),
  };
}
