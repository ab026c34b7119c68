// Monte Carlo over a backtest run's trades: runMonteCarlo (reads the run folder, writes montecarlo.json and .html).
export { runMonteCarlo, resolveRunDir, readTradePnl, RESHUFFLE_NOTE, DRAWDOWN_NOTE, type MonteCarloDeps, type MonteCarloResult, type MonteCarloSpec } from './run-montecarlo.ts';
export { renderMonteCarloReport, histogram, HISTOGRAM_BINS } from './report.ts';
