import { describe, expect, it } from 'vitest';
import { Type } from '@sinclair/typebox';
import { expectRelClose } from '../../test-support/approx.ts';
import { isTradelabError } from '../errors.ts';
import { makeFrame } from '../frame.ts';
import { defineStrategy, goLong } from '../strategy.ts';
import { DEFAULT_FILL_CONFIG, runSignalBacktest, type Trade } from '../sim/index.ts';
import { computeStats, statsInputFromSim, type StatsInput } from './index.ts';

const DAY = 86_400_000;
const HOUR = 3_600_000;
const T0 = Date.UTC(2024, 0, 1);

function input(over: Omit<Partial<StatsInput>, 'equity'> & { equity: number[] }): StatsInput {
  const n = over.equity.length;
  const { equity, ...rest } = over;
  return {
    ts: Float64Array.from({ length: n }, (_, k) => T0 + k * DAY),
    position: new Float64Array(n),
    trades: [],
    timeframe: '1d',
    initialCash: 100,
    feesPaid: 0,
    skippedOrders: 0,
    openTrades: 0,
    firstPrice: 1,
    lastPrice: 1,
    ...rest,
    equity: Float64Array.from(equity),
  };
}

const trade = (pnl: number, returnPct: number): Trade => ({
  side: 'long', entryBar: 0, exitBar: 1, entryTs: 0, exitTs: 1, entryPrice: 1, exitPrice: 1, size: 1, entryFee: 0, exitFee: 0,
  pnl, returnPct, barsHeld: 1, entryReason: '', exitReason: '',
});

describe('computeStats: equity metrics by hand', () => {
  // Daily bars, initial cash 100, equity at the closes 100, 110, 99, 108.9, 119.79.
  // Per-bar returns (E_-1 = 100): 0, 0.1, −0.1, 0.1, 0.1 → mean 0.04;
  // deviations −0.04, 0.06, −0.14, 0.06, 0.06 → squares sum 0.032 → sample variance 0.032 / 4 = 0.008.
  // Downside: only −0.1 → downside deviation sqrt(0.01 / 5) = sqrt(0.002).
  // Drawdown: peak 110 at mark 1, trough 99 at mark 2 (−10 %), recovered at mark 4 → 3 bars, 3 days.
  const s = computeStats(input({
    equity: [100, 110, 99, 108.9, 119.79],
    position: Float64Array.from([0, 1, 1, 1, 0]),
    firstPrice: 50, lastPrice: 60, feesPaid: 1.5, skippedOrders: 2, openTrades: 1,
  }));

  it('range, equity and returns', () => {
    expect([s.start, s.end, s.bars]).toEqual([T0, T0 + 4 * DAY, 5]);
    expect(s.durationDays).toBe(5); // from the first bar's open to the last bar's close
    expect([s.equityStart, s.equityFinal, s.equityPeak]).toEqual([100, 119.79, 119.79]);
    expectRelClose(s.returnPct, 19.79, 1e-12);
    expectRelClose(s.buyHoldReturnPct, 20, 1e-12);
    expectRelClose(s.cagrPct, (Math.pow(1.1979, 365 / 5) - 1) * 100, 1e-12);
    expect([s.feesPaid, s.skippedOrders, s.openTrades]).toEqual([1.5, 2, 1]);
  });

  it('annualised return, volatility, Sharpe and Sortino (365 daily bars a year)', () => {
    expectRelClose(s.annualReturnPct, 0.04 * 365 * 100, 1e-12);
    expectRelClose(s.annualVolatilityPct, Math.sqrt(0.008 * 365) * 100, 1e-12);
    expectRelClose(s.sharpe, Math.sqrt(73), 1e-12); // 0.04 / sqrt(0.008) × sqrt(365) = sqrt(0.2 × 365)
    expectRelClose(s.sortino, Math.sqrt(292), 1e-12); // 0.04 / sqrt(0.002) × sqrt(365) = sqrt(0.8 × 365)
  });

  it('drawdown, Calmar and exposure', () => {
    expectRelClose(s.maxDrawdownPct, -10, 1e-12);
    expectRelClose(s.avgDrawdownPct, -10, 1e-12);
    expect(s.maxDrawdownDurationBars).toBe(3);
    expect(s.maxDrawdownDurationDays).toBe(3);
    expectRelClose(s.calmar, s.cagrPct / 10, 1e-12);
    expect(s.exposurePct).toBe(60);
  });

  it('two drawdown periods, the last still open at the end, with a gap in the data', () => {
    // Hourly bars at 0, 1, 2, 3, 5, 6 h (bar 4 h is missing); initial cash 1000.
    // Equity 1000, 900, 1000, 1100, 880, 990. Period 1: peak 1000 at mark 0 (close at 1 h), trough 900 (−10 %),
    // recovered at mark 2 (close at 3 h): 2 bars, 2 h. Period 2: peak 1100 at mark 3 (close at 4 h), trough 880
    // (−20 %), not recovered by the end (last close at 7 h): 2 bars, 3 h (the gap makes it longer in time).
    const hours = [0, 1, 2, 3, 5, 6];
    const r = computeStats(input({
      equity: [1000, 900, 1000, 1100, 880, 990], initialCash: 1000, timeframe: '1h',
      ts: Float64Array.from(hours, (h) => T0 + h * HOUR),
    }));
    expectRelClose(r.maxDrawdownPct, -20, 1e-12);
    expectRelClose(r.avgDrawdownPct, -15, 1e-12);
    expect(r.maxDrawdownDurationBars).toBe(2);
    expectRelClose(r.maxDrawdownDurationDays, 3 / 24, 1e-12);
    expectRelClose(r.durationDays, 7 / 24, 1e-12);
    expect(r.equityPeak).toBe(1100);
  });

  it('flat equity: no return, no volatility, undefined ratios, no drawdown', () => {
    const r = computeStats(input({ equity: [100, 100, 100, 100] }));
    expect([r.returnPct, r.cagrPct, r.annualReturnPct, r.annualVolatilityPct]).toEqual([0, 0, 0, 0]);
    expect([r.sharpe, r.sortino, r.calmar]).toEqual([NaN, NaN, NaN]);
    expect([r.maxDrawdownPct, r.avgDrawdownPct, r.maxDrawdownDurationBars, r.maxDrawdownDurationDays, r.exposurePct]).toEqual([0, 0, 0, 0, 0]);
    expect(r.equityPeak).toBe(100);
  });

  it('only gains: Sortino and Calmar are +Infinity', () => {
    const r = computeStats(input({ equity: [100, 101, 102] }));
    expect(r.sortino).toBe(Infinity);
    expect(r.calmar).toBe(Infinity);
    expect(r.maxDrawdownPct).toBe(0);
  });

  it('a single bar has no sample standard deviation', () => {
    const r = computeStats(input({ equity: [105] }));
    expect(r.sharpe).toBeNaN();
    expect(r.annualVolatilityPct).toBeNaN();
    expectRelClose(r.annualReturnPct, 0.05 * 365 * 100, 1e-12);
  });

  it('ruin: CAGR is −100 % when final equity is <= 0', () => {
    const r = computeStats(input({ equity: [100, 50, -10] }));
    expect(r.cagrPct).toBe(-100);
    expectRelClose(r.maxDrawdownPct, -110, 1e-12);
  });

  it('rejects unknown timeframes, empty and mismatched input', () => {
    const err = (() => { try { computeStats(input({ equity: [1], timeframe: '7m' })); } catch (e) { return e; } })();
    expect(isTradelabError(err) && err.code === 'UNKNOWN_TIMEFRAME').toBe(true);
    expect(() => computeStats(input({ equity: [] }))).toThrow(/0 measured bars/);
    expect(() => computeStats(input({ equity: [1, 2], position: new Float64Array(1) }))).toThrow(/one value per measured bar/);
  });
});

describe('computeStats: trade metrics by hand', () => {
  it('a mix of wins, losses and a break-even trade', () => {
    // pnl 30, −10, 20, −20, 0 (returns 3, −1, 2, −2, 0 %).
    // wins 2 of 5 → 40 %; gross win 50, gross loss 30 → PF 5/3; expectancy 20 / 5 = 4;
    // deviations from 4: 26, −14, 16, −24, −4 → squares 1720 → sample std sqrt(430) → SQN sqrt(5) × 4 / sqrt(430);
    // Kelly: W 0.4, avg win 25, avg loss 15, R 5/3 → 0.4 − 0.6 / (5/3) = 0.04.
    const trades = [trade(30, 3), trade(-10, -1), trade(20, 2), trade(-20, -2), trade(0, 0)];
    const s = computeStats(input({ equity: [100, 140], trades }));
    expect(s.trades).toBe(5);
    expectRelClose(s.winRatePct, 40, 1e-12);
    expect([s.bestTradePct, s.worstTradePct]).toEqual([3, -2]);
    expectRelClose(s.avgTradePct, 0.4, 1e-12);
    expectRelClose(s.profitFactor, 5 / 3, 1e-12);
    expectRelClose(s.expectancy, 4, 1e-12);
    expectRelClose(s.sqn, (Math.sqrt(5) * 4) / Math.sqrt(430), 1e-12);
    expectRelClose(s.kelly, 0.04, 1e-12);
  });

  it('gives the same statistics from trade objects and from trade columns', () => {
    const trades = [trade(30, 3), trade(-10, -1), trade(20, 2), trade(-20, -2), trade(0, 0)];
    const a = computeStats(input({ equity: [100, 140], trades }));
    const b = computeStats(input({ equity: [100, 140], trades: { pnl: Float64Array.from(trades, (t) => t.pnl), returnPct: Float64Array.from(trades, (t) => t.returnPct) } }));
    expect(b).toEqual(a);
    expect(() => computeStats(input({ equity: [1], trades: { pnl: new Float64Array(2), returnPct: new Float64Array(1) } }))).toThrow(/differ in length/);
  });

  it('no trades: every trade metric is NaN', () => {
    const s = computeStats(input({ equity: [100, 100] }));
    expect(s.trades).toBe(0);
    for (const k of ['winRatePct', 'bestTradePct', 'worstTradePct', 'avgTradePct', 'profitFactor', 'expectancy', 'sqn', 'kelly'] as const) {
      expect(s[k], k).toBeNaN();
    }
  });

  it('all wins: profit factor +Infinity, Kelly 1, win rate 100 %', () => {
    const s = computeStats(input({ equity: [100, 130], trades: [trade(10, 1), trade(20, 2)] }));
    expect(s.profitFactor).toBe(Infinity);
    expect(s.kelly).toBe(1);
    expect(s.winRatePct).toBe(100);
    expectRelClose(s.sqn, (Math.sqrt(2) * 15) / Math.sqrt(50), 1e-12);
  });

  it('all losses: profit factor 0, Kelly −Infinity; one trade: SQN NaN', () => {
    const s = computeStats(input({ equity: [100, 90], trades: [trade(-10, -1)] }));
    expect(s.profitFactor).toBe(0);
    expect(s.kelly).toBe(-Infinity);
    expect(s.winRatePct).toBe(0);
    expect(s.sqn).toBeNaN();
  });

  it('break-even trades only: profit factor and Kelly NaN', () => {
    const s = computeStats(input({ equity: [100, 100], trades: [trade(0, 0), trade(0, 0)] }));
    expect(s.profitFactor).toBeNaN();
    expect(s.kelly).toBeNaN();
    expect(s.winRatePct).toBe(0);
  });
});

describe('computeStats: exposure', () => {
  it('takes exposureBars when given (the same statistics as counting the position curve), else counts the curve', () => {
    const equity = [100, 110, 99, 108.9, 119.79];
    const position = Float64Array.from([0, 1, -2, 0, 1]);
    const fromCurve = computeStats(input({ equity, position }));
    expect(fromCurve.exposurePct).toBe(60);
    const { position: _omit, ...noCurve } = input({ equity });
    expect(computeStats({ ...noCurve, exposureBars: 3 })).toEqual(fromCurve);
    expect(computeStats({ ...noCurve, exposureBars: 0 }).exposurePct).toBe(0);
  });

  it('rejects a bad exposureBars, and an input with neither it nor a position curve', () => {
    const { position: _omit, ...noCurve } = input({ equity: [100, 101] });
    for (const bad of [-1, 3, 1.5, NaN]) {
      expect(() => computeStats({ ...noCurve, exposureBars: bad })).toThrow(/exposureBars=.* must be an integer in \[0, 2\]/);
    }
    expect(() => computeStats(noCurve)).toThrow(/either position .* or exposureBars/);
  });
});

describe('statsInputFromSim', () => {
  it('feeds a simulator result: buy & hold from the first measured open to the last close, one open trade', () => {
    const n = 6;
    const px = [100, 100, 104, 108, 112, 120];
    const frame = makeFrame({ exchange: 'test', symbol: 'X/USDT', timeframe: '1h' }, {
      ts: Float64Array.from({ length: n }, (_, i) => T0 + i * HOUR), open: Float64Array.from(px),
      high: Float64Array.from(px, (p) => p + 1), low: Float64Array.from(px, (p) => p - 1),
      close: Float64Array.from(px, (p) => p + 2), volume: new Float64Array(n).fill(1),
    });
    const s = defineStrategy({
      id: 'always-long', version: '1.0.0', description: '', params: Type.Object({}), warmup: () => 0, indicators: () => ({}),
      decide: () => goLong(),
    });
    const config = { ...DEFAULT_FILL_CONFIG, feeRate: 0 };
    const r = runSignalBacktest(s, frame, {}, config, { startIndex: 1 });
    const st = computeStats(statsInputFromSim(r, frame, config));
    expectRelClose(st.buyHoldReturnPct, (122 / 100 - 1) * 100, 1e-12);
    expect(st.openTrades).toBe(1);
    expect(st.trades).toBe(0);
    expect(st.bars).toBe(5);
    expect(st.exposurePct).toBe(80); // flat during the first measured bar (decisions fill at the next open), then 4 of 5
    expect(computeStats({ ...statsInputFromSim(r, frame, config), exposureBars: undefined, position: r.position })).toEqual(st);
    // bought at bar 2 open 104 with all 10,000: final equity 10,000 / 104 × 122
    expectRelClose(st.equityFinal, (10_000 / 104) * 122, 1e-12);
  });
});
