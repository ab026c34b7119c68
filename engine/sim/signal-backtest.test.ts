import { describe, expect, it } from 'vitest';
import { Type } from '@sinclair/typebox';
import { makeFrame, type CandleFrame } from '../frame.ts';
import { defineStrategy, goFlat, goLong, goShort, memoColumn, type PositionView } from '../strategy.ts';
import { isTradelabError } from '../errors.ts';
import { expectArrayClose, expectRelClose } from '../../test-support/approx.ts';
import { DEFAULT_FILL_CONFIG, roundDownToLot, runSignalBacktest, type FillConfig } from './index.ts';

const HOUR = 3_600_000;
const T0 = Date.UTC(2024, 0, 1);

/** A frame from [open, high, low, close] rows, one hour apart. */
function frameOf(rows: readonly (readonly [number, number, number, number])[]): CandleFrame {
  const n = rows.length;
  const col = (j: number) => Float64Array.from(rows, (r) => r[j]);
  return makeFrame({ exchange: 'test', symbol: 'BTC/USDT', timeframe: '1h' }, {
    ts: Float64Array.from({ length: n }, (_, i) => T0 + i * HOUR),
    open: col(0), high: col(1), low: col(2), close: col(3), volume: new Float64Array(n).fill(1),
  });
}

/** A strategy that replays a fixed table of targets (1 long, 0 flat, -1 short, NaN none) by bar index, on both paths. */
function tableStrategy(targets: readonly number[], seen?: { i: number; position: PositionView }[]) {
  return defineStrategy({
    id: 'table', version: '1.0.0', description: 'replays a fixed table of targets',
    params: Type.Object({}), warmup: () => 0,
    indicators: () => ({}),
    decide: (ctx) => {
      seen?.push({ i: ctx.i, position: ctx.position });
      const t = targets[ctx.i];
      return t === 1 ? goLong() : t === -1 ? goShort() : t === 0 ? goFlat() : undefined;
    },
    signals: (frame) => Float64Array.from({ length: frame.length }, (_, i) => targets[i] ?? NaN),
  });
}

const cfg = (over: Partial<FillConfig> = {}): FillConfig => ({ ...DEFAULT_FILL_CONFIG, ...over });

describe('runSignalBacktest: a 10-bar case worked out by hand', () => {
  //            open  high  low  close     decision at this bar's close (filled at the next open)
  const bars = [
    [100, 100, 100, 100], // 0  long  (warm-up bar: before startIndex, ignored)
    [100, 101, 99, 100], //  1  long
    [100, 111, 99, 110], //  2  long  (already long: nothing)
    [110, 121, 109, 120], // 3  flat
    [120, 121, 117, 118], // 4  long
    [118, 126, 117, 125], // 5  (none)
    [125, 131, 124, 130], // 6  short (reversal)
    [130, 181, 129, 180], // 7  long  (reversal: cover, then the long entry is below minNotional: skipped)
    [196, 201, 195, 200], // 8  (none)
    [200, 201, 189, 190], // 9  long  (last measured bar: no next bar, never filled)
  ] as const;
  const targets = [1, 1, 1, 0, 1, NaN, -1, 1, NaN, 1];
  const config = cfg({ initialCash: 1000, feeRate: 0.01, slippageBps: 100, lotSize: 1, minNotional: 500, allowShort: true });
  // slippage 100 bps: buys at open × 1.01, sells at open × 0.99; fee 1 % of each fill's notional.
  //
  // bar 2 open 100: BUY at 101.  size = floor(1000 / (101 × 1.01)) = floor(1000 / 102.01) = floor(9.8029) = 9 (lot 1)
  //   notional 9 × 101 = 909 (>= 500), fee 9.09, cash 1000 − 909 − 9.09 = 81.91
  //   equity bar 2 = 81.91 + 9 × 110 = 1071.91; bar 3 = 81.91 + 9 × 120 = 1161.91
  // bar 4 open 120: SELL 9 at 118.8: notional 1069.2, fee 10.692, cash 81.91 + 1069.2 − 10.692 = 1140.418 (= equity bars 4)
  //   trade 1 pnl = (118.8 − 101) × 9 − 9.09 − 10.692 = 160.2 − 19.782 = 140.418; returnPct = 140.418 / (909 + 9.09) × 100
  // bar 5 open 118: BUY at 119.18. size = floor(1140.418 / (119.18 × 1.01)) = floor(9.4741) = 9 (lot rounding drops 0.47)
  //   notional 1072.62, fee 10.7262, cash 1140.418 − 1072.62 − 10.7262 = 57.0718
  //   equity bar 5 = 57.0718 + 9 × 125 = 1182.0718; bar 6 = 57.0718 + 9 × 130 = 1227.0718
  // bar 7 open 130: reversal. SELL 9 at 128.7 to close: notional 1158.3, fee 11.583, cash 57.0718 + 1158.3 − 11.583 = 1203.7888
  //   trade 2 pnl = (128.7 − 119.18) × 9 − 10.7262 − 11.583 = 85.68 − 22.3092 = 63.3708
  //   then SELL short at 128.7: size = floor(1203.7888 / (128.7 × 1.01)) = floor(9.2608) = 9, notional 1158.3, fee 11.583,
  //   cash 1203.7888 + 1158.3 − 11.583 = 2350.5058; equity bar 7 = 2350.5058 − 9 × 180 = 730.5058
  // bar 8 open 196: reversal. BUY 9 at 197.96 to cover: notional 1781.64, fee 17.8164, cash 2350.5058 − 1781.64 − 17.8164 = 551.0494
  //   trade 3 pnl = (128.7 − 197.96) × 9 − 11.583 − 17.8164 = −623.34 − 29.3994 = −652.7394
  //   then BUY long at 197.96: size = floor(551.0494 / (197.96 × 1.01)) = floor(2.756) = 2, notional 395.92 < 500: SKIPPED
  //   equity bars 8, 9 = 551.0494 (flat)
  // fees = 9.09 + 10.692 + 10.7262 + 11.583 + 11.583 + 17.8164 = 71.4906
  const expectedEquity = [1000, 1071.91, 1161.91, 1140.418, 1182.0718, 1227.0718, 730.5058, 551.0494, 551.0494];
  const expectedPosition = [0, 9, 9, 0, 9, 9, -9, 0, 0];
  const expectedFills = [
    { bar: 2, side: 'buy', price: 101, size: 9, fee: 9.09 },
    { bar: 4, side: 'sell', price: 118.8, size: 9, fee: 10.692 },
    { bar: 5, side: 'buy', price: 119.18, size: 9, fee: 10.7262 },
    { bar: 7, side: 'sell', price: 128.7, size: 9, fee: 11.583 },
    { bar: 7, side: 'sell', price: 128.7, size: 9, fee: 11.583 },
    { bar: 8, side: 'buy', price: 197.96, size: 9, fee: 17.8164 },
  ];
  const expectedTrades = [
    { side: 'long', entryBar: 2, exitBar: 4, entryPrice: 101, exitPrice: 118.8, entryFee: 9.09, exitFee: 10.692, pnl: 140.418, returnPct: (140.418 / 918.09) * 100, barsHeld: 2 },
    { side: 'long', entryBar: 5, exitBar: 7, entryPrice: 119.18, exitPrice: 128.7, entryFee: 10.7262, exitFee: 11.583, pnl: 63.3708, returnPct: (63.3708 / (1072.62 + 10.7262)) * 100, barsHeld: 2 },
    { side: 'short', entryBar: 7, exitBar: 8, entryPrice: 128.7, exitPrice: 197.96, entryFee: 11.583, exitFee: 17.8164, pnl: -652.7394, returnPct: (-652.7394 / (1158.3 + 11.583)) * 100, barsHeld: 1 },
  ];

  for (const path of ['fast', 'per-bar'] as const) {
    it(`matches the hand computation on the ${path} path`, () => {
      const f = frameOf(bars);
      const r = runSignalBacktest(tableStrategy(targets), f, {}, config, { startIndex: 1, path });
      expect(r.path).toBe(path);
      expect([r.startIndex, r.endIndex]).toEqual([1, 10]);
      expect(Array.from(r.ts)).toEqual(Array.from(f.ts.subarray(1)));
      expectArrayClose(r.equity, expectedEquity, 1e-12);
      expect(Array.from(r.position)).toEqual(expectedPosition);
      expect(r.fills).toHaveLength(expectedFills.length);
      r.fills.forEach((fl, j) => {
        const e = expectedFills[j];
        expect([fl.bar, fl.ts, fl.side, fl.size]).toEqual([e.bar, f.ts[e.bar], e.side, e.size]);
        expectRelClose(fl.price, e.price, 1e-12);
        expectRelClose(fl.fee, e.fee, 1e-12);
      });
      expect(r.trades).toHaveLength(3);
      r.trades.forEach((t, j) => {
        const e = expectedTrades[j];
        expect([t.side, t.entryBar, t.exitBar, t.size, t.barsHeld, t.entryTs, t.exitTs]).toEqual([e.side, e.entryBar, e.exitBar, 9, e.barsHeld, f.ts[e.entryBar], f.ts[e.exitBar]]);
        for (const k of ['entryPrice', 'exitPrice', 'entryFee', 'exitFee', 'pnl', 'returnPct'] as const) expectRelClose(t[k], e[k], 1e-12);
      });
      expect(Array.from(r.tradeColumns.pnl)).toEqual(r.trades.map((t) => t.pnl));
      expect(Array.from(r.tradeColumns.returnPct)).toEqual(r.trades.map((t) => t.returnPct));
      expect(r.fills.map((x) => x.reason)).toEqual(['target long', 'target flat', 'target long', 'target short', 'target short', 'target long']);
      expect(r.trades.map((t) => [t.entryReason, t.exitReason])).toEqual([['target long', 'target flat'], ['target long', 'target short'], ['target short', 'target long']]);
      expect(r.skippedOrders).toBe(1);
      expect(r.skipped).toHaveLength(1);
      expect(r.skipped[0].bar).toBe(8);
      expect(r.skipped[0].reason).toMatch(/long entry skipped: notional 395\.92\d* is below minNotional 500/);
      expectRelClose(r.feesPaid, 71.4906, 1e-12);
      expectRelClose(r.cash, 551.0494, 1e-12);
      expect(r.openPosition).toBeNull();
      // Cash identity: final cash = initial cash + sum of trade pnl (every fee is inside some trade).
      expectRelClose(r.trades.reduce((s, t) => s + t.pnl, 1000), r.cash, 1e-12);
    });
  }

  it('shows decide() the true position after each fill, from startIndex to the bar before the last', () => {
    const seen: { i: number; position: PositionView }[] = [];
    runSignalBacktest(tableStrategy(targets, seen), frameOf(bars), {}, config, { startIndex: 1, path: 'per-bar' });
    expect(seen.map((s) => s.i)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(seen.map((s) => s.position.size)).toEqual([0, 9, 9, 0, 9, 9, -9, 0]);
    expect(seen.map((s) => s.position.entryBar)).toEqual([-1, 2, 2, -1, 5, 5, 7, -1]);
    expectRelClose(seen[1].position.entryPrice, 101, 1e-12);
    expectRelClose(seen[6].position.entryPrice, 128.7, 1e-12);
  });
});

describe('runSignalBacktest: rules', () => {
  const flat = (n: number, p = 100) => frameOf(Array.from({ length: n }, () => [p, p, p, p] as const));
  const ramp = (n: number) => frameOf(Array.from({ length: n }, (_, i) => [100 + i, 101 + i, 99 + i, 100.5 + i] as const));

  it('long-only by default: a short target means flat', () => {
    const r = runSignalBacktest(tableStrategy([1, NaN, -1, NaN, -1]), ramp(6), {}, cfg(), { startIndex: 0 });
    expect(r.fills.map((x) => [x.bar, x.side])).toEqual([[1, 'buy'], [3, 'sell']]);
    expect(r.trades).toHaveLength(1);
    expect(r.trades[0].exitReason).toBe('target short');
    expect(Array.from(r.position).every((p) => p >= 0)).toBe(true);
  });

  it('fills at the next open with the fee included in the size (fraction 1, no lot: cash ends at 0)', () => {
    // buy at bar 1 open 101: size = 10,000 / (101 × 1.001); fee = 0.001 × size × 101; cash = 10,000 − size × 101 × 1.001 = 0.
    const r = runSignalBacktest(tableStrategy([1]), ramp(4), {}, cfg(), { startIndex: 0 });
    const size = 10_000 / (101 * 1.001);
    expectRelClose(r.fills[0].size, size, 1e-12);
    expectRelClose(r.fills[0].fee, 0.001 * size * 101, 1e-12);
    expect(Math.abs(r.cash)).toBeLessThan(1e-9);
    expectRelClose(r.equity[3], size * 103.5, 1e-12);
  });

  it('deploys only `fraction` of equity on an entry', () => {
    const r = runSignalBacktest(tableStrategy([1]), flat(3), {}, cfg({ fraction: 0.25, feeRate: 0 }), { startIndex: 0 });
    expectRelClose(r.fills[0].size, 25, 1e-12);
    expectRelClose(r.cash, 7500, 1e-12);
  });

  it('keeps a position open at the end as openPosition, marked to the last close, not as a trade', () => {
    const r = runSignalBacktest(tableStrategy([1]), ramp(5), {}, cfg({ feeRate: 0.002 }), { startIndex: 0 });
    expect(r.trades).toHaveLength(0);
    const p = r.openPosition!;
    const size = 10_000 / (101 * 1.002);
    expect([p.side, p.entryBar, p.entryTs]).toEqual(['long', 1, r.ts[1]]);
    expectRelClose(p.size, size, 1e-12);
    expectRelClose(p.markPrice, 104.5, 1e-12);
    expectRelClose(p.unrealizedPnl, (104.5 - 101) * size - 0.002 * 101 * size, 1e-12);
    expectRelClose(r.equity[4], r.cash + size * 104.5, 1e-12);
  });

  it('closeAtEnd closes at the last close with slippage and fees and counts the trade', () => {
    const c = cfg({ feeRate: 0.002, slippageBps: 10, closeAtEnd: true, allowShort: true });
    const r = runSignalBacktest(tableStrategy([-1]), ramp(5), {}, c, { startIndex: 0 });
    expect(r.openPosition).toBeNull();
    expect(r.trades).toHaveLength(1);
    const t = r.trades[0];
    // short at bar 1 open 101 × (1 − 0.001) = 100.899; cover at bar 4 close 104.5 × 1.001 = 104.6045
    expectRelClose(t.entryPrice, 100.899, 1e-12);
    expectRelClose(t.exitPrice, 104.6045, 1e-12);
    expect([t.side, t.exitBar, t.exitReason, t.barsHeld]).toEqual(['short', 4, 'end of data', 3]);
    expectRelClose(t.pnl, (100.899 - 104.6045) * t.size - t.entryFee - t.exitFee, 1e-12);
    expectRelClose(r.equity[4], r.cash, 1e-15);
    expect(r.position[4]).toBe(0);
    expectRelClose(r.cash, 10_000 + t.pnl, 1e-12);
  });

  it('marks a cash-collateralised short: cash grows by proceeds minus fee, equity = cash − size × close', () => {
    const c = cfg({ feeRate: 0.001, allowShort: true });
    const r = runSignalBacktest(tableStrategy([-1]), ramp(4), {}, c, { startIndex: 0 });
    const size = 10_000 / (101 * 1.001);
    expectRelClose(r.cash, 10_000 + size * 101 * (1 - 0.001), 1e-12);
    expectRelClose(r.position[2], -size, 1e-12);
    expectRelClose(r.equity[2], r.cash - size * 102.5, 1e-12);
  });

  it('decisions start at startIndex and the curves cover [startIndex, endIndex)', () => {
    const r = runSignalBacktest(tableStrategy([1, 0, 1, NaN, NaN, 0, NaN]), ramp(8), {}, cfg(), { startIndex: 2, endIndex: 6 });
    expect(r.equity).toHaveLength(4);
    // the long at bar 0 and flat at bar 1 are before the start; the long at 2 fills at 3; the flat at 5 is the last measured bar: unfilled
    expect(r.fills.map((x) => [x.bar, x.side])).toEqual([[3, 'buy']]);
    expect(r.openPosition?.markPrice).toBe(105.5);
  });

  it('does nothing when the target equals the current side', () => {
    const r = runSignalBacktest(tableStrategy([1, 1, 1, 1, 0, 0, 0]), ramp(8), {}, cfg(), { startIndex: 0 });
    expect(r.fills.map((x) => x.bar)).toEqual([1, 5]);
  });

  it('never skips an exit, even when its notional is below minNotional', () => {
    // entry: 1000 / 100 = 10 units at 100 (notional 1000 >= 600); exit at 50: notional 500 < 600, still filled
    const f = frameOf([[100, 100, 100, 100], [100, 100, 100, 100], [100, 100, 50, 50], [50, 50, 50, 50], [50, 50, 50, 50]]);
    const r = runSignalBacktest(tableStrategy([1, NaN, 0]), f, {}, cfg({ initialCash: 1000, feeRate: 0, lotSize: 1, minNotional: 600 }), { startIndex: 0 });
    expect(r.fills.map((x) => [x.bar, x.side, x.size, x.price])).toEqual([[1, 'buy', 10, 100], [3, 'sell', 10, 50]]);
    expect(r.skippedOrders).toBe(0);
    expect(r.cash).toBe(500);
  });

  it('counts an entry whose size rounds down to 0 as skipped', () => {
    const r = runSignalBacktest(tableStrategy([1, 1]), flat(3, 20_000), {}, cfg({ lotSize: 1 }), { startIndex: 0 });
    expect(r.fills).toHaveLength(0);
    expect(r.skippedOrders).toBe(2);
    expect(r.skipped[0].reason).toMatch(/rounds down to 0 \(lot 1\)/);
  });

  it('rejects bad configuration and ranges with usage errors that say what is allowed', () => {
    const s = tableStrategy([1]);
    const f = ramp(3);
    const bad: Partial<FillConfig>[] = [
      { feeRate: -0.1 }, { feeRate: 1 }, { fraction: 0 }, { fraction: 1.5 }, { lotSize: -1 }, { initialCash: 0 },
      { initialCash: NaN }, { slippageBps: Infinity }, { minNotional: -5 },
    ];
    for (const b of bad) {
      let err: unknown;
      try { runSignalBacktest(s, f, {}, cfg(b), { startIndex: 0 }); } catch (e) { err = e; }
      expect(isTradelabError(err) && err.family === 'usage' && err.code === 'INVALID_FILL_CONFIG').toBe(true);
      expect((err as Error).message).toMatch(new RegExp(`${Object.keys(b)[0]}=.*expected`));
    }
    expect(() => runSignalBacktest(s, f, {}, cfg(), { startIndex: 3 })).toThrow(/startIndex=3 must be an integer in \[0, 2\]/);
    expect(() => runSignalBacktest(s, f, {}, cfg(), { startIndex: 1, endIndex: 1 })).toThrow(/endIndex=1/);
    const noFast = defineStrategy({ ...s, id: 'no-fast', params: Type.Object({}), warmup: () => 0, indicators: () => ({}), decide: () => undefined, signals: undefined });
    expect(() => runSignalBacktest(noFast, f, {}, cfg(), { startIndex: 0, path: 'fast' })).toThrow(/no vectorised signals/);
    expect(runSignalBacktest(noFast, f, {}, cfg(), { startIndex: 0 }).path).toBe('per-bar');
    expect(() => runSignalBacktest(s, f, {}, cfg(), { startIndex: 0, indicators: { x: new Float64Array(2) } })).toThrow(/indicator 'x' has 2 values but the frame has 3 bars/);
    expect(() => runSignalBacktest(s, f, {}, cfg(), { startIndex: 0, out: { equity: new Float64Array(2), position: new Float64Array(3) } })).toThrow(/at least 3 values/);
    const shared = new Float64Array(4);
    expect(() => runSignalBacktest(s, f, {}, cfg(), { startIndex: 0, out: { equity: shared, position: shared } })).toThrow(/non-overlapping/);
  });

  it('rejects order intents in the signal simulator', () => {
    const s = defineStrategy({
      id: 'orders-in-signal', version: '1.0.0', description: '', params: Type.Object({}), warmup: () => 0, indicators: () => ({}),
      decide: () => ({ type: 'limit', side: 'buy', price: 1, amount: 1, tag: 'x' }),
    });
    expect(() => runSignalBacktest(s, ramp(3), {}, cfg(), { startIndex: 0 })).toThrow(/'limit' intent at bar 0/);
  });

  it('reports the same fills on both paths for a table with every transition, shorts on and off', () => {
    const targets = [NaN, 1, 1, -1, -1, 0, 1, -1, 0, 0, -1, 1, NaN, 0, 1, 1, -1];
    for (const allowShort of [false, true]) {
      const f = ramp(targets.length + 2);
      const a = runSignalBacktest(tableStrategy(targets), f, {}, cfg({ allowShort, slippageBps: 3, lotSize: 0.01 }), { startIndex: 0, path: 'fast' });
      const b = runSignalBacktest(tableStrategy(targets), f, {}, cfg({ allowShort, slippageBps: 3, lotSize: 0.01 }), { startIndex: 0, path: 'per-bar' });
      expect(a.fills).toEqual(b.fills);
      expect(a.trades).toEqual(b.trades);
      expect(Array.from(a.equity)).toEqual(Array.from(b.equity));
      expect(a.fills.length).toBe(allowShort ? 15 : 8); // counted by hand from the table
    }
  });
});

describe('runSignalBacktest: reusable output buffers', () => {
  it('writes the curves into the given buffers and gives the same result as fresh ones', () => {
    const f = frameOf(Array.from({ length: 12 }, (_, i) => [100 + i, 101 + i, 99 + i, 100.5 + (i % 3)] as const));
    const s = tableStrategy([1, NaN, 0, 1, -1, NaN, 1, 0, NaN, 1]);
    const out = { equity: new Float64Array(20).fill(-1), position: new Float64Array(20).fill(-1) };
    const a = runSignalBacktest(s, f, {}, cfg({ allowShort: true }), { startIndex: 1 });
    const b = runSignalBacktest(s, f, {}, cfg({ allowShort: true }), { startIndex: 1, out });
    expect(b.equity.buffer).toBe(out.equity.buffer);
    expect(b.position.buffer).toBe(out.position.buffer);
    expect(Array.from(b.equity)).toEqual(Array.from(a.equity));
    expect(Array.from(b.position)).toEqual(Array.from(a.position));
    expect(b.trades).toEqual(a.trades);
    expect(out.equity[11]).toBe(-1); // past the measured bars: untouched
  });
});

describe('runSignalBacktest: the position curve, built from the fills', () => {
  it('holds each trade\'s signed size from its entry bar to the bar before its exit, 0 elsewhere; exposureBars counts it', () => {
    // 300 bars, a pseudo-random table of targets (fixed LCG), entries skipped now and then by the lot and minNotional.
    let x = 7;
    const rnd = () => ((x = (x * 1103515245 + 12345) % 2147483648) / 2147483648);
    const rows = Array.from({ length: 300 }, (_, i) => {
      const p = 100 + 20 * Math.sin(i / 9) + 5 * rnd();
      return [p, p + 2, p - 2, p + 4 * rnd() - 2] as const;
    });
    const f = frameOf(rows);
    const targets = Array.from({ length: 300 }, () => { const u = rnd(); return u < 0.1 ? 1 : u < 0.2 ? -1 : u < 0.25 ? 0 : NaN; });
    for (const allowShort of [false, true]) {
      for (const closeAtEnd of [false, true]) {
        for (const path of ['fast', 'per-bar'] as const) {
          const config = cfg({ allowShort, closeAtEnd, initialCash: 1000, lotSize: 1, minNotional: 905, feeRate: 0.002 });
          const r = runSignalBacktest(tableStrategy(targets), f, {}, config, { startIndex: 3, path });
          const want = new Float64Array(r.endIndex - r.startIndex);
          for (const t of r.trades) want.fill(t.side === 'long' ? t.size : -t.size, t.entryBar - r.startIndex, t.exitBar - r.startIndex);
          const o = r.openPosition;
          if (o) want.fill(o.side === 'long' ? o.size : -o.size, o.entryBar - r.startIndex);
          expect(r.trades.length).toBeGreaterThan(10);
          expect(r.skippedOrders).toBeGreaterThan(0);
          expect(Array.from(r.position)).toEqual(Array.from(want));
          expect(r.exposureBars).toBe(want.filter((v) => v !== 0).length);
          expect(r.exposureBars).toBeGreaterThan(0);
        }
      }
    }
  });

  it('is written into opts.out.position when first read, and kept', () => {
    const f = frameOf(Array.from({ length: 12 }, (_, i) => [100 + i, 101 + i, 99 + i, 100.5 + (i % 3)] as const));
    const out = { equity: new Float64Array(11), position: new Float64Array(11).fill(-1) };
    const r = runSignalBacktest(tableStrategy([1, NaN, 0, 1, -1, NaN, 1, 0, NaN, 1]), f, {}, cfg({ allowShort: true }), { startIndex: 1, out });
    expect(out.position[0]).toBe(-1); // not built yet
    const p = r.position;
    expect(p.buffer).toBe(out.position.buffer);
    expect(r.position).toBe(p);
    expect(Array.from(p)).toEqual(Array.from(runSignalBacktest(tableStrategy([1, NaN, 0, 1, -1, NaN, 1, 0, NaN, 1]), f, {}, cfg({ allowShort: true }), { startIndex: 1 }).position));
    expect(p.some((v) => v > 0) && p.some((v) => v < 0)).toBe(true);
  });
});

describe('runSignalBacktest: the lent target column', () => {
  it('lends signals() one column of frame length, reused by the next run; a nested run gets its own', () => {
    const f = frameOf(Array.from({ length: 12 }, (_, i) => [100 + i, 101 + i, 99 + i, 100.5 + (i % 3)] as const));
    const targets = [1, NaN, 0, 1, -1, NaN, 1, 0, NaN, 1, NaN, NaN];
    const plain = tableStrategy(targets);
    const lent: (Float64Array | undefined)[] = [];
    // Writes into the lent column (stale values first, to prove every bar is rewritten) and returns it.
    const writer = defineStrategy({
      id: 'writer', version: '1.0.0', description: 'writes its targets into the lent column',
      params: Type.Object({}), warmup: () => 0, indicators: () => ({}), decide: () => undefined,
      signals: (frame, _ind, _p, out) => {
        lent.push(out);
        const sig = out ?? new Float64Array(frame.length);
        for (let i = 0; i < frame.length; i++) sig[i] = targets[i];
        return sig;
      },
    });
    let inner: ReturnType<typeof runSignalBacktest> | undefined;
    const nesting = defineStrategy({
      id: 'nesting', version: '1.0.0', description: 'runs a backtest inside its own signals()',
      params: Type.Object({}), warmup: () => 0, indicators: () => ({}), decide: () => undefined,
      signals: (frame, ind, p, out) => {
        lent.push(out);
        inner = runSignalBacktest(writer, frame, {}, cfg({ allowShort: true }), { startIndex: 1 });
        const sig = out ?? new Float64Array(frame.length);
        sig.set(targets);
        return sig;
      },
    });
    const want = runSignalBacktest(plain, f, {}, cfg({ allowShort: true }), { startIndex: 1 });
    const a = runSignalBacktest(writer, f, {}, cfg({ allowShort: true }), { startIndex: 1 });
    lent[0]!.fill(7); // whatever the column holds after a run must not matter to the next one
    const b = runSignalBacktest(writer, f, {}, cfg({ allowShort: true }), { startIndex: 1 });
    expect(lent[0]).toBeInstanceOf(Float64Array);
    expect(lent[0]!.length).toBe(f.length);
    expect(lent[1]).toBe(lent[0]);
    const c = runSignalBacktest(nesting, f, {}, cfg({ allowShort: true }), { startIndex: 1 });
    expect(lent[2]).toBe(lent[0]); // the outer run holds the column ...
    expect(lent[3]).toBeUndefined(); // ... so the nested run is lent none and allocates its own
    for (const r of [a, b, c, inner!]) {
      expect(r.trades).toEqual(want.trades);
      expect(r.fills).toEqual(want.fills);
      expect(Array.from(r.equity)).toEqual(Array.from(want.equity));
    }
  });
});

describe('runSignalBacktest: lent indicator columns', () => {
  it('offers each memo column a reused scratch output, distinct from the targets; results equal fresh columns', () => {
    const rows = Array.from({ length: 300 }, (_, i) => {
      const p = 100 + 8 * Math.sin(i / 3) + 3 * Math.cos(i * 1.7) + i / 10;
      return [p, p + 1, p - 1, p + 2 * Math.cos(i * 2.3)] as const;
    });
    const f = frameOf(rows);
    const outs: (Float64Array | undefined)[] = [];
    let sigOut: Float64Array | undefined;
    const avg = (src: Float64Array, w: number, out?: Float64Array) => {
      const o = out ?? new Float64Array(src.length);
      for (let i = 0; i < src.length; i++) {
        let s = 0;
        for (let k = Math.max(0, i - w + 1); k <= i; k++) s += src[k];
        o[i] = i < w - 1 ? NaN : s / w;
      }
      return o;
    };
    const s = defineStrategy({
      id: 'lent', version: '1.0.0', description: 'two averages through the memo',
      params: Type.Object({}), warmup: () => 5,
      indicators: (frame, _p, memo) => ({
        fast: memoColumn(memo, 'avg(2)', (out) => { outs.push(out); return avg(frame.close, 2, out); }),
        slow: memoColumn(memo, 'avg(5)', (out) => { outs.push(out); return avg(frame.close, 5, out); }),
        again: memoColumn(memo, 'avg(2)', () => { throw new Error('a key is computed once per run'); }),
      }),
      decide: ({ i, ind }) => (ind.fast[i - 1] < ind.slow[i - 1] && ind.fast[i] > ind.slow[i] ? goLong() : ind.fast[i - 1] > ind.slow[i - 1] && ind.fast[i] < ind.slow[i] ? goFlat() : undefined),
      signals: (frame, ind, _p, out) => {
        sigOut = out;
        const t = out ?? new Float64Array(frame.length);
        for (let i = 0; i < frame.length; i++) {
          t[i] = i > 0 && ind.fast[i - 1] < ind.slow[i - 1] && ind.fast[i] > ind.slow[i] ? 1 : i > 0 && ind.fast[i - 1] > ind.slow[i - 1] && ind.fast[i] < ind.slow[i] ? 0 : NaN;
        }
        return t;
      },
    });
    const fresh = { fast: avg(f.close, 2), slow: avg(f.close, 5), again: avg(f.close, 2) };
    const want = runSignalBacktest(s, f, {}, cfg(), { startIndex: 5, indicators: fresh });
    const a = runSignalBacktest(s, f, {}, cfg(), { startIndex: 5 });
    const [o1, o2] = outs;
    expect(o1).toBeInstanceOf(Float64Array);
    expect(o2).toBeInstanceOf(Float64Array);
    expect(o1!.length).toBe(f.length);
    expect(new Set([o1!.buffer, o2!.buffer, sigOut!.buffer]).size).toBe(3);
    const b = runSignalBacktest(s, f, {}, cfg(), { startIndex: 5 });
    expect(outs[2]).toBe(o1);
    expect(outs[3]).toBe(o2);
    const c = runSignalBacktest(s, f, {}, cfg(), { startIndex: 5, path: 'per-bar' });
    expect(want.trades.length).toBeGreaterThan(2);
    for (const r of [a, b, c]) {
      expect(r.trades).toEqual(want.trades);
      expect(Array.from(r.equity)).toEqual(Array.from(want.equity));
    }
  });
});

describe('runSignalBacktest: many fills', () => {
  it('keeps every fill and trade consistent past the growth of its row store (hundreds of round trips)', () => {
    const n = 1201;
    const rows = Array.from({ length: n }, (_, i) => {
      const p = 100 + 10 * Math.sin(i / 7) + i / 50;
      return [p, p + 1, p - 1, p + 0.5 * Math.cos(i)] as const;
    });
    const targets = Array.from({ length: n }, (_, i) => (i % 3 === 0 ? 1 : i % 3 === 1 ? -1 : NaN));
    const config = cfg({ allowShort: true, slippageBps: 2, feeRate: 0.0005 });
    const tiny = () => runSignalBacktest(tableStrategy([1, 0, 1]), frameOf(rows.slice(0, 4)), {}, config, { startIndex: 0 });
    const small = tiny(); // the next book starts at the minimum capacity, so this run's stores grow
    const r = runSignalBacktest(tableStrategy(targets), frameOf(rows), {}, config, { startIndex: 0 });
    expect(r.trades.length).toBeGreaterThan(700);
    // The next books start at this one's size: the same results, large or small.
    const again = runSignalBacktest(tableStrategy(targets), frameOf(rows), {}, config, { startIndex: 0 });
    expect(again.fills).toEqual(r.fills);
    expect(again.trades).toEqual(r.trades);
    expect(tiny().fills).toEqual(small.fills);
    expect(r.fills.length).toBe(2 * r.trades.length + (r.openPosition ? 1 : 0));
    let cash = 10_000;
    for (const f of r.fills) cash += (f.side === 'buy' ? -1 : 1) * f.price * f.size - f.fee;
    expectRelClose(cash, r.cash, 1e-9);
    r.trades.forEach((t, j) => {
      const a = r.fills[2 * j], b = r.fills[2 * j + 1];
      expect([t.entryBar, t.exitBar, t.size, t.entryPrice, t.exitPrice, t.entryFee, t.exitFee]).toEqual([a.bar, b.bar, a.size, a.price, b.price, a.fee, b.fee]);
      expect(t.side).toBe(a.side === 'buy' ? 'long' : 'short');
      const gross = (t.side === 'long' ? b.price - a.price : a.price - b.price) * t.size;
      expect(t.pnl).toBe(gross - a.fee - b.fee);
      expect(r.tradeColumns.pnl[j]).toBe(t.pnl);
      expect(r.tradeColumns.returnPct[j]).toBe(t.returnPct);
    });
    expect(r.tradeColumns.pnl.length).toBe(r.trades.length);
  });

  it('keeps each fill\'s own reason, hundreds of distinct ones among repeated ones', () => {
    const n = 600;
    const rows = Array.from({ length: n }, (_, i) => [100 + (i % 7), 108, 99, 100 + (i % 5)] as const);
    const s = defineStrategy({
      id: 'reasons', version: '1.0.0', description: '', params: Type.Object({}), warmup: () => 0, indicators: () => ({}),
      decide: ({ i }) => (i % 2 === 0 ? goLong(i % 4 === 0 ? `entry at ${i}` : 'entry') : goFlat(i % 6 === 1 ? 'exit' : `exit at ${i}`)),
    });
    const r = runSignalBacktest(s, frameOf(rows), {}, cfg(), { startIndex: 0 });
    expect(r.fills.length).toBe(n - 1);
    r.fills.forEach((f) => {
      const i = f.bar - 1; // decided at the previous bar's close
      expect(f.reason).toBe(i % 2 === 0 ? (i % 4 === 0 ? `entry at ${i}` : 'entry') : (i % 6 === 1 ? 'exit' : `exit at ${i}`));
    });
    expect(r.trades.map((t) => t.exitReason)).toEqual(r.fills.filter((f) => f.side === 'sell').map((f) => f.reason));
  });
});

describe('roundDownToLot', () => {
  it('rounds down to a multiple of the lot, robust to float division', () => {
    expect(roundDownToLot(9.8029, 1)).toBe(9);
    expect(roundDownToLot(0.3, 0.1)).toBe(0.3);
    expect(roundDownToLot(0.29, 0.1)).toBe(0.2);
    expect(roundDownToLot(0.123456789, 0.00001)).toBe(0.12345);
    expect(roundDownToLot(1234.5, 10)).toBe(1230);
    expect(roundDownToLot(5, 0)).toBe(5);
    expect(roundDownToLot(0.5, 1)).toBe(0);
    expect(roundDownToLot(-3, 1)).toBe(0);
  });
});
