// Public surface of the metrics: one pure function of trades and equity (definitions: docs/metrics.md).
export { computeStats, curveStats, type CurveAccumulators, type CurveStats, type Stats, type StatsInput } from './stats.ts';
export { statsInputFromSim } from './from-sim.ts';
export { STAT_LABELS, type StatFormat, type StatLabel } from './stat-labels.ts';
