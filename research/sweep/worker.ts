/**
 * A sweep worker thread: kept warm by the pool across sweeps. For each job it builds the frame over the shared
 * candle columns and a memo over the shared indicator columns (each computed once, by the first worker that asks
 * for it: shared-columns.ts), then runs the tasks (strided row sets) it is given, writing each combination's
 * statistics into the shared results buffer.
 */
import { parentPort } from 'node:worker_threads';
import { isTradelabError, validateFillConfig, type AnyStrategy, type CandleFrame, type FillConfig, type IndicatorMemo } from '../../engine/index.ts';
import { createMemo, createScratch, runCombosStats, STAT_KEYS, type ComboScratch, type CountingMemo } from '../../engine/sweep/index.ts';
import { resolveStrategy } from '../strategy-registry.ts';
import type { FromWorker, JobMessage, ToWorker } from './protocol.ts';
import { claimingMemo } from './shared-columns.ts';
import { frameFromShared } from './shared-frame.ts';

const port = parentPort!;
const post = (m: FromWorker) => port.postMessage(m);

interface Active { job: JobMessage; strategy: AnyStrategy; frame: CandleFrame; fill: Readonly<FillConfig>; memo: IndicatorMemo & { computedShared: () => number }; own: CountingMemo; out: Float64Array }
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
  // shared buffers may be longer than the frame (reused from a longer sweep): the memo views exactly frame.length values
  const own = createMemo({ maxEntries: 16 });
  const memo = claimingMemo(frame.length, job.shared, job.claims, own);
  return { job, strategy, frame, fill: validateFillConfig(job.fill), memo, own, out: new Float64Array(job.out) };
}

/** Runs rows first, first + step, … of the job; returns how many. */
function runTask(a: Active, first: number, step: number): number {
  const { job, strategy, frame, fill, memo, out } = a;
  const stride = job.stride;
  const rows: number[] = [];
  for (let r = first; r < job.params.length; r += step) rows.push(r);
  // Odd tasks ask for their rows' columns last row first: two workers that start together then claim different shared
  // columns first instead of waiting for each other's (shared-columns.ts).
  if ((first & 1) === 1) for (let c = rows.length - 1; c >= 0; c--) strategy.indicators(frame, job.params[rows[c]], memo);
  // the task's rows advance together, block by block (runCombosStats)
  const stats = runCombosStats(strategy, frame, rows.map((r) => job.params[r]), fill, job.start, job.end, memo, scratch!) as unknown as Record<string, number>[];
  rows.forEach((r, c) => {
    const s = stats[c], o = r * stride;
    for (let j = 0; j < STAT_KEYS.length; j++) out[o + j] = s[STAT_KEYS[j]];
  });
  return rows.length;
}

port.on('message', (m: ToWorker) => {
  if (m.type === 'job') { const p = prepare(m); p.catch(() => undefined); jobs.set(m.jobId, p); return; }
  if (m.type === 'end-job') { jobs.delete(m.jobId); return; }
  const p = jobs.get(m.jobId);
  if (!p) { post({ type: 'error', jobId: m.jobId, message: `worker has no job ${m.jobId}` }); return; }
  p.then((a) => {
    const before = a.own.computed(), beforeShared = a.memo.computedShared();
    const rows = runTask(a, m.first, m.step);
    post({ type: 'done', jobId: m.jobId, rows, computed: a.own.computed() - before, computedShared: a.memo.computedShared() - beforeShared });
  }).catch((e: unknown) => {
    post({ type: 'error', jobId: m.jobId, message: e instanceof Error ? e.message : String(e), code: isTradelabError(e) ? e.code : undefined, family: isTradelabError(e) ? e.family : undefined });
  });
});
post({ type: 'ready' });
