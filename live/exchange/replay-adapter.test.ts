// The replay adapter fills exactly like the engine's order simulator (real BTC/USDT 1m candles, a hand-built ladder
// of limits, market orders and cancels), sizes market buys by cost like the signal backtest, runs a clock with
// back-pressure, and injects seeded faults.
import { readFileSync } from 'node:fs';
import { Type } from '@sinclair/typebox';
import { describe, expect, it } from 'vitest';
import { TradelabError } from '../../engine/errors.ts';
import { frameFromRows, sliceFrame, type CandleFrame } from '../../engine/frame.ts';
import { marketSpec } from '../../engine/orders/market-spec.ts';
import { runOrderBacktest } from '../../engine/orders/simulator.ts';
import type { OrderSimConfig } from '../../engine/orders/types.ts';
import { DEFAULT_FILL_CONFIG, roundDownToLot, runSignalBacktest } from '../../engine/sim/index.ts';
import { defineStrategy, goFlat, goLong, type Intent } from '../../engine/strategy.ts';
import { expectRelClose } from '../../test-support/approx.ts';
import { BTC_1M, sharedFile } from '../../test-support/shared-data.ts';
import { createReplayAdapter } from './replay-adapter.ts';

const FULL = frameFromRows({ exchange: 'binance', symbol: 'BTC/USDT', timeframe: '1m' }, JSON.parse(readFileSync(sharedFile(BTC_1M), 'utf8')) as number[][]);
const spec = marketSpec('BTC/USDT', { makerFee: 0.001, takerFee: 0.002 });

/** A ladder decided from the candles only (never from fills), so both runs get the same intents at the same bars. */
function ladder(f: CandleFrame): Map<number, Intent[]> {
  const at = new Map<number, Intent[]>();
  const add = (i: number, it: Intent) => { if (!at.has(i)) at.set(i, []); at.get(i)!.push(it); };
  for (let i = 5; i < f.length - 1; i += 37) {
    const c = f.close[i];
    for (let k = 1; k <= 3; k++) add(i, { type: 'limit', side: 'buy', price: c * (1 - 0.0007 * k), amount: 0.003 * k, tag: `b${i}-${k}` });
    add(i, { type: 'limit', side: 'sell', price: c * 1.0015, amount: 0.004, tag: `s${i}` });
    if (i % 3 === 0) add(i, { type: 'market', side: 'buy', amount: 0.002, tag: `mb${i}` });
    if (i % 2 === 0) add(i, { type: 'limit', side: 'buy', price: c * 1.0005, amount: 0.001, tag: `x${i}` }); // crosses on arrival: taker
    if (i % 5 === 0) add(i, { type: 'market', side: 'sell', amount: 0.003, tag: `ms${i}` });
    add(i + 20, { type: 'cancel', tag: `b${i}-3` });
  }
  return at;
}

function scripted(at: Map<number, Intent[]>) {
  return defineStrategy({
    id: 'ladder', version: '1.0.0', description: 'a fixed ladder', kind: 'orders', params: Type.Object({}),
    warmup: () => 0, indicators: () => ({}), decide: (ctx) => at.get(ctx.i),
  });
}

describe('replay fills = the order simulator fills', () => {
  const f = sliceFrame(FULL, 10_000, 14_000);
  const at = ladder(f);
  for (const cfg of [
    { slippageBps: 5 },
    { slippageBps: 0, fillOn: 'touch', intrabarPath: 'high-first' },
    { slippageBps: 2, maxVolumeShare: 0.0005 },
  ] as Partial<OrderSimConfig>[]) {
    it(`same fills, rejections and cash (${JSON.stringify(cfg)})`, async () => {
      const sim = runOrderBacktest(scripted(at), [{ frame: f, spec, initialBase: 0 }], {}, { initialCash: 2_000, ...cfg });
      const rp = createReplayAdapter({ markets: [{ frame: f, spec }], balances: { USDT: 2_000 }, fill: cfg });
      const rejected: string[] = [];
      for (let r = 0; r < f.length; r++) {
        expect(rp.advance()).toBe(true);
        for (const it of at.get(r) ?? []) {
          if (it.type === 'cancel') { await rp.cancelOrder({ symbol: 'BTC/USDT', clientOrderId: it.tag }); continue; }
          if (it.type === 'target') continue;
          try {
            await rp.createOrder({ symbol: 'BTC/USDT', type: it.type, side: it.side, amount: it.amount, price: it.type === 'limit' ? it.price : undefined, clientOrderId: it.tag });
          } catch (e) {
            expect(e).toBeInstanceOf(TradelabError);
            expect((e as TradelabError).family).toBe('venue-rejected');
            rejected.push(it.tag);
          }
        }
      }
      expect(rp.advance()).toBe(false);
      const trades = await rp.fetchMyTrades('BTC/USDT');
      expect(sim.fills.length).toBeGreaterThan(100);
      for (const kind of ['limit:maker', 'limit:taker', 'market:taker']) expect(sim.fills.some((x) => `${x.type}:${x.liquidity}` === kind)).toBe(true);
      expect(trades.map((t) => [t.timestamp, t.clientOrderId, t.side, t.price, t.amount, t.fee?.cost, t.takerOrMaker]))
        .toEqual(sim.fills.map((x) => [x.ts, x.tag, x.side, x.price, x.amount, x.fee, x.liquidity]));
      // every sim rejection at placement is a venue refusal (market buys the sim rejects at the fill are 'rejected' orders)
      const simPlaceRejects = sim.rejected.filter((x) => x.reason !== 'unknown-tag' && !(x.type === 'market' && sim.orders.some((o) => o.tag === x.tag))).map((x) => x.tag);
      expect(rejected).toEqual(simPlaceRejects);
      const bal = await rp.fetchBalance();
      expectRelClose(bal.byCurrency.USDT.total, sim.totals.cash, 1e-12);
      expectRelClose(bal.byCurrency.BTC.total, sim.markets[0].base, 1e-12, 1e-12);
      const open = await rp.fetchOpenOrders('BTC/USDT');
      expect(open.map((o) => o.clientOrderId).sort()).toEqual(sim.orders.filter((o) => o.status === 'open').map((o) => o.tag).sort());
    });
  }
});

describe('market buys sized by quote cost', () => {
  it('reproduce the signal backtest fee-inclusive sizing on real candles', async () => {
    const f = sliceFrame(FULL, 20_000, 20_400);
    const targets = new Float64Array(f.length).fill(NaN);
    for (let i = 10; i < f.length - 20; i += 40) { targets[i] = 1; targets[i + 15] = 0; }
    const strat = defineStrategy({
      id: 'table', version: '1.0.0', description: 'targets', params: Type.Object({}), warmup: () => 0, indicators: () => ({}),
      decide: (ctx) => (targets[ctx.i] === 1 ? goLong() : targets[ctx.i] === 0 ? goFlat() : undefined),
    });
    const fillCfg = { ...DEFAULT_FILL_CONFIG, initialCash: 10_000, feeRate: 0.001, slippageBps: 3, lotSize: 0.00001, minNotional: 5, fraction: 0.95 };
    const bt = runSignalBacktest(strat, f, {}, fillCfg, { startIndex: 0, path: 'per-bar' });
    const s = marketSpec('BTC/USDT', { makerFee: 0.001, takerFee: 0.001, amountStep: 0.00001, minNotional: 5 });
    const rp = createReplayAdapter({ markets: [{ frame: f, spec: s }], balances: { USDT: 10_000 }, fill: { slippageBps: 3 } });
    let seq = 0;
    for (let r = 0; r < f.length; r++) {
      rp.advance();
      const bal = (await rp.fetchBalance()).byCurrency;
      if (targets[r] === 1) await rp.createMarketBuyOrderWithCost('BTC/USDT', (0.95 * bal.USDT.free) / (1 + 0.001), `c${seq++}`);
      if (targets[r] === 0 && bal.BTC.free > 0) await rp.createOrder({ symbol: 'BTC/USDT', type: 'market', side: 'sell', amount: bal.BTC.free, clientOrderId: `c${seq++}` });
    }
    const trades = await rp.fetchMyTrades('BTC/USDT');
    expect(trades.length).toBe(bt.fills.length);
    expect(trades.length).toBeGreaterThan(10);
    trades.forEach((t, k) => {
      const b = bt.fills[k];
      expect([t.timestamp, t.side, t.price]).toEqual([b.ts, b.side, b.price]);
      expect(t.amount).toBe(b.size);
      expectRelClose(t.fee!.cost, b.fee, 1e-12);
    });
    // and the formula itself: size = roundDown(cost / fillPrice) to the step
    const first = trades[0];
    expect(first.amount).toBe(roundDownToLot((0.95 * 10_000) / (first.price * 1.001), 0.00001));
    const order = await rp.fetchOrderByClientId('c0', 'BTC/USDT');
    expect(order).toMatchObject({ status: 'closed', amount: first.amount, filled: first.amount });
    expectRelClose((await rp.fetchBalance()).byCurrency.USDT.total, bt.equity[bt.equity.length - 1], 1e-9);
  });
});

describe('the replay clock', () => {
  const f = sliceFrame(FULL, 0, 50);
  it('history before startTs, now() at the last close, fetchOHLCV returns closed bars only', async () => {
    const rp = createReplayAdapter({ markets: [{ frame: f, spec }], balances: { USDT: 100 }, startTs: f.ts[10] });
    expect(rp.barsPlayed).toBe(10);
    expect(rp.now()).toBe(f.ts[9] + 60_000);
    const hist = await rp.fetchOHLCV('BTC/USDT', '1m');
    expect(hist.map((c) => c[0])).toEqual(Array.from(f.ts.subarray(0, 10)));
    expect((await rp.fetchOHLCV('BTC/USDT', '1m', undefined, 3)).map((c) => c[0])).toEqual(Array.from(f.ts.subarray(7, 10)));
    expect((await rp.fetchTicker('BTC/USDT')).last).toBe(f.close[9]);
    rp.advance();
    expect(rp.now()).toBe(f.ts[10] + 60_000);
    await expect(rp.fetchOHLCV('BTC/USDT', '5m')).rejects.toThrow(/plays 1m candles/);
  });

  it('run() waits for every candle consumer (a bot finishes bar i, orders included, before bar i+1 plays)', async () => {
    const rp = createReplayAdapter({ markets: [{ frame: f, spec }], balances: { USDT: 10_000 }, startTs: f.ts[1] });
    const seen: number[] = [];
    const consumer = (async () => {
      for await (const u of rp.watchCandles('BTC/USDT', '1m')) {
        expect(u.closed).toBe(true);
        seen.push(u.candle[0]);
        await new Promise((r) => setTimeout(r, 1));
        // a market order placed after bar i closed fills at bar i+1's open
        if (seen.length === 3) await rp.createOrder({ symbol: 'BTC/USDT', type: 'market', side: 'buy', amount: 0.01, clientOrderId: 'm1' });
      }
    })();
    await new Promise((r) => setImmediate(r));
    await rp.run();
    await consumer;
    expect(seen).toEqual(Array.from(f.ts.subarray(1)));
    const [t] = await rp.fetchMyTrades('BTC/USDT');
    expect(t.timestamp).toBe(seen[3]);
    expect(t.price).toBe(f.open[4]);
  });

  it('refuses bad speeds and unknown symbols with usage errors', async () => {
    expect(() => createReplayAdapter({ markets: [{ frame: f, spec }], balances: {}, speed: 0 })).toThrow(/speed/);
    const rp = createReplayAdapter({ markets: [{ frame: f, spec }], balances: {} });
    expect(() => rp.market('ETH/USDT')).toThrow(/unknown market 'ETH\/USDT'/);
  });
});

describe('venue behaviour', () => {
  const f = sliceFrame(FULL, 0, 30);
  it('duplicate client ids, too small orders and unpaid buys are refused; cancel outcomes', async () => {
    const rp = createReplayAdapter({ markets: [{ frame: f, spec }], balances: { USDT: 100 }, startTs: f.ts[1] });
    const p = f.close[0];
    await rp.createOrder({ symbol: 'BTC/USDT', type: 'limit', side: 'buy', amount: 0.001, price: p * 0.9, clientOrderId: 'a' });
    await expect(rp.createOrder({ symbol: 'BTC/USDT', type: 'limit', side: 'buy', amount: 0.001, price: p * 0.9, clientOrderId: 'a' })).rejects.toMatchObject({ code: 'VENUE_DUPLICATE_ORDER_ID', family: 'venue-rejected' });
    await expect(rp.createOrder({ symbol: 'BTC/USDT', type: 'limit', side: 'buy', amount: 0.00001, price: p * 0.9, clientOrderId: 'b' })).rejects.toMatchObject({ code: 'VENUE_INVALID_ORDER' });
    await expect(rp.createOrder({ symbol: 'BTC/USDT', type: 'limit', side: 'buy', amount: 1, price: p * 0.9, clientOrderId: 'c' })).rejects.toMatchObject({ code: 'VENUE_INSUFFICIENT_FUNDS' });
    await expect(rp.createOrder({ symbol: 'BTC/USDT', type: 'limit', side: 'sell', amount: 0.001, price: p * 1.1, clientOrderId: 'd' })).rejects.toMatchObject({ code: 'VENUE_INSUFFICIENT_FUNDS' });
    const bal = (await rp.fetchBalance()).byCurrency.USDT;
    expect(bal.used).toBeGreaterThan(0);
    expect((await rp.cancelOrder({ symbol: 'BTC/USDT', clientOrderId: 'a' })).outcome).toBe('canceled');
    expect((await rp.cancelOrder({ symbol: 'BTC/USDT', clientOrderId: 'a' })).outcome).toBe('already-closed');
    expect((await rp.cancelOrder({ symbol: 'BTC/USDT', clientOrderId: 'zz' })).outcome).toBe('not-found');
    expect((await rp.fetchBalance()).byCurrency.USDT).toEqual({ free: 100, used: 0, total: 100 });
  });

  it('streams my orders and fills', async () => {
    const rp = createReplayAdapter({ markets: [{ frame: f, spec }], balances: { USDT: 10_000 }, startTs: f.ts[1] });
    const ac = new AbortController();
    const fills: string[] = [];
    const orders: string[] = [];
    const a = (async () => { for await (const x of rp.watchMyTrades('BTC/USDT', { signal: ac.signal })) fills.push(x.clientOrderId!); })();
    const b = (async () => { for await (const x of rp.watchOrders('BTC/USDT', { signal: ac.signal })) orders.push(`${x.clientOrderId}:${x.status}`); })();
    await rp.createOrder({ symbol: 'BTC/USDT', type: 'market', side: 'buy', amount: 0.01, clientOrderId: 'm' });
    rp.advance();
    await new Promise((r) => setImmediate(r));
    ac.abort();
    await Promise.all([a, b]);
    expect(fills).toEqual(['m']);
    expect(orders).toEqual(['m:open', 'm:closed']);
  });
});

describe('fault injection', () => {
  it('a seeded share of calls fails with mapped ccxt errors; a write timeout may have taken effect', async () => {
    const f = sliceFrame(FULL, 0, 400);
    const rp = createReplayAdapter({ markets: [{ frame: f, spec }], balances: { USDT: 1e6 }, startTs: f.ts[1], faults: { rate: 0.3, seed: 7 } });
    const families = new Map<string, number>();
    let created = 0, lost = 0;
    for (let k = 0; k < 300; k++) {
      try {
        await rp.createOrder({ symbol: 'BTC/USDT', type: 'limit', side: 'buy', amount: 0.001, price: f.close[0] * 0.5, clientOrderId: `o${k}` });
        created++;
      } catch (e) {
        const err = e as TradelabError;
        families.set(err.family, (families.get(err.family) ?? 0) + 1);
        if (rp.venue.orderByClientId(`o${k}`)) lost++;
      }
    }
    expect(families.get('venue-unknown')).toBe(rp.faultStats.byMethod.createOrder);
    expect(rp.faultStats.injected).toBeGreaterThan(60);
    expect(lost).toBe(rp.faultStats.lostReplies);
    expect(lost).toBeGreaterThan(5);
    expect(rp.venue.openOrders().length).toBe(created + lost);
    // reads fail as venue-unavailable
    let unavailable = 0;
    for (let k = 0; k < 100; k++) await rp.fetchBalance().catch((e: TradelabError) => { if (e.family === 'venue-unavailable') unavailable++; });
    expect(unavailable).toBeGreaterThan(10);
  });
});
