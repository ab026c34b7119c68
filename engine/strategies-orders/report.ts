/**
 * Strategy-specific additions to an order run's results, for the CLI and report: one call whatever the strategy.
 *  - grid: per market, AnchorHigh / GridTop step series expanded to the run's timeline, and the HOLD periods;
 *  - range-grid: profit per completed grid cycle;
 *  - twap / vwap: the execution quality report per market.
 */
import type { CandleFrame } from '../frame.ts';
import type { HoldPeriod, OrderSimResult, StepSeries } from '../orders/types.ts';
import { rangeGridCycles, type GridCycle } from './range-grid.ts';
import { executionReport, type ExecutionReport } from './twap.ts';

/** A recorded step series at every timestamp of `ts` (NaN before its first point). */
export function expandStepSeries(series: StepSeries | undefined, ts: Float64Array): Float64Array {
  const out = new Float64Array(ts.length).fill(NaN);
  if (!series) return out;
  let k = -1;
  for (let s = 0; s < ts.length; s++) {
    while (k + 1 < series.ts.length && series.ts[k + 1] <= ts[s]) k++;
    if (k >= 0) out[s] = series.value[k];
  }
  return out;
}

export interface OrderStrategyReport {
  readonly strategy: string;
  /** grid: per symbol, AnchorHigh and GridTop on the run's timeline. */
  readonly gridLines?: Record<string, { anchorHigh: Float64Array; gridTop: Float64Array }>;
  readonly holdPeriods?: readonly HoldPeriod[];
  readonly cycles?: { cycles: GridCycle[]; completed: number; profit: number };
  readonly execution?: ExecutionReport[];
}

export function orderStrategyReport(result: OrderSimResult, frames: readonly CandleFrame[]): OrderStrategyReport {
  const id = result.strategy.split('@')[0];
  switch (id) {
    case 'grid': {
      const gridLines: Record<string, { anchorHigh: Float64Array; gridTop: Float64Array }> = {};
      for (const m of result.markets) {
        const s = result.series[m.symbol] ?? {};
        gridLines[m.symbol] = { anchorHigh: expandStepSeries(s.anchorHigh, result.ts), gridTop: expandStepSeries(s.gridTop, result.ts) };
      }
      return { strategy: result.strategy, gridLines, holdPeriods: result.holdPeriods };
    }
    case 'range-grid':
      return { strategy: result.strategy, cycles: rangeGridCycles(result) };
    case 'twap':
    case 'vwap':
      return { strategy: result.strategy, execution: frames.map((f) => executionReport(result, f, Number(result.params.quantity))) };
    default:
      return { strategy: result.strategy };
  }
}
