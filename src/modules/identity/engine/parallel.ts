/**
 * Comparison levels computed on worker threads, one per core, for large candidate sets (string metrics are
 * the cost of scoring). The rows are sent once and each worker prepares its features; pairs go out in slices
 * and the levels come back as transferred buffers. Small inputs do not need it: computeLevels on the calling thread gives the same result.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { ComparisonSpec, Row } from './settings.ts';
import type { WorkerReply, WorkerRequest } from './levels-worker.ts';

/**
 * Worker threads do not inherit tsx's loader on Node 20 (`execArgv: ['--import', 'tsx']` fails with "Unknown
 * file extension .ts"), so the worker starts from a small script that registers tsx and then imports the
 * TypeScript entry point.
 */
function startWorker(): Worker {
  const tsx = import.meta.resolve('tsx/esm/api');
  const entry = new URL('./levels-worker.ts', import.meta.url).href;
  const boot = `import(${JSON.stringify(tsx)}).then((api) => { api.register(); return import(${JSON.stringify(entry)}); });`;
  return new Worker(boot, { eval: true });
}

export class LevelPool {
  private readonly workers: Worker[];
  private nextId = 0;
  /** A worker that failed (e.g. while starting) fails every later request too, instead of leaving it waiting. */
  private failure: unknown = null;
  private readonly pending = new Map<number, { resolve: (levels: Uint8Array) => void; reject: (error: unknown) => void }>();

  private constructor(workers: Worker[]) {
    this.workers = workers;
    for (const w of workers) {
      w.on('message', (reply: WorkerReply) => {
        const job = this.pending.get(reply.id);
        this.pending.delete(reply.id);
        job?.resolve(reply.levels);
      });
      w.on('error', (error) => {
        this.failure = error;
        for (const job of this.pending.values()) job.reject(error);
        this.pending.clear();
      });
    }
  }

  /** Starts `threads` workers (default: one per core), each preparing the features of `rows`. */
  static start(specs: ComparisonSpec[], rows: readonly Row[], threads = availableParallelism()): LevelPool {
    const workers = Array.from({ length: Math.max(1, threads) }, startWorker);
    // One JSON string is copied to a worker far faster than tens of thousands of cloned objects, and the
    // parsing then happens on the worker's core, not here.
    const rowsJson = JSON.stringify(rows);
    for (const w of workers) w.postMessage({ type: 'init', specs, rowsJson } satisfies WorkerRequest);
    return new LevelPool(workers);
  }

  get threads(): number { return this.workers.length; }

  /**
   * Levels of every pair (row-major, as computeLevels), spread over the workers in slices. With `local`, the
   * calling thread computes an equal share itself while the workers run, so N cores need only N − 1 workers.
   */
  async levels(left: Uint32Array, right: Uint32Array, comparisonCount: number, local?: (left: Uint32Array, right: Uint32Array) => Uint8Array): Promise<Uint8Array> {
    if (this.failure) throw this.failure;
    const out = new Uint8Array(left.length * comparisonCount);
    const localCount = local ? Math.floor(left.length / (this.workers.length + 1)) : 0;
    const sliceCount = this.workers.length * 4;
    const size = Math.ceil((left.length - localCount) / sliceCount) || 1;
    const jobs: Promise<void>[] = [];
    let w = 0;
    for (let start = localCount; start < left.length; start += size) {
      const end = Math.min(left.length, start + size);
      const id = this.nextId++;
      const worker = this.workers[w++ % this.workers.length]!;
      jobs.push(new Promise<void>((resolve, reject) => {
        this.pending.set(id, { resolve: (levels) => { out.set(levels, start * comparisonCount); resolve(); }, reject });
      }));
      worker.postMessage({ type: 'levels', id, left: left.slice(start, end), right: right.slice(start, end) } satisfies WorkerRequest);
    }
    if (local && localCount > 0) out.set(local(left.subarray(0, localCount), right.subarray(0, localCount)), 0);
    await Promise.all(jobs);
    return out;
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
