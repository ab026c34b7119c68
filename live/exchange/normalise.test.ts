import ccxt, { type Market as CcxtMarket, type Order as CcxtOrder } from 'ccxt';
import { describe, expect, it } from 'vitest';
import { marketFromCcxt, normaliseBalances, normaliseOrder, normaliseStatus } from './normalise.ts';

const market = (precision: { price?: number; amount?: number }, extra: Partial<NonNullable<CcxtMarket>> = {}) => ({
  id: 'BTCUSDT', symbol: 'BTC/USDT', base: 'BTC', quote: 'USDT', type: 'spot', spot: true, active: true, precision,
  limits: { amount: { min: 0.0001, max: 900 }, price: { min: 0.01, max: 1e6 }, cost: { min: 5 } }, maker: 0.0008, taker: 0.001, ...extra,
}) as unknown as NonNullable<CcxtMarket>;

describe('marketFromCcxt: ccxt precision modes to an engine MarketSpec', () => {
  it('TICK_SIZE: precision values are the increments', () => {
    const m = marketFromCcxt(market({ price: 0.01, amount: 0.00001 }), ccxt.TICK_SIZE);
    expect(m.spec).toEqual({ symbol: 'BTC/USDT', priceTick: 0.01, amountStep: 0.00001, minAmount: 0.0001, minNotional: 5, makerFee: 0.0008, takerFee: 0.001 });
    expect(m.precision).toEqual({ price: 0.01, amount: 0.00001, mode: 4 });
    expect(m.limits).toEqual({ amountMin: 0.0001, amountMax: 900, priceMin: 0.01, priceMax: 1e6, costMin: 5 });
  });

  it('DECIMAL_PLACES: digit counts become increments (2 -> 0.01, 5 -> 0.00001, 0 -> 1)', () => {
    expect(marketFromCcxt(market({ price: 2, amount: 5 }), ccxt.DECIMAL_PLACES).spec).toMatchObject({ priceTick: 0.01, amountStep: 0.00001 });
    expect(marketFromCcxt(market({ price: 0, amount: 8 }), ccxt.DECIMAL_PLACES).spec).toMatchObject({ priceTick: 1, amountStep: 1e-8 });
  });

  it('SIGNIFICANT_DIGITS: the tick at a reference price; without one, no engine rounding', () => {
    // 5 significant digits at 37,123.4 -> steps of 1; at 0.0123 -> 0.000001
    expect(marketFromCcxt(market({ price: 5, amount: 8 }), ccxt.SIGNIFICANT_DIGITS, { referencePrice: 37123.4 }).spec).toMatchObject({ priceTick: 1, amountStep: 0 });
    expect(marketFromCcxt(market({ price: 5 }), ccxt.SIGNIFICANT_DIGITS, { referencePrice: 0.0123 }).spec.priceTick).toBe(0.000001);
    const m = marketFromCcxt(market({ price: 5, amount: 8 }), ccxt.SIGNIFICANT_DIGITS);
    expect(m.spec).toMatchObject({ priceTick: 0, amountStep: 0 });
    expect(m.precision).toEqual({ price: 5, amount: 8, mode: 3 });
  });

  it('missing fees fall back; missing limits mean no rule; an unknown mode is refused', () => {
    const m = marketFromCcxt(market({ price: 0.1 }, { maker: undefined, taker: undefined, limits: {} } as never), ccxt.TICK_SIZE, { fallbackFees: { maker: 0.002, taker: 0.004 } });
    expect(m.spec).toMatchObject({ makerFee: 0.002, takerFee: 0.004, minAmount: 0, minNotional: 0, amountStep: 0 });
    expect(() => marketFromCcxt(market({}), 7)).toThrow(/precisionMode 7 is unknown/);
  });
});

describe('normaliseOrder and friends', () => {
  const base = { id: '1', symbol: 'BTC/USDT', side: 'buy', type: 'limit', price: 100, amount: 2 } as unknown as CcxtOrder;

  it('an acknowledged order without status, filled or remaining is open with nothing filled', () => {
    expect(normaliseOrder({ ...base, status: undefined, filled: undefined, remaining: undefined } as CcxtOrder))
      .toMatchObject({ status: 'open', filled: 0, remaining: 2, average: NaN, cost: NaN, fee: undefined, timestamp: NaN });
  });

  it('derives cost from filled x average when missing', () => {
    expect(normaliseOrder({ ...base, status: 'closed', filled: 2, remaining: 0, average: 101 } as CcxtOrder)).toMatchObject({ cost: 202, average: 101 });
  });

  it('statuses: five words; anything else is a bug', () => {
    expect(['open', 'closed', 'canceled', 'cancelled', 'rejected', 'expired', null].map((s) => normaliseStatus(s))).toEqual(['open', 'closed', 'canceled', 'canceled', 'rejected', 'expired', 'open']);
    expect(() => normaliseStatus('pending_new')).toThrow(/unexpected ccxt order status/);
    expect(() => normaliseOrder({ ...base, side: undefined } as unknown as CcxtOrder)).toThrow(/unexpected side/);
  });

  it('balances keep currencies only and fill a missing part from the others', () => {
    const b = normaliseBalances({ info: {}, BTC: { free: 1, used: 0.5, total: 1.5 }, USDT: { free: 10, total: 12 }, free: {}, used: {}, total: {}, timestamp: 5 } as never);
    expect(b).toEqual({ byCurrency: { BTC: { free: 1, used: 0.5, total: 1.5 }, USDT: { free: 10, used: 2, total: 12 } }, timestamp: 5 });
  });
});
