/**
 * `dca`: dollar-cost averaging. Every `intervalHours` (from the first bar) it buys `quoteAmount` of quote
 * worth at market (amount = quote / close, filled at the next open). Options:
 *  - dip: when the close is at least `dipPct` % below the previous DCA buy's fill price, the scheduled buy is
 *    `dipMultiplier` times larger;
 *  - take profit: when the close is at least `takeProfitPct` % above the average cost of the open lots, the
 *    whole inventory is sold at market (and averaging starts again).
 */
import { asArray, asObject, decNum, encNum } from './state-codec.ts';
import { Type } from '@sinclair/typebox';
import { timeframeMs } from '../timeframe.ts';
import { defineStrategy, type BarContext, type FillContext, type Intent } from '../strategy.ts';

export const dcaParams = Type.Object({
  quoteAmount: Type.Number({ default: 100, minimum: 1, maximum: 1e12, description: 'quote spent per scheduled buy' }),
  intervalHours: Type.Number({ default: 24, minimum: 1 / 60, maximum: 8760, description: 'time between buys, hours' }),
  dipPct: Type.Number({ default: 0, minimum: 0, maximum: 99, description: 'a drop of this % below the last buy makes the next buy larger (0 = off)' }),
  dipMultiplier: Type.Number({ default: 2, minimum: 1, maximum: 100, description: 'size multiplier of a buy after a drop' }),
  takeProfitPct: Type.Number({ default: 0, minimum: 0, maximum: 10_000, description: 'sell everything at this % over average cost (0 = off)' }),
});

export type DcaParams = { quoteAmount: number; intervalHours: number; dipPct: number; dipMultiplier: number; takeProfitPct: number };

interface DcaMarket { nextTs: number; lastBuyPrice: number; seq: number }
export interface DcaState { markets: DcaMarket[] }

function decideDca(ctx: BarContext<DcaParams, Record<string, Float64Array>, DcaState>): Intent[] | undefined {
  const p = ctx.params;
  const m = ctx.market ?? 0;
  const ts = ctx.frame.ts[ctx.i];
  const c = ctx.frame.close[ctx.i];
  const g = (ctx.state.markets[m] ??= { nextTs: ts, lastBuyPrice: NaN, seq: 0 });
  const a = ctx.account!;
  const out: Intent[] = [];
  const base = a.base(m);
  if (p.takeProfitPct > 0 && base > 0 && c >= (a.openCost(m) / base) * (1 + p.takeProfitPct / 100)) {
    const free = a.freeBase(m); // base not already promised to a pending take-profit
    if (free > 0) out.push({ type: 'market', side: 'sell', amount: free, tag: `tp${g.seq++}` });
  }
  // the bar's close time is the next open, when a market order decided now fills
  const closeTs = ts + timeframeMs(ctx.frame.timeframe);
  if (closeTs > g.nextTs) {
    const dip = p.dipPct > 0 && g.lastBuyPrice > 0 && c <= g.lastBuyPrice * (1 - p.dipPct / 100);
    const quote = p.quoteAmount * (dip ? p.dipMultiplier : 1);
    out.push({ type: 'market', side: 'buy', amount: quote / c, tag: `dca${g.seq++}` });
    const step = p.intervalHours * 3_600_000;
    while (g.nextTs < closeTs) g.nextTs += step;
  }
  return out.length ? out : undefined;
}

function onDcaFill(ctx: FillContext<DcaParams, Record<string, Float64Array>, DcaState>): undefined {
  const f = ctx.fill;
  const g = ctx.state.markets[f.market];
  if (g && f.side === 'buy') g.lastBuyPrice = f.price;
  return undefined;
}

export const dca = defineStrategy({
  id: 'dca',
  version: '1.0.0',
  description: 'Dollar-cost averaging: a fixed quote amount every interval, a larger buy after a drop, take profit over average cost.',
  kind: 'orders',
  params: dcaParams,
  warmup: () => 0,
  indicators: () => ({}),
  initState: (): DcaState => ({ markets: [] }),
  saveState: (st) => ({ markets: Array.from(st.markets, (g) => (g ? { nextTs: encNum(g.nextTs), lastBuyPrice: encNum(g.lastBuyPrice), seq: encNum(g.seq) } : null)) }),
  loadState: (saved): DcaState => {
    const markets: DcaMarket[] = [];
    asArray(asObject(saved, 'dca state').markets, 'dca state.markets').forEach((x, m) => {
      if (x === null) return;
      const o = asObject(x, `dca market ${m}`);
      markets[m] = { nextTs: decNum(o.nextTs, 'dca.nextTs'), lastBuyPrice: decNum(o.lastBuyPrice, 'dca.lastBuyPrice'), seq: decNum(o.seq, 'dca.seq') };
    });
    return { markets };
  },
  decide: (ctx) => decideDca(ctx as never),
  onFill: (ctx) => onDcaFill(ctx as never),
});
