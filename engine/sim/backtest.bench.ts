// The full SMA-cross backtest through the public API (indicators + simulation + statistics) on one year of
// 1m bars, against the single-pass floor; and a hand-fused loop doing the same work in one pass, for reference.
import { Type } from '@sinclair/typebox';
import { defineBench } from '../../bench/harness.ts';
import { sma } from '../indicators/index.ts';
import { defineStrategy, goFlat, goLong } from '../strategy.ts';
import { computeStats, statsInputFromSim } from '../metrics/index.ts';
import { DEFAULT_FILL_CONFIG, runSignalBacktest } from './index.ts';

const FAST = 10;
const SLOW = 30;

/** Long while the fast SMA is above the slow one, flat while below (the bench's own copy of an SMA cross). */
const smaCross = defineStrategy({
  id: 'bench-sma-cross', version: '1.0.0', description: 'SMA cross for the benchmark',
  params: Type.Object({ fast: Type.Integer({ default: FAST, minimum: 1 }), slow: Type.Integer({ default: SLOW, minimum: 2 }) }),
  warmup: (p) => p.slow,
  indicators: (f, p) => ({ fast: sma(f.close, p.fast), slow: sma(f.close, p.slow) }),
  decide: ({ i, ind }) => (ind.fast[i] > ind.slow[i] ? goLong() : ind.fast[i] < ind.slow[i] ? goFlat() : undefined),
  signals: (f, ind) => {
    const out = new Float64Array(f.length);
    const a = ind.fast, b = ind.slow;
    for (let i = 0; i < out.length; i++) out[i] = a[i] > b[i] ? 1 : a[i] < b[i] ? 0 : NaN;
    return out;
  },
});

export default defineBench((ctx) => {
  const f = ctx.frame1m();
  const params = smaCross.resolveParams();
  const config = { ...DEFAULT_FILL_CONFIG };
  let sink = 0;
  return [
    {
      name: 'backtest.sma-cross',
      bars: f.length,
      baseline: 'floor.single-pass',
      run: () => {
        const r = runSignalBacktest(smaCross, f, params, config, { startIndex: smaCross.warmup(params) });
        const s = computeStats(statsInputFromSim(r, f, config));
        sink += s.equityFinal;
        return sink;
      },
    },
    {
      name: 'backtest.hand-fused',
      bars: f.length,
      baseline: 'floor.single-pass',
      run: () => {
        // SMAs by running sums, next-open fills with fees, equity marks, return moments and drawdown: one loop.
        const { open, close } = f;
        const n = f.length;
        const fee = config.feeRate;
        let sf = 0, ss = 0, cash = config.initialCash, pos = 0, want = 0;
        let prev = cash, sum = 0, sumSq = 0, peak = cash, maxDd = 0, trades = 0;
        for (let i = 0; i < n; i++) {
          if (want !== (pos > 0 ? 1 : 0)) {
            const px = open[i];
            if (want === 1) { pos = cash / (px * (1 + fee)); cash -= pos * px * (1 + fee); } else { cash += pos * px * (1 - fee); pos = 0; trades++; }
          }
          const c = close[i];
          sf += c; ss += c;
          if (i >= FAST) sf -= close[i - FAST];
          if (i >= SLOW) ss -= close[i - SLOW];
          if (i >= SLOW - 1) { const a = sf / FAST, b = ss / SLOW; want = a > b ? 1 : a < b ? 0 : want; }
          const e = cash + pos * c;
          const r = e / prev - 1;
          sum += r; sumSq += r * r; prev = e;
          if (e > peak) peak = e; else if (e / peak - 1 < maxDd) maxDd = e / peak - 1;
        }
        sink += sum + sumSq + maxDd + trades;
        return sink;
      },
    },
  ];
});
