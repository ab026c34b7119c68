// GET /api/markets/closes on real candles: a cached series (binance BTC/USDT 1h) and a replay bot's candle file
// (binance ETH/USDT 1h), checked against the files themselves; markets without candles are listed empty.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importCandles, writeCandles } from '../../../data/index.ts';
import { BTC_1H, ETH_1H, sharedFile } from '../../../test-support/shared-data.ts';
import { expectRelClose } from '../../../test-support/approx.ts';
import { makeHarness, T0, type Harness } from '../server-harness.test-util.ts';
import { summariseCandles, type MarketCloses } from './market-closes.ts';

const HOUR = 3_600_000;

describe('GET /api/markets/closes', () => {
  let h: Harness;
  let cache: string;
  beforeAll(async () => {
    cache = mkdtempSync(join(tmpdir(), 'tl-closes-'));
    const btc = await importCandles(sharedFile(BTC_1H), { exchange: 'binance', symbol: 'BTC/USDT', timeframe: '1h' });
    await writeCandles(cache, btc.frame);
    h = await makeHarness({ env: { TRADELAB_CACHE: cache } });
    h.store.bots.setState('beta', '', 'runner', { timeframe: '1h', data: { file: sharedFile(ETH_1H), to: Date.parse('2022-03-01T00:00:00Z') } }, T0);
  }, 60_000);
  afterAll(async () => { await h?.close(); rmSync(cache, { recursive: true, force: true }); });

  it('gives the last closes of the cache and of a replay bot\'s file, with the 24 h change and quote volume', async () => {
    const r = await h.app.inject({ method: 'GET', url: '/api/markets/closes?points=30', headers: h.auth('viewer') });
    expect(r.statusCode).toBe(200);
    const rows = r.json<MarketCloses[]>();
    const by = (ex: string, s: string) => rows.find((m) => m.exchange === ex && m.symbol === s)!;

    const btc = (await importCandles(sharedFile(BTC_1H))).frame;
    const b = by('binance', 'BTC/USDT');
    expect(b.source).toBe('cache');
    expect(b.timeframe).toBe('1h');
    expect(b.closes).toEqual(Array.from(btc.close.subarray(btc.length - 30)));
    expect(b.toTs).toBe(btc.ts[btc.length - 1]);
    const n = btc.length;
    expect(btc.ts[n - 25]).toBe(btc.ts[n - 1] - 24 * HOUR); // no gap in the last day of this file
    expectRelClose(b.change24hPct!, (btc.close[n - 1] / btc.close[n - 25] - 1) * 100, 1e-12);
    let vol = 0;
    for (let k = n - 24; k < n; k++) vol += btc.close[k] * btc.volume[k];
    expectRelClose(b.quoteVolume24h!, vol, 1e-9);

    const eth = (await importCandles(sharedFile(ETH_1H))).frame;
    const e = by('binance', 'ETH/USDT');
    expect(e.source).toBe('bot-file');
    const end = Array.from(eth.ts).findIndex((t) => t > Date.parse('2022-03-01T00:00:00Z'));
    expect(e.toTs).toBe(Date.parse('2022-03-01T00:00:00Z'));
    expect(e.closes).toEqual(Array.from(eth.close.subarray(end - 30, end)));

    const sol = by('binance', 'SOL/USDT');
    expect(sol).toMatchObject({ source: null, closes: [], last: null, change24hPct: null });
    expect(rows.some((m) => m.exchange === 'coinbase')).toBe(true);
  });

  it('filters by exchange, refuses bad input with the field named, needs a login', async () => {
    const r = await h.app.inject({ method: 'GET', url: '/api/markets/closes?exchange=coinbase', headers: h.auth('viewer') });
    expect(r.json<MarketCloses[]>().every((m) => m.exchange === 'coinbase')).toBe(true);
    const bad = await h.app.inject({ method: 'GET', url: '/api/markets/closes?points=1', headers: h.auth('viewer') });
    expect(bad.statusCode).toBe(400);
    expect(bad.json<{ error: { message: string } }>().error.message).toMatch(/querystring\.points/);
    const anon = await h.app.inject({ method: 'GET', url: '/api/markets/closes' });
    expect(anon.statusCode).toBe(401);
  });

  it('summarises a short series without a 24 h reference', () => {
    const f = { ts: Float64Array.from([0, HOUR, 2 * HOUR]), close: Float64Array.from([10, 11, 12]), volume: Float64Array.from([1, 2, 3]), length: 3 };
    expect(summariseCandles(f, 2)).toEqual({ fromTs: HOUR, toTs: 2 * HOUR, closes: [11, 12], last: 12, change24hPct: null, quoteVolume24h: 10 + 22 + 36 });
    expect(summariseCandles({ ...f, length: 0 }, 2).closes).toEqual([]);
  });
});
