/**
 * Download candles with ccxt into the cache (CONVENTIONS §9): `fetchOHLCV(symbol, timeframe, since, limit)`
 * paged by `since` until `to` (or the last closed candle), resuming after the cached run that contains `from`.
 * Each page is written to the cache as soon as it arrives, so an interruption keeps what was fetched. The last,
 * still-open candle (ts + timeframe > now) is never stored. NetworkError and its subclasses (RateLimitExceeded,
 * RequestTimeout, ExchangeNotAvailable, ...) are retried with exponential backoff and jitter; anything else
 * fails at once. Clock, sleep and randomness are injected, so tests run offline and instantly.
 */
import ccxt, { type Exchange, type OHLCV } from 'ccxt';
import { TradelabError, closeMatches, didYouMean, makeFrame, timeframeMs, usageError, type CandleFrame } from '../engine/index.ts';
import { coverage, writeCandles } from './cache/index.ts';
import { isoTs } from './gaps.ts';

export interface FetchDeps {
  /** Wall clock, epoch ms. */
  now: () => number;
  sleep: (ms: number) => Promise<void>;
  /** Uniform [0, 1), for backoff jitter. */
  random: () => number;
}

export const realFetchDeps: FetchDeps = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
  random: () => Math.random(),
};

export interface FetchProgress {
  /** Candles written so far in this run. */
  fetched: number;
  pages: number;
  /** Open time of the next candle to ask for. */
  since: number;
  startTs: number;
  endTs: number;
  /** 0..1 of the requested time span covered. */
  fraction: number;
  /** Set when a request failed and will be retried. */
  retry?: { attempt: number; delayMs: number; error: string };
}

export interface FetchOptions {
  /** A ccxt exchange instance (see createExchange). */
  exchange: Exchange;
  symbol: string;
  timeframe: string;
  /** First candle open time wanted (epoch ms). */
  from: number;
  /** Last candle open time wanted (epoch ms, inclusive); default: the last closed candle. */
  to?: number;
  cacheDir: string;
  /** Candles per request; default the exchange's documented maximum (ccxt `features`), else 1000. */
  limit?: number;
  /** Retries per request for network errors; default 5. */
  maxRetries?: number;
  /** First backoff delay; default 1000 ms, doubled per attempt, times a jitter in [0.5, 1.5), capped at maxDelayMs. */
  baseDelayMs?: number;
  maxDelayMs?: number;
  onProgress?: (p: FetchProgress) => void;
}

export interface FetchResult {
  exchange: string;
  symbol: string;
  timeframe: string;
  /** What was asked for: first and last candle open time (epoch ms). */
  startTs: number;
  endTs: number;
  /** Where this run started asking (after the cached prefix), or null when everything was already cached. */
  resumedFrom: number | null;
  pages: number;
  /** Candles received within the range and written. */
  fetched: number;
  added: number;
  changed: number;
  retries: number;
}

/** A ccxt exchange with its rate limiter on. An unknown id is a usage error with a did-you-mean. */
export function createExchange(id: string): Exchange {
  const ids = ccxt.exchanges as string[];
  if (!ids.includes(id)) {
    throw usageError('UNKNOWN_EXCHANGE', `unknown exchange '${id}'.${didYouMean(id, ids)} Exchanges are ccxt ids such as binance, bybit, kraken, okx (${ids.length} in all).`, { exchange: id });
  }
  const Ctor = (ccxt as unknown as Record<string, new (cfg: object) => Exchange>)[id];
  return new Ctor({ enableRateLimit: true });
}

const errorName = (e: unknown): string => (e instanceof Error ? `${e.constructor.name}: ${e.message}` : String(e));

/** Map a ccxt error that is not retried (or retried out) to a TradelabError, keeping it as the cause. */
function venueError(e: unknown, ex: Exchange, what: string): unknown {
  if (e instanceof TradelabError) return e;
  if (e instanceof ccxt.BadSymbol) return usageError('BAD_SYMBOL', `${ex.id}: ${(e as Error).message}`);
  if (e instanceof ccxt.NetworkError) return new TradelabError('VENUE_UNAVAILABLE', 'venue-unavailable', `${ex.id} ${what} failed after retries: ${errorName(e)}`, { cause: e });
  if (e instanceof ccxt.BaseError) return new TradelabError('VENUE_REJECTED', 'venue-rejected', `${ex.id} ${what} was rejected: ${errorName(e)}`, { cause: e });
  return e;
}

/**
 * Page through fetchOHLCV into the cache. Returns counts; throws a usage error for a bad symbol or timeframe,
 * a venue error when retries run out.
 */
export async function fetchCandles(opts: FetchOptions, deps: FetchDeps = realFetchDeps): Promise<FetchResult> {
  const { exchange: ex, symbol, timeframe, cacheDir } = opts;
  const step = timeframeMs(timeframe);
  if (ex.timeframes && Object.keys(ex.timeframes).length && !(timeframe in ex.timeframes)) {
    throw usageError('UNSUPPORTED_TIMEFRAME', `${ex.id} has no ${timeframe} candles; it offers ${Object.keys(ex.timeframes).join(', ')}`);
  }
  if (!Number.isFinite(opts.from)) throw usageError('BAD_FROM', `--from must be a date such as 2021-01-01`);
  const maxRetries = opts.maxRetries ?? 5, base = opts.baseDelayMs ?? 1000, cap = opts.maxDelayMs ?? 30_000;
  let retries = 0;
  const withRetry = async <T>(what: string, fn: () => Promise<T>, progress: Omit<FetchProgress, 'retry'>): Promise<T> => {
    for (let attempt = 0; ; attempt++) {
      try {
        return await fn();
      } catch (e) {
        if (!(e instanceof ccxt.NetworkError) || attempt >= maxRetries) throw venueError(e, ex, what);
        const delayMs = Math.round(Math.min(cap, base * 2 ** attempt) * (0.5 + deps.random()));
        retries++;
        opts.onProgress?.({ ...progress, retry: { attempt: attempt + 1, delayMs, error: errorName(e) } });
        await deps.sleep(delayMs);
      }
    }
  };

  const now = deps.now();
  if (opts.to !== undefined && opts.to < opts.from) throw usageError('BAD_RANGE', `--to (${isoTs(opts.to)}) is before --from (${isoTs(opts.from)})`);
  if (opts.from > now - step) throw usageError('BAD_FROM', `--from (${isoTs(opts.from)}) leaves no closed ${timeframe} candle before now (${isoTs(now)})`);
  const lastClosed = now - step; // a candle is closed when ts + step <= now
  const startTs = opts.from;
  const endTs = Math.min(opts.to ?? lastClosed, lastClosed);
  const result: FetchResult = { exchange: ex.id, symbol, timeframe, startTs, endTs, resumedFrom: null, pages: 0, fetched: 0, added: 0, changed: 0, retries: 0 };
  const progress = (since: number): Omit<FetchProgress, 'retry'> => ({
    fetched: result.fetched, pages: result.pages, since, startTs, endTs,
    fraction: endTs > startTs ? Math.min(1, Math.max(0, (since - startTs) / (endTs - startTs + step))) : 1,
  });

  const markets = await withRetry('loadMarkets', () => ex.loadMarkets(), progress(startTs));
  if (!(symbol in markets)) {
    const near = closeMatches(symbol, Object.keys(markets), 5);
    throw usageError('BAD_SYMBOL', `${ex.id} has no market '${symbol}'.${near.length ? ` Close matches: ${near.join(', ')}.` : ''} Symbols look like BTC/USDT (spot) or BTC/USDT:USDT (perpetual).`, { exchange: ex.id, symbol, closeMatches: near });
  }

  // Resume: skip the cached run that already covers `from`.
  let since = startTs;
  const cov = await coverage(cacheDir, { exchange: ex.id, symbol, timeframe });
  const run = cov.ranges.find((r) => r.fromTs <= startTs && startTs <= r.toTs + step);
  if (run) since = Math.max(since, run.toTs + step);
  if (since > endTs) return { ...result, retries };
  result.resumedFrom = since;

  const limit = opts.limit ?? (ex.features as { spot?: { fetchOHLCV?: { limit?: number } } } | undefined)?.spot?.fetchOHLCV?.limit ?? 1000;
  while (since <= endTs) {
    const page = await withRetry(`fetchOHLCV ${symbol} ${timeframe} since ${isoTs(since)}`, () => ex.fetchOHLCV(symbol, timeframe, since, limit), progress(since));
    result.pages++;
    if (page.length === 0) break;
    const frame = pageFrame(ex.id, symbol, timeframe, page, since, endTs);
    if (frame.length > 0) {
      const w = await writeCandles(cacheDir, frame);
      result.fetched += frame.length;
      result.added += w.added;
      result.changed += w.changed;
    }
    let lastTs = -Infinity;
    for (const r of page) if (Number(r[0]) > lastTs) lastTs = Number(r[0]);
    if (!(lastTs >= since)) break; // the exchange ignored `since`: stop rather than loop
    since = lastTs + step;
    opts.onProgress?.(progress(since));
  }
  opts.onProgress?.({ ...progress(Math.min(since, endTs)), fraction: 1 }); // done (also when the exchange had no more)
  return { ...result, retries };
}

/** The rows of a page inside [since, endTs], sorted, one per timestamp (the later row wins). */
function pageFrame(exchange: string, symbol: string, timeframe: string, page: OHLCV[], since: number, endTs: number): CandleFrame {
  const rows = page.filter((r) => Number(r[0]) >= since && Number(r[0]) <= endTs).sort((a, b) => Number(a[0]) - Number(b[0]));
  const uniq: OHLCV[] = [];
  for (const r of rows) {
    if (uniq.length && uniq[uniq.length - 1][0] === r[0]) uniq[uniq.length - 1] = r; else uniq.push(r);
  }
  const n = uniq.length;
  const cols = { ts: new Float64Array(n), open: new Float64Array(n), high: new Float64Array(n), low: new Float64Array(n), close: new Float64Array(n), volume: new Float64Array(n) };
  for (let i = 0; i < n; i++) {
    const r = uniq[i];
    cols.ts[i] = Number(r[0]); cols.open[i] = Number(r[1]); cols.high[i] = Number(r[2]);
    cols.low[i] = Number(r[3]); cols.close[i] = Number(r[4]); cols.volume[i] = r[5] == null ? NaN : Number(r[5]);
  }
  return makeFrame({ exchange, symbol, timeframe }, cols);
}
