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
 * Normalisation: both medians are for the same 100 combinations, so the harness's
 *   ratio = medianMs(sweep.sma-cross) / medianMs(sweep.hand-fused)
 * is the wall-clock cost per combination of the 2-worker sweep over the single-thread cost per combination of the
 * hand-fused loop. Per-combination CPU cost (both workers busy) is twice the sweep's wall clock, reported as
 *   cpuMsPerCombo = 2 × medianMs / 100   and   cpuRatio = 2 × ratio   (sweep CPU per combination ÷ hand-fused per combination).
 * combosPerSec = 100 / (medianMs / 1000).
 */
import { defineBench } from '../../bench/harness.ts';
import { DEFAULT_FILL_CONFIG, smaCross, type ParamValues } from '../../engine/index.ts';
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
  let handMs = NaN;
  let sink = 0;

  const handFused = (FAST: number, SLOW: number): number => {
    const { open, close } = frame;
    const fee = fill.feeRate;
    const invF = 1 / FAST, invS = 1 / SLOW;
    let sf = 0, ss = 0, cash = fill.initialCash, pos = 0, want = 0, held = 0;
    let prev = cash, sum = 0, sumSq = 0, peak = cash, maxDd = 0, trades = 0, pa = NaN, pb = NaN;
    for (let i = 0; i < n; i++) {
      if (i >= start) {
        if (want !== held) { // fill the previous bar's decision at this open
          const px = open[i];
          if (want === 1) { pos = cash / (px * (1 + fee)); cash -= pos * px * (1 + fee); } else { cash += pos * px * (1 - fee); pos = 0; trades++; }
          held = want;
        }
      }
      const c = close[i];
      sf += c; ss += c;
      if (i >= FAST) sf -= close[i - FAST];
      if (i >= SLOW) ss -= close[i - SLOW];
      if (i >= SLOW - 1) {
        const a = sf * invF, b = ss * invS;
        if (i >= start) { if (pa < pb && a > b) want = 1; else if (pa > pb && a < b) want = 0; }
        pa = a; pb = b;
      }
      if (i >= start) {
        const e = cash + pos * c;
        if (e !== prev) { const r = e / prev - 1; sum += r; sumSq += r * r; prev = e; }
        if (e > peak) peak = e; else if (e / peak - 1 < maxDd) maxDd = e / peak - 1;
      }
    }
    const m = n - start, mean = sum / m;
    const sharpe = (mean / Math.sqrt((sumSq - sum * mean) / (m - 1))) * Math.sqrt(525_600);
    return sharpe + maxDd + trades + cash;
  };

  return [
    {
      name: 'sweep.hand-fused',
      bars: n,
      samples: 5,
      run: () => {
        for (const p of params) sink += handFused(p.fast as number, p.slow as number);
        return sink;
      },
      extra: (ms) => { handMs = ms; return { combos, msPerCombo: Number((ms / combos).toFixed(3)), combosPerSec: Math.round(combos / (ms / 1000)) }; },
    },
    {
      name: 'sweep.sma-cross',
      bars: n,
      baseline: 'sweep.hand-fused',
      samples: 7,
      run: async () => {
        const r = await sweepStats({ strategy: smaCross, strategyRef: 'sma-cross', cwd: process.cwd(), frame, start, end: n, params, fill, workers: WORKERS, pool });
        sink += r.values[0];
        return sink;
      },
      extra: (ms) => ({
        combos, workers: WORKERS, combosPerSec: Math.round(combos / (ms / 1000)),
        cpuMsPerCombo: Number(((WORKERS * ms) / combos).toFixed(3)),
        cpuRatio: Number(((WORKERS * ms) / handMs).toFixed(4)),
      }),
      teardown: () => pool.close(),
    },
  ];
});
