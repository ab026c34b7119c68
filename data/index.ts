// Public surface of data/: candle import, validation, gaps, Arrow conversion, the DuckDB/Parquet cache, ccxt download.
export { frameFromArrow, frameToArrow } from './arrow.ts';
export { applyGapPolicy, describeGaps, findGaps, forwardFill, frameGaps, GAP_POLICIES, type Gap, type GapPolicy, type GapReport } from './gaps.ts';
export { assertValid, describeProblems, validateFrame, type Problem, type ProblemKind, type ValidationReport } from './validate.ts';
export * from './import/index.ts';
export * from './cache/index.ts';
export { createExchange, fetchCandles, realFetchDeps, type FetchDeps, type FetchOptions, type FetchProgress, type FetchResult } from './fetch.ts';
export { frameHash, loadCandles, type CandleSource, type LoadRange, type LoadedCandles } from './load-candles.ts';
