// Order strategies (grid, range-grid, dca, twap, vwap) through `tradelab backtest`: one run over every market, one budget.
export { runOrderStrategyBacktest, type OrderBacktestSpec, type OrderBacktestRun, type OrderManifest, type OrderMarketData } from './run-orders.ts';
export { handleOrderBacktest, type OrderCliArgs } from './command.ts';
export { orderOptions, explicitOptions, ORDER_FLAGS, type OrderArgs } from './options.ts';
export { readSpecFile, resolveMarketSpec, specFromFlags, SPEC_FIELDS, SPEC_FLAGS, type SpecFile, type SpecOverrides } from './market-specs.ts';
export { orderRunStats, lotAsTrade, closedLots, type OrderRunStats, type OrderExtras, type MarketExtras } from './order-stats.ts';
export { writeOrderRunFolder, ordersCsv, orderFillsCsv, lotsCsv, rejectedCsv, holdPeriodsCsv, cyclesCsv, seriesColumns } from './write-orders.ts';
export { printOrderRun } from './print.ts';
