// The full SMA-cross backtest through the public API (the built-in strategy's indicators and signals +
// simulation + statistics) on one year of 1m bars, against the single-pass floor; the same with reused output
// buffers (as a parameter sweep runs); and a hand-fused loop doing comparable work in one pass, for reference.
import { defineBench } from '../../bench/harness.ts';
import { computeStats, statsInputFromSim } from '../metrics/index.ts';
import { findBuiltinStrategy } from '../strategies/index.ts';
import { DEFAULT_FILL_CONFIG, runSignalBacktest } from './index.ts';

const smaCross = findBuiltinStrategy('sma-cross')!;

export default defineBench((ctx) => {
  const f = ctx.frame1m();
  const params = smaCross.resolveParams();
  const config = { ...DEFAULT_FILL_CONFIG };
  const out = { equity: new Float64Array(f.length), position: new Float64Array(f.length) };
  let sink = 0;
  return [
    {
      name: 'backtest.sma-cross',
      bars: f.length,
      clock: 'cpu',
      baseline: 'floor.single-pass',
      run: () => {
        const r = runSignalBacktest(smaCross, f, params, config, { startIndex: smaCross.warmup(params) });
        const s = computeStats(statsInputFromSim(r, f, config));
        sink += s.equityFinal;
        return sink;
      },
    },
    {
      // The same with the simulator writing its curves into reused buffers, as a parameter sweep would.
      name: 'backtest.sma-cross.reuse',
      bars: f.length,
      clock: 'cpu',
      baseline: 'floor.single-pass',
      run: () => {
        const r = runSignalBacktest(smaCross, f, params, config, { startIndex: smaCross.warmup(params), out });
        const s = computeStats(statsInputFromSim(r, f, config));
        sink += s.equityFinal;
        return sink;
      },
    },
    {
      name: 'backtest.hand-fused',
      bars: f.length,
      clock: 'cpu',
      baseline: 'floor.single-pass',
      run: () => {
        // SMAs by running sums, crosses, next-open fills with fees, equity marks, return moments and drawdown: one loop.
        const { open, close } = f;
        const n = f.length;
        const FAST = params.fast as number, SLOW = params.slow as number;
        const fee = config.feeRate;
        let sf = 0, ss = 0, cash = config.initialCash, pos = 0, want = 0;
        let prev = cash, sum = 0, sumSq = 0, peak = cash, maxDd = 0, trades = 0, pa = NaN, pb = NaN;
        for (let i = 0; i < n; i++) {
          if (want !== (pos > 0 ? 1 : 0)) {
            const px = open[i];
            if (want === 1) { pos = cash / (px * (1 + fee)); cash -= pos * px * (1 + fee); } else { cash += pos * px * (1 - fee); pos = 0; trades++; }
          }
          const c = close[i];
          sf += c; ss += c;
          if (i >= FAST) sf -= close[i - FAST];
          if (i >= SLOW) ss -= close[i - SLOW];
          if (i >= SLOW - 1) {
            const a = sf / FAST, b = ss / SLOW;
            if (pa < pb && a > b) want = 1; else if (pa > pb && a < b) want = 0;
            pa = a; pb = b;
          }
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
