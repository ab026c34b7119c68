import { beforeEach, describe, expect, it } from 'vitest';
import { expectRelClose } from '../../test-support/approx.ts';
import { isTradelabError } from '../../engine/errors.ts';
import { openMemoryStateStore, type StateStore } from './store.ts';

const SYM = 'BTC/USDT';
let store: StateStore;
beforeEach(() => {
  store = openMemoryStateStore();
  store.bots.create({ id: 'b1', name: 'b1', strategy: 'grid@1', symbols: [SYM], exchange: 'binance', mode: 'paper', budget: 1000 }, 'test', 0);
});

const intent = (clientId: string, side: 'buy' | 'sell', price: number, amount: number, extra: { lotId?: number | null; ts?: number } = {}) =>
  store.orders.recordOrderIntent({ botId: 'b1', clientId, symbol: SYM, side, type: 'limit', price, amount, tag: clientId, lotId: extra.lotId, ts: extra.ts ?? 1 });
const fill = (clientId: string, tradeId: string, price: number, amount: number, fee: number, ts = 10) =>
  store.orders.applyFill({ botId: 'b1', clientId, tradeId, ts, price, amount, fee });
const code = (f: () => unknown) => { try { f(); } catch (e) { return isTradelabError(e) ? e.code : String(e); } return 'no error'; };

describe('order lifecycle', () => {
  it('pending → open → filled, with the exchange id; replayed steps change nothing', () => {
    const o = intent('c1', 'buy', 100, 1);
    expect(o.status).toBe('pending');
    expect(intent('c1', 'buy', 100, 1)).toEqual(o); // idempotent
    expect(store.orders.markOrderPlaced('c1', 'X1', 2)).toMatchObject({ status: 'open', exchangeId: 'X1', updatedAt: 2 });
    expect(store.orders.markOrderPlaced('c1', 'X1', 3).updatedAt).toBe(2);
    expect(code(() => store.orders.markOrderPlaced('c1', 'X2', 3))).toBe('ORDER_TRANSITION_INVALID');
    fill('c1', 't1', 100, 1, 0.1);
    expect(store.orders.byClientId('c1')).toMatchObject({ status: 'filled', filled: 1, avgPrice: 100, fees: 0.1 });
    expect(store.orders.byExchangeId('b1', SYM, 'X1')?.clientId).toBe('c1');
  });
  it('a client id is never reused for another order; unknown and rejected outcomes', () => {
    intent('c1', 'buy', 100, 1);
    expect(code(() => intent('c1', 'buy', 101, 1))).toBe('ORDER_CLIENT_ID_REUSED');
    expect(store.orders.markOrderUnknown('c1', 'timeout', 2)).toMatchObject({ status: 'unknown', reason: 'timeout' });
    expect(store.orders.unsettledOrders('b1').map((o) => o.clientId)).toEqual(['c1']);
    expect(store.orders.markOrderRejected('c1', 'insufficient balance', 3).status).toBe('rejected');
    expect(code(() => store.orders.markOrderPlaced('c1', 'X', 4))).toBe('ORDER_TRANSITION_INVALID');
    expect(store.orders.unsettledOrders('b1')).toEqual([]);
  });
  it('partial fills keep the order open; cancelling keeps what filled', () => {
    intent('c1', 'buy', 100, 1);
    store.orders.markOrderPlaced('c1', 'X1', 2);
    fill('c1', 't1', 100, 0.25, 0.025);
    expect(store.orders.byClientId('c1')).toMatchObject({ status: 'open', filled: 0.25 });
    expect(store.orders.openOrderCounts({ botId: 'b1' })).toEqual({ total: 1, bySymbol: { [SYM]: 1 } });
    expect(store.orders.markOrderCancelled('c1', 5, 'user').status).toBe('cancelled');
    expect(store.orders.byClientId('c1')!.filled).toBe(0.25);
    expect(store.orders.openOrderCounts({ botId: 'b1' })).toEqual({ total: 0, bySymbol: {} });
    expect(code(() => store.orders.markOrderRejected('c1', 'x', 6))).toBe('ORDER_TRANSITION_INVALID');
  });
  it('refuses invalid input and fills of unknown orders', () => {
    expect(code(() => intent('c9', 'buy', 100, 0))).toBe('ORDER_AMOUNT_INVALID');
    expect(code(() => intent('c9', 'buy', -1, 1))).toBe('ORDER_PRICE_INVALID');
    expect(code(() => fill('nope', 't', 100, 1, 0))).toBe('FILL_UNKNOWN_ORDER');
    expect(code(() => fill('nope', 't', 100, -1, 0))).toBe('FILL_INVALID');
  });
});

describe('fills, lots and positions', () => {
  it('applyFill is idempotent by trade id', () => {
    intent('c1', 'buy', 100, 1);
    const a = fill('c1', 't1', 100, 0.5, 0.05);
    const b = fill('c1', 't1', 100, 0.5, 0.05);
    expect(a.applied).toBe(true);
    expect(b).toMatchObject({ applied: false, fillId: a.fillId, openedLot: null });
    expect(store.orders.fillsFor('b1')).toHaveLength(1);
    expect(store.orders.lotsFor('b1')).toHaveLength(1);
    expect(store.orders.positionsFor('b1')[0]).toMatchObject({ base: 0.5, openCost: 50, fees: 0.05 });
    expect(store.checkInvariants('b1')).toEqual([]);
  });

  it('hand-computed FIFO, named-lot sells, P&L snapshot and wallet', () => {
    // Two buys: 1 @ 100 (fee 0.1), 2 @ 90 (fee 0.18).
    intent('b-1', 'buy', 100, 1); const l1 = fill('b-1', 't1', 100, 1, 0.1, 10).openedLot!;
    intent('b-2', 'buy', 90, 2); const l2 = fill('b-2', 't2', 90, 2, 0.18, 20).openedLot!;
    // A sell naming lot 2 of 0.5 @ 95 (fee 0.0475): realised 0.5 x 5 = 2.5
    intent('s-1', 'sell', 95, 0.5, { lotId: l2 });
    const s1 = fill('s-1', 't3', 95, 0.5, 0.0475, 30);
    expect(s1.closedLots).toEqual([l2]);
    // A FIFO sell of 1.5 @ 110 (fee 0.165): lot 1 whole (realised 10), then 0.5 of lot 2 (realised 10)
    intent('s-2', 'sell', 110, 1.5);
    const s2 = fill('s-2', 't4', 110, 1.5, 0.165, 40);
    expect(s2.closedLots).toEqual([l1, l2]);
    const lots = store.orders.lotsFor('b1');
    expect(lots[0]).toMatchObject({ status: 'closed', remaining: 0, closedSize: 1, closeTs: 40 });
    expectRelClose(lots[0].realised, 10);
    expectRelClose(lots[0].sellFees, 0.11); // 0.165 x 1/1.5
    expect(lots[1]).toMatchObject({ status: 'open', remaining: 1, closedSize: 1 });
    expectRelClose(lots[1].realised, 12.5);
    expect(store.orders.openLotsFor('b1', SYM).map((l) => l.id)).toEqual([l2]);

    const pos = store.orders.positionsFor('b1')[0];
    expectRelClose(pos.base, 1);
    expectRelClose(pos.openCost, 90);
    expectRelClose(pos.realised, 22.5);
    expectRelClose(pos.fees, 0.1 + 0.18 + 0.0475 + 0.165);
    // Snapshot at mark 100: unrealised 1 x 100 - 90 = 10; equity = 1000 + 22.5 + 10 - 0.4925
    const snap = store.orders.snapshotPnl('b1', 1000, 50, { [SYM]: 100 });
    expectRelClose(snap.equity, 1032.0075);
    expectRelClose(snap.cash, 1000 - 90 + 22.5 - 0.4925);
    expectRelClose(snap.cash + 1 * 100, snap.equity);
    expect(store.orders.pnlHistory('b1')).toHaveLength(1);

    // Net realised per period: closes at 30 (2.5 - 0.0475 - 0.18 x 0.25) and 40.
    expectRelClose(store.orders.realisedNetBetween('b1', 0, 35), 2.5 - 0.0475 - 0.045);
    const all = 22.5 - 0.0475 - 0.165 - 0.1 - 0.18 * 0.5;
    expectRelClose(store.orders.realisedNetBetween('b1', 0, 100), all);
    expectRelClose(store.orders.recentClosedLotPnl('b1', 5)[0], 10 - 0.11 - 0.1);
    // Wallet: committed = open lot 1 x 90 + its remaining buy fee 0.09, plus a resting buy of 0.5 @ 80
    intent('b-3', 'buy', 80, 0.5);
    const w = store.orders.walletState('b1', 1000);
    expectRelClose(w.realisedNet, all);
    expectRelClose(w.committed, 90 + 0.09 + 40);
    expect(store.checkInvariants('b1')).toEqual([]);
  });

  it('a sell larger than the open lots records the unmatched size', () => {
    intent('b-1', 'buy', 100, 1); fill('b-1', 't1', 100, 1, 0);
    intent('s-1', 'sell', 100, 1.5);
    const r = fill('s-1', 't2', 100, 1.5, 0.15);
    expectRelClose(r.unmatched, 0.5);
    expectRelClose(store.orders.fillsFor('b1')[1].unmatched, 0.5);
    expect(store.checkInvariants('b1')).toEqual([]);
  });

  it('the invariant checker catches a corrupted row', () => {
    intent('b-1', 'buy', 100, 1); fill('b-1', 't1', 100, 1, 0.1);
    store.db.prepare('UPDATE positions SET base = base + 0.5').run();
    store.db.prepare('UPDATE orders SET filled = 0.9').run();
    const v = store.checkInvariants('b1');
    expect(v.some((s) => s.startsWith('position BTC/USDT: base'))).toBe(true);
    expect(v.some((s) => s.startsWith('order b-1: filled 0.9'))).toBe(true);
  });
});
