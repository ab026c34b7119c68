/**
 * The sweep benchmark: 100 SMA-cross pairs (fast 5..50 step 5 × slow 60..240 step 20) over one year of synthetic 1m
 * bars (525,600), measured from bar 240 (the largest warm-up) to the end.
 *
 * - `sweep.hand-fused`: a hand-fused loop per combination — SMAs by running sums, cross decisions, next-open fills
 *   with fees, equity marks, Sharpe (return moments) and max drawdown in ONE loop — over the same 100 combinations,
 *   on the main thread (one thread). medianMs is for all 100 combinations.
 * - `sweep.sma-cross`: the real sweep (sweepStats: shared SMA columns computed once per sweep on the main thread into
 *   shared memory, the 100 combinations on a warm pool of 2 worker threads, every Stats field per combination,
 *   identical to runSignalBacktest + computeStats). medianMs is the wall-clock time for all 100 combinations.
 *
 * Normalisation: both cases are timed on the harness's CPU clock (`clock: 'cpu'`: the CPU time of this whole
 * process, every thread, during one run), and both medians are for the same 100 combinations. So
 *   ratio = medianMs(sweep.sma-cross) / medianMs(sweep.hand-fused)   (paired rounds, see bench/run.ts)
 * is exactly the CPU cost per combination of the sweep (main-thread indicator sharing + both workers + messaging)
 * over the CPU cost per combination of the single-threaded hand-fused loop — independent of how many cores the
 * sweep used, and robust to other processes competing for the cores. The throughput target is on the wall clock:
 * each sweep run also measures its own wall time, and
 *   combosPerSec = 100 / (median wall ms of the sampled runs / 1000),  wallMs = that median,
 *   cpuMsPerCombo = medianMs / 100.
 */
import { defineBench } from '../../bench/harness.ts';
import { DEFAULT_FILL_CONFIG, periodsPerYear, smaCross, timeframeMs, type ParamValues } from '../../engine/index.ts';
import { handFusedStats, smaColumns } from './hand-fused.ts';
import { SweepPool } from './pool.ts';
import { sharedFrameOf } from './shared-frame.ts';
import { sweepStats } from './sweep-stats.ts';

const WORKERS = 2;

export default defineBench(async (ctx) => {
  const { frame } = sharedFrameOf(ctx.frame1m());
  const n = frame.length;
  const params: ParamValues[] = [];
  for (let fast = 5; fast <= 50; fast += 5) for (let slow = 60; slow <= 240; slow += 20) params.push(smaCross.resolveParams({ fast, slow }));
  const combos = params.length;
  const start = 240;
  const fill = { ...DEFAULT_FILL_CONFIG };
  const pool = await SweepPool.create(WORKERS);
  let sink = 0;
  const wall: number[] = [];

  const spec = { frame, start, initialCash: fill.initialCash, feeRate: fill.feeRate, periodsPerYear: periodsPerYear(frame.timeframe), timeframeMs: timeframeMs(frame.timeframe) };
  const lengths = [...new Set(params.flatMap((p) => [p.fast as number, p.slow as number]))];
  const cols = new Map<number, Float64Array>();

  return [
    {
      name: 'sweep.hand-fused',
      bars: n,
      clock: 'cpu' as const,
      samples: 5,
      run: () => {
        smaColumns(frame, lengths, cols); // each distinct SMA once per sweep, as the product does
        for (const p of params) sink += handFusedStats(spec, cols.get(p.fast as number)!, cols.get(p.slow as number)!).sharpe;
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
      teardown: () => pool.close(),
    },
  ];
});
