import { describe, expect, it } from 'vitest';
import ccxt from 'ccxt';
import {
  CCXT_DECIMAL_PLACES, CCXT_SIGNIFICANT_DIGITS, CCXT_TICK_SIZE, checkOrder, checkOrderOf, marketSpec, marketSpecFromCcxt, roundAmount,
  roundOrderInPlace, roundPrice,
} from './market-spec.ts';
import { seededRandom } from '../random.ts';

const s = marketSpec('BTC/USDT', { priceTick: 0.01, amountStep: 0.001, minAmount: 0.002, minNotional: 5, makerFee: 0.001, takerFee: 0.002 });

describe('rounding to the market', () => {
  it('roundOrderInPlace and checkOrderOf give exactly what roundPrice, roundAmount and checkOrder give', () => {
    const rnd = seededRandom(5);
    const specs = [s, marketSpec('ETH/USDT', { priceTick: 0.05, amountStep: 0.0001, minAmount: 0, minNotional: 1 }), marketSpec('X/USDT', { priceTick: 1e-8, amountStep: 1, minAmount: 1, minNotional: 0 }),
      marketSpec('Y/USDT', { priceTick: 0, amountStep: 0 })];
    const io = new Float64Array(2);
    let n = 0;
    for (let k = 0; k < 20_000; k++) {
      const spec = specs[k % specs.length];
      const side = (['buy', 'sell', 'nearest'] as const)[Math.floor(rnd() * 3)];
      const price = k % 97 === 0 ? NaN : 10 ** (rnd() * 8 - 3), amount = k % 89 === 0 ? 0 : 10 ** (rnd() * 6 - 3);
      for (const limit of [true, false]) {
        io[0] = price; io[1] = amount;
        roundOrderInPlace(spec, side, limit, io);
        expect(Object.is(io[0], limit ? roundPrice(spec, price, side) : price)).toBe(true);
        expect(Object.is(io[1], roundAmount(spec, amount))).toBe(true);
        expect(checkOrderOf(spec, io)).toBe(checkOrder(spec, io[0], io[1]));
        n++;
      }
    }
    expect(n).toBe(40_000);
  });

  it('rounds buy prices down, sell prices up, and nearest on request', () => {
    expect(roundPrice(s, 100.129, 'buy')).toBe(100.12);
    expect(roundPrice(s, 100.121, 'sell')).toBe(100.13);
    expect(roundPrice(s, 100.125, 'nearest')).toBe(100.13);
    // already on the tick: unchanged despite float noise (0.1 + 0.2 = 0.30000000000000004)
    expect(roundPrice(s, 0.1 + 0.2, 'buy')).toBe(0.3);
    expect(roundPrice(s, 0.1 + 0.2, 'sell')).toBe(0.3);
    expect(roundPrice(s, 97.0299 * 1.01, 'sell')).toBe(98.01);
  });
  it('rounds amounts down to the step, never up', () => {
    expect(roundAmount(s, 0.0019999)).toBe(0.001);
    expect(roundAmount(s, 0.3)).toBe(0.3);
    expect(roundAmount(s, 0.1 * 3)).toBe(0.3);
    expect(roundAmount(s, 1.23456)).toBe(1.234);
  });
  it('rejects below-minimum orders with a reason and never adjusts them', () => {
    expect(checkOrder(s, 100, 0.001)).toBe('below-min-amount');
    expect(checkOrder(s, 100, 0.002)).toBe('below-min-notional'); // 0.2 < 5
    expect(checkOrder(s, 100, 0.05)).toBeUndefined();
    expect(checkOrder(s, 100, 0)).toBe('below-min-amount');
    expect(checkOrder(s, NaN, 1)).toBe('invalid-price');
    expect(checkOrder(s, 100, NaN)).toBe('invalid-amount');
  });
  it('validates user-given specs', () => {
    expect(() => marketSpec('X/Y', { makerFee: -0.1 })).toThrow(/makerFee=-0.1/);
    expect(() => marketSpec('X/Y', { takerFee: 1.5 })).toThrow(/rates/);
  });
});

describe('specs from ccxt markets', () => {
  it('uses the same precision-mode constants as ccxt', () => {
    expect([ccxt.DECIMAL_PLACES, ccxt.SIGNIFICANT_DIGITS, ccxt.TICK_SIZE]).toEqual([CCXT_DECIMAL_PLACES, CCXT_SIGNIFICANT_DIGITS, CCXT_TICK_SIZE]);
  });
  it('TICK_SIZE: precision values are the increments', () => {
    const spec = marketSpecFromCcxt({ symbol: 'BTC/USDT', precision: { price: 0.01, amount: 0.00001 }, limits: { amount: { min: 0.00001 }, cost: { min: 5 } }, maker: 0.001, taker: 0.001 }, ccxt.TICK_SIZE);
    expect(spec).toEqual({ symbol: 'BTC/USDT', priceTick: 0.01, amountStep: 0.00001, minAmount: 0.00001, minNotional: 5, makerFee: 0.001, takerFee: 0.001 });
  });
  it('DECIMAL_PLACES: precision values are digit counts; missing limits mean no rule; missing fees fall back', () => {
    const spec = marketSpecFromCcxt({ symbol: 'ETH/BTC', precision: { price: 6, amount: 3 }, limits: {} }, ccxt.DECIMAL_PLACES, { maker: 0.0015, taker: 0.0025 });
    expect(spec).toEqual({ symbol: 'ETH/BTC', priceTick: 0.000001, amountStep: 0.001, minAmount: 0, minNotional: 0, makerFee: 0.0015, takerFee: 0.0025 });
  });
  it('refuses SIGNIFICANT_DIGITS (no fixed tick) with a usage error', () => {
    expect(() => marketSpecFromCcxt({ symbol: 'X/Y', precision: { price: 5 } }, ccxt.SIGNIFICANT_DIGITS)).toThrow(/precisionMode 3 is not supported/);
  });
  it('builds a spec from a real ccxt exchange market (binance, markets set offline)', () => {
    const ex = new ccxt.binance();
    ex.setMarkets([{
      id: 'BTCUSDT', symbol: 'BTC/USDT', base: 'BTC', quote: 'USDT', type: 'spot', spot: true, active: true,
      precision: { price: 0.01, amount: 0.00001 }, limits: { amount: { min: 0.00001, max: 9000 }, cost: { min: 5 } }, maker: 0.001, taker: 0.001,
    } as never]);
    const spec = marketSpecFromCcxt(ex.market('BTC/USDT') as never, Number(ex.precisionMode));
    expect([spec.priceTick, spec.amountStep, spec.minNotional, spec.makerFee]).toEqual([0.01, 0.00001, 5, 0.001]);
  });
});
