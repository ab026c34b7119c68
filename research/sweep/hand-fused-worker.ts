/**
 * Runs the hand-fused baseline (hand-fused.ts) in a worker thread, so that the benchmark times it on a thread like
 * the ones the sweep's kernels run on (a fresh isolate: bench/run.ts explains how the main thread's state slows
 * typed-array loops). One message = one sweep: the SMA columns of every distinct length, then every combination.
 */
import { parentPort } from 'node:worker_threads';
import type { CandleFrame } from '../../engine/index.ts';
import { handFusedStats, smaColumns, type HandFusedSpec } from './hand-fused.ts';
import { frameFromShared, type SharedFrame } from './shared-frame.ts';

export interface HandFusedJob {
  readonly frame: SharedFrame;
  readonly spec: Omit<HandFusedSpec, 'frame'>;
  /** [fast, slow] per combination. */
  readonly pairs: readonly (readonly [number, number])[];
}

const port = parentPort!;
let cached: { id: string; frame: CandleFrame } | undefined;
const cols = new Map<number, Float64Array>();

port.on('message', (job: HandFusedJob) => {
  if (cached?.id !== job.frame.id) { cached = { id: job.frame.id, frame: frameFromShared(job.frame) }; cols.clear(); }
  const spec: HandFusedSpec = { ...job.spec, frame: cached.frame };
  smaColumns(spec.frame, new Set(job.pairs.flat()), cols); // each distinct SMA once per sweep, as the product does
  let sink = 0;
  for (const [fast, slow] of job.pairs) sink += handFusedStats(spec, cols.get(fast)!, cols.get(slow)!).sharpe;
  port.postMessage(sink);
});
