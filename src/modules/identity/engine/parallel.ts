/**
 * Comparison levels computed on worker threads, one per core, for large candidate sets (string metrics are
 * the cost of scoring). The rows are sent once and each worker prepares its features; pairs go out in slices
 * and the levels come back as transferred buffers. Small inputs do not need it: computeLevels on the calling thread gives the same result.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { ComparisonSpec, Row } from './settings.ts';
import type { WorkerReply, WorkerRequest } from './levels-worker.ts';
import type { FsModel } from './scoring.ts';

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

/** Batches a worker holds at once: one computing, one waiting, so it never idles while this thread is busy. */
const IN_FLIGHT = 2;

/** A batch of work: the message a worker gets (its id added), or the same computed here by `local`. */
interface Job {
  request: DistributiveOmit<Exclude<WorkerRequest, { type: 'init' }>, 'id'>;
  local: (() => WorkerReply['result']) | null;
  resolve: (result: WorkerReply['result']) => void;
  reject: (error: unknown) => void;
}
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** Lets queued worker messages be received (this thread's synchronous work otherwise starves them). */
export const yieldToEvents = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * A queue of batches of pairs whose levels are computed by whichever thread is free first: each worker holds
 * up to IN_FLIGHT batches, and this thread takes batches from the same queue while it waits (help()).
 */
export class LevelPool {
  private readonly workers: Worker[];
  private readonly busy: Map<number, Job>[];
  private readonly queue: Job[] = [];
  private nextId = 0;
  /** A worker that failed (e.g. while starting) fails every later request too, instead of leaving it waiting. */
  private failure: unknown = null;

  private constructor(workers: Worker[]) {
    this.workers = workers;
    this.busy = workers.map(() => new Map());
    workers.forEach((w, k) => {
      w.on('message', (reply: WorkerReply) => {
        const job = this.busy[k]!.get(reply.id);
        this.busy[k]!.delete(reply.id);
        job?.resolve(reply.result);
        this.pump();
      });
      w.on('error', (error) => {
        this.failure = error;
        for (const jobs of [...this.busy.map((b) => [...b.values()]), this.queue]) for (const job of jobs) job.reject(error);
        for (const b of this.busy) b.clear();
        this.queue.length = 0;
      });
    });
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

  /** Levels of one batch of pairs (row-major, as computeLevels), from whichever thread takes it first. */
  submit(left: Uint32Array, right: Uint32Array): Promise<Uint8Array> {
    return this.enqueue({ type: 'levels', left, right }, null) as Promise<Uint8Array>;
  }

  /** The same for pairs grouped by left record (perRecord[k] pairs of record first + k): a left index per pair is never sent. */
  submitChunk(first: number, perRecord: Uint32Array, right: Uint32Array): Promise<Uint8Array> {
    return this.enqueue({ type: 'chunk-levels', first, perRecord, right }, null) as Promise<Uint8Array>;
  }

  /**
   * The pairs of a batch whose field sum is at least `least` (keepLikely), from whichever thread takes it first;
   * `local` computes the same on this thread.
   */
  score(model: FsModel, left: Uint32Array, right: Uint32Array, levels: Uint8Array, least: number, local: () => { kept: Uint32Array; sums: Float64Array }): Promise<{ kept: Uint32Array; sums: Float64Array }> {
    return this.enqueue({ type: 'score', model, left, right, levels, least }, local) as Promise<{ kept: Uint32Array; sums: Float64Array }>;
  }

  private enqueue(request: Job['request'], local: Job['local']): Promise<WorkerReply['result']> {
    if (this.failure) return Promise.reject(this.failure);
    const done = new Promise<WorkerReply['result']>((resolve, reject) => this.queue.push({ request, local, resolve, reject }));
    this.pump();
    return done;
  }

  private pump(): void {
    this.workers.forEach((worker, k) => {
      while (this.busy[k]!.size < IN_FLIGHT && this.queue.length > 0) {
        const job = this.queue.shift()!;
        const id = this.nextId++;
        this.busy[k]!.set(id, job);
        // Copied, not transferred: the caller keeps its pairs.
        worker.postMessage({ ...job.request, id } as WorkerRequest);
      }
    });
  }

  /** This thread computes queued batches until the queue is empty, letting worker replies in between batches. */
  async help(local: (left: Uint32Array, right: Uint32Array) => Uint8Array,
    localChunk?: (first: number, perRecord: Uint32Array, right: Uint32Array) => Uint8Array): Promise<void> {
    for (;;) {
      await yieldToEvents();
      const job = this.queue.shift();
      if (!job) return;
      try {
        const r = job.request;
        if (job.local) job.resolve(job.local());
        else if (r.type === 'chunk-levels') {
          if (!localChunk) throw new Error('a chunk of pairs was queued without a way to compare it here');
          job.resolve(localChunk(r.first, r.perRecord, r.right));
        } else if (r.type === 'levels') job.resolve(local(r.left, r.right));
        else throw new Error(`a ${r.type} batch was queued without a way to compute it here`);
      } catch (error) { job.reject(error); }
    }
  }

  /**
   * Levels of every pair (row-major, as computeLevels), in slices spread over the workers and, with `local`,
   * this thread too, so N cores need only N − 1 workers.
   */
  async levels(left: Uint32Array, right: Uint32Array, comparisonCount: number, local?: (left: Uint32Array, right: Uint32Array) => Uint8Array): Promise<Uint8Array> {
    const out = new Uint8Array(left.length * comparisonCount);
    const size = Math.max(1, Math.min(250_000, Math.ceil(left.length / ((this.workers.length + 1) * 4))));
    const jobs: Promise<void>[] = [];
    for (let start = 0; start < left.length; start += size) {
      const end = Math.min(left.length, start + size);
      jobs.push(this.submit(left.subarray(start, end), right.subarray(start, end)).then((levels) => { out.set(levels, start * comparisonCount); }));
    }
    if (local) await this.help(local);
    await Promise.all(jobs);
    return out;
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
