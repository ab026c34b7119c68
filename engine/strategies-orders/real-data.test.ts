// Real Binance BTC/USDT candles (1m: 46 days, 5m: 7.5 months): golden-pinned grid and range-grid runs,
// the account identity at every bar, FIFO vs paired lots, and the look-ahead guard (perturbing the future
// never changes a fill at or before bar i).
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { frameFromRows, makeFrame, sliceFrame, type CandleFrame } from '../frame.ts';
import { fifoMatch } from '../lots/fifo.ts';
import { marketSpec } from '../orders/market-spec.ts';
import { runOrderBacktest } from '../orders/simulator.ts';
import type { OrderSimResult, OrderSimTotals } from '../orders/types.ts';
import type { AnyStrategy } from '../strategy.ts';
import { expectRelClose } from '../../test-support/approx.ts';
import { BTC_1M, BTC_5M, sharedFile } from '../../test-support/shared-data.ts';
import { dca } from './dca.ts';
import { grid } from './grid.ts';
import { rangeGrid, rangeGridCycles } from './range-grid.ts';
import { twap, vwap } from './twap.ts';

const load = (file: string, timeframe: string): CandleFrame =>
  frameFromRows({ exchange: 'binance', symbol: 'BTC/USDT', timeframe }, JSON.parse(readFileSync(sharedFile(file), 'utf8')) as number[][]);

const frames = { '1m': load(BTC_1M, '1m'), '5m': load(BTC_5M, '5m') };
const spec = marketSpec('BTC/USDT'); // tick 0.01, step 0.00001, min notional 5, 0.1 % fees
const run = (s: AnyStrategy, f: CandleFrame, params: Record<string, unknown> = {}) => runOrderBacktest(s, [{ frame: f, spec }], params, { initialCash: 10_000 });
const fillsHash = (r: OrderSimResult) =>
  createHash('sha256').update(JSON.stringify(r.fills.map((f) => [f.ts, f.tag, f.side, f.price, f.amount, f.fee, f.liquidity, f.pathLeg]))).digest('hex');

function expectTotals(actual: OrderSimTotals, expected: OrderSimTotals): void {
  for (const k of Object.keys(expected) as (keyof OrderSimTotals)[]) expectRelClose(actual[k], expected[k], 1e-9);
}

const GOLDEN: Record<string, { totals: OrderSimTotals; hash: string; extra: number[] }> = {
  '1m grid': {
    totals: { initialCapital: 10000, finalEquity: 10000.076164988102, cash: 8935.169381888103, realised: 145.2253483999999, unrealised: -55.87246930000151, fees: 89.27671411200046, fills: 2708, buyFills: 1371, sellFills: 1337, ordersPlaced: 6893, ordersCancelled: 4137, rejected: 0, closedLots: 1337, openLots: 34, maxOpenOrders: 56, maxCapitalInUse: 1349.2735600000003, boughtNotional: 45126.13400800005, soldNotional: 44150.580103999724 },
    hash: '4a6323e87a9e688166cff5240f3d967c9abf25edeeee07422ed600192ca74f4a', extra: [0],
  },
  '1m range-grid': {
    totals: { initialCapital: 10000, finalEquity: 10193.696374108196, cash: 10192.031156308196, realised: 217.51951159999916, unrealised: 0.169081800000203, fees: 23.992219291800012, fills: 87, buyFills: 39, sellFills: 48, ordersPlaced: 107, ordersCancelled: 0, rejected: 0, closedLots: 38, openLots: 1, maxOpenOrders: 20, maxCapitalInUse: 2394.0669559999997, boughtNotional: 11888.0979581, soldNotional: 12104.121333699999 },
    hash: 'd32ea9fd9d2f38603b8703536f2d54731ffd7770d6ba87c537eb253d52f73971', extra: [38, 68.89215630929911],
  },
  '5m grid': {
    totals: { initialCapital: 10000, finalEquity: 9142.353702764944, cash: 4596.617170664945, realised: 2565.7194015000177, unrealised: -1861.0660495000175, fees: 1562.2996492359136, fills: 47215, buyFills: 23704, sellFills: 23511, ordersPlaced: 67929, ordersCancelled: 20521, rejected: 0, closedLots: 23511, openLots: 193, maxOpenOrders: 197, maxCapitalInUse: 6434.90721860001, boughtNotional: 783070.3662080249, soldNotional: 779229.2830279185 },
    hash: 'ade492e42df2acc579754d00c972fe4e2b64e84ee396c99fb36ca94a8fcecea4', extra: [44],
  },
  '5m range-grid': {
    totals: { initialCapital: 10000, finalEquity: 10277.497164862898, cash: 10276.228911662898, realised: 318.1101344999999, unrealised: 0.4839723999992762, fees: 41.096942037099986, fills: 155, buyFills: 73, sellFills: 82, ordersPlaced: 175, ordersCancelled: 0, rejected: 0, closedLots: 72, openLots: 1, maxOpenOrders: 20, maxCapitalInUse: 4893.255635200001, boughtNotional: 20389.808091699993, soldNotional: 20707.133945400008 },
    hash: 'ab51cad30232950717b8f61cece4592a8d52a9e90e862bce02f2517f86d95c3b', extra: [72, 152.20193540139996],
  },
};

describe('golden runs on real BTC/USDT candles (default parameters, 10,000 USDT, Binance-like spec)', () => {
  for (const tf of ['1m', '5m'] as const) {
    it(`grid on ${tf}`, () => {
      const r = run(grid, frames[tf]);
      const g = GOLDEN[`${tf} grid`];
      expectTotals(r.totals, g.totals);
      expect(fillsHash(r)).toBe(g.hash);
      expect(r.holdPeriods.length).toBe(g.extra[0]);
      expect(r.fillModel.intrabarPath).toBe('nearest-extreme-first');
      // the identity at every bar, and the caps
      for (let s = 0; s < r.ts.length; s++) {
        expectRelClose(r.cash[s] + r.inventoryValue[s], r.totals.initialCapital + r.realised[s] + r.unrealised[s] - r.fees[s], 1e-10, 1e-6);
        expect(r.openOrders[s]).toBeLessThanOrEqual(490);
      }
      // FIFO (tax) and paired lots agree on the total P&L and on the inventory left
      const fifo = fifoMatch(r.fills);
      const h = fifo.holdings['BTC/USDT'];
      expect(fifo.uncovered).toBeLessThan(1e-12);
      expectRelClose(h.amount, r.markets[0].base, 1e-9);
      const gains = fifo.disposals.reduce((a, d) => a + d.gain, 0);
      expectRelClose(gains + h.amount * r.markets[0].lastMark - h.cost, r.totals.realised + r.totals.unrealised - r.totals.fees, 1e-9);
    });
    it(`range-grid on ${tf}`, () => {
      const r = run(rangeGrid, frames[tf]);
      const g = GOLDEN[`${tf} range-grid`];
      expectTotals(r.totals, g.totals);
      expect(fillsHash(r)).toBe(g.hash);
      const cycles = rangeGridCycles(r);
      expect(cycles.completed).toBe(g.extra[0]);
      expectRelClose(cycles.profit, g.extra[1], 1e-9);
      // every grid cycle sells exactly one level above its buy (the initial inventory's lot excepted)
      for (const c of cycles.cycles) if (c.buyTag !== 'init') expect(c.sellPrice).toBeGreaterThan(c.buyPrice);
    });
  }
});

/** The same candles up to row i; every later row scaled (valid OHLC kept), volume changed. */
function perturbAfter(f: CandleFrame, i: number): CandleFrame {
  const c = (a: Float64Array) => Float64Array.from(a);
  const o = c(f.open), h = c(f.high), l = c(f.low), cl = c(f.close), v = c(f.volume);
  for (let k = i + 1; k < f.length; k++) {
    const s = 1 + 0.03 * Math.sin(k / 37);
    o[k] *= s; h[k] *= s * 1.002; l[k] *= s * 0.998; cl[k] *= s; v[k] *= 2 + Math.cos(k);
  }
  return makeFrame(f, { ts: f.ts, open: o, high: h, low: l, close: cl, volume: v });
}

describe('no look-ahead: perturbing bars after i never changes fills or orders at or before i', () => {
  const base = sliceFrame(frames['1m'], 0, 8000);
  const i = 5000;
  const cutTs = base.ts[i];
  const upTo = (r: OrderSimResult) => ({
    fills: r.fills.filter((f) => f.ts <= cutTs).map((f) => [f.ts, f.tag, f.price, f.amount, f.fee]),
    orders: r.orders.filter((o) => o.placedTs <= cutTs).map((o) => [o.tag, o.side, o.price, o.amount, o.placedTs]),
    equity: Array.from(r.equity.subarray(0, i + 1)),
  });
  const cases: [string, AnyStrategy, Record<string, unknown>][] = [
    ['grid', grid, {}],
    ['range-grid', rangeGrid, { stopLossPrice: 20_000 }],
    ['dca', dca, { intervalHours: 6, dipPct: 1, takeProfitPct: 2 }],
    ['twap', twap, { quantity: 0.2, startTs: base.ts[4900], durationMinutes: 300, slices: 10 }],
    ['vwap', vwap, { quantity: 0.2, startTs: base.ts[4900], durationMinutes: 300, slices: 10, lookbackDays: 3 }],
  ];
  for (const [name, s, p] of cases) {
    it(name, () => {
      const ra = run(s, base, p), rb = run(s, perturbAfter(base, i), p);
      const a = upTo(ra), b = upTo(rb);
      expect(a.fills.length).toBeGreaterThan(0);
      expect(b).toEqual(a);
      // and the perturbation does change what happens after i (the test can fail)
      const all = (r: OrderSimResult) => r.fills.map((f) => [f.ts, f.price, f.amount]);
      expect(all(rb)).not.toEqual(all(ra));
    });
  }
});
