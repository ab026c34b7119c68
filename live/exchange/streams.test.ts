// Streams of tickers, candles, my orders and my fills: REST polling with an injected sleep (ccxt's real binance
// class, offline) and the websocket path when the exchange has `watch…`; every stream ends on abort.
import { describe, expect, it } from 'vitest';
import { Secret } from '../secrets/secret.ts';
import { createCcxtAdapter } from './ccxt-adapter.ts';
import type { CandleUpdate, Fill, Order, Ticker } from './port.ts';
import { FAKE_API_KEY, FAKE_SECRET, offlineExchange } from './testing/offline-exchange.ts';

const H = 3_600_000;
const T0 = Date.UTC(2024, 0, 1, 10, 30);

function setup(streams: 'auto' | 'poll' = 'poll') {
  const off = offlineExchange('binance', [{ id: 'BTCUSDT', symbol: 'BTC/USDT', price: 0.01, amount: 0.00001, info: { orderTypes: ['LIMIT', 'MARKET'] } }]);
  const clock = { now: T0 };
  const sleeps: number[] = [];
  const controller = new AbortController();
  const adapter = createCcxtAdapter(
    { exchangeId: 'binance', liveTradingEnabled: false, pollIntervalMs: 60_000, streams, credentials: { apiKey: new Secret(FAKE_API_KEY), secret: new Secret(FAKE_SECRET) } },
    { exchange: off.ex, random: () => 0.5, now: () => clock.now, sleep: async (ms) => { sleeps.push(ms); clock.now += ms; } },
  );
  return { off, adapter, clock, sleeps, controller };
}

async function take<T>(it: AsyncIterable<T>, n: number, controller: AbortController): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) {
    out.push(x);
    if (out.length === n) controller.abort();
  }
  return out;
}

const kline = (ts: number, close: number) => [ts, '100', '110', '90', String(close), '5', ts + H - 1, '500', 10, '2', '200', '0'];

describe('polling streams', () => {
  it('tickers: one per poll, sleeping pollIntervalMs between polls, ending on abort', async () => {
    const { off, adapter, sleeps, controller } = setup();
    let n = 0;
    off.serve(() => ({ symbol: 'BTCUSDT', lastPrice: String(100 + ++n), closeTime: String(T0 + n) }));
    const got = await take<Ticker>(adapter.watchTicker('BTC/USDT', { signal: controller.signal }), 3, controller);
    expect(got.map((t) => t.last)).toEqual([101, 102, 103]);
    expect(sleeps).toEqual([60_000, 60_000]);
    expect(off.requests).toHaveLength(3);
  });

  it('candles: new and changed candles once each, reported again when they close', async () => {
    const { off, adapter, controller } = setup();
    const bar = Math.floor(T0 / H) * H; // 10:00; the stream starts at 10:30 and polls every 20 minutes
    const replies = [
      [kline(bar - H, 1), kline(bar, 2)], // 10:30: 09:00 closed, 10:00 open
      [kline(bar, 2)], // 10:50: unchanged -> nothing
      [kline(bar, 3), kline(bar + H, 4)], // 11:10: 10:00 final and closed, 11:00 open
    ];
    const starts: string[] = [];
    off.serve((req) => { starts.push(new URL(req.url).searchParams.get('startTime')!); return replies.shift() ?? []; });
    const got = await take<CandleUpdate>(adapter.watchCandles('BTC/USDT', '1h', { signal: controller.signal, pollIntervalMs: 20 * 60_000 }), 4, controller);
    expect(got.map((u) => [u.candle[0] - bar, u.candle[4], u.closed])).toEqual([[-H, 1, true], [0, 2, false], [0, 3, true], [H, 4, false]]);
    expect(starts.slice(0, 3)).toEqual([String(bar - H), String(bar), String(bar)]);
    expect(got.every((u) => u.symbol === 'BTC/USDT' && u.timeframe === '1h')).toBe(true);
  });

  it('my orders: the open list is diffed; an order that leaves it is fetched once for its final state', async () => {
    const { off, adapter, controller } = setup();
    const raw = (status: string, executed: string) => ({ symbol: 'BTCUSDT', orderId: '9', clientOrderId: 'tl-x-1', price: '30000', origQty: '0.002', executedQty: executed, cummulativeQuoteQty: '0', status, type: 'LIMIT', side: 'BUY', time: String(T0) });
    const polls = [[raw('NEW', '0')], [raw('NEW', '0')], [raw('PARTIALLY_FILLED', '0.001')], []];
    off.serve((req) => {
      const path = new URL(req.url).pathname;
      if (path === '/api/v3/openOrders') return polls.shift() ?? [];
      if (path === '/api/v3/order') return raw('FILLED', '0.002');
      throw new Error(path);
    });
    const got = await take<Order>(adapter.watchOrders('BTC/USDT', { signal: controller.signal }), 3, controller);
    expect(got.map((o) => [o.status, o.filled])).toEqual([['open', 0], ['open', 0.001], ['closed', 0.002]]);
    expect(off.requests.filter((r) => new URL(r.url).pathname === '/api/v3/order')).toHaveLength(1);
  });

  it('my fills: each new fill once, oldest first, polling from the last fill time', async () => {
    const { off, adapter, controller } = setup();
    const t = (id: string, ts: number) => ({ symbol: 'BTCUSDT', id, orderId: '9', price: '30000', qty: '0.001', quoteQty: '30', commission: '0.03', commissionAsset: 'USDT', time: String(ts), isBuyer: true, isMaker: true });
    const polls = [[t('1', T0 + 5)], [t('1', T0 + 5)], [t('2', T0 + 70_000), t('1', T0 + 5)]];
    const since: string[] = [];
    off.serve((req) => { since.push(new URL(req.url).searchParams.get('startTime') ?? ''); return polls.shift() ?? []; });
    const got = await take<Fill>(adapter.watchMyTrades('BTC/USDT', { signal: controller.signal }), 2, controller);
    expect(got.map((f) => [f.id, f.takerOrMaker, f.fee?.cost])).toEqual([['1', 'maker', 0.03], ['2', 'maker', 0.03]]);
    expect(since.slice(0, 3)).toEqual([String(T0), String(T0 + 5), String(T0 + 5)]);
  });

  it('my fills from an earlier time (after reconciliation) with opts.since', async () => {
    const { off, adapter, controller } = setup();
    off.serve((req) => [{ symbol: 'BTCUSDT', id: 'old', orderId: '9', price: '1', qty: '1', quoteQty: '1', commission: '0', commissionAsset: 'USDT', time: new URL(req.url).searchParams.get('startTime'), isBuyer: false, isMaker: false }]);
    const [f] = await take<Fill>(adapter.watchMyTrades('BTC/USDT', { signal: controller.signal, since: T0 - H }), 1, controller);
    expect(f).toMatchObject({ id: 'old', timestamp: T0 - H, side: 'sell', takerOrMaker: 'taker' });
  });

  it('an already aborted signal yields nothing and makes no request', async () => {
    const { off, adapter, controller } = setup();
    controller.abort();
    const got: Ticker[] = [];
    for await (const x of adapter.watchTicker('BTC/USDT', { signal: controller.signal })) got.push(x);
    expect(got).toEqual([]);
    expect(off.requests).toHaveLength(0);
  });
});

describe('websocket streams (ccxt.pro watch… when the exchange has it)', () => {
  it("uses exchange.has['watchTicker'] and the watch method, without polling sleeps, and stops a pending watch on abort", async () => {
    const { off, adapter, sleeps, controller } = setup('auto');
    let calls = 0;
    const ex = off.ex as unknown as { has: Record<string, unknown>; watchTicker: (s: string) => Promise<unknown> };
    ex.has = { ...ex.has, watchTicker: true };
    ex.watchTicker = (symbol: string) => {
      calls++;
      if (calls <= 2) return Promise.resolve({ symbol, last: 100 + calls, timestamp: T0 + calls });
      return new Promise(() => {}); // a watch that never answers: abort must still end the stream
    };
    const it = adapter.watchTicker('BTC/USDT', { signal: controller.signal })[Symbol.asyncIterator]();
    expect((await it.next()).value).toMatchObject({ last: 101 });
    expect((await it.next()).value).toMatchObject({ last: 102 });
    const pending = it.next();
    controller.abort();
    expect(await pending).toEqual({ done: true, value: undefined });
    expect(sleeps).toEqual([]);
    expect(off.requests).toHaveLength(0);
  });
});
