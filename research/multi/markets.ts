/**
 * Which markets a `backtest --symbols …` / `--data a,b` run covers, as one DataSpec each:
 *   --symbols BTC/USDT,ETH/USDT --exchange binance --timeframe 1h   cached candles, one series per symbol
 *   --data a.json,b.json   or   --data a.json --data b.json          files (labels inferred from the names)
 *   --data a.json,b.json --symbols BTC/USDT,ETH/USDT                 files labelled in order by the symbols
 * A --data value that is itself an existing file is never split at its commas.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { usageError } from '../../engine/index.ts';
import type { DataSpec } from '../backtest.ts';

export interface MarketArgs {
  readonly data?: string | readonly string[];
  readonly symbols?: string;
  readonly exchange?: string;
  readonly symbol?: string;
  readonly timeframe?: string;
}

const list = (s: string) => s.split(',').map((x) => x.trim()).filter((x) => x !== '');

/** The data files named by --data (repeated and/or comma-separated), in order. */
export function dataFiles(data: MarketArgs['data']): string[] {
  if (data === undefined) return [];
  const values = typeof data === 'string' ? [data] : [...data];
  return values.flatMap((v) => (existsSync(resolve(String(v))) ? [String(v)] : list(String(v))));
}

/** How one market's flags become a DataSpec (the CLI passes `dataSpecFrom` of research/commands/backtest.ts). */
export type ToDataSpec = (a: { data?: string; exchange?: string; symbol?: string; timeframe?: string }) => DataSpec;

/** One DataSpec per market; several when --symbols or several --data files are given. */
export function marketSpecsFrom(a: MarketArgs, dataSpecFrom: ToDataSpec): DataSpec[] {
  const files = dataFiles(a.data);
  if (a.symbols !== undefined) {
    if (a.symbol !== undefined) throw usageError('SYMBOL_AND_SYMBOLS', 'pass either --symbol (one market) or --symbols (several, comma-separated), not both');
    const symbols = list(a.symbols);
    if (symbols.length === 0) throw usageError('EMPTY_SYMBOLS', '--symbols needs at least one symbol, e.g. --symbols BTC/USDT,ETH/USDT');
    const dup = symbols.find((s, k) => symbols.indexOf(s) !== k);
    if (dup) throw usageError('DUPLICATE_MARKET', `--symbols lists ${dup} twice`);
    if (files.length) {
      if (files.length !== symbols.length) {
        throw usageError('SYMBOLS_DATA_MISMATCH', `--symbols names ${symbols.length} symbols but --data names ${files.length} files; with files, --symbols labels each file in order (give one symbol per file), or leave --symbols out`);
      }
      return files.map((f, k) => dataSpecFrom({ data: f, exchange: a.exchange, symbol: symbols[k], timeframe: a.timeframe }));
    }
    return symbols.map((s) => dataSpecFrom({ exchange: a.exchange, symbol: s, timeframe: a.timeframe }));
  }
  if (files.length > 1) {
    const dup = files.find((f, k) => files.findIndex((g) => resolve(g) === resolve(f)) !== k);
    if (dup) throw usageError('DUPLICATE_MARKET', `--data lists ${dup} twice`);
    return files.map((f) => dataSpecFrom({ data: f, exchange: a.exchange, symbol: a.symbol, timeframe: a.timeframe }));
  }
  return [dataSpecFrom({ data: files[0], exchange: a.exchange, symbol: a.symbol, timeframe: a.timeframe })];
}
