// Worker entry: register tsx (TypeScript, no build step), then load the sweep worker. See pool.ts.
import { register } from 'tsx/esm/api';

register();
await import('./worker.ts');
