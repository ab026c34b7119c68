// Public surface of the signal simulator.
export { DEFAULT_FILL_CONFIG, validateFillConfig, roundDownToLot, type FillConfig } from './fill-config.ts';
export type { Fill, Trade, TradeColumns, OpenPosition, SkippedOrder, SimResult } from './sim-result.ts';
export { runSignalBacktest, REASON_END, type SignalBacktestOptions } from './signal-backtest.ts';
export { findSimLookAhead, perturbAfter, diffSimUpTo, type SimLookAheadOptions, type SimLookAheadVariant, type SimLookAheadViolation } from './look-ahead.ts';
