/**
 * saveState / loadState of the order strategies: a run whose state is saved to JSON text and loaded back every few
 * bars (as the live runner does at each bar and across restarts) is identical, fill by fill and order by order, to
 * the uninterrupted run, on real candles.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { sharedFile, BTC_1H } from '../../test-support/shared-data.ts';
import { frameFromRows, sliceFrame, type CandleFrame } from '../frame.ts';
import { marketSpec } from '../orders/market-spec.ts';
import { runOrderBacktest } from '../orders/simulator.ts';
import { defineStrategy, loadStrategyState, saveStrategyState, type AnyStrategy, type BarContext, type FillContext } from '../strategy.ts';
import type { ParamValues } from '../params.ts';
import { dca, grid, rangeGrid, twap, vwap } from './index.ts';

/** `inner`, with its state replaced by load(parse(stringify(save(state)))) before every `every`-th decision. */
function restarting(inner: AnyStrategy, every: number): { strategy: AnyStrategy; saves: () => number } {
  const box: { s: unknown; params: ParamValues | undefined } = { s: undefined, params: undefined };
  let saves = 0;
  const view = <C extends object>(ctx: C): C => { const c = Object.create(ctx) as C & { state: unknown }; c.state = box.s; return c; };
  const strategy = defineStrategy({
    id: `${inner.id}-restarting`, version: inner.version, description: 'test wrapper', kind: 'orders', params: inner.params,
    warmup: (p) => inner.warmup(p), indicators: (f, p) => inner.indicators(f, p),
    initState: (p) => { box.s = inner.initState(p); box.params = p as ParamValues; return box; },
    decide: (ctx) => {
      if (ctx.i % every === every - 1) {
        box.s = loadStrategyState(inner, JSON.parse(JSON.stringify(saveStrategyState(inner, box.s))) as unknown, box.params as ParamValues);
        saves++;
      }
      return inner.decide(view(ctx) as BarContext<ParamValues>);
    },
    onFill: inner.onFill ? (ctx) => inner.onFill!(view(ctx) as FillContext<ParamValues>) : undefined,
  });
  return { strategy: strategy as AnyStrategy, saves: () => saves };
}

let candles: CandleFrame | undefined;
async function btc(from: number, n: number): Promise<CandleFrame> {
  candles ??= frameFromRows({ exchange: 'binance', symbol: 'BTC/USDT', timeframe: '1h' }, JSON.parse(readFileSync(sharedFile(BTC_1H), 'utf8')) as number[][]);
  return sliceFrame(candles, from, from + n);
}

const spec = marketSpec('BTC/USDT', { priceTick: 0.01, amountStep: 0.00001, minAmount: 0.00001, minNotional: 5, makerFee: 0.001, takerFee: 0.001 });

function fingerprint(r: ReturnType<typeof runOrderBacktest>) {
  return {
    fills: r.fills.map((f) => [f.bar, f.tag, f.side, f.price, f.amount, f.fee, f.lotId]),
    orders: r.orders.map((o) => [o.tag, o.side, o.price, o.amount, o.status, o.placedBar, o.doneBar]),
    rejected: r.rejected.length, equity: Array.from(r.equity), series: r.series,
  };
}

describe('strategy state hooks: save mid-run, load, continue = the uninterrupted run', () => {
  const cases: [AnyStrategy, Record<string, unknown>, (f: CandleFrame) => Record<string, unknown>][] = [
    [grid, {}, () => ({})],
    [rangeGrid, {}, () => ({})],
    [dca, { intervalHours: 6, dipPct: 1, takeProfitPct: 3 }, () => ({})],
    [twap, {}, (f) => ({ startTs: f.ts[50], durationMinutes: 60 * 24 * 10, quantity: 0.5 })],
    [vwap, {}, (f) => ({ startTs: f.ts[400], durationMinutes: 60 * 24 * 10, quantity: 0.5, lookbackDays: 3 })],
  ];
  it.each(cases.map(([s, a, b]) => [s.id, s, a, b] as const))('%s', async (_id, s, params, more) => {
    const frame = await btc(30_000, 1500);
    const p = { ...params, ...more(frame) };
    const cfg = { initialCash: 100_000 };
    const want = runOrderBacktest(s, [{ frame, spec }], p, cfg);
    expect(want.fills.length).toBeGreaterThan(3);
    // JSON cannot hold the state itself (typed arrays, class instances, NaN): the hooks are needed.
    expect(s.saveState).toBeDefined();
    for (const every of [1, 37]) {
      const w = restarting(s, every);
      const got = runOrderBacktest(w.strategy, [{ frame, spec }], p, cfg);
      expect(w.saves()).toBeGreaterThan(10);
      expect(fingerprint(got)).toEqual(fingerprint(want));
    }
  }, 60_000);

  it('a strategy gives both hooks or neither; the default round trip keeps plain state', () => {
    const base = { id: 'x', version: '1.0.0', description: 'x', params: grid.params, warmup: () => 0, indicators: () => ({}), decide: () => undefined };
    expect(() => defineStrategy({ ...base, saveState: (st: unknown) => st })).toThrow(/both saveState and loadState/);
    const plain = defineStrategy({ ...base, initState: () => ({ n: 3, list: [1, 2] }) });
    expect(loadStrategyState(plain, JSON.parse(JSON.stringify(saveStrategyState(plain, { n: 3, list: [1, 2] }))), {})).toEqual({ n: 3, list: [1, 2] });
  });

  it('a damaged saved state is refused with what was wrong', () => {
    expect(() => grid.loadState!({ markets: [{ anchorHigh: 'high' }] }, grid.resolveParams({}))).toThrow(/grid.anchorHigh must be a number/);
    expect(() => dca.loadState!({ markets: 3 }, dca.resolveParams({}))).toThrow(/must be a list/);
  });
});
