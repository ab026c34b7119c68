import { describe, expect, it } from 'vitest';
import { expectRelClose } from '../../test-support/approx.ts';
import { isTradelabError } from '../errors.ts';
import {
  apiBreakerTrippedAt, buildRiskRules, riskIntentOf, checkRisk, currentDrawdown, priceDeviationPct, riskDenials, stopLossExit, stopLossHit,
  stopPrice, validateRiskConfig, walletAvailable, type RiskConfig, type RiskDecision, type RiskIntent, type RiskState,
} from './index.ts';

const T0 = Date.UTC(2025, 2, 12, 15, 30); // Wednesday 2025-03-12 15:30 UTC

function state(over: Partial<RiskState> = {}): RiskState {
  return {
    now: T0,
    wallet: { budget: 1000, realisedNet: 0, committed: 0 },
    equityHistory: [{ ts: T0 - 3_600_000, equity: 1000 }, { ts: T0, equity: 1000 }],
    realisedByDay: {},
    realisedByWeek: {},
    recentTradePnl: [],
    consecutiveLosses: 0,
    openOrders: { total: 0, bySymbol: {} },
    recentPrices: { 'BTC/USDT': [100, 100, 100, 100, 100] },
    apiErrorTs: [],
    openLots: [],
    ...over,
  };
}

const buy = (amount: number, price = 100, over: Partial<RiskIntent> = {}): RiskIntent =>
  ({ symbol: 'BTC/USDT', side: 'buy', type: 'limit', price, amount, feeRate: 0.001, tag: 'b1', ...over });
const sell = (amount: number, price = 100): RiskIntent => ({ symbol: 'BTC/USDT', side: 'sell', type: 'limit', price, amount, tag: 's1' });

function run(cfg: RiskConfig, intent: RiskIntent, s: RiskState): RiskDecision {
  return checkRisk(intent, s, buildRiskRules(cfg));
}
function expectDenied(d: RiskDecision, rule: string, effect?: string): void {
  expect(d.allow).toBe(false);
  if (!d.allow) {
    expect(d.rule).toBe(rule);
    if (effect) expect(d.effect).toBe(effect);
    expect(d.reason.length).toBeGreaterThan(10);
  }
}

describe('virtual wallet', () => {
  const cfg: RiskConfig = { wallet: {} };
  it('allows a buy whose notional plus fee fits the budget, denies one that does not', () => {
    expect(run(cfg, buy(9.99), state()).allow).toBe(true); // 999 + 0.999 = 999.999
    expectDenied(run(cfg, buy(10), state()), 'wallet', 'deny'); // 1000 + 1 > 1000
  });
  it('losses reduce the budget, gains do not unless compounding', () => {
    const lost = state({ wallet: { budget: 1000, realisedNet: -200, committed: 0 } });
    expect(walletAvailable(lost.wallet)).toBe(800);
    expectDenied(run(cfg, buy(8), lost), 'wallet');
    expect(run(cfg, buy(7.9), lost).allow).toBe(true);
    const won = state({ wallet: { budget: 1000, realisedNet: 500, committed: 0 } });
    expectDenied(run(cfg, buy(12), won), 'wallet');
    expect(run({ wallet: { compound: true } }, buy(12), won).allow).toBe(true);
    expect(walletAvailable(won.wallet, true)).toBe(1500);
  });
  it('counts what open lots and resting buys already commit; sells are never limited', () => {
    const busy = state({ wallet: { budget: 1000, realisedNet: 0, committed: 950 } });
    expectDenied(run(cfg, buy(1), busy), 'wallet');
    expect(run(cfg, buy(0.4), busy).allow).toBe(true);
    expect(run(cfg, sell(1000), busy).allow).toBe(true);
  });
});

describe('per-trade stop loss', () => {
  const lot = { id: 7, symbol: 'BTC/USDT', entryPrice: 100, remaining: 0.5 };
  it('pct: hit at or below entry x (1 - pct)', () => {
    const cfg = { pct: 5 };
    expect(stopPrice(100, cfg)).toBe(95);
    expect(stopLossHit(lot, 95.01, cfg)).toBe(false);
    expect(stopLossHit(lot, 95, cfg)).toBe(true);
    expect(stopLossExit(lot, 96, cfg)).toBeNull();
    const exit = stopLossExit(lot, 94, cfg)!;
    expect(exit).toMatchObject({ type: 'market', side: 'sell', symbol: 'BTC/USDT', amount: 0.5, lot: 7, stopPrice: 95 });
  });
  it('abs: hit at or below entry - abs; a closed lot never stops', () => {
    expect(stopLossHit(lot, 88, { abs: 12 })).toBe(true);
    expect(stopLossHit(lot, 88.5, { abs: 12 })).toBe(false);
    expect(stopLossHit({ ...lot, remaining: 0 }, 1, { abs: 12 })).toBe(false);
  });
  it('entry check: no buy while a lot of that market sits past its stop', () => {
    const cfg: RiskConfig = { stopLoss: { pct: 5 } };
    const past = state({ openLots: [lot], recentPrices: { 'BTC/USDT': [100, 94] } });
    expectDenied(run(cfg, buy(0.1, 94), past), 'stop-loss');
    expect(run(cfg, buy(0.1, 96), state({ openLots: [lot], recentPrices: { 'BTC/USDT': [100, 96] } })).allow).toBe(true);
    expect(run(cfg, buy(0.1, 94, { symbol: 'ETH/USDT' }), past).allow).toBe(true);
    expect(run(cfg, sell(0.5, 94), past).allow).toBe(true);
  });
});

describe('drawdown limit', () => {
  const curve = (...eq: number[]) => eq.map((equity, k) => ({ ts: T0 - (eq.length - 1 - k) * 60_000, equity }));
  it('pct of the running peak → emergency stop', () => {
    const s = state({ equityHistory: curve(1000, 1200, 1100, 1020) }); // 180 / 1200 = 15 %
    expectRelClose(currentDrawdown(s.equityHistory).pct, 15);
    expectDenied(run({ drawdown: { pct: 15 } }, buy(0.1), s), 'drawdown', 'emergency-stop');
    expect(run({ drawdown: { pct: 15.1 } }, buy(0.1), s).allow).toBe(true);
  });
  it('abs, and sells stay allowed', () => {
    const s = state({ equityHistory: curve(1000, 900) });
    expectDenied(run({ drawdown: { abs: 100 } }, buy(0.1), s), 'drawdown');
    expect(run({ drawdown: { abs: 101 } }, buy(0.1), s).allow).toBe(true);
    expect(run({ drawdown: { abs: 100 } }, sell(0.1), s).allow).toBe(true);
  });
});

describe('daily and weekly loss limits (UTC)', () => {
  it('daily: the current UTC day only', () => {
    const s = state({ realisedByDay: { '2025-03-12': -50, '2025-03-11': -500 } });
    expectDenied(run({ dailyLoss: { pct: 5 } }, buy(0.1), s), 'daily-loss', 'pause-entries'); // 5 % of 1000 = 50
    expect(run({ dailyLoss: { abs: 51 } }, buy(0.1), s).allow).toBe(true);
    // the next UTC day starts clean
    expect(run({ dailyLoss: { pct: 5 } }, buy(0.1), { ...s, now: Date.UTC(2025, 2, 13, 0, 0) }).allow).toBe(true);
    // one millisecond before midnight still counts the old day
    expectDenied(run({ dailyLoss: { pct: 5 } }, buy(0.1), { ...s, now: Date.UTC(2025, 2, 13) - 1 }), 'daily-loss');
  });
  it('weekly: the ISO week that started Monday 00:00 UTC', () => {
    const s = state({ realisedByWeek: { '2025-W11': -120 } });
    expectDenied(run({ weeklyLoss: { abs: 100 } }, buy(0.1), s), 'weekly-loss', 'pause-entries');
    expect(run({ weeklyLoss: { abs: 150 } }, buy(0.1), s).allow).toBe(true);
    // Monday 2025-03-17 00:00 UTC is week 12
    expect(run({ weeklyLoss: { abs: 100 } }, buy(0.1), { ...s, now: Date.UTC(2025, 2, 17) }).allow).toBe(true);
    expectDenied(run({ weeklyLoss: { abs: 100 } }, buy(0.1), { ...s, now: Date.UTC(2025, 2, 17) - 1 }), 'weekly-loss');
  });
  it('a loss-limit denial says when its pause ends: the next UTC day, the next ISO week', () => {
    const d = run({ dailyLoss: { abs: 10 } }, buy(0.1), state({ realisedByDay: { '2025-03-12': -50 } }));
    expect(!d.allow && d.until).toBe(Date.UTC(2025, 2, 13));
    const w = run({ weeklyLoss: { abs: 10 } }, buy(0.1), state({ realisedByWeek: { '2025-W11': -50 } }));
    expect(!w.allow && w.until).toBe(Date.UTC(2025, 2, 17));
    const dd = run({ drawdown: { pct: 5 } }, buy(0.1), state({ equityHistory: [{ ts: T0 - 1, equity: 1000 }, { ts: T0, equity: 900 }] }));
    expect(!dd.allow && dd.effect === 'emergency-stop' && dd.until).toBeUndefined();
  });
});

describe('Kelly sizing rule', () => {
  const cfg: RiskConfig = { kelly: { fraction: 0.5, cap: 0.25, lookback: 10, minTrades: 4 } };
  // 3 wins of 20, 1 loss of 10: W = 0.75, R = 2, f* = 0.75 - 0.25 / 2 = 0.625, half = 0.3125 → cap 0.25
  const s = state({ recentTradePnl: [20, -10, 20, 20] });
  it('denies an entry above the capped fractional Kelly share of equity, allows one below', () => {
    expectDenied(run(cfg, buy(2.51), s), 'kelly'); // 251 > 0.25 x 1000
    expect(run(cfg, buy(2.5), s).allow).toBe(true);
  });
  it('a losing record sizes to zero; too few trades leaves sizing to the strategy', () => {
    expectDenied(run(cfg, buy(0.01), state({ recentTradePnl: [-5, -5, 1, -5] })), 'kelly');
    expect(run(cfg, buy(9), state({ recentTradePnl: [20, 20, 20] })).allow).toBe(true);
  });
});

describe('volatility breaker', () => {
  const cfg: RiskConfig = { volatility: { window: 4, maxDeviationPct: 5 } };
  it('pauses entries while the price deviates more than X % from its recent mean', () => {
    const spiky = state({ recentPrices: { 'BTC/USDT': [100, 100, 100, 100, 106] } });
    expectRelClose(priceDeviationPct(spiky.recentPrices['BTC/USDT'], 4), 6);
    expectDenied(run(cfg, buy(0.1, 106), spiky), 'volatility', 'pause-entries');
    const crash = state({ recentPrices: { 'BTC/USDT': [100, 100, 100, 100, 94.9] } });
    expectDenied(run(cfg, buy(0.1, 94.9), crash), 'volatility');
  });
  it('allows within the band, with too little history, and for exits', () => {
    expect(run(cfg, buy(0.1), state({ recentPrices: { 'BTC/USDT': [100, 100, 100, 100, 105] } })).allow).toBe(true);
    expect(run(cfg, buy(0.1), state({ recentPrices: { 'BTC/USDT': [100, 130] } })).allow).toBe(true);
    expect(run(cfg, sell(0.1), state({ recentPrices: { 'BTC/USDT': [100, 100, 100, 100, 150] } })).allow).toBe(true);
  });
});

describe('API error-rate breaker', () => {
  const cfg: RiskConfig = { apiErrors: { maxErrors: 3, windowMs: 10_000, cooldownMs: 60_000 } };
  it('more than K errors within W pauses every new order for the cool-down', () => {
    const errs = [T0 - 30_000, T0 - 28_000, T0 - 25_000, T0 - 21_000]; // 4 errors within 9 s
    expect(apiBreakerTrippedAt(errs, T0, cfg.apiErrors!)).toBe(T0 - 21_000);
    expectDenied(run(cfg, sell(0.1), state({ apiErrorTs: errs })), 'api-errors', 'pause-orders');
    expectDenied(run(cfg, buy(0.1), state({ apiErrorTs: errs, now: T0 + 38_999 })), 'api-errors');
    expect(run(cfg, buy(0.1), state({ apiErrorTs: errs, now: T0 + 39_000 })).allow).toBe(true); // cool-down over
    const p = run(cfg, buy(0.1), state({ apiErrorTs: errs }));
    expect(!p.allow && p.until).toBe(T0 + 39_000);
  });
  it('K errors, or errors spread wider than W, do not trip', () => {
    expect(run(cfg, buy(0.1), state({ apiErrorTs: [T0 - 3000, T0 - 2000, T0 - 1000] })).allow).toBe(true);
    expect(run(cfg, buy(0.1), state({ apiErrorTs: [T0 - 40_000, T0 - 30_000, T0 - 20_000, T0 - 10_000] })).allow).toBe(true);
  });
});

describe('open-order caps', () => {
  it('global cap defaults to 490', () => {
    expectDenied(run({}, buy(0.1), state({ openOrders: { total: 490, bySymbol: {} } })), 'open-orders-global');
    expect(run({}, buy(0.1), state({ openOrders: { total: 489, bySymbol: {} } })).allow).toBe(true);
    expect(run({ openOrders: { maxTotal: Infinity } }, buy(0.1), state({ openOrders: { total: 10_000, bySymbol: {} } })).allow).toBe(true);
  });
  it('per-market caps, with per-symbol overrides', () => {
    const cfg: RiskConfig = { openOrders: { maxPerMarket: 3, perMarket: { 'ETH/USDT': 1 } } };
    const s = state({ openOrders: { total: 4, bySymbol: { 'BTC/USDT': 3, 'ETH/USDT': 1 } } });
    expectDenied(run(cfg, sell(0.1), s), 'open-orders-market');
    expectDenied(run(cfg, buy(0.1, 100, { symbol: 'ETH/USDT' }), s), 'open-orders-market');
    expect(run(cfg, buy(0.1, 100, { symbol: 'SOL/USDT' }), s).allow).toBe(true);
    expect(run(cfg, buy(0.1), state({ openOrders: { total: 2, bySymbol: { 'BTC/USDT': 2 } } })).allow).toBe(true);
  });
});

describe('composition and validation', () => {
  it('checkRisk returns the first denial, riskDenials every one', () => {
    const cfg: RiskConfig = { wallet: {}, dailyLoss: { abs: 10 }, openOrders: { maxTotal: 1 } };
    const s = state({ realisedByDay: { '2025-03-12': -20 }, openOrders: { total: 1, bySymbol: {} } });
    const rules = buildRiskRules(cfg);
    expectDenied(checkRisk(buy(100), s, rules), 'open-orders-global');
    expect(riskDenials(buy(100), s, rules).map((d) => (d.allow ? '' : d.rule))).toEqual(['open-orders-global', 'daily-loss', 'wallet']);
    expect(checkRisk(buy(1), state(), rules).allow).toBe(true);
  });
  it('rejects bad settings with a usage error naming them', () => {
    const bad: unknown[] = [
      { stopLoss: { pct: 5, abs: 3 } }, { drawdown: {} }, { dailyLoss: { pct: -1 } }, { kelly: { fraction: 2, cap: 0.2, lookback: 5, minTrades: 2 } },
      { volatility: { window: 0, maxDeviationPct: 5 } }, { apiErrors: { maxErrors: 1, windowMs: 0, cooldownMs: 1 } },
      { openOrders: { maxTotal: 0 } }, { stopLos: { pct: 5 } },
    ];
    for (const b of bad) {
      let err: unknown;
      try { validateRiskConfig(b as RiskConfig); } catch (e) { err = e; }
      expect(isTradelabError(err) && err.code === 'RISK_CONFIG_INVALID' && err.family === 'usage', JSON.stringify(b)).toBe(true);
    }
    expect(() => validateRiskConfig({ stopLoss: { pct: 5 }, openOrders: { maxTotal: Infinity, maxPerMarket: 20 } })).not.toThrow();
  });
});

describe('riskIntentOf', () => {
  it('prices market orders at the reference price and limits at their limit', () => {
    expect(riskIntentOf({ type: 'market', side: 'buy', amount: 2, tag: 'm' }, 'BTC/USDT', 101, 0.001))
      .toEqual({ symbol: 'BTC/USDT', side: 'buy', type: 'market', amount: 2, feeRate: 0.001, tag: 'm', price: 101 });
    expect(riskIntentOf({ type: 'limit', side: 'sell', price: 99, amount: 1, tag: 'l' }, 'BTC/USDT', 101).price).toBe(99);
  });
});
