/**
 * The run folder of an order run: the signal run's layout where it applies (manifest.json, stats.json, trades.csv =
 * closed lots as trades, fills.csv, equity.arrow, report.html) plus orders.csv, lots.csv (open and closed, realised
 * and unrealised P&L), rejected.csv (with reasons), hold-periods.csv, cycles.csv (range-grid) and series.arrow
 * (per step: equity, cash, capital in use, open orders, P&L, fees, and per market its close and every series the
 * strategy recorded: AnchorHigh, GridTop, hold...). Files are written to a temporary name and renamed.
 */
import { renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tableFromArrays, tableToIPC } from 'apache-arrow';
import type { CandleFrame } from '../../engine/index.ts';
import { lotRealisedNet, lotUnrealised, type Lot } from '../../engine/lots/index.ts';
import type { FillView, OrderRecord, OrderSimResult, RejectedOrder, HoldPeriod } from '../../engine/orders/index.ts';
import { expandStepSeries, type GridCycle } from '../../engine/strategies-orders/index.ts';
import { iso } from '../dates.ts';
import { toJson } from '../json.ts';
import { tradesCsv } from '../results/write-run.ts';
import { renderOrdersReport } from '../report/orders-report.ts';
import { closedLots, lotAsTrade } from './order-stats.ts';
import type { OrderBacktestRun } from './run-orders.ts';

function writeAtomic(path: string, data: string | Uint8Array): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, data);
  renameSync(tmp, path);
}

const num = (x: number) => (Number.isFinite(x) ? String(x) : '');
const time = (t: number) => (Number.isFinite(t) ? iso(t) : '');
const q = (s: string) => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
const csv = (head: string, rows: string[]) => [head, ...rows].join('\n') + '\n';

export function ordersCsv(orders: readonly OrderRecord[]): string {
  return csv('id,symbol,tag,side,type,price,amount,filled,remaining,avg_price,fees,status,origin,placed_time,placed_bar,done_time,done_bar,lot',
    orders.map((o) => [o.id, q(o.symbol), q(o.tag), o.side, o.type, num(o.price), num(o.amount), num(o.filled), num(o.remaining), num(o.avgPrice),
      num(o.fees), o.status, o.origin, time(o.placedTs), o.placedBar, time(o.doneTs), o.doneBar, o.lot].join(',')));
}

export function orderFillsCsv(fills: readonly FillView[]): string {
  return csv('seq,time,bar,symbol,tag,order_id,side,type,price,amount,fee,liquidity,remaining,lot_id,path_leg',
    fills.map((f) => [f.seq, time(f.ts), f.bar, q(f.symbol), q(f.tag), f.orderId, f.side, f.type, num(f.price), num(f.amount), num(f.fee),
      f.liquidity, num(f.remaining), f.lotId, f.pathLeg].join(',')));
}

/** Every lot, open and closed: realised (gross and net of its fees) and, for the open part, unrealised at the last mark. */
export function lotsCsv(lots: readonly Lot[], marks: Readonly<Record<string, number>>): string {
  return csv('id,symbol,status,buy_tag,sell_tag,open_time,open_bar,entry_price,size,remaining,buy_fee,closed_size,exit_price,sell_fees,realised,realised_net,close_time,close_bar,mark,unrealised',
    lots.map((l) => {
      const mark = marks[l.symbol];
      return [l.id, q(l.symbol), l.status, q(l.buyTag), q(l.sellTag), time(l.openTs), l.openBar, num(l.entryPrice), num(l.size), num(l.remaining),
        num(l.buyFee), num(l.closedSize), num(l.closedSize > 0 ? l.exitValue / l.closedSize : NaN), num(l.sellFees), num(l.realised), num(lotRealisedNet(l)),
        time(l.closeTs), l.closeBar, num(mark), num(l.remaining > 0 ? lotUnrealised(l, mark) : 0)].join(',');
    }));
}

export function rejectedCsv(rejected: readonly RejectedOrder[]): string {
  return csv('time,bar,symbol,tag,type,side,price,amount,reason',
    rejected.map((r) => [time(r.ts), r.bar, q(r.symbol), q(r.tag), r.type, r.side ?? '', num(r.price), num(r.amount), r.reason].join(',')));
}

export function holdPeriodsCsv(periods: readonly HoldPeriod[]): string {
  return csv('symbol,start,end,days', periods.map((h) => [q(h.symbol), time(h.startTs), time(h.endTs), num((h.endTs - h.startTs) / 86_400_000)].join(',')));
}

export function cyclesCsv(cycles: readonly GridCycle[]): string {
  return csv('symbol,lot_id,buy_tag,sell_tag,buy_price,sell_price,amount,open_time,close_time,profit',
    cycles.map((c) => [q(c.symbol), c.lotId, q(c.buyTag), q(c.sellTag), num(c.buyPrice), num(c.sellPrice), num(c.amount), time(c.openTs), time(c.closeTs), num(c.profit)].join(',')));
}

/** Each frame's close on the timeline `ts` (NaN at steps where the market has no bar). */
export function alignedClose(frame: CandleFrame, ts: Float64Array): Float64Array {
  const out = new Float64Array(ts.length).fill(NaN);
  let i = 0;
  for (let s = 0; s < ts.length; s++) {
    while (i < frame.length && frame.ts[i] < ts[s]) i++;
    if (i < frame.length && frame.ts[i] === ts[s]) out[s] = frame.close[i];
  }
  return out;
}

export function drawdownPct(equity: Float64Array): Float64Array {
  const out = new Float64Array(equity.length);
  let peak = -Infinity;
  for (let i = 0; i < equity.length; i++) {
    if (equity[i] > peak) peak = equity[i];
    out[i] = peak > 0 ? (equity[i] / peak - 1) * 100 : 0;
  }
  return out;
}

/** Per measured step: the account series, then per market `<symbol>.close` and `<symbol>.<series>` for each recorded series. */
export function seriesColumns(r: OrderSimResult, frames: readonly CandleFrame[], k0: number): Record<string, Float64Array> {
  const ts = r.ts.subarray(k0);
  const cut = (a: Float64Array) => Float64Array.from(a.subarray(k0));
  const equity = cut(r.equity), cap = cut(r.capitalInUse);
  const capPct = new Float64Array(ts.length);
  for (let s = 0; s < ts.length; s++) capPct[s] = equity[s] > 0 ? (cap[s] / equity[s]) * 100 : 0;
  const cols: Record<string, Float64Array> = {
    ts: Float64Array.from(ts), equity, drawdownPct: drawdownPct(equity), cash: cut(r.cash), inventoryValue: cut(r.inventoryValue),
    capitalInUse: cap, capitalInUsePct: capPct, openOrders: cut(r.openOrders), realised: cut(r.realised), unrealised: cut(r.unrealised), fees: cut(r.fees),
  };
  for (const f of frames) {
    cols[`${f.symbol}.close`] = alignedClose(f, ts);
    for (const [name, s] of Object.entries(r.series[f.symbol] ?? {})) cols[`${f.symbol}.${name}`] = expandStepSeries(s, ts);
  }
  return cols;
}

export function writeOrderRunFolder(dir: string, run: OrderBacktestRun): void {
  const { manifest, stats, result: r, frames, k0, report } = run;
  writeAtomic(join(dir, 'manifest.json'), toJson(manifest) + '\n');
  writeAtomic(join(dir, 'stats.json'), toJson(stats) + '\n');
  writeAtomic(join(dir, 'trades.csv'), tradesCsv(closedLots(r).map(lotAsTrade)));
  writeAtomic(join(dir, 'orders.csv'), ordersCsv(r.orders));
  writeAtomic(join(dir, 'fills.csv'), orderFillsCsv(r.fills));
  writeAtomic(join(dir, 'lots.csv'), lotsCsv(r.lots, Object.fromEntries(r.markets.map((m) => [m.symbol, m.lastMark]))));
  writeAtomic(join(dir, 'rejected.csv'), rejectedCsv(r.rejected));
  writeAtomic(join(dir, 'hold-periods.csv'), holdPeriodsCsv(r.holdPeriods));
  if (report.cycles) writeAtomic(join(dir, 'cycles.csv'), cyclesCsv(report.cycles.cycles));
  const cols = seriesColumns(r, frames, k0);
  const eq: Record<string, Float64Array> = { ts: cols.ts, equity: cols.equity, drawdownPct: cols.drawdownPct, position: cols.inventoryValue };
  if (frames.length === 1) eq.close = cols[`${frames[0].symbol}.close`];
  writeAtomic(join(dir, 'equity.arrow'), tableToIPC(tableFromArrays(eq), 'file'));
  writeAtomic(join(dir, 'series.arrow'), tableToIPC(tableFromArrays(cols), 'file'));
  writeAtomic(join(dir, 'report.html'), renderOrdersReport(run, cols));
}
