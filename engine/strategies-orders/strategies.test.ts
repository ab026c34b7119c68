import { describe, expect, it } from 'vitest';
import { makeFrame, type CandleFrame } from '../frame.ts';
import { marketSpec } from '../orders/market-spec.ts';
import { runOrderBacktest } from '../orders/simulator.ts';
import { paramDefaults } from '../params.ts';
import { expectArrayClose, expectRelClose } from '../../test-support/approx.ts';
import { dca } from './dca.ts';
import { expandStepSeries, orderStrategies, orderStrategyReport } from './index.ts';
import { grid } from './grid.ts';
import { rangeGrid, rangeGridCycles, rangeLevels } from './range-grid.ts';
import { executionReport, twap, vwap, vwapWeights } from './twap.ts';

const H = 3_600_000, M = 60_000;
function frame(rows: number[][], stepMs = M, timeframe = '1m', t0 = 0): CandleFrame {
  const col = (k: number) => Float64Array.from(rows, (r) => r[k]);
  return makeFrame({ exchange: 'test', symbol: 'BTC/USDT', timeframe }, {
    ts: Float64Array.from(rows, (_, i) => t0 + i * stepMs), open: col(0), high: col(1), low: col(2), close: col(3), volume: Float64Array.from(rows, (r) => r[4] ?? 10),
  });
}
const spec = marketSpec('BTC/USDT', { priceTick: 0.01, amountStep: 0.00001, minAmount: 0, minNotional: 0, makerFee: 0.001, takerFee: 0.001 });

describe('orderStrategies', () => {
  it('lists the five order strategies, all of kind orders, with defaults for every parameter', () => {
    expect(orderStrategies.map((s) => s.id)).toEqual(['grid', 'range-grid', 'dca', 'twap', 'vwap']);
    for (const s of orderStrategies) {
      expect(s.kind).toBe('orders');
      expect(s.resolveParams({})).toEqual(paramDefaults(s.params));
    }
    expect(() => orderStrategies[0].resolveParams({ gridStep: 1 })).toThrow(/did you mean 'gridStepPct'/i);
    expect(() => orderStrategies[0].resolveParams({ minBuys: 30, maxBuys: 20 })).toThrow(/minBuys <= maxBuys/);
  });
});

describe('range-grid', () => {
  it('levels are arithmetic or geometric between the bounds', () => {
    expectArrayClose(rangeLevels(90, 110, 4, 'arithmetic'), [90, 95, 100, 105, 110]);
    expectArrayClose(rangeLevels(100, 400, 2, 'geometric'), [100, 200, 400]);
  });
  it('buys below the price, seeds the grids above, sells one level up, re-buys after the sell, stops at the stop-loss', () => {
    // levels 90, 95, 100, 105, 110; 5,000 invested = 1,250 per grid. Start at 101: buys at 90, 95, 100;
    // the grid 105 -> 110 is above the price: its base (1250 / 105 = 11.90476) is bought at market.
    const rows = [
      [101, 101, 101, 101], // 0: start
      [101, 101.2, 99.5, 100.5], // 1: the seed fills at the open (101, taker); the buy at 100 fills -> sell at 105
      [100.5, 105.5, 100.4, 105.2], // 2: the sell at 105 fills: one cycle; the buy at 100 is placed again
      [105.2, 105.3, 84, 85], // 3: trades down through 100, 95, 90; closes at 85 <= stop 88: cancel all, sell at market
      [86, 86.5, 85.5, 86], // 4: the stop-loss sale fills at the open
    ];
    const r = runOrderBacktest(rangeGrid, [{ frame: frame(rows), spec }], { lowerPrice: 90, upperPrice: 110, gridCount: 4, stopLossPrice: 88 }, { initialCash: 10_000 });
    expect(r.fills.map((f) => [f.bar, f.tag.replace(/\.\d+$/, ''), f.side, f.price, f.amount])).toEqual([
      [1, 'init', 'buy', 101, 11.90476],
      [1, 'b2', 'buy', 100, 12.5],
      [2, 's2', 'sell', 105, 12.5],
      [3, 'b2', 'buy', 100, 12.5],
      [3, 'b1', 'buy', 95, 13.15789],
      [3, 'b0', 'buy', 90, 13.88888],
      [4, 'stop-loss', 'sell', 86, 11.90476 + 12.5 + 13.15789 + 13.88888],
    ]);
    expect(r.orders.filter((o) => o.status === 'open')).toEqual([]);
    // one completed cycle: 12.5 x (105 - 100) less maker fees 1.25 + 1.3125
    const cycles = rangeGridCycles(r);
    expect(cycles.completed).toBe(1);
    expectRelClose(cycles.profit, 62.5 - 1.25 - 1.3125);
    expect(r.series['BTC/USDT'].stopped.value[0]).toBe(1);
  });
});

describe('dca', () => {
  it('buys every interval at the next open, buys more after a dip, and takes profit over the average cost', () => {
    const rows = [
      [100, 100, 100, 100], // 0: scheduled buy: 100 / 100 = 1
      [100, 100, 89, 89], // 1: fills 1 @ 100; not yet time (interval 2 h)
      [89, 89, 89, 89], // 2: scheduled; 89 <= 100 x 0.9: dip, 3 x 100 / 89 = 3.37078
      [89, 97, 89, 97], // 3: fills 3.37078 @ 89; average 91.52 -> 97 >= 96.09: take profit (sell 4.37078 at market)
      [98, 98, 98, 98], // 4: the sale fills at 98; a scheduled buy 100 / 98
      [98, 98, 98, 98],
    ];
    const r = runOrderBacktest(dca, [{ frame: frame(rows, H, '1h'), spec }], { quoteAmount: 100, intervalHours: 2, dipPct: 10, dipMultiplier: 3, takeProfitPct: 5 }, { initialCash: 10_000 });
    expect(r.fills.map((f) => [f.bar, f.side, f.price, f.amount])).toEqual([
      [1, 'buy', 100, 1], [3, 'buy', 89, 3.37078], [4, 'sell', 98, 4.37078], [5, 'buy', 98, 1.02040],
    ]);
    expectRelClose(r.totals.realised, 1 * (98 - 100) + 3.37078 * (98 - 89));
  });
});

describe('twap and vwap', () => {
  it('twap sends equal slices at the slice times and reports execution quality', () => {
    // 1m bars; period [2 min, 8 min) in 3 slices of 2 minutes: decided at the closes of bars 1, 3, 5, filled at the opens of bars 2, 4, 6
    const rows = Array.from({ length: 10 }, (_, i) => [100 + i, 100.5 + i, 99.5 + i, 100.2 + i, 10 + i]);
    const f = frame(rows);
    const r = runOrderBacktest(twap, [{ frame: f, spec }], { quantity: 0.3, startTs: 2 * M, durationMinutes: 6, slices: 3 }, { initialCash: 10_000 });
    expect(r.fills.map((x) => [x.bar, x.price, x.amount])).toEqual([[2, 102, 0.1], [4, 104, 0.1], [6, 106, 0.1]]);
    const q = executionReport(r, f, 0.3);
    expectRelClose(q.avgFillPrice, 104);
    expectRelClose(q.completion, 1);
    expect(q.childOrders).toBe(3);
    // period bars 2..7: typical price (h + l + c) / 3 = 100.0667 + i; TWAP = 104.5667; VWAP weights volume 12..17
    expectRelClose(q.periodTwap, 100.2 / 3 + 200 / 3 + 4.5);
    let vw = 0, v = 0;
    for (let i = 2; i < 8; i++) { vw += (100 + (100.2 - 100) / 3 + i) * (10 + i); v += 10 + i; }
    expectRelClose(q.periodVwap, vw / v);
    expectRelClose(q.participation, 0.3 / v);
    expectRelClose(q.slippageVsTwapBps, (104 / q.periodTwap - 1) * 1e4);
    expectRelClose(q.slippageVsArrivalBps, (104 / 102 - 1) * 1e4);
  });
  it('vwap weights come from the same time-of-day windows of PAST days only', () => {
    // 1h bars over 4 days; start = day 3 00:00, 3 slices of 1 h, lookback 2 days: hours 0, 1, 2 of days 1 and 2
    const rows: number[][] = [];
    for (let i = 0; i < 96; i++) {
      const hour = i % 24, day = Math.floor(i / 24);
      const vol = day >= 3 ? 1e6 : day === 0 ? 1e5 : hour === 0 ? 1 : hour === 1 ? 2 : hour === 2 ? 5 : 100;
      rows.push([100, 101, 99, 100, vol]);
    }
    const f = frame(rows, H, '1h');
    const start = 3 * 24 * H;
    expectArrayClose(vwapWeights(f, 71, start, H, 3, 2), [2 / 16, 4 / 16, 10 / 16]);
    // rows at or after the start (huge volume) are ignored even if available
    expectArrayClose(vwapWeights(f, 95, start, H, 3, 2), [2 / 16, 4 / 16, 10 / 16]);
    const r = runOrderBacktest(vwap, [{ frame: f, spec }], { quantity: 1.6, startTs: start, durationMinutes: 180, slices: 3, lookbackDays: 2 }, { initialCash: 1_000 });
    expect(r.fills.map((x) => [x.ts / H, x.amount])).toEqual([[72, 0.2], [73, 0.4], [74, 1]]);
  });
  it('a sell parent uses the initial inventory', () => {
    const rows = Array.from({ length: 6 }, () => [100, 101, 99, 100, 10]);
    const f = frame(rows);
    const r = runOrderBacktest(twap, [{ frame: f, spec, initialBase: 1 }], { side: 'sell', quantity: 1, startTs: M, durationMinutes: 2, slices: 2 }, { initialCash: 0 });
    expect(r.fills.map((x) => [x.side, x.amount])).toEqual([['sell', 0.5], ['sell', 0.5]]);
    expect(r.markets[0].base).toBe(0);
    expect(executionReport(r, f, 1).side).toBe('sell');
  });
});

describe('orderStrategyReport', () => {
  it('expands step series onto the timeline and picks the report of each strategy', () => {
    expect(Array.from(expandStepSeries({ ts: Float64Array.of(60, 180), value: Float64Array.of(1, 2) }, Float64Array.of(0, 60, 120, 180, 240)))).toEqual([NaN, 1, 1, 2, 2]);
    const f = frame([[100, 100.1, 99.9, 100], [100, 101.6, 99.5, 101.6], [101.6, 101.7, 101.5, 101.6]]);
    const r = runOrderBacktest(grid, [{ frame: f, spec }], {}, { initialCash: 10_000 });
    const rep = orderStrategyReport(r, [f]);
    expect(Array.from(rep.gridLines!['BTC/USDT'].anchorHigh)).toEqual([100, 101.6, 101.6]);
    expect(rep.holdPeriods).toEqual([]);
  });
});
