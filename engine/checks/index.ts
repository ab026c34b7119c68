// Bias checks and resampling as pure kernels: look-ahead with blame, indicator warm-up, Monte Carlo over trades.
export {
  checkLookahead, indicatorColumns, stratifiedCuts, DEFAULT_LOOKAHEAD_CUTS,
  type DecisionPath, type IndicatorChange, type LookaheadBlame, type LookaheadCause, type LookaheadCheck,
  type LookaheadCheckOptions, type LookaheadFinding, type LookaheadVariant,
} from './lookahead.ts';
export { checkWarmup, historyNeeded, DEFAULT_WARMUP_TOLERANCE, type IndicatorWarmup, type WarmupCheck, type WarmupCheckOptions } from './warmup.ts';
export {
  compoundPath, distribution, monteCarloTrades, percentile, percentileRank, tradeReturnsFromPnl, validateMonteCarlo,
  MAX_MONTE_CARLO_SAMPLES, MONTE_CARLO_MODES, MONTE_CARLO_PERCENTILES,
  type Distribution, type MonteCarloMode, type MonteCarloOptions, type MonteCarloSamples, type PathStats,
} from './montecarlo.ts';
