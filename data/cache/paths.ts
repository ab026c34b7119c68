/**
 * Cache layout: `<cacheDir>/candles/<exchange>/<symbol>/<timeframe>/<year>.parquet`, one Parquet file per UTC
 * year so that appending to a long 1m series rewrites one year, not everything. `<symbol>` is the ccxt symbol
 * with `/` → `_` and `:` → `__` (BTC/USDT → BTC_USDT, BTC/USDT:USDT → BTC_USDT__USDT); `series.json` beside the
 * year files keeps the exact labels.
 */
import { join } from 'node:path';
import { timeframeMs, usageError, type FrameLabels } from '../../engine/index.ts';

export type SeriesKey = FrameLabels;

const SAFE = /^[A-Za-z0-9._-]+$/;

export function symbolDir(symbol: string): string {
  return symbol.replace(/:/g, '__').replace(/\//g, '_');
}

/** Validate a key (timeframe known, names usable as folder names) and return its folder. */
export function seriesDir(cacheDir: string, key: SeriesKey): string {
  timeframeMs(key.timeframe);
  const sym = symbolDir(key.symbol);
  if (!SAFE.test(key.exchange)) throw usageError('BAD_EXCHANGE_NAME', `exchange '${key.exchange}' must be letters, digits, '.', '_' or '-' (a ccxt id such as binance)`);
  if (!SAFE.test(sym)) throw usageError('BAD_SYMBOL_NAME', `symbol '${key.symbol}' must look like BASE/QUOTE or BASE/QUOTE:SETTLE with letters and digits`);
  return join(cacheDir, 'candles', key.exchange, sym, key.timeframe);
}

export const yearFile = (dir: string, year: number): string => join(dir, `${year}.parquet`);
export const yearStart = (year: number): number => Date.UTC(year, 0, 1);
export const yearOf = (ts: number): number => new Date(ts).getUTCFullYear();
