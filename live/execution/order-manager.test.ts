// The order manager on a replay venue: the write protocol (rows before and after the adapter call), risk denials,
// unknown outcomes resolved by client id (never placed twice), buys by cost, fill sync, and a few hundred orders
// under 10 % injected faults converging to the fault-free run with no duplicate order and no lost fill.
import { readFileSync } from 'node:fs';
import ccxt from 'ccxt';
import { describe, expect, it } from 'vitest';
import { frameFromRows, sliceFrame, type CandleFrame } from '../../engine/frame.ts';
import { marketSpec, roundAmount } from '../../engine/orders/market-spec.ts';
import { clientOrderId } from '../exchange/client-order-id.ts';
import { mapCcxtError } from '../exchange/ccxt-errors.ts';
import type { FaultConfig } from '../exchange/faults.ts';
import type { OrderRequest } from '../exchange/port.ts';
import { createReplayAdapter, type ReplayExchange } from '../exchange/replay-adapter.ts';
import { openMemoryStateStore, type StateStore } from '../state/index.ts';
import { BTC_1M, sharedFile } from '../../test-support/shared-data.ts';
import { expectRelClose } from '../../test-support/approx.ts';
import { createOrderManager, type OrderManager } from './order-manager.ts';
import type { ExecIntent, OrderManagerConfig } from './types.ts';

const FULL = frameFromRows({ exchange: 'binance', symbol: 'BTC/USDT', timeframe: '1m' }, JSON.parse(readFileSync(sharedFile(BTC_1M), 'utf8')) as number[][]);
const spec = marketSpec('BTC/USDT');
const S = 'BTC/USDT';
const fast = { sleep: async () => {}, random: () => 0.5 };

function setup(opts: { frame?: CandleFrame; budget?: number; risk?: Record<string, unknown>; faults?: FaultConfig; cfg?: Partial<OrderManagerConfig>; volumeShare?: number } = {}): { store: StateStore; rp: ReplayExchange; om: OrderManager; botId: string } {
  const frame = opts.frame ?? sliceFrame(FULL, 5_000, 5_600);
  const store = openMemoryStateStore();
  const botId = 'bot-1';
  store.bots.create({ name: botId, strategy: 'ladder@1.0.0', symbols: [S], exchange: 'replay', mode: 'replay', budget: opts.budget ?? 10_000, risk: opts.risk ?? {} }, 'test', 0);
  const rp = createReplayAdapter({ markets: [{ frame, spec }], balances: { USDT: opts.budget ?? 10_000 }, startTs: frame.ts[1], faults: opts.faults, fill: opts.volumeShare ? { maxVolumeShare: opts.volumeShare } : {} });
  const om = createOrderManager({ store, port: rp, botId, deps: { now: rp.now, ...fast }, ...opts.cfg });
  return { store, rp, om, botId };
}

describe('write protocol', () => {
  it('pending before the adapter call, open with the exchange id after; a refusal is rejected; a denial never reaches the adapter', async () => {
    const { store, rp, om, botId } = setup({ risk: { wallet: {} }, budget: 1_000 });
    const seen: string[] = [];
    const create = rp.createOrder.bind(rp);
    rp.createOrder = async (req: OrderRequest) => {
      seen.push(`${req.clientOrderId}:${store.orders.byClientId(req.clientOrderId)?.status}`);
      return create(req);
    };
    const px = rp.venue.lastClose[0];
    const out = await om.submit({ type: 'limit', symbol: S, side: 'buy', price: px * 0.99, amount: 0.001, tag: 'b1' });
    const cid = clientOrderId(botId, 'ladder@1.0.0', 1);
    expect(seen).toEqual([`${cid}:pending`]);
    expect(out.kind).toBe('placed');
    expect(store.orders.byClientId(cid)).toMatchObject({ status: 'open', exchangeId: `replay-0`, tag: 'b1', amount: 0.001 });
    // duplicate tag: invalid, nothing recorded
    expect(await om.submit({ type: 'limit', symbol: S, side: 'buy', price: px * 0.98, amount: 0.001, tag: 'b1' })).toMatchObject({ kind: 'invalid', code: 'INTENT_DUPLICATE_TAG' });
    // below the venue minimum: the venue refuses, the row says rejected with the reason
    const small = await om.submit({ type: 'limit', symbol: S, side: 'buy', price: px * 0.99, amount: 0.00001, tag: 'tiny' });
    expect(small.kind).toBe('rejected');
    expect(store.orders.byClientId(clientOrderId(botId, 'ladder@1.0.0', 2))).toMatchObject({ status: 'rejected' });
    expect(store.orders.byClientId(clientOrderId(botId, 'ladder@1.0.0', 2))!.reason).toMatch(/below-min-notional/);
    // the wallet rule denies a buy over the budget: recorded, no seq used, no adapter call
    const calls = seen.length;
    const denied = await om.submit({ type: 'limit', symbol: S, side: 'buy', price: px * 0.99, amount: 1, tag: 'big' });
    expect(denied).toMatchObject({ kind: 'denied', denial: { rule: 'wallet' } });
    expect(seen.length).toBe(calls);
    expect(store.journal.listRiskDenials(botId)).toMatchObject([{ rule: 'wallet', intent: { tag: 'big', amount: 1 } }]);
    expect(store.bots.require(botId).orderSeq).toBe(2);
    // cancel by tag
    const c = await om.submit({ type: 'cancel', symbol: S, tag: 'b1' });
    expect(c).toMatchObject({ kind: 'cancelled', result: { outcome: 'canceled' } });
    expect(store.orders.byClientId(cid)!.status).toBe('cancelled');
    expect(await om.submit({ type: 'cancel', symbol: S, tag: 'b1' })).toMatchObject({ kind: 'invalid', code: 'INTENT_UNKNOWN_TAG' });
    expect(store.checkInvariants(botId)).toEqual([]);
  });

  it('fills are synced once, open lots, and a buy by cost takes the amount the venue sized', async () => {
    const { store, rp, om, botId } = setup();
    const out = await om.submit({ type: 'market', symbol: S, side: 'buy', cost: 500 / 1.001, tag: 'entry' });
    expect(out.kind).toBe('placed');
    expect(await om.syncFills()).toEqual([]);
    rp.advance();
    const fills = await om.syncFills();
    expect(fills).toHaveLength(1);
    const f = fills[0];
    expect(f.venueFill.price).toBe(FULL.open[5_001]); // placed after bar 0 closed: bar 1's open
    expect(f.venueFill.amount).toBe(roundAmount(spec, 500 / 1.001 / FULL.open[5_001]));
    expect(f.result.openedLot).not.toBeNull();
    const o = store.orders.byClientId(f.order.clientId)!;
    expect(o).toMatchObject({ status: 'filled', type: 'market', amount: f.venueFill.amount, filled: f.venueFill.amount });
    expectRelClose(f.venueFill.amount * f.venueFill.price * 1.001, 500, 1e-3);
    expect(await om.syncFills()).toEqual([]); // idempotent
    expect(store.checkInvariants(botId)).toEqual([]);
  });
});

describe('unknown outcomes', () => {
  it('a create whose reply is lost is found by client id and never placed twice', async () => {
    const { store, rp, om, botId } = setup({ cfg: { resend: 'never' } });
    const create = rp.createOrder.bind(rp);
    let creates = 0;
    rp.createOrder = async (req: OrderRequest) => {
      creates++;
      await create(req);
      throw mapCcxtError(new ccxt.RequestTimeout('reply lost'), { exchange: 'replay', operation: 'createOrder', write: true, clientOrderId: req.clientOrderId });
    };
    const out = await om.submit({ type: 'limit', symbol: S, side: 'buy', price: rp.venue.lastClose[0] * 0.99, amount: 0.001, tag: 'b' });
    expect(out.kind).toBe('placed');
    expect(creates).toBe(1);
    expect(rp.venue.openOrders()).toHaveLength(1);
    expect(store.orders.ordersFor(botId).map((o) => o.status)).toEqual(['open']);
  });

  it('when the lookup fails too, the order stays unknown; reconciliation finds it and nothing is placed again', async () => {
    const { store, rp, om, botId } = setup({ cfg: { resend: 'never', retry: { attempts: 2 } } });
    const create = rp.createOrder.bind(rp);
    const lookup = rp.fetchOrderByClientId.bind(rp);
    let creates = 0, lookupsDown = true;
    rp.createOrder = async (req: OrderRequest) => {
      creates++;
      await create(req);
      throw mapCcxtError(new ccxt.RequestTimeout('reply lost'), { exchange: 'replay', operation: 'createOrder', write: true, clientOrderId: req.clientOrderId });
    };
    rp.fetchOrderByClientId = async (cid, sym, since) => {
      if (lookupsDown) throw mapCcxtError(new ccxt.NetworkError('down'), { exchange: 'replay', operation: 'fetchOrderByClientId' });
      return lookup(cid, sym, since);
    };
    const out = await om.submit({ type: 'limit', symbol: S, side: 'buy', price: rp.venue.lastClose[0] * 0.99, amount: 0.001, tag: 'b' });
    expect(out.kind).toBe('unknown');
    expect(om.needsReconcile).toBe(true);
    expect(store.orders.ordersFor(botId)[0].status).toBe('unknown');
    lookupsDown = false;
    const rep = await om.reconcile();
    expect(rep.ok).toBe(true);
    expect(rep.counts['resolved-open']).toBe(1);
    expect(om.needsReconcile).toBe(false);
    expect(creates).toBe(1);
    expect(rp.venue.openOrders()).toHaveLength(1);
    expect(store.orders.ordersFor(botId)[0]).toMatchObject({ status: 'open', exchangeId: rp.venue.openOrders()[0].id });
  });

  it("policy 'same-client-id': a create that never arrived is sent again under the same id", async () => {
    const { rp, om, store, botId } = setup();
    const create = rp.createOrder.bind(rp);
    const ids: string[] = [];
    rp.createOrder = async (req: OrderRequest) => {
      ids.push(req.clientOrderId);
      if (ids.length === 1) throw mapCcxtError(new ccxt.NetworkError('connection reset'), { exchange: 'replay', operation: 'createOrder', write: true });
      return create(req);
    };
    expect((await om.submit({ type: 'limit', symbol: S, side: 'buy', price: rp.venue.lastClose[0] * 0.99, amount: 0.001, tag: 'b' })).kind).toBe('placed');
    expect(new Set(ids).size).toBe(1);
    expect(ids).toHaveLength(2);
    expect(rp.venue.openOrders()).toHaveLength(1);
    expect(store.orders.ordersFor(botId)[0].status).toBe('open');
  });
});

/** A bot that places a ladder from the candles, cancels stale buys, sells what it holds; syncs fills every bar. */
async function runBot(faults?: FaultConfig) {
  const frame = sliceFrame(FULL, 30_000, 32_000);
  const { store, rp, om, botId } = setup({ frame, faults, budget: 5_000 });
  let placed = 0;
  const retryUntil = async <T>(fn: () => Promise<T>): Promise<T> => {
    for (let k = 0; ; k++) { try { return await fn(); } catch (e) { if (k > 20) throw e; } }
  };
  for (let i = 1; rp.advance(); i++) {
    await retryUntil(() => om.syncFills());
    if (om.needsReconcile) await retryUntil(() => om.reconcile());
    const c = frame.close[i];
    const intents: ExecIntent[] = [];
    if (i % 4 === 0) intents.push({ type: 'limit', symbol: S, side: 'buy', price: c * 0.9993, amount: 0.002, tag: `b${i}` });
    if (i % 4 === 0 && i >= 24) intents.push({ type: 'cancel', symbol: S, tag: `b${i - 24}` });
    if (i % 6 === 0) intents.push({ type: 'limit', symbol: S, side: 'sell', price: c * 1.0009, amount: 0.001, tag: `s${i}` });
    if (i % 50 === 0) intents.push({ type: 'market', symbol: S, side: 'buy', cost: 60, tag: `m${i}` });
    for (const it of intents) {
      const o = await om.submit(it, { refPrice: c });
      if (o.kind === 'placed') placed++;
      if (o.kind === 'cancel-failed') await retryUntil(async () => { const r = await om.submit(it); if (r.kind === 'cancel-failed') throw r.error; return r; });
    }
  }
  for (let k = 0; k < 50 && (om.needsReconcile || store.orders.unsettledOrders(botId).some((o) => o.status !== 'open')); k++) await retryUntil(() => om.reconcile());
  await retryUntil(() => om.syncFills());
  return { store, rp, om, botId, placed };
}

describe('faults: 10 % of calls fail (NetworkError, RateLimitExceeded, RequestTimeout, writes included)', () => {
  it('a few hundred orders converge to the fault-free run: no duplicate order, no lost fill', async () => {
    const clean = await runBot();
    const faulty = await runBot({ rate: 0.1, seed: 42 });
    expect(faulty.rp.faultStats.injected).toBeGreaterThan(100);
    expect(faulty.rp.faultStats.byMethod.createOrder).toBeGreaterThan(10);
    expect(faulty.rp.faultStats.lostReplies).toBeGreaterThan(0);
    expect(clean.placed).toBeGreaterThan(300);
    const venueOrders = (x: typeof clean) => {
      const v = x.rp.venue;
      return Array.from({ length: v.store.n }, (_, id) => v.order(id)).map((o) => [o.clientOrderId, o.side, o.type, o.price, o.amount, o.filled, o.status]);
    };
    // the venue saw exactly the same orders (one per client id) with the same outcomes
    expect(venueOrders(faulty)).toEqual(venueOrders(clean));
    const trades = (x: typeof clean) => x.rp.venue.trades(S).map((t) => [t.id, t.clientOrderId, t.price, t.amount]);
    expect(trades(faulty)).toEqual(trades(clean));
    // every venue trade is applied once, the stores agree row for row
    const dbFills = (x: typeof clean) => x.store.orders.fillsFor(x.botId).map((f) => [f.tradeId, f.price, f.amount, f.fee]);
    expect(dbFills(faulty)).toEqual(dbFills(clean));
    expect(dbFills(faulty).length).toBe(trades(faulty).length);
    const dbOrders = (x: typeof clean) => x.store.orders.ordersFor(x.botId).map((o) => [o.clientId, o.exchangeId, o.status, o.filled, o.amount]);
    expect(dbOrders(faulty)).toEqual(dbOrders(clean));
    expect(faulty.store.checkInvariants(faulty.botId)).toEqual([]);
    expect(clean.store.checkInvariants(clean.botId)).toEqual([]);
  }, 20_000);
});

describe('orders as the venue holds them; fills per market', () => {
  it('records a limit price on the tick (buys down, sells up) and the amount on the step, as the venue and the backtest round them', async () => {
    const { store, rp, om } = setup();
    const px = rp.venue.lastClose[0];
    const raw = px * 0.97 + 0.0049, amt = 0.0012345678;
    expect((await om.submit({ type: 'limit', symbol: S, side: 'buy', price: raw, amount: amt, tag: 'r1' })).kind).toBe('placed');
    const o = store.orders.ordersFor('bot-1')[0];
    expect(spec.priceTick).toBeGreaterThan(0);
    expect(spec.amountStep).toBeGreaterThan(0);
    expect(Math.abs(o.price! / spec.priceTick - Math.round(o.price! / spec.priceTick))).toBeLessThan(1e-6); // on the tick
    expect(o.price! <= raw && raw - o.price! < spec.priceTick).toBe(true); // a buy rounds down
    expect(o.amount).not.toBe(amt);
    expect(o.amount).toBe(roundAmount(spec, amt));
    expect((await rp.fetchOpenOrders(S))[0]).toMatchObject({ price: o.price, amount: o.amount });
    // an amount below one step is refused before the venue, nothing recorded
    expect(await om.submit({ type: 'limit', symbol: S, side: 'buy', price: raw, amount: spec.amountStep / 3, tag: 'r2' })).toMatchObject({ kind: 'invalid', code: 'INTENT_AMOUNT_TOO_SMALL' });
    expect(store.orders.ordersFor('bot-1').length).toBe(1);
  });

  it('syncFills(symbols) applies and returns the fills of those markets only (each runner of a bot of several symbols its own)', async () => {
    const frame = sliceFrame(FULL, 5_000, 5_100);
    const store = openMemoryStateStore();
    const E = 'ETH/USDT';
    store.bots.create({ name: 'two', strategy: 'ladder@1.0.0', symbols: [S, E], exchange: 'replay', mode: 'replay', budget: 10_000, risk: {} }, 'test', 0);
    const rp = createReplayAdapter({
      markets: [{ frame, spec }, { frame: { ...frame, symbol: E }, spec: marketSpec(E) }], balances: { USDT: 10_000 }, startTs: frame.ts[1],
    });
    const om = createOrderManager({ store, port: rp, botId: 'two', deps: { now: rp.now, ...fast } });
    for (const sym of [S, E]) {
      expect((await om.submit({ type: 'market', symbol: sym, side: 'buy', amount: 0.001, tag: `m-${sym}` }, { refPrice: rp.venue.lastClose[0] })).kind).toBe('placed');
    }
    rp.advance();
    const eth = await om.syncFills([E]);
    expect(eth.length).toBe(1);
    expect(eth[0].order.symbol).toBe(E);
    expect(store.orders.fillsFor('two').map((f) => f.symbol)).toEqual([E]);
    const btc = await om.syncFills([S]);
    expect(btc.map((a) => a.order.symbol)).toEqual([S]);
    expect(await om.syncFills()).toEqual([]);
    expect(store.checkInvariants('two')).toEqual([]);
  });
});
