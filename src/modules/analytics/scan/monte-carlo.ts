/**
 * Monte Carlo replications: shuffle the cases' time intervals (keeping their locations) and rescan.
 * Replications are grouped in fixed blocks; block b draws from the stream (seed, b) starting from the
 * original order, so replication r has the same data whichever thread computes it and however many
 * threads there are. Sequential stopping is decided in replication order for the same reason.
 */
import os from 'node:os';
import { Worker } from 'node:worker_threads';
import { CylinderScanner } from './cylinder-scan.ts';
import { shuffleInPlace, Xoshiro128 } from './prng.ts';
import type { PreparedScan } from './scan-setup.ts';

export const REPLICATION_BLOCK = 16;

export interface ReplicationRequest {
  replications: number;
  seed: number;
  observedMax: number;
  sequentialThreshold?: number;
  workers: number;
}

export interface ReplicationOutcome {
  /** Maxima of the replications that count (the first `run`). */
  maxima: Float64Array;
  run: number;
  stoppedEarly: boolean;
}

/**
 * Computes replications [block·B, block·B + count) into `out` (indexed from 0 for the block).
 * Prospective scans only see the m cases dated inside the longest window, so instead of shuffling all
 * n dates, a partial Fisher–Yates draws which m case locations those m dates go to: the same
 * distribution as a full permutation at O(m) instead of O(n) per replication.
 */
export function replicateBlock(p: PreparedScan, scanner: CylinderScanner, seed: number, block: number, count: number,
  out: Float64Array, onEach?: (index: number, max: number) => boolean): void {
  const rng = new Xoshiro128(seed, block);
  if (p.prospective) {
    const recentIntervals = recentCaseIntervals(p);
    const m = recentIntervals.length;
    const n = p.totalCases;
    const locations = Int32Array.from(p.caseLocation);
    for (let r = 0; r < count; r++) {
      for (let i = 0; i < m; i++) {
        const j = i + rng.nextBelow(n - i);
        const tmp = locations[i]!;
        locations[i] = locations[j]!;
        locations[j] = tmp;
      }
      out[r] = scanner.scanMax(locations, recentIntervals, m);
      if (onEach && !onEach(block * REPLICATION_BLOCK + r, out[r]!)) return;
    }
    return;
  }
  const permuted = Int32Array.from(p.caseInterval);
  for (let r = 0; r < count; r++) {
    shuffleInPlace(permuted, rng);
    out[r] = scanner.scanMax(p.caseLocation, permuted, p.totalCases);
    if (onEach && !onEach(block * REPLICATION_BLOCK + r, out[r]!)) return;
  }
}

/** Intervals of the cases inside the longest prospective window, in case order (fixed under permutation as a multiset). */
function recentCaseIntervals(p: PreparedScan): Int32Array {
  const first = p.intervalCount - p.maxWindow;
  return p.caseInterval.filter((t) => t >= first);
}

/** Tracks exceedances in replication order and says where a sequential run stops. */
class SequentialStop {
  private exceeded = 0;
  stopAt = -1;
  constructor(private readonly observedMax: number, private readonly threshold: number | undefined) {}
  /** Returns false once the run should stop after this replication. */
  accept(index: number, max: number): boolean {
    if (this.threshold === undefined || this.stopAt >= 0) return this.stopAt < 0;
    if (max >= this.observedMax && ++this.exceeded >= this.threshold) {
      this.stopAt = index + 1;
      return false;
    }
    return true;
  }
}

export async function runReplications(p: PreparedScan, req: ReplicationRequest): Promise<ReplicationOutcome> {
  const maxima = new Float64Array(req.replications);
  const stop = new SequentialStop(req.observedMax, req.sequentialThreshold);
  const blockCount = Math.ceil(req.replications / REPLICATION_BLOCK);
  const blockSize = (b: number): number => Math.min(REPLICATION_BLOCK, req.replications - b * REPLICATION_BLOCK);
  if (req.workers <= 1 || blockCount <= 1) {
    const scanner = new CylinderScanner(p);
    for (let b = 0; b < blockCount && stop.stopAt < 0; b++) {
      replicateBlock(p, scanner, req.seed, b, blockSize(b), maxima.subarray(b * REPLICATION_BLOCK), (i, m) => stop.accept(i, m));
    }
  } else {
    await runOnWorkers(p, req, blockCount, blockSize, maxima, stop);
  }
  const run = stop.stopAt >= 0 ? stop.stopAt : req.replications;
  return { maxima: maxima.slice(0, run), run, stoppedEarly: stop.stopAt >= 0 };
}

/** Threads worth using: both cores of the 2-core machine, never more blocks than exist. */
export function availableWorkers(): number {
  return Math.max(1, os.availableParallelism());
}

function runOnWorkers(p: PreparedScan, req: ReplicationRequest, blockCount: number, blockSize: (b: number) => number,
  maxima: Float64Array, stop: SequentialStop): Promise<void> {
  const workerCount = Math.min(req.workers, blockCount);
  const done = new Uint8Array(blockCount);
  let nextBlock = 0;
  let prefix = 0; // blocks [0, prefix) have been checked in order
  let checkedReplication = 0;
  const workers: Worker[] = [];
  return new Promise<void>((resolve, reject) => {
    let settled = false;
    const finish = (err?: unknown): void => {
      if (settled) return;
      settled = true;
      for (const w of workers) void w.terminate();
      if (err) reject(err instanceof Error ? err : new Error(String(err)));
      else resolve();
    };
    const dispatch = (w: Worker): void => {
      if (nextBlock < blockCount && stop.stopAt < 0) {
        const block = nextBlock++;
        w.postMessage({ block, count: blockSize(block) });
      }
    };
    for (let i = 0; i < workerCount; i++) {
      // A .mjs bootstrap registers tsx inside the thread: `execArgv: ['--import', 'tsx']` does not
      // load .ts workers on Node 20 (ERR_UNKNOWN_FILE_EXTENSION), and the CLI has no --import at all.
      const w = new Worker(new URL('./replication-worker-boot.mjs', import.meta.url), {
        workerData: { prepared: p, seed: req.seed }, execArgv: [],
      });
      workers.push(w);
      w.on('error', finish);
      w.on('message', (msg: { block: number; maxima: Float64Array }) => {
        maxima.set(msg.maxima, msg.block * REPLICATION_BLOCK);
        done[msg.block] = 1;
        while (prefix < blockCount && done[prefix] && stop.stopAt < 0) {
          const end = prefix * REPLICATION_BLOCK + blockSize(prefix);
          for (; checkedReplication < end && stop.accept(checkedReplication, maxima[checkedReplication]!); checkedReplication++);
          prefix++;
        }
        if (stop.stopAt >= 0 || prefix === blockCount) finish();
        else dispatch(w);
      });
      dispatch(w);
    }
  });
}
