// Public surface of walk-forward validation.
export { parseDuration, planFolds, type Fold } from './folds.ts';
export { runWalkForward, paramStability, type WalkForwardSpec, type WalkForwardDeps, type WalkForwardRun, type WalkForwardManifest, type FoldResult, type ParamStability } from './run-walk-forward.ts';
export { renderWalkForwardReport } from './report.ts';
