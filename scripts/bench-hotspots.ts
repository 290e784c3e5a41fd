/**
 * Hotspot engine benchmark: wall time single-threaded vs worker threads, peak RSS, on
 *  - the SaTScan fixtures (figures compared with SaTScan's printed ones; SaTScan's own run time),
 *  - the UCDP GED Central African Republic events (prospective as of 2013-12-31 and 2017-05-31),
 *  - generated sets of 5,000 and 100,000 events (and 1,000,000 with --large), prospective,
 *    30-day windows, 50 km radius, as the daily alert would run them.
 *
 *   npm run bench:hotspots [-- --replications 999] [--large] [--skip-single-large]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { parse } from 'csv-parse/sync';
import { dayNumber } from '../src/cli/hotspots-command.ts';
import { Xoshiro128 } from '../src/modules/analytics/scan/prng.ts';
import { runSpaceTimeScan } from '../src/modules/analytics/scan/space-time-scan.ts';
import type { ScanCase, ScanLocation, SpaceTimeScanOptions, SpaceTimeScanResult } from '../src/modules/analytics/scan/scan-types.ts';
import { DATASETS } from '../test/support/datasets.ts';

const { values: args } = parseArgs({ options: {
  replications: { type: 'string', default: '999' }, large: { type: 'boolean', default: false }, 'skip-single-large': { type: 'boolean', default: false },
} });
const R = Number(args.replications);
const datasets = DATASETS;
const cores = os.availableParallelism();

async function timed(label: string, locations: ScanLocation[], cases: ScanCase[], options: SpaceTimeScanOptions, modes: ('single' | 'workers')[]): Promise<SpaceTimeScanResult> {
  let last: SpaceTimeScanResult | undefined;
  const cells: string[] = [];
  for (const mode of modes) {
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    last = await runSpaceTimeScan(locations, cases, { ...options, replications: R, workers: mode === 'single' ? 1 : cores });
    // CPU seconds of all threads: on a shared machine wall time also counts other people's work.
    const cpu = process.cpuUsage(cpu0);
    cells.push(`${mode === 'single' ? '1 thread' : `${last.workersUsed} workers`} ${((performance.now() - t0) / 1000).toFixed(2)} s (cpu ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s)`);
  }
  const top = last!.clusters[0];
  console.log(`${label.padEnd(34)} ${cells.join(' | ').padEnd(60)} RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB` +
    (top ? ` | top: ${top.observed} obs / ${top.expected.toFixed(2)} exp, LLR ${top.llr.toFixed(6)}, p ${top.pValue}` : ''));
  return last!;
}

// ---- SaTScan fixtures
for (const [name, maxRadius] of [['satscan_test1', undefined], ['satscan_test3', 50]] as const) {
  const dir = path.join(datasets, 'satscan-stp-fixtures');
  const rows = (ext: string): string[][] => fs.readFileSync(path.join(dir, `${name}.${ext}`), 'utf8').trim().split(/\r?\n/).map((l) => l.trim().split(/\s+/));
  const locations = rows('geo').map(([id, x, y]) => ({ id: id!, coordinates: [Number(x), Number(y)] as const }));
  const index = new Map(locations.map((l, i) => [l.id, i]));
  const cases = rows('cas').map(([id, n, t]) => ({ location: index.get(id!)!, count: Number(n), time: Number(t) }));
  const txt = fs.readFileSync(path.join(dir, `${name}.txt`), 'utf8');
  const result = await timed(name, locations, cases, {
    distance: 'cartesian', studyStart: 0, studyEnd: 1000, prospective: true, ...(maxRadius && { maxRadius }),
  }, ['single', 'workers']);
  const printed = [...txt.matchAll(/Test statistic\.*: ([\d.]+)[\s\S]*?P-value\.*: ([\d.]+)/g)].map((m) => `LLR ${m[1]} p ${m[2]}`);
  console.log(`  SaTScan v9.4.4: ${printed.join('; ')}; ${/Total Running Time : (.+)/.exec(txt)?.[1]} (${/terminate the calculations after (\d+)/.exec(txt)?.[1]} replications, 4 processors)`);
  console.log(`  ours:           ${result.clusters.map((c) => `LLR ${c.llr.toFixed(6)} p ${c.pValue}`).join('; ')} (${result.replications} replications)`);
}

// ---- UCDP GED, Central African Republic
const ucdp: Record<string, string>[] = parse(fs.readFileSync(path.join(datasets, 'ucdp-ged-car/ucdp_ged_v23_1_central_african_republic.csv'), 'utf8'), { columns: true });
const events = ucdp.map((row) => ({ day: dayNumber(row.date_start!)!, lat: Number(row.latitude), lon: Number(row.longitude) }));
for (const asOf of ['2013-12-31', '2017-05-31']) {
  const end = dayNumber(asOf)!;
  const inPeriod = events.filter((e) => e.day <= end && e.day > end - 365);
  const index = new Map<string, number>();
  const locations: ScanLocation[] = [];
  const cases = inPeriod.map((e) => {
    const key = `${e.lat},${e.lon}`;
    if (!index.has(key)) { index.set(key, locations.length); locations.push({ id: key, coordinates: [e.lat, e.lon] }); }
    return { location: index.get(key)!, time: e.day };
  });
  await timed(`UCDP CAR to ${asOf} (${cases.length} ev, ${locations.length} loc)`, locations, cases, {
    distance: 'great-circle', studyStart: end - 364, studyEnd: end, prospective: true, maxRadius: 50, maxTemporalSize: { units: 30 },
  }, ['single', 'workers']);
}
{
  const locations: ScanLocation[] = [];
  const index = new Map<string, number>();
  const cases = events.map((e) => {
    const key = `${e.lat},${e.lon}`;
    if (!index.has(key)) { index.set(key, locations.length); locations.push({ id: key, coordinates: [e.lat, e.lon] }); }
    return { location: index.get(key)!, time: Math.floor(e.day / 7) };
  });
  const times = cases.map((c) => c.time);
  await timed(`UCDP CAR 1991-2022 retro, weeks (${cases.length})`, locations, cases, {
    distance: 'great-circle', studyStart: Math.min(...times), studyEnd: Math.max(...times), maxRadius: 50, maxTemporalSize: { units: 26 },
  }, ['workers']);
}

// ---- generated sets: skewed village weights over a CAR-sized box, one year, daily prospective scan
function generated(n: number, L: number, seed: number): { locations: ScanLocation[]; cases: ScanCase[] } {
  const rng = new Xoshiro128(seed, 0);
  const locations = Array.from({ length: L }, (_, i) => ({ id: `v${i}`, coordinates: [3 + rng.nextFloat() * 7, 15 + rng.nextFloat() * 12] as const }));
  const weights = locations.map(() => Math.exp(2 * rng.nextFloat()));
  const cumulative = weights.map(((s) => (w: number) => (s += w))(0));
  const total = cumulative.at(-1)!;
  const cases = Array.from({ length: n }, () => {
    const u = rng.nextFloat() * total;
    let lo = 0;
    let hi = L - 1;
    while (lo < hi) { const mid = (lo + hi) >> 1; if (cumulative[mid]! < u) lo = mid + 1; else hi = mid; }
    return { location: lo, time: rng.nextBelow(365) };
  });
  return { locations, cases };
}
const sets: [number, number][] = [[5_000, 500], [100_000, 2_000]];
if (args.large) sets.push([1_000_000, 10_000]);
for (const [n, L] of sets) {
  const { locations, cases } = generated(n, L, n);
  const modes: ('single' | 'workers')[] = n >= 1_000_000 || (n >= 100_000 && args['skip-single-large']) ? ['workers'] : ['single', 'workers'];
  await timed(`generated ${n.toLocaleString('en')} ev, ${L} loc`, locations, cases, {
    distance: 'great-circle', studyStart: 0, studyEnd: 364, prospective: true, maxRadius: 50, maxTemporalSize: { units: 30 },
  }, modes);
}
console.log(`targets: 5,000 events < 2 s, 100,000 < 20 s, 1,000,000 < 10 min (${R} replications, ${cores} cores, load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')})`);
