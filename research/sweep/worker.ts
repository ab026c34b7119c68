/**
 * A sweep worker thread: kept warm by the pool across sweeps. For each job it builds the frame over the shared
 * candle columns and a memo pre-filled with the shared indicator columns, then runs the tasks (row ranges) it is
 * given, writing each combination's statistics into the shared results buffer.
 */
import { parentPort } from 'node:worker_threads';
import { isTradelabError, validateFillConfig, type AnyStrategy, type CandleFrame, type FillConfig } from '../../engine/index.ts';
import { createMemo, createScratch, runCombosStats, STAT_KEYS, type ComboScratch, type CountingMemo } from '../../engine/sweep/index.ts';
import { resolveStrategy } from '../strategy-registry.ts';
import type { FromWorker, JobMessage, ToWorker } from './protocol.ts';
import { frameFromShared } from './shared-frame.ts';

const port = parentPort!;
const post = (m: FromWorker) => port.postMessage(m);

interface Active { job: JobMessage; strategy: AnyStrategy; frame: CandleFrame; fill: Readonly<FillConfig>; memo: CountingMemo; out: Float64Array }
const jobs = new Map<number, Promise<Active>>();
const strategies = new Map<string, Promise<AnyStrategy>>();
let frameCache: { id: string; frame: CandleFrame } | undefined;
let scratch: ComboScratch | undefined;

async function prepare(job: JobMessage): Promise<Active> {
  let sp = strategies.get(job.strategyRef);
  if (!sp) { sp = resolveStrategy(job.strategyRef, job.cwd).then((r) => r.strategy); strategies.set(job.strategyRef, sp); }
  const strategy = await sp;
  if (frameCache?.id !== job.frame.id) frameCache = { id: job.frame.id, frame: frameFromShared(job.frame) };
  const frame = frameCache.frame;
  if (!scratch || scratch.signals.length < frame.length) scratch = createScratch(frame.length);
  // shared buffers may be longer than the frame (reused from a longer sweep): view exactly frame.length values
  const memo = createMemo({ initial: job.shared.map(([k, b]) => [k, new Float64Array(b, 0, frame.length)] as const), maxEntries: 16 });
  return { job, strategy, frame, fill: validateFillConfig(job.fill), memo, out: new Float64Array(job.out) };
}

function runTask(a: Active, from: number, to: number): void {
  const { job, strategy, frame, fill, memo, out } = a;
  const stride = job.stride;
  // the task's rows advance together, block by block (runCombosStats)
  const stats = runCombosStats(strategy, frame, job.params.slice(from, to), fill, job.start, job.end, memo, scratch!) as unknown as Record<string, number>[];
  for (let r = from; r < to; r++) {
    const s = stats[r - from], o = r * stride;
    for (let j = 0; j < STAT_KEYS.length; j++) out[o + j] = s[STAT_KEYS[j]];
  }
}

port.on('message', (m: ToWorker) => {
  if (m.type === 'job') { const p = prepare(m); p.catch(() => undefined); jobs.set(m.jobId, p); return; }
  if (m.type === 'end-job') { jobs.delete(m.jobId); return; }
  const p = jobs.get(m.jobId);
  if (!p) { post({ type: 'error', jobId: m.jobId, message: `worker has no job ${m.jobId}` }); return; }
  p.then((a) => {
    const before = a.memo.computed();
    runTask(a, m.from, m.to);
    post({ type: 'done', jobId: m.jobId, from: m.from, to: m.to, computed: a.memo.computed() - before });
  }).catch((e: unknown) => {
    post({ type: 'error', jobId: m.jobId, message: e instanceof Error ? e.message : String(e), code: isTradelabError(e) ? e.code : undefined, family: isTradelabError(e) ? e.family : undefined });
  });
});
post({ type: 'ready' });
