/** Load the candles a sweep or walk-forward needs: the range plus `warmupBars` before it, like runBacktest. */
import { timeframeMs, usageError } from '../../engine/index.ts';
import { loadCandles, type GapPolicy, type LoadedCandles } from '../../data/index.ts';
import type { DataSpec } from '../backtest.ts';
import { iso, parseDate } from '../dates.ts';

export async function loadForRun(data: DataSpec, range: { from?: string | number; to?: string | number; warmupBars: number }, gaps: GapPolicy, cacheDir: string): Promise<LoadedCandles> {
  const from = range.from === undefined ? undefined : parseDate(range.from, '--from');
  const to = range.to === undefined ? undefined : parseDate(range.to, '--to');
  if (from !== undefined && to !== undefined && to < from) throw usageError('BAD_RANGE', `--to (${iso(to)}) is before --from (${iso(from)})`);
  const source = 'file' in data ? data : { cacheDir, exchange: data.exchange, symbol: data.symbol, timeframe: data.timeframe };
  const loaded = await loadCandles(source, { from, to, warmupBars: range.warmupBars }, gaps);
  timeframeMs(loaded.frame.timeframe);
  if (loaded.startIndex >= loaded.frame.length - 1) {
    throw usageError('NOT_ENOUGH_DATA', `only ${loaded.frame.length} bars loaded and ${range.warmupBars} are needed for warm-up; widen the range or load more data`);
  }
  return loaded;
}
