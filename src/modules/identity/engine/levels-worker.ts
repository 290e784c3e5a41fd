/**
 * Worker thread: prepares its own features from the raw rows (cheaper to send than prepared features, and it
 * runs while the main thread blocks), then computes comparison levels for batches of pairs and, once the model
 * is trained, the weights of batches (keeping only the pairs likely enough to matter).
 */
import { parentPort } from 'node:worker_threads';
import { buildComparator, type Comparator } from './comparisons.ts';
import { computeLevels, expandLeft, termFrequencies, type PreparedRecords } from './prepared.ts';
import { keepLikely, type FsModel } from './scoring.ts';
import type { ComparisonSpec, Row } from './settings.ts';

export type WorkerRequest =
  | { type: 'init'; specs: ComparisonSpec[]; rowsJson: string }
  | { type: 'levels'; id: number; left: Uint32Array; right: Uint32Array }
  /** Pairs grouped by left record: `perRecord[k]` pairs of record first + k (see pipeline.ts). */
  | { type: 'chunk-levels'; id: number; first: number; perRecord: Uint32Array; right: Uint32Array }
  | { type: 'score'; id: number; model: FsModel; left: Uint32Array; right: Uint32Array; levels: Uint8Array; least: number };

export interface WorkerReply { id: number; result: Uint8Array | { kept: Uint32Array; sums: Float64Array } }

let comparators: Comparator[] = [];
let features: unknown[][] = [];
/** What scoring reads of the prepared records (count and term frequencies), built on the first score request. */
let prepared: PreparedRecords | null = null;

parentPort?.on('message', (message: WorkerRequest) => {
  if (message.type === 'init') {
    comparators = message.specs.map(buildComparator);
    const rows = JSON.parse(message.rowsJson) as Row[];
    features = comparators.map((c) => rows.map((row) => c.prepare(row)));
    return;
  }
  if (message.type === 'levels' || message.type === 'chunk-levels') {
    const left = message.type === 'levels' ? message.left : expandLeft(message.first, message.perRecord, message.right.length);
    const levels = computeLevels(comparators, features, left, message.right);
    parentPort!.postMessage({ id: message.id, result: levels } satisfies WorkerReply, [levels.buffer as ArrayBuffer]);
    return;
  }
  prepared ??= { count: features[0]?.length ?? 0, ids: [], sources: null, sourceNames: [], features, termFrequency: termFrequencies(comparators, features) };
  const result = keepLikely(message.model, prepared, message.levels, message.left, message.right, message.least);
  parentPort!.postMessage({ id: message.id, result } satisfies WorkerReply, [result.kept.buffer as ArrayBuffer, result.sums.buffer as ArrayBuffer]);
});
