// Order-level strategies (kind 'orders'): grid, range-grid, dca, twap, vwap, and their reports.
import type { AnyStrategy } from '../strategy.ts';
import { dca } from './dca.ts';
import { grid } from './grid.ts';
import { rangeGrid } from './range-grid.ts';
import { twap, vwap } from './twap.ts';

export { grid, gridParams, GridMarket, type GridParams, type GridState } from './grid.ts';
export { rangeGrid, rangeGridParams, rangeLevels, rangeGridCycles, type RangeGridParams, type GridCycle } from './range-grid.ts';
export { dca, dcaParams, type DcaParams } from './dca.ts';
export { twap, vwap, twapParams, vwapParams, vwapWeights, executionReport, type ExecParams, type ExecutionReport } from './twap.ts';

export { orderStrategyReport, expandStepSeries, type OrderStrategyReport } from './report.ts';

export const orderStrategies: readonly AnyStrategy[] = [grid, rangeGrid, dca, twap, vwap];
