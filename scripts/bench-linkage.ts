/**
 * Record-linkage benchmark (issue #5, record-linkage.md §8): for each labelled set, blocking pair recall,
 * pairwise precision/recall/F1 at the settings' auto-link threshold, cluster F1 and B-cubed F1, and speed on
 * one thread and on worker threads (one per core). Labels are used only to score, never to train.
 *
 *   npm run bench:match                       every data set but the million (bench:linkage is the same script)
 *   npm run bench:match -- febrl4 hist        some of them (febrl1..4, febrl1-id..febrl4-id, fake, hist, children, children-1m)
 *   npm run bench:match -- children-1m        the generated domain set of 1,000,000 records (minutes; GBs)
 *   npm run bench:match -- all                every data set, the million included
 */
import { availableParallelism, cpus } from 'node:os';
import { linkRecords, type LinkageResult } from '../src/modules/identity/engine/engine.ts';
import { bcubed, bestThreshold, clusterPairMetrics, pairMetricsAt, truePairCount, truePairsAmong, type Truth } from '../src/modules/identity/engine/evaluation.ts';
import { LevelPool } from '../src/modules/identity/engine/parallel.ts';
import { buildComparators, computeLevels } from '../src/modules/identity/engine/prepared.ts';
import { loadFebrl, loadSplink } from '../src/modules/identity/engine/reference-datasets.ts';
import { CHILD_IDENTITY_SETTINGS, FAKE_1000_SETTINGS, febrlSettings, HISTORICAL_50K_SETTINGS } from '../src/modules/identity/engine/reference-settings.ts';
import { scorePairs } from '../src/modules/identity/engine/scoring.ts';
import { DEFAULT_THRESHOLDS, type LinkageSettings, type Row } from '../src/modules/identity/engine/settings.ts';
import { syntheticChildren } from '../src/modules/identity/engine/synthetic-children.ts';
import { DATASETS as SHARED_DATASETS } from '../test/support/datasets.ts';

const DATASETS = `${SHARED_DATASETS}/`;

/** `target`: the issue's pairwise F1 target for the set, printed against the result. `once`: one run only (too big to run twice). */
interface Bench {
  name: string; load: () => { rows: Row[]; truth: Truth }; settings: LinkageSettings; target?: number; once?: boolean;
  /** The issue's end-to-end wall-time target (ms) and peak-RSS target (MB), printed against the result. */
  wallTarget?: number; rssTarget?: number;
}

const generated = (children: number) => () => {
  const rows = syntheticChildren({ children, seed: 99 });
  return { rows, truth: { entityOf: rows.map((r) => r.child_id!), sources: null } };
};

const febrl = (files: string[], withId: boolean): (() => { rows: Row[]; truth: Truth }) => () =>
  loadFebrl(files.map((f) => `${DATASETS}febrl/${f}`), withId ? {} : { dropColumns: ['soc_sec_id'] });

const BENCHES: Record<string, Bench> = {
  febrl1: { name: 'FEBRL1 (no id)', load: febrl(['dataset1.csv'], false), settings: febrlSettings({ withId: false, link: false }) },
  'febrl1-id': { name: 'FEBRL1 (with soc_sec_id)', load: febrl(['dataset1.csv'], true), settings: febrlSettings({ withId: true, link: false }) },
  febrl2: { name: 'FEBRL2 (no id)', load: febrl(['dataset2.csv'], false), settings: febrlSettings({ withId: false, link: false }) },
  'febrl2-id': { name: 'FEBRL2 (with soc_sec_id)', load: febrl(['dataset2.csv'], true), settings: febrlSettings({ withId: true, link: false }) },
  febrl3: { name: 'FEBRL3 (no id)', load: febrl(['dataset3.csv'], false), settings: febrlSettings({ withId: false, link: false }), target: 0.975 },
  'febrl3-id': { name: 'FEBRL3 (with soc_sec_id)', load: febrl(['dataset3.csv'], true), settings: febrlSettings({ withId: true, link: false }) },
  febrl4: { name: 'FEBRL4 (no id)', load: febrl(['dataset4a.csv', 'dataset4b.csv'], false), settings: febrlSettings({ withId: false, link: true }), target: 0.995, wallTarget: 1000 },
  'febrl4-id': { name: 'FEBRL4 (with soc_sec_id)', load: febrl(['dataset4a.csv', 'dataset4b.csv'], true), settings: febrlSettings({ withId: true, link: true }), target: 0.999 },
  fake: { name: 'Splink fake_1000', load: () => loadSplink(`${DATASETS}splink/fake_1000.csv`), settings: FAKE_1000_SETTINGS },
  hist: { name: 'Splink historical_50k', load: () => loadSplink(`${DATASETS}splink/historical_50k.csv`), settings: HISTORICAL_50K_SETTINGS, target: 0.8 },
  children: { name: 'synthetic children (5,000)', load: generated(5000), settings: CHILD_IDENTITY_SETTINGS, target: 0.97 },
  'children-100k': { name: 'synthetic children (100,000 records)', load: generated(50_000), settings: CHILD_IDENTITY_SETTINGS, once: true },
  'children-1m': { name: 'synthetic children (1,000,000 records)', load: generated(500_000), settings: CHILD_IDENTITY_SETTINGS, once: true, wallTarget: 120_000, rssTarget: 4096 },
};

const f4 = (x: number): string => x.toFixed(4);
const int = (x: number): string => Math.round(x).toLocaleString('en-US');
const secs = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;

/** Blocking pair recall counted on every candidate pair as blocking produces it (a large run keeps only the likely ones). */
function recallCounter(truth: Truth): { onCandidates: (left: Uint32Array, right: Uint32Array) => void; recall: () => { kept: number; actual: number; recall: number } } {
  let kept = 0;
  return {
    onCandidates: (left, right) => { kept += truePairsAmong(left, right, truth); },
    recall: () => { const actual = truePairCount(truth); return { kept, actual, recall: actual > 0 ? kept / actual : 1 }; },
  };
}

function accuracy(run: LinkageResult, truth: Truth, threshold: number, review: number, blocking: { kept: number; actual: number; recall: number }): string[] {
  const pairs = pairMetricsAt(run.candidates.left, run.candidates.right, run.probabilities, threshold, truth);
  const withReview = pairMetricsAt(run.candidates.left, run.candidates.right, run.probabilities, review, truth);
  const best = bestThreshold(run.candidates.left, run.candidates.right, run.probabilities, truth);
  const clusters = clusterPairMetrics(run.clustering.clusterOf, truth);
  const b3 = bcubed(run.clustering.clusterOf, truth);
  const largest = Math.max(...run.candidates.stats.map((s) => s.largestBlock));
  return [
    `  blocking      ${int(run.candidateCount)} candidate pairs (${(run.candidateCount / run.prepared.count).toFixed(1)} per record), `
      + `pair recall ${f4(blocking.recall)} (${int(blocking.kept)} of ${int(blocking.actual)}), reduction ratio ${(1 - run.candidateCount / run.possiblePairs).toFixed(6)}, largest block ${largest}`
      + (run.candidates.left.length < run.candidateCount ? `; ${int(run.candidates.left.length)} pairs kept (p ≥ 0.001)` : ''),
    `  pairs ≥ ${threshold}   precision ${f4(pairs.precision)}  recall ${f4(pairs.recall)}  F1 ${f4(pairs.f1)}   (oracle best F1 ${f4(best.metrics.f1)} at ${best.threshold.toFixed(3)}, for reference only)`,
    `  pairs ≥ ${review}    precision ${f4(withReview.precision)}  recall ${f4(withReview.recall)}  (auto-link plus review band: what a reviewer can still confirm)`,
    `  clusters      precision ${f4(clusters.precision)}  recall ${f4(clusters.recall)}  F1 ${f4(clusters.f1)}   B-cubed P ${f4(b3.precision)} R ${f4(b3.recall)} F1 ${f4(b3.f1)}; `
      + `${int(run.clustering.clusterCount)} clusters vs ${int(new Set(truth.entityOf).size)} true; review band ${int(run.clustering.review.length)} pairs`,
  ];
}

/**
 * Comparison levels plus weights for every candidate pair, warm, on this thread and on this thread plus
 * workers: the scoring rate. Best of three alternating rounds, because the machine's cores are shared.
 */
async function scoringRate(run: LinkageResult, settings: LinkageSettings, rows: readonly Row[]): Promise<string> {
  const comparators = buildComparators(settings);
  const { left, right } = run.candidates;
  const local = (l: Uint32Array, r: Uint32Array): Uint8Array => computeLevels(comparators, run.prepared.features, l, r);
  const threads = availableParallelism();
  const pool = LevelPool.start(settings.comparisons, rows, threads - 1);
  let single = 0;
  let parallel = 0;
  let perCpuSecond = 0;
  try {
    local(left, right);
    await pool.levels(left, right, comparators.length, local); // warm-up: start-up and JIT in the workers
    for (let round = 0; round < 3; round++) {
      let t = performance.now();
      scorePairs(run.model, run.prepared, local(left, right), left, right);
      single = Math.max(single, left.length / ((performance.now() - t) / 1000));
      t = performance.now();
      const cpu = process.cpuUsage();
      scorePairs(run.model, run.prepared, await pool.levels(left, right, comparators.length, local), left, right);
      parallel = Math.max(parallel, left.length / ((performance.now() - t) / 1000));
      const used = process.cpuUsage(cpu);
      perCpuSecond = Math.max(perCpuSecond, left.length / ((used.user + used.system) / 1e6));
    }
  } finally {
    await pool.close();
  }
  // CPU time counts every thread of the process: it shows the rate a core gives when it is not shared.
  return `  scoring       ${int(single)} pairs/s on 1 thread; ${int(parallel)} pairs/s on ${threads} threads (this + ${threads - 1} worker); `
    + `${int(perCpuSecond)} pairs/s per core (per CPU-second) — best of 3; target ≥ 250,000 per core → ${perCpuSecond >= 250_000 ? 'met' : 'NOT met'}`;
}

async function bench(key: string, b: Bench): Promise<void> {
  const threshold = b.settings.thresholds?.autoLink ?? DEFAULT_THRESHOLDS.autoLink;
  let t = performance.now();
  const { rows, truth } = b.load();
  const loadMs = performance.now() - t;
  console.log(`\n== ${b.name} [${key}]: ${int(rows.length)} records, load ${secs(loadMs)}`);
  let first: LinkageResult | null = null;
  let firstRecall: { kept: number; actual: number; recall: number } | null = null;
  const wallTimes: { threads: number; wall: number; cpu: number }[] = [];
  for (const threads of b.once ? [availableParallelism()] : [1, availableParallelism()]) {
    t = performance.now();
    const cpu = process.cpuUsage();
    const counter = recallCounter(truth);
    const run = await linkRecords(rows, b.settings, { threads, onCandidates: counter.onCandidates });
    const wall = performance.now() - t;
    const used = process.cpuUsage(cpu);
    const cpuMs = (used.user + used.system) / 1000;
    const stages = Object.entries(run.timings).map(([k, v]) => `${k} ${(v / 1000).toFixed(2)}`).join(', ');
    // CPU time counts every thread of the process; on a shared machine it is the steadier figure.
    console.log(`  ${run.threads === 1 ? '1 thread     ' : `${run.threads} threads    `} end-to-end wall ${secs(wall)}, CPU ${secs(cpuMs)} = ${int(rows.length / (wall / 1000))} records/s, `
      + `${int(run.candidateCount)} pairs scored, ${int(run.candidateCount / ((run.timings.block! + run.timings.compare!) / 1000))} candidate pairs/s in blocking + compare (overlapped)  [${stages}]`);
    wallTimes.push({ threads: run.threads, wall, cpu: cpuMs });
    if (!first) { first = run; firstRecall = counter.recall(); }
  }
  for (const line of accuracy(first!, truth, threshold, b.settings.thresholds?.review ?? DEFAULT_THRESHOLDS.review, firstRecall!)) console.log(line);
  if (b.target !== undefined) {
    const pairs = pairMetricsAt(first!.candidates.left, first!.candidates.right, first!.probabilities, threshold, truth).f1;
    const clusters = clusterPairMetrics(first!.clustering.clusterOf, truth).f1;
    console.log(`  target        pairwise F1 ≥ ${b.target}: pairs ${f4(pairs)}, clusters ${f4(clusters)} → ${Math.max(pairs, clusters) >= b.target ? 'met' : 'NOT met'}`);
  }
  if (!b.once) console.log(await scoringRate(first!, b.settings, rows));
  if (b.wallTarget !== undefined) {
    const best = Math.min(...wallTimes.map((w) => w.wall));
    const cpu = Math.min(...wallTimes.map((w) => w.cpu));
    console.log(`  target        end-to-end < ${secs(b.wallTarget)}: best wall ${secs(best)} (CPU ${secs(cpu)}) → ${best < b.wallTarget ? 'met' : 'NOT met'}`);
  }
  const rss = process.resourceUsage().maxRSS / 1024;
  console.log(`  peak RSS so far ${int(rss)} MB${b.rssTarget !== undefined ? ` (target < ${int(b.rssTarget)} MB → ${rss < b.rssTarget ? 'met' : 'NOT met'})` : ''}`);
}

const wanted = process.argv.slice(2);
// "all": every set, the generated million included (children-100k, a scaling check, only by name).
const keys = wanted[0] === 'all' ? Object.keys(BENCHES).filter((k) => k !== 'children-100k')
  : wanted.length > 0 ? wanted : Object.keys(BENCHES).filter((k) => !BENCHES[k]!.once);
console.log(`record-linkage benchmark: node ${process.version}, ${cpus()[0]?.model ?? 'cpu'} × ${availableParallelism()}, load average ${(await import('node:os')).loadavg().map((x) => x.toFixed(1)).join(' ')}`);
for (const key of keys) {
  const b = BENCHES[key];
  if (!b) throw new Error(`unknown data set "${key}"; known: ${Object.keys(BENCHES).join(', ')}`);
  await bench(key, b);
}
if (wanted.length === 0) console.log('\n(children-1m, the generated million, is left out of the default run: npm run bench:match -- children-1m, or -- all)');
console.log(`load average at the end ${(await import('node:os')).loadavg().map((x) => x.toFixed(1)).join(' ')}`);
