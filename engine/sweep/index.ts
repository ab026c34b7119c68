// Public surface of the sweep kernels: grids, constraints, the one-pass statistics kernel, plateau and deflated Sharpe.
export { parseGridSpec, parseGrids, expandCombos, productSize, SWEEP_MODES, MAX_COMBOS, MAX_AXIS_VALUES, type GridAxis, type Combo, type ExpandOptions, type SweepMode } from './grid.ts';
export { parseConstraint, type ParsedConstraint } from './constraint.ts';
export { STAT_KEYS, LOWER_IS_BETTER, metricDirection, parseMetric, rankRows } from './metric.ts';
export { signalRunStats, SignalRun } from './signal-stats.ts';
export { CrossRun, crossTargetAt, markHeldUntilCross, nextCross, nextCrossBelow } from './cross-run.ts';
export { runComboStats, runCombosStats, createScratch, SWEEP_BLOCK_BARS, type ComboScratch } from './run-combo.ts';
export { createMemo, type CountingMemo, type MemoOptions } from './memo.ts';
export { plateauAround, type Plateau } from './plateau.ts';
export { deflatedSharpe, expectedMaxSharpe, normalCdf, normalQuantile, sampleVariance, returnMoments, EULER_GAMMA, type DeflatedSharpe, type DeflatedSharpeInput, type ReturnMoments } from './deflated-sharpe.ts';
export { seededRandom } from '../random.ts';
