import { describe, expect, it } from 'vitest';
import { makeFrame, type CandleFrame } from '../frame.ts';
import { marketSpec, roundPrice } from '../orders/market-spec.ts';
import { runOrderBacktest } from '../orders/simulator.ts';
import type { OrderSimResult } from '../orders/types.ts';
import { expectRelClose } from '../../test-support/approx.ts';
import { grid, LotLevels } from './grid.ts';

function frame(rows: number[][], symbol = 'BTC/USDT'): CandleFrame {
  const col = (k: number) => Float64Array.from(rows, (r) => r[k]);
  return makeFrame({ exchange: 'test', symbol, timeframe: '1m' }, {
    ts: Float64Array.from(rows, (_, i) => i * 60_000), open: col(0), high: col(1), low: col(2), close: col(3), volume: Float64Array.from(rows, () => 1e9),
  });
}
const spec = (symbol = 'BTC/USDT') => marketSpec(symbol, { priceTick: 0.0001, amountStep: 1e-8, minAmount: 0, minNotional: 0, makerFee: 0, takerFee: 0 });
const tickBuy = (x: number) => roundPrice(spec(), x, 'buy');
/** Grid levels as the grid computes them: GridTop x 0.99 x 0.99 ... (1 % step), rounded down to the tick. */
const levels = (top: number, n: number) => { const out: number[] = []; let l = top; for (let k = 1; k <= n; k++) { l *= 0.99; out.push(tickBuy(l)); } return out; };
const openBuys = (r: OrderSimResult) => r.orders.filter((o) => o.status === 'open' && o.side === 'buy').map((o) => o.price).sort((a, b) => b - a);
const base = { gridStepPct: 1, bandPct: 5, minBuys: 0, maxBuys: 25 };
const run = (rows: number[][], params: Record<string, unknown>, initialCash = 100_000) =>
  runOrderBacktest(grid, [{ frame: frame(rows), spec: spec() }], { ...base, ...params }, { initialCash });

describe('grid: staging band', () => {
  it('places buys at the levels within 5 % below the price, and refills the band as the price falls', () => {
    // bar 0 closes at 100: levels 99, 98.01, 97.0299, 96.0596, 95.0990 are within [95, 100)
    const r0 = run([[100, 100.1, 99.9, 100]], {});
    expect(openBuys(r0)).toEqual(levels(100, 5));
    // bar 1 trades down to 98.5 (fills the buy at 99) and closes at 98.6: the band's bottom is 93.67, so the
    // level 94.1480 (k = 6) joins; 99 is now a lot with its paired sell at 99.99.
    const r1 = run([[100, 100.1, 99.9, 100], [100, 100, 98.5, 98.6]], {});
    expect(r1.fills.map((f) => [f.side, f.price])).toEqual([['buy', 99]]);
    expect(openBuys(r1)).toEqual(levels(100, 6).slice(1));
    const sells = r1.orders.filter((o) => o.status === 'open' && o.side === 'sell');
    expect(sells.map((o) => o.price)).toEqual([99.99]);
    expect(sells[0].lot).toBe(r1.fills[0].lotId);
    // minBuys extends the band: with minBuys 8 the grid keeps 8 buys although only 5 levels are in the band
    expect(openBuys(run([[100, 100.1, 99.9, 100]], { minBuys: 8 }))).toEqual(levels(100, 8));
    // maxBuys keeps the nearest ones
    expect(openBuys(run([[100, 100.1, 99.9, 100]], { maxBuys: 3 }))).toEqual(levels(100, 3));
  });

  it('every buy fill places its paired sell at fill x (1 + step), or x (1 + custom %) in custom mode, plus the fee buffer', () => {
    const rows = [[100, 100.1, 99.9, 100], [100, 100, 98.5, 98.6]];
    const sellOf = (r: OrderSimResult) => r.orders.find((o) => o.side === 'sell')!.price;
    expect(sellOf(run(rows, {}))).toBe(99.99);
    expect(sellOf(run(rows, { profitMode: 'custom', customProfitPct: 2 }))).toBe(100.98);
    expect(sellOf(run(rows, { feeBufferPct: 0.2 }))).toBe(roundPrice(spec(), 99 * 1.012, 'sell'));
  });
});

describe('grid: add-only rebase', () => {
  it('a new high moves AnchorHigh and GridTop and adds buys from the new top; it cancels nothing by itself', () => {
    // bar 0 (close 100): buys 99, 98.01, 97.0299, 96.0596, 95.0990.
    // bar 1 rallies to 101.6 (low 99.5: no fill). AnchorHigh = GridTop = 101.6; new levels 100.584, 99.5782,
    // 98.5824, 97.5966, 96.6206. The band's bottom moved up to the lowest wanted level 96.6206 (less half a step:
    // 96.1375), so 96.0596 and 95.0990 are cancelled BY THE BAND; 99, 98.01 and 97.0299 stay. New levels
    // within half a step (0.5 %) of a kept order are taken: 98.5824 (by 99), 97.5966 (98.01), 96.6206 (97.0299).
    // So exactly two buys are added: 100.584 and 99.5782.
    const r = run([[100, 100.1, 99.9, 100], [100, 101.6, 99.5, 101.6]], {});
    const old = levels(100, 5);
    const cancelled = r.orders.filter((o) => o.status === 'cancelled').map((o) => o.price);
    expect(cancelled).toEqual([old[3], old[4]]);
    expect(openBuys(r)).toEqual([tickBuy(100.584), tickBuy(101.6 * 0.99 * 0.99), old[0], old[1], old[2]]);
    expect(Array.from(r.series['BTC/USDT'].anchorHigh.value)).toEqual([100, 101.6]);
    expect(Array.from(r.series['BTC/USDT'].gridTop.value)).toEqual([100, 101.6]);
    // with a rebase buffer, GridTop = AnchorHigh x (1 - buffer)
    const rb = run([[100, 100.1, 99.9, 100], [100, 101.6, 99.5, 101.6]], { rebaseBufferPct: 1 });
    expect(Array.from(rb.series['BTC/USDT'].gridTop.value)).toEqual([99, 101.6 * 0.99]);
    expect(Array.from(rb.series['BTC/USDT'].anchorHigh.value)).toEqual([100, 101.6]);
  });
});

describe('grid: caps', () => {
  it('prunes on a rally at the order cap: farthest from price first', () => {
    // maxOpenOrders 3: bar 0 places 99, 98.01, 97.0299 only. Bar 1 rallies to 101.6 (no fill): the new level
    // 100.584 needs a slot, so the farthest buy 97.0299 is pruned; 99.5782 then prunes 98.01; 98.5824 is taken
    // (by 99); 97.5966 and 96.6206 are farther than every remaining buy, so nothing more is pruned.
    const r = run([[100, 100.1, 99.9, 100], [100, 101.6, 99.5, 101.6]], { maxOpenOrders: 3 });
    const old = levels(100, 3);
    expect(r.orders.filter((o) => o.status === 'cancelled').map((o) => o.price)).toEqual([old[1], old[2]]); // by order id
    expect(openBuys(r)).toEqual([tickBuy(100.584), tickBuy(101.6 * 0.99 * 0.99), 99]);
    expect(Math.max(...r.openOrders)).toBe(3);
  });

  it('enters HOLD when the inventory reaches the capital cap, keeps its sells, and recovers when a sell fills', () => {
    // fixed budget 1000, each buy 10 % of it = 100 quote, capital cap 30 % of account value (about 300).
    const p = { budgetMode: 'fixed', budgetQuote: 1000, buyPct: 10, maxCapitalPct: 30 };
    const rows = [
      [100, 100.1, 99.9, 100], // 0: buys 99, 98.01, 97.0299 (300 committed); a 4th would not fit: not HOLD, just full
      [100, 100, 96.5, 96.6], // 1: open -> high -> low fills all three; inventory 300 > cap - 100: HOLD
      [96.6, 96.8, 96.2, 96.7], // 2: still HOLD
      [96.7, 98.2, 96.6, 98.1], // 3: the sell at 98.0002 (97.0299 x 1.01 = 98.000199, up to the tick) fills: 200 in use, HOLD ends, 97.0299 again
      [98.1, 98.3, 97.9, 98.2], // 4: no change
    ];
    const r = run(rows, p, 1000);
    expect(r.fills.map((f) => [f.bar, f.side, f.price])).toEqual([[1, 'buy', 99], [1, 'buy', 98.01], [1, 'buy', tickBuy(97.0299)], [3, 'sell', 98.0002]]);
    expect(r.holdPeriods).toEqual([{ symbol: 'BTC/USDT', startTs: 60_000, endTs: 180_000 }]);
    const after = r.orders.filter((o) => o.placedBar === 3 && o.side === 'buy');
    expect(after.map((o) => o.price)).toEqual([tickBuy(97.0299)]);
    // no buy was placed while in HOLD
    expect(r.orders.filter((o) => o.side === 'buy' && (o.placedBar === 1 || o.placedBar === 2))).toEqual([]);
    expectRelClose(r.capitalInUse[1], 300, 1e-9);
    expectRelClose(r.capitalInUse[3], 200, 1e-9);
  });

  it('the global cap of 490 open orders and the per-market soft cap share slots between markets', () => {
    // three markets each want 200 buys (0.1 % step, 50 % band, minBuys 200): the soft cap is ceil(490 / 3) = 164.
    const p = { gridStepPct: 0.1, bandPct: 50, minBuys: 200, maxBuys: 500, buyPct: 0.1 };
    const mk = (sym: string, px: number) => ({ frame: frame([[px, px * 1.0001, px * 0.9999, px], [px, px * 1.0001, px * 0.9999, px]], sym), spec: spec(sym) });
    const r = runOrderBacktest(grid, [mk('AAA/USDT', 100), mk('BBB/USDT', 50), mk('CCC/USDT', 20)], p, { initialCash: 1_000_000 });
    const per = [0, 1, 2].map((m) => r.orders.filter((o) => o.market === m && o.status === 'open').length);
    expect(per).toEqual([164, 164, 162]);
    expect(Math.max(...r.openOrders)).toBe(490);
    // an explicit per-market cap
    const r2 = runOrderBacktest(grid, [mk('AAA/USDT', 100), mk('BBB/USDT', 50), mk('CCC/USDT', 20)], { ...p, perMarketCap: 100 }, { initialCash: 1_000_000 });
    expect([0, 1, 2].map((m) => r2.orders.filter((o) => o.market === m && o.status === 'open').length)).toEqual([100, 100, 100]);
    // one market alone may use every slot
    const r3 = runOrderBacktest(grid, [mk('AAA/USDT', 100)], { ...p, minBuys: 500 }, { initialCash: 1_000_000 });
    expect(r3.orders.filter((o) => o.status === 'open').length).toBe(490);
  });

  it('keeps the account identity at every bar on a long random path', () => {
    let x = 100, seed = 7;
    const rnd = () => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed / 2147483648; };
    const rows: number[][] = [];
    for (let i = 0; i < 3000; i++) {
      const o = x; const c = o * Math.exp(0.004 * (rnd() - 0.5) * 2);
      rows.push([o, Math.max(o, c) * (1 + 0.002 * rnd()), Math.min(o, c) * (1 - 0.002 * rnd()), c]);
      x = c;
    }
    const r = runOrderBacktest(grid, [{ frame: frame(rows), spec: marketSpec('BTC/USDT', { priceTick: 0.01, amountStep: 1e-6, minAmount: 0, minNotional: 1, makerFee: 0.001, takerFee: 0.002 }) }], { gridStepPct: 0.5 }, { initialCash: 10_000 });
    expect(r.totals.fills).toBeGreaterThan(100);
    for (let s = 0; s < r.ts.length; s++) {
      expectRelClose(r.cash[s] + r.inventoryValue[s], r.totals.initialCapital + r.realised[s] + r.unrealised[s] - r.fees[s], 1e-11, 1e-7);
      expect(r.capitalInUse[s]).toBeLessThanOrEqual(0.7 * r.equity[s] * (1 + 1e-9) + 1e-6);
      expect(r.cash[s]).toBeGreaterThanOrEqual(-1e-9);
    }
  });
});

describe('grid: tags', () => {
  it("hands out intents that read, list and serialise as plain ones ('b<n>' tags), booked by their numeric spelling", () => {
    // the wrapper records each decision as the live runtime would store it (JSON, own keys), then passes it on
    const seen: string[] = [];
    const wrapped = {
      ...grid,
      decide: (ctx: Parameters<typeof grid.decide>[0]) => {
        const out = grid.decide(ctx);
        if (out !== undefined) for (const it of Array.isArray(out) ? out : [out]) seen.push(`${Object.keys(it).join(',')} ${JSON.stringify(it)}`);
        return out;
      },
    };
    const rows = [[100, 100.1, 99.9, 100], [100, 100, 98.5, 98.6], [98.6, 103, 98.6, 102.9]];
    const r = runOrderBacktest(wrapped, [{ frame: frame(rows), spec: spec() }], { ...base, maxBuys: 3 }, { initialCash: 100_000 });
    const parsed = seen.map((x) => [x.slice(0, x.indexOf(' ')), JSON.parse(x.slice(x.indexOf(' ') + 1))] as const);
    // the first pass: three buys, each with the plain intent's keys in the plain order, the tag a string 'b<n>'
    expect(parsed.slice(0, 3).map(([keys, it]) => [keys, it.type, it.side, it.tag])).toEqual([0, 1, 2].map((k) => ['type,side,price,amount,tag', 'limit', 'buy', `b${k}`]));
    expect(parsed[0][1].price).toBe(99);
    expect(parsed[0][1].amount).toBe(100_000 * 0.0033 / 99);
    expect(parsed.filter(([, it]) => it.type === 'cancel').map(([keys, it]) => [keys, typeof it.tag, it.tag[0]])).toContainEqual(['type,tag', 'string', 'b']);
    expect(r.orders.filter((o) => o.side === 'buy').map((o) => o.tag)).toEqual(r.orders.filter((o) => o.side === 'buy').map((_, k) => `b${k}`));
    expect(r.fills[0].tag).toBe('b0');
    expect(r.lots[0].buyTag).toBe('b0');
  });

  it("pairs each buy fill with a sell tagged 's<lot>.<fill>' that reads and serialises as a plain intent", () => {
    const seen: unknown[] = [];
    const wrapped = {
      ...grid,
      onFill: (ctx: Parameters<NonNullable<typeof grid.onFill>>[0]) => {
        const it = grid.onFill!(ctx);
        if (it !== undefined && !Array.isArray(it)) seen.push([(it as { tag: string }).tag, JSON.parse(JSON.stringify(it))]);
        return it;
      },
    };
    const rows = [[100, 100.1, 99.9, 100], [100, 100, 98.5, 98.6], [98.6, 103, 98.6, 102.9]];
    const r = runOrderBacktest(wrapped, [{ frame: frame(rows), spec: spec() }], { ...base, maxBuys: 3 }, { initialCash: 100_000 });
    const sells = r.orders.filter((o) => o.side === 'sell');
    expect(sells.length).toBeGreaterThan(0);
    expect(seen).toHaveLength(sells.length);
    sells.forEach((o, k) => {
      const f = r.fills.find((x) => x.lotId === o.lot && x.side === 'buy')!;
      expect(o.tag).toBe(`s${o.lot}.${f.seq}`);
      expect(seen[k]).toEqual([o.tag, { type: 'limit', side: 'sell', price: expect.any(Number), amount: f.amount, tag: o.tag, lot: o.lot }]);
    });
    expect(r.lots.filter((l) => l.status === 'closed').map((l) => l.sellTag)).toEqual(sells.filter((o) => o.status === 'filled').map((o) => o.tag));
  });

  it('reads the account through account.numbers, which always equals the getters', () => {
    let checked = 0;
    const wrapped = {
      ...grid,
      decide: (ctx: Parameters<typeof grid.decide>[0]) => {
        const a = ctx.account!, n = a.numbers!;
        expect([n[0], n[1], n[2], n[3], n[4]]).toEqual([a.cash, a.freeCash, a.equity, a.capitalInUse, a.openBuyNotional]);
        checked++;
        return grid.decide(ctx);
      },
    };
    const rows: number[][] = [];
    for (let i = 0; i < 200; i++) { const c = 100 + 3 * Math.sin(i / 7); rows.push([c, c + 0.6, c - 0.6, c]); }
    const r = runOrderBacktest(wrapped, [{ frame: frame(rows), spec: spec() }], base, { initialCash: 100_000 });
    expect(r.totals.fills).toBeGreaterThan(10);
    expect(checked).toBe(200);
  });
});

describe('grid: lot levels', () => {
  it('maps open lots to their levels like a Map, through churn and growth', () => {
    const m = new LotLevels(), ref = new Map<number, number>();
    let seed = 7;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    let next = 0;
    for (let step = 0; step < 40_000; step++) {
      const open = [...ref.keys()];
      if (open.length < 300 && (open.length === 0 || rnd() < 0.52)) {
        const lot = next++, level = 100 * (1 + rnd());
        m.value = level; m.set(lot); ref.set(lot, level);
      } else {
        const lot = rnd() < 0.1 ? next + 5 : open[Math.floor(rnd() * open.length)];
        const had = ref.has(lot);
        expect(m.take(lot)).toBe(had);
        if (had) { expect(m.value).toBe(ref.get(lot)); ref.delete(lot); }
      }
      expect(m.size).toBe(ref.size);
    }
    expect(m.lots()).toEqual([...ref.keys()].sort((a, b) => a - b));
    for (const [lot, level] of ref) { expect(m.get(lot)).toBe(true); expect(m.value).toBe(level); }
    expect(m.get(next + 1)).toBe(false);
  });
});
