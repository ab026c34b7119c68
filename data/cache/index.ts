export { writeCandles, loadRange, coverage, coverageGaps, listCoverage, listSeriesKeys, type WriteResult, type RangeQuery, type CoverageRange, type SeriesCoverage } from './store.ts';
export { seriesDir, symbolDir, type SeriesKey } from './paths.ts';
