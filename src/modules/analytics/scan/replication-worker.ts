/** Worker thread: computes blocks of replications on request (see monte-carlo.ts). */
import { parentPort, workerData } from 'node:worker_threads';
import { CylinderScanner } from './cylinder-scan.ts';
import { replicateBlock } from './monte-carlo.ts';
import type { PreparedScan } from './scan-setup.ts';

const { prepared, seed } = workerData as { prepared: PreparedScan; seed: number };
const scanner = new CylinderScanner(prepared);
const port = parentPort!;
port.on('message', ({ block, count }: { block: number; count: number }) => {
  const maxima = new Float64Array(count);
  replicateBlock(prepared, scanner, seed, block, count, maxima);
  port.postMessage({ block, maxima }, [maxima.buffer]);
});
