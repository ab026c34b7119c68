import { describe, expect, it } from 'vitest';
import { Type } from '@sinclair/typebox';
import { makeFrame, type CandleFrame } from '../frame.ts';
import { defineStrategy, type FillContext, type Intent, type BarContext } from '../strategy.ts';
import { expectRelClose } from '../../test-support/approx.ts';
import { marketSpec } from './market-spec.ts';
import { runOrderBacktest } from './simulator.ts';
import type { OrderSimConfig, OrderSimResult } from './types.ts';

/** Bars [open, high, low, close, volume], one a minute from ts 0 (unless `t0` / `stepMs` say otherwise). */
function frame(rows: number[][], symbol = 'BTC/USDT', t0 = 0, stepMs = 60_000): CandleFrame {
  const n = rows.length;
  const col = (k: number) => Float64Array.from(rows, (r) => r[k]);
  return makeFrame({ exchange: 'test', symbol, timeframe: '1m' }, {
    ts: Float64Array.from({ length: n }, (_, i) => t0 + i * stepMs), open: col(0), high: col(1), low: col(2), close: col(3), volume: col(4),
  });
}

const spec = (symbol = 'BTC/USDT') => marketSpec(symbol, { priceTick: 0.01, amountStep: 0.001, minAmount: 0, minNotional: 0, makerFee: 0.001, takerFee: 0.002 });

interface Script {
  /** Intents to return from decide at (market, bar). */
  at?: Record<string, Intent[]>;
  /** onFill reaction. */
  onFill?: (ctx: FillContext<Record<string, never>>) => Intent[] | undefined;
  /** Called at every decide (to observe the context). */
  spy?: (ctx: BarContext<Record<string, never>>) => void;
}

function scripted(s: Script) {
  return defineStrategy({
    id: 'scripted', version: '1.0.0', description: 'test script', kind: 'orders', params: Type.Object({}),
    warmup: () => 0, indicators: () => ({}),
    decide: (ctx) => { s.spy?.(ctx as never); return s.at?.[`${ctx.market}:${ctx.i}`]; },
    onFill: s.onFill ? (ctx) => s.onFill!(ctx as never) : undefined,
  });
}

const run = (s: Script, frames: CandleFrame[], cfg: Partial<OrderSimConfig> = {}, initialBase?: number[]): OrderSimResult =>
  runOrderBacktest(scripted(s), frames.map((f, m) => ({ frame: f, spec: spec(f.symbol), initialBase: initialBase?.[m] })), {}, { initialCash: 10_000, ...cfg });

const buy = (tag: string, price: number, amount = 1): Intent => ({ type: 'limit', side: 'buy', price, amount, tag });

function expectIdentity(r: OrderSimResult): void {
  for (let s = 0; s < r.ts.length; s++) {
    expectRelClose(r.cash[s] + r.inventoryValue[s], r.totals.initialCapital + r.realised[s] + r.unrealised[s] - r.fees[s], 1e-12, 1e-9);
  }
}

describe('limit fills on candles', () => {
  const bars = [
    [100, 101, 99.5, 100, 10], // 0: decide places a buy at 99
    [100, 100.5, 99, 99.8, 10], // 1: low touches 99 exactly, does not trade through it
    [99.8, 100, 98.9, 99.5, 10], // 2: trades through 99
  ];
  it('a limit touched but not traded through does not fill under "through"; it fills on the next bar that trades through', () => {
    const r = run({ at: { '0:0': [buy('b1', 99)] } }, [frame(bars)]);
    expect(r.fills).toHaveLength(1);
    const f = r.fills[0];
    // bar 2: the high (0.2 away) is nearer than the low (0.9 away): open -> high -> low, so leg 2 fills it
    expect([f.bar, f.price, f.amount, f.liquidity, f.pathLeg]).toEqual([2, 99, 1, 'maker', 2]);
    expectRelClose(f.fee, 0.099); // 99 x 1 x 0.1 % maker
    expectRelClose(r.totals.cash, 10_000 - 99 - 0.099);
    expectIdentity(r);
  });
  it('the same limit fills on the touch under "touch"', () => {
    const r = run({ at: { '0:0': [buy('b1', 99)] } }, [frame(bars)], { fillOn: 'touch' });
    expect(r.fills.map((f) => [f.bar, f.price])).toEqual([[1, 99]]);
  });
  it('a limit placed at bar i is not live in bar i (the bar that decided it)', () => {
    // decided at bar 2 (whose low 98.9 is below 99): must wait for bar 3, which stays above -> no fill
    const r = run({ at: { '0:2': [buy('b1', 99)] } }, [frame([...bars, [99.5, 99.9, 99.1, 99.6, 10]])]);
    expect(r.fills).toHaveLength(0);
    expect(r.orders[0].status).toBe('open');
    expect(r.totals.openLots).toBe(0);
  });
});

describe('a buy and its paired sell inside one bar: the path order decides', () => {
  // The paired sell is placed by onFill at buy x 1.01 = 99.99 and is live from the fill point on.
  const pair = (ctx: FillContext<Record<string, never>>): Intent[] | undefined =>
    ctx.fill.side === 'buy' ? [{ type: 'limit', side: 'sell', price: ctx.fill.price * 1.01, amount: ctx.fill.amount, tag: `s-${ctx.fill.tag}`, lot: ctx.fill.lotId }] : undefined;
  // bar 1: open 100, high 101.5 (1.5 away), low 98.8 (1.2 away): the low is nearer.
  const bars = [[100, 100.5, 99.5, 100, 10], [100, 101.5, 98.8, 99.5, 10]];
  it('nearest-extreme-first: open -> low (buy 99 fills) -> high (sell 99.99 fills) -> close', () => {
    const r = run({ at: { '0:0': [buy('b1', 99)] }, onFill: pair }, [frame(bars)]);
    expect(r.fills.map((f) => [f.side, f.bar, f.price, f.pathLeg])).toEqual([['buy', 1, 99, 1], ['sell', 1, 99.99, 2]]);
    // realised gross = 99.99 - 99 = 0.99; fees = 0.099 + 0.09999; cash = 10000 + 0.99 - 0.19899
    expectRelClose(r.totals.realised, 0.99);
    expectRelClose(r.totals.fees, 0.099 + 0.09999);
    expectRelClose(r.totals.cash, 10_000.79101);
    expect(r.lots).toHaveLength(1);
    expect(r.lots[0].status).toBe('closed');
    expectRelClose(r.lots[0].realised, 0.99);
    expect(r.totals.unrealised).toBe(0);
    expectIdentity(r);
  });
  it('high-first: open -> high -> low (buy fills) -> close 99.5 (< 99.99, the sell stays open)', () => {
    const r = run({ at: { '0:0': [buy('b1', 99)] }, onFill: pair }, [frame(bars)], { intrabarPath: 'high-first' });
    expect(r.fills.map((f) => [f.side, f.price, f.pathLeg])).toEqual([['buy', 99, 2]]);
    expect(r.lots[0].status).toBe('open');
    expectRelClose(r.totals.unrealised, 0.5); // 1 x (99.5 - 99)
    expect(r.orders.find((o) => o.tag === 's-b1')!.status).toBe('open');
    expectIdentity(r);
  });
});

describe('a gap down through several resting buys', () => {
  const bars = [
    [100, 100.5, 99.5, 100, 10], // 0: decide places buys at 99, 98, 97
    [100, 100.2, 99.6, 99.9, 10], // 1: nothing trades
    [96.5, 97.5, 96, 97, 10], // 2: opens at 96.5, below all three
  ];
  it('every buy the open has passed fills at the open, best price first, as maker (they were resting)', () => {
    const r = run({ at: { '0:0': [buy('b99', 99), buy('b98', 98), buy('b97', 97)] } }, [frame(bars)]);
    expect(r.fills.map((f) => [f.tag, f.bar, f.price, f.liquidity, f.pathLeg])).toEqual([
      ['b99', 2, 96.5, 'maker', 0], ['b98', 2, 96.5, 'maker', 0], ['b97', 2, 96.5, 'maker', 0],
    ]);
    expectRelClose(r.totals.fees, 3 * 96.5 * 0.001);
    expectRelClose(r.totals.cash, 10_000 - 3 * 96.5 * 1.001);
    expectRelClose(r.totals.unrealised, 3 * (97 - 96.5));
    expectIdentity(r);
  });
  it('a limit decided at the previous close that the next open crosses fills at the open as taker', () => {
    const r = run({ at: { '0:1': [buy('b99', 99)] } }, [frame(bars)]);
    expect(r.fills.map((f) => [f.bar, f.price, f.liquidity])).toEqual([[2, 96.5, 'taker']]);
    expectRelClose(r.fills[0].fee, 96.5 * 0.002);
  });
});

describe('market orders, slippage, volume cap, rejections', () => {
  const bars = [[100, 101, 99, 100, 10], [102, 103, 101, 102, 5], [102, 103, 101, 102, 5], [102, 103, 98, 100, 5]];
  it('a market buy fills at the next open plus slippage, taker fee', () => {
    const r = run({ at: { '0:0': [{ type: 'market', side: 'buy', amount: 2, tag: 'm1' }] } }, [frame(bars)], { slippageBps: 10 });
    expect(r.fills).toHaveLength(1);
    expectRelClose(r.fills[0].price, 102 * 1.001);
    expectRelClose(r.fills[0].fee, 2 * 102 * 1.001 * 0.002);
    expect(r.fills[0].bar).toBe(1);
    expect(r.fillModel.slippageBps).toBe(10);
    expectIdentity(r);
  });
  it('fills are capped at a share of the bar volume; the rest of a limit rests, the rest of a market order is cancelled', () => {
    // share 0.1 of volume 5 = 0.5 per bar. Limit buy 1 @ 101.5 (decided bar 0): bar 1 opens at 102 and trades to 101.
    const r = run({ at: { '0:0': [buy('b', 101.5)], '0:2': [{ type: 'market', side: 'sell', amount: 0.8, tag: 'm' }] } }, [frame(bars)], { maxVolumeShare: 0.1 });
    const fills = r.fills.map((f) => [f.tag, f.bar, f.price, f.amount, Number(f.remaining.toFixed(12))]);
    expect(fills).toEqual([['b', 1, 101.5, 0.5, 0.5], ['b', 2, 101.5, 0.5, 0], ['m', 3, 102, 0.5, 0.3]]);
    expect(r.orders.find((o) => o.tag === 'm')!.status).toBe('cancelled');
    expectIdentity(r);
  });
  it("each order's filled, remaining, average price and fees are those of its fills, in fill order (the store derives them)", () => {
    // volume-capped fills of several orders over several bars at different prices, one order cancelled part-filled
    const rows: number[][] = [];
    for (let i = 0; i < 40; i++) { const c = 100 + 3 * Math.sin(i / 3); rows.push([c + 0.4, c + 1.3, c - 1.7, c - 0.2, 2 + (i % 5)]); }
    const buys = [buy('a', 101.37, 3.1), buy('b', 99.91, 2.3), buy('c', 98.77, 1.9)];
    const r = run({ at: { '0:0': buys, '0:12': [{ type: 'cancel', tag: 'c' }], '0:20': [{ type: 'limit', side: 'sell', price: 100.5, amount: 4, tag: 's' }] } }, [frame(rows)], { maxVolumeShare: 0.15 });
    const multi = r.orders.filter((o) => r.fills.filter((f) => f.orderId === o.id).length > 1);
    expect(multi.length).toBeGreaterThanOrEqual(2);
    expect(r.orders.some((o) => o.status === 'cancelled' && o.filled > 0)).toBe(true);
    for (const o of r.orders) {
      let filled = 0, avg = NaN, fees = 0;
      for (const f of r.fills) {
        if (f.orderId !== o.id) continue;
        const prev = filled;
        filled = prev + f.amount;
        avg = prev === 0 ? f.price : (avg * prev + f.price * f.amount) / filled;
        fees += f.fee;
      }
      expect([o.filled, o.avgPrice, o.fees]).toEqual([filled, avg, fees]); // bit for bit
      expect(o.remaining).toBe(o.status === 'filled' ? 0 : o.amount - filled);
    }
    expectIdentity(r);
  });
  it('orders below the minimums are rejected with a reason and counted, never bumped', () => {
    const strict = (s: string) => marketSpec(s, { priceTick: 0.01, amountStep: 0.001, minAmount: 0.01, minNotional: 5, makerFee: 0.001, takerFee: 0.001 });
    const r = runOrderBacktest(scripted({ at: { '0:0': [buy('tiny', 99, 0.0099), buy('cheap', 99, 0.04), buy('ok', 99, 0.06), { type: 'cancel', tag: 'nope' }, buy('rich', 99, 1000)] } }),
      [{ frame: frame(bars), spec: strict('BTC/USDT') }], {}, { initialCash: 10_000 });
    // 0.0099 rounds down to 0.009 < 0.01; 0.04 x 99 = 3.96 < 5; 1000 x 99 > cash
    expect(r.rejected.map((x) => [x.tag, x.reason])).toEqual([['tiny', 'below-min-amount'], ['cheap', 'below-min-notional'], ['nope', 'unknown-tag'], ['rich', 'insufficient-cash']]);
    expect(r.rejectCounts).toEqual({ 'below-min-amount': 1, 'below-min-notional': 1, 'unknown-tag': 1, 'insufficient-cash': 1 });
    expect(r.orders.map((o) => [o.tag, o.amount])).toEqual([['ok', 0.06]]);
  });
  it('a tag already open is rejected as a duplicate and the open order keeps it; a rejected order frees its tag', () => {
    // bar 0: 'a' rests at 90; a second 'a' is a duplicate; 'big' is refused for cash. bar 1: 'big' again (affordable
    // now), and a cancel of 'a' that must reach the FIRST order. Bars 0-1 never trade down to 90.
    const r = run({ at: {
      '0:0': [buy('a', 90), buy('a', 91), buy('big', 95, 1000)],
      '0:1': [buy('big', 95, 2), { type: 'cancel', tag: 'a' }, buy('a', 92)],
    } }, [frame(bars)]);
    expect(r.rejected.map((x) => [x.bar, x.tag, x.price, x.reason])).toEqual([[0, 'a', 91, 'duplicate-tag'], [0, 'big', 95, 'insufficient-cash']]);
    expect(r.orders.map((o) => [o.tag, o.price, o.status])).toEqual([['a', 90, 'cancelled'], ['big', 95, 'open'], ['a', 92, 'open']]);
  });
  it('a sell without inventory is rejected (spot, long only)', () => {
    const r = run({ at: { '0:0': [{ type: 'limit', side: 'sell', price: 101, amount: 1, tag: 's' }] } }, [frame(bars)]);
    expect(r.rejected.map((x) => x.reason)).toEqual(['insufficient-inventory']);
  });
  it('initial inventory opens a lot at the first open; a FIFO sell closes it', () => {
    const r = run({ at: { '0:0': [{ type: 'limit', side: 'sell', price: 102.5, amount: 0.5, tag: 's' }] } }, [frame(bars)], {}, [1]);
    expect(r.totals.initialCapital).toBe(10_000 + 100);
    expect(r.fills.map((f) => [f.price, f.amount, f.lotId])).toEqual([[102.5, 0.5, 0]]);
    expectRelClose(r.lots[0].realised, 0.5 * 2.5);
    expect(r.lots[0].remaining).toBe(0.5);
    expectIdentity(r);
  });
});

describe('orders placed inside a bar', () => {
  it('a sell placed by onFill fills later in the same bar, also when placing it grew the order columns', () => {
    // Bar 1 (low first): the buy at 99 fills on the way down, its paired sell at 100.5 on the way up. Before it, `pad`
    // resting buys far below; the pads around 1024 (the order columns' first capacity) make the sell the order that
    // grows them. (The matcher once kept the price column it started the bar with and missed that sell.)
    const bars = [[100, 100.5, 99.5, 100, 10], [100, 101, 98, 100, 10]];
    for (const pad of [0, 1020, 1021, 1022, 1023, 1024, 1025]) {
      const at = { '0:0': [...Array.from({ length: pad }, (_, k) => buy(`p${k}`, 1, 0.01)), buy('x', 99)] };
      const r = run({ at, onFill: (c) => (c.fill.tag === 'x' ? [{ type: 'limit', side: 'sell', price: 100.5, amount: c.fill.amount, tag: 's', lot: c.fill.lotId }] : undefined) },
        [frame(bars)], { intrabarPath: 'low-first' }, undefined);
      expect(r.fills.map((f) => [f.tag, f.bar, f.price]), `pad ${pad}`).toEqual([['x', 1, 99], ['s', 1, 100.5]]);
      expect(r.orders[pad + 1].status).toBe('filled');
    }
  });
});

describe('several markets on one timeline', () => {
  it('aligns bars on timestamps, calls decide only for markets with a bar, shares one cash balance', () => {
    const a = frame([[100, 101, 99, 100, 10], [100, 101, 98, 100, 10], [100, 101, 99, 100, 10]], 'AAA/USDT', 0);
    const b = frame([[10, 11, 9, 10, 10], [10, 11, 8, 10, 10]], 'BBB/USDT', 60_000); // starts one minute later
    const seen: string[] = [];
    const r = run({ spy: (c) => seen.push(`${c.symbol}@${c.frame.ts[c.i]}`), at: { '0:0': [buy('a', 99)], '1:0': [buy('b', 9, 10)] } }, [a, b]);
    expect(Array.from(r.ts)).toEqual([0, 60_000, 120_000]);
    expect(seen).toEqual(['AAA/USDT@0', 'AAA/USDT@60000', 'BBB/USDT@60000', 'AAA/USDT@120000', 'BBB/USDT@120000']);
    expect(r.fills.map((f) => [f.symbol, f.ts, f.price])).toEqual([['AAA/USDT', 60_000, 99], ['BBB/USDT', 120_000, 9]]);
    expectRelClose(r.totals.cash, 10_000 - 99 * 1.001 - 90 * 1.001);
    expectIdentity(r);
  });
  it('refuses signal strategies and bad fill settings with usage errors', () => {
    const sig = defineStrategy({ id: 'sig', version: '1.0.0', description: '', params: Type.Object({}), warmup: () => 0, indicators: () => ({}), decide: () => undefined });
    const f = frame([[1, 1, 1, 1, 1]]);
    expect(() => runOrderBacktest(sig, [{ frame: f, spec: spec() }], {}, { initialCash: 1 })).toThrow(/kind 'orders'/);
    expect(() => run({}, [f], { fillOn: 'maybe' as never })).toThrow(/fillOn=maybe/);
    expect(() => run({}, [f], { maxVolumeShare: 2 })).toThrow(/maxVolumeShare/);
  });
});
