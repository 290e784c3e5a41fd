/**
 * Worker thread: prepares its own features from the raw rows (cheaper to send than prepared features, and it
 * runs while the main thread blocks), then computes comparison levels for slices of pairs.
 */
import { parentPort } from 'node:worker_threads';
import { buildComparator, type Comparator } from './comparisons.ts';
import { computeLevels } from './prepared.ts';
import type { ComparisonSpec, Row } from './settings.ts';

export type WorkerRequest =
  | { type: 'init'; specs: ComparisonSpec[]; rowsJson: string }
  | { type: 'levels'; id: number; left: Uint32Array; right: Uint32Array };

export interface WorkerReply { id: number; levels: Uint8Array }

let comparators: Comparator[] = [];
let features: unknown[][] = [];

parentPort?.on('message', (message: WorkerRequest) => {
  if (message.type === 'init') {
    comparators = message.specs.map(buildComparator);
    const rows = JSON.parse(message.rowsJson) as Row[];
    features = comparators.map((c) => rows.map((row) => c.prepare(row)));
    return;
  }
  const levels = computeLevels(comparators, features, message.left, message.right);
  parentPort!.postMessage({ id: message.id, levels } satisfies WorkerReply, [levels.buffer as ArrayBuffer]);
});
