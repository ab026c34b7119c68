/**
 * `twap` and `vwap`: execution algorithms for one parent order (side, quantity, start, duration) per market.
 * The period [start, start + duration) is cut into `slices` equal time slices; slice j is sent as a market order
 * at the first bar close at or after its start time (so it fills at the next open, inside its slice).
 *  - TWAP: every slice is quantity / slices.
 *  - VWAP: slice j gets quantity x w_j, where w_j is the share of volume traded in slice j's time-of-day window
 *    over the `lookbackDays` days BEFORE the start (past data only; equal weights when those days have none).
 * When several slices fall due at one bar (bars coarser than slices, or gaps), they go out as one order.
 * A sell parent needs inventory: give the market an `initialBase`.
 * Quality of execution: `executionReport(result, frame, market)`.
 */
import { asArray, asObject, decF64, decNum, encF64, encNum } from './state-codec.ts';
import { Type } from '@sinclair/typebox';
import { lowerBound, type CandleFrame } from '../frame.ts';
import { timeframeMs } from '../timeframe.ts';
import { defineStrategy, type BarContext, type Intent } from '../strategy.ts';
import type { OrderSimResult } from '../orders/types.ts';

const DAY_MS = 86_400_000;

const execParams = (vwap: boolean) => Type.Object({
  side: Type.Union([Type.Literal('buy'), Type.Literal('sell')], { default: 'buy', description: 'side of the parent order' }),
  quantity: Type.Number({ default: 1, exclusiveMinimum: 0, maximum: 1e12, description: 'parent quantity in base units' }),
  startTs: Type.Number({ default: 0, minimum: 0, maximum: 1e14, description: vwap ? 'start, epoch ms (0 = first bar + lookbackDays)' : 'start, epoch ms (0 = the first bar)' }),
  durationMinutes: Type.Number({ default: 60, minimum: 1, maximum: 525_600, description: 'length of the execution period, minutes' }),
  slices: Type.Integer({ default: 12, minimum: 1, maximum: 10_000, description: 'number of child orders' }),
  lookbackDays: Type.Integer({ default: 5, minimum: 1, maximum: 365, description: vwap ? 'days of volume profile before the start' : 'unused by twap' }),
});

export const twapParams = execParams(false);
export const vwapParams = execParams(true);

export type ExecParams = { side: 'buy' | 'sell'; quantity: number; startTs: number; durationMinutes: number; slices: number; lookbackDays: number };

interface ExecMarket { start: number; sliceMs: number; next: number; plan: Float64Array | undefined }
export interface ExecState { markets: ExecMarket[] }

/**
 * VWAP weights from the volume profile of past days: w_j proportional to the volume traded in
 * [start + j*sliceMs - d*DAY, start + (j+1)*sliceMs - d*DAY) summed over d = 1..lookbackDays, using rows with
 * ts < start and index <= `lastRow` only. Equal weights when all are zero.
 */
export function vwapWeights(frame: CandleFrame, lastRow: number, start: number, sliceMs: number, slices: number, lookbackDays: number): Float64Array {
  const w = new Float64Array(slices);
  const ts = frame.ts.subarray(0, lastRow + 1);
  const vol = frame.volume;
  let total = 0;
  for (let d = 1; d <= lookbackDays; d++) {
    for (let j = 0; j < slices; j++) {
      const a = start + j * sliceMs - d * DAY_MS;
      const b = Math.min(a + sliceMs, start);
      if (!(b > a)) continue;
      for (let k = lowerBound(ts, a); k < ts.length && ts[k] < b; k++) {
        const v = vol[k];
        if (v > 0) { w[j] += v; total += v; }
      }
    }
  }
  if (total > 0) for (let j = 0; j < slices; j++) w[j] /= total;
  else w.fill(1 / slices);
  return w;
}

function makeDecide(vwap: boolean) {
  return (ctx: BarContext<ExecParams, Record<string, Float64Array>, ExecState>): Intent | undefined => {
    const p = ctx.params;
    const m = ctx.market ?? 0;
    const f = ctx.frame;
    const ts = f.ts[ctx.i];
    let g = ctx.state.markets[m];
    if (!g) {
      const start = p.startTs > 0 ? p.startTs : ts + (vwap ? p.lookbackDays * DAY_MS : 0);
      g = ctx.state.markets[m] = { start, sliceMs: (p.durationMinutes * 60_000) / p.slices, next: 0, plan: undefined };
      ctx.record?.('parentStart', start);
      ctx.record?.('parentEnd', start + p.durationMinutes * 60_000);
    }
    if (g.next >= p.slices) return undefined;
    const closeTs = ts + timeframeMs(f.timeframe);
    if (closeTs < g.start + g.next * g.sliceMs) return undefined;
    g.plan ??= vwap ? vwapWeights(f, ctx.i, g.start, g.sliceMs, p.slices, p.lookbackDays) : new Float64Array(p.slices).fill(1 / p.slices);
    let share = 0;
    const first = g.next;
    while (g.next < p.slices && g.start + g.next * g.sliceMs <= closeTs) share += g.plan[g.next++];
    if (closeTs >= g.start + p.durationMinutes * 60_000) { while (g.next < p.slices) share += g.plan[g.next++]; }
    const amount = g.next === p.slices ? p.quantity * (1 - sumTo(g.plan, first)) : p.quantity * share;
    if (!(amount > 0)) return undefined;
    return { type: 'market', side: p.side, amount, tag: `slice${first}` };
  };
}

function sumTo(w: Float64Array, n: number): number {
  let s = 0;
  for (let j = 0; j < n; j++) s += w[j];
  return s;
}

const exec = (vwap: boolean, decide = makeDecide(vwap)) => defineStrategy({
  id: vwap ? 'vwap' : 'twap',
  version: '1.0.0',
  description: vwap
    ? 'VWAP execution of one parent order: slices weighted by the volume profile of past days.'
    : 'TWAP execution of one parent order: equal slices over the period.',
  kind: 'orders',
  params: vwap ? vwapParams : twapParams,
  warmup: () => 0,
  indicators: () => ({}),
  initState: (): ExecState => ({ markets: [] }),
  saveState: (st) => ({
    markets: Array.from(st.markets, (g) => (g ? { start: encNum(g.start), sliceMs: encNum(g.sliceMs), next: encNum(g.next), plan: g.plan ? encF64(g.plan) : null } : null)),
  }),
  loadState: (saved): ExecState => {
    const markets: ExecMarket[] = [];
    asArray(asObject(saved, 'twap state').markets, 'twap state.markets').forEach((x, m) => {
      if (x === null) return;
      const o = asObject(x, `twap market ${m}`);
      markets[m] = { start: decNum(o.start, 'twap.start'), sliceMs: decNum(o.sliceMs, 'twap.sliceMs'), next: decNum(o.next, 'twap.next'), plan: o.plan === null || o.plan === undefined ? undefined : decF64(o.plan, 'twap.plan') };
    });
    return { markets };
  },
  decide: (ctx) => decide(ctx as never),
});

export const twap = exec(false);
export const vwap = exec(true);

export interface ExecutionReport {
  readonly symbol: string;
  readonly side: 'buy' | 'sell';
  readonly quantity: number;
  readonly filled: number;
  /** filled / quantity. */
  readonly completion: number;
  readonly childOrders: number;
  readonly avgFillPrice: number;
  /** The open of the first bar of the period (the decision price). */
  readonly arrivalPrice: number;
  /** Mean typical price (h + l + c) / 3 of the period's bars. */
  readonly periodTwap: number;
  /** Volume-weighted typical price of the period's bars. */
  readonly periodVwap: number;
  /** Cost vs a benchmark in bps: positive = worse than the benchmark (paid more on a buy, got less on a sell). */
  readonly slippageVsTwapBps: number;
  readonly slippageVsVwapBps: number;
  readonly slippageVsArrivalBps: number;
  /** filled / market volume over the period. */
  readonly participation: number;
  readonly fees: number;
  readonly startTs: number;
  readonly endTs: number;
}

/** Execution quality of a twap / vwap run on one market (uses the parentStart / parentEnd the strategy recorded). */
export function executionReport(result: OrderSimResult, frame: CandleFrame, quantity: number): ExecutionReport {
  const sym = frame.symbol;
  const rec = result.series[sym] ?? {};
  const startTs = rec.parentStart?.value[0] ?? NaN;
  const endTs = rec.parentEnd?.value[0] ?? NaN;
  let filled = 0, notional = 0, fees = 0;
  const side: 'buy' | 'sell' = result.params.side === 'sell' ? 'sell' : 'buy';
  const children = new Set<number>();
  for (const f of result.fills) {
    if (f.symbol !== sym) continue;
    filled += f.amount; notional += f.price * f.amount; fees += f.fee; children.add(f.orderId);
  }
  const a = lowerBound(frame.ts, startTs), b = lowerBound(frame.ts, endTs);
  let tp = 0, vw = 0, vol = 0;
  for (let k = a; k < b; k++) {
    const typ = (frame.high[k] + frame.low[k] + frame.close[k]) / 3;
    tp += typ;
    const v = frame.volume[k] > 0 ? frame.volume[k] : 0;
    vw += typ * v; vol += v;
  }
  const n = b - a;
  const avg = filled > 0 ? notional / filled : NaN;
  const twapPx = n > 0 ? tp / n : NaN;
  const vwapPx = vol > 0 ? vw / vol : NaN;
  const arrival = n > 0 ? frame.open[a] : NaN;
  const sgn = side === 'buy' ? 1 : -1;
  const bps = (ref: number) => sgn * (avg / ref - 1) * 10_000;
  return {
    symbol: sym, side, quantity, filled, completion: filled / quantity, childOrders: children.size, avgFillPrice: avg, arrivalPrice: arrival,
    periodTwap: twapPx, periodVwap: vwapPx, slippageVsTwapBps: bps(twapPx), slippageVsVwapBps: bps(vwapPx), slippageVsArrivalBps: bps(arrival),
    participation: vol > 0 ? filled / vol : NaN, fees, startTs, endTs,
  };
}
