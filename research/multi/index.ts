// Many markets: the same backtest over several symbols or data files, each with its run folder, plus a summary.
export { marketSpecsFrom, dataFiles, type MarketArgs, type ToDataSpec } from './markets.ts';
export { runMultiBacktest, averageStats, marketLabels, AVERAGE_NOTE, SUMMARY_COLUMNS, type AverageStats, type MultiBacktestRun, type MultiBacktestSpec } from './run-multi.ts';
export { printMulti } from './print.ts';
