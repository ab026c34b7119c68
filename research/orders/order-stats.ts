/**
 * Statistics of an order run: `computeStats` over the aligned equity curve (the same function as signal runs),
 * with closed lots as the trades, plus the order-strategy extras (docs/metrics.md, "Order strategies").
 */
import { computeStats, timeframeMs, type CandleFrame, type Stats, type Trade, type TradeColumns } from '../../engine/index.ts';
import { lotRealisedNet, type Lot } from '../../engine/lots/index.ts';
import type { OrderSimResult, RejectReason } from '../../engine/orders/index.ts';
import type { ExecutionReport, OrderStrategyReport } from '../../engine/strategies-orders/index.ts';

/**
 * A closed lot as a Trade: long, entry = the buy fill (price, bar, time, fee), exit = the volume-weighted price of
 * the sells that closed it (time and bar of the last one), size = the closed size, pnl = realised net of the buy fee
 * and the sell fees, returnPct = pnl / (entry x size + entry fee) x 100, reasons = the buy and sell order tags.
 */
export function lotAsTrade(l: Lot): Trade {
  const size = l.closedSize;
  const entryFee = l.size > 0 ? l.buyFee * (size / l.size) : 0;
  const pnl = lotRealisedNet(l);
  return {
    side: 'long', entryBar: l.openBar, exitBar: l.closeBar, entryTs: l.openTs, exitTs: l.closeTs, entryPrice: l.entryPrice,
    exitPrice: size > 0 ? l.exitValue / size : NaN, size, entryFee, exitFee: l.sellFees, pnl,
    returnPct: (pnl / (l.entryPrice * size + entryFee)) * 100, barsHeld: l.closeBar - l.openBar, entryReason: l.buyTag, exitReason: l.sellTag,
  };
}

/** Closed lots in the order they closed (the order a signal run's trades come in). */
export function closedLots(result: OrderSimResult): Lot[] {
  const out = result.lots.filter((l) => l.status === 'closed');
  return out.sort((a, b) => a.closeTs - b.closeTs || a.id - b.id);
}

function tradeColumns(lots: readonly Lot[]): TradeColumns {
  const pnl = new Float64Array(lots.length), returnPct = new Float64Array(lots.length);
  for (let k = 0; k < lots.length; k++) {
    const l = lots[k];
    const entryFee = l.size > 0 ? l.buyFee * (l.closedSize / l.size) : 0;
    pnl[k] = lotRealisedNet(l);
    returnPct[k] = (pnl[k] / (l.entryPrice * l.closedSize + entryFee)) * 100;
  }
  return { pnl, returnPct };
}

export interface MarketExtras {
  readonly symbol: string;
  readonly realised: number;
  readonly unrealised: number;
  readonly fees: number;
  readonly fills: number;
  readonly base: number;
  readonly lastMark: number;
  readonly holdPeriods: number;
  readonly holdTimeDays: number;
  readonly holdTimePct: number;
}

/** The order-strategy extras in stats.json (`stats.orders`). Money in quote; P&L gross of fees, fees apart. */
export interface OrderExtras {
  readonly realised: number;
  readonly unrealised: number;
  readonly fees: number;
  /** realised + unrealised - fees = equityFinal - initial capital. */
  readonly netPnl: number;
  readonly ordersPlaced: number;
  readonly ordersCancelled: number;
  readonly ordersFilled: number;
  readonly ordersRejected: number;
  readonly ordersOpenAtEnd: number;
  readonly rejectReasons: Readonly<Partial<Record<RejectReason, number>>>;
  readonly fills: number;
  readonly buyFills: number;
  readonly sellFills: number;
  readonly closedLots: number;
  readonly openLots: number;
  readonly maxOpenOrders: number;
  readonly maxCapitalInUse: number;
  /** max over steps of capital in use / equity x 100. */
  readonly maxCapitalInUsePct: number;
  readonly holdPeriods: number;
  /** Sum over markets of the time spent in HOLD. */
  readonly holdTimeDays: number;
  readonly markets: readonly MarketExtras[];
  /** range-grid: completed grid cycles and their profit net of fees. */
  readonly gridCycles?: { readonly completed: number; readonly profit: number; readonly avgProfit: number };
  /** twap / vwap: execution quality per market. */
  readonly execution?: readonly ExecutionReport[];
}

export type OrderRunStats = Stats & { readonly orders: OrderExtras };

export interface OrderStatsInput {
  readonly result: OrderSimResult;
  readonly frames: readonly CandleFrame[];
  /** Measured rows of the result's timeline: [k0, result.ts.length). */
  readonly k0: number;
  readonly timeframe: string;
  readonly report: OrderStrategyReport;
}

/**
 * Stats over the measured steps: equity = the aligned equity curve, position = inventory value (exposure counts the
 * steps holding inventory), trades = closed lots, buy & hold = the markets' equal-weight basket from the first
 * measured open to the last measured close (one market: that market's).
 */
export function orderRunStats(a: OrderStatsInput): OrderRunStats {
  const { result: r, k0 } = a;
  const n = r.ts.length;
  const t0 = r.ts[k0], tEnd = r.ts[n - 1];
  let growth = 0, counted = 0;
  for (const f of a.frames) {
    let i0 = -1, i1 = -1;
    for (let i = 0; i < f.length; i++) { if (f.ts[i] >= t0 && i0 < 0) i0 = i; if (f.ts[i] <= tEnd) i1 = i; }
    if (i0 >= 0 && i1 >= i0) { growth += f.close[i1] / f.open[i0]; counted++; }
  }
  const lots = closedLots(r);
  const stats = computeStats({
    ts: r.ts.subarray(k0), equity: r.equity.subarray(k0), position: r.inventoryValue.subarray(k0), trades: tradeColumns(lots),
    timeframe: a.timeframe, initialCash: r.totals.initialCapital, feesPaid: r.totals.fees, skippedOrders: r.totals.rejected,
    openTrades: r.totals.openLots, firstPrice: 1, lastPrice: counted ? growth / counted : NaN,
  });
  return { ...stats, orders: orderExtras(a, stats) };
}

function orderExtras(a: OrderStatsInput, stats: Stats): OrderExtras {
  const r = a.result, t = r.totals;
  const tfMs = timeframeMs(a.timeframe);
  const endTs = r.ts[r.ts.length - 1] + tfMs;
  const spanMs = endTs - r.ts[a.k0];
  let maxPct = 0;
  for (let s = a.k0; s < r.ts.length; s++) {
    const pct = r.equity[s] > 0 ? (r.capitalInUse[s] / r.equity[s]) * 100 : 0;
    if (pct > maxPct) maxPct = pct;
  }
  let filled = 0, open = 0;
  for (const o of r.orders) { if (o.status === 'filled') filled++; else if (o.status === 'open') open++; }
  const holdMs = new Map<string, { n: number; ms: number }>();
  for (const h of r.holdPeriods) {
    const e = holdMs.get(h.symbol) ?? { n: 0, ms: 0 };
    e.n++;
    e.ms += (Number.isNaN(h.endTs) ? endTs : h.endTs) - h.startTs;
    holdMs.set(h.symbol, e);
  }
  const DAY = 86_400_000;
  const markets: MarketExtras[] = r.markets.map((m) => {
    const h = holdMs.get(m.symbol) ?? { n: 0, ms: 0 };
    return {
      symbol: m.symbol, realised: m.realised, unrealised: m.unrealised, fees: m.fees, fills: m.fills, base: m.base, lastMark: m.lastMark,
      holdPeriods: h.n, holdTimeDays: h.ms / DAY, holdTimePct: spanMs > 0 ? (h.ms / spanMs) * 100 : 0,
    };
  });
  const rep = a.report;
  return {
    realised: t.realised, unrealised: t.unrealised, fees: t.fees, netPnl: stats.equityFinal - t.initialCapital,
    ordersPlaced: t.ordersPlaced, ordersCancelled: t.ordersCancelled, ordersFilled: filled, ordersRejected: t.rejected, ordersOpenAtEnd: open,
    rejectReasons: { ...r.rejectCounts },
    fills: t.fills, buyFills: t.buyFills, sellFills: t.sellFills, closedLots: t.closedLots, openLots: t.openLots,
    maxOpenOrders: t.maxOpenOrders, maxCapitalInUse: t.maxCapitalInUse, maxCapitalInUsePct: maxPct,
    holdPeriods: r.holdPeriods.length, holdTimeDays: markets.reduce((s, m) => s + m.holdTimeDays, 0), markets,
    ...(rep.cycles ? { gridCycles: { completed: rep.cycles.completed, profit: rep.cycles.profit, avgProfit: rep.cycles.completed ? rep.cycles.profit / rep.cycles.completed : NaN } } : {}),
    ...(rep.execution ? { execution: rep.execution } : {}),
  };
}
