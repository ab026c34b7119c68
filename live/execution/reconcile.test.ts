// Reconciliation scenarios on a replay venue, and the kill switch's cancelAll against a misbehaving exchange.
import { readFileSync } from 'node:fs';
import ccxt from 'ccxt';
import { describe, expect, it } from 'vitest';
import { frameFromRows, sliceFrame } from '../../engine/frame.ts';
import { marketSpec } from '../../engine/orders/market-spec.ts';
import { clientOrderId } from '../exchange/client-order-id.ts';
import { mapCcxtError } from '../exchange/ccxt-errors.ts';
import type { OrderRef } from '../exchange/port.ts';
import { createReplayAdapter } from '../exchange/replay-adapter.ts';
import { openMemoryStateStore } from '../state/index.ts';
import { BTC_1M, sharedFile } from '../../test-support/shared-data.ts';
import { createOrderManager } from './order-manager.ts';
import { reconcileBot } from './reconcile.ts';
import type { ForeignOrderPolicy } from './types.ts';

const FULL = frameFromRows({ exchange: 'binance', symbol: 'BTC/USDT', timeframe: '1m' }, JSON.parse(readFileSync(sharedFile(BTC_1M), 'utf8')) as number[][]);
const S = 'BTC/USDT';
const STRAT = 'ladder@1.0.0';
const fast = { sleep: async () => {}, random: () => 0.5 };

function world(opts: { volumeShare?: number } = {}) {
  const frame = sliceFrame(FULL, 40_000, 40_300);
  const store = openMemoryStateStore();
  const botId = 'bot-r';
  store.bots.create({ name: botId, strategy: STRAT, symbols: [S], exchange: 'replay', mode: 'replay', budget: 10_000 }, 'test', 0);
  const rp = createReplayAdapter({ markets: [{ frame, spec: marketSpec(S) }], balances: { USDT: 10_000 }, startTs: frame.ts[1], fill: opts.volumeShare ? { maxVolumeShare: opts.volumeShare } : {} });
  const om = () => createOrderManager({ store, port: rp, botId, deps: { now: rp.now, ...fast } });
  const reconcile = (policy?: ForeignOrderPolicy) => reconcileBot({ store, port: rp, botId, policy, deps: { now: rp.now, ...fast } });
  return { frame, store, botId, rp, om, reconcile };
}

describe('reconciliation', () => {
  for (const policy of ['cancel', 'import'] as const) {
    it(`an order on the exchange under the bot's prefix that the database does not know is ${policy === 'cancel' ? 'cancelled' : 'imported'} and journalled`, async () => {
      const { store, botId, rp, reconcile } = world();
      const cid = clientOrderId(botId, STRAT, 40);
      await rp.createOrder({ symbol: S, type: 'limit', side: 'buy', amount: 0.001, price: rp.venue.lastClose[0] * 0.95, clientOrderId: cid });
      // an order of somebody else (no tradelab prefix of this bot) is left alone
      await rp.createOrder({ symbol: S, type: 'limit', side: 'buy', amount: 0.001, price: rp.venue.lastClose[0] * 0.95, clientOrderId: clientOrderId('other-bot', STRAT, 1) });
      const rep = await reconcile(policy);
      expect(rep.ok).toBe(true);
      expect(rep.counts[policy === 'cancel' ? 'foreign-cancelled' : 'foreign-imported']).toBe(1);
      const open = await rp.fetchOpenOrders(S);
      if (policy === 'cancel') {
        expect(open.map((o) => o.clientOrderId)).toEqual([clientOrderId('other-bot', STRAT, 1)]);
        expect(store.orders.byClientId(cid)).toBeUndefined();
      } else {
        expect(open).toHaveLength(2);
        expect(store.orders.byClientId(cid)).toMatchObject({ status: 'open', tag: `imported:${cid}`, amount: 0.001 });
      }
      expect(store.journal.listAudit({ entityId: botId }).map((a) => a.action)).toContain(`order.foreign.${policy}`);
      expect(store.journal.listAlerts({ botId }).map((a) => a.code)).toContain('RECONCILE_FOREIGN_ORDERS');
      // the sequence moved past it: the next client id can never collide with it
      expect(store.bots.require(botId).orderSeq).toBeGreaterThanOrEqual(40);
    });
  }

  it('an order the database holds open that filled while the bot was offline: fills applied, lot opened, filled', async () => {
    const { store, botId, rp, om, reconcile } = world();
    const m = om();
    const px = rp.venue.lastClose[0];
    expect((await m.submit({ type: 'limit', symbol: S, side: 'buy', price: px * 1.0001, amount: 0.002, tag: 'b' })).kind).toBe('placed');
    expect((await m.submit({ type: 'market', symbol: S, side: 'buy', amount: 0.001, tag: 'm' })).kind).toBe('placed');
    for (let k = 0; k < 30; k++) rp.advance(); // offline: nobody syncs
    expect(store.orders.unsettledOrders(botId)).toHaveLength(2);
    const rep = await reconcile();
    expect(rep.ok).toBe(true);
    expect(rep.counts['fill-applied']).toBe(2);
    expect(rep.fills).toHaveLength(2);
    expect(store.orders.unsettledOrders(botId)).toEqual([]);
    expect(store.orders.ordersFor(botId).map((o) => o.status)).toEqual(['filled', 'filled']);
    expect(store.orders.openLotsFor(botId)).toHaveLength(2);
    expect(rep.invariantViolations).toEqual([]);
    // a second pass has nothing to do
    const again = await reconcile();
    expect(Object.values(again.counts).every((n) => n === 0)).toBe(true);
  });

  it('a pending order whose create never reached the exchange is marked cancelled', async () => {
    const { store, botId, rp, reconcile } = world();
    const seq = store.bots.nextOrderSeq(botId);
    const cid = clientOrderId(botId, STRAT, seq);
    store.orders.recordOrderIntent({ botId, clientId: cid, symbol: S, side: 'buy', type: 'limit', price: rp.venue.lastClose[0] * 0.99, amount: 0.001, tag: 'p', ts: rp.now() });
    // ... the process died here, before the adapter call
    const rep = await reconcile();
    expect(rep.counts['resolved-cancelled']).toBe(1);
    expect(store.orders.byClientId(cid)).toMatchObject({ status: 'cancelled', reason: expect.stringMatching(/never reached the venue/) });
    expect(rp.venue.orderByClientId(cid)).toBeUndefined(); // and it was not placed by reconciliation
    expect(rep.ok).toBe(true);
  });

  it('a pending order that did reach the exchange (crash after the call) is resolved open', async () => {
    const { store, botId, rp, reconcile } = world();
    const cid = clientOrderId(botId, STRAT, store.bots.nextOrderSeq(botId));
    const req = { symbol: S, side: 'buy' as const, type: 'limit' as const, price: rp.venue.lastClose[0] * 0.99, amount: 0.001, clientOrderId: cid };
    store.orders.recordOrderIntent({ botId, clientId: cid, symbol: S, side: 'buy', type: 'limit', price: req.price, amount: 0.001, tag: 'p', ts: rp.now() });
    const v = await rp.createOrder(req);
    const rep = await reconcile();
    expect(rep.counts['resolved-open']).toBe(1);
    expect(store.orders.byClientId(cid)).toMatchObject({ status: 'open', exchangeId: v.id });
    expect(rp.venue.openOrders()).toHaveLength(1);
  });

  it('partly filled, then cancelled on the exchange while offline: fills applied, order cancelled, lots consistent', async () => {
    const { store, botId, rp, om, reconcile } = world({ volumeShare: 0.0002 });
    const m = om();
    const px = rp.venue.lastClose[0];
    await m.submit({ type: 'limit', symbol: S, side: 'buy', price: px * 1.01, amount: 0.2, tag: 'big' });
    rp.advance();
    const cid = store.orders.ordersFor(botId)[0].clientId;
    const v = rp.venue.orderByClientId(cid)!;
    expect(v.filled).toBeGreaterThan(0);
    expect(v.filled).toBeLessThan(0.2);
    await rp.cancelOrder({ symbol: S, clientOrderId: cid }); // e.g. cancelled by hand on the venue
    const rep = await reconcile();
    expect(rep.counts['resolved-partial-cancelled']).toBe(1);
    const o = store.orders.byClientId(cid)!;
    expect(o.status).toBe('cancelled');
    expect(o.filled).toBeCloseTo(v.filled, 12);
    expect(store.orders.openLotsFor(botId).reduce((a, l) => a + l.remaining, 0)).toBeCloseTo(v.filled, 12);
    expect(rep.invariantViolations).toEqual([]);
    expect(rep.ok).toBe(true);
  });

  it('a read that keeps failing leaves the report not ok, with the reason, and nothing changed', async () => {
    const { store, botId, rp, om, reconcile } = world();
    await om().submit({ type: 'limit', symbol: S, side: 'buy', price: rp.venue.lastClose[0] * 0.9, amount: 0.001, tag: 'b' });
    rp.fetchOpenOrders = async () => { throw mapCcxtError(new ccxt.ExchangeNotAvailable('maintenance'), { exchange: 'replay', operation: 'fetchOpenOrders' }); };
    const rep = await reconcile();
    expect(rep.ok).toBe(false);
    expect(rep.errors.join()).toMatch(/fetchOpenOrders BTC\/USDT/);
    expect(rep.counts['still-unknown']).toBe(1);
    expect(store.orders.ordersFor(botId)[0].status).toBe('open');
    expect(store.journal.listAlerts({ botId }).map((a) => a.code)).toContain('RECONCILE_INCOMPLETE');
  });
});

describe('cancelAll (kill switch)', () => {
  it('every other cancel throws: everything is cancelled eventually, failures recorded, nothing liquidated', async () => {
    const { store, botId, rp, om } = world();
    const m = om();
    const px = rp.venue.lastClose[0];
    for (let k = 0; k < 8; k++) await m.submit({ type: 'limit', symbol: S, side: 'buy', price: px * (0.95 - k * 0.001), amount: 0.001, tag: `b${k}` });
    await m.submit({ type: 'market', symbol: S, side: 'buy', amount: 0.01, tag: 'm' });
    rp.advance();
    await m.syncFills();
    const baseBefore = (await rp.fetchBalance()).byCurrency.BTC.total;
    const cancel = rp.cancelOrder.bind(rp);
    let n = 0;
    rp.cancelOrder = async (ref: OrderRef) => {
      if (n++ % 2 === 0) throw mapCcxtError(new ccxt.NetworkError('flaky'), { exchange: 'replay', operation: 'cancelOrder', write: true });
      return cancel(ref);
    };
    const rep = await m.cancelAll();
    expect(rep.stillOpen).toEqual([]);
    expect(rep.cancelled).toHaveLength(8);
    expect(rep.failures).toBeGreaterThanOrEqual(4);
    expect(rep.rounds).toBeGreaterThan(1);
    expect(await rp.fetchOpenOrders(S)).toEqual([]);
    expect(store.orders.unsettledOrders(botId)).toEqual([]);
    expect(store.journal.listAlerts({ botId }).filter((a) => a.code === 'CANCEL_FAILED')).toHaveLength(rep.failures);
    expect((await rp.fetchBalance()).byCurrency.BTC.total).toBe(baseBefore); // never liquidates
    expect(store.checkInvariants(botId)).toEqual([]);
  });

  it('an exchange that refuses one cancel forever: the rest are cancelled and the report names what is still open', async () => {
    const { store, botId, rp, om } = world();
    const m = om();
    const px = rp.venue.lastClose[0];
    for (let k = 0; k < 3; k++) await m.submit({ type: 'limit', symbol: S, side: 'buy', price: px * (0.95 - k * 0.001), amount: 0.001, tag: `b${k}` });
    const stuck = store.orders.ordersFor(botId)[1].clientId;
    const cancel = rp.cancelOrder.bind(rp);
    rp.cancelOrder = async (ref: OrderRef) => {
      if (ref.clientOrderId === stuck) throw mapCcxtError(new ccxt.RequestTimeout('timeout'), { exchange: 'replay', operation: 'cancelOrder', write: true });
      return cancel(ref);
    };
    const rep = await m.cancelAll({ rounds: 3 });
    expect(rep.cancelled).toHaveLength(2);
    expect(rep.stillOpen.map((s) => s.clientId)).toEqual([stuck]);
    expect(rep.stillOpen[0].error).toMatch(/timeout/);
    expect(rep.failures).toBe(3);
    expect(store.journal.listAlerts({ botId }).map((a) => a.code)).toContain('CANCEL_ALL_INCOMPLETE');
  });

  it('also cancels orders open on the venue under the bot\'s prefix that the database lost', async () => {
    const { botId, rp, om } = world();
    const lost = clientOrderId(botId, STRAT, 77);
    await rp.createOrder({ symbol: S, type: 'limit', side: 'buy', amount: 0.001, price: rp.venue.lastClose[0] * 0.9, clientOrderId: lost });
    const rep = await om().cancelAll();
    expect(rep.cancelled).toEqual([lost]);
    expect(await rp.fetchOpenOrders(S)).toEqual([]);
  });
});
