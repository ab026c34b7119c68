// Public surface of parameter sweeps (research side: data loading, worker pool, results folder).
export { runSweep, planCombos, resultColumns, PLATEAU_DEFINITION, type SweepSpec, type SweepDeps, type SweepRun, type SweepManifest } from './run-sweep.ts';
export { sweepStats, resolveWorkers, type SweepStatsOptions, type SweepStatsResult } from './sweep-stats.ts';
export { SweepPool, type PoolProgress } from './pool.ts';
export { shareFrame, sharedFrameOf, frameFromShared, type SharedFrame } from './shared-frame.ts';
export { writeParquet, readParquet, type TableColumn, type ColumnType } from './parquet.ts';
export { renderSweepReport } from './report.ts';
export { createProgress, type Progress } from './progress.ts';
