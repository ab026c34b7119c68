import { describe, expect, it } from 'vitest';
import { expectRelClose } from '../../test-support/approx.ts';
import { buildRiskRules, checkRisk, type RiskIntent } from '../../engine/risk/index.ts';
import { openMemoryStateStore } from './store.ts';
import { buildRiskState } from './risk-state.ts';

const SYM = 'BTC/USDT';
const MON = Date.UTC(2025, 2, 10); // Monday
const H = 3_600_000;

describe('risk state from the store, checked by the engine rules, denials recorded', () => {
  it('wallet, UTC day and ISO week P&L, loss streak, open orders across bots of one exchange, open lots', () => {
    const store = openMemoryStateStore();
    const mk = (id: string, exchange: string) => store.bots.create({ id, name: id, strategy: 'grid@1', symbols: [SYM], exchange, mode: 'paper', budget: 1000 }, 'test', 0);
    mk('a', 'binance'); mk('b', 'binance'); mk('c', 'coinbase');
    let n = 0;
    const trade = (bot: string, buy: number, sell: number, ts: number) => {
      const b = `${bot}-b${++n}`, s = `${bot}-s${n}`;
      store.orders.recordOrderIntent({ botId: bot, clientId: b, symbol: SYM, side: 'buy', type: 'market', amount: 1, ts });
      store.orders.applyFill({ botId: bot, clientId: b, tradeId: `tb${n}`, ts, price: buy, amount: 1, fee: 0 });
      store.orders.recordOrderIntent({ botId: bot, clientId: s, symbol: SYM, side: 'sell', type: 'market', amount: 1, ts: ts + 1 });
      store.orders.applyFill({ botId: bot, clientId: s, tradeId: `ts${n}`, ts: ts + 1, price: sell, amount: 1, fee: 0 });
    };
    trade('a', 100, 130, MON + H);         // +30 on Monday
    trade('a', 100, 90, MON + 2 * 24 * H); // -10 on Wednesday
    trade('a', 100, 80, MON + 2 * 24 * H + H); // -20 on Wednesday
    store.orders.recordOrderIntent({ botId: 'a', clientId: 'a-open', symbol: SYM, side: 'buy', type: 'limit', price: 50, amount: 1, ts: MON });
    store.orders.recordOrderIntent({ botId: 'b', clientId: 'b-open', symbol: 'ETH/USDT', side: 'buy', type: 'limit', price: 5, amount: 1, ts: MON });
    store.orders.recordOrderIntent({ botId: 'c', clientId: 'c-open', symbol: SYM, side: 'buy', type: 'limit', price: 5, amount: 1, ts: MON });
    store.orders.recordOrderIntent({ botId: 'a', clientId: 'a-lot', symbol: SYM, side: 'buy', type: 'market', amount: 2, ts: MON });
    store.orders.applyFill({ botId: 'a', clientId: 'a-lot', tradeId: 'tl', ts: MON + 3 * 24 * H, price: 100, amount: 2, fee: 0.2 });
    store.orders.snapshotPnl('a', 1000, MON + 3 * 24 * H, { [SYM]: 100 });
    store.orders.snapshotPnl('a', 1000, MON + 3 * 24 * H + H, { [SYM]: 90 });

    const now = MON + 2 * 24 * H + 5 * H; // Wednesday
    const s = buildRiskState(store, 'a', { now, recentPrices: { [SYM]: [100, 101] }, apiErrorTs: [now - 5] });
    expect(s.realisedByDay).toEqual({ '2025-03-12': -30 });
    expect(s.realisedByWeek).toEqual({ '2025-W11': 0 });
    expect(s.recentTradePnl).toEqual([30, -10, -20]);
    expect(s.consecutiveLosses).toBe(2);
    expect(s.openOrders).toEqual({ total: 2, bySymbol: { [SYM]: 1, 'ETH/USDT': 1 } }); // a and b (binance), not c
    expect(s.openLots).toEqual([{ id: expect.any(Number), symbol: SYM, entryPrice: 100, remaining: 2 }]);
    expect(s.wallet.realisedNet).toBe(0);
    expectRelClose(s.wallet.committed, 200 + 0.2 + 50);
    expect(s.equityHistory.map((p) => p.equity)).toEqual([999.8, 979.8]);

    const rules = buildRiskRules({ wallet: {}, dailyLoss: { abs: 25 }, drawdown: { pct: 5 } });
    const intent: RiskIntent = { symbol: SYM, side: 'buy', type: 'limit', price: 100, amount: 1 };
    const d = checkRisk(intent, s, rules);
    expect(d).toMatchObject({ allow: false, rule: 'daily-loss' });
    if (!d.allow) store.journal.recordRiskDenial({ botId: 'a', ts: now, rule: d.rule, effect: d.effect, reason: d.reason, intent: { ...intent } });
    expect(store.journal.listRiskDenials('a')).toHaveLength(1);
    // Thursday: the day's losses are behind; the wallet still fits a 1 @ 100 buy.
    const thu = buildRiskState(store, 'a', { now: now + 24 * H });
    expect(checkRisk(intent, thu, rules).allow).toBe(true);
  });
});
