import type { CandleFrame } from '../frame.ts';
import type { FillConfig } from '../sim/fill-config.ts';
import type { SimResult } from '../sim/sim-result.ts';
import type { StatsInput } from './stats.ts';

/**
 * The computeStats input for a simulator result on `frame`: buy & hold from the first measured bar's open to
 * the last measured bar's close, one open trade when a position is still open. Trades are passed as columns
 * (`tradeColumns`) and the exposure as the simulator's count (`exposureBars`), so neither the result's trade objects
 * nor its position curve are built for statistics alone.
 */
export function statsInputFromSim(result: SimResult, frame: CandleFrame, config: Pick<FillConfig, 'initialCash'>): StatsInput {
  return {
    ts: result.ts, equity: result.equity, exposureBars: result.exposureBars, trades: result.tradeColumns,
    timeframe: frame.timeframe, initialCash: config.initialCash, feesPaid: result.feesPaid,
    skippedOrders: result.skippedOrders, openTrades: result.openPosition ? 1 : 0,
    firstPrice: frame.open[result.startIndex], lastPrice: frame.close[result.endIndex - 1],
  };
}
