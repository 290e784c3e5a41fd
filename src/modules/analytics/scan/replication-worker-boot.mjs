// Registers tsx in this worker thread, then loads the TypeScript worker (see monte-carlo.ts for why).
import { register } from 'tsx/esm/api';

register();
await import('./replication-worker.ts');
