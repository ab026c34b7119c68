export { importCandles, parseCandles, type CandleFileFormat, type ParsedCandles, type ParseOptions } from './import-candles.ts';
export { labelsFromFileName, timeframeFromSteps, resolveLabels } from './labels.ts';
export { epochToMs, parseIsoDate, parseTimestamp } from './timestamps.ts';
