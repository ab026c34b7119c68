// Order-level strategies (kind 'orders'): grid, range-grid, dca, twap, vwap.
import type { AnyStrategy } from '../strategy.ts';
import { grid } from './grid.ts';

export { grid, gridParams, type GridParams, type GridState } from './grid.ts';

export const orderStrategies: readonly AnyStrategy[] = [grid];
