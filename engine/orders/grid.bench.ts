// backtest.grid: the default grid over one year of synthetic 1m bars, against the single-pass floor.
import { defineBench } from '../../bench/harness.ts';
import { grid } from '../strategies-orders/grid.ts';
import { marketSpec } from './market-spec.ts';
import { runOrderBacktest } from './simulator.ts';

export default defineBench((ctx) => {
  const frame = ctx.frame1m();
  const spec = marketSpec(frame.symbol);
  let fills = 0;
  return [{
    name: 'backtest.grid',
    bars: frame.length,
    baseline: 'floor.single-pass',
    clock: 'cpu', // single-threaded (GC helper threads are counted too); see bench/run.ts
    run: () => {
      const r = runOrderBacktest(grid, [{ frame, spec }], {}, { initialCash: 100_000 });
      fills = r.totals.fills;
      return r;
    },
    extra: (ms) => ({ fills, barsPerSec: Math.round(frame.length / (ms / 1000)) }),
  }];
});
