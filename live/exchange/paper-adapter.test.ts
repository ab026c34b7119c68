// The paper adapter: market data from the wrapped exchange, orders simulated on its closed candles exactly like
// replay, and never a call to an order endpoint of the wrapped exchange.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { frameFromRows, sliceFrame } from '../../engine/frame.ts';
import { marketSpec } from '../../engine/orders/market-spec.ts';
import { BTC_1M, sharedFile } from '../../test-support/shared-data.ts';
import { createPaperAdapter } from './paper-adapter.ts';
import type { ExchangePort } from './port.ts';
import { createReplayAdapter, type ReplayExchange } from './replay-adapter.ts';

const f = sliceFrame(frameFromRows({ exchange: 'binance', symbol: 'BTC/USDT', timeframe: '1m' }, JSON.parse(readFileSync(sharedFile(BTC_1M), 'utf8')) as number[][]), 3_000, 3_400);
const spec = marketSpec('BTC/USDT');

/** A market-data source whose order endpoints throw (and count) if anything calls them. */
function dataOnly(): { src: ReplayExchange; writes: string[] } {
  const src = createReplayAdapter({ markets: [{ frame: f, spec }], balances: {}, startTs: f.ts[1] });
  const writes: string[] = [];
  const forbid = (name: string) => () => { writes.push(name); throw new Error(`${name} must never be called on the wrapped exchange`); };
  const m = src as unknown as Record<string, unknown>;
  for (const name of ['createOrder', 'cancelOrder', 'fetchOpenOrders', 'fetchOrder', 'fetchOrderByClientId', 'fetchMyTrades', 'fetchBalance', 'watchOrders', 'watchMyTrades', 'createMarketBuyOrderWithCost']) m[name] = forbid(name);
  return { src, writes };
}

/** Places a fixed script after each closed bar: a few limits around the close and a market order now and then. */
async function script(port: ExchangePort, i: number, close: number): Promise<void> {
  if (i % 10 !== 0) return;
  const s = 'BTC/USDT';
  await port.createOrder({ symbol: s, type: 'limit', side: 'buy', amount: 0.002, price: close * 0.9995, clientOrderId: `b${i}` });
  if (i % 20 === 0) await port.createOrder({ symbol: s, type: 'market', side: 'buy', amount: 0.001, clientOrderId: `m${i}` });
  if (i % 30 === 0) await port.createOrder({ symbol: s, type: 'limit', side: 'sell', amount: 0.001, price: close * 1.0008, clientOrderId: `s${i}` }).catch(() => undefined);
  if (i >= 40 && i % 40 === 0) await port.cancelOrder({ symbol: s, clientOrderId: `b${i - 10}` });
}

describe('paper adapter', () => {
  it('fills like replay on the same candles and never writes to the wrapped exchange', async () => {
    const { src, writes } = dataOnly();
    const paper = createPaperAdapter(src, { balances: { USDT: 5_000 }, timeframe: '1m', now: () => src.now() });
    expect(paper.kind).toBe('paper');
    expect(paper.id).toBe('paper:replay');
    await paper.loadMarkets();
    let i = 0;
    const bot = (async () => {
      for await (const u of paper.watchCandles('BTC/USDT', '1m')) {
        i++;
        await script(paper, i, u.candle[4]);
      }
    })();
    await new Promise((r) => setImmediate(r));
    await src.run();
    await bot;
    // the same script straight on a replay
    const ref = createReplayAdapter({ markets: [{ frame: f, spec }], balances: { USDT: 5_000 }, startTs: f.ts[1] });
    let j = 0;
    while (ref.advance()) { j++; await script(ref, j, f.close[j]); }
    const got = await paper.fetchMyTrades('BTC/USDT');
    const want = await ref.fetchMyTrades('BTC/USDT');
    expect(got.length).toBeGreaterThan(10);
    expect(got.map((t) => [t.timestamp, t.clientOrderId, t.price, t.amount, t.fee?.cost, t.takerOrMaker])).toEqual(want.map((t) => [t.timestamp, t.clientOrderId, t.price, t.amount, t.fee?.cost, t.takerOrMaker]));
    expect((await paper.fetchBalance()).byCurrency).toEqual((await ref.fetchBalance()).byCurrency);
    expect((await paper.fetchOpenOrders('BTC/USDT')).map((o) => o.clientOrderId)).toEqual((await ref.fetchOpenOrders('BTC/USDT')).map((o) => o.clientOrderId));
    expect(writes).toEqual([]);
    // market data does come from the wrapped exchange
    expect((await paper.fetchTicker('BTC/USDT')).last).toBe(f.close[f.length - 1]);
    expect(await paper.fetchOHLCV('BTC/USDT', '1m', undefined, 2)).toEqual(await src.fetchOHLCV('BTC/USDT', '1m', undefined, 2));
    await paper.close();
  });

  it('an order placed late in a bar waits for the next bar (no fill from prices before it existed)', async () => {
    const { src } = dataOnly();
    let now = f.ts[1] + 30_000; // half-way through bar 1
    const paper = createPaperAdapter(src, { balances: { USDT: 5_000 }, timeframe: '1m', now: () => now });
    await paper.loadMarkets();
    await paper.createOrder({ symbol: 'BTC/USDT', type: 'limit', side: 'buy', amount: 0.001, price: Math.max(f.high[1], f.high[2]) + 100, clientOrderId: 'x' });
    const c = (k: number) => [f.ts[k], f.open[k], f.high[k], f.low[k], f.close[k], f.volume[k]] as const;
    paper.playCandle({ symbol: 'BTC/USDT', timeframe: '1m', candle: c(1), closed: true });
    expect(await paper.fetchMyTrades('BTC/USDT')).toEqual([]);
    now = f.ts[2] + 60_000;
    paper.playCandle({ symbol: 'BTC/USDT', timeframe: '1m', candle: c(2), closed: true });
    const [t] = await paper.fetchMyTrades('BTC/USDT');
    expect([t.timestamp, t.price, t.takerOrMaker]).toEqual([f.ts[2], f.open[2], 'taker']);
    // a bar played twice (two feeds) counts once
    expect(paper.playCandle({ symbol: 'BTC/USDT', timeframe: '1m', candle: c(2), closed: true })).toBe(false);
    await paper.close();
  });

  it('refuses to wrap another paper adapter', () => {
    const { src } = dataOnly();
    const paper = createPaperAdapter(src, { balances: {}, timeframe: '1m' });
    expect(() => createPaperAdapter(paper, { balances: {}, timeframe: '1m' })).toThrow(/not another paper adapter/);
  });
});
