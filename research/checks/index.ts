// Bias checks of the research CLI: look-ahead (with blame) and indicator warm-up, as factories the CLI and tests call.
export { loadCheckInput, describeInput, type CheckDeps, type CheckInput, type CheckSpec } from './load.ts';
export { runLookaheadCheck, findingJson, MAX_FINDINGS_KEPT, type LookaheadCheckResult, type LookaheadCheckSpec } from './lookahead.ts';
export { runWarmupCheck, type WarmupCheckResult, type WarmupCheckSpec } from './warmup.ts';
export { createResultDir, stampOf, slugOf, writeAtomic } from './result-dir.ts';
