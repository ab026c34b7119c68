// Worker entry: register tsx (TypeScript, no build step), then load the sweep worker (pool.ts), or the module named by
// workerData.entry (relative to this folder; the benchmark's hand-fused baseline runs in a worker this way).
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(typeof workerData?.entry === 'string' ? workerData.entry : './worker.ts');
