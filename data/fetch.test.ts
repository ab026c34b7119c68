import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ccxt, { type Exchange } from 'ccxt';
import { sharedFile } from '../test-support/shared-data.ts';
import { coverage, loadRange } from './cache/index.ts';
import { createExchange, fetchCandles, type FetchDeps } from './fetch.ts';

const H = 3_600_000;
const T0 = Date.UTC(2021, 0, 1);
const tmp = () => mkdtempSync(join(tmpdir(), 'tl-fetch-'));

type Kline = (string | number)[];
/** A Binance kline row as the REST API returns it (strings for prices). */
const kline = (ts: number, i: number): Kline => {
  const o = 100 + i, c = 100 + i + 0.5;
  return [ts, o.toFixed(8), (c + 1).toFixed(8), (o - 1).toFixed(8), c.toFixed(8), (10 + (i % 7)).toFixed(8), ts + H - 1, '0', 1, '0', '0', '0'];
};

interface Server {
  ex: Exchange;
  calls: { startTime: number; limit: number }[];
}

/**
 * ccxt's real binance class, offline: markets set by hand, `fetch` serving klines from `candles` keyed by the
 * startTime in the URL. `faults` are thrown (in order) before the matching request is served.
 */
function binance(candles: Kline[], opts: { overlap?: number; faults?: Error[] } = {}): Server {
  const ex = new ccxt.binance({ enableRateLimit: true });
  ex.setMarkets([
    { id: 'BTCUSDT', symbol: 'BTC/USDT', base: 'BTC', quote: 'USDT', baseId: 'BTC', quoteId: 'USDT', type: 'spot', spot: true, active: true, precision: { amount: 0.00001, price: 0.01 }, limits: {} },
    { id: 'ETHUSDT', symbol: 'ETH/USDT', base: 'ETH', quote: 'USDT', baseId: 'ETH', quoteId: 'USDT', type: 'spot', spot: true, active: true, precision: { amount: 0.0001, price: 0.01 }, limits: {} },
  ] as never);
  const calls: Server['calls'] = [];
  const faults = [...(opts.faults ?? [])];
  (ex as unknown as { fetch: (url: string) => Promise<unknown> }).fetch = async (url: string) => {
    const q = new URL(url).searchParams;
    const startTime = Number(q.get('startTime')), limit = Number(q.get('limit'));
    calls.push({ startTime, limit });
    const fault = faults.shift();
    if (fault) throw fault;
    const from = startTime - (opts.overlap ?? 0) * H;
    return candles.filter((k) => Number(k[0]) >= from).slice(0, limit);
  };
  return { ex, calls };
}

const series = (n: number, start = T0) => Array.from({ length: n }, (_, i) => kline(start + i * H, i));

function deps(now: number): FetchDeps & { sleeps: number[] } {
  const sleeps: number[] = [];
  return { now: () => now, sleep: async (ms) => { sleeps.push(ms); }, random: () => 0.5, sleeps };
}

const key = { exchange: 'binance', symbol: 'BTC/USDT', timeframe: '1h' };

describe('fetchCandles (ccxt binance, offline)', () => {
  it('pages by since/limit to the last closed candle and never stores the open one', async () => {
    const dir = tmp();
    const { ex, calls } = binance(series(2500));
    const now = T0 + 2499 * H + 20 * 60_000; // candle 2499 is still open
    const progress: number[] = [];
    const r = await fetchCandles({ exchange: ex, symbol: 'BTC/USDT', timeframe: '1h', from: T0, cacheDir: dir, onProgress: (p) => progress.push(p.fraction) }, deps(now));
    expect(calls.map((c) => c.startTime)).toEqual([T0, T0 + 1000 * H, T0 + 2000 * H]);
    expect(calls[0].limit).toBe(1000);
    expect(r).toMatchObject({ pages: 3, fetched: 2499, added: 2499, changed: 0, retries: 0, resumedFrom: T0, endTs: now - H });
    const f = await loadRange(dir, key);
    expect(f.length).toBe(2499);
    expect(f.ts[2498]).toBe(T0 + 2498 * H);
    expect([f.open[5], f.high[5], f.low[5], f.close[5], f.volume[5]]).toEqual([105, 106.5, 104, 105.5, 15]);
    expect(progress[progress.length - 1]).toBeGreaterThan(0.99);
  });

  it('stops at --to (inclusive) and copes with overlapping pages without duplicates', async () => {
    const dir = tmp();
    const { ex, calls } = binance(series(300), { overlap: 3 });
    const r = await fetchCandles({ exchange: ex, symbol: 'BTC/USDT', timeframe: '1h', from: T0 + 10 * H, to: T0 + 250 * H, cacheDir: dir, limit: 100 }, deps(T0 + 1000 * H));
    expect(calls.map((c) => (c.startTime - T0) / H)).toEqual([10, 107, 204]);
    expect(r).toMatchObject({ fetched: 241, added: 241 });
    const cov = await coverage(dir, key);
    expect(cov.ranges).toEqual([expect.objectContaining({ fromTs: T0 + 10 * H, toTs: T0 + 250 * H, bars: 241 })]);
  });

  it('ends on an empty page when the exchange has nothing more', async () => {
    const dir = tmp();
    const { ex, calls } = binance(series(150));
    const r = await fetchCandles({ exchange: ex, symbol: 'BTC/USDT', timeframe: '1h', from: T0, cacheDir: dir, limit: 100 }, deps(T0 + 1000 * H));
    expect(calls.map((c) => (c.startTime - T0) / H)).toEqual([0, 100, 150]);
    expect(r).toMatchObject({ pages: 3, fetched: 150 });
  });

  it('retries NetworkError / RateLimitExceeded / RequestTimeout with exponential backoff and jitter, then succeeds', async () => {
    const dir = tmp();
    const { ex, calls } = binance(series(50), { faults: [new ccxt.NetworkError('ECONNRESET'), new ccxt.RateLimitExceeded('429'), new ccxt.RequestTimeout('timeout')] });
    const d = deps(T0 + 1000 * H);
    const retries: string[] = [];
    const r = await fetchCandles({ exchange: ex, symbol: 'BTC/USDT', timeframe: '1h', from: T0, cacheDir: dir, limit: 100, baseDelayMs: 100, onProgress: (p) => { if (p.retry) retries.push(p.retry.error); } }, { ...d, random: () => 0.25 });
    expect(r).toMatchObject({ fetched: 50, retries: 3 });
    expect(d.sleeps).toEqual([75, 150, 300]); // 100·2^k·(0.5 + 0.25)
    expect(retries.map((s) => s.split(':')[0])).toEqual(['NetworkError', 'RateLimitExceeded', 'RequestTimeout']);
    expect(calls.length).toBe(5);
  });

  it('gives up after maxRetries with a venue-unavailable error, keeping pages already written', async () => {
    const dir = tmp();
    const { ex } = binance(series(250), { faults: [] });
    let n = 0;
    const orig = (ex as unknown as { fetch: (u: string) => Promise<unknown> }).fetch;
    (ex as unknown as { fetch: (u: string) => Promise<unknown> }).fetch = async (u: string) => {
      if (++n > 1) throw new ccxt.ExchangeNotAvailable('503');
      return orig(u);
    };
    await expect(fetchCandles({ exchange: ex, symbol: 'BTC/USDT', timeframe: '1h', from: T0, cacheDir: dir, limit: 100, maxRetries: 2 }, deps(T0 + 1000 * H)))
      .rejects.toMatchObject({ family: 'venue-unavailable', code: 'VENUE_UNAVAILABLE' });
    expect((await loadRange(dir, key)).length).toBe(100);
  });

  it('resumes after the cached run that covers --from', async () => {
    const dir = tmp();
    const first = binance(series(120));
    await fetchCandles({ exchange: first.ex, symbol: 'BTC/USDT', timeframe: '1h', from: T0, cacheDir: dir, limit: 1000 }, deps(T0 + 120 * H));
    expect((await loadRange(dir, key)).length).toBe(120); // candle 119 closed exactly at now
    const again = binance(series(300));
    const r = await fetchCandles({ exchange: again.ex, symbol: 'BTC/USDT', timeframe: '1h', from: T0, cacheDir: dir, limit: 1000 }, deps(T0 + 300 * H));
    expect(again.calls[0].startTime).toBe(T0 + 120 * H);
    expect(r).toMatchObject({ resumedFrom: T0 + 120 * H, fetched: 180, added: 180 });
    expect((await loadRange(dir, key)).length).toBe(300);
    const noop = binance(series(300));
    expect(await fetchCandles({ exchange: noop.ex, symbol: 'BTC/USDT', timeframe: '1h', from: T0, to: T0 + 200 * H, cacheDir: dir }, deps(T0 + 300 * H))).toMatchObject({ resumedFrom: null, pages: 0 });
    expect(noop.calls).toEqual([]);
  });

  it('a bad symbol fails at once naming close matches; a bad exchange id suggests one', async () => {
    const { ex, calls } = binance(series(10));
    await expect(fetchCandles({ exchange: ex, symbol: 'BTC/USDX', timeframe: '1h', from: T0, cacheDir: tmp() }, deps(T0 + 100 * H)))
      .rejects.toMatchObject({ family: 'usage', code: 'BAD_SYMBOL', message: expect.stringContaining("binance has no market 'BTC/USDX'. Close matches: BTC/USDT") });
    expect(calls).toEqual([]);
    await expect(fetchCandles({ exchange: ex, symbol: 'BTC/USDT', timeframe: '1h', from: T0 + 5 * H, to: T0, cacheDir: tmp() }, deps(T0 + 100 * H))).rejects.toThrow(/--to \(2021-01-01T00:00:00.000Z\) is before --from/);
    await expect(fetchCandles({ exchange: ex, symbol: 'BTC/USDT', timeframe: '1h', from: T0 + 100 * H, cacheDir: tmp() }, deps(T0 + 100 * H))).rejects.toThrow(/leaves no closed 1h candle before now/);
    expect(() => createExchange('binanse')).toThrow(/unknown exchange 'binanse'\. Did you mean 'binance'/);
    const real = createExchange('kraken');
    expect(real.id).toBe('kraken');
    expect(real.enableRateLimit).toBe(true);
  });

  it('stores exactly what ccxt parses from the recorded binance klines response', async () => {
    const fixture = JSON.parse(readFileSync(sharedFile('ccxt-static/response/binance.json'), 'utf8')) as { methods: { fetchOHLCV: { description: string; input: [string, string, number, number]; httpResponse: Kline[]; parsedResponse: number[][] }[] } };
    const c = fixture.methods.fetchOHLCV.find((x) => x.description === 'Spot OHLCV with since and limit')!;
    const dir = tmp();
    const { ex, calls } = binance(c.httpResponse);
    const [symbol, tf, since] = c.input;
    const last = c.parsedResponse[c.parsedResponse.length - 1][0];
    await fetchCandles({ exchange: ex, symbol, timeframe: tf, from: since, to: last, cacheDir: dir }, deps(last + 2 * H));
    expect(calls[0].startTime).toBe(since);
    const f = await loadRange(dir, { exchange: 'binance', symbol, timeframe: tf });
    expect(Array.from({ length: f.length }, (_, i) => [f.ts[i], f.open[i], f.high[i], f.low[i], f.close[i], f.volume[i]])).toEqual(c.parsedResponse);
  });
});
