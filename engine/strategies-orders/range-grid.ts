/**
 * `range-grid`: the Bybit-style spot grid. Levels L_0 = lower .. L_n = upper (n = gridCount), arithmetic
 * (equal differences) or geometric (equal ratios). Grid j buys at L_j and sells one level up at L_{j+1}.
 * The investment (a % of account value at the start) is split equally in quote across the n grids.
 * At the start: a buy rests at every level below the price; with `initialBuy`, the base for every grid wholly
 * above the price is bought with one market order and its sells rest one level up (as Bybit does).
 * A filled buy places its sell; a filled sell re-places its buy: one completed cycle.
 * Optional stop-loss: when a close is at or below it, every order is cancelled, the inventory sold at market,
 * and the grid stops. Profit per completed cycle: `rangeGridCycles(result)`.
 */
import { asArray, asObject, decF64, decNum, encF64, encNum } from './state-codec.ts';
import { Type } from '@sinclair/typebox';
import { defineStrategy, type BarContext, type FillContext, type Intent } from '../strategy.ts';
import type { OrderSimResult } from '../orders/types.ts';
import { lotRealisedNet } from '../lots/ledger.ts';

export const rangeGridParams = Type.Object({
  lowerPrice: Type.Number({ default: 0, minimum: 0, maximum: 1e12, description: 'lower bound (0 = first close x (1 - rangePct))' }),
  upperPrice: Type.Number({ default: 0, minimum: 0, maximum: 1e12, description: 'upper bound (0 = first close x (1 + rangePct))' }),
  rangePct: Type.Number({ default: 10, minimum: 0.1, maximum: 90, description: 'half-width of the automatic range, % of the first close' }),
  gridCount: Type.Integer({ default: 20, minimum: 2, maximum: 500, description: 'number of grids (levels = gridCount + 1)' }),
  spacing: Type.Union([Type.Literal('arithmetic'), Type.Literal('geometric')], { default: 'arithmetic', description: 'equal price differences or equal ratios' }),
  investmentPct: Type.Number({ default: 50, minimum: 1, maximum: 100, description: 'investment, % of account value at the start' }),
  initialBuy: Type.Boolean({ default: true, description: 'buy the base for the grids above the price at the start (market order)' }),
  stopLossPrice: Type.Number({ default: 0, minimum: 0, maximum: 1e12, description: 'stop-loss price below the range (0 = off)' }),
});

export type RangeGridParams = {
  lowerPrice: number; upperPrice: number; rangePct: number; gridCount: number; spacing: 'arithmetic' | 'geometric';
  investmentPct: number; initialBuy: boolean; stopLossPrice: number;
};

export interface RangeGridMarket {
  levels: Float64Array;
  /** Quote per grid. */
  perGrid: number;
  buyOpen: Uint8Array;
  sellsOpen: Int32Array;
  /** Grids to seed with sells once the initial market buy fills. */
  seed: number[];
  tagGrid: Map<string, number>;
  seq: number;
  stopped: boolean;
}

export interface RangeGridState { markets: RangeGridMarket[] }

/** The n + 1 level prices of a range grid. */
export function rangeLevels(lower: number, upper: number, count: number, spacing: 'arithmetic' | 'geometric'): Float64Array {
  const out = new Float64Array(count + 1);
  for (let j = 0; j <= count; j++) {
    out[j] = spacing === 'arithmetic' ? lower + ((upper - lower) * j) / count : lower * (upper / lower) ** (j / count);
  }
  out[count] = upper;
  return out;
}

function buyIntent(g: RangeGridMarket, j: number): Intent {
  const tag = `b${j}.${g.seq++}`;
  g.tagGrid.set(tag, j);
  g.buyOpen[j] = 1;
  return { type: 'limit', side: 'buy', price: g.levels[j], amount: g.perGrid / g.levels[j], tag };
}

function sellIntent(g: RangeGridMarket, j: number, amount: number, lot: number): Intent {
  const tag = `s${j}.${g.seq++}`;
  g.tagGrid.set(tag, j);
  g.sellsOpen[j]++;
  return { type: 'limit', side: 'sell', price: g.levels[j + 1], amount, tag, lot };
}

function start(ctx: BarContext<RangeGridParams, Record<string, Float64Array>, RangeGridState>, c: number): Intent[] {
  const p = ctx.params;
  const lower = p.lowerPrice > 0 ? p.lowerPrice : c * (1 - p.rangePct / 100);
  const upper = p.upperPrice > 0 ? p.upperPrice : c * (1 + p.rangePct / 100);
  const n = p.gridCount;
  const levels = rangeLevels(lower, upper, n, p.spacing);
  const investment = (p.investmentPct / 100) * ctx.account!.equity;
  const g: RangeGridMarket = {
    levels, perGrid: investment / n, buyOpen: new Uint8Array(n), sellsOpen: new Int32Array(n), seed: [], tagGrid: new Map(), seq: 0, stopped: false,
  };
  ctx.state.markets[ctx.market ?? 0] = g;
  ctx.record?.('lower', lower);
  ctx.record?.('upper', upper);
  const out: Intent[] = [];
  let seedAmount = 0;
  for (let j = 0; j < n; j++) {
    if (levels[j] < c) out.push(buyIntent(g, j));
    else if (p.initialBuy) { g.seed.push(j); seedAmount += g.perGrid / levels[j]; }
  }
  if (seedAmount > 0) out.push({ type: 'market', side: 'buy', amount: seedAmount, tag: 'init' });
  return out;
}

function decideRange(ctx: BarContext<RangeGridParams, Record<string, Float64Array>, RangeGridState>): Intent[] | undefined {
  const m = ctx.market ?? 0;
  const c = ctx.frame.close[ctx.i];
  const g = ctx.state.markets[m];
  if (!g) return c > 0 ? start(ctx, c) : undefined;
  const stop = ctx.params.stopLossPrice;
  if (g.stopped || !(stop > 0) || c > stop) return undefined;
  g.stopped = true;
  ctx.record?.('stopped', 1);
  const out: Intent[] = ctx.orders!.list(m).map((o) => ({ type: 'cancel' as const, tag: o.tag }));
  const base = ctx.account!.base(m);
  if (base > 0) out.push({ type: 'market', side: 'sell', amount: base, tag: 'stop-loss' });
  return out;
}

function onRangeFill(ctx: FillContext<RangeGridParams, Record<string, Float64Array>, RangeGridState>): Intent[] | undefined {
  const f = ctx.fill;
  const g = ctx.state.markets[f.market];
  if (!g || g.stopped) return undefined;
  if (f.tag === 'init') {
    // seed the grids above the start price with sells out of the initial lot
    const out: Intent[] = [];
    let left = f.amount;
    while (g.seed.length && left > 0) {
      const j = g.seed[0];
      const amt = Math.min(left, g.perGrid / g.levels[j]);
      out.push(sellIntent(g, j, amt, f.lotId));
      left -= amt;
      g.seed.shift();
    }
    return out;
  }
  const j = g.tagGrid.get(f.tag);
  if (j === undefined) return undefined;
  if (f.side === 'buy') {
    if (f.remaining === 0) { g.buyOpen[j] = 0; g.tagGrid.delete(f.tag); }
    return [sellIntent(g, j, f.amount, f.lotId)];
  }
  if (f.remaining > 0) return undefined;
  g.tagGrid.delete(f.tag);
  g.sellsOpen[j]--;
  if (g.sellsOpen[j] === 0 && !g.buyOpen[j]) return [buyIntent(g, j)];
  return undefined;
}

export const rangeGrid = defineStrategy({
  id: 'range-grid',
  version: '1.0.0',
  description: 'Bybit-style range grid: buy at each level below price, sell one level up, optional stop-loss below the range.',
  kind: 'orders',
  params: rangeGridParams,
  constraints: [
    { expr: 'upperPrice > lowerPrice (when both are set)', check: (q) => q.lowerPrice === 0 || q.upperPrice === 0 || q.upperPrice > q.lowerPrice },
    { expr: 'stopLossPrice < lowerPrice (when both are set)', check: (q) => q.stopLossPrice === 0 || q.lowerPrice === 0 || q.stopLossPrice < q.lowerPrice },
  ],
  warmup: () => 0,
  indicators: () => ({}),
  initState: (): RangeGridState => ({ markets: [] }),
  saveState: (st) => ({
    markets: Array.from(st.markets, (g) => (g ? {
      levels: encF64(g.levels), perGrid: encNum(g.perGrid), buyOpen: Array.from(g.buyOpen), sellsOpen: Array.from(g.sellsOpen),
      seed: g.seed.map(encNum), tagGrid: [...g.tagGrid], seq: encNum(g.seq), stopped: g.stopped,
    } : null)),
  }),
  loadState: (saved): RangeGridState => {
    const markets: RangeGridMarket[] = [];
    asArray(asObject(saved, 'range-grid state').markets, 'range-grid state.markets').forEach((x, m) => {
      if (x === null) return;
      const o = asObject(x, `range-grid market ${m}`);
      markets[m] = {
        levels: decF64(o.levels, 'range-grid.levels'), perGrid: decNum(o.perGrid, 'range-grid.perGrid'),
        buyOpen: Uint8Array.from(asArray(o.buyOpen, 'range-grid.buyOpen').map((v) => decNum(v, 'range-grid.buyOpen'))),
        sellsOpen: Int32Array.from(asArray(o.sellsOpen, 'range-grid.sellsOpen').map((v) => decNum(v, 'range-grid.sellsOpen'))),
        seed: asArray(o.seed, 'range-grid.seed').map((v) => decNum(v, 'range-grid.seed')),
        tagGrid: new Map(asArray(o.tagGrid, 'range-grid.tagGrid').map((e) => { const [t, k] = asArray(e, 'range-grid.tagGrid'); return [String(t), decNum(k, 'range-grid.tagGrid')] as [string, number]; })),
        seq: decNum(o.seq, 'range-grid.seq'), stopped: o.stopped === true,
      };
    });
    return { markets };
  },
  decide: (ctx) => decideRange(ctx as never),
  onFill: (ctx) => onRangeFill(ctx as never),
});

/** One completed grid cycle: a lot bought by the grid (or the initial buy) and closed by its grid sell. */
export interface GridCycle {
  readonly symbol: string;
  readonly lotId: number;
  readonly buyTag: string;
  readonly sellTag: string;
  readonly buyPrice: number;
  readonly sellPrice: number;
  readonly amount: number;
  readonly openTs: number;
  readonly closeTs: number;
  /** Realised P&L net of both fees. */
  readonly profit: number;
}

const GRID_SELL = /^s\d+\.\d+$/;

/** Profit per completed grid cycle (closed lots whose closing sell was a grid sell, not the stop-loss). */
export function rangeGridCycles(result: OrderSimResult): { cycles: GridCycle[]; completed: number; profit: number } {
  const cycles: GridCycle[] = [];
  let profit = 0;
  for (const l of result.lots) {
    if (l.status !== 'closed' || !GRID_SELL.test(l.sellTag)) continue;
    const net = lotRealisedNet(l);
    cycles.push({
      symbol: l.symbol, lotId: l.id, buyTag: l.buyTag, sellTag: l.sellTag, buyPrice: l.entryPrice, sellPrice: l.exitValue / l.closedSize,
      amount: l.closedSize, openTs: l.openTs, closeTs: l.closeTs, profit: net,
    });
    profit += net;
  }
  return { cycles, completed: cycles.length, profit };
}
