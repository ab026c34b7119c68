/**
 * The sweep benchmark: 100 SMA-cross pairs (fast 5..50 step 5 × slow 60..240 step 20) over one year of synthetic 1m
 * bars (525,600), measured from bar 240 (the largest warm-up) to the end. Both cases do the same work per sweep: the
 * 20 distinct SMA columns once, then per combination the crosses, next-open fills with fees, and every statistic
 * the sweep reports (hand-fused.test.ts holds the baseline's numbers against the sweep's).
 *
 * - `sweep.hand-fused`: the hand-written baseline (hand-fused.ts): one fused loop per combination over whole columns,
 *   specialised to this fill model, no strategy object, book or memo; on ONE worker thread (hand-fused-worker.ts), a
 *   fresh isolate like the sweep's workers (bench/run.ts: the main thread's typed-array loops are slower).
 *   medianMs is for all 100 combinations.
 * - `sweep.sma-cross`: the real sweep (sweepStats on a warm pool of 2 worker threads: the shared SMA columns computed
 *   once, by the workers, into shared memory; the combinations of each task advanced together block by block by the
 *   cross kernel, engine/sweep/cross-run.ts; every Stats field per combination, identical to runSignalBacktest +
 *   computeStats). medianMs is for all 100 combinations.
 *
 * Normalisation: both cases are timed on the harness's CPU clock (`clock: 'cpu'`: the CPU time of this whole
 * process, every thread, during one run), and both medians are for the same 100 combinations. So
 *   ratio = medianMs(sweep.sma-cross) / medianMs(sweep.hand-fused)   (paired rounds, see bench/run.ts)
 * is exactly the CPU cost per combination of the sweep (main thread + both workers + messaging) over the CPU cost
 * per combination of the single-threaded hand-fused loop — independent of how many cores the sweep used, and robust
 * to other processes competing for the cores. The throughput target is on the wall clock: each sweep run also
 * measures its own wall time, and
 *   combosPerSec = 100 / (median wall ms of the sampled runs / 1000),  wallMs = that median,
 *   cpuMsPerCombo = medianMs / 100.
 * The wall clock counts time spent waiting for a core: on a machine shared with other work, combosPerSec falls with
 * its load (note `uptime` beside the numbers), while the CPU figures move far less.
 */
import { Worker } from 'node:worker_threads';
import { defineBench } from '../../bench/harness.ts';
import { DEFAULT_FILL_CONFIG, periodsPerYear, smaCross, timeframeMs, type ParamValues } from '../../engine/index.ts';
import type { HandFusedJob } from './hand-fused-worker.ts';
import { SweepPool } from './pool.ts';
import { sharedFrameOf } from './shared-frame.ts';
import { sweepStats } from './sweep-stats.ts';

const WORKERS = 2;

export default defineBench(async (ctx) => {
  const { frame, shared } = sharedFrameOf(ctx.frame1m());
  const n = frame.length;
  const params: ParamValues[] = [];
  for (let fast = 5; fast <= 50; fast += 5) for (let slow = 60; slow <= 240; slow += 20) params.push(smaCross.resolveParams({ fast, slow }));
  const combos = params.length;
  const start = 240;
  const fill = { ...DEFAULT_FILL_CONFIG };
  const pool = await SweepPool.create(WORKERS);
  let sink = 0;
  const wall: number[] = [];

  const spec = { start, initialCash: fill.initialCash, feeRate: fill.feeRate, periodsPerYear: periodsPerYear(frame.timeframe), timeframeMs: timeframeMs(frame.timeframe) };
  const pairs = params.map((p) => [p.fast as number, p.slow as number] as const);
  const baseline = new Worker(new URL('./worker-boot.mjs', import.meta.url), { workerData: { entry: './hand-fused-worker.ts' } });
  baseline.unref();
  const handFused = (): Promise<number> => new Promise((resolve, reject) => {
    const done = (v: number) => { baseline.off('error', fail); resolve(v); };
    const fail = (e: Error) => { baseline.off('message', done); reject(e); };
    baseline.once('message', done);
    baseline.once('error', fail);
    baseline.postMessage({ frame: shared, spec, pairs } satisfies HandFusedJob);
  });

  return [
    {
      name: 'sweep.hand-fused',
      bars: n,
      clock: 'cpu' as const,
      samples: 5,
      run: async () => {
        sink += await handFused();
        return sink;
      },
      extra: (ms) => ({ combos, cpuMsPerCombo: Number((ms / combos).toFixed(3)) }),
    },
    {
      name: 'sweep.sma-cross',
      bars: n,
      baseline: 'sweep.hand-fused',
      clock: 'cpu' as const,
      samples: 9,
      run: async () => {
        const w0 = performance.now();
        const r = await sweepStats({ strategy: smaCross, strategyRef: 'sma-cross', cwd: process.cwd(), frame, start, end: n, params, fill, workers: WORKERS, pool });
        wall.push(performance.now() - w0);
        sink += r.values[0];
        return sink;
      },
      extra: (ms) => {
        const w = wall.slice(-9).sort((x, y) => x - y)[4]; // the sampled runs (after warm-up)
        return { combos, workers: WORKERS, combosPerSec: Math.round(combos / (w / 1000)), wallMs: Number(w.toFixed(1)), cpuMsPerCombo: Number((ms / combos).toFixed(3)) };
      },
      teardown: async () => { await pool.close(); await baseline.terminate(); },
    },
  ];
});
